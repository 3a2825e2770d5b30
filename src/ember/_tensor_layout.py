"""A tensor's sizes (``size``, with PyTorch's dim checks) and where its elements are: strides, contiguity (also in channels-last order), the data
pointer and the storage offset (mixed into Tensor)."""
import numpy as np

from ._size import Size

_CHANNELS_LAST_ORDER = {('channels_last', 4): (1, 3, 2, 0), ('channels_last_3d', 5): (1, 4, 3, 2, 0)}


def _address(arr):
    """Address of an array's first element (host or device memory)."""
    iface = getattr(arr, '__array_interface__', None)       # NumPy arrays (and as_strided's holders)
    return iface['data'][0] if iface is not None else arr.data.ptr


def _contiguous_strides(shape):
    st, acc = [], 1
    for s in reversed(shape):
        st.append(acc)
        acc *= max(s, 1)
    return tuple(reversed(st))


class TensorLayout:
    """Layout queries of Tensor (its ``_data`` is a NumPy or CuPy array)."""

    def size(self, dim=None):
        if dim is None:
            return tuple.__new__(Size, self._data.shape)
        if dim.__class__ is not int:            # a NumPy integer, a 0-dim integer tensor: its int
            from .ops.dims import int_arg, dim_type_error, user_frame
            d = int_arg(dim)
            if d is None:
                raise dim_type_error('size', dim, user_frame(1))
            dim = d
        return self._data.shape[self._wrap_dim(dim)]

    def _wrap_dim(self, dim):
        n = self._data.ndim
        if n == 0:
            raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
        if not -n <= dim < n:
            raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], '
                             f'but got {dim})')
        return dim + n if dim < 0 else dim

    def stride(self, dim=None):
        item = self._data.itemsize
        if self._data.size == 0 and self._base is None:    # fresh empty tensors: row-major strides
            st = _contiguous_strides(self._data.shape)
        else:
            st = tuple(s // item for s in self._data.strides)
        return st if dim is None else st[self._wrap_dim(dim)]

    def is_contiguous(self, memory_format=None):
        order = _CHANNELS_LAST_ORDER.get((getattr(memory_format, 'name', None), self._data.ndim))
        if order is None:
            if memory_format is not None and memory_format.name.startswith('channels_last'):
                return False                  # channels_last asked of a tensor of another rank
            return bool(self._data.flags.c_contiguous)
        sizes, strides, expected = self._data.shape, self.stride(), 1
        for d in order:                       # channels innermost, then width, height (, depth), batch
            if sizes[d] != 1:
                if strides[d] != expected:
                    return False
                expected *= sizes[d]
        return True

    def data_ptr(self):
        if type(self._data) is np.ndarray:
            return _address(self._data) if self._data.size else 0
        return self._data.data.ptr

    def storage_offset(self):
        arr = self._data
        if not arr.size:        # an empty array keeps no position: found from the view's chain
            from .ops.strided import empty_view_offset
            return empty_view_offset(self)
        if type(arr) is not np.ndarray and hasattr(arr, 'data'):     # CuPy: offset inside the allocation
            return (arr.data.ptr - arr.data.mem.ptr) // arr.itemsize
        owner = arr
        while getattr(owner, 'base', None) is not None and hasattr(owner.base, '__array_interface__'):
            owner = owner.base
        if owner is arr or not arr.size:
            return 0
        return (_address(arr) - _address(owner)) // arr.itemsize
