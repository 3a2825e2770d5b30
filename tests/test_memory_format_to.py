"""memory_format in .to() and is_contiguous(memory_format=...) for tensors and modules, compared
with PyTorch by running one script both ways."""
from compare import assert_script_same

SCRIPT = '''
x = T.ones(2, 3, 4, 5, requires_grad=True)
a = x.to(memory_format=T.channels_last); print(a.grad_fn.name(), a.stride())
b = a.to(memory_format=T.channels_last); print(b is a)
c = x.to(T.float64, memory_format=T.channels_last); print(c.grad_fn.name(), c.stride(), len(c.grad_fn.next_functions))
d = a.to(memory_format=T.contiguous_format); print(d.grad_fn.name(), d.stride())
e = a.to(T.float64); print(e.stride())
try: T.ones(2, 3).to(memory_format=T.channels_last)
except Exception as ex: print(type(ex).__name__, ex)
print(x.to(memory_format=T.preserve_format) is x, x.to(memory_format=T.contiguous_format) is x)
print(a.is_contiguous(memory_format=T.channels_last), a.is_contiguous(), x.is_contiguous(memory_format=T.channels_last))
print(x.is_contiguous(memory_format=T.preserve_format), T.ones(2, 3).is_contiguous(memory_format=T.channels_last))
print(T.ones(1, 3, 1, 1).is_contiguous(memory_format=T.channels_last), T.ones(2, 1, 4, 5).is_contiguous(memory_format=T.channels_last))
print(T.ones(2, 3, 4, 5, 6).to(memory_format=T.channels_last_3d).is_contiguous(memory_format=T.channels_last_3d))
print(T.ones(2, 3, 4, 5).permute(0, 2, 3, 1)[:, :2].is_contiguous(memory_format=T.channels_last))
a.sum().backward(); print(x.grad.stride())
m = T.nn.Conv2d(3, 4, 3).to(memory_format=T.channels_last)
print(m.weight.stride(), m.weight.is_contiguous(memory_format=T.channels_last), m.bias.stride())
print(m(T.ones(1, 3, 5, 5).to(memory_format=T.channels_last)).shape)
'''


def test_memory_format_as_torch():
    assert_script_same(SCRIPT, min_lines=10)
