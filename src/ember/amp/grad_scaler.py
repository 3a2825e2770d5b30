"""GradScaler: dynamic loss scaling for mixed-precision training (``ember.amp.GradScaler``).

The loss is multiplied by a scale before backward so small low-precision gradients do not
flush to zero; before the optimizer step the gradients are divided by it again and checked
for inf/NaN. A step with a non-finite gradient is skipped and the scale backs off; after
``growth_interval`` clean steps in a row the scale grows. The scale is a float32 0-dim
tensor and the clean-step count an int32 one, both made on the device of the first tensor
passed to ``scale`` (the arithmetic follows PyTorch's: float32 scale, factors applied in
double precision and rounded back to float32).
"""
import inspect
import warnings
from collections import abc, defaultdict
from enum import Enum

import numpy as np

import ember

__all__ = ['OptState', 'GradScaler']


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_optimizer_state():
    # module-level (not a lambda) so a GradScaler stays picklable
    return {'stage': OptState.READY, 'found_inf_per_device': {}}


class _PerDevice:
    """One tensor, copied on demand to each device that asks for it (copies are kept)."""

    def __init__(self, master):
        self.master = master
        self.copies = {}

    def get(self, device):
        t = self.copies.get(device)
        if t is None:
            t = self.copies[device] = self.master.to(device=device, copy=True)
        return t


def _amp_definitely_not_available():
    return not ember.cuda.is_available()


def _unscale_and_check(grads, found_inf, inv_scale):
    """Multiplies each gradient in place by ``inv_scale`` and sets ``found_inf`` to 1 when any
    gradient held an inf or NaN (checked before scaling). Low-precision gradients are scaled in
    float32 and rounded back; float64 ones in float64."""
    from ..ops._promote import xp
    inv = float(inv_scale.item())
    for g in grads:
        data = g._data
        wide = data.astype(np.float64 if data.dtype == np.float64 else np.float32, copy=False)
        if not bool(xp(data).isfinite(wide).all()):
            found_inf.fill_(1.0)
        if inv != 1.0:
            data[...] = (wide * wide.dtype.type(inv)).astype(data.dtype, copy=False)
            g._vc[0] += 1


class GradScaler:
    """Scales losses, unscales gradients, skips steps with inf/NaN gradients, adapts the scale.

    Typical loop::

        scaler = ember.amp.GradScaler('cpu')
        for x, y in data:
            optimizer.zero_grad()
            loss = loss_fn(model(x), y)
            scaler.scale(loss).backward()
            scaler.step(optimizer)        # unscales, then steps unless a gradient is inf/NaN
            scaler.update()               # backs off after a skip, grows after growth_interval clean steps

    With ``device='cuda'`` and no usable GPU the scaler warns and disables itself; a disabled
    scaler passes everything through (``scale(x)`` is ``x``, ``step`` is ``optimizer.step``).
    """

    def __init__(self, device='cuda', init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == 'cuda' and enabled and _amp_definitely_not_available():
            warnings.warn('ember.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.',
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError('The growth factor must be > 1.0.')
            if backoff_factor >= 1.0:
                raise AssertionError('The backoff factor must be < 1.0.')
            self._init_scale = init_scale
            self._scale = None                 # made by the first scale() call, on its tensor's device
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = defaultdict(_fresh_optimizer_state)

    # ------------------------------------------------------------------ internals
    def _check_scale_growth_tracker(self, funcname):
        fix = 'This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.'
        if self._scale is None:
            raise AssertionError(f'Attempted {funcname} but _scale is None.  ' + fix)
        if self._growth_tracker is None:
            raise AssertionError(f'Attempted {funcname} but _growth_tracker is None.  ' + fix)
        return self._scale, self._growth_tracker

    def _lazy_init_scale_growth_tracker(self, dev):
        if self._growth_tracker is not None:
            raise AssertionError('_growth_tracker initialized before _scale')
        self._scale = ember.full((), self._init_scale, dtype=ember.float32, device=dev)
        self._growth_tracker = ember.full((), self._init_growth_tracker, dtype=ember.int32, device=dev)

    def _get_scale_async(self):
        return self._scale

    def _get_growth_tracker(self):
        if self._enabled:
            return self._init_growth_tracker if self._growth_tracker is None else int(self._growth_tracker.item())
        return 0

    # ------------------------------------------------------------------ scale
    def scale(self, outputs):
        """``outputs`` (a tensor, or nested lists/tuples/iterables of tensors) times the scale."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, ember.Tensor):
            if self._scale is None:
                self._lazy_init_scale_growth_tracker(outputs.device)
            return outputs * self._scale.to(device=outputs.device, non_blocking=True)
        stash = []

        def apply_scale(val):
            if isinstance(val, ember.Tensor):
                if not stash:
                    if self._scale is None:
                        self._lazy_init_scale_growth_tracker(val.device)
                    stash.append(_PerDevice(self._scale))
                return val * stash[0].get(val.device)
            if isinstance(val, abc.Iterable):
                scaled = map(apply_scale, val)
                return type(val)(scaled) if isinstance(val, (list, tuple)) else scaled
            raise ValueError('outputs must be a Tensor or an iterable of Tensors')

        return apply_scale(outputs)

    # ------------------------------------------------------------------ unscale
    def _unscale_grads_(self, optimizer, inv_scale, found_inf, allow_fp16):
        inv_per_dev, found_per_dev = _PerDevice(inv_scale), _PerDevice(found_inf)
        groups = defaultdict(lambda: defaultdict(list))       # device -> dtype -> grads
        with ember.no_grad():
            for group in optimizer.param_groups:
                for param in group['params']:
                    if not isinstance(param, ember.Tensor):
                        raise AssertionError(f'expected param to be ember.Tensor, got {type(param).__name__}')
                    if param.grad is None:
                        continue
                    if not allow_fp16 and param.grad.dtype == ember.float16:
                        raise ValueError('Attempting to unscale FP16 gradients.')
                    groups[param.grad.device][param.grad.dtype].append(param.grad)
            for device, per_dtype in groups.items():
                for grads in per_dtype.values():
                    _unscale_and_check(grads, found_per_dev.get(device), inv_per_dev.get(device))
        return found_per_dev.copies

    def unscale_(self, optimizer):
        """Divides the gradients of ``optimizer``'s parameters by the scale, in place (once per step)."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker('unscale_')
        state = self._per_optimizer_states[id(optimizer)]
        if state['stage'] is OptState.UNSCALED:
            raise RuntimeError('unscale_() has already been called on this optimizer since the last update().')
        if state['stage'] is OptState.STEPPED:
            raise RuntimeError('unscale_() is being called after step().')
        # the reciprocal is taken in double precision, then rounded to float32 (as PyTorch does)
        inv_scale = self._scale.double().reciprocal().float()
        found_inf = ember.full((), 0.0, dtype=ember.float32, device=self._scale.device)
        state['found_inf_per_device'] = self._unscale_grads_(optimizer, inv_scale, found_inf, False)
        state['stage'] = OptState.UNSCALED

    def _check_inf_per_device(self, optimizer):
        scale, _ = self._check_scale_growth_tracker('_check_inf_per_device')
        one = ember.full((), 1.0, dtype=ember.float32, device=scale.device)
        found_inf = ember.full((), 0.0, dtype=ember.float32, device=scale.device)
        state = self._per_optimizer_states[id(optimizer)]
        state['found_inf_per_device'] = self._unscale_grads_(optimizer, one, found_inf, True)
        return state['found_inf_per_device']

    def _found_inf_per_device(self, optimizer):
        return self._per_optimizer_states[id(optimizer)]['found_inf_per_device']

    # ------------------------------------------------------------------ step / update
    def _maybe_opt_step(self, optimizer, state, *args, **kwargs):
        if not sum(v.item() for v in state['found_inf_per_device'].values()):
            return optimizer.step(*args, **kwargs)
        return None

    def step(self, optimizer, *args, **kwargs):
        """Unscales (unless ``unscale_`` already did) and runs ``optimizer.step(*args, **kwargs)``
        when every gradient is finite; returns its result, or None when the step was skipped."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if 'closure' in kwargs:
            raise RuntimeError('Closure use is not currently supported if GradScaler is enabled.')
        self._check_scale_growth_tracker('step')
        state = self._per_optimizer_states[id(optimizer)]
        if state['stage'] is OptState.STEPPED:
            raise RuntimeError('step() has already been called since the last update().')
        if getattr(optimizer, '_step_supports_amp_scaling', False):
            return self._step_custom(optimizer, state, args, kwargs)
        if state['stage'] is OptState.READY:
            self.unscale_(optimizer)
        if len(state['found_inf_per_device']) == 0:
            raise AssertionError('No inf checks were recorded for this optimizer.')
        retval = self._maybe_opt_step(optimizer, state, *args, **kwargs)
        state['stage'] = OptState.STEPPED
        return retval

    def _step_custom(self, optimizer, state, args, kwargs):
        """Optimizers that handle scaling themselves get ``grad_scaler=self`` (old contract) or the
        ``grad_scale`` and ``found_inf`` attributes for the duration of their step."""
        takes_scaler = 'grad_scaler' in inspect.signature(optimizer.step).parameters
        if takes_scaler:
            warnings.warn('GradScaler is going to stop passing itself as a keyword argument to the passed '
                          'optimizer. In the near future GradScaler registers `grad_scale: Tensor` and '
                          '`found_inf: Tensor` to the passed optimizer and let the optimizer use them directly.',
                          FutureWarning, stacklevel=3)
            kwargs.update({'grad_scaler': self})
        else:
            if state['stage'] is OptState.READY:
                self._check_inf_per_device(optimizer)
            scale = self._get_scale_async()
            found_inf = sum(t.to(scale.device) for t in state['found_inf_per_device'].values())
            optimizer.grad_scale = (getattr(optimizer, 'grad_scale', None) if state['stage'] == OptState.UNSCALED
                                    else scale * getattr(optimizer, 'grad_scale', 1))
            optimizer.found_inf = found_inf
        retval = optimizer.step(*args, **kwargs)
        state['stage'] = OptState.STEPPED
        if not takes_scaler:
            del optimizer.grad_scale
            del optimizer.found_inf
        return retval

    def update(self, new_scale=None):
        """Backs the scale off if any step this iteration saw inf/NaN, grows it after
        ``growth_interval`` clean iterations in a row; or sets it to ``new_scale``."""
        if not self._enabled:
            return
        scale, tracker = self._check_scale_growth_tracker('update')
        if new_scale is not None:
            if isinstance(new_scale, float):
                scale.fill_(new_scale)
            else:
                reason = ('new_scale should be a float or a 1-element ember.cuda.FloatTensor or '
                          'ember.FloatTensor with requires_grad=False.')
                if new_scale.device.type != self._device:
                    raise AssertionError(reason)
                if new_scale.numel() != 1:
                    raise AssertionError(reason)
                if new_scale.requires_grad is True:
                    raise AssertionError(reason)
                scale.copy_(new_scale)
        else:
            found_infs = [f.to(device=scale.device) for st in self._per_optimizer_states.values()
                          for f in st['found_inf_per_device'].values()]
            if len(found_infs) == 0:
                raise AssertionError('No inf checks were recorded prior to update.')
            self._update_scale(scale, tracker, sum(float(f.item()) for f in found_infs))
        self._per_optimizer_states = defaultdict(_fresh_optimizer_state)

    def _update_scale(self, scale, tracker, found_inf):
        """PyTorch's update rule: float32 scale times a double factor, rounded back to float32."""
        current = float(scale.item())
        if found_inf:
            scale.fill_(float(np.float32(current * self._backoff_factor)))
            tracker.fill_(0)
            return
        successful = int(tracker.item()) + 1
        if successful == self._growth_interval:
            grown = np.float32(current * self._growth_factor)
            if np.isfinite(grown):
                scale.fill_(float(grown))
            tracker.fill_(0)
        else:
            tracker.fill_(successful)

    # ------------------------------------------------------------------ getters and setters
    def get_scale(self):
        """The current scale as a Python float (1.0 when disabled)."""
        if self._enabled:
            scale = self._get_scale_async()
            return self._init_scale if scale is None else float(scale.item())
        return 1.0

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def is_enabled(self):
        return self._enabled

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self):
        """scale, growth_factor, backoff_factor, growth_interval, _growth_tracker ({} when disabled)."""
        if self._enabled:
            return {'scale': self.get_scale(), 'growth_factor': self._growth_factor,
                    'backoff_factor': self._backoff_factor, 'growth_interval': self._growth_interval,
                    '_growth_tracker': self._get_growth_tracker()}
        return {}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError('The source state dict is empty, possibly because it was saved '
                               'from a disabled instance of GradScaler.')
        self._init_scale = state_dict['scale']
        if self._scale is not None:
            self._scale.fill_(state_dict['scale'])
        self._growth_factor = state_dict['growth_factor']
        self._backoff_factor = state_dict['backoff_factor']
        self._growth_interval = state_dict['growth_interval']
        self._init_growth_tracker = state_dict['_growth_tracker']
        if self._growth_tracker is not None:
            self._growth_tracker.fill_(state_dict['_growth_tracker'])

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if len(self._per_optimizer_states) != 0:
                raise AssertionError('A GradScaler instance may only be pickled at the beginning '
                                     'of an iteration, or at the end after scaler.update().')
            state['_init_scale'] = self.get_scale()            # the tensors are remade lazily
            state['_init_growth_tracker'] = self._get_growth_tracker()
            state['_scale'] = None
            state['_growth_tracker'] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)


def legacy_scaler(device):
    """``ember.<device>.amp.GradScaler(...)``: the deprecated spelling of ``ember.amp.GradScaler(device, ...)``."""
    class GradScalerAlias(GradScaler):
        def __init__(self, init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000,
                     enabled=True):
            warnings.warn(f"`ember.{device}.amp.GradScaler(args...)` is deprecated. Please use "
                          f"`ember.amp.GradScaler('{device}', args...)` instead.", FutureWarning, stacklevel=2)
            super().__init__(device, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval, enabled=enabled)
    GradScalerAlias.__name__ = GradScalerAlias.__qualname__ = 'GradScaler'
    GradScalerAlias.__module__ = f'ember.{device}.amp'
    return GradScalerAlias


CudaGradScaler = legacy_scaler('cuda')
