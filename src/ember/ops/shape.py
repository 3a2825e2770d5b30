"""Views and shape ops: view/reshape, transpose/permute, expand, squeeze/unsqueeze,
flatten/unflatten (select/slice/diagonal live in select.py).

A view op returns an array sharing memory with its input (``is_view``); ``apply`` then
shares the version counter and remembers how to replay the view for CopySlices."""
import math

import numpy as np

from .. import _dtype
from .._size import Size
from .._tensor import Tensor
from ._op import Op, apply
from ._promote import xp as _xp
from .arg_types import int_sizes
from .argcheck import bad_input, need_tensor
from .dims import wrap_dim, int_arg, bad_dim, squeeze_item_dim  # noqa: F401 (imported from here by the ops)



def _sizes(args):
    """Accept f(2, 3), f((2, 3)), f([2, 3]) or f(Size)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list, Size)):
        args = args[0]
    return tuple(int(s) for s in args)


def infer_shape(shape, numel):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError('only one dimension can be inferred')
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f'invalid shape dimension {s} at index {i} of shape {_fmt(shape)}')
    if neg:
        rest = -math.prod(shape)
        if rest == 0 and numel == 0:
            raise RuntimeError(f'cannot reshape tensor of 0 elements into shape {_fmt(shape)} because the '
                               'unspecified dimension size -1 can be any value and is ambiguous')
        if rest == 0 or numel % rest:
            raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // rest
    if math.prod(shape) != numel:
        raise RuntimeError(f"shape '{_fmt(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _legacy(a):
    from .. import _dtype
    return _dtype._FROM_NP[a.dtype].legacy


def _fmt(shape):
    return '[' + ', '.join(str(s) for s in shape) + ']'


# ------------------------------------------------------------------ views

class ViewBackward0(Op):
    is_view = True

    def forward(self, a, shape):
        self.in_shape = a.shape
        shape = infer_shape(shape, a.size)
        try:
            return a.reshape(shape, copy=False)
        except ValueError:
            raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                               'least one dimension spans across two contiguous subspaces). Use '
                               '.reshape(...) instead.') from None

    def backward(self, g):
        return g.reshape(self.in_shape)


class ReshapeAliasBackward0(ViewBackward0):
    """reshape of a non-contiguous tensor that can still be viewed"""


class UnsafeViewBackward0(Op):
    def forward(self, a, shape):
        self.in_shape = a.shape
        return a.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


def _keyword(name, args, value):
    """``value`` (given as ``name=``) as the one positional argument; PyTorch's error if both came."""
    if args:
        raise TypeError(f"{name}() got multiple values for argument '{value[0]}'")
    return (value[1],)


def view(self, *shape, size=None, dtype=None):
    if size is not None or dtype is not None:
        shape = _keyword('view', shape, ('size', size) if dtype is None else ('dtype', dtype))
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return view_dtype(self, shape[0])
    return apply(ViewBackward0, self, shape=int_sizes('view', 'size', shape, True))


def view_dtype(self, d):
    if d.itemsize != self._data.itemsize:
        from .views_more import view_other_size
        return view_other_size(self, d)
    return Tensor._make(self._data.view(d.np), None, self._vc)


def reshape(input, *sizes, shape=None):
    try:
        if shape is not None:
            sizes = _keyword('reshape', sizes, ('shape', shape))
        shape = infer_shape(int_sizes('reshape', 'shape', sizes), input._data.size)
        try:
            input._data.reshape(shape, copy=False)
        except ValueError:
            from .convert import clone
            return apply(UnsafeViewBackward0, clone(input), shape=shape)
        return apply(ViewBackward0 if input.is_contiguous() else ReshapeAliasBackward0, input, shape=shape)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('reshape', (input,))


def view_as(self, other):
    return view(self, other.shape)


def reshape_as(self, other):
    return reshape(self, other.shape)


class TransposeBackward0(Op):
    is_view = True

    def forward(self, a, dim0, dim1):
        n = a.ndim
        self.d = (wrap_dim(dim0, n), wrap_dim(dim1, n))
        return a.swapaxes(*self.d) if n else a.view()

    def backward(self, g):
        return g.transpose(*self.d)


class TBackward0(Op):
    is_view = True

    def forward(self, a):
        if a.ndim > 2:
            raise RuntimeError(f't() expects a tensor with <= 2 dimensions, but self is {a.ndim}D')
        return a.T

    def backward(self, g):
        return g.t()


class PermuteBackward0(Op):
    is_view = True

    def forward(self, a, dims):
        n = a.ndim
        if len(dims) != n:
            raise RuntimeError('permute(sparse_coo): number of dimensions in the tensor input does not '
                               'match the length of the desired ordering of dimensions i.e. input.dim() '
                               f'= {n} is not equal to len(dims) = {len(dims)}')
        dims = tuple(wrap_dim(d, n) for d in dims)
        if len(set(dims)) != n:
            raise RuntimeError('permute(): duplicate dims are not allowed.')
        self.inv = tuple(np.argsort(dims).tolist())
        return a.transpose(dims)

    def backward(self, g):
        return g.permute(self.inv)


def transpose(input, dim0, dim1):
    return apply(TransposeBackward0, input, dim0=dim0, dim1=dim1)


def swapaxes(input, axis0, axis1):
    return apply(TransposeBackward0, input, dim0=axis0, dim1=axis1)


def swapdims(input, dim0, dim1):
    return apply(TransposeBackward0, input, dim0=dim0, dim1=dim1)


def t(input):
    try:
        return apply(TBackward0, input)
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('t', (input,))


def permute(input, *dims_, dims=None):
    try:
        if dims is not None:
            dims_ = _keyword('permute', dims_, ('dims', dims))
        return apply(PermuteBackward0, input, dims=_sizes(dims_))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('permute', (input,))


_warned = set()


def _deprecated(msg, level=3):
    """PyTorch's once-per-program UserWarning (TORCH_WARN_ONCE), pointing at the user's line."""
    if msg not in _warned:
        import warnings
        _warned.add(msg)
        warnings.warn(msg, UserWarning, stacklevel=level)


def T(self):
    """x.T: the dimensions reversed (deprecated by PyTorch unless x is 2-D)."""
    if self.ndim == 0:
        _deprecated('Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.')
    elif self.ndim != 2:
        _deprecated('The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated '
                    'and it will throw an error in a future release. Consider `x.mT` to transpose batches of '
                    'matrices or `x.permute(*ember.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of '
                    'a tensor.')
    return permute(self, tuple(range(self.ndim - 1, -1, -1)))


def _matrix_only(self, name, batches):
    """The 0-D identity (with PyTorch's deprecation warning) or its error for 1-D / batched input."""
    if self.ndim == 0:
        _deprecated(f'Tensor.{name} is deprecated on 0-D tensors. '
                    + ('This function is the identity in these cases.' if name == 'mT' else 'Consider using x.conj().'), 4)
        return True
    if self.ndim == 1 or (self.ndim > 2 and not batches):
        what = 'matrices or batches of matrices' if batches else 'matrices (2-D tensors)'
        hint = '' if batches or self.ndim == 1 else ' For batches of matrices, consider using tensor.mH'
        raise RuntimeError(f'tensor.{name} is only supported on {what}. Got {self.ndim}-D tensor.{hint}')
    return False


def mT(self):
    """x.mT: the last two dimensions swapped."""
    return self if _matrix_only(self, 'mT', True) else transpose(self, -2, -1)


def H(self):
    """x.H: the conjugate transpose of a matrix (a transpose for real dtypes)."""
    return self.conj() if _matrix_only(self, 'H', False) else transpose(self, 0, 1).conj()


def mH(self):
    """x.mH: the conjugate transpose of each matrix of a batch."""
    return self.conj() if _matrix_only(self, 'mH', True) else transpose(self, -2, -1).conj()


class ExpandBackward0(Op):
    is_view = True

    def forward(self, a, sizes):
        self.in_shape = a.shape
        n, m = len(sizes), a.ndim
        if n < m:
            raise RuntimeError(f'expand(ember.{_legacy(a)}{{{_fmt(a.shape)}}}, size={_fmt(sizes)}): the '
                               'number of sizes provided (%d) must be greater or equal to the number of '
                               'dimensions in the tensor (%d)' % (n, m))
        target = []
        for i, s in enumerate(sizes):
            j = i - (n - m)
            cur = a.shape[j] if j >= 0 else 1
            if s == -1:
                if j < 0:
                    raise RuntimeError(f'The expanded size of the tensor (-1) isn\'t allowed in a leading, '
                                       f'non-existing dimension {i}')
                s = cur
            elif cur != 1 and cur != s:
                raise RuntimeError(f'The expanded size of the tensor ({s}) must match the existing size '
                                   f'({cur}) at non-singleton dimension {i}.  Target sizes: {_fmt(sizes)}.  '
                                   f'Tensor sizes: {_fmt(a.shape)}')
            target.append(s)
        if tuple(target) == a.shape:
            return a.view()
        out = _xp(a).broadcast_to(a, tuple(target))
        # PyTorch keeps the stride of a size-1 dim that is not expanded; NumPy sets it to 0
        want = tuple(0 if i < n - m or a.shape[i - (n - m)] != t else a.strides[i - (n - m)]
                     for i, t in enumerate(target))
        if out.strides != want:
            out = as_strided_view(a, tuple(target), want, writeable=False)
        return out

    def backward(self, g):
        return g.sum_to_size(self.in_shape)


def expand(self, *sizes, size=None, implicit=False):
    if size is not None:
        sizes = _keyword('expand', sizes, ('size', size))
    return apply(ExpandBackward0, self, sizes=_sizes(sizes))


def expand_as(self, other):
    return expand(self, other.shape)


def as_strided_view(a, shape, strides, writeable=True):
    """A strided view of ``a``; ``writeable`` applies on the CPU (CuPy's views are always writable)."""
    if type(a) is np.ndarray:
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=writeable)
    return _xp(a).lib.stride_tricks.as_strided(a, shape, strides)


class SqueezeBackward0(Op):
    is_view = True

    def forward(self, a, dims=None):
        self.in_shape = a.shape
        if dims is None:
            return a.reshape(tuple(s for s in a.shape if s != 1))
        dims = {wrap_dim(d, a.ndim) for d in dims}
        return a.reshape(tuple(s for i, s in enumerate(a.shape) if not (i in dims and s == 1)))

    def backward(self, g):
        return g.reshape(self.in_shape)


class SqueezeBackward1(SqueezeBackward0):
    pass


class SqueezeBackward2(SqueezeBackward0):
    pass


def squeeze(input, dim=None):
    if dim is None:
        return apply(SqueezeBackward0, input)
    if isinstance(dim, (tuple, list)):
        return apply(SqueezeBackward2, input, dims=tuple(dim))
    try:
        return apply(SqueezeBackward1, input, dims=(dim,))
    except TypeError:
        return apply(SqueezeBackward1, input, dims=(squeeze_item_dim(input, dim),))



class UnsqueezeBackward0(Op):
    is_view = True

    def forward(self, a, dim):
        self.dim = d = wrap_dim(dim, a.ndim + 1)
        out = _xp(a).expand_dims(a, d)
        want = a.strides[d] * a.shape[d] if d < a.ndim else a.itemsize      # PyTorch's stride for the new dim
        if out.strides[d] != want and a.size:
            out = as_strided_view(a, out.shape, out.strides[:d] + (want,) + out.strides[d + 1:],
                                  writeable=a.flags.writeable)
        return out

    def backward(self, g):
        return g.squeeze(self.dim)


def unsqueeze(input, dim):
    try:
        return apply(UnsqueezeBackward0, input, dim=dim)
    except TypeError:
        bad_dim('unsqueeze', dim)



def flatten(input, start_dim=0, end_dim=-1):
    if input.__class__ is not Tensor:       # (a NumPy array has ndim too)
        need_tensor('flatten', input)
    try:
        n = input.ndim
        if n == 0:
            wrap_dim(start_dim, 0), wrap_dim(end_dim, 0)       # a 0-dim tensor still checks the dims
            return reshape(input, (1,))
        s, e = wrap_dim(start_dim, n), wrap_dim(end_dim, n)
        if s > e:
            raise RuntimeError('flatten() has invalid args: start_dim cannot come after end_dim')
        if s == e:
            return input
        shape = input.shape
        return reshape(input, tuple(shape[:s]) + (math.prod(shape[s:e + 1]),) + tuple(shape[e + 1:]))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('flatten', (input,))


def unflatten(input, dim, sizes):
    d, shape = wrap_dim(dim, input.ndim), input.shape
    if not len(sizes):
        raise RuntimeError('unflatten: sizes must be non-empty')
    try:
        sizes = infer_shape(sizes, shape[d])
    except RuntimeError as e:                   # PyTorch's wording around the size inference's errors
        if 'is invalid for input of size' not in str(e):
            raise RuntimeError(f'unflatten got an unexpected error:\n{e}') from None
        raise RuntimeError(f'unflatten: Provided sizes {_fmt(sizes)} don\'t multiply up to the size of '
                           f'dim {dim} ({shape[d]}) in the input tensor') from None
    return view(input, tuple(shape[:d]) + sizes + tuple(shape[d + 1:]))
