"""More shape ops: repeat/tile/repeat_interleave, flip/roll/rot90, movedim, *stack, *split,
meshgrid, broadcasting (atleast_Nd: atleast.py). Ops making new memory are Op classes (PyTorch's grad_fn
names); the rest compose existing views and cat, so names and view-ness follow PyTorch's."""
import warnings

from .._size import Size
from .._tensor import Tensor, _scalar_name
from ._op import Op, apply
from ._promote import xp
from .. import _dtype
from .shape import wrap_dim, _sizes, _fmt, _keyword, permute, expand, reshape, flatten, unsqueeze, swapaxes, swapdims, int_arg
from .join import cat, _tensors
from .dim_errors import int_list, int_dims, int_like as _int_like
from .select import SliceBackward0, AliasBackward0
from .convert import clone, copy_like as _like
from .argcheck import bad_input, need_tensor, invalid_combination
from .atleast import atleast_1d, atleast_2d, atleast_3d, _lift  # noqa: F401 (ember.atleast_Nd)

__all__ = ['repeat_interleave', 'tile', 'flip', 'fliplr', 'flipud', 'roll', 'rot90', 'movedim', 'moveaxis', 'hstack',
           'vstack', 'row_stack', 'dstack', 'column_stack', 'tensor_split', 'hsplit', 'vsplit', 'dsplit', 'meshgrid',
           'broadcast_to', 'broadcast_tensors', 'broadcast_shapes', 'atleast_1d', 'atleast_2d', 'atleast_3d',
           'swapaxes', 'swapdims']


def _int_item(a):
    i = int_arg(a, item=True)
    return a if i is None or a.dtype is _dtype.bool_ else i     # (a bool tensor: refused)


def _int_tuple(args, fname, argname):
    """f(2, 3), f((2, 3)), f([2, 3]) -> (2, 3), refusing non-int entries as PyTorch's parser does."""
    args = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    if any(a.__class__ is not int for a in args):       # NumPy integers, one-element integer tensors
        args = [a if a.__class__ is int or isinstance(a, bool) else _int_item(a) for a in args]
    bad = next((a for a in args if not isinstance(a, int) or isinstance(a, bool)), None)
    if bad is not None:
        raise TypeError(f"{fname}(): argument '{argname}' (position 1) must be tuple of ints, not "
                        f'{type(bad).__name__}')
    return tuple(args)


# ------------------------------------------------------------------ repeat / tile

class RepeatBackward0(Op):
    def forward(self, a, repeats):
        if len(repeats) < a.ndim:
            raise RuntimeError('Number of dimensions of repeat dims can not be smaller than number of '
                               'dimensions of tensor')
        shape = (1,) * (len(repeats) - a.ndim) + a.shape
        out_shape = [n * r for n, r in zip(shape, repeats)]
        if min(out_shape, default=0) < 0:
            raise RuntimeError(f'Trying to create tensor with negative dimension {min(out_shape)}: {_fmt(out_shape)}')
        self.in_shape, self.shape, self.repeats = a.shape, shape, repeats
        out = xp(a).tile(a.reshape(shape), repeats)
        return out if out.flags.c_contiguous else out.copy()

    def backward(self, g):
        split = [s for pair in zip(self.repeats, self.shape) for s in pair]     # (r0, s0, r1, s1, ...)
        return g.reshape(split).sum(tuple(range(0, len(split), 2))).reshape(self.in_shape)


def repeat(self, *repeats, **kw):
    if kw:                                               # repeat(repeats=(2, 3))
        if set(kw) != {'repeats'} or repeats:
            raise TypeError(f"repeat() got an unexpected keyword argument '{next(iter(kw))}'")
        repeats = (kw['repeats'],)
    if not repeats:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    return apply(RepeatBackward0, self, repeats=_int_tuple(repeats, 'repeat', 'repeats'))


def tile(input, *reps, dims=None):
    if dims is not None:
        reps = _keyword('tile', reps, ('dims', dims))
    if not reps:
        raise TypeError('tile() missing 1 required positional arguments: "dims"')
    return repeat(input, (1,) * (input.ndim - len(reps := _int_tuple(reps, 'tile', 'dims'))) + reps)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Elements (slices along ``dim``) repeated; ``repeat_interleave(counts)``: indices i, counts[i] times."""
    if not isinstance(input, Tensor):           # with one argument PyTorch reads it as the counts
        if repeats is None and dim is None:
            need_tensor('repeat_interleave', input, 'repeats')
        raise invalid_combination('repeat_interleave', (input, repeats) + (() if dim is None else (dim,)), {})
    if repeats is None:
        return _counts_to_index(input, output_size)
    if isinstance(repeats, Tensor):
        return _interleave_by_tensor(input, repeats, dim, output_size)
    if repeats < 0:
        raise RuntimeError('Repeats must be non-negative')
    x, d = (flatten(input), 0) if dim is None else (input, wrap_dim(dim, input.ndim))
    if output_size is not None and output_size != x.shape[d] * repeats:
        raise RuntimeError(f'repeat_interleave: Invalid output_size, expected {x.shape[d] * repeats} but got '
                           f'{output_size}')
    u = unsqueeze(x, d + 1)
    return flatten(clone(expand(u, u.shape[:d + 1] + (repeats,) + u.shape[d + 2:])), d, d + 1)


def _counts_to_index(counts, output_size=None):
    if counts.ndim != 1:
        raise RuntimeError('repeat_interleave only accept 1D vector as repeat')
    c = counts._data
    if c.dtype.kind not in 'iu':
        raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for \'{_scalar_name(counts.dtype)}\'')
    if c.size and bool((c < 0).any()):
        raise RuntimeError('repeats can not be negative')
    ends = xp(c).cumsum(c)
    total = int(ends[-1]) if c.size else 0
    if output_size is not None and output_size != total:
        raise RuntimeError('allocated size does not match required size')
    return Tensor._make(xp(c).searchsorted(ends, xp(c).arange(total), side='right').astype(c.dtype))


def _interleave_by_tensor(input, repeats, dim, output_size):
    if repeats.ndim > 1:
        raise RuntimeError('repeats must be 0-dim or 1-dim tensor')
    if dim is not None and input.ndim == 0:
        raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
    x, d, shown = (flatten(input), 0, 0) if dim is None else (input, wrap_dim(dim, input.ndim), dim)
    n = x.shape[d]
    if repeats.numel() == 1:
        repeats = expand(reshape(repeats, (1,)), (n,))
    elif repeats.shape[0] != n:
        raise RuntimeError(f'repeats must have the same size as input along dim, but got repeats.size(0) = '
                           f'{repeats.shape[0]} and input.size({shown}) = {n}')
    index = _counts_to_index(repeats, output_size)      # checks the counts before indexing
    return x.index_select(d, index)


# ------------------------------------------------------------------ flip / roll / rot90 / movedim

class FlipBackward0(Op):
    def forward(self, a, dims):
        self.dims = ds = tuple(wrap_dim(d, a.ndim) for d in dims)
        if len(ds) > 1:
            dup = next((d for i, d in enumerate(ds) if d in ds[:i]), None)
            if dup is not None:
                raise RuntimeError(f'dim {dup} appears multiple times in the list of dims')
        if not a.ndim:
            return _like(a, a)
        idx = [_ALL] * a.ndim
        for d in ds:
            idx[d] = _REVERSED
        return _like(a[tuple(idx)], a)

    def backward(self, g):
        return flip(g, self.dims)


_ALL, _REVERSED = slice(None), slice(None, None, -1)


def flip(input, *dims, **kw):
    dims = (kw['dims'],) if 'dims' in kw else dims
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    return apply(FlipBackward0, input, dims=_sizes(int_dims(dims, 'flip', 'dims')))


def _flip_side(name, dim):
    """fliplr (dim 1, needs >= 2 dims) / flipud (dim 0, needs >= 1)."""
    def f(input):
        if input.__class__ is not Tensor:   # (a NumPy array has ndim too)
            need_tensor(name, input)
        if input.ndim <= dim:
            raise RuntimeError(f'Input must be >= {dim + 1}-d.')
        return flip(input, dim)
    f.__name__ = f.__qualname__ = name
    return f


fliplr, flipud = _flip_side('fliplr', 1), _flip_side('flipud', 0)


class RollBackward0(Op):
    def forward(self, a, shifts, dims):
        if not shifts:
            raise RuntimeError('`shifts` required')
        if not (not dims and len(shifts) == 1) and len(shifts) != len(dims):
            raise RuntimeError(f'shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}')
        if a.ndim == 0 and dims:
            raise IndexError(f'Dimension specified as {dims[0]} but tensor has no dimensions')
        self.shifts, self.dims = shifts, dims if a.size == 0 else tuple(wrap_dim(d, a.ndim) for d in dims)
        if a.size == 0:                 # nothing moves: PyTorch looks at no dim
            return a.copy()
        out = xp(a).roll(a, shifts if self.dims else shifts[0], axis=self.dims or None)
        return out if out.flags.c_contiguous else out.copy()

    def backward(self, g):
        return roll(g, tuple(-s for s in self.shifts), self.dims)


def _ints(v):
    return tuple(int(s) for s in v) if isinstance(v, (tuple, list)) else (int(v),)


def roll(input, shifts, dims=None):
    return apply(RollBackward0, input, shifts=int_list(shifts, 'roll', 'shifts'),
                 dims=() if dims is None else int_list(dims, 'roll', 'dims'))


class Rot90Backward0(Op):
    def forward(self, a, k, dims):
        if len(dims) != 2:
            raise RuntimeError(f'expected total rotation dims == 2, but got dims = {len(dims)}')
        if a.ndim < 2:
            raise RuntimeError(f'expected total dims >= 2, but got total dims = {a.ndim}')
        d0, d1 = wrap_dim(dims[0], a.ndim), wrap_dim(dims[1], a.ndim)
        if d0 == d1:
            raise RuntimeError(f'expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}')
        self.k, self.dims = k, (d0, d1)
        m, k = xp(a), k % 4
        if k % 2 == 0:          # 0: a contiguous copy; 2: flip both, keeping the input's layout
            return _like(m.flip(a, (d0, d1)), a) if k else a.copy()
        return _like(m.swapaxes(m.flip(a, d1 if k == 1 else d0), d0, d1), m.swapaxes(a, d0, d1))

    def backward(self, g):
        return rot90(g, -self.k, self.dims)


def rot90(input, k=1, dims=(0, 1)):
    try:
        return apply(Rot90Backward0, input, k=int(k), dims=tuple(dims))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('rot90', (input,))


def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination``, the others keeping their order (a view)."""
    if _int_like(source) != _int_like(destination) or not all(
            _int_like(v) or isinstance(v, (tuple, list)) and all(map(_int_like, v)) for v in (source, destination)):
        kinds = ', '.join(type(v).__name__ for v in (source, destination))
        raise TypeError(f'movedim() received an invalid combination of arguments - got ({kinds}), but expected one of:')
    src, dst = _ints(source), _ints(destination)
    if len(src) != len(dst):
        raise RuntimeError(f'movedim: Invalid source or destination dims: source ({_fmt(src)} dims) should '
                           f'contain the same number of dims as destination ({_fmt(dst)} dims)')
    n = input.ndim
    ws, wd = ([wrap_dim(d, n) for d in v] for v in (src, dst))
    for name, raw, wrapped in (('source', src, ws), ('destination', dst, wd)):
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f'movedim: repeated dim in `{name}` ({_fmt(raw)})')
    if n == 0:
        return apply(AliasBackward0, input)
    placed, rest = dict(zip(wd, ws)), iter(i for i in range(n) if i not in ws)
    return permute(input, tuple(placed[i] if i in placed else next(rest) for i in range(n)))


moveaxis = movedim


# ------------------------------------------------------------------ stacking

def _stacker(name, lift, dim_of):
    """A *stack function: lift every tensor to enough dims, then cat along ``dim_of(lifted)``."""
    def stack_fn(tensors, *, out=None):
        tensors = _tensors(tensors, name)
        if not tensors:
            raise RuntimeError(f'{name} expects a non-empty TensorList')
        ts = [lift(t) for t in tensors]
        return cat(ts, dim_of(ts), out=out)
    stack_fn.__name__ = stack_fn.__qualname__ = name
    return stack_fn


hstack = _stacker('hstack', lambda t: _lift(t, 1), lambda ts: 0 if ts[0].ndim == 1 else 1)
vstack = row_stack = _stacker('vstack', lambda t: _lift(t, 2), lambda ts: 0)
dstack = _stacker('dstack', lambda t: _lift(t, 3), lambda ts: 2)
column_stack = _stacker('column_stack', lambda t: reshape(t, (t.numel(), 1)) if t.ndim <= 1 else t, lambda ts: 1)


# ------------------------------------------------------------------ splitting

def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None,
                 tensor_indices_or_sections=None):
    """Views of ``input`` cut into ``sections`` near-equal parts, or at ``indices``, along ``dim``."""
    spec = next(v for v in (indices_or_sections, sections, indices, tensor_indices_or_sections, 0) if v is not None)
    if input.ndim == 0:
        raise RuntimeError('tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims')
    if isinstance(spec, Tensor):
        if spec.ndim > 1:
            raise RuntimeError('tensor_split expected tensor_indices_or_sections to be a zero-dimensional or '
                               f'one-dimensional tensor, but got a tensor with {spec.ndim} dims')
        if spec.dtype.name != 'int64':
            raise RuntimeError('tensor_split expected tensor_indices_or_sections to have dtype of long, but '
                               f'got {_scalar_name(spec.dtype)}')
        spec = int(spec.item()) if spec.ndim == 0 else [int(i) for i in spec._data.tolist()]
    d = wrap_dim(dim, input.ndim)
    size, pieces, start = input.shape[d], [], 0
    if isinstance(spec, int):
        if spec <= 0:
            raise RuntimeError(f'number of sections must be larger than 0, got {spec}')
        bounds = [i * (size // spec) + min(i, size % spec) for i in range(1, spec)]
    else:
        bounds = [int(i) for i in spec]
    for stop in bounds + [size]:
        stop = min(max(stop + size if stop < 0 else stop, 0), size)
        pieces.append(apply(SliceBackward0, input, dim=d, start=start, stop=max(stop, start)))
        start = stop
    return tuple(pieces)


def _splitter(name, need, dim_of):
    """hsplit/vsplit/dsplit: tensor_split along a fixed dim; equal sections only."""
    def split_fn(input, indices_or_sections):
        if input.ndim < need:
            raise RuntimeError(f'ember.{name} requires a tensor with at least {need} dimension, but got a '
                               f'tensor with {input.ndim} dimensions!')
        spec, dim = indices_or_sections, dim_of(input)
        if isinstance(spec, int) and (spec == 0 or input.shape[dim] % spec):
            raise RuntimeError(f'ember.{name} attempted to split along dimension {dim}, but the size of the '
                               f'dimension {input.shape[dim]} is not divisible by the split_size {spec}!')
        return tensor_split(input, spec, dim)
    split_fn.__name__ = split_fn.__qualname__ = name
    return split_fn


hsplit = _splitter('hsplit', 1, lambda t: 1 if t.ndim > 1 else 0)
vsplit = _splitter('vsplit', 2, lambda t: 0)
dsplit = _splitter('dsplit', 3, lambda t: 2)


# ------------------------------------------------------------------ grids and broadcasting

def meshgrid(*tensors, indexing=None):
    """Coordinate grids: output i is input i viewed along dim i and expanded (views)."""
    tensors = tuple(tensors[0]) if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    if indexing is None:
        warnings.warn('ember.meshgrid: in an upcoming release, it will be required to pass the indexing '
                      'argument.', UserWarning, stacklevel=2)
        indexing = 'ij'
    if not tensors:
        raise RuntimeError('meshgrid expects a non-empty TensorList')
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f'ember.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}')
        for what in ('dtype', 'device'):
            if getattr(t, what) != getattr(tensors[0], what):
                raise RuntimeError(f'meshgrid expects all tensors to have the same {what}')
    if indexing not in ('xy', 'ij'):
        raise RuntimeError(f'ember.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    swap = indexing == 'xy' and len(tensors) > 1      # 'xy': the first two inputs trade places
    ts = (tensors[1], tensors[0]) + tuple(tensors[2:]) if swap else tuple(tensors)
    shape, n = tuple(t.numel() for t in ts), len(ts)
    grids = [expand(reshape(t, (1,) * i + (-1,) + (1,) * (n - i - 1)), shape) for i, t in enumerate(ts)]
    return (grids[1], grids[0]) + tuple(grids[2:]) if swap else tuple(grids)


def broadcast_to(input, *shape, size=None):
    try:
        return expand(input, _sizes(shape if size is None else (size,)))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('broadcast_to', (input,))


def broadcast_tensors(*tensors):
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f'expected Tensor as element {i} in argument 0, but got {type(t).__name__}')
    sa = ()
    for t in tensors:       # pairwise, so the message names the first pair that fails
        sb = tuple(t.shape)
        n = max(len(sa), len(sb))
        sa, sb = (1,) * (n - len(sa)) + sa, (1,) * (n - len(sb)) + sb
        bad = next((i for i in range(n - 1, -1, -1) if 1 != sa[i] != sb[i] != 1), None)
        if bad is not None:
            raise RuntimeError(f'The size of tensor a ({sa[bad]}) must match the size of tensor b ({sb[bad]}) at '
                               f'non-singleton dimension {bad}')
        sa = tuple(b if a == 1 else a for a, b in zip(sa, sb))
    return tuple(t if tuple(t.shape) == sa else expand(t, sa) for t in tensors)


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to, as an ember.Size (no tensors made)."""
    shapes = [(s,) if isinstance(s, int) else s for s in shapes]
    result = [1] * max((len(s) for s in shapes if isinstance(s, (tuple, list))), default=0)
    for k, shape in enumerate(shapes):
        if not isinstance(shape, (tuple, list)):
            raise RuntimeError(f'Input shapes should be of type ints, a tuple of ints, or a list of ints, got {shape}')
        for i, s in zip(range(-1, -1 - len(shape), -1), reversed(shape)):
            if s == 1 or s == result[i]:
                continue
            if result[i] != 1:
                raise RuntimeError(f'Attempting to broadcast a dimension of length {s} at {i}! Mismatching '
                                   f'argument at index {k} had {shape!r}; but expected shape should be '
                                   f'broadcastable to {result}')
            if s < 0:
                raise ValueError('Attempting to broadcast a dimension with negative length!')
            result[i] = s
    return Size(result)


METHODS = {'repeat': repeat, 'repeat_interleave': repeat_interleave, 'tile': tile, 'flip': flip, 'fliplr': fliplr,
           'flipud': flipud, 'roll': roll, 'rot90': rot90, 'movedim': movedim, 'moveaxis': moveaxis,
           'tensor_split': tensor_split, 'hsplit': hsplit, 'vsplit': vsplit, 'dsplit': dsplit,
           'broadcast_to': broadcast_to, 'swapaxes': swapaxes, 'swapdims': swapdims}
