"""MPI backend: collectives on contiguous NumPy buffers through mpi4py's non-blocking calls.

Each method posts the operation and returns ``(requests, finish)``; the caller waits on the
requests (with the group's timeout) and then runs ``finish`` (copy-backs, AVG division).
Data movement goes as raw bytes, so every dtype (bfloat16 included) travels unchanged;
reductions use MPI's typed ops (bfloat16 is reduced in float32)."""
import numpy as np
from mpi4py import MPI

from ._types import ReduceOp

__all__ = ['MpiBackend']

_OPS = {ReduceOp.SUM: MPI.SUM, ReduceOp.AVG: MPI.SUM, ReduceOp.PRODUCT: MPI.PROD,
        ReduceOp.MIN: MPI.MIN, ReduceOp.MAX: MPI.MAX, ReduceOp.BAND: MPI.BAND,
        ReduceOp.BOR: MPI.BOR, ReduceOp.BXOR: MPI.BXOR}
_BOOL_OPS = {ReduceOp.SUM: MPI.LOR, ReduceOp.MAX: MPI.LOR, ReduceOp.BOR: MPI.LOR,
             ReduceOp.AVG: MPI.LOR, ReduceOp.MIN: MPI.LAND, ReduceOp.PRODUCT: MPI.LAND,
             ReduceOp.BAND: MPI.LAND, ReduceOp.BXOR: MPI.LXOR}
_NATIVE = set('?bBhHiIlLqQefdFD')


def _bytes(a):
    return [a.reshape(-1).view(np.uint8), MPI.BYTE]


def _offsets(counts):
    return [sum(counts[:i]) for i in range(len(counts))]


class _Reduction:
    """A buffer MPI can reduce for ``arr`` (``arr`` itself, or a float32 copy for dtypes MPI
    has no type for) plus the step that writes the result back into ``arr``."""

    def __init__(self, arr, op, size):
        if op not in _OPS:
            raise ValueError(f'ReduceOp.{op.name} is not supported by the MPI backend')
        kind = arr.dtype.kind
        if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind not in 'biu':
            raise RuntimeError(f'Cannot use ReduceOp.{op.name} with {arr.dtype} tensors')
        self.arr, self.op, self.size = arr, op, size
        self.mpi_op = _BOOL_OPS[op] if kind == 'b' else _OPS[op]
        self.buf = arr if arr.dtype.char in _NATIVE and arr.dtype.isnative else arr.astype(np.float32)

    def finish(self):
        buf = self.buf
        if self.op is ReduceOp.AVG and self.arr.dtype.kind != 'b':
            if buf.dtype.kind in 'fc':
                buf /= self.size
            else:
                buf[...] = np.trunc(buf / self.size).astype(buf.dtype)
        if buf is not self.arr:
            self.arr[...] = buf.astype(self.arr.dtype)


class MpiBackend:
    """Collectives of one MPI communicator."""

    def __init__(self, comm):
        self.comm = comm

    def barrier(self):
        return [self.comm.Ibarrier()], None

    def allreduce(self, arr, op):
        r = _Reduction(arr, op, self.comm.Get_size())
        return [self.comm.Iallreduce(MPI.IN_PLACE, r.buf, r.mpi_op)], r.finish

    def reduce(self, arr, op, root):
        r = _Reduction(arr, op, self.comm.Get_size())
        if self.comm.Get_rank() == root:
            return [self.comm.Ireduce(MPI.IN_PLACE, r.buf, r.mpi_op, root)], r.finish
        return [self.comm.Ireduce(r.buf, None, r.mpi_op, root)], None

    def bcast(self, arr, root):
        return [self.comm.Ibcast(_bytes(arr), root)], None

    def allgather(self, inp, out):
        return [self.comm.Iallgather(_bytes(inp), _bytes(out))], None

    def reduce_scatter(self, inp, out, op):
        n = self.comm.Get_size()
        r_in = _Reduction(inp, op, n)
        r_out = _Reduction(out, op, n)
        req = self.comm.Ireduce_scatter_block(r_in.buf, r_out.buf, r_in.mpi_op)
        return [req], r_out.finish

    def gather(self, inp, out, root):
        recv = _bytes(out) if self.comm.Get_rank() == root else None
        return [self.comm.Igather(_bytes(inp), recv, root)], None

    def scatter(self, inp, out, root):
        send = _bytes(inp) if self.comm.Get_rank() == root else None
        return [self.comm.Iscatter(send, _bytes(out), root)], None

    def alltoall(self, inp, out, in_splits, out_splits, row_bytes):
        if in_splits is None and out_splits is None:
            return [self.comm.Ialltoall(_bytes(inp), _bytes(out))], None
        counts_in = [s * row_bytes for s in in_splits]
        counts_out = [s * row_bytes for s in out_splits]
        send = [inp.reshape(-1).view(np.uint8), (counts_in, _offsets(counts_in)), MPI.BYTE]
        recv = [out.reshape(-1).view(np.uint8), (counts_out, _offsets(counts_out)), MPI.BYTE]
        return [self.comm.Ialltoallv(send, recv)], None

    def send(self, arr, dst, tag):
        return [self.comm.Isend(_bytes(arr), dst, tag)], None

    def recv(self, arr, src, tag):
        src = MPI.ANY_SOURCE if src is None else src
        return [self.comm.Irecv(_bytes(arr), src, tag)], None
