"""The Python side of Tensor: conversions to NumPy and Python numbers, the DLPack protocol,
len/iter/bool, format, pickling, deepcopy and the legacy ``type()`` call (mixed into Tensor)."""
import numpy as np

from . import _dtype

_warned = {'float': False}
# PyTorch names complex tensor types, though it has no legacy classes for them
_COMPLEX_NAMES = {'complex64': 'ComplexFloatTensor', 'complex128': 'ComplexDoubleTensor'}
_COMPLEX_TYPES = {'ComplexFloatTensor': _dtype.complex64, 'ComplexDoubleTensor': _dtype.complex128}


class PythonProtocols:
    def numpy(self, *, force=False):
        if self.is_cuda:
            if not force:
                raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                                'Tensor.cpu() to copy the tensor to host memory first.')
            return self._data.get()
        if self.requires_grad and not force:
            from .autograd.forward_ad import _hidden_only      # forward AD's duals: allowed, as in torch
            if not _hidden_only(self):
                raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                                   'tensor.detach().numpy() instead.')
        if self._data.dtype.name == 'bfloat16' and not force:     # NumPy has no bfloat16 (ember keeps ml_dtypes')
            raise TypeError('Got unsupported ScalarType BFloat16')
        return self._data

    def __array__(self, dtype=None, copy=None):
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
        arr = np.asarray(self.detach().numpy(force=True))
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
        from ._tensor import _rebuild
        if self.is_cuda:       # unpickles onto the same GPU, as in PyTorch
            return (_rebuild, (self._data.get(), self._requires_grad, str(self.device)))
        return (_rebuild, (np.asarray(self.detach().numpy(force=True)), self._requires_grad))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError('Only Tensors created explicitly by the user (graph leaves) support '
                               'the deepcopy protocol at the moment.  If you were attempting to '
                               'deepcopy a module, this may be because of a torch.nn.utils.'
                               'weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001')
        if id(self) in memo:
            return memo[id(self)]
        from .autograd.grad_mode import no_grad
        with no_grad():
            new = self.clone()
        new.__class__ = self.__class__
        new.__dict__.update({k: v for k, v in self.__dict__.items() if k not in new.__dict__
                             and k not in ('_acc', '_grad')})
        if self._grad is not None:
            new._grad = self._grad.clone()
        new._requires_grad = self._requires_grad
        memo[id(self)] = new
        return new

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            return ('ember.cuda.' if self.is_cuda else 'ember.') + (
                self.dtype.legacy or _COMPLEX_NAMES[self.dtype.name])
        if isinstance(dtype, str) and dtype.rpartition('.')[2] in _COMPLEX_TYPES:
            prefix, _, cls = dtype.rpartition('.')
            if prefix not in ('ember', 'torch', 'ember.cuda', 'torch.cuda'):
                raise ValueError(f'invalid type: {dtype!r}')
            return self.to(device='cuda' if prefix.endswith('cuda') else 'cpu',
                           dtype=_COMPLEX_TYPES[cls], non_blocking=non_blocking)
        if isinstance(dtype, str) or hasattr(dtype, '_legacy_dtype'):
            # a legacy class or its name also says the device: ember.cuda.FloatTensor moves to CUDA
            from .ops.legacy import parse_type_name
            dtype, cuda = ((dtype._legacy_dtype, dtype.is_cuda) if not isinstance(dtype, str)
                           else parse_type_name(dtype))
            return self.to(device='cuda' if cuda else 'cpu', dtype=dtype, non_blocking=non_blocking)
        if not isinstance(dtype, _dtype.dtype):
            raise TypeError('dtype must be a type, str, or dtype object')
        return self.to(dtype, non_blocking=non_blocking)
