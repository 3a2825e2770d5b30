"""DistributedDataParallel: one process per replica, gradients averaged during backward.

Every process (an MPI rank on CPUs, one process per GPU with NCCL) holds a full copy of the
model and feeds it its own share of each batch. At construction the parameters and buffers
of rank 0 are broadcast so every replica starts equal. Backward then averages gradients:

* every parameter that requires grad gets a post-accumulate-grad hook;
* parameters are grouped into flat buckets (~1 MiB for the first bucket and ``bucket_cap_mb``
  for the others, as PyTorch does), first in reverse registration order, then - once, after
  the first synchronised backward - in the order the gradients actually arrived (rank 0's
  order, broadcast), unless ``find_unused_parameters`` without ``static_graph``;
* when a hook fires, the parameter's ``.grad`` is copied into its bucket slot; once every slot
  of a bucket is filled the bucket's all-reduce is launched asynchronously, so communication
  overlaps with the rest of backward. Buckets are launched strictly in order (bucket ``i``
  only after ``0..i-1``), so that every rank issues its collectives in the same sequence.

How the end of backward is detected: each forward (with grad enabled and synchronisation on)
arms the reducer with the number of parameters that must report a gradient. The hook that
reports the last one launches the last bucket and *finalises* inside that same hook: it waits
for all outstanding all-reduces, divides by the world size and writes the averages back into
every ``p.grad``. By then every other gradient of the module has already been accumulated, so
when ``loss.backward()`` returns the gradients are synchronised; nothing needs to be called
from ``optimizer.step``. If some parameter never reports, the reduction stays unfinished and
the next forward raises PyTorch's "Expected to have finished reduction in the prior iteration
..." error; with ``find_unused_parameters=True`` the graph reachable from the forward outputs
is searched and parameters outside it count as ready (zeros) when the first hook fires.
"""
import contextlib
import warnings

import numpy as np

from ..modules.module import Module
from ._buckets import (_xp, _Bucket, _assign_buckets, _broadcast_coalesced, _flat_tensor, _no_grad,
                       _output_tensors, _reachable_leaves)

__all__ = ['DistributedDataParallel']

_DEFAULT_BUCKET_CAP_MB = 25
_DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024
_NO_GROUP = ('Default process group has not been initialized, please make sure to call '
             'init_process_group.')
_UNFINISHED = ('Expected to have finished reduction in the prior iteration before starting a new one. '
               'This error indicates that your module has parameters that were not used in producing loss. ')
_OUTPUTS_HINT = 'making sure all `forward` function outputs participate in calculating loss. '
_BUG_HINT = ("\nIf you already have done the above, then the distributed data parallel module wasn't able "
             "to locate the output tensors in the return value of your module's `forward` function. Please "
             'include the loss function and the structure of the return value of `forward` of your module '
             'when reporting this issue (e.g. list, dict, iterable).')


def _dist():
    try:
        from ... import distributed as dist
    except ImportError:
        raise ValueError(_NO_GROUP) from None
    if not hasattr(dist, 'is_initialized') or not dist.is_initialized():
        raise ValueError(_NO_GROUP)
    return dist


class DistributedDataParallel(Module):
    """Data parallelism across processes; see the module docstring for how it works.

    The wrapped model is ``.module``; ``state_dict()`` keys carry the ``module.`` prefix.
    Use ``no_sync()`` (around forward and backward) to accumulate gradients locally.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=None,
                 init_sync=True, process_group=None, bucket_cap_mb=None, find_unused_parameters=False,
                 check_reduction=False, gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False,
                 bucket_cap_mb_list=None, batched_grad_copy=False, forward_sync_buffers=None):
        super().__init__()
        self.process_group = process_group
        dist = _dist()
        for name, value in (('delay_all_reduce_named_params', delay_all_reduce_named_params),
                            ('param_to_hook_all_reduce', param_to_hook_all_reduce),
                            ('mixed_precision', mixed_precision), ('device_mesh', device_mesh),
                            ('bucket_cap_mb_list', bucket_cap_mb_list)):
            if value is not None:
                raise NotImplementedError(f'DistributedDataParallel: {name} is not supported by ember yet')
        self.parameters_to_ignore = set(getattr(module, '_ddp_params_and_buffers_to_ignore', ()))
        params = [p for n, p in module.named_parameters() if n not in self.parameters_to_ignore]
        if not any(p.requires_grad for p in params):
            raise RuntimeError('DistributedDataParallel is not needed when a module '
                               "doesn't have any parameter that requires a gradient.")
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError('device_ids can only be None or contain a single element.')
        types = {p.device.type for p in params}
        if len(types) != 1:
            raise ValueError("DistributedDataParallel's input module must be on the same type of "
                             f'devices, but input module parameters locate in {types}.')
        self.device_type = next(iter(types))
        if self.device_type == 'cpu' and (device_ids or output_device):
            raise ValueError(
                'DistributedDataParallel device_ids and output_device arguments only work with '
                'single-device/multiple-device GPU modules or CPU modules, but got device_ids '
                f'{device_ids}, output_device {output_device}, and module parameters '
                f'{ {p.device for p in params} }.')
        if self.device_type == 'cpu' or not device_ids:
            self.device_ids, self.output_device = None, None
        else:
            self.device_ids = list(device_ids)
            self.output_device = device_ids[0] if output_device is None else output_device
        self.static_graph = static_graph
        self.dim = dim
        self.module = module
        self.device = params[0].device
        if broadcast_buffers is not None:
            if forward_sync_buffers is not None:
                warnings.warn('Both `broadcast_buffers` and `forward_sync_buffers` were specified. '
                              '`broadcast_buffers` is deprecated and its value is ignored when '
                              '`forward_sync_buffers` is provided.', FutureWarning, stacklevel=2)
            else:
                warnings.warn('`broadcast_buffers` is deprecated. Use `forward_sync_buffers` instead. '
                              'IMPORTANT: unlike `broadcast_buffers=False`, `forward_sync_buffers=False` '
                              'still syncs buffers at init. If you rely on buffers NOT being synced at '
                              'init (e.g. rank-local buffers), keep using `broadcast_buffers=False` until '
                              '`init_sync_buffers` is available.', FutureWarning, stacklevel=2)
        if forward_sync_buffers is None:
            forward_sync_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
            init_buffers = forward_sync_buffers
        else:
            init_buffers = True
        self.forward_sync_buffers = self.broadcast_buffers = forward_sync_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.gradient_as_bucket_view = gradient_as_bucket_view
        cap = _DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap * 1024 * 1024)
        first_cap = _DEFAULT_FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        self._dist = dist
        self._world = dist.get_world_size(*([process_group] if process_group is not None else []))
        if init_sync and self._world > 1:
            bufs = self._buffers_to_sync() if init_buffers else []
            with _no_grad():
                _broadcast_coalesced(dist, params + bufs, 0, process_group)
        # the reducer
        self._params = [p for p in params if p.requires_grad]
        self._first_cap = first_cap
        self._make_buckets(None)
        self._ready_order = []         # order of the first synced backward: buckets get rebuilt
        self._has_rebuilt = find_unused_parameters and not static_graph   # (as PyTorch: not then)
        self._armed = False            # a synced forward ran: hooks fill buckets
        self._require_finalize = False
        self._ready = [False] * len(self._params)
        self._used = None              # ids of parameters reachable from the outputs
        self._used_no_sync = set()
        self._next_bucket = 0
        self._hooks = [p.register_post_accumulate_grad_hook(self._make_hook(i))
                       for i, p in enumerate(self._params)]

    def _make_buckets(self, order):
        self._buckets = [_Bucket(k, [self._params[i] for i in idx], idx) for k, idx in
                         enumerate(_assign_buckets(self._params, self._first_cap,
                                                   self.bucket_bytes_cap, order))]
        self._where = {i: (b, k) for b in self._buckets for k, i in enumerate(b.positions)}

    def _rebuild_buckets(self):
        """Once, after the first synced backward: re-bucket in the order gradients actually
        arrived (so the first bucket fills first and its all-reduce overlaps the rest of
        backward), taking rank 0's order so every rank launches the same buckets."""
        self._has_rebuilt = True
        order = list(dict.fromkeys(self._ready_order))
        order += [i for i in reversed(range(len(self._params))) if i not in set(order)]
        t = self._small(order, np.int64)
        if self._world > 1:
            self._dist.broadcast(t, 0, **self._group_kw())
        self._make_buckets(t._data.tolist())

    def _small(self, values, dtype):
        """A small tensor on the parameters' device (NCCL only moves device memory)."""
        return _flat_tensor(_xp(self._params[0]._data).asarray(np.array(values, dtype=dtype)))

    def _group_kw(self):
        return {} if self.process_group is None else {'group': self.process_group}

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs, **kwargs):
        from ...autograd import grad_mode
        grad_on = grad_mode.is_grad_enabled()
        if grad_on and self._require_finalize:
            self._raise_unfinished()
        if grad_on and not self._has_rebuilt and self._ready_order:
            self._rebuild_buckets()
        if self.forward_sync_buffers and self.require_forward_param_sync and self._world > 1:
            bufs = self._buffers_to_sync()
            if bufs:
                with _no_grad():
                    _broadcast_coalesced(self._dist, bufs, 0, self.process_group)
        out = self.module(*inputs, **kwargs)
        if grad_on and self.require_backward_grad_sync:
            self._prepare_for_backward(out)
        else:
            self._armed = False
            if grad_on and self.find_unused_parameters:   # no_sync: remember what was used
                self._used_no_sync |= _reachable_leaves(_output_tensors(out, []))
        return out

    def _buffers_to_sync(self):
        return [b for n, b in self.module.named_buffers() if n not in self.parameters_to_ignore]

    def _prepare_for_backward(self, out):
        self._armed = True
        self._ready = [False] * len(self._params)
        self._next_bucket = 0
        for b in self._buckets:
            b.pending = len(b.params)
            b.work = None
        self._used = None
        if self.find_unused_parameters:             # used now or in the no_sync passes before
            self._used = _reachable_leaves(_output_tensors(out, [])) | self._used_no_sync
            self._used_no_sync = set()
        self._unused_marked = False

    def _raise_unfinished(self):
        msg = _UNFINISHED
        if self.static_graph:
            msg = ('Expected to have finished reduction in the prior iteration before starting a new '
                   'one. This error indicates that your training graph has changed in this iteration, '
                   'e.g., one parameter is used in first iteration, but then got unused in the second '
                   'iteration. this is not compatible with static_graph set to True.')
        elif not self.find_unused_parameters:
            msg += ('You can enable unused parameter detection by passing the keyword argument '
                    '`find_unused_parameters=True` to `ember.nn.parallel.DistributedDataParallel`, '
                    'and by \n' + _OUTPUTS_HINT + _BUG_HINT)
        else:
            msg += ('Since `find_unused_parameters=True` is enabled, this likely  means that not all '
                    '`forward` outputs participate in computing loss. You can fix this by '
                    + _OUTPUTS_HINT + _BUG_HINT)
        missing = ' '.join(str(i) for i, r in enumerate(self._ready) if not r)
        msg += (f'\nParameter indices which did not receive grad for rank {self._rank()}: {missing}'
                '\n In addition, you can set the environment variable TORCH_DISTRIBUTED_DEBUG to either '
                'INFO or DETAIL to print out information about which particular parameters did not '
                'receive gradient on this rank as part of this error')
        raise RuntimeError(msg)

    def _rank(self):
        return self._dist.get_rank(*([self.process_group] if self.process_group is not None else []))

    # ------------------------------------------------------------------ reducer
    def _make_hook(self, index):
        def ddp_grad_ready(param):
            if self._armed:
                self._mark_ready(index, param)
        return ddp_grad_ready

    def _mark_ready(self, index, param):
        if not self._require_finalize:
            self._require_finalize = True
            if self._used is not None and not self._unused_marked:
                self._unused_marked = True
                for i, p in enumerate(self._params):
                    if id(p) not in self._used and i != index:
                        self._fill(i, None)
        self._fill(index, param.grad)

    def _fill(self, index, grad):
        if self._ready[index]:
            return
        self._ready[index] = True
        if grad is not None and not self._has_rebuilt:
            self._ready_order.append(index)
        bucket, k = self._where[index]
        slot = bucket.slot(k)
        if grad is None:
            slot[...] = 0
        else:
            slot[...] = grad._data.reshape(-1)
        bucket.pending -= 1
        self._launch_ready_buckets()

    def _launch_ready_buckets(self):
        kw = self._group_kw()
        while self._next_bucket < len(self._buckets) and self._buckets[self._next_bucket].pending == 0:
            b = self._buckets[self._next_bucket]
            b.work = self._dist.all_reduce(_flat_tensor(b.buffer), op=self._dist.ReduceOp.SUM,
                                           async_op=True, **kw)
            self._next_bucket += 1
        if self._next_bucket == len(self._buckets):
            self._finalize()

    def _finalize(self):
        global_used = None
        if self.find_unused_parameters:
            t = self._small([id(p) in self._used for p in self._params], np.int32)
            self._dist.all_reduce(t, op=self._dist.ReduceOp.SUM, **self._group_kw())
            global_used = t._data.tolist()
        for b in self._buckets:
            if b.work is not None:
                b.work.wait()
                b.work = None
            if self._world > 1:
                b.buffer /= self._world
            for k, (p, i) in enumerate(zip(b.params, b.positions)):
                if global_used is not None and not global_used[i]:
                    continue                       # unused on every rank: .grad left as it is
                avg = b.slot(k).reshape(p._data.shape)
                g = p._grad
                if g is None:
                    p._grad = _flat_tensor(avg.copy())
                else:       # fresh array: the old one may still feed a pending node
                    g._data = avg.copy()
                    g._vc[0] += 1
        self._armed = False
        self._require_finalize = False

    # ------------------------------------------------------------------ user API
    @contextlib.contextmanager
    def no_sync(self):
        """Gradients of forward/backward passes run inside are only accumulated locally; the
        first synchronised backward after the context averages the accumulated sums."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old
