"""Autograd plumbing for sparse COO tensors.

A sparse op records a :class:`SparseNode` whose edges lead to its inputs (sparse or dense), as
dense ops do. Most sparse ops compute their result's values (or a dense result) as a function of
dense tensors only (the inputs' values, dense operands); their node keeps that function and
differentiates it with ember's own autograd, so one definition gives forward and backward.

Leaves that receive sparse gradients (a sparse leaf, or a dense weight of a sparse embedding) keep
their ordinary AccumulateGrad; the engine hands sparse gradients to :func:`accumulate_sparse`.
"""
import re
import sys

from .._tensor import Tensor as _Dense, xp_of
from ..autograd import grad_mode
from ..autograd.node import Node
from ..autograd.ready_queue import next_seq
from ..ops._op import edge, requires_grad as _needs_grad



class SparseNode(Node):
    """grad_fn of a sparse op. Subclasses (one per PyTorch node name) implement ``backward``."""

    def backward(self, *grads):
        raise NotImplementedError(f'{self.name()} has no backward')


class ValuesFnNode(SparseNode):
    """Node whose output (dense result, or the values of a sparse result with COO indices
    ``out_i``) is ``fn(*args)`` of dense tensors ``args``; ``wrap[k]`` turns the gradient of
    ``args[k]`` into the gradient of input k (e.g. into a sparse tensor of that input's pattern)."""

    def backward(self, g):
        from ..autograd import grad as _grad
        gv = g if self.out_i is None else mask_values(g, self.out_i, self.out_size)
        if gv is None:
            return (None,) * len(self._next)
        wanted = [n is not None for n, _ in self._next]
        create = grad_mode.is_grad_enabled()
        with grad_mode.enable_grad():
            leaves = [a.detach().requires_grad_() if w else a.detach() for a, w in zip(self.args, wanted)]
            out = self.fn(*leaves)
            targets = [x for x, w in zip(leaves, wanted) if w]
            got = iter(_grad(out, targets, gv.to(out.dtype), create_graph=create, allow_unused=True))
        result = []
        for w, wrap, leaf in zip(wanted, self.wrap, leaves):
            gk = next(got) if w else None
            if gk is None and w:
                gk = leaf.detach() * 0
            result.append(None if gk is None else (wrap(gk) if wrap is not None else gk))
        return tuple(result)


_NODES = {}


def node_class(name, base=ValuesFnNode):
    """The node class named ``name`` (the grad_fn name users see)."""
    cls = _NODES.get((name, base))
    if cls is None:
        cls = _NODES[(name, base)] = type(name, (base,), {'__module__': __name__})
    return cls


def record(cls, inputs, out, **attrs):
    """Attach a ``cls`` node to ``out`` when grad mode is on and an input requires grad."""
    if not grad_mode.is_grad_enabled() or not any(_needs_grad(x) for x in inputs):
        return out
    if not (out.dtype.is_floating_point or out.dtype.is_complex):
        return out
    node = object.__new__(cls)
    node.__dict__.update(attrs)
    node._saved = ()                     # released after backward: a second backward raises
    node._next = tuple(sparse_edge(x) if isinstance(x, _Dense) else edge(x) for x in inputs)
    node._seq = next_seq()
    out._grad_fn = node
    out._output_nr = 0
    return out


def values_fn(name, inputs, out, fn, args, wrap, out_i=None, out_size=None):
    """Record a :class:`ValuesFnNode` named ``name`` on ``out`` (see its docstring)."""
    return record(node_class(name), inputs, out, fn=fn, args=args, wrap=wrap, out_i=out_i,
                  out_size=out_size)


# ------------------------------------------------------------------ COO index helpers

def linear_keys(i, sparse_shape):
    """Row-major linear position of each COO index column (int64 array of length nnz)."""
    xp = xp_of(i)
    keys = xp.zeros(i.shape[1], dtype='int64')
    for d, n in enumerate(sparse_shape):
        keys = keys * n + i[d]
    return keys


def mask_values(g, i, size):
    """The entries of ``g`` (dense or sparse, shape ``size``) at COO indices ``i``: a dense
    tensor of shape (nnz, *dense dims)."""
    nsd = i.shape[0]
    dense = tuple(size[nsd:])
    if not g.is_sparse:
        keys = _Dense._make(linear_keys(i, size[:nsd]))
        return g.reshape((-1,) + dense)[keys]
    xp = xp_of(i)
    gk = linear_keys(g._i, size[:nsd])
    k = linear_keys(i, size[:nsd])
    gv = g._v
    if gk.shape[0] == 0 or k.shape[0] == 0:
        from ..ops.creation import zeros
        return zeros((k.shape[0],) + dense, dtype=gv.dtype, device=gv.device)
    if not g._coal:
        g = g.coalesce()
        gk, gv = linear_keys(g._i, size[:nsd]), g._v
    order = xp.argsort(gk, kind='stable')
    sk = gk[order]
    pos = xp.clip(xp.searchsorted(sk, k), 0, sk.shape[0] - 1)
    found = (sk[pos] == k).astype(gv._data.dtype)
    picked = gv[_Dense._make(order[pos])]
    return picked * _Dense._make(found.reshape((-1,) + (1,) * len(dense)))


# ------------------------------------------------------------------ accumulating sparse grads

def accumulate_sparse(var, g, create_graph):
    """Add gradient ``g`` into leaf ``var``'s ``.grad`` when either is sparse (the engine's
    AccumulateGrad calls this; hooks are run by the engine around it)."""
    if g.dtype != var.dtype:
        g = g.to(var.dtype)
    if not create_graph:
        g = g.detach()
    cur = var._grad
    if cur is None:
        var._grad = g if g.is_sparse or create_graph else g.clone()
    elif cur.is_sparse and g.is_sparse:
        from ._math import concat_add
        var._grad = concat_add(cur, g)
    else:
        var._grad = (cur + g) if not cur.is_sparse else (g + cur)


# Leaves keep their ordinary accumulator; inputs' edges are the dense ones.
sparse_edge = edge


# ------------------------------------------------------------------ dense-only ops on sparse tensors

_CAMEL = re.compile(r'(?<!^)(?=[A-Z])')
_COMPARE = frozenset(('eq', 'ne', 'lt', 'le', 'gt', 'ge'))
# ember's helper (or op) names that a dense-only op reaches first -> the aten op PyTorch names
_HELPERS = frozenset(('refuse_complex', 'check_inplace', 'fit_number', 'no_complex'))
_ATEN = {'fill_': 'fill_.Scalar', 'mean': 'mean.dim'}


def unsupported(t, depth=2):
    """PyTorch's error for a dense-only op reached with a sparse tensor (op named from the caller)."""
    f = sys._getframe(depth)
    while f.f_back is not None and f.f_code.co_name in _HELPERS:
        f = f.f_back
    where = f.f_code.co_name
    cls = f.f_locals.get('cls') if where in ('apply', 'apply_inplace') else None
    if cls is not None:
        name = _CAMEL.sub('_', re.sub(r'Backward\d*$', '', cls.__name__)).lower()
        if where == 'apply_inplace':
            name += '_'
        if name.rstrip('_') in _COMPARE:     # PyTorch names the overload
            ins = f.f_locals.get('inputs') or ()
            other = f.f_locals.get('others', ()) if where == 'apply_inplace' else ins[1:]
            name += '.Tensor' if other and isinstance(other[0], _Dense) else '.Scalar'
    elif where == 'f' and isinstance(f.f_locals.get('name'), str):      # a generated function (max, min)
        name = f.f_locals['name'] + ('.dim' if f.f_locals.get('dim') is not None else '')
    else:
        name = where.strip('_') if where != 'fill_' else where
    name = _ATEN.get(name, name)
    backend = 'SparseCPU' if t._v.is_cpu else 'SparseCUDA'
    return NotImplementedError(
        f"Could not run 'aten::{name}' with arguments from the '{backend}' backend. This could be "
        "because the operator doesn't exist for this backend, or was omitted during the "
        'selective/custom build process (if using custom build).')
