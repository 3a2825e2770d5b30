"""DataParallel: split a batch between devices of one process and gather the outputs.

Like PyTorch: without CUDA (or with a single device) the wrapper simply runs ``.module``;
``state_dict()`` keys carry the ``module.`` prefix and the repr is
``DataParallel(\\n  (module): ...\\n)``, so checkpoints and printouts match.

With several CUDA devices PyTorch scatters the inputs along ``dim``, replicates the module on
every device, runs the replicas in threads and gathers the outputs on ``output_device``.
ember's GPU backend has no cross-device replication yet: here the scatter and gather steps
are real (``scatter``/``gather`` below), but the "replicas" are the module itself, run once per
chunk on ``device_ids[0]``. Results and gradients are those of PyTorch's replicas (each chunk
sees the same weights, per-chunk batch-norm statistics, gradients summed into the one set of
parameters); only the speed-up of true multi-GPU replication arrives with the GPU backend.
For several GPUs prefer ``DistributedDataParallel`` (one process per GPU, NCCL), as PyTorch
recommends too.
"""
import warnings

from ..modules.module import Module

__all__ = ['DataParallel', 'data_parallel', 'scatter', 'gather']


def _is_tensor(x):
    from ..._tensor import Tensor
    return isinstance(x, Tensor)


def scatter(inputs, target_gpus, dim=0):
    """Split every tensor in ``inputs`` (nested tuples/lists/dicts) into ``len(target_gpus)``
    chunks along ``dim``; other objects are repeated. Returns one entry per chunk."""
    n = len(target_gpus)

    def split(obj):
        if _is_tensor(obj):
            _no_cpu_targets(target_gpus)
            return list(obj.chunk(n, dim))
        if isinstance(obj, tuple) and obj:
            return [tuple(x) for x in zip(*map(split, obj))]
        if isinstance(obj, list) and obj:
            return [list(x) for x in zip(*map(split, obj))]
        if isinstance(obj, dict) and obj:
            return [type(obj)(x) for x in zip(*map(split, obj.items()))]
        return [obj] * n
    try:
        return split(inputs)
    finally:
        split = None                     # break the closure's self reference


def _no_cpu_targets(targets):
    """PyTorch scatters tensors to GPUs only: a CPU device among the targets is refused."""
    for d in targets:
        if not isinstance(d, int) and str(getattr(d, 'type', d)).split(':')[0] == 'cpu':
            raise ValueError(f'Expected a non cpu device, but got: {d}')


def scatter_kwargs(inputs, kwargs, target_gpus, dim=0):
    """``scatter`` for positional and keyword arguments, padded to the same length."""
    ins = scatter(inputs, target_gpus, dim) if inputs else []
    kws = scatter(kwargs, target_gpus, dim) if kwargs else []
    if len(ins) < len(kws):
        ins.extend(() for _ in range(len(kws) - len(ins)))
    elif len(kws) < len(ins):
        kws.extend({} for _ in range(len(ins) - len(kws)))
    return tuple(ins), tuple(kws)


def gather(outputs, target_device, dim=0):
    """Concatenate per-chunk outputs (matching nested structures) along ``dim``."""
    import ember

    def join(outs):
        first = outs[0]
        if _is_tensor(first):
            if all(o.dim() == 0 for o in outs) and dim == 0:
                warnings.warn('Was asked to gather along dimension 0, but all input tensors were '
                              'scalars; will instead unsqueeze and return a vector.')
                outs = [o.view(1) for o in outs]
            return ember.cat(outs, dim)         # every chunk ran on one device: no copy needed
        if first is None:
            return None
        if isinstance(first, dict):
            if not all(len(first) == len(d) for d in outs):
                raise ValueError('All dicts must have the same number of keys')
            return type(first)((k, join([d[k] for d in outs])) for k in first)
        if isinstance(first, (list, tuple)):
            return type(first)(map(join, zip(*outs)))
        return first
    try:
        return join(outputs)
    finally:
        join = None


class DataParallel(Module):
    """Runs ``module`` on chunks of the batch, one per device (see the module docstring)."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        from ... import cuda
        if not cuda.is_available():
            self.module = module
            self.device_ids = []
            return
        if device_ids is None:
            device_ids = list(range(cuda.device_count()))
        if not device_ids:
            raise RuntimeError('no available devices were found')
        if output_device is None:
            output_device = device_ids[0]
        self.dim = dim
        self.module = module
        self.device_ids = [_index(d) for d in device_ids]
        self.output_device = _index(output_device)
        import ember
        self.src_device_obj = ember.device('cuda', self.device_ids[0])
        if len(self.device_ids) == 1:
            self.module.to(self.src_device_obj)

    def forward(self, *inputs, **kwargs):
        if not self.device_ids:
            return self.module(*inputs, **kwargs)
        for t in list(self.module.parameters()) + list(self.module.buffers()):
            if t.device != self.src_device_obj:
                raise RuntimeError('module must have its parameters and buffers on device '
                                   f'{self.src_device_obj} (device_ids[0]) but found one of them '
                                   f'on device: {t.device}')
        inputs = _to(inputs, self.src_device_obj)
        kwargs = _to(kwargs, self.src_device_obj)
        if len(self.device_ids) == 1:
            return self.module(*inputs, **kwargs)
        return self._chunked_forward(inputs, kwargs, self.device_ids, self.output_device)

    def _chunked_forward(self, inputs, kwargs, device_ids, output_device):
        """scatter -> the module once per chunk (the stand-in for replicas) -> gather."""
        ins, kws = scatter_kwargs(inputs, kwargs, device_ids, self.dim)
        if not ins and not kws:
            ins, kws = ((),), ({},)
        outputs = [self.module(*i, **k) for i, k in zip(ins, kws)]
        return gather(outputs, output_device, self.dim)


def _index(d):
    if isinstance(d, int):
        return d
    return getattr(d, 'index', None) or 0


def _to(obj, device):
    if _is_tensor(obj):
        return obj.to(device)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_to(o, device) for o in obj)
    if isinstance(obj, dict):
        return type(obj)((k, _to(v, device)) for k, v in obj.items())
    return obj


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """Functional form: evaluate ``module(*inputs, **module_kwargs)`` the way DataParallel does."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return DataParallel(module, device_ids, output_device, dim)(*inputs, **(module_kwargs or {}))
