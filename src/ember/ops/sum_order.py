"""float32/float64 sums on host arrays in the order of PyTorch's CPU sum kernel, so that results
match PyTorch to the bit.

PyTorch's cascade sum walks a reduction as a 2-D loop (the reduced dims first, by stride; adjacent
dims merged where memory allows). Its building blocks, reproduced here on whole NumPy arrays
(``lanes`` are the independent sums computed side by side):

- a *chain*: ``((0 + x0) + x1) + ...`` in index order;
- *multi-row sum* of S rows: chains over blocks of L rows (L = 2**max(4, ceil(log2 S) // 4)), whose
  results are chained in blocks of L again, two levels up; a last level takes all the rest. What
  is left at each level (fewer than L) is chained apart, and the four partial results are added
  lowest level first;
- *row sum* of n rows: the rows taken 4 at a time as the 4 lanes of a multi-row sum, the last
  n % 4 rows added to the first lane, then the 4 lanes added in order;
- a contiguous reduced dim of n >= W elements (W = 32-byte vectors: 8 float32, 4 float64) is a
  row sum of n // W vectors, then a chain of the n % W tail elements and the W vector lanes;
- a reduced dim over the rows of a contiguous block of C >= W columns: blocks of 4W columns take
  a multi-row sum, the next W-column blocks and the last columns a row sum; with C < W, groups of 4
  columns take a multi-row sum and the last columns a row sum;
- further reduced dims that could not be merged: the results are chained in memory order.

With several threads (``get_num_threads()``) and at least 32768 elements, a full reduction is
cut into ``ceil(n / threads)``-element pieces (as many as 32768-element grains allow), each summed
as above, and the per-thread results (one slot per thread, unused ones 0) are summed again;
other reductions split the output columns among threads at 128-byte boundaries.

Every accumulation is an ``einsum`` / ``reduce`` over a non-innermost axis (NumPy adds those
row by row, in order) or an ``add.accumulate``; none uses NumPy's pairwise summation.
C-contiguous arrays and dense transposes of them are covered; other layouts (slices with gaps,
negative strides, transposes whose kept dims change order) and non-x86 machines give None, and
the caller keeps NumPy's sum."""
import os
import platform

import numpy as np

GRAIN = 32768
_state = {}


def cpu_capability():
    """The vector capability PyTorch picks: ATEN_CPU_CAPABILITY if set, else from the CPU flags
    (AVX512 needs avx512f/bw/vl/dq, AVX2 needs avx2 and fma)."""
    env = os.environ.get('ATEN_CPU_CAPABILITY', '').strip().lower()
    if env in ('default', 'avx2', 'avx512'):
        return env.upper()
    flags = set()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    flags = set(line.split(':', 1)[1].split())
                    break
    except OSError:
        pass
    if {'avx512f', 'avx512bw', 'avx512vl', 'avx512dq'} <= flags:
        return 'AVX512'
    if {'avx2', 'fma'} <= flags:
        return 'AVX2'
    return 'DEFAULT'


def _vec_bytes():
    """Bytes per vector of the sum kernel, or 0 where its order is unknown (then NumPy sums).
    PyTorch builds no AVX512 sum kernel (AVX512 machines run the AVX2 one) and its DEFAULT
    vectors on x86 are 32 bytes too, so every x86 capability sums in 32-byte vectors."""
    if 'vb' not in _state:
        x86 = platform.machine().lower() in ('x86_64', 'amd64', 'i686', 'x86')
        _state['vb'] = 32 if x86 and cpu_capability() in ('AVX512', 'AVX2', 'DEFAULT') else 0
    return _state['vb']


def _threads():
    from .._threads import get_num_threads
    return max(1, get_num_threads())


# --- the building blocks: every array is (P, J, *lanes), J the axis summed -------------------

def _seq(y, ax):
    """Sequential sum along axis ``ax`` of ``y``, whose later axes (together at least 2 elements)
    have the smaller strides: NumPy then adds whole rows, one after another."""
    if y.size < 8192:                               # fewer calls' overhead than einsum
        return _reduce(y, ax)
    idx = _LETTERS[:y.ndim]
    return np.einsum(idx + '->' + idx[:ax] + idx[ax + 1:], y)


def _chain(y, ax=1):
    """Sequential sum along axis ``ax`` of any ``y``: y[0] + y[1] + ... taken along that axis."""
    if y.shape[ax] == 1:
        return y[(slice(None),) * ax + (0,)]
    st = y.strides
    lanes = [st[d] for d in range(y.ndim) if d != ax and y.shape[d] > 1]
    if not lanes:
        return np.add.accumulate(y, axis=ax)[(slice(None),) * ax + (-1,)]
    if min(lanes) >= st[ax] or min(st) < 0:        # make the summed axis the outermost one
        y, ax = np.ascontiguousarray(np.moveaxis(y, ax, 0)), 0
    return _seq(y, ax)


_LETTERS = 'abcdefghijklmnop'
_reduce, _accumulate = np.add.reduce, np.add.accumulate


def _multi(x):
    """Multi-row sum along axis 1 of x (P, S, ...), its later axes at least 2 elements."""
    P, S = x.shape[:2]
    rest = x.shape[2:]
    if S < 16:                                      # a single chain
        return (x[:, 0] if S == 1 else _seq(x, 1)) if S else np.zeros((P,) + rest, x.dtype)
    L = 1 << max(4, (S - 1).bit_length() // 4)
    R = S // L
    parts = [_seq(x[:, R * L:], 1) if S % L else None]
    c = _seq(x[:, :R * L].reshape((P, R, L) + rest), 2)           # level-1 block sums
    for _ in range(2):
        R2 = R // L
        parts.append(_chain(c[:, R2 * L:]) if R % L else None)
        if not R2:
            c = None
            break
        c = _seq(c[:, :R2 * L].reshape((P, R2, L) + rest), 2)
        R = R2
    if c is not None:
        parts.append(_chain(c))
    out = None
    for p in parts:
        if p is not None:
            out = p if out is None else out + p
    return out


def _row_sum(x):
    """Row sum along axis 1 of x (P, n, ...): 4 interleaved lanes of a multi-row sum."""
    P, n = x.shape[:2]
    n4 = n >> 2
    lanes = x.size > P * n                          # later axes to add side by side
    if n4 == 0:
        return _seq(x, 1) if lanes else _chain(x)
    rest = x.shape[2:]
    head = x if n == 4 * n4 else x[:, :n4 * 4]
    acc = head if n4 == 1 else head[:, :4] + head[:, 4:] if n4 == 2 else \
        _reduce(head.reshape((P, n4, 4) + rest), 1) if n4 < 16 else \
        _multi(head.reshape((P, n4, 4) + rest))                                 # (P, 4, ...)
    if n > n4 * 4:                                  # the last rows go to lane 0
        acc = np.concatenate((acc[:, :1], x[:, n4 * 4:], acc[:, 1:]), axis=1)
    return _seq(acc, 1) if lanes else _chain(acc)


def _inner(x, w, k=0):
    """Sums of the contiguous rows of x (M, n): vectorised (n >= k, k elements a vector: w, or
    2w halves added pairwise into w float lanes: the first half's lane i + the second's) or a
    scalar row sum."""
    k = k or w
    M, n = x.shape
    if n < k:
        return _row_sum(x.reshape(M, n, 1))[:, 0]
    vs = n // k
    body = (x if vs * k == n else x[:, :vs * k]).reshape(M, vs, k // w, w)
    body = body[:, :, 0] if k == w else body[:, :, 0] + body[:, :, 1]            # (M, vs, w)
    lanes = body[:, 0] if vs == 1 else _reduce(body, 1) if vs < 4 else _row_sum(body)
    seq = np.concatenate((x[:, vs * k:], lanes), axis=1) if n > vs * k else lanes
    if M <= 64:
        return np.add.accumulate(seq, axis=1)[:, -1]
    return _seq(np.ascontiguousarray(seq.T), 0)


_TAIL = {n: np.array([0] + list(range(4, n)) + [1, 2, 3]) for n in range(5, 8)}   # n < 8


def _small(flat, n, w):
    """_inner of one contiguous row of n elements (plus 0), in as few NumPy calls as it takes."""
    return _small_fn(n, w)(flat)


def _small_fn(n, w):
    """The function summing one contiguous row of n elements (made once per n)."""
    key = (n, w)
    fn = _smalls.get(key)
    if fn is None:
        if len(_smalls) > 256:
            _smalls.clear()
        fn = _smalls[key] = _make_small(n, w)
    return fn


_smalls = {}


def _make_small(n, w):
    if n < w:
        if n <= 4:
            return lambda f: _accumulate(f)[-1] + 0
        perm = _TAIL[n]
        return lambda f: _accumulate(f[perm])[-1] + 0
    vs = n // w
    S, m, g = vs >> 2, vs * w, 4 * w
    if S == 0:
        lanes = (lambda f: f[:w]) if vs == 1 else (lambda f: _reduce(f.reshape(vs, w), 0)) \
            if m == n else (lambda f: _reduce(f[:m].reshape(vs, w), 0))
    else:
        if S == 1:
            acc = lambda f: f[:g]                                               # noqa: E731
        elif S == 2:
            acc = lambda f: f[:g] + f[g:2 * g]                                  # noqa: E731
        elif S < 16 and S * g == n:
            acc = lambda f: _reduce(f.reshape(S, g), 0)                         # noqa: E731
        elif S < 16:
            acc = lambda f: _reduce(f[:S * g].reshape(S, g), 0)                 # noqa: E731
        else:
            acc = lambda f: _multi(f[:S * g].reshape(1, S, g))[0]               # noqa: E731
        if vs > 4 * S:                      # vectors past the last group of 4 go to lane 0
            def lanes(f):
                a = acc(f)
                return _reduce(np.concatenate((a[:w], f[S * g:m], a[w:])).reshape(-1, w), 0)
        else:
            lanes = lambda f: _reduce(acc(f).reshape(4, w), 0)                 # noqa: E731
    if n > m:
        return lambda f: _accumulate(np.concatenate((f[m:], lanes(f))))[-1] + 0
    return lambda f: _accumulate(lanes(f))[-1] + 0


def _outer_block(x, w, wmin):
    """PyTorch's outer sum of x (P, n, C) over axis 1, its C columns one thread's range: with
    C >= wmin, blocks of 4w columns take a multi-row sum, else groups of 4 columns do; the other
    columns a row sum each."""
    C = x.shape[2]
    c4 = C // (4 * w) * (4 * w) if C >= wmin else C // 4 * 4
    if not c4:
        return _row_sum(x)
    if c4 == C:
        return _multi(x)
    return np.concatenate((_multi(x[:, :, :c4]), _row_sum(x[:, :, c4:])), axis=1)


def _split(n, threads, grain):
    """PyTorch's parallel_for ranges of [0, n)."""
    nt = max(1, min(threads, -(-n // grain)))
    chunk = -(-n // nt)
    return [(b, min(n, b + chunk)) for b in range(0, n, chunk)]


def _outer(x, w, wmin, step):
    """Outer sum of x (P, n, C); with threads (P below their number), the threads share the
    columns, cut at 128-byte (``step``-column) boundaries: that changes the columns' order only
    where a thread's last range keeps 4 to wmin - 1 columns (summed as groups of 4 there)."""
    C = x.shape[2]
    threads = _threads() if x.size >= GRAIN else 1
    if threads == 1 or x.shape[0] >= threads or C < threads:
        return _outer_block(x, w, wmin)
    ranges = []
    for b, e in _split(C, threads, 1):
        b -= b % step
        if e != C:
            e -= e % step
        if b < e:
            ranges.append((b, e))
    if not 4 <= C - ranges[-1][0] < wmin:
        return _outer_block(x, w, wmin)
    return np.concatenate([_outer_block(x[:, :, b:e], w, wmin) for b, e in ranges], axis=1)


def _full(flat, w):
    """Sum of a contiguous 1-D array, split among the threads as PyTorch's two-pass reduction."""
    n = flat.shape[0]
    threads = _threads() if n >= GRAIN else 1
    if threads == 1:
        return _small(flat, n, w)
    part = np.zeros(threads, flat.dtype)
    for t, (b, e) in enumerate(_split(n, threads, GRAIN)):
        part[t] = _small(flat[b:e], e - b, w)
    return _small(part, threads, w)


def _inner_rows(v, sizes, kn, w):
    """Innermost dim reduced: row sums, chained over the other reduced dims' rows (memory order)."""
    n = sizes[-1]
    rows = _inner(v.reshape(-1, n), w).reshape(kn, -1)
    return _chain(rows.reshape(kn, -1, 1))[:, 0] if rows.shape[1] > 1 else rows[:, 0]


def _strided_rows(v, n, kn):
    """PyTorch's dim 0 reduced but strided: scalar row sums, chained over the other reduced rows."""
    y = v.reshape(kn, -1, n)
    s = _row_sum(np.moveaxis(y, 2, 0).reshape(1, n, -1))[0].reshape(y.shape[:2])
    return _chain(s.reshape(kn, -1, 1))[:, 0] if s.shape[1] > 1 else s[:, 0]


def layout(shape, axis, keepdims):
    """The result's shape, and PyTorch's coalesced dims: [size, reduced] for each run of adjacent
    dims of one kind (size-1 dims dropped), outermost first."""
    red = set(range(len(shape))) if axis is None else set(axis)
    out_shape = tuple(1 if d in red else s for d, s in enumerate(shape)) if keepdims else \
        tuple(s for d, s in enumerate(shape) if d not in red)
    groups = []
    for d, s in enumerate(shape):
        if s != 1:
            if groups and groups[-1][1] == (d in red):
                groups[-1][0] *= s
            else:
                groups.append([s, d in red])
    return out_shape, groups


def _plan(shape, axis, keepdims, dtype):
    """A function giving PyTorch's sum of a C-contiguous array of this shape and dtype (None
    where the order is not reproduced)."""
    vb = _vec_bytes()
    if not vb:
        return None
    w = vb // dtype.itemsize
    nd = len(shape)
    out_shape, groups = layout(shape, axis, keepdims)
    if not any(g[1] for g in groups):       # nothing (or one element) summed: each value plus 0
        return lambda a: a.reshape(out_shape) + 0
    if all(g[1] for g in groups):           # a full sum
        n = int(np.prod(shape))
        if n >= GRAIN:
            core = lambda a: _full(a.reshape(-1), w)            # noqa: E731
        elif nd == 1:
            core = _small_fn(n, w)
        else:
            sm = _small_fn(n, w)
            core = lambda a: sm(a.reshape(-1))                  # noqa: E731
        if out_shape:
            return lambda a: np.asarray(core(a) + 0).reshape(out_shape)
        return core if n < GRAIN else lambda a: core(a) + 0
    sizes = [g[0] for g in groups]
    kept = [i for i, g in enumerate(groups) if not g[1]]
    reds = [i for i, g in enumerate(groups) if g[1]]
    kn = int(np.prod([sizes[i] for i in kept]))
    order = kept + reds                     # (K..., R_1..R_p): the last axis is PyTorch's dim 0
    tsizes = [sizes[i] for i in order]
    if reds == [len(groups) - 1]:          # rows summed: the vectorised inner sum
        fn = lambda a: _inner(a.reshape(kn, sizes[-1]), w)                         # noqa: E731
    elif reds[-1] == len(groups) - 1:
        fn = lambda a: _inner_rows(a.reshape(sizes).transpose(order), tsizes, kn, w)   # noqa: E731
    elif len(reds) == 1:                    # a reduced dim over a contiguous block of columns
        xs = (-1, sizes[reds[0]], sizes[-1])
        if w <= sizes[-1] < 4 * w and int(np.prod(shape)) < GRAIN:            # one row sum
            fn = lambda a: _row_sum(a.reshape(xs))                                 # noqa: E731
        else:
            fn = lambda a: _outer(a.reshape(xs), w, w, 4 * w)                      # noqa: E731
    else:
        fn = lambda a: _strided_rows(a.reshape(sizes).transpose(order), tsizes[-1], kn)  # noqa: E731

    def run(a):
        r = fn(a) + 0                       # PyTorch adds the sum into a zero; a fresh array
        return r if r.shape == out_shape else r.reshape(out_shape)
    return run


_plans = {}
_MISS = object()


def torch_sum(a, axis, keepdims=False):
    """PyTorch's float sum of host array ``a`` over ``axis`` (None or a tuple of dims); None where
    this order is not reproduced (the caller sums with NumPy)."""
    key = (a.shape, a.strides, axis, keepdims, a.dtype.char)
    fn = _plans.get(key, _MISS)
    if fn is _MISS:
        if len(_plans) > 512:
            _plans.clear()
        if a.dtype.char not in 'fd' or a.size == 0:
            fn = None
        elif a.flags.c_contiguous:
            fn = _plan(a.shape, axis, keepdims, a.dtype)
        else:
            fn = lambda a: _permuted(a, axis, keepdims)        # noqa: E731
        _plans[key] = fn
    return None if fn is None else fn(a)


def _permuted(a, axis, keepdims):
    """A dense array whose dims lie in memory in another order (a transpose): PyTorch walks it in
    memory order, so it sums as that C-contiguous view does, the kept dims put back in order after.
    PyTorch orders the kept dims by the output's layout: when those lie in memory in another order,
    only a sum over the innermost memory dim (each output a row of its own) is the same."""
    nd = a.ndim
    perm = sorted(range(nd), key=lambda d: (-a.strides[d], d))
    b = a.transpose(perm)
    if not b.flags.c_contiguous:
        return None
    red = range(nd) if axis is None else axis
    kept = [d for d in perm if d not in red]
    big = [d for d in kept if a.shape[d] != 1]
    inner = [d for d in perm if a.shape[d] != 1][-1:]
    if big != sorted(big) and inner[0] not in red:
        return None
    r = torch_sum(b, tuple(perm.index(d) for d in red), keepdims)
    if r is None:
        return r
    if keepdims:
        return np.ascontiguousarray(r.transpose(np.argsort(perm)))
    return np.ascontiguousarray(r.transpose(np.argsort(kept))) if r.ndim > 1 else r
