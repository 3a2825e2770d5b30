"""Activation checkpointing: run part of a model without keeping its intermediate results
and compute them again during backward, trading compute for memory.

``checkpoint(fn, *args, use_reentrant=True)`` runs ``fn`` under no_grad and records one graph
node whose backward re-runs ``fn`` with grad enabled (with the RNG state of the first run, so dropout
masks repeat) on detached copies of the tensor arguments, and backpropagates through that
fresh graph. Leaves that ``fn`` reads (module parameters) receive their gradients from that
inner backward; gradients are the ones a plain run gives. use_reentrant=False is in checkpoint_hooks.py."""
import warnings

from .. import autograd
from .._tensor import Tensor
from ..autograd import grad_mode
from ..autograd.function import Function
from ..ops.random import get_rng_state, set_rng_state

from .checkpoint_hooks import CheckpointError  # noqa: E402,F401

__all__ = ['CheckpointError', 'checkpoint', 'checkpoint_sequential', 'CheckpointFunction', 'check_backward_validity',
           'detach_variable', 'get_device_states', 'set_device_states', 'noop_context_fn']


def noop_context_fn():
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


def detach_variable(inputs):
    """Detached copies of the tensors in a tuple, keeping each one's requires_grad."""
    if not isinstance(inputs, tuple):
        raise RuntimeError('Only tuple of tensors is supported. Got Unsupported input type: '
                           f'{type(inputs).__name__}')
    out = []
    for inp in inputs:
        if isinstance(inp, Tensor):
            x = inp.detach()
            x.requires_grad = inp.requires_grad
            inp = x
        out.append(inp)
    return tuple(out)


def check_backward_validity(inputs):
    if not any(inp.requires_grad for inp in inputs if isinstance(inp, Tensor)):
        warnings.warn('None of the inputs have requires_grad=True. Gradients will be None', stacklevel=2)


def get_device_states(*args):
    """(device indices, RNG states) of the GPUs that the tensor arguments live on."""
    devices = sorted({a.device.index or 0 for a in args if isinstance(a, Tensor) and a.device.type == 'cuda'})
    if not devices:
        return [], []
    from .. import cuda
    return devices, [cuda.get_rng_state(d) for d in devices]


def set_device_states(devices, states, *, device_type=None):
    if devices:
        from .. import cuda
        for d, s in zip(devices, states):
            cuda.set_rng_state(s, d)


class CheckpointFunction(Function):
    """The graph node of one checkpointed call (``CheckpointFunctionBackward``)."""

    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, kwargs, *args):
        ctx.run_function, ctx.preserve_rng_state, ctx.kwargs = run_function, preserve_rng_state, kwargs
        if preserve_rng_state:
            ctx.fwd_cpu_state = get_rng_state()
            ctx.fwd_devices, ctx.fwd_device_states = get_device_states(*args)
        ctx.inputs = [None if isinstance(a, Tensor) else a for a in args]
        ctx.tensor_indices = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
        ctx.save_for_backward(*[a for a in args if isinstance(a, Tensor)])
        with grad_mode.no_grad():
            return run_function(*args, **kwargs)

    @staticmethod
    def backward(ctx, *grads):
        if not autograd._is_checkpoint_valid():
            raise RuntimeError('When use_reentrant=True, ember.utils.checkpoint is incompatible with .grad() or '
                               'passing an `inputs` parameter to .backward(). To resolve this error, you can '
                               'either set use_reentrant=False, or call .backward() without passing the '
                               '`inputs` argument.')
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        outer_cpu = outer_dev = None
        if ctx.preserve_rng_state:
            outer_cpu = get_rng_state()
            outer_dev = get_device_states(*inputs)
            set_rng_state(ctx.fwd_cpu_state)
            set_device_states(ctx.fwd_devices, ctx.fwd_device_states)
        try:
            detached = detach_variable(tuple(inputs))
            with grad_mode.enable_grad():
                outputs = ctx.run_function(*detached, **ctx.kwargs)
        finally:
            if outer_cpu is not None:
                set_rng_state(outer_cpu)
                set_device_states(*outer_dev)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        pairs = [(o, g) for o, g in zip(outputs, grads) if isinstance(o, Tensor) and o.requires_grad]
        if not pairs:
            raise RuntimeError('none of output has requires_grad=True, this checkpoint() is not necessary')
        autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        in_grads = tuple(d.grad if isinstance(d, Tensor) else None for d in detached)
        return (None, None, None) + in_grads


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check='default',
               debug=False, early_stop=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its activations; recompute them in backward.

    use_reentrant=True takes positional arguments only and needs an input that requires grad
    (otherwise nothing is recorded, as in PyTorch); use_reentrant=False (checkpoint_hooks.py)
    records the function's own graph and recomputes only the tensors its ops saved."""
    if use_reentrant is None:
        warnings.warn('ember.utils.checkpoint: the use_reentrant parameter should be passed explicitly. '
                      'Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an '
                      'exception. use_reentrant=False is recommended, but if you need to preserve the current '
                      'default behavior, you can pass use_reentrant=True. Refer to docs for more details on '
                      'the differences between the two variants.', stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop('preserve_rng_state', True)
    if kwargs and use_reentrant:
        raise ValueError('Unexpected keyword arguments: ' + ','.join(arg for arg in kwargs))
    if use_reentrant:
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError('Passing `context_fn` or `debug` is only supported when use_reentrant=False.')
        check_backward_validity(args)
        return CheckpointFunction.apply(function, preserve, {}, *args)
    from .checkpoint_hooks import checkpoint_without_reentrant
    return checkpoint_without_reentrant(function, args, kwargs, preserve, context_fn, determinism_check)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Split ``functions`` (a Sequential or a list) into ``segments`` chunks and checkpoint
    every chunk but the last."""
    if use_reentrant is None:
        warnings.warn('ember.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be '
                      'passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not '
                      'passed. use_reentrant=False is recommended, but if you need to preserve the current '
                      'default behavior, you can pass use_reentrant=True. Refer to docs for more details on '
                      'the differences between the two variants.', stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop('preserve_rng_state', True)
    if kwargs:
        raise ValueError('Unexpected keyword arguments: ' + ','.join(arg for arg in kwargs))
    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())

    def run(start, end):
        def forward(x):
            for j in range(start, end + 1):
                x = functions[j](x)
            return x
        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1)(input)
