"""Sparse COO tensors (ember.sparse) against torch: printing, math, autograd, errors, optimizers."""
import warnings

import pytest
import torch

import ember
import ember.sparse
from compare import assert_script_same

warnings.filterwarnings('ignore', 'Sparse invariant')

PRE = """
i = T.tensor([[0, 1, 1], [2, 0, 2]]); v = T.tensor([3., 4., 5.])
def S(req=False, vals=None):
    return T.sparse_coo_tensor(i, v if vals is None else vals, (2, 3), requires_grad=req)
s = S()
s2 = T.sparse_coo_tensor(T.tensor([[0, 1], [2, 1]]), T.tensor([1., 2.]), (2, 3))
u = T.sparse_coo_tensor(T.tensor([[1, 0, 1], [0, 1, 0]]), T.tensor([1., 2., 3.]), (2, 2))
def rl(x):
    return [rl(y) for y in x] if isinstance(x, list) else round(x, 5)
def show(r):
    if r.is_sparse:
        print(r.layout, r.shape, r.dtype, rl(r.to_dense().tolist()), r.is_coalesced())
    else:
        print(r.layout, r.shape, r.dtype, rl(r.tolist()))
def err(f):
    try:
        f()
    except Exception as e:
        print(type(e).__name__, str(e).split('. This could')[0].split('\\n')[0])
"""

SCRIPTS = {
    'print': """
print(s); print(s.coalesce()); print(T.sparse_coo_tensor(i, v.double(), (2, 3)))
print(T.sparse_coo_tensor(i, T.tensor([1, 2, 3]), (2, 3)))
print(T.sparse_coo_tensor(T.zeros(2, 0, dtype=T.long), T.zeros(0), (2, 3)))
print(S(True)); print(T.sparse_coo_tensor(i, v.clone().requires_grad_(), (2, 3)))
print(T.tensor([[0., 1.], [2., 0.]]).to_sparse(1))
print(T.sparse_coo_tensor(T.tensor([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]), T.arange(10.) * 1000.5, (10,)))
print(T.sparse_coo_tensor(T.tensor([[0, 1], [1, 0]]), T.tensor([[1., 2.], [3., 4.]]), (2, 2, 2)))
print(s.t()); print(s * 2); print(u.coalesce())
""",
    'meta': """
print(type(s).__name__, isinstance(s, T.Tensor), s.layout, s.is_sparse, T.ones(1).is_sparse)
print(s.shape, s.size(), s.size(1), s.dim(), s.ndim, s.numel(), s.dtype, s.device, s._nnz())
print(s.sparse_dim(), s.dense_dim(), s.is_coalesced(), s.coalesce().is_coalesced())
print(s._indices().tolist(), s._values().tolist(), s.coalesce().indices().tolist(), s.coalesce().values().tolist())
print(T.sparse_coo_tensor(i, v).shape, T.sparse_coo_tensor(i, v, (2, 3), is_coalesced=True).is_coalesced())
print(T.sparse_coo_tensor([[0, 1], [1, 0]], [1, 2], [2, 2]).dtype)
print(T.sparse_coo_tensor(i, v, (2, 3), dtype=T.float64).dtype, s.double().dtype, s.to(T.int64).dtype)
print(s.float().dtype, s.clone().is_coalesced(), s.detach().requires_grad, s.cpu().device)
print(S(True).requires_grad, S(True).is_leaf, S().requires_grad_().requires_grad)
x = T.tensor([[0., 1.], [2., 0.]]); show(x.to_sparse()); show(x.to_sparse(1)); show(x.to_sparse_coo())
print(x.to_sparse().is_coalesced(), s.to_sparse() is s)
show(u.coalesce()); show(s.t()); show(s.transpose(0, 1)); print(s.t().is_coalesced())
""",
    'math': """
d = T.arange(6.).reshape(2, 3)
for f in [lambda: s + s2, lambda: s - s2, lambda: s * 2, lambda: 2 * s, lambda: s / 2, lambda: s * s2,
          lambda: s.coalesce() + s2.coalesce(), lambda: s.coalesce() * s2.coalesce(), lambda: d + s,
          lambda: d - s, lambda: s * d, lambda: d * s, lambda: s.sum(), lambda: T.sparse.sum(s),
          lambda: T.sparse.sum(s, 0), lambda: T.sparse.sum(s, 1), lambda: T.sparse.sum(s, (0, 1)),
          lambda: s.sum(0), lambda: s.pow(2), lambda: s ** 2, lambda: s.abs(), lambda: -s, lambda: s.neg(),
          lambda: T.sparse.softmax(s, 1), lambda: T.sparse.log_softmax(s, 0), lambda: T.sparse.softmax(s, 0),
          lambda: T.sparse.mm(s, T.ones(3, 2)), lambda: T.mm(s, T.ones(3, 2)), lambda: s @ T.ones(3, 2),
          lambda: T.matmul(s, T.ones(3, 2)), lambda: T.spmm(s, T.ones(3, 2)), lambda: T.mv(s, T.ones(3)),
          lambda: T.matmul(s, T.ones(3)), lambda: T.ones(4, 2) @ s, lambda: T.mm(T.ones(4, 2), s),
          lambda: T.sparse.addmm(T.ones(2, 2), s, T.ones(3, 2), beta=0.5, alpha=2), lambda: s @ s2.t(),
          lambda: T.sparse.mm(s, s2.t()), lambda: s.to_dense(), lambda: u.to_dense(), lambda: s.sum(dtype=T.float64),
          lambda: T.sparse.sum(T.sparse_coo_tensor(T.tensor([[0, 1]]), T.tensor([[1., 2.], [3., 4.]]), (2, 2)), 0)]:
    r = f(); show(r)
""",
    'errors': """
err(lambda: s.exp()); err(lambda: s + T.ones(2, 3)); err(lambda: s + 1); err(lambda: s.indices())
err(lambda: s.values()); err(lambda: T.sparse.mm(s, T.ones(4, 2))); err(lambda: T.mm(s, T.ones(4, 2)))
err(lambda: s.numpy()); err(lambda: s.reshape(3, 2)); err(lambda: s.view(3, 2))
err(lambda: s + T.sparse_coo_tensor(i, v, (3, 3))); err(lambda: 2 / s)
err(lambda: T.sparse_coo_tensor(i, v[:2], (2, 3))); err(lambda: T.sparse_coo_tensor(i, v, (1, 3), check_invariants=True))
err(lambda: T.sparse_coo_tensor(i, v, (2, 3, 1))); err(lambda: s.tolist()); err(lambda: T.exp(s))
""",
    'autograd': """
d = T.tensor([[1., -2.], [0.5, 3.], [2., 1.]], requires_grad=True)
a = S(True); r = T.sparse.mm(a, d); print(r.grad_fn.name()); r.sum().backward(); print(a.grad, d.grad)
a = S(True); a.to_dense().sum().backward(); print(a.grad)
a = S(True); (a.to_dense() * T.arange(6.).view(2, 3)).sum().backward(); print(a.grad)
a = S(True); d.grad = None; r = T.mm(a, d); print(r.grad_fn.name()); r.sum().backward(); print(a.grad, d.grad)
vr = v.clone().requires_grad_(); a = T.sparse_coo_tensor(i, vr, (2, 3)); T.sparse.mm(a, d).sum().backward(); print(vr.grad)
vr = v.clone().requires_grad_(); a = T.sparse_coo_tensor(i, vr, (2, 3)); a.to_dense().pow(2).sum().backward(); print(vr.grad)
names = []
for f in [lambda a: a + a, lambda a: a * 2, lambda a: a / 2, lambda a: -a, lambda a: a.pow(2), lambda a: a.abs(),
          lambda a: a - a * 2, lambda a: a * a, lambda a: a.coalesce(), lambda a: a.t(), lambda a: a.sum(),
          lambda a: T.sparse.sum(a), lambda a: T.sparse.sum(a, 0), lambda a: T.sparse.log_softmax(a, 1),
          lambda a: T.ones(2, 3) + a, lambda a: T.ones(2, 3) - a, lambda a: T.arange(6.).view(2, 3) * a,
          lambda a: a.to_dense(), lambda a: a.double(), lambda a: a.clone(), lambda a: a.coalesce().values(),
          lambda a: T.sparse.addmm(T.ones(2, 2), a, T.ones(3, 2)), lambda a: T.matmul(a, T.ones(3, 2)),
          lambda a: T.mv(a, T.ones(3)), lambda a: T.sparse.mm(a, T.ones(3, 2)), lambda a: a.transpose(0, 1)]:
    a = S(True); out = f(a); print(out.grad_fn.name(), out.requires_grad, out.layout)
    (out.to_dense() if out.is_sparse else out).pow(2).sum().backward()
    print('  ', a.grad.layout, rl(a.grad.to_dense().tolist()))
dd = T.ones(2, 3, requires_grad=True); (dd + S()).sum().backward(); print(dd.grad)
dd = T.ones(2, 3, requires_grad=True); T.sparse.sum(dd * S()).backward(); print(dd.grad)
x = T.tensor([[0., 1.], [2., 0.]], requires_grad=True); y = x.to_sparse(); print(y.grad_fn.name()); y.to_dense().sum().backward(); print(x.grad)
x = T.tensor([[0., 1.], [2., 0.]], requires_grad=True); print(x.to_sparse(1).grad_fn.name())
a = S(True); r = T.sparse.mm(a, d); r.sum().backward(); r2 = T.sparse.mm(a, d); r2.sum().backward(); print(a.grad.to_dense())
""",
    'embedding': """
T.manual_seed(0)
e = T.nn.Embedding(5, 3, sparse=True); print(e)
with T.no_grad(): e.weight.copy_(T.arange(15.).reshape(5, 3))
out = e(T.tensor([[0, 2], [2, 4]])); print(out.grad_fn.name()); out.sum().backward(); print(e.weight.grad)
out = e(T.tensor([1])); out.sum().backward(); print(e.weight.grad)
for opt in [T.optim.SGD(e.parameters(), lr=0.1, momentum=0.9, nesterov=True), T.optim.SGD(e.parameters(), lr=0.1),
            T.optim.SparseAdam(e.parameters(), lr=0.1)]:
    for k in range(3):
        opt.zero_grad()
        out = e(T.tensor([[0, 2], [2, 4], [k, 1]])); (out * out).sum().backward(); opt.step()
    print(e.weight)
print(sorted(opt.state[e.weight].keys()), opt.state[e.weight]['step'])
err(lambda: T.optim.Adam(e.parameters()).step()); err(lambda: T.optim.AdamW(e.parameters()).step())
err(lambda: T.optim.SGD(e.parameters(), lr=0.1, weight_decay=0.1).step())
e2 = T.nn.Embedding(5, 3, sparse=True, padding_idx=0); e2(T.tensor([0, 1, 1])).sum().backward(); print(e2.weight.grad)
w = T.ones(3, 2, requires_grad=True); T.nn.functional.embedding(T.tensor([1, 1]), w, sparse=True).sum().backward(); print(w.grad)
""",
}


@pytest.mark.cpu_only
@pytest.mark.parametrize('name', sorted(SCRIPTS))
def test_sparse_script(name):
    assert_script_same(PRE + SCRIPTS[name], min_lines=3)


def _gradcheck_values(fn, *dense):
    """gradcheck (float64) of fn(values, *dense) through to_dense, against finite differences."""
    idx = ember.tensor([[0, 1, 1, 0], [2, 0, 2, 2]])
    v = ember.tensor([3., -4., 5., 1.5], dtype=ember.float64, requires_grad=True)

    def f(vv, *ds):
        out = fn(ember.sparse_coo_tensor(idx, vv, (2, 3)), *ds)
        return out.to_dense() if out.is_sparse else out
    assert ember.autograd.gradcheck(f, (v,) + dense)


@pytest.mark.parametrize('fn', [
    lambda s: s.to_dense(), lambda s: s.coalesce(), lambda s: s * 3, lambda s: s / 2, lambda s: -s,
    lambda s: s.pow(2), lambda s: s.abs(), lambda s: s + s * 2, lambda s: s * s, lambda s: s.t(),
    lambda s: ember.sparse.sum(s, 1), lambda s: ember.sparse.sum(s), lambda s: s.sum(),
    lambda s: ember.sparse.softmax(s, 1), lambda s: ember.sparse.log_softmax(s, 0),
    lambda s: s.coalesce().values(), lambda s: s.double(), lambda s: s @ s.t()])
def test_gradcheck_sparse(fn):
    _gradcheck_values(fn)


@pytest.mark.parametrize('fn', [lambda s, d: ember.sparse.mm(s, d), lambda s, d: ember.mm(s, d),
                                lambda s, d: s @ d, lambda s, d: ember.sparse.addmm(d[:2, :2], s, d),
                                lambda s, d: d.t() @ s.t(), lambda s, d: ember.mv(s, d[:, 0])])
def test_gradcheck_mm(fn):
    d = ember.tensor([[1., 2.], [-1., 0.5], [0.25, 3.]], dtype=ember.float64, requires_grad=True)
    _gradcheck_values(fn, d)


def test_sparse_accumulate_hooks_and_grad():
    s = ember.sparse_coo_tensor([[0, 1], [1, 0]], [1., 2.], (2, 2), requires_grad=True)
    seen = []
    s.register_hook(lambda g: seen.append(g.layout))
    d = ember.ones(2, 2, requires_grad=True)
    (g,) = ember.autograd.grad(ember.sparse.mm(s, d).sum(), [s])
    assert g.is_sparse and s.grad is None and g.to_dense().tolist() == [[0., 2.], [2., 0.]]
    ember.sparse.mm(s, d).sum().backward()
    assert seen[-1] == ember.sparse_coo and s.grad.to_dense().tolist() == [[0., 2.], [2., 0.]]


def test_failed_op_changes_nothing():
    s = ember.sparse_coo_tensor([[0, 1], [1, 0]], [1., 2.], (2, 2))
    with pytest.raises(RuntimeError):
        s + ember.ones(2, 2)
    with pytest.raises(RuntimeError, match=r"add\(sparse, dense\)"):
        s.add_(1)
    assert s._values().tolist() == [1., 2.] and s.to_dense().tolist() == [[0., 1.], [2., 0.]]
