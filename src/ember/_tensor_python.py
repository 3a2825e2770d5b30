"""The Python side of Tensor: conversions to NumPy and Python numbers, the DLPack protocol,
len/iter/bool, format, pickling, deepcopy and the legacy ``type()`` call (mixed into Tensor)."""
import numpy as np

from . import _dtype

_warned = {'float': False}
# PyTorch names complex tensor types, though it has no legacy classes for them
_COMPLEX_NAMES = {'complex64': 'ComplexFloatTensor', 'complex128': 'ComplexDoubleTensor'}
_COMPLEX_TYPES = {'ComplexFloatTensor': _dtype.complex64, 'ComplexDoubleTensor': _dtype.complex128}
# PyTorch's (CPU build) message for a legacy CUDA type() without CUDA, one line
_NO_ATEN_CUDA = (
    'Cannot initialize CUDA without ATen_cuda library. PyTorch splits its backend into two shared libraries: '
    'a CPU library and a CUDA library; this error has occurred because you are trying to use some CUDA '
    'functionality, but the CUDA library has not been loaded by the dynamic linker for some reason.  The CUDA '
    "library MUST be loaded, EVEN IF you don't directly use any symbols from the CUDA library! One common "
    'culprit is a lack of -Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic '
    "library dependencies if you don't depend on any of their symbols.  You can check if this has occurred by "
    'using ldd on your binary to see if there is a dependency on *_cuda.so library.')


def _writable_view(arr):
    """A writable view of a read-only NumPy view whose memory is writable (NumPy won't flip the flag)."""
    owner = arr
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if not owner.flags.writeable:
        return arr
    iface = dict(arr.__array_interface__)
    iface['data'] = (iface['data'][0], False)
    from .ops.strided import _Holder
    return np.asarray(_Holder(iface, arr)).view(arr.dtype)


def _user_state(t):
    """The attributes a user set on ``t`` (ember's own fields are class attributes of Tensor), and
    its conjugate/negative bits."""
    d = t.__dict__
    if len(d) <= 2:             # _data and _vc only: the usual case
        return {}
    from ._tensor import Tensor
    state = {k: v for k, v in d.items() if k not in ('_data', '_vc') and not hasattr(Tensor, k)}
    for flag in ('_conj', '_neg'):       # the conjugate and negative bits travel with the values
        if d.get(flag):
            state[flag] = True
    return state


def _rebuild_shared(arr, requires_grad, cls):
    from ._tensor import Tensor
    t = Tensor._make(arr)
    if cls is not Tensor:
        t.__class__ = cls
    t._requires_grad = requires_grad
    return t


def _rebuild_strided(flat, offset, shape, strides, requires_grad, device=None, cls=None, state=None):
    """Unpickles a tensor: ``flat`` is its whole storage, the rest its geometry (in elements)."""
    from ._tensor import Tensor
    from ._backend import move
    from ._device import device as _device
    if device is not None:
        flat = move(flat, _device(device))
    if shape and flat.size:
        arr = _strided(flat, offset, shape, strides)
    else:
        arr = flat[offset:offset + int(np.prod(shape))].reshape(shape) if flat.size else flat.reshape(shape)
    t = _rebuild_shared(arr, requires_grad, Tensor if cls is None else cls)
    if state:
        t.__dict__.update(state)
    return t


def _strided(flat, offset, shape, strides):
    from .ops.strided import strided_view
    return strided_view(flat, tuple(shape), tuple(strides), offset)


def _copied_storage_view(arr, memo):
    """``arr``'s geometry on a copy of its storage; one copy per storage within one deepcopy (memo)."""
    from .ops.strided import storage_of
    if not arr.size:
        return arr.copy()
    flat, off = storage_of(arr)
    start = flat.__array_interface__['data'][0] if type(flat) is np.ndarray else flat.data.ptr
    key = ('ember.storage', start, flat.nbytes, arr.dtype.str)
    entry = memo.get(key)
    if entry is None:
        entry = memo[key] = (flat, flat.copy())     # (the memo keeps the original alive: its address stays its)
    return _strided(entry[1], off, arr.shape, tuple(s // arr.itemsize for s in arr.strides))


class PythonProtocols:
    def numpy(self, *, force=False):
        if not force:
            if self.is_cuda:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                                'Tensor.cpu() to copy the tensor to host memory first.')
            if self.requires_grad:
                from .autograd.forward_ad import _hidden_only      # forward AD's duals: allowed, as in torch
                if not _hidden_only(self):
                    raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                                       'tensor.detach().numpy() instead.')
            if self._conj:      # ember's conj() result holds its values already: refused as PyTorch does
                raise RuntimeError("Can't call numpy() on Tensor that has conjugate bit set. Use "
                                   'tensor.resolve_conj().numpy() instead.')
            if self._neg:
                raise RuntimeError("Can't call numpy() on Tensor that has negative bit set. Use "
                                   'tensor.resolve_neg().numpy() instead.')
        if self._data.dtype.name == 'bfloat16':         # NumPy has no bfloat16 (ember keeps ml_dtypes')
            raise TypeError('Got unsupported ScalarType BFloat16')
        return self._host()

    def _host(self):
        """The values as a host array, bfloat16 (ml_dtypes') included: ``numpy(force=True)`` without
        its refusal of bfloat16, for ember's own use."""
        if self.is_cuda:
            return self._data.get()
        arr = self._data
        if not arr.flags.writeable:          # an expanded tensor: PyTorch's array is a writable view
            arr = _writable_view(arr)
        return arr

    def __array_wrap__(self, array):
        """NumPy ufuncs on a tensor (``np.sin(t)``) return a tensor, as in PyTorch (bool as uint8)."""
        from .ops.creation import from_numpy
        if array.dtype == bool:
            array = array.astype(np.uint8)
        return from_numpy(array)

    __array_wrap__.__qualname__ = 'Tensor.__array_wrap__'

    def __contains__(self, element, /):
        from numbers import Number
        from ._tensor import Tensor
        if isinstance(element, (Tensor, Number)):
            return bool((element == self).any().item())
        raise RuntimeError(f'Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}.')

    def __reversed__(self):
        return self if self._data.ndim == 0 else self.flip(0)

    def __array__(self, dtype=None):
        # no ``copy`` parameter, as PyTorch's: NumPy 2 then gives its DeprecationWarning and copies itself
        arr = self.numpy()        # as torch: refuses tensors that require grad or live on a GPU
        return arr if dtype is None else arr.astype(dtype, copy=False)

    def __dlpack__(self, *, stream=-1, max_version=None, dl_device=None, copy=None):
        """A DLPack capsule sharing this tensor's memory (see ``ember.utils.dlpack``)."""
        from .utils.dlpack import export_tensor
        return export_tensor(self, stream, max_version, dl_device, copy)

    __dlpack__.__qualname__ = 'Tensor.__dlpack__'     # as named in argument errors

    def __dlpack_device__(self):
        """``(DLDeviceType, device index)``: ``(DLDeviceType.kDLCPU, 0)`` on the CPU."""
        from .utils.dlpack import tensor_device
        return tensor_device(self)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f'a Tensor with {self._data.size} elements cannot be converted to Scalar')
        v = self._data.reshape(()).item() if type(self._data) is np.ndarray else self._data.item()
        if self._data.dtype == _dtype.bfloat16.np:
            v = float(v)
        return v

    def tolist(self):
        arr = np.asarray(self.detach()._host())
        if arr.dtype == _dtype.bfloat16.np:
            arr = arr.astype(np.float32)
        return arr.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError('len() of a 0-d tensor')
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError('iteration over a 0-d tensor')
        return iter(self.unbind(0))

    def __bool__(self):
        n = self._data.size
        if n != 1:
            raise RuntimeError(f'Boolean value of Tensor with {"no values" if n == 0 else "more than one value"} '
                               'is ambiguous')
        return bool(self.item())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError('only one element tensors can be converted to Python scalars')
        return self.item()

    def _real_scalar(self, cpp_name):
        """The element as a real Python number; a complex one only when its imaginary part is 0."""
        value = self._scalar()
        if isinstance(value, complex):
            if value.imag != 0:
                raise RuntimeError(f'value cannot be converted to type {cpp_name} without overflow')
            value = value.real
        return value

    def __int__(self):
        return int(self._real_scalar('int64_t'))

    def __float__(self):
        value = float(self._real_scalar('double'))
        if self.requires_grad and not _warned['float']:          # PyTorch warns once per process,
            from .autograd.grad_mode import is_grad_enabled     # and only with grad mode on
            if not is_grad_enabled():
                return value
            _warned['float'] = True
            import warnings
            warnings.warn('Converting a tensor with requires_grad=True to a scalar may lead to unexpected '
                          'behavior.\nConsider using tensor.detach() first.', UserWarning, stacklevel=2)
        return value

    def __index__(self):
        if self._data.dtype.kind not in 'iub' or self._data.size != 1:
            raise TypeError('only integer tensors of a single element can be converted to an index')
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError('unsupported format string passed to Tensor.__format__')
        return repr(self)

    def __reduce_ex__(self, proto):
        """Pickles the whole storage with this tensor's geometry (sizes, strides, offset), its class,
        requires_grad (a non-leaf comes back as a leaf that requires grad) and its own attributes."""
        from .ops.strided import storage_of
        if self.is_cuda and not self._data.size:
            return (_rebuild_strided, (self._data.get(), 0, (), (), self.requires_grad, str(self.device),
                                       type(self), _user_state(self)))
        flat, off = storage_of(self._data)
        flat = flat.get() if self.is_cuda else flat.copy()     # unpickles onto the same GPU, as in PyTorch
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return (_rebuild_strided, (flat, off, self._data.shape, st, self.requires_grad,
                                   str(self.device) if self.is_cuda else None, type(self), _user_state(self)))

    def __copy__(self):
        """A new tensor object on the same memory (PyTorch's shallow copy); a leaf."""
        t = _rebuild_shared(self._data, self.requires_grad, type(self))
        t.__dict__.update(_user_state(self))
        return t

    def __deepcopy__(self, memo):
        """A leaf with its own copy of the storage (shared with the other tensors of the same storage
        copied in this deepcopy), the same geometry, requires_grad, grad and attributes."""
        if not self.is_leaf:
            raise RuntimeError('Only Tensors created explicitly by the user (graph leaves) support '
                               'the deepcopy protocol at the moment.  If you were attempting to '
                               'deepcopy a module, this may be because of a torch.nn.utils.'
                               'weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001')
        if id(self) in memo:
            return memo[id(self)]
        import copy
        new = _rebuild_shared(_copied_storage_view(self._data, memo), self._requires_grad, type(self))
        memo[id(self)] = new
        if self._grad is not None:
            new._grad = copy.deepcopy(self._grad, memo)
        for k, v in _user_state(self).items():
            setattr(new, k, copy.deepcopy(v, memo))
        return new

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return ('ember.cuda.' if self.is_cuda else 'ember.') + (
                self.dtype.legacy or _COMPLEX_NAMES[self.dtype.name])
        if isinstance(dtype, str) and dtype.rpartition('.')[2] in _COMPLEX_TYPES:
            prefix, _, cls = dtype.rpartition('.')
            if prefix not in ('ember', 'torch', 'ember.cuda', 'torch.cuda'):
                raise ValueError(f'invalid type: {dtype!r}')
            return self._to_legacy(_COMPLEX_TYPES[cls], prefix.endswith('cuda'), non_blocking)
        if isinstance(dtype, str) or hasattr(dtype, '_legacy_dtype'):
            # a legacy class or its name also says the device: ember.cuda.FloatTensor moves to CUDA
            from .ops.legacy import parse_type_name
            dtype, cuda = ((dtype._legacy_dtype, dtype.is_cuda) if not isinstance(dtype, str)
                           else parse_type_name(dtype))
            return self._to_legacy(dtype, cuda, non_blocking)
        if not isinstance(dtype, _dtype.dtype):
            raise TypeError('dtype must be a type, str, or dtype object')
        return self.to(dtype, non_blocking=non_blocking)

    def _to_legacy(self, dtype, cuda, non_blocking):
        """``type()`` to a legacy type: its dtype, on CUDA for a ``cuda.`` one. Without CUDA, PyTorch's
        CPU build fails this with its lazy CUDA init's RuntimeError (not ``.cuda()``'s AssertionError)."""
        if cuda:
            from ._backend import cuda_reason
            reason = cuda_reason()
            if reason is not None:
                raise RuntimeError(f'{_NO_ATEN_CUDA}\n(ember: {reason})')
        return self.to(device='cuda' if cuda else 'cpu', dtype=dtype, non_blocking=non_blocking)
