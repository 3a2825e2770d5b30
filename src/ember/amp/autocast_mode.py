"""autocast: run the matrix-product and convolution ops of a region in lower precision.

The state is per thread and per device type (enabled flag, dtype), plus a nesting count and
a cache of cast weights, as in PyTorch. The ops that autocast lowers (matmul, mm, bmm,
addmm, baddbmm, addbmm, linear, conv*, conv_transpose*) start with one check of
``state.on`` and, when it is set, hand themselves to ``call``: it casts their floating
inputs (float32/float16/bfloat16, never float64) to the region's dtype with the ordinary
``Tensor.to`` (so autograd records ``ToCopyBackward0``), runs the op with autocast off
(so the ops it is built from are not cast again) and returns a result in that dtype.
The ops of ``op_lists`` (float32 and widest-type lists, per device) check ``state.on`` the
same way, ask ``fp32(name, x)`` / ``promote(name, x)`` whether the device of ``x`` lists
them, and hand themselves to ``call_fp32`` / ``call_promote``.
"""
import collections.abc
import functools
import threading
import warnings

import numpy as np

from .. import _dtype
from . import op_lists
from .op_lists import fp32, promote, lower, plain, run_off  # noqa: F401  (the hooks' list queries)

__all__ = ['autocast_decorator', 'autocast', 'is_autocast_available', 'custom_fwd', 'custom_bwd']

# PyTorch's device types; the autocast ones with their default dtypes
_DEVICE_TYPES = ('cpu', 'cuda', 'ipu', 'xpu', 'mkldnn', 'opengl', 'opencl', 'ideep', 'hip', 've', 'fpga',
                 'maia', 'xla', 'lazy', 'vulkan', 'mps', 'meta', 'hpu', 'mtia', 'privateuseone')
_DEFAULT_DTYPES = {'cpu': 'bfloat16', 'cuda': 'float16', 'xpu': 'float16', 'mps': 'float16', 'hpu': 'bfloat16',
                   'ipu': 'float16', 'xla': 'bfloat16', 'mtia': 'float16', 'maia': 'bfloat16',
                   'privateuseone': 'float16'}
# the fused blas ops autocast lowers on every device (addmv and addr: on CUDA only, op_lists.LOWER)
FUSED = frozenset({'addmm', 'baddbmm', 'addbmm'})


class _State(threading.local):
    on = False          # read by the ops: this thread has an enabled device and is not inside a lowered op

    def __init__(self):
        self.enabled = {}               # device type -> bool
        self.dtypes = {}                # device type -> ember dtype
        self.nesting = 0
        self.cache_enabled = True
        self.cache = {}                 # id(weight) -> (weight, its cast copy)
        self.inside = 0                 # depth of lowered ops running now


state = _State()


def _refresh():
    state.on = not state.inside and any(state.enabled.values())


def _tname(x):
    return 'ember.dtype' if isinstance(x, _dtype.dtype) else type(x).__name__


def _device_type(device_type, fname):
    if not isinstance(device_type, str):
        raise TypeError(f"{fname}(): argument 'device_type' (position 1) must be str, not {_tname(device_type)}")
    kind = device_type.split(':', 1)[0]
    if kind not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: "
                           f'{device_type}')
    if kind not in _DEFAULT_DTYPES:
        raise RuntimeError('unsupported scalarType')
    return kind


# ------------------------------------------------------------------ state queries and setters
def is_autocast_available(device_type):
    """True when autocast supports ``device_type`` ('cpu', 'cuda', 'xpu', ...)."""
    try:
        _device_type(device_type, 'is_autocast_available')
    except RuntimeError as e:
        if str(e) == 'unsupported scalarType':
            return False
        raise
    return True


def is_autocast_enabled(device_type=None):
    """Whether autocast is on for ``device_type`` in this thread (no argument: 'cuda')."""
    kind = 'cuda' if device_type is None else _device_type(device_type, 'is_autocast_enabled')
    return state.enabled.get(kind, False)


def set_autocast_enabled(device_type, enabled=None):
    """``set_autocast_enabled(device_type, enabled)``; the one-argument form sets 'cuda'."""
    if enabled is None:
        device_type, enabled = 'cuda', device_type
        if not isinstance(enabled, bool):
            raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 1) must be bool, not "
                            f'{_tname(enabled)}')
    kind = _device_type(device_type, 'set_autocast_enabled')
    if not isinstance(enabled, bool):
        raise TypeError(f"set_autocast_enabled(): argument 'enabled' (position 2) must be bool, not "
                        f'{_tname(enabled)}')
    state.enabled[kind] = enabled
    _refresh()


def get_autocast_dtype(device_type):
    """The dtype autocast lowers to on ``device_type`` (default bfloat16 on the CPU, float16 on CUDA)."""
    kind = _device_type(device_type, 'get_autocast_dtype')
    dt = state.dtypes.get(kind)
    return getattr(_dtype, _DEFAULT_DTYPES[kind]) if dt is None else dt


def set_autocast_dtype(device_type, dtype):
    kind = _device_type(device_type, 'set_autocast_dtype')
    if not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"set_autocast_dtype(): argument 'dtype' (position 2) must be ember.dtype, not "
                        f'{type(dtype).__name__}')
    state.dtypes[kind] = dtype


def is_autocast_cache_enabled():
    return state.cache_enabled


def set_autocast_cache_enabled(enabled):
    state.cache_enabled = bool(enabled)


def clear_autocast_cache():
    state.cache.clear()


def autocast_increment_nesting():
    state.nesting += 1
    return state.nesting


def autocast_decrement_nesting():
    state.nesting -= 1
    return state.nesting


def _legacy(device, kind):
    """The per-device functions PyTorch keeps with a DeprecationWarning (is_autocast_cpu_enabled, ...)."""
    def warn(old, new):
        warnings.warn(f'ember.{old} is deprecated. Please use ember.{new} instead.', DeprecationWarning,
                      stacklevel=3)

    def is_enabled():
        warn(f'is_autocast_{kind}_enabled()', f"is_autocast_enabled('{device}')")
        return is_autocast_enabled(device)

    def set_enabled(enabled):
        warn(f'set_autocast_{kind}_enabled(enabled)', f"set_autocast_enabled('{device}', enabled)")
        set_autocast_enabled(device, enabled)

    def get_dtype():
        warn(f'get_autocast_{kind}_dtype()', f"get_autocast_dtype('{device}')")
        return get_autocast_dtype(device)

    def set_dtype(dtype):
        warn(f'set_autocast_{kind}_dtype(dtype)', f"set_autocast_dtype('{device}', dtype)")
        set_autocast_dtype(device, dtype)
    fns = {f'is_autocast_{kind}_enabled': is_enabled, f'set_autocast_{kind}_enabled': set_enabled,
           f'get_autocast_{kind}_dtype': get_dtype, f'set_autocast_{kind}_dtype': set_dtype}
    for name, fn in fns.items():
        fn.__name__ = fn.__qualname__ = name
    if kind == 'gpu':                       # PyTorch has no is/set_autocast_gpu_enabled any more
        fns = {n: f for n, f in fns.items() if 'dtype' in n}
    return fns


LEGACY = {**_legacy('cpu', 'cpu'), **_legacy('cuda', 'gpu'), **_legacy('ipu', 'ipu'), **_legacy('xla', 'xla')}
globals().update(LEGACY)

# what ember's top level exposes, as torch does
TOP_LEVEL = ['autocast', 'is_autocast_enabled', 'set_autocast_enabled', 'get_autocast_dtype', 'set_autocast_dtype',
             'is_autocast_cache_enabled', 'set_autocast_cache_enabled', 'clear_autocast_cache',
             'autocast_increment_nesting', 'autocast_decrement_nesting', *LEGACY]


# ------------------------------------------------------------------ the casting hook
def _cast_one(t, Tensor, grad_on):
    """``t`` in the region's dtype when autocast would cast it, else ``t`` itself."""
    if not isinstance(t, Tensor) or t.dtype.np.kind not in 'fV' or t.dtype == _dtype.float64:
        return t
    kind = t.device.type
    if not state.enabled.get(kind, False):
        return t
    target = get_autocast_dtype(kind)
    if t.dtype == target:
        return t
    # weights (float32 leaves that require grad) are cast once per region and reused
    cacheable = (state.cache_enabled and grad_on and t.dtype == _dtype.float32 and t.requires_grad
                 and t.is_leaf and not t._is_view())
    if cacheable:
        hit = state.cache.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
    out = t.to(target)
    if cacheable:
        state.cache[id(t)] = (t, out)
    return out


def call(op, *args, **kwargs):
    """Run ``op`` as autocast does: eligible inputs cast, the op itself with autocast off.

    ``out=`` forms are not lowered (PyTorch's autocast covers the functional forms only)."""
    from .._tensor import Tensor
    from ..autograd import is_grad_enabled
    if kwargs.get('out') is None:
        grad_on = is_grad_enabled()
        args = [_cast_one(a, Tensor, grad_on) for a in args]
        kwargs = {k: _cast_one(v, Tensor, grad_on) for k, v in kwargs.items()}
    return _run_off(op, args, kwargs)


def call_fp32(op, *args, **kwargs):
    """A float32-list op: float16/bfloat16 inputs cast to float32, the op run with autocast off.
    ``out=`` or an explicit ``dtype=`` makes the call ineligible (it runs as given)."""
    if kwargs.get('out') is None and kwargs.get('dtype') is None:
        args, kwargs = op_lists.cast_all(args, kwargs, op_lists.kind_of(*args), _dtype.float32)
    return _run_off(op, args, kwargs)


def call_promote(op, *args, **kwargs):
    """A widest-type-list op: floating inputs cast to the widest type among them, run with autocast off."""
    if kwargs.get('out') is None:
        kind = op_lists.kind_of(*args, *kwargs.values())
        widest = op_lists.widest((*args, *kwargs.values()), kind, get_autocast_dtype(kind))
        args, kwargs = op_lists.cast_all(args, kwargs, kind, widest)
    return _run_off(op, args, kwargs)


def _run_off(op, args, kwargs):
    """``op(*args, **kwargs)`` with autocast off (the ops it is built from are not cast again)."""
    state.inside += 1
    state.on = False
    try:
        out = op(*args, **kwargs)
    finally:
        state.inside -= 1
        _refresh()
    return out


# ------------------------------------------------------------------ the context manager
def autocast_decorator(autocast_instance, func):
    @functools.wraps(func)
    def decorate_autocast(*args, **kwargs):
        with autocast_instance:
            return func(*args, **kwargs)
    return decorate_autocast


class autocast:
    """Context manager (and decorator) for a mixed-precision region on ``device_type``.

    ``dtype`` defaults to ``get_autocast_dtype(device_type)`` (bfloat16 on the CPU, float16 on
    CUDA). The CPU takes bfloat16 and float16; other dtypes warn and leave autocast off, and so
    does 'cuda' without a GPU. ``enabled=False`` turns autocast off inside an enabled region.
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f'Expected `device_type` of type `str`, got: `{type(device_type)}`')
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(self.device):
            raise RuntimeError(f"User specified an unsupported autocast device_type '{self.device}'")
        supported = [_dtype.bfloat16, _dtype.float16]
        self._cache_enabled = is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        name = self.device.upper()
        if enabled:
            if self.device == 'cuda':
                from .. import cuda
                if not cuda.is_available():
                    warnings.warn('CUDA is not available or torch_xla is imported. Disabling autocast.',
                                  stacklevel=2)
                    enabled = False
                elif self.fast_dtype == _dtype.bfloat16 and not getattr(cuda, 'is_bf16_supported', lambda: True)():
                    raise RuntimeError('Current CUDA Device does not support bfloat16. Please switch dtype to '
                                       'float16.')
            elif self.fast_dtype not in supported:
                warnings.warn(f'In {name} autocast, but the target dtype is not supported. Disabling autocast.\n'
                              f'{name} Autocast only supports dtypes of ' + ', '.join(map(str, supported))
                              + ' currently.', stacklevel=2)
                enabled = False
        self._enabled = enabled

    def __enter__(self):
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        # leaving the outermost region drops the cast-weight cache
        if autocast_decrement_nesting() == 0:
            clear_autocast_cache()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        if not callable(func):
            raise TypeError(f'autocast()(func) requires a callable, but got {type(func).__name__}. '
                            f'Did you mean to use autocast as a context manager? For example:\n'
                            f'    with ember.autocast(device_type=...):\n'
                            f'        output = model(input)')
        return autocast_decorator(self, func)


# ------------------------------------------------------------------ custom autograd Functions
def _cast(value, device_type, dtype):
    """Tensors (also inside lists, tuples, dicts) cast to ``dtype`` when floating, not float64 and on
    ``device_type``; strings and NumPy arrays pass through."""
    from .._tensor import Tensor
    if isinstance(value, Tensor):
        ok = value.is_floating_point() and value.device.type == device_type and value.dtype != _dtype.float64
        return value.to(dtype) if ok else value
    if isinstance(value, (str, bytes, np.ndarray)):
        return value
    if isinstance(value, collections.abc.Mapping):
        return {_cast(k, device_type, dtype): _cast(v, device_type, dtype) for k, v in value.items()}
    if isinstance(value, collections.abc.Iterable):
        items = (_cast(v, device_type, dtype) for v in value)
        return type(value)(items) if isinstance(value, (list, tuple)) else items
    return value


def custom_fwd(fwd=None, *, device_type, cast_inputs=None):
    """Decorator for a custom Function's ``forward``: with ``cast_inputs``, inside an enabled
    region the floating inputs are cast to it and forward runs with autocast off."""
    if not isinstance(device_type, str):
        raise ValueError(f'Expected `device_type` of type `str`, got: `{type(device_type)}`')
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        args[0]._dtype = get_autocast_dtype(device_type)
        if cast_inputs is None:
            args[0]._fwd_used_autocast = is_autocast_enabled(device_type)
            return fwd(*args, **kwargs)
        on = is_autocast_enabled(device_type)
        args[0]._fwd_used_autocast = False
        if on:
            with autocast(device_type=device_type, enabled=False):
                return fwd(*_cast(args, device_type, cast_inputs), **_cast(kwargs, device_type, cast_inputs))
        return fwd(*args, **kwargs)
    return decorate_fwd


def custom_bwd(bwd=None, *, device_type):
    """Decorator for a custom Function's ``backward``: runs it with forward's autocast state."""
    if not isinstance(device_type, str):
        raise ValueError(f'Expected `device_type` of type `str`, got: `{type(device_type)}`')
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        with autocast(device_type=device_type, enabled=args[0]._fwd_used_autocast, dtype=args[0]._dtype):
            return bwd(*args, **kwargs)
    return decorate_bwd


# ------------------------------------------------------------------ ember.cuda.amp's deprecated forms
def _deprecated(old, new):
    warnings.warn(f'`ember.cuda.amp.{old}(args...)` is deprecated. Please use `ember.amp.{new}` instead.',
                  FutureWarning, stacklevel=3)


class CudaAutocast(autocast):
    """``ember.cuda.amp.autocast(enabled, dtype, cache_enabled)``: deprecated spelling of
    ``ember.amp.autocast('cuda', ...)``."""

    def __init__(self, enabled=True, dtype=_dtype.float16, cache_enabled=True):
        _deprecated('autocast', "autocast('cuda', args...)")
        super().__init__('cuda', enabled=enabled, dtype=dtype, cache_enabled=cache_enabled)


CudaAutocast.__name__ = CudaAutocast.__qualname__ = 'autocast'
CudaAutocast.__module__ = 'ember.cuda.amp'


def cuda_custom_fwd(fwd=None, *, cast_inputs=None):
    _deprecated('custom_fwd', "custom_fwd(args..., device_type='cuda')")
    return custom_fwd(fwd, device_type='cuda', cast_inputs=cast_inputs)


def cuda_custom_bwd(bwd):
    _deprecated('custom_bwd', "custom_bwd(args..., device_type='cuda')")
    return custom_bwd(bwd, device_type='cuda')
