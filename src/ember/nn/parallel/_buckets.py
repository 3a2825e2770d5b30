"""The pieces of DistributedDataParallel's reducer that need no state: flat gradient
buckets, bucket assignment, coalesced broadcast and the search for parameters reachable
from a forward's outputs."""
from ...autograd.grad_mode import no_grad as _no_grad  # noqa: F401  (used by distributed.py)


def _xp(arr):
    from ..._tensor import xp_of
    return xp_of(arr)


def _flat_tensor(arr):
    from ..._tensor import Tensor
    return Tensor._make(arr)


def _broadcast_coalesced(dist, tensors, src=0, group=None):
    """Broadcast ``tensors`` from ``src`` in place, one collective per dtype."""
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    kw = {} if group is None else {'group': group}
    for dt, ts in by_dtype.items():
        xp = _xp(ts[0]._data)
        flat = xp.concatenate([t._data.reshape(-1) for t in ts]) if ts else xp.empty(0, dt)
        dist.broadcast(_flat_tensor(flat), src, **kw)
        start = 0
        for t in ts:
            n = t._data.size
            t._data[...] = flat[start:start + n].reshape(t._data.shape)
            t._vc[0] += 1
            start += n


class _Bucket:
    """A flat buffer holding the gradients of some parameters of one dtype."""

    def __init__(self, index, params, positions):
        self.index = index
        self.params = params              # Parameters in bucket order
        self.positions = positions        # their indices in the reducer's parameter list
        first = params[0]._data
        self.offsets = []
        n = 0
        for p in params:
            self.offsets.append(n)
            n += p._data.size
        self.buffer = _xp(first).zeros(n, first.dtype)
        self.pending = len(params)
        self.work = None

    def slot(self, k):
        p = self.params[k]
        return self.buffer[self.offsets[k]:self.offsets[k] + p._data.size]


def _assign_buckets(params, first_cap, cap, order=None):
    """Bucket lists of parameter indices, split per dtype and by byte caps; ``order`` is the
    order in which gradients are expected (default: reverse registration order)."""
    buckets, open_ = [], {}
    for i in (reversed(range(len(params))) if order is None else order):
        dt = params[i]._data.dtype
        cur = open_.setdefault(dt, [[], 0])
        cur[0].append(i)
        cur[1] += params[i]._data.nbytes
        limit = first_cap if not buckets else cap
        if cur[1] >= limit:
            buckets.append(cur[0])
            del open_[dt]
    buckets.extend(c[0] for c in open_.values() if c[0])
    return buckets


def _output_tensors(obj, out):
    from ..._tensor import Tensor
    if isinstance(obj, Tensor):
        out.append(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _output_tensors(o, out)
    elif isinstance(obj, dict):
        for o in obj.values():
            _output_tensors(o, out)
    return out


def _reachable_leaves(outputs):
    """ids of the leaf tensors whose AccumulateGrad node is reachable from ``outputs``."""
    seen, leaves = set(), set()
    stack = [t.grad_fn for t in outputs if t.grad_fn is not None]
    for t in outputs:
        if t.grad_fn is None and t.requires_grad:
            leaves.add(id(t))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        var = getattr(node, 'variable', None)
        if var is not None:
            leaves.add(id(var))
        for nxt, _ in node._next:
            if nxt is not None and nxt not in seen:
                stack.append(nxt)
    return leaves
