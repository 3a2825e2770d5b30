"""checkpoint(use_reentrant=False), built on saved-tensor hooks as PyTorch's is.

The function runs once with grad mode as it is, recording its ordinary graph (so the output's
grad_fn is the real last op, and parameters get gradients whether or not an input requires
grad), but every tensor its ops save for backward is replaced by a small placeholder. When
backward first needs one, the function is run again (same RNG state, grad enabled) on detached
copies of its inputs, and the tensors it saves this time fill the placeholders in order; each is
dropped once used, so a second backward (retain_graph=True) recomputes again."""
from ..autograd import grad_mode
from ..autograd.saved_hooks import saved_tensors_hooks
from ..ops.random import get_rng_state, set_rng_state

__all__ = ['CheckpointError', 'checkpoint_without_reentrant']


class CheckpointError(RuntimeError):
    """The recomputation saved different tensors than the first run (a non-deterministic function)."""


class _Slot:
    __slots__ = ('index',)

    def __init__(self, index):
        self.index = index


def _meta(t):
    return {'shape': t.shape, 'dtype': t.dtype, 'device': t.device}


class _Frame:
    """One checkpointed call: what recomputing it needs, and the recomputed saved tensors."""

    def __init__(self, fn, args, kwargs, preserve_rng_state, recompute_context, determinism_check):
        from .checkpoint import get_device_states
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.recompute_context, self.check = recompute_context, determinism_check
        self.metas = []
        self.values = {}
        self.rng = (get_rng_state(), get_device_states(*args)) if preserve_rng_state else None

    def pack(self, t):
        self.metas.append(_meta(t))
        return _Slot(len(self.metas) - 1)

    def unpack(self, slot):
        if slot.index not in self.values:
            self._recompute()
        return self.values.pop(slot.index)

    def _recompute(self):
        from .checkpoint import detach_variable, get_device_states, set_device_states
        got = []

        def keep(t):
            got.append(t.detach())
        outer = None
        if self.rng is not None:
            outer = get_rng_state(), get_device_states(*self.args)
            set_rng_state(self.rng[0])
            set_device_states(*self.rng[1])
        try:
            with grad_mode.enable_grad(), saved_tensors_hooks(keep, lambda _: None), self.recompute_context:
                self.fn(*detach_variable(tuple(self.args)), **self.kwargs)
        finally:
            if outer is not None:
                set_rng_state(outer[0])
                set_device_states(*outer[1])
        self._check(got)
        self.values = dict(enumerate(got[:len(self.metas)]))

    def _check(self, got):
        head = 'ember.utils.checkpoint: '
        if len(got) < len(self.metas):
            raise CheckpointError(f'{head}A different number of tensors was saved during the original forward '
                                  f'and recomputation.\nNumber of tensors saved during forward: {len(self.metas)}\n'
                                  f'Number of tensors saved during recomputation: {len(got)}.\n')
        if self.check == 'none':
            return
        bad = [(i, m, _meta(t)) for i, (m, t) in enumerate(zip(self.metas, got)) if m != _meta(t)]
        if bad:
            lines = ''.join(f'tensor at position {i}:\nsaved metadata: {m}\nrecomputed metadata: {r}\n'
                            for i, m, r in bad)
            raise CheckpointError(f'{head}Recomputed values for the following tensors have different metadata '
                                  f'than during the forward pass.\n{lines}.\n')


def checkpoint_without_reentrant(fn, args, kwargs, preserve_rng_state, context_fn, determinism_check):
    if determinism_check not in ('default', 'none'):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    forward_context, recompute_context = context_fn()
    frame = _Frame(fn, args, kwargs, preserve_rng_state, recompute_context, determinism_check)
    with saved_tensors_hooks(frame.pack, frame.unpack), forward_context:
        out = fn(*args, **kwargs)
    return out
