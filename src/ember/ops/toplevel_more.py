"""Top-level functions PyTorch users call that ember lacked: ``gradient`` (numerical derivative),
``frombuffer``, ``set_default_tensor_type`` (deprecated but in many older scripts), the function
forms of in-place methods (``torch.clamp_(x, 0, 1)``), ``adjoint``, and small runtime queries."""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .argcheck import bad_input, need_tensor

__all__ = ['gradient', 'frombuffer', 'set_default_tensor_type', 'get_device', 'is_inference', 'adjoint', 'fill',
           'nuclear_norm', 'frobenius_norm', 'set_flush_denormal', 'init_num_threads', 'has_lapack', 'has_mkl',
           'has_openmp', 'has_spectral', 'get_deterministic_debug_mode', 'set_deterministic_debug_mode',
           'set_warn_always', 'is_warn_always_enabled']

has_lapack = True          # NumPy's linalg
has_mkl = False            # ember calls no MKL itself
has_openmp = False
has_spectral = False       # no ember.fft yet


# ------------------------------------------------------------------ gradient

def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimate df/dx along each of ``dim`` by central differences (one- or two-sided at the
    edges, accuracy ``edge_order``), as a tuple with one tensor per dimension."""
    from .shape import wrap_dim
    if edge_order not in (1, 2):
        raise RuntimeError('ember.gradient only supports edge_order=1 and edge_order=2.')
    if dim is None:
        dims = list(range(input.dim()))
    else:
        dims = [wrap_dim(d, input.dim()) for d in ([dim] if isinstance(dim, int) else dim)]
        for i, d in enumerate(dims):
            if d in dims[:i]:
                raise RuntimeError(f'dim {d} appears multiple times in the list of dims')
    steps = _spacings(spacing, dims, dim is None, input.dim())
    if not input.is_floating_point():
        if input._data.dtype == np.bool_:
            raise RuntimeError('Subtraction, the `-` operator, with two bool tensors is not supported. Use the '
                               '`^` or `logical_xor()` operator instead.')
        input = input.to(_dtype.get_default_dtype())
    for d in dims:
        if input.shape[d] < edge_order + 1:
            raise RuntimeError('ember.gradient expected each dimension size to be at least edge_order+1')
    return tuple(_along(input, d, h, edge_order) for d, h in zip(dims, steps))


def _spacings(spacing, dims, no_dim, ndim):
    if isinstance(spacing, (list, tuple)):
        if len(spacing) != len(dims):
            if no_dim:
                raise RuntimeError("ember.gradient expected spacing to be unspecified, a scalar, or a list of length "
                                   f"equal to 'self.dim() = {ndim}', since dim argument was not given, but got a "
                                   f'list of length {len(spacing)}')
            raise RuntimeError("ember.gradient expected spacing to be unspecified, a scalar or it's spacing and dim "
                               f'arguments to have the same length, but got a spacing argument of length '
                               f'{len(spacing)} and a dim argument of length {len(dims)}.')
        for s in spacing:
            if isinstance(s, Tensor) and s.dim() != 1:
                raise RuntimeError('ember.gradient expected each element of spacing to have one dimension, but got '
                                   f'an element with {s.dim()} dimensions!')
        return list(spacing)
    if isinstance(spacing, Tensor):
        spacing = spacing.item()
    return [spacing] * len(dims)


def _along(f, d, h, order):
    """df/dx along dimension d: h is a step (number) or the coordinates (a 1-D tensor)."""
    from .join import cat
    n = f.shape[d]

    def at(a, b):
        return f.narrow(d, a, b - a)
    if not isinstance(h, Tensor):
        mid = (at(2, n) - at(0, n - 2)) / (2 * h)
        if order == 1:
            first, last = (at(1, 2) - at(0, 1)) / h, (at(n - 1, n) - at(n - 2, n - 1)) / h
        else:
            first = (at(0, 1) * -1.5 + at(1, 2) * 2 - at(2, 3) * 0.5) / h
            last = (at(n - 3, n - 2) * 0.5 - at(n - 2, n - 1) * 2 + at(n - 1, n) * 1.5) / h
        return cat([first, mid, last], d)
    shape = [1] * f.dim()
    shape[d] = -1
    x = h.to(f.dtype).reshape(shape)
    dx = x.narrow(d, 1, n - 1) - x.narrow(d, 0, n - 1)
    hl, hr = dx.narrow(d, 0, n - 2), dx.narrow(d, 1, n - 2)
    mid = (hl * hl * at(2, n) - hr * hr * at(0, n - 2) + (hr * hr - hl * hl) * at(1, n - 1)) / (hl * hr * (hl + hr))
    d0, d1 = dx.narrow(d, 0, 1), dx.narrow(d, n - 2, 1)
    if order == 1:
        first, last = (at(1, 2) - at(0, 1)) / d0, (at(n - 1, n) - at(n - 2, n - 1)) / d1
    else:
        a, b = d0, dx.narrow(d, 1, 1)
        first = (-(2 * a + b) / (a * (a + b)) * at(0, 1) + (a + b) / (a * b) * at(1, 2)
                 - a / (b * (a + b)) * at(2, 3))
        a, b = dx.narrow(d, n - 3, 1), d1
        last = (b / (a * (a + b)) * at(n - 3, n - 2) - (a + b) / (a * b) * at(n - 2, n - 1)
                + (2 * b + a) / (b * (a + b)) * at(n - 1, n))
    return cat([first, mid, last], d)


# ------------------------------------------------------------------ creation and defaults

_BUFFER_WARNED = [False]


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the memory of a Python buffer (bytes, bytearray, array.array, ...), shared."""
    d = _dtype.to_dtype(dtype)
    view = memoryview(buffer)
    length = view.nbytes
    if length == 0 or count == 0:
        raise ValueError(f'both buffer length ({length}) and count ({count}) must not be 0')
    if not 0 <= offset < length:
        raise ValueError(f'offset ({offset} bytes) must be non-negative and no greater than buffer length '
                         f'({length} bytes) minus 1')
    item = np.dtype(d.np).itemsize
    if count < 0:
        if (length - offset) % item:
            raise ValueError(f'buffer length ({length - offset} bytes) after offset ({offset} bytes) must be a '
                             f'multiple of element size ({item})')
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(f'requested buffer length ({count} * {item} bytes) after offset ({offset} bytes) must '
                         f'not be greater than actual buffer length ({length} bytes)')
    if view.readonly and not _BUFFER_WARNED[0]:
        _BUFFER_WARNED[0] = True
        warnings.warn('The given buffer is not writable, and PyTorch does not support non-writable tensors. This '
                      'means you can write to the underlying (supposedly non-writable) buffer using the tensor. '
                      'You may want to copy the buffer to protect its data or make it writable before converting '
                      'it to a tensor. This type of warning will be suppressed for the rest of this program.',
                      UserWarning, stacklevel=2)
    arr = np.frombuffer(buffer, dtype=d.np, count=count, offset=offset)
    if not arr.flags.writeable:     # a read-only buffer (bytes): ember tensors must be writable, so a copy
        arr = arr.copy()
    t = Tensor._make(arr)
    return t.requires_grad_(requires_grad) if requires_grad else t


_TENSOR_TYPE_WARNED = [False]


def set_default_tensor_type(t):
    """Deprecated in PyTorch 2.1: the default dtype (and device, for ember.cuda.* types) from a legacy
    type or its name."""
    from .legacy import parse_type_name
    if not _TENSOR_TYPE_WARNED[0]:          # PyTorch warns once per process
        _TENSOR_TYPE_WARNED[0] = True
        warnings.warn('ember.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use '
                      'ember.set_default_dtype() and ember.set_default_device() as alternatives.', UserWarning,
                      stacklevel=2)
    d, cuda = parse_type_name(t) if isinstance(t, str) else (t._legacy_dtype, t.is_cuda)
    if cuda:
        from .._backend import cuda_reason
        if cuda_reason() is not None:
            raise TypeError(f'type ember.cuda.{d.legacy} not available. Torch not compiled with CUDA enabled.')
    if not d.is_floating_point:
        raise TypeError('only floating-point types are supported as the default type')
    from .. import set_default_dtype, set_default_device
    set_default_dtype(d)
    set_default_device('cuda' if cuda else None)


def get_device(input):
    try:
        return input.get_device()
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('get_device', (input,))


def is_inference(input):
    try:
        return input.is_inference()
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('is_inference', (input,))


def adjoint(input):
    """The conjugate transpose of the last two dimensions (a view; real tensors: ``mT``)."""
    try:
        if input.dim() < 2:
            raise RuntimeError('tensor.adjoint() is only supported on matrices or batches of matrices. Got '
                               f'{input.dim()}-D tensor.')
        return input.mH
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('adjoint', (input,))


def fill(input, value):
    """A new tensor shaped like ``input``, every element ``value`` (out of place)."""
    return input.clone().fill_(value)


def nuclear_norm(input, dim=None, keepdim=False):
    need_tensor('nuclear_norm', input)
    warnings.warn("at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be removed in "
                  "a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, keepdim)` instead",
                  UserWarning, stacklevel=2)
    from .. import linalg
    return linalg.matrix_norm(input, 'nuc', (-2, -1) if dim is None else dim, keepdim)


def frobenius_norm(input, dim=None, keepdim=False):
    need_tensor('frobenius_norm', input)
    warnings.warn('at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be removed '
                  'in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, keepdim)` instead',
                  UserWarning, stacklevel=2)
    from .. import linalg
    return linalg.vector_norm(input, 2., dim, keepdim)


# ------------------------------------------------------------------ runtime switches

_WARN_ALWAYS = [False]


def set_warn_always(b):
    """Warnings PyTorch gives once per process are given every time (the flag; ember's once-only
    warnings use Python's default filter)."""
    _WARN_ALWAYS[0] = bool(b)


def is_warn_always_enabled():
    return _WARN_ALWAYS[0]


def set_flush_denormal(mode):
    """Whether denormal floats are flushed to zero: NumPy gives ember no switch for it (False)."""
    if type(mode) is not bool:
        from .argcheck import type_name
        raise RuntimeError(f'flush_denormal expects a bool, but got {type_name(mode)}')
    return False


def init_num_threads():
    """Nothing to set up: ember's threads are NumPy's BLAS threads."""


def get_deterministic_debug_mode():
    from .. import are_deterministic_algorithms_enabled, is_deterministic_algorithms_warn_only_enabled
    if not are_deterministic_algorithms_enabled():
        return 0
    return 1 if is_deterministic_algorithms_warn_only_enabled() else 2


def set_deterministic_debug_mode(debug_mode):
    from .. import use_deterministic_algorithms
    if isinstance(debug_mode, str):
        names = {'default': 0, 'warn': 1, 'error': 2}
        if debug_mode not in names:
            raise RuntimeError('invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got '
                               f'{debug_mode}')
        debug_mode = names[debug_mode]
    elif not isinstance(debug_mode, int) or isinstance(debug_mode, bool):
        raise TypeError(f'debug_mode must be str or int, but got {type(debug_mode)}')
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f'invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}')
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


# ------------------------------------------------------------------ function forms of in-place methods

def _inplace_function(name):
    def fn(input, *args, **kwargs):
        try:
            method = getattr(input, name)
        except AttributeError:                  # not a tensor: the parser's TypeError
            bad_input(name, (input,) + args, kwargs)
        return method(*args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f'``input.{name}(...)`` as a function.'
    return fn


_INPLACE = ('abs_', 'clamp_', 'clamp_max_', 'clamp_min_', 'clip_', 'cos_', 'sin_', 'detach_', 'expm1_', 'log_',
            'log10_', 'log1p_', 'log2_', 'neg_', 'negative_', 'reciprocal_', 'rsqrt_', 'sqrt_', 'square_', 'zero_',
            'fill_', 'index_put_')
globals().update({_n: _inplace_function(_n) for _n in _INPLACE})
__all__ += list(_INPLACE)
METHODS = {'adjoint': adjoint}
