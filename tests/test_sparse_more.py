"""Sparse COO operands in the function forms ember.add/sub/mul/div (and true_divide), the dense
in-place add_/sub_ with a sparse other, and the sparse in-place add_/sub_/mul_/div_/zero_:
values, layout, coalesced flag, dtype, grad_fn, gradients, versions and errors against torch."""
import warnings

import pytest

from compare import assert_script_same

warnings.filterwarnings('ignore', 'Sparse invariant')

PRE = """
import warnings; warnings.filterwarnings('ignore')
i = T.tensor([[0, 1, 1], [2, 0, 2]]); v = T.tensor([3., 4., 5.])
def S(req=False, vals=None, size=(2, 3)):
    return T.sparse_coo_tensor(i, v if vals is None else vals, size, requires_grad=req)
s = S(); d = T.arange(6.).reshape(2, 3)
s2 = T.sparse_coo_tensor(T.tensor([[0, 1], [2, 1]]), T.tensor([1., 2.]), (2, 3))
def rl(x):
    return [rl(y) for y in x] if isinstance(x, list) else round(x, 5)
def show(r):
    gf = r.grad_fn.name() if r.grad_fn is not None else None
    if r.is_sparse:
        print(r.layout, r.shape, r.dtype, rl(r.to_dense().tolist()), r.is_coalesced(), gf)
    else:
        print(r.layout, r.shape, r.dtype, rl(r.tolist()), gf)
def err(f):
    try:
        f()
    except Exception as e:
        print(type(e).__name__, str(e).split('. This could')[0].split('\\n')[0])
def grads(f, *xs):
    r = f()
    (r.to_dense() if r.is_sparse else r).pow(2).sum().backward()
    for x in xs:
        g = x.grad
        print(g.layout, rl((g.to_dense() if g.is_sparse else g).tolist()))
"""

SCRIPTS = {
    'functions': """
show(T.add(s, s2)); show(T.add(s, s2, alpha=2)); show(T.add(s, s2, alpha=0.5)); show(T.sub(s, s2))
show(T.sub(s, s2, alpha=3)); show(T.add(d, s)); show(T.add(d, s, alpha=2)); show(T.sub(d, s, alpha=2))
show(T.mul(s, s2)); show(T.mul(s, 2)); show(T.mul(2, s)); show(T.mul(s, d)); show(T.mul(d, s))
show(T.mul(s, T.tensor(3.))); show(T.div(s, 2)); show(T.div(s, T.tensor(4.))); show(T.true_divide(s, 2))
show(T.div(s, 2, rounding_mode='floor')); show(T.div(s, 2, rounding_mode='trunc'))
show(T.add(s, s.double())); show(T.mul(s.int(), 2)); show(T.add(s.coalesce(), s2.coalesce()))
show(T.add(T.sparse_coo_tensor(T.zeros(2, 0, dtype=T.long), T.zeros(0), (2, 3)), s))
show(T.sparse_coo_tensor(T.tensor([[0], [1]]), T.ones(1), (2, 3))); show(T.sparse_coo_tensor(T.zeros(2, 0, dtype=T.long), T.zeros(0), (2, 3)))
show(T.sparse_coo_tensor(T.tensor([[0], [1]]), T.ones(1), (2, 3), is_coalesced=False))
""",
    'function-grads': """
a = S(True); b = T.sparse_coo_tensor(T.tensor([[0, 1], [2, 1]]), T.tensor([1., 2.]), (2, 3), requires_grad=True)
show(T.add(a, b)); show(T.sub(a, b, alpha=2)); show(T.mul(a, b)); show(T.div(a, 2)); show(T.mul(3, a))
grads(lambda: T.add(a, b, alpha=2), a, b)
a.grad = b.grad = None; grads(lambda: T.sub(a, b), a, b)
a.grad = b.grad = None; grads(lambda: T.mul(a, b), a, b)
a.grad = None; grads(lambda: T.div(a, 4), a)
x = T.ones(2, 3, requires_grad=True); a.grad = None; grads(lambda: T.add(x, a, alpha=3), x, a)
x.grad = None; a.grad = None; grads(lambda: T.mul(x, a), x, a)
""",
    'inplace-sparse': """
for f in (lambda t: t.add_(s2), lambda t: t.add_(s2, alpha=2), lambda t: t.sub_(s2), lambda t: t.sub_(s2, alpha=3),
          lambda t: t.mul_(2), lambda t: t.mul_(s2), lambda t: t.mul_(T.tensor(2.)), lambda t: t.div_(2),
          lambda t: t.zero_(), lambda t: t.add_(s2.double())):
    t = s.clone(); v0 = t._version; r = f(t); print(r is t, t._version - v0); show(t)
t = S().coalesce(); t.zero_(); show(t); print(t.indices().shape, t.values().shape)
a = S(True); b = s2.clone().requires_grad_()
r = a.clone(); r.add_(b); show(r); r.sub_(b, alpha=2); show(r); r.mul_(3); show(r); r.div_(2); show(r)
(r.to_dense() ** 2).sum().backward(); print(rl(a.grad.to_dense().tolist()), rl(b.grad.to_dense().tolist()))
a.grad = None; r = a.clone().zero_(); show(r); r.to_dense().sum().backward(); print(a.grad)
""",
    'inplace-dense': """
x = d.clone(); x.add_(s); show(x); x.sub_(s, alpha=3); show(x); print(x._version)
a = S(True); y = T.zeros(2, 3, requires_grad=True) * 1; y.add_(a); show(y); y.sub_(a, alpha=2); show(y)
y.pow(2).sum().backward(); print(rl(a.grad.to_dense().tolist()))
""",
    'errors': """
err(lambda: T.add(s, d)); err(lambda: T.add(s, 1)); err(lambda: T.sub(s, d)); err(lambda: s.clone().add_(d))
err(lambda: T.add(s, S(size=(3, 3)))); err(lambda: T.mul(s, S(size=(3, 3)))); err(lambda: T.div(s, s2))
err(lambda: T.div(2, s)); err(lambda: T.div(d, s))
err(lambda: S(True).add_(s2)); err(lambda: S(True).mul_(2)); err(lambda: S(True).zero_())
t = S(vals=T.tensor([1, 2, 3])); err(lambda: t.add_(s2)); print(t.dtype, t._version, rl(t.to_dense().tolist()))
t = S(vals=T.tensor([1, 2, 3])); err(lambda: t.mul_(1.5)); print(t.dtype, t._version, rl(t.to_dense().tolist()))
t = s.clone(); err(lambda: t.add_(S(size=(3, 3)))); print(t._version, rl(t.to_dense().tolist()))
err(lambda: T.add(T.ones(2, dtype=T.bool), T.ones(2, dtype=T.bool), alpha=2.5))
""",
}


@pytest.mark.parametrize('name', sorted(SCRIPTS))
def test_sparse_functions_match_torch(name):
    assert_script_same(PRE + SCRIPTS[name])
