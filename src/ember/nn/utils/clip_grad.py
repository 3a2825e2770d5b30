"""Gradient clipping: clip_grad_norm_ (scale all gradients so their joint norm is at most
max_norm), clip_grad_value_ (clamp each gradient element) and their building blocks
get_total_norm / clip_grads_with_norm_. ``foreach`` is accepted and ignored (one loop)."""
import functools
import types
import warnings

import numpy as np

from ...autograd.grad_mode import no_grad
from ..._tensor import Tensor

__all__ = ['clip_grad_norm', 'clip_grad_norm_', 'clip_grad_value_', 'get_total_norm', 'clip_grads_with_norm_']


def _no_grad(fn):
    """No graph, and no NumPy warnings for non-finite norms (PyTorch computes them silently)."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with no_grad(), np.errstate(divide='ignore', invalid='ignore', over='ignore'):
            return fn(*args, **kwargs)
    return wrapper


@_no_grad
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of ``tensors`` (= the norm of all their elements together)."""
    from ...linalg import vector_norm
    from ... import tensor, stack
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    first_device = tensors[0].device
    norms = [vector_norm(t, norm_type).to(first_device) for t in tensors]
    total = vector_norm(stack(norms), norm_type)
    if error_if_nonfinite and bool(total.isnan() | total.isinf()):
        raise RuntimeError(f'The total norm of order {norm_type} for gradients from `parameters` is non-finite, '
                           'so it cannot be clipped. To disable this error and scale the gradients by the '
                           'non-finite norm anyway, set `error_if_nonfinite=False`')
    return total


@_no_grad
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale every ``.grad`` by min(1, max_norm / (total_norm + 1e-6)), in place."""
    parameters = [parameters] if isinstance(parameters, Tensor) else parameters
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    if not isinstance(total_norm, Tensor):      # PyTorch clamps max_norm / (total_norm + 1e-6) with ember.clamp
        raise TypeError(f'clamp() received an invalid combination of arguments - got '
                        f'({type(max_norm / (total_norm + 1e-6)).__name__}, max=float), but expected one of:')
    coef = (float(max_norm) / (total_norm + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.to(g.device))


@_no_grad
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Clip the gradients of ``parameters`` to a joint norm of at most ``max_norm``; returns
    their total norm before clipping (a 0-dim tensor)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn('`parameters` is an empty generator, no gradient clipping will occur.', stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn('`ember.nn.utils.clip_grad_norm` is now deprecated in favor of '
                  '`ember.nn.utils.clip_grad_norm_`.', FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@_no_grad
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            p.grad.clamp_(min=-clip_value, max=clip_value)
