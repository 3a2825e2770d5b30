"""Indexing: ``t[key]`` (views for basic keys, IndexBackward0 for advanced ones),
``t[key] = v``, copy_, fill_, zero_, nonzero."""
import numpy as np

from .._tensor import Tensor
from ._op import Op, apply, apply_inplace
from ._promote import unbroadcast, xp
from .broadcast_errors import broadcast_mismatch
from .convert import astype, _F16
from .from_data import drop_imag
from .shape import UnsqueezeBackward0
from .select import SelectBackward0, SliceBackward0, AliasBackward0
from .index_key import (_is_basic, _as_key, _np_key, _key_rank, _translate, _int_tensor_as_int,  # noqa: F401
                        whole_key, bool_scalars)
from .index_value import fit_number, setitem_value, masked_fill_key, check_put_dtype, check_overlap
from .argcheck import need_tensor


class IndexBackward0(Op):
    def forward(self, a, key):
        self.in_shape, self.key = a.shape, key
        try:
            out = a[key]
        except IndexError as e:
            raise _translate(e, a.shape) from None
        return _c_contiguous(out)

    def backward(self, g):
        return apply(IndexPutAccumulate, g, shape=self.in_shape, key=self.key)

    _free = ('key',)


def _c_contiguous(out):
    """PyTorch's advanced-index results are C-contiguous with canonical strides (size-1 dims too);
    NumPy's are not when the index is not on dim 0."""
    m = xp(out)
    if not out.flags.c_contiguous:
        return m.ascontiguousarray(out)
    want, step = [], out.itemsize
    for n in reversed(out.shape):
        want.append(step)
        step *= max(n, 1)
    want = tuple(reversed(want))
    if out.strides == want or out.size == 0:
        return out
    return m.lib.stride_tricks.as_strided(out, out.shape, want)


class IndexPutAccumulate(Op):
    """zeros(shape) with ``g`` added at ``key`` (repeated indices accumulate)."""

    def forward(self, g, shape, key):
        self.key = key
        m = xp(g)
        out = m.zeros(shape, g.dtype)
        m.add.at(out, key, g)
        return out

    def backward(self, gg):
        return apply(IndexBackward0, gg, key=self.key)

    def name(self):
        return 'IndexBackwardBackward0'


def _select_first(t, key):
    """PyTorch applies a key's integers (and its slices and Nones) as views before its tensor
    indices, so an integer never counts as an advanced index: ``x[0, :, idx]`` keeps idx's dim
    where it stands, where NumPy would move it to the front. Returns (view, the rest of the key),
    or (t, key) when the key has no integer beside its advanced entries."""
    if not any(isinstance(k, int) and not isinstance(k, bool) for k in key):
        return t, key
    basic, rest = [], []
    for k in key:
        if _is_basic(k):
            basic.append(k)
            if not isinstance(k, int):
                rest.append(k if k is Ellipsis else slice(None))
            continue
        if k.__class__ is bool or isinstance(k, Tensor) and k._data.ndim == 0:
            return t, key                       # a 0-dim mask (x[True, 0]): NumPy's rule is PyTorch's here
        basic.extend([slice(None)] * _key_rank(k))
        rest.append(k)
    return _basic(t, tuple(basic)), tuple(rest)


def getitem(self, key):
    if key.__class__ is int and self._data.ndim:        # t[i], the most common read: one select
        return apply(SelectBackward0, self, dim=0, index=key, from_getitem=True)
    key = tuple(_int_tensor_as_int(k) for k in _as_key(key))
    if all(_is_basic(k) for k in key):
        return _basic(self, key)
    view, key = _select_first(self, key)
    return apply(IndexBackward0, view, key=_np_key(key, view.shape, xp(view._data)))


def _basic(t, key):
    ndim = t.ndim
    consuming = sum(1 for k in key if k is not None and k is not Ellipsis)
    if ndim == 0 and consuming:
        raise IndexError('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or '
                         '`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number')
    if consuming > ndim:
        raise IndexError(f'too many indices for tensor of dimension {ndim}')
    if all(k == slice(None) or k is Ellipsis for k in key) and len(key) > 1:
        return apply(AliasBackward0, t)        # t[:, :] and t[..., :] alias like t[...]
    out, dim, applied = t, 0, False
    for i, k in enumerate(key):
        if k is Ellipsis:
            dim += ndim - consuming
        elif k is None:
            out = apply(UnsqueezeBackward0, out, dim=dim)
            dim += 1
            applied = True
        elif isinstance(k, int):
            try:
                out = apply(SelectBackward0, out, dim=dim, index=k, from_getitem=True)
            except IndexError:      # PyTorch names the index's position in the key as its dim
                raise IndexError(f'index {k} is out of bounds for dimension {i} with size '
                                 f'{out.shape[dim]}') from None
            applied = True
        else:
            if k != slice(None):
                step = 1 if k.step is None else k.step
                if step <= 0:
                    raise ValueError('slice step cannot be zero' if step == 0 else 'step must be greater than zero')
                out = apply(SliceBackward0, out, dim=dim, start=k.start, stop=k.stop, step=step)
                applied = True
            dim += 1
    if not applied:
        if any(k is Ellipsis for k in key) or ndim == 0:
            return apply(AliasBackward0, t)
        out = apply(SliceBackward0, t, dim=0, start=None, stop=None, step=1)
    return out


# ------------------------------------------------------------------ writes

class CopyBackwards(Op):
    """dst.copy_(src): src broadcast and cast into dst's shape and dtype."""
    any_cast = True
    records_int_target = False      # PyTorch's copy_ tracks only float and complex targets

    def name(self):
        return 'ember::autograd::CopyBackwards'

    def forward(self, dst, src):
        self.src_meta = None if isinstance(src, (int, float, bool, complex)) else (src.shape, src.dtype)
        m = xp(dst)
        if isinstance(src, (int, float, bool, complex)):
            try:
                return m.full(dst.shape, src, dst.dtype)
            except OverflowError:           # an int out of the dtype's range wraps, as in PyTorch
                return m.full(dst.shape, np.array(src).astype(dst.dtype), dst.dtype)
        if src.dtype != dst.dtype:          # complex to real: PyTorch's one-time UserWarning
            src = astype(drop_imag(src, dst.dtype), dst.dtype)
        if src.shape == dst.shape:
            return src.copy() if src is dst else src
        try:
            return m.broadcast_to(src, dst.shape)
        except ValueError:
            if not _can(src.shape, dst.shape):       # PyTorch's message (tensor a: dst, b: src)
                raise broadcast_mismatch((dst.shape, src.shape)) from None
            raise RuntimeError(f'output with shape {list(dst.shape)} doesn\'t match the broadcast shape '
                               f'{list(np.broadcast_shapes(src.shape, dst.shape))}') from None

    def backward(self, g):
        gs = None
        if self.src_meta is not None and self._next[1][0] is not None:
            gs = unbroadcast(g, self.src_meta[0])
            if gs._data.dtype != self.src_meta[1]:
                from .. import _dtype
                gs = gs.to(_dtype._FROM_NP[self.src_meta[1]])
        from .creation import zeros_like
        return zeros_like(g), gs


def _can(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def copy_(self, src, non_blocking=False):
    if src is self and not self._data.flags.writeable:     # PyTorch skips copying a tensor onto itself
        return self
    if isinstance(src, Tensor):
        if src.device != self.device:
            src = src.to(self.device)
        check_overlap(self._data, src._data)
    return apply_inplace(CopyBackwards, self, src)


class ZeroBackward0(Op):
    """zero_(): the old value's gradient is zero."""
    any_cast = True

    def forward_inplace(self, a):
        a.fill(0)
        return True

    def forward(self, a):
        return xp(a).zeros(a.shape, a.dtype)

    def backward(self, g):
        from .creation import zeros_like
        return zeros_like(g)


class FillBackward2(Op):
    """fill_(python number)."""
    any_cast = True

    def forward(self, a, value=0):
        if a.dtype == _F16 and isinstance(value, float):
            value = np.float32(value)       # PyTorch rounds a double into half through float
        return xp(a).full(a.shape, value, a.dtype)

    def backward(self, g):
        from .creation import zeros_like
        return zeros_like(g)


class FillBackward3(Op):
    """fill_(0-dim tensor), and ``t[:] = value`` on the whole tensor (value 0-dim or a number):
    the value's gradient is the sum of the incoming one."""
    any_cast = True

    def forward(self, a, value):
        if not isinstance(value, (int, float, bool, complex)):
            if value.ndim:
                raise RuntimeError('fill_ only supports 0-dimension value tensor but got tensor with '
                                   f'{value.ndim} dimensions.')
            self.vdtype = value.dtype
            if value.dtype != a.dtype:
                value = astype(drop_imag(value, a.dtype), a.dtype)
        m = xp(a)
        if m is np or isinstance(value, (int, float, bool, complex)):
            return m.full(a.shape, value, a.dtype)
        out = m.empty(a.shape, a.dtype)
        out[...] = value
        return out

    def backward(self, g):
        from .creation import zeros_like
        gv = None
        if self._next[1][0] is not None:
            gv = g.sum()
            if gv._data.dtype != self.vdtype:
                from .. import _dtype
                gv = gv.to(_dtype._FROM_NP[self.vdtype])
        return zeros_like(g), gv


def fill_(self, value):
    if isinstance(value, Tensor):
        return apply_inplace(FillBackward3, self, value)
    try:
        value = fit_number(value, self)
    except TypeError:
        from .index_value import bad_fill
        bad_fill('fill_', ('input', 'value'), (self, value))
    return apply_inplace(FillBackward2, self, value=value)


def zero_(self):
    return apply_inplace(ZeroBackward0, self)


class IndexPutBackward0(Op):
    any_cast = True

    def forward(self, a, value, key):
        self.key = key
        self.vmeta = None if isinstance(value, (int, float, bool, complex)) else (value.shape, value.dtype)
        out = a.copy()
        try:
            out[key] = value if isinstance(value, (int, float, bool, complex)) else value.astype(a.dtype, copy=False)
        except IndexError as e:
            raise _translate(e, a.shape) from None
        except ValueError:
            raise RuntimeError(f'shape mismatch: value tensor of shape {list(value.shape)} cannot be '
                               f'broadcast to indexing result of shape {list(a[key].shape)}') from None
        return out

    def backward(self, g):
        from .compare import where
        keep = xp(g._data).ones(g.shape, bool)
        keep[self.key] = False
        ga = where(Tensor._make(keep), g, 0.0)         # zeros written, not g * mask (inf * 0 is nan)
        gv = None
        if self.vmeta is not None and self._next[1][0] is not None:
            gv = unbroadcast(apply(IndexBackward0, g, key=self.key), self.vmeta[0])
            if gv._data.dtype != self.vmeta[1]:        # a one-element value of another dtype (a masked fill)
                from .. import _dtype
                gv = gv.to(_dtype._FROM_NP[self.vmeta[1]])
        return ga, gv


def setitem(self, key, value):
    value = setitem_value(self, value)
    if key.__class__ is bool:           # t[False] = v writes nothing; t[True] = v is t[None] = v
        if not key:
            return
        key = None
    key = tuple(_int_tensor_as_int(k) for k in _as_key(key))
    basic, empty = all(_is_basic(k) for k in key), None
    if not basic and not (isinstance(value, Tensor) and value._data.dtype != self._data.dtype):
        key, basic, empty = bool_scalars(key, self._data.ndim)      # (else index_put's dtype error)
    if basic:
        if whole_key(key, self._data.shape):      # PyTorch writes the tensor itself, not a view of it
            if not isinstance(value, Tensor) or value._data.ndim == 0:
                apply_inplace(FillBackward3, self, value)
                return
            view = self
        else:
            view = _basic(self, key)
            if empty is not None:               # a False 0-dim bool tensor: a new dim of size 0
                view = apply(SliceBackward0, view, dim=empty, start=0, stop=0, step=1)
        if isinstance(value, Tensor) and value._data.ndim:         # (a 0-dim value is a fill)
            shape = view._data.shape
            if value._data.shape != shape:
                value = _fit_value(value, shape)
            check_overlap(view._data, value._data, expand_to=shape)
        elif isinstance(value, Tensor) and view._data.ndim:       # PyTorch fills (copies only same shapes)
            apply_inplace(FillBackward3, view, value)
            return
        apply_inplace(CopyBackwards, view, value)
        return
    view, key = _select_first(self, key)
    mask = masked_fill_key(key)
    one = not isinstance(value, Tensor) or value._data.size == 1
    if one and _byte_mask(mask):
        raise RuntimeError('masked_fill_ only supports boolean masks, but got mask with dtype unsigned char')
    np_key = _np_key(key, view.shape, xp(view._data))
    if isinstance(value, Tensor):
        if value._data.ndim and value._data.shape[0] == 1:
            value = _strip_ones(value)
        masked = one and mask is not None
        check_put_dtype(view, value, np_key, masked)
        if not masked:
            check_overlap(view._data, value._data, full_ok=False)
    apply_inplace(IndexPutBackward0, view, value, key=np_key)


def _byte_mask(k):
    return isinstance(k, Tensor) and k._data.dtype == np.uint8 and k._data.ndim > 0


def _strip_ones(value):
    """``value`` without its leading size-1 dims (a view), as PyTorch reads an assigned value."""
    sizes = value._data.shape
    while sizes and sizes[0] == 1:
        sizes = sizes[1:]
    return value.view(sizes)


def _fit_value(value, shape):
    """``value`` ready to be copied into ``t[key]`` of ``shape``: leading 1s dropped, and PyTorch's
    expand errors when it cannot fill it."""
    if value._data.shape[0] == 1:
        value = _strip_ones(value)
    if value._data.shape != shape:
        from .shape import expand
        from ..autograd import grad_mode
        with grad_mode.no_grad():
            expand(Tensor._make(value._data), shape)
    return value


class NonZero(Op):
    differentiable = False

    def forward(self, a):
        return xp(a).argwhere(a).astype(np.int64)


def nonzero(input, *, as_tuple=False):
    if input.__class__ is not Tensor:           # NumPy would take a list: the parser's TypeError
        need_tensor('nonzero', input)
    idx = apply(NonZero, input)
    if as_tuple:
        if input.ndim == 0:
            return (Tensor._make(xp(input._data).zeros(int(bool(input.item())), np.int64)),)
        return tuple(idx[:, i] for i in range(input.ndim))
    return idx


def argwhere(input):
    """The indices of the nonzero elements, one row per element (``nonzero(input)``)."""
    need_tensor('argwhere', input)
    return nonzero(input)
