"""How PyTorch adds two sparse COO tensors when one is not coalesced: one pass over both entry
lists, as a merge of sorted lists (the smaller index first; equal indices give one entry, their
sum), whatever order the entries are in. The result keeps duplicates and is not coalesced."""
from .._tensor import xp_of
from ._autograd import linear_keys


def merge_plan(a, b):
    """A plan for ``._coo.apply_plan`` over the values of a then b: (result indices, order, segment
    of each ordered entry, number of result entries)."""
    xp = xp_of(a._i)
    nsd = a._i.shape[0]
    ka, kb = linear_keys(a._i, a._size[:nsd]), linear_keys(b._i, a._size[:nsd])
    n, m = ka.shape[0], kb.shape[0]
    sorted_in = bool((ka[1:] >= ka[:-1]).all()) and bool((kb[1:] >= kb[:-1]).all())
    pos_a, pos_b = (_sorted_merge if sorted_in else _loop_merge)(xp, ka, kb)
    total = int(max(pos_a.max() if n else -1, pos_b.max() if m else -1)) + 1
    seg = xp.concatenate([pos_a, pos_b])
    order = xp.argsort(seg, kind='stable')
    seg = seg[order]
    idx = xp.empty((nsd, total), dtype=a._i.dtype)
    idx[:, pos_b] = b._i
    idx[:, pos_a] = a._i
    return idx, order, seg, total


def _sorted_merge(xp, ka, kb):
    """Both lists sorted: the k-th entry of a run of equal indices in a meets the k-th of b's run."""
    ra, rb = _rank_in_run(xp, ka), _rank_in_run(xp, kb)
    keys = xp.concatenate([ka, kb])
    ranks = xp.concatenate([ra, rb])
    order = xp.lexsort((ranks, keys))
    sk, sr = keys[order], ranks[order]
    new = xp.ones(sk.shape[0], dtype=bool)
    new[1:] = (sk[1:] != sk[:-1]) | (sr[1:] != sr[:-1])
    pos = xp.empty_like(order)
    pos[order] = xp.cumsum(new) - 1
    return pos[:ka.shape[0]], pos[ka.shape[0]:]


def _rank_in_run(xp, k):
    """For sorted keys: each entry's position among the entries with its key."""
    return xp.arange(k.shape[0]) - xp.searchsorted(k, k, side='left')


def _loop_merge(xp, ka, kb):
    """The merge step by step (entries out of order: no shortcut)."""
    la, lb = ka.tolist(), kb.tolist()
    pa, pb = [0] * len(la), [0] * len(lb)
    i = j = r = 0
    while i < len(la) or j < len(lb):
        if j >= len(lb) or (i < len(la) and la[i] < lb[j]):
            pa[i] = r
            i += 1
        elif i >= len(la) or lb[j] < la[i]:
            pb[j] = r
            j += 1
        else:
            pa[i] = pb[j] = r
            i += 1
            j += 1
        r += 1
    return xp.asarray(pa, dtype='int64'), xp.asarray(pb, dtype='int64')
