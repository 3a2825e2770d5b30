"""NCCL backend: collectives on CuPy arrays through ``cupy.cuda.nccl``.

The NCCL communicator is bootstrapped over MPI: rank 0 makes the unique id and broadcasts
it, then every rank builds ``NcclCommunicator(world, uid, rank)`` on its current GPU.
Operations are enqueued on the current CUDA stream (stream order makes them complete
before any later kernel on that stream), so they return no MPI requests."""
from ._types import ReduceOp

__all__ = ['NcclBackend', 'nccl_problem']


def nccl_problem():
    """None when NCCL can run here, else the reason it cannot."""
    try:
        import cupy
        from cupy.cuda import nccl  # noqa: F401
    except Exception as e:                    # ImportError, or CuPy built without NCCL
        return f'CuPy with NCCL is needed: pip install cupy-cuda12x ({type(e).__name__}: {e})'
    try:
        if cupy.cuda.runtime.getDeviceCount() < 1:
            return 'no CUDA GPU found'
    except Exception as e:
        return f'no usable CUDA GPU ({e})'
    return None


class NcclBackend:
    """Collectives of one NCCL communicator (built over the MPI communicator ``comm``)."""

    def __init__(self, comm):
        from cupy.cuda import nccl
        self._nccl = nccl
        self.comm = comm
        uid = nccl.get_unique_id() if comm.Get_rank() == 0 else None
        uid = comm.bcast(uid, root=0)
        self.nc = nccl.NcclCommunicator(comm.Get_size(), uid, comm.Get_rank())

    # ------------------------------------------------------------ helpers
    def _dtype(self, arr):
        n = self._nccl
        table = {'int8': n.NCCL_INT8, 'uint8': n.NCCL_UINT8, 'int32': n.NCCL_INT32,
                 'uint32': n.NCCL_UINT32, 'int64': n.NCCL_INT64, 'uint64': n.NCCL_UINT64,
                 'float16': n.NCCL_FLOAT16, 'float32': n.NCCL_FLOAT32, 'float64': n.NCCL_FLOAT64,
                 'bool': n.NCCL_UINT8}
        if arr.dtype.name in table:
            return table[arr.dtype.name], arr.size
        return n.NCCL_UINT8, arr.nbytes        # data movement of other dtypes as bytes

    def _op(self, op, arr):
        n = self._nccl
        if op is ReduceOp.AVG:
            return getattr(n, 'NCCL_AVG', n.NCCL_SUM)
        table = {ReduceOp.SUM: n.NCCL_SUM, ReduceOp.PRODUCT: n.NCCL_PROD,
                 ReduceOp.MIN: n.NCCL_MIN, ReduceOp.MAX: n.NCCL_MAX}
        if op not in table:
            raise ValueError(f'ReduceOp.{op.name} is not supported by the NCCL backend')
        if arr.dtype.name == 'bool' and op is ReduceOp.SUM:
            return n.NCCL_MAX
        return table[op]

    def _stream(self):
        import cupy
        return cupy.cuda.get_current_stream().ptr

    def _avg_fix(self, arr, op):
        if op is ReduceOp.AVG and not hasattr(self._nccl, 'NCCL_AVG'):
            if arr.dtype.kind == 'f':
                arr /= self.comm.Get_size()
            else:
                arr[...] = (arr // self.comm.Get_size()).astype(arr.dtype)

    # ------------------------------------------------------------ collectives
    def barrier(self):
        return [self.comm.Ibarrier()], None

    def _reducible(self, arr):
        """``arr``, or a float32 copy for dtypes NCCL cannot reduce (bfloat16), and the step
        that writes the result back."""
        if arr.dtype.name in self._REDUCIBLE:
            return arr, (lambda: None)
        buf = arr.astype('float32')

        def back():
            arr[...] = buf.astype(arr.dtype)
        return buf, back

    _REDUCIBLE = ('int8', 'uint8', 'int32', 'uint32', 'int64', 'uint64', 'float16', 'float32',
                  'float64', 'bool')

    def allreduce(self, arr, op):
        buf, back = self._reducible(arr)
        dt, count = self._dtype(buf)
        self.nc.allReduce(buf.data.ptr, buf.data.ptr, count, dt, self._op(op, buf), self._stream())
        self._avg_fix(buf, op)
        back()
        return [], None

    def reduce(self, arr, op, root):
        buf, back = self._reducible(arr)
        dt, count = self._dtype(buf)
        self.nc.reduce(buf.data.ptr, buf.data.ptr, count, dt, self._op(op, buf), root, self._stream())
        if self.comm.Get_rank() == root:
            self._avg_fix(buf, op)
            back()
        return [], None

    def bcast(self, arr, root):
        dt, count = self._dtype(arr)
        self.nc.bcast(arr.data.ptr, count, dt, root, self._stream())
        return [], None

    def allgather(self, inp, out):
        dt, count = self._dtype(inp)
        self.nc.allGather(inp.data.ptr, out.data.ptr, count, dt, self._stream())
        return [], None

    def reduce_scatter(self, inp, out, op):
        inp, _ = self._reducible(inp)
        buf, back = self._reducible(out)
        dt, count = self._dtype(buf)
        self.nc.reduceScatter(inp.data.ptr, buf.data.ptr, count, dt, self._op(op, buf), self._stream())
        self._avg_fix(buf, op)
        back()
        return [], None

    def _p2p_group(self, calls):
        n = self._nccl
        n.groupStart()
        try:
            for c in calls:
                c()
        finally:
            n.groupEnd()

    def gather(self, inp, out, root):
        dt, count = self._dtype(inp)
        s = self._stream()
        calls = [lambda: self.nc.send(inp.data.ptr, count, dt, root, s)]
        if self.comm.Get_rank() == root:
            rows = out.reshape(self.comm.Get_size(), -1)
            calls += [lambda r=r: self.nc.recv(rows[r].data.ptr, count, dt, r, s)
                      for r in range(self.comm.Get_size())]
        self._p2p_group(calls)
        return [], None

    def scatter(self, inp, out, root):
        dt, count = self._dtype(out)
        s = self._stream()
        calls = [lambda: self.nc.recv(out.data.ptr, count, dt, root, s)]
        if self.comm.Get_rank() == root:
            rows = inp.reshape(self.comm.Get_size(), -1)
            calls += [lambda r=r: self.nc.send(rows[r].data.ptr, count, dt, r, s)
                      for r in range(self.comm.Get_size())]
        self._p2p_group(calls)
        return [], None

    def alltoall(self, inp, out, in_splits, out_splits, row_bytes):
        if in_splits is not None or out_splits is not None:
            raise RuntimeError('all_to_all_single with split sizes is not supported by the NCCL backend')
        n = self.comm.Get_size()
        dt, count = self._dtype(inp)
        count //= n
        s = self._stream()
        a, b = inp.reshape(n, -1), out.reshape(n, -1)
        calls = []
        for r in range(n):
            calls.append(lambda r=r: self.nc.send(a[r].data.ptr, count, dt, r, s))
            calls.append(lambda r=r: self.nc.recv(b[r].data.ptr, count, dt, r, s))
        self._p2p_group(calls)
        return [], None

    def send(self, arr, dst, tag):
        dt, count = self._dtype(arr)
        self.nc.send(arr.data.ptr, count, dt, dst, self._stream())
        return [], None

    def recv(self, arr, src, tag):
        if src is None:
            raise RuntimeError('recv from any source is not supported by the NCCL backend')
        dt, count = self._dtype(arr)
        self.nc.recv(arr.data.ptr, count, dt, src, self._stream())
        return [], None
