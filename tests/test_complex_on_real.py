"""The complex-number API on real tensors (conj, real, imag, angle, is_conj, ...) and other small
Tensor facts (dim_order, nonzero_static, storage_type, is_set_to, as_subclass, the device flags,
the removed eig/symeig/solve/lstsq), compared with PyTorch by running one script both ways."""
import ember
from compare import assert_script_same

SCRIPT = '''
def tr(f):
    try: return f()
    except Exception as e: return f'{type(e).__name__}: {str(e).splitlines()[0]}'
x = T.tensor([-1.5, 0., 2.], requires_grad=True)
for name in ['conj', 'conj_physical', 'resolve_conj', 'resolve_neg']:
    r = tr(lambda: getattr(x, name)())
    print(name, r if isinstance(r, str) else (r is x, r._is_view(), r.grad_fn), getattr(T, name)(x) is x)
print('real', x.real is x, x.real._is_view(), x.real.grad_fn, tr(lambda: x.imag), T.real(x) is x, tr(lambda: T.imag(x)))
print('angle', T.angle(x), T.angle(T.tensor([-1, 0, 2])), T.angle(T.tensor([float('nan')])), x.angle().grad_fn.name())
a = T.angle(x); a.sum().backward(); print(x.grad)
print(x.is_conj(), x.is_neg(), T.is_conj(x), T.is_neg(x))
print(x.dim_order(), T.ones(2, 3, 4).permute(2, 0, 1).dim_order(), x.const_data_ptr() == x.data_ptr())
print(T.tensor([0, 1, 0, 2]).nonzero_static(size=4), T.tensor([0, 1, 0, 2]).nonzero_static(size=1, fill_value=-5))
print(T.nonzero_static(T.eye(2), size=3))
print(x.storage_type(), x.is_set_to(x), x.detach().is_set_to(x), x[1:].is_set_to(x), tr(lambda: x.as_subclass(T.Tensor)))
print([getattr(x, f) for f in ['is_mps', 'is_xpu', 'is_ipu', 'is_mtia', 'is_maia', 'is_xla', 'is_vulkan', 'is_mkldnn',
                               'is_nested', 'is_sparse_csr']])
print(tr(lambda: x.eig()), tr(lambda: x.symeig()), tr(lambda: x.solve(x)), tr(lambda: x.lstsq(x)))
print([tr(lambda: getattr(T, n)(T.eye(2), T.eye(2))) for n in ('solve', 'lstsq')])
print([tr(lambda: getattr(T, n)(T.eye(2))) for n in ('eig', 'symeig', 'matrix_rank')])
print(T.angle(T.tensor([-1.], dtype=T.float64)).dtype, T.angle(T.tensor([-1], dtype=T.int64)).dtype)
c = T.tensor([-2.]); print(c.conj_physical_() is c)
class MyT(T.Tensor): pass
m = T.ones(2).as_subclass(MyT); print(type(m).__name__, m._is_view())
'''


def test_script_prints_what_torch_prints():
    assert_script_same(SCRIPT, min_lines=10)


def test_angle_gradcheck():
    from helpers import run_gradcheck
    import numpy as np
    run_gradcheck(lambda x: ember.angle(x), [np.array([-1.5, 0.5, 2.0])], [True])
