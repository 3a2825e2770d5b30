"""The private helpers of ``torch.optim.optimizer`` that hand-written optimizers copy from
PyTorch's own (``@_use_grad_for_differentiable def step(...)``, ``_get_value(state['step'])``,
...); ``ember.optim.optimizer`` re-exports them under the same names."""
from collections.abc import Iterable

from .._tensor import Tensor
from ..autograd.grad_mode import is_grad_enabled, _set_enabled

__all__ = ['ParamsT', '_use_grad_for_differentiable', '_get_value', '_stack_if_compiling',
           '_default_to_fused_or_foreach', '_view_as_real', '_get_scalar_dtype', '_to_scalar']

ParamsT = Iterable      # (PyTorch's type alias: an iterable of tensors, of dicts, or of (name, tensor))

_FUSED_DEVICES = ('cpu', 'cuda')     # PyTorch's device types with fused / foreach optimizer kernels
_FOREACH_DEVICES = ('cuda',)


class _RequiredParameter:
    def __repr__(self):
        return '<required parameter>'


required = _RequiredParameter()       # a default that a parameter group must set (torch.optim.optimizer.required)


def _use_grad_for_differentiable(step):
    """Run ``step`` with grad mode set to the optimizer's ``defaults['differentiable']`` (a
    KeyError when the defaults lack it, as in PyTorch), then restore the caller's mode."""
    def _use_grad(*args, **kwargs):
        prev = is_grad_enabled()
        try:
            _set_enabled(args[0].defaults['differentiable'])
            return step(*args, **kwargs)
        finally:
            _set_enabled(prev)
    for attr in ('__module__', '__name__', '__qualname__', '__doc__'):
        setattr(_use_grad, attr, getattr(step, attr, None))
    _use_grad.__dict__.update(getattr(step, '__dict__', {}))
    _use_grad.__wrapped__ = step
    return _use_grad


def _get_value(x):
    """A step count or hyperparameter as a Python number (``.item()`` of a tensor)."""
    return x.item() if isinstance(x, Tensor) else x


def _stack_if_compiling(x):
    """Only stacks under torch.compile's tracing, which ember never does: ``x`` unchanged."""
    return x


def _kernel_ready(p, devices, floating):
    from ..nn.parameter import Parameter
    return p is None or (type(p) in (Tensor, Parameter) and p.device.type in devices
                         and (not floating or p.is_floating_point()))


def _default_to_fused_or_foreach(params, differentiable, use_fused=False):
    """``(fused, foreach)`` defaults: both False when differentiable; fused when asked for and
    every parameter is a floating tensor on a fused-kernel device; else foreach when every
    parameter is on a foreach-kernel device (so on the CPU: ``(False, False)``)."""
    if differentiable:
        return False, False
    fused = bool(use_fused) and all(_kernel_ready(p, _FUSED_DEVICES, True) for p in params)
    foreach = not fused and all(_kernel_ready(p, _FOREACH_DEVICES, False) for p in params)
    return fused, foreach


def _view_as_real(params, *state_and_grads):
    """In place in the lists: each complex parameter, and its entries in the other lists, as its
    real view (..., 2)."""
    from ..ops.complex_views import view_as_real
    for i, p in enumerate(params):
        if p.is_complex():
            params[i] = view_as_real(p)
            for lst in state_and_grads:
                lst[i] = view_as_real(lst[i])


def _get_scalar_dtype(is_fused=None):
    """The dtype of step counters: float32 for fused kernels, else float64 only when that is the
    default dtype."""
    from .. import _dtype
    if is_fused:
        return _dtype.float32
    return _dtype.float64 if _dtype.get_default_dtype() == _dtype.float64 else _dtype.float32


def _to_scalar(x):
    """A hyperparameter tensor with dims (one element) squeezed to 0-dim; anything else as is."""
    return x.squeeze() if isinstance(x, Tensor) and x.dim() != 0 else x
