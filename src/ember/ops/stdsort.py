"""libstdc++'s ``std::sort`` replayed in Python, for the few results of PyTorch's CPU kernels
that depend on where that unstable sort leaves equal elements or NaNs (which compare false
both ways, so they are neither moved past nor sorted like numbers). Used on small inputs only.

The algorithm: introsort (median-of-three pivot moved to the front, unguarded Hoare
partition, recursion on the right part) down to runs of 16, then insertion sort."""
from functools import cmp_to_key

_RUN = 16


def std_sort(v, less):
    """Sort list ``v`` in place exactly as ``std::sort(v.begin(), v.end(), less)`` would."""
    n = len(v)
    if n < 2:
        return v
    _introsort(v, 0, n, 2 * (n.bit_length() - 1), less)
    if n > _RUN:
        _insertion(v, 0, _RUN, less)
        for i in range(_RUN, n):
            _linear_insert(v, i, less)
    else:
        _insertion(v, 0, n, less)
    return v


def _insertion(v, first, last, less):
    for i in range(first + 1, last):
        val = v[i]
        if less(val, v[first]):
            v[first + 1:i + 1] = v[first:i]
            v[first] = val
        else:
            _linear_insert(v, i, less)


def _linear_insert(v, last, less):
    val, nxt = v[last], last - 1
    while nxt >= 0 and less(val, v[nxt]):
        v[last] = v[nxt]
        last, nxt = nxt, nxt - 1
    v[last] = val


def _median_to_first(v, result, a, b, c, less):
    if less(v[a], v[b]):
        s = b if less(v[b], v[c]) else c if less(v[a], v[c]) else a
    elif less(v[a], v[c]):
        s = a
    elif less(v[b], v[c]):
        s = c
    else:
        s = b
    v[result], v[s] = v[s], v[result]


def _partition(v, first, last, pivot, less):
    lo_bound, hi_bound = first, last
    while True:
        while first < hi_bound - 1 and less(v[first], v[pivot]):
            first += 1
        last -= 1
        while last > lo_bound and less(v[pivot], v[last]):
            last -= 1
        if not first < last:
            return first
        v[first], v[last] = v[last], v[first]
        first += 1


def _introsort(v, first, last, depth, less):
    while last - first > _RUN:
        if depth == 0:          # std::partial_sort's heap sort: any correct order (only for adversarial data)
            v[first:last] = sorted(v[first:last], key=cmp_to_key(
                lambda p, q: -1 if less(p, q) else 1 if less(q, p) else 0))
            return
        depth -= 1
        _median_to_first(v, first, first + 1, first + (last - first) // 2, last - 1, less)
        cut = _partition(v, first + 1, last, first, less)
        _introsort(v, cut, last, depth, less)
        last = cut


def _first_less(p, q):
    return p[0] < q[0]


def mode_index(values):
    """The position PyTorch's CPU mode reports for a list of numbers: its (value, position) pairs are
    std::sort-ed by value, then the first longest run of equal values wins, at its last pair."""
    pairs = std_sort([(x, i) for i, x in enumerate(values)], _first_less)
    best = run = 0
    pick = 0
    for i, (x, pos) in enumerate(pairs):
        run += 1
        if i == len(pairs) - 1 or x != pairs[i + 1][0]:
            if run > best:
                best, pick = run, pos
            run = 0
    return pick
