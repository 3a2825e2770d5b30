"""Tensor collectives (PyTorch's ``torch.distributed`` functions), in place on the tensors'
buffers. Like PyTorch's, they are not differentiable: they write into the tensors without
recording autograd history, and bump the tensors' version counters."""
from .._tensor import xp_of
from ._common import member, check_tensor, check_op, buffer, writeback, root_rank, agree, run
from ._types import ReduceOp

__all__ = ['all_reduce', 'broadcast', 'reduce', 'all_gather', 'all_gather_into_tensor',
           'reduce_scatter', 'reduce_scatter_tensor', 'gather', 'scatter', 'all_to_all_single',
           'barrier']


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Combine ``tensor`` over all ranks with ``op``; every rank gets the result in place."""
    check_tensor(tensor)
    check_op(op)
    pg = member(group, 'all_reduce')
    if pg is None:
        return None
    arr = buffer(pg, tensor)
    agree(pg, 'all_reduce', arr)
    return run(pg, 'all_reduce', pg.backend.allreduce(arr, op), async_op, lambda: writeback(tensor, arr))


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy rank ``src``'s ``tensor`` into ``tensor`` on every rank."""
    check_tensor(tensor)
    pg = member(group, 'broadcast')
    if pg is None:
        return None
    root = root_rank(pg, 'broadcast', src, group_src)
    arr = buffer(pg, tensor)
    agree(pg, 'broadcast', arr, root)
    after = None if pg.rank() == root else (lambda: writeback(tensor, arr))
    return run(pg, 'broadcast', pg.backend.bcast(arr, root), async_op, after)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Combine ``tensor`` over all ranks with ``op`` into rank ``dst``'s ``tensor``."""
    check_tensor(tensor)
    check_op(op)
    pg = member(group, 'reduce')
    if pg is None:
        return None
    root = root_rank(pg, 'reduce', dst, group_dst)
    arr = buffer(pg, tensor)
    agree(pg, 'reduce', arr, root)
    after = (lambda: writeback(tensor, arr)) if pg.rank() == root else None
    return run(pg, 'reduce', pg.backend.reduce(arr, op, root), async_op, after)


def _stack_target(pg, what, tensors, like, name):
    """A fresh (world, *shape) buffer for a list output, after torch-like checks of the list."""
    n = pg.size()
    if not isinstance(tensors, (list, tuple)) or len(tensors) != n:
        got = len(tensors) if isinstance(tensors, (list, tuple)) else type(tensors).__name__
        raise RuntimeError(f'ProcessGroupMPI::{what}: invalid {name} list at index 0 '
                           f'(expected length {n}, got {got})')
    for i, t in enumerate(tensors):
        check_tensor(t, name)
        if t._data.shape != like.shape or t._data.dtype != like.dtype:
            raise RuntimeError(f'ProcessGroupMPI::{what}: invalid tensor size at index {i} '
                               f'(expected {tuple(like.shape)} {like.dtype}, got '
                               f'{tuple(t._data.shape)} {t._data.dtype})')
    return xp_of(like).empty((n,) + like.shape, dtype=like.dtype)


def _unstack(tensors, stacked):
    def after():
        for i, t in enumerate(tensors):
            writeback(t, stacked[i])
    return after


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Every rank gets every rank's ``tensor``: ``tensor_list[r]`` = rank r's."""
    check_tensor(tensor)
    pg = member(group, 'all_gather')
    if pg is None:
        return None
    arr = buffer(pg, tensor)
    out = _stack_target(pg, 'allgather', tensor_list, arr, 'output tensor')
    agree(pg, 'all_gather', arr)
    return run(pg, 'all_gather', pg.backend.allgather(arr, out), async_op, _unstack(tensor_list, out))


def _flat_check(pg, what, big, small, name_big):
    n = pg.size()
    if big._data.dtype != small._data.dtype:
        raise RuntimeError(f'{what}: output and input must have the same dtype, got '
                           f'{big._data.dtype} and {small._data.dtype}')
    if big._data.size != n * small._data.size:
        raise ValueError(f'{what}: {name_big} must have world_size ({n}) times as many elements '
                         f'as the other tensor, got {big._data.size} and {small._data.size}')


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """``output_tensor`` (world_size times bigger, concatenated or stacked along dim 0)
    receives every rank's ``input_tensor`` in rank order."""
    check_tensor(output_tensor, 'output_tensor')
    check_tensor(input_tensor, 'input_tensor')
    pg = member(group, 'all_gather_into_tensor')
    if pg is None:
        return None
    _flat_check(pg, 'all_gather_into_tensor', output_tensor, input_tensor, 'output_tensor')
    inp, out = buffer(pg, input_tensor), buffer(pg, output_tensor)
    agree(pg, 'all_gather_into_tensor', inp)
    return run(pg, 'all_gather_into_tensor', pg.backend.allgather(inp, out), async_op,
               lambda: writeback(output_tensor, out))


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list`` over ranks; rank r gets element r of the reduced list."""
    check_tensor(output)
    check_op(op)
    pg = member(group, 'reduce_scatter')
    if pg is None:
        return None
    out = buffer(pg, output)
    stacked = _stack_target(pg, 'reduce_scatter', input_list, out, 'input tensor')
    for i, t in enumerate(input_list):
        stacked[i] = t._data
    agree(pg, 'reduce_scatter', out)
    return run(pg, 'reduce_scatter', pg.backend.reduce_scatter(stacked, out, op), async_op,
               lambda: writeback(output, out))


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` (world_size chunks along dim 0) over ranks; rank r gets chunk r."""
    check_tensor(output, 'output')
    check_tensor(input, 'input')
    check_op(op)
    pg = member(group, 'reduce_scatter_tensor')
    if pg is None:
        return None
    _flat_check(pg, 'reduce_scatter_tensor', input, output, 'input')
    inp, out = buffer(pg, input), buffer(pg, output)
    agree(pg, 'reduce_scatter_tensor', out)
    return run(pg, 'reduce_scatter_tensor', pg.backend.reduce_scatter(inp, out, op), async_op,
               lambda: writeback(output, out))


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Rank ``dst`` receives every rank's ``tensor`` into ``gather_list``."""
    check_tensor(tensor)
    pg = member(group, 'gather')
    if pg is None:
        return None
    root = root_rank(pg, 'gather', dst, group_dst)
    arr = buffer(pg, tensor)
    out = after = None
    if pg.rank() == root:
        if not gather_list:
            raise ValueError('Argument ``gather_list`` must be specified on destination rank.')
        out = _stack_target(pg, 'gather', gather_list, arr, 'output tensor')
        after = _unstack(gather_list, out)
    elif gather_list:
        raise ValueError('Argument ``gather_list`` must NOT be specified on non-destination ranks.')
    agree(pg, 'gather', arr, root)
    return run(pg, 'gather', pg.backend.gather(arr, out, root), async_op, after)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank r's ``tensor`` receives ``scatter_list[r]`` from rank ``src``."""
    check_tensor(tensor)
    pg = member(group, 'scatter')
    if pg is None:
        return None
    root = root_rank(pg, 'scatter', src, group_src)
    arr = buffer(pg, tensor)
    stacked = None
    if pg.rank() == root:
        if not scatter_list:
            raise ValueError('Argument ``scatter_list`` must be specified on source rank.')
        stacked = _stack_target(pg, 'scatter', scatter_list, arr, 'input tensor')
        for i, t in enumerate(scatter_list):
            stacked[i] = t._data
    elif scatter_list:
        raise ValueError('Argument ``scatter_list`` must NOT be specified on non-source ranks.')
    agree(pg, 'scatter', arr, root)
    return run(pg, 'scatter', pg.backend.scatter(stacked, arr, root), async_op,
               lambda: writeback(tensor, arr))


def all_to_all_single(output, input, output_split_sizes=None, input_split_sizes=None,
                      group=None, async_op=False):
    """Split ``input`` along dim 0 (evenly, or by ``input_split_sizes``), send piece r to rank
    r, and concatenate the pieces received into ``output`` in rank order."""
    check_tensor(output, 'output')
    check_tensor(input, 'input')
    pg = member(group, 'all_to_all_single')
    if pg is None:
        return None
    inp, out = buffer(pg, input), buffer(pg, output)
    if inp.dtype != out.dtype:
        raise RuntimeError('all_to_all_single: output and input must have the same dtype')
    n = pg.size()
    even = not output_split_sizes and not input_split_sizes
    rows_in = inp.shape[0] if inp.ndim else 1
    row_bytes = inp.nbytes // rows_in if rows_in else 0
    if even:
        if inp.size != out.size or rows_in % n:
            raise ValueError(f'all_to_all_single: input and output must have the same size, '
                             f'with dim 0 divisible by the world size {n}')
        ins = outs = None
    else:
        ins = list(input_split_sizes) if input_split_sizes else [rows_in // n] * n
        rows_out = out.shape[0] if out.ndim else 1
        outs = list(output_split_sizes) if output_split_sizes else [rows_out // n] * n
        if sum(ins) != rows_in or sum(outs) != rows_out or len(ins) != n or len(outs) != n:
            raise ValueError('all_to_all_single: split sizes must have world_size entries '
                             'summing to dim 0 of the tensors')
    agree(pg, 'all_to_all_single', inp[:0] if not even else inp)
    return run(pg, 'all_to_all_single', pg.backend.alltoall(inp, out, ins, outs, row_bytes),
               async_op, lambda: writeback(output, out))


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every rank of ``group`` reaches this call."""
    pg = member(group, 'barrier')
    if pg is None:
        return None
    return run(pg, 'barrier', pg.backend.barrier(), async_op)
