"""The user's study notes (shared/seeds/000-004), run on ember.

Every tensor/autograd snippet in the notes has a test here that runs the same kind of
code with ``import ember as torch`` and checks what the notes show ``print`` writing
(``torch.`` read as ``ember.``). Random values are either fixed to the numbers the notes
print or checked for shape, dtype and print format (against real PyTorch's formatting of
the same numbers).
"""
import re
import warnings

import numpy as np
import pytest
import torch as real_torch

import ember as torch
from ember.autograd import Variable


def printed(capsys, *objs):
    """What ``print(*objs)`` writes, without the final newline."""
    capsys.readouterr()
    print(*objs)
    return capsys.readouterr().out[:-1]


def torch_repr(arr):
    """Real PyTorch's print of ``arr``, spelled the ember way."""
    return repr(real_torch.from_numpy(np.array(arr))).replace('torch.', 'ember.')


ADDR = r'0x[0-9a-fA-F]+'


# --------------------------------------------------------------------- seed 000

def test_000_1_grad_of_leaf_after_backward_with_retain_graph(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    y = x + 2
    y.backward(torch.ones(2, 2), retain_graph=True)
    assert printed(capsys, x.grad) == 'tensor([[1., 1.],\n        [1., 1.]])'
    with pytest.warns(UserWarning, match='is not a leaf Tensor is being accessed'):
        assert printed(capsys, y.grad) == 'None'
    assert printed(capsys, y.requires_grad) == 'True'
    # the graph was retained: a second backward through it works and accumulates
    y.backward(torch.ones(2, 2))
    assert printed(capsys, x.grad) == 'tensor([[2., 2.],\n        [2., 2.]])'


def test_000_nonleaf_grad_warning_points_at_the_caller():
    x = torch.ones(2, requires_grad=True)
    y = x * 2
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        assert y.grad is None
    assert len(w) == 1 and w[0].category is UserWarning
    assert w[0].filename == __file__
    assert str(w[0].message).startswith(
        "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
        "attribute won't be populated during autograd.backward().")
    # no warning for a leaf, nor for a non-leaf that retains its grad
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert x.grad is None and y.grad is None


def test_000_3_grad_stored_only_where_requires_grad():
    x = torch.ones(3, requires_grad=True)
    c = torch.ones(3)
    (x * c * 2).sum().backward()
    assert x.grad.tolist() == [2., 2., 2.]
    assert c.grad is None


def test_000_4_dynamic_graph_with_control_flow_and_reused_weights():
    """DynamicNet: a random number of passes through the same weight, clamp(min=0)."""
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((4, 3)).astype(np.float32)
    w_in_np = rng.standard_normal((3, 5)).astype(np.float32)
    w_mid_np = (rng.standard_normal((5, 5)) * 0.5).astype(np.float32)
    w_out_np = rng.standard_normal((5, 2)).astype(np.float32)
    for repeats in range(4):
        results = []
        for lib in (torch, real_torch):
            w_in, w_mid, w_out = (lib.tensor(a, requires_grad=True) for a in (w_in_np, w_mid_np, w_out_np))
            h = (lib.tensor(x_np) @ w_in).clamp(min=0)
            for _ in range(repeats):        # the same parameter used `repeats` times
                h = (h @ w_mid).clamp(min=0)
            y = (h @ w_out).sum()
            y.backward()
            results.append([None if w.grad is None else w.grad.detach().numpy().copy()
                            for w in (w_in, w_mid, w_out)])
        assert (results[0][1] is None) == (repeats == 0) == (results[1][1] is None)
        for got, want in zip(*results):
            if want is not None:
                np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_000_5_variable_has_data_grad_grad_fn():
    x = Variable(torch.ones(2), requires_grad=True)
    y = x * 3
    assert isinstance(x.data, torch.Tensor) and not x.data.requires_grad
    assert x.grad is None and x.grad_fn is None
    assert type(y.grad_fn).__name__ == 'MulBackward0'
    y.sum().backward()
    assert x.grad.tolist() == [3., 3.]


def test_000_6_from_numpy_shares_memory(capsys):
    a = np.ones(3)
    b = torch.from_numpy(a)
    assert printed(capsys, b) == 'tensor([1., 1., 1.], dtype=ember.float64)'
    a[0] = 5
    b[2] = 7
    assert b.tolist() == [5., 1., 7.]
    assert a.tolist() == [5., 1., 7.]


def test_000_7_backward_without_requires_grad_raises():
    x = torch.ones(2, 2)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    assert not y.requires_grad and not z.requires_grad and not out.requires_grad
    with pytest.raises(RuntimeError) as e:
        out.backward()
    assert str(e.value) == 'element 0 of tensors does not require grad and does not have a grad_fn'


def test_000_7_with_requires_grad_works(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    out = ((x + 2) * (x + 2) * 3).mean()
    out.backward()
    assert printed(capsys, x.grad) == 'tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])'


def test_000_8_plain_operators_build_the_graph():
    a = torch.tensor([1., 2.], requires_grad=True)
    b = torch.tensor([3., 4.], requires_grad=True)
    c = a + b * a
    assert type(c.grad_fn).__name__ == 'AddBackward0'
    c.sum().backward()
    assert a.grad.tolist() == [4., 5.] and b.grad.tolist() == [1., 2.]


# --------------------------------------------------------------------- seed 001 (autograd)

def test_001_backward_walks_grad_fn_back_to_ancestors():
    grandparent = torch.tensor([1., 2.], requires_grad=True)
    parent = grandparent * 3
    child = (parent ** 2).sum()
    # grad_fn chain: child -> parent -> grandparent's AccumulateGrad
    fn = child.grad_fn
    names = []
    while fn is not None:
        names.append(type(fn).__name__)
        fn = fn.next_functions[0][0] if fn.next_functions else None
    assert names == ['SumBackward0', 'PowBackward0', 'MulBackward0', 'AccumulateGrad']
    assert child.grad_fn.next_functions[0][0].next_functions[0][0] is parent.grad_fn
    child.backward()
    # d child / d grandparent = 2 * parent * 3
    assert grandparent.grad.tolist() == [18., 36.]


def test_001_variable_data_is_a_tensor():
    v = Variable(torch.tensor([1., 2.]), requires_grad=True)
    assert isinstance(v, torch.Tensor) and isinstance(v, Variable)
    assert type(v.data) is torch.Tensor
    assert v.grad_fn is None and v.is_leaf


# --------------------------------------------------------------------- seed 002

def test_002_rand_shapes():
    data = torch.rand(1, 3, 64, 64)
    labels = torch.rand(1, 1000)
    assert data.shape == (1, 3, 64, 64) and labels.shape == (1, 1000)
    assert data.dtype == torch.float32
    assert 0 <= float(data.min()) and float(data.max()) < 1


def test_002_q_equals_3a3_minus_b2(capsys):
    a = torch.tensor([2., 3.], requires_grad=True)
    b = torch.tensor([6., 4.], requires_grad=True)
    Q = 3 * a ** 3 - b ** 2
    external_grad = torch.tensor([1., 1.])
    Q.backward(gradient=external_grad, retain_graph=True)
    assert printed(capsys, 9 * a ** 2 == a.grad) == 'tensor([True, True])'
    assert printed(capsys, -2 * b == b.grad) == 'tensor([True, True])'
    assert printed(capsys, a.grad) == 'tensor([36., 81.])'
    assert printed(capsys, b.grad) == 'tensor([-12.,  -8.])'
    Q.sum().backward()
    assert printed(capsys, a.grad) == 'tensor([ 72., 162.])'
    assert printed(capsys, b.grad) == 'tensor([-24., -16.])'


def test_002_exclusion_from_dag(capsys):
    x = torch.rand(5, 5)
    y = torch.rand(5, 5)
    z = torch.rand((5, 5), requires_grad=True)
    a = x + y
    assert printed(capsys, f"Does 'a' require gradients?: {a.requires_grad}") == \
        "Does 'a' require gradients?: False"
    b = x + z
    assert printed(capsys, f"Does 'b' require gradients?: {b.requires_grad}") == \
        "Does 'b' require gradients?: True"


def test_002_frozen_parameters_get_no_grad():
    params = [torch.randn(3, 3, requires_grad=True) for _ in range(2)]
    for p in params:
        p.requires_grad = False
    head = torch.randn(3, 2, requires_grad=True)      # the new, trainable last layer
    x = torch.randn(4, 3)
    out = ((x @ params[0]).relu() @ params[1]).relu() @ head
    out.sum().backward()
    assert all(p.grad is None for p in params)
    assert head.grad is not None and head.grad.shape == (3, 2)
    # no_grad is thread local: it doesn't switch off recording in other threads
    import threading
    seen = []
    with torch.no_grad():
        t = threading.Thread(target=lambda: seen.append((head * 2).requires_grad))
        t.start()
        t.join()
        seen.append((head * 2).requires_grad)
    assert seen == [True, False]


# --------------------------------------------------------------------- seed 003

def test_003_new_ones_double(capsys):
    x = torch.zeros(5, 3, dtype=torch.long)
    x = x.new_ones(4, 3, dtype=torch.double)
    assert printed(capsys, x) == ('tensor([[1., 1., 1.],\n'
                                  '        [1., 1., 1.],\n'
                                  '        [1., 1., 1.],\n'
                                  '        [1., 1., 1.]], dtype=ember.float64)')
    # without dtype, new_* keeps the source's dtype
    assert torch.ones(2, dtype=torch.double).new_ones(3).dtype == torch.float64
    assert torch.ones(4, 3, dtype=torch.double).tolist() == x.tolist()


def test_003_randn_like_with_dtype_prints_without_dtype(capsys):
    torch.manual_seed(2)
    x = torch.ones(4, 3, dtype=torch.double)
    x = torch.randn_like(x, dtype=torch.float)
    assert x.dtype == torch.float32 and x.shape == (4, 3)
    out = printed(capsys, x)
    assert 'dtype' not in out
    num = r'-?\d+\.\d{4}'
    row = rf'\[ *{num}, +{num}, +{num}\]'
    assert re.fullmatch(rf'tensor\(\[{row},\n        {row},\n        {row},\n        {row}\]\)', out), out
    assert out == torch_repr(x.numpy())
    assert printed(capsys, x.size()) == 'ember.Size([4, 3])'
    assert printed(capsys, x.shape) == 'ember.Size([4, 3])'


def test_003_randn_like_seeded_prints_like_the_notes(capsys):
    # the numbers the notes printed, laid out the way the notes show them
    vals = [[2.7311, -0.0720, 0.2497], [-2.3141, 0.0666, -0.5934],
            [1.5253, 1.0336, 1.3859], [1.3806, -0.6965, -1.2255]]
    x = torch.tensor(vals)
    assert printed(capsys, x) == ('tensor([[ 2.7311, -0.0720,  0.2497],\n'
                                  '        [-2.3141,  0.0666, -0.5934],\n'
                                  '        [ 1.5253,  1.0336,  1.3859],\n'
                                  '        [ 1.3806, -0.6965, -1.2255]])')
    torch.manual_seed(7)
    a = torch.randn_like(x)
    torch.manual_seed(7)
    b = torch.randn_like(x)
    assert a.tolist() == b.tolist() and a.tolist() != torch.randn_like(x).tolist()


def test_003_construction_table():
    assert torch.Tensor(2, 3).shape == (2, 3)
    assert torch.tensor([1., 2.]).tolist() == [1., 2.]
    assert torch.ones(2, 2).tolist() == [[1., 1.], [1., 1.]]
    assert torch.zeros(2).tolist() == [0., 0.]
    assert torch.eye(2).tolist() == [[1., 0.], [0., 1.]]
    assert torch.arange(1, 10, 3).tolist() == [1, 4, 7]
    assert torch.linspace(0, 1, 5).tolist() == [0., 0.25, 0.5, 0.75, 1.]
    r = torch.rand(100)
    assert 0 <= float(r.min()) and float(r.max()) < 1
    assert torch.randn(2, 5).shape == (2, 5)
    assert torch.normal(torch.zeros(4), torch.ones(4)).shape == (4,)
    p = torch.randperm(6)
    assert p.dtype == torch.int64 and sorted(p.tolist()) == list(range(6))


def test_003_indexing_shares_memory(capsys):
    x = torch.tensor([[2.7311, -0.0720, 0.2497], [0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]])
    y = x[0, :]
    y += 1
    assert printed(capsys, y) == 'tensor([3.7311, 0.9280, 1.2497])'
    assert printed(capsys, x[0, :]) == 'tensor([3.7311, 0.9280, 1.2497])'
    # random source: the same holds
    x = torch.rand(4, 3)
    before = x[0].clone()
    y = x[0, :]
    y += 1
    assert x[0, :].tolist() == (before + 1).tolist() and printed(capsys, y) == printed(capsys, x[0, :])


def test_003_view_shares_memory(capsys):
    after = [[1.3019, 0.3762, 1.2397, 1.3998], [0.6891, 1.3651, 1.1891, -0.6744],
             [0.3490, 1.8377, 1.6456, 0.8403], [-0.8259, 2.5454, 1.2474, 0.7884]]
    x = torch.tensor(after) - 1
    y = x.view(16)
    z = x.view(-1, 8)
    x += 1
    assert printed(capsys, x) == ('tensor([[ 1.3019,  0.3762,  1.2397,  1.3998],\n'
                                  '        [ 0.6891,  1.3651,  1.1891, -0.6744],\n'
                                  '        [ 0.3490,  1.8377,  1.6456,  0.8403],\n'
                                  '        [-0.8259,  2.5454,  1.2474,  0.7884]])')
    assert printed(capsys, y) == (
        'tensor([ 1.3019,  0.3762,  1.2397,  1.3998,  0.6891,  1.3651,  1.1891, -0.6744,\n'
        '         0.3490,  1.8377,  1.6456,  0.8403, -0.8259,  2.5454,  1.2474,  0.7884])')
    assert z.shape == (2, 8) and z[1, 0].item() == x[2, 0].item()
    assert y.data_ptr() == x.data_ptr()


def test_003_clone_then_view_is_independent_but_in_the_graph():
    src = torch.ones(4, requires_grad=True)
    copy = src.clone()
    v = copy.view(2, 2)
    with torch.no_grad():
        v2 = torch.arange(4.).clone().view(2, 2)
    assert v.data_ptr() != src.data_ptr()
    (v * torch.tensor([[1., 2.], [3., 4.]])).sum().backward()
    assert src.grad.tolist() == [1., 2., 3., 4.]      # the gradient reached the source
    assert v2.tolist() == [[0., 1.], [2., 3.]]
    # reshape gives the right values too
    assert torch.arange(6.).reshape(2, 3).tolist() == [[0., 1., 2.], [3., 4., 5.]]


def test_003_leaf_rules():
    a = torch.ones(2)                           # requires_grad False: a leaf
    assert a.is_leaf and not a.requires_grad and a.grad_fn is None
    b = a * 2                                   # computed from no-grad tensors: still a leaf
    assert b.is_leaf and not b.requires_grad
    x = torch.ones(2, requires_grad=True)       # user-created, requires grad: leaf, gets .grad
    y = x * 2                                   # computed: not a leaf, no .grad kept
    assert x.is_leaf and not y.is_leaf and y.requires_grad
    y.retain_grad()
    (y * y).sum().backward()
    assert x.grad.tolist() == [8., 8.] and y.grad.tolist() == [4., 4.]
    assert x.grad.data.tolist() == [8., 8.]


def test_003_detach_stops_tracking():
    x = torch.ones(2, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    assert not (d * 2).requires_grad


def test_003_requires_grad_tensor_prints(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    assert printed(capsys, x) == 'tensor([[1., 1.],\n        [1., 1.]], requires_grad=True)'
    y = x ** 2
    assert printed(capsys, y) == 'tensor([[1., 1.],\n        [1., 1.]], grad_fn=<PowBackward0>)'
    assert re.fullmatch(rf'<PowBackward0 object at {ADDR}>', printed(capsys, y.grad_fn))
    z = y * y * 3
    out = z.mean()
    assert printed(capsys, z, out) == ('tensor([[3., 3.],\n        [3., 3.]], grad_fn=<MulBackward0>) '
                                       'tensor(3., grad_fn=<MeanBackward0>)')
    out.backward()
    assert printed(capsys, x.grad) == 'tensor([[3., 3.],\n        [3., 3.]])'


def test_003_requires_grad_toggle(capsys):
    a = torch.randn(2, 2)
    a = ((a * 3) / (a - 1))
    assert printed(capsys, a.requires_grad) == 'False'
    a.requires_grad_(True)
    assert printed(capsys, a.requires_grad) == 'True'
    b = (a * a).sum()
    assert re.fullmatch(rf'<SumBackward0 object at {ADDR}>', printed(capsys, b.grad_fn))
    # the flag defaults to True when no argument is given
    c = torch.zeros(1)
    assert c.requires_grad_() is c and c.requires_grad


def test_003_backward_scalar_forms_are_equivalent():
    grads = []
    for seed in (None, torch.tensor(1.)):
        x = torch.ones(2, 2, requires_grad=True)
        out = ((x + 2) ** 2 * 3).mean()
        out.backward(seed)
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [[4.5, 4.5], [4.5, 4.5]]


def test_003_grad_accumulates_and_zero_(capsys):
    x = torch.ones(2, 2, requires_grad=True)
    out = (x ** 2 * x ** 2 * 3).mean()
    out.backward()
    assert printed(capsys, x.grad) == 'tensor([[3., 3.],\n        [3., 3.]])'
    out2 = x.sum()
    out2.backward()
    assert printed(capsys, x.grad) == 'tensor([[4., 4.],\n        [4., 4.]])'
    out3 = x.sum()
    x.grad.data.zero_()
    out3.backward()
    assert printed(capsys, x.grad) == 'tensor([[1., 1.],\n        [1., 1.]])'


def test_003_vector_jacobian_product_while_loop(capsys):
    x = torch.tensor([-0.9332, 1.9616, 0.1739], requires_grad=True)
    assert printed(capsys, x) == 'tensor([-0.9332,  1.9616,  0.1739], requires_grad=True)'
    y = x * 2
    i = 0
    while y.data.norm() < 1000:
        y = y * 2
        i = i + 1
    assert printed(capsys, y) == 'tensor([-477.7984, 1004.3392,   89.0368], grad_fn=<MulBackward0>)'
    assert printed(capsys, i) == '8'
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    assert printed(capsys, x.grad) == 'tensor([5.1200e+01, 5.1200e+02, 5.1200e-02])'


def test_003_vector_jacobian_product_random_x(capsys):
    torch.manual_seed(0)
    x = torch.randn(3, requires_grad=True)
    y = x * 2
    i = 0
    while y.data.norm() < 1000:
        y = y * 2
        i = i + 1
    n = float(x.detach().norm())
    assert n * 2 ** (i + 1) >= 1000 > n * 2 ** i        # i is the smallest such count
    v = torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float)
    y.backward(v)
    want = [2 ** (i + 1) * 0.1, 2 ** (i + 1) * 1.0, 2 ** (i + 1) * 0.0001]
    np.testing.assert_allclose(x.grad.numpy(), want, rtol=1e-6)
    out = printed(capsys, x.grad)
    assert out == torch_repr(np.array(want, dtype=np.float32))
    assert re.fullmatch(r'tensor\(\[\d\.\d{4}e[+-]\d\d, \d\.\d{4}e[+-]\d\d, \d\.\d{4}e[+-]\d\d\]\)', out)


def test_003_no_grad_block(capsys):
    x = torch.randn(3, requires_grad=True)
    assert printed(capsys, x.requires_grad) == 'True'
    assert printed(capsys, (x ** 2).requires_grad) == 'True'
    with torch.no_grad():
        assert printed(capsys, (x ** 2).requires_grad) == 'False'
    assert (x ** 2).requires_grad


def test_003_modify_through_data(capsys):
    x = torch.ones(1, requires_grad=True)
    assert printed(capsys, x.data) == 'tensor([1.])'
    assert printed(capsys, x.data.requires_grad) == 'False'
    y = 2 * x
    x.data *= 100
    y.backward()
    assert printed(capsys, x) == 'tensor([100.], requires_grad=True)'
    assert printed(capsys, x.grad) == 'tensor([2.])'


# --------------------------------------------------------------------- seed 004

DTYPE_TABLE = [
    # dtype, aliases, legacy type, bytes
    ('float32', ['float'], 'FloatTensor', 4),
    ('float64', ['double'], 'DoubleTensor', 8),
    ('float16', ['half'], 'HalfTensor', 2),
    ('uint8', [], 'ByteTensor', 1),
    ('int8', [], 'CharTensor', 1),
    ('int16', ['short'], 'ShortTensor', 2),
    ('int32', ['int'], 'IntTensor', 4),
    ('int64', ['long'], 'LongTensor', 8),
]


@pytest.mark.parametrize('name,aliases,legacy,size', DTYPE_TABLE)
def test_004_dtype_table(capsys, name, aliases, legacy, size):
    dt = getattr(torch, name)
    for alias in aliases:
        assert getattr(torch, alias) is dt
    assert printed(capsys, dt) == f'ember.{name}'
    t = torch.zeros(2, dtype=dt)
    assert t.type() == f'ember.{legacy}'
    assert t.element_size() == size and dt.itemsize == size
    cls = getattr(torch, legacy)
    assert isinstance(t, cls)
    made = cls([1, 2])
    assert made.dtype is dt and made.tolist() == [1, 2]
    assert cls(2, 3).shape == (2, 3) and cls(2, 3).dtype is dt
    # the same facts real PyTorch reports
    rt = real_torch.zeros(2, dtype=getattr(real_torch, name))
    assert rt.type().replace('torch.', 'ember.') == t.type() and rt.element_size() == size


def test_004_creation(capsys):
    x = torch.Tensor(5, 3)
    assert x.shape == (5, 3) and x.dtype == torch.float32
    x = torch.rand(5, 3)
    assert x.shape == (5, 3)
    x = torch.randn(4, 4)
    assert x.shape == (4, 4)
    x = torch.Tensor([1, 2])
    assert printed(capsys, x) == 'tensor([1., 2.])'
    a = np.ones(5)
    b = torch.from_numpy(a)
    assert printed(capsys, b) == 'tensor([1., 1., 1., 1., 1.], dtype=ember.float64)'
    assert printed(capsys, torch.rand(5, 3).size()) == 'ember.Size([5, 3])'
    assert tuple(torch.rand(5, 3).size()) == (5, 3)


def test_004_arithmetic(capsys):
    x = torch.rand(5, 3)
    y = torch.rand(5, 3)
    xn, yn = x.numpy().copy(), y.numpy().copy()
    np.testing.assert_allclose((x + y).numpy(), xn + yn)
    np.testing.assert_allclose(torch.add(x, y).numpy(), xn + yn)
    result = torch.rand(5, 3)
    ptr = result.data_ptr()
    ret = torch.add(x, y, out=result)
    assert ret is result and result.data_ptr() == ptr
    np.testing.assert_allclose(result.numpy(), xn + yn)
    r = y.add_(x)
    assert r is y
    np.testing.assert_allclose(y.numpy(), xn + yn)
    np.testing.assert_allclose(x.numpy(), xn)
    m = x.mean()
    assert m.shape == () and m.dtype == torch.float32
    np.testing.assert_allclose(m.item(), xn.mean(), rtol=1e-6)
    nrm = x.norm()
    np.testing.assert_allclose(nrm.item(), np.sqrt((xn.astype(np.float64) ** 2).sum()), rtol=1e-6)
    assert printed(capsys, torch.ones(2, 2).mean()) == 'tensor(1.)'
    assert printed(capsys, torch.ones(2, 2).norm()) == 'tensor(2.)'


def test_004_gradient_of_linear_expression(capsys):
    x = Variable(torch.Tensor([2]), requires_grad=True)
    y = Variable(torch.Tensor([3]), requires_grad=True)
    z = 2 * x + 3 * y + 4
    z.backward()
    assert printed(capsys, x.grad.data) == 'tensor([2.])'
    assert printed(capsys, y.grad.data) == 'tensor([3.])'
    assert printed(capsys, z) == 'tensor([17.], grad_fn=<AddBackward0>)'


def test_004_mean_of_squares(capsys):
    x = Variable(torch.ones(2, 2), requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    out.backward()
    assert printed(capsys, x.grad) == 'tensor([[4.5000, 4.5000],\n        [4.5000, 4.5000]])'


def test_004_passing_gradients(capsys):
    x = Variable(torch.Tensor([2, 1]), requires_grad=True)
    y = x + 2
    gradients = torch.FloatTensor([0.01, 0.1])
    y.backward(gradients)
    assert printed(capsys, x.grad.data) == 'tensor([0.0100, 0.1000])'


def test_004_variable_default_does_not_require_grad():
    v = Variable(torch.Tensor([2]))
    assert not v.requires_grad
    with pytest.raises(RuntimeError, match='does not require grad'):
        (v * 2).sum().backward()


def test_004_type_conversion_by_name():
    t = torch.tensor([1.5, 2.5])
    assert t.type('ember.LongTensor').dtype is torch.int64
    assert t.type(torch.float64).tolist() == [1.5, 2.5]
    assert t.type('ember.IntTensor').tolist() == [1, 2]


def test_004_type_conversion_by_legacy_class():
    t = torch.tensor([1.5, 2.5])
    r = t.type(torch.LongTensor)
    assert r.dtype is torch.int64 and r.tolist() == [1, 2]
    assert real_torch.tensor([1.5, 2.5]).type(real_torch.LongTensor).tolist() == [1, 2]
