"""Tensor: an array (NumPy or CuPy) plus dtype, device, a version counter and autograd fields.

Ops live in ``ember/ops``; ``ember/_methods.py`` binds them onto this class as methods.
"""
import weakref
import warnings

import numpy as np

from . import _dtype
from ._device import device as _device_cls, cpu as _cpu
from ._size import Size
from .autograd import grad_mode
from .autograd.grad_mode import _local, _inference_entered
from .autograd.node import AccumulateGrad, _Handle
from ._tensor_python import PythonProtocols
from ._tensor_subclass import TensorConstruction, _disabled_torch_function_impl  # noqa: F401
from ._tensor_layout import TensorLayout, _address, _contiguous_strides  # noqa: F401  (ops import them here)

_new = object.__new__
_NOT_WRITABLE = "attribute '{}' of 'ember._C.TensorBase' objects is not writable"


def _read_only(name):
    def refuse(self, *value):
        raise AttributeError(_NOT_WRITABLE.format(name))
    return refuse


_tuple_new = tuple.__new__


def xp_of(arr):
    """The array module (numpy or cupy) that owns ``arr``."""
    if type(arr) is np.ndarray:
        return np
    from ._backend import array_module
    return array_module(arr)


_NONLEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")


class Tensor(TensorConstruction, PythonProtocols, TensorLayout):
    """A multi-dimensional array that can record the ops applied to it for autograd."""

    __module__ = 'ember'

    __array_priority__ = 1000
    _requires_grad = False
    _grad_fn = None          # read as .grad_fn (read-only for users, as in PyTorch)
    _output_nr = 0
    _grad = None
    _base = None
    _view_chain = None
    _graph_gen = 0           # a base: bumped by each recorded in-place change of it or its views
    _graph_seen = 0          # a view: the base's _graph_gen its grad_fn was derived at
    _nograd_view = False     # a view made with grad mode off (in-place on it with grad on: refused)
    _inference = False       # made in inference mode (or a view of such): see autograd/grad_mode.py
    _acc = None
    _retains_grad = False
    _leaf_hooks = None
    _post_acc_hooks = None

    # ------------------------------------------------------------- construction (see _tensor_subclass.py)
    @staticmethod
    def _make(data, grad_fn=None, vc=None, nr=0):
        t = _new(Tensor)
        t._data = data
        if vc is None:
            t._vc = [0]
            if _inference_entered[0] and _local.__dict__.get('inference'):
                t._inference = True
        else:
            t._vc = vc
        if grad_fn is not None:
            t._grad_fn = grad_fn
            t._output_nr = nr
        return t

    # ------------------------------------------------------------- metadata
    @property
    def shape(self):
        return _tuple_new(Size, self._data.shape)

    @property
    def dtype(self):
        return _dtype._FROM_NP[self._data.dtype]

    @property
    def device(self):
        if type(self._data) is np.ndarray:
            return _cpu
        return _device_cls('cuda', self._data.device.id)

    @property
    def is_cuda(self):
        return type(self._data) is not np.ndarray

    @property
    def is_cpu(self):
        return type(self._data) is np.ndarray

    is_sparse = False
    is_quantized = False
    is_meta = False
    def is_complex(self):
        return self._data.dtype.kind == 'c'

    def get_device(self):
        return -1 if self.is_cpu else self._data.device.id

    def dim(self):
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self):
        return self._data.ndim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.nbytes

    def is_floating_point(self):
        return self._data.dtype.kind == 'f' or self._data.dtype == _dtype.bfloat16.np

    def is_signed(self):
        return self.dtype.is_signed

    @property
    def _version(self):
        if self._inference:
            raise RuntimeError('Inference tensors do not track version counter.')
        return self._vc[0]

    def is_inference(self):
        return self._inference

    def _is_view(self):
        return self._base is not None

    # ------------------------------------------------------------- autograd fields
    def _current_grad_fn(self):
        if self._base is not None and self._graph_seen != self._base._graph_gen:
            from .ops._view_grad import refresh_view     # a view whose base changed in place since
            refresh_view(self)
        return self._grad_fn
    grad_fn = property(_current_grad_fn, _read_only('grad_fn'), _read_only('grad_fn'))     # ops set _grad_fn

    @property
    def requires_grad(self):
        if self._base is not None and self._graph_seen != self._base._graph_gen:
            return self._requires_grad or self._current_grad_fn() is not None      # a view of a changed base
        return self._requires_grad or self._grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, flag):
        if flag.__class__ is not bool:
            raise RuntimeError('requires_grad must be a bool')
        if self.grad_fn is not None:
            raise RuntimeError('you can only change requires_grad flags of leaf variables.' + (
                '' if flag else " If you want to use a computed variable in a subgraph that doesn't require "
                'differentiation use var_no_grad = var.detach().'))
        if flag and not _dtype.differentiable(self.dtype):
            raise RuntimeError('only Tensors of floating point and complex dtype can require gradients')
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        if requires_grad.__class__ is not bool:
            raise TypeError("requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f'{type(requires_grad).__name__}')
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and not _dtype.differentiable(self.dtype):
            raise RuntimeError('only Tensors of floating point dtype can require gradients')
        if requires_grad and self._inference:
            grad_mode.check_inference_requires_grad()
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        if self._grad is None and self.grad_fn is not None and not self._retains_grad:
            warnings.warn(_NONLEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f'assigned grad expected to be a Tensor or None but got grad of '
                                f'type {type(value).__name__}')
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if tuple(value.shape) != tuple(self.shape):
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor of "
                    f"size '{list(self.shape)}'. Please ensure that the gradient and the tensor "
                    'are the same size')
            if value.dtype != self.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_TYPE_NAMES[value.dtype]}' to a "
                    f"tensor with grad_dtype '{_scalar_name(self.dtype)}'. "
                    "The gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    'dtype). You can set the tensor\'s grad_dtype attribute with a specific dtype, '
                    'or None to allow any dtype. Set grad_dtype with caution. Diverging the dtypes '
                    'of a tensor and its gradient may break downstream systems that assume they '
                    'match.')
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    def retain_grad(self):
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                if t._grad is None:
                    t._grad = grad.detach().clone() if not grad_mode.is_grad_enabled() else grad.clone()
                else:
                    t._grad = t._grad + grad
        node = self.grad_fn
        if node._retain is None:
            node._retain = {}
        node._retain[self._output_nr] = keep

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None, called with this tensor's gradient during backward."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn._add_tensor_hook(self._output_nr, hook)
        if self._leaf_hooks is None:
            self._leaf_hooks = []
        self._leaf_hooks.append(hook)
        return _Handle(self._leaf_hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """hook(tensor) -> None, called on a leaf after backward() accumulated its ``.grad``."""
        if self.grad_fn is not None:
            raise RuntimeError('post accumulate grad hooks cannot be registered on non-leaf tensors')
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        self._post_acc_hooks.append(hook)
        return _Handle(self._post_acc_hooks, hook)

    @property
    def output_nr(self):
        return self._output_nr

    def _grad_accumulator(self):
        acc = self._acc() if self._acc is not None else None
        if acc is None:
            acc = AccumulateGrad(self)
            self._acc = weakref.ref(acc)
        return acc

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        t = Tensor._make(self._data, vc=self._vc)
        if self._inference:
            t._inference = True
        if self.__class__ is not Tensor and self._propagates:
            t.__class__ = self.__class__
        return t

    def detach_(self):
        if self._base is not None:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               'DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as '
                               'True, gradients are views of DDP buckets, and hence detach_() cannot be called on '
                               'these gradients. To fix this error, please refer to the Optimizer.zero_grad() '
                               'function in ember/optim/optimizer.py as the solution.')
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        t = Tensor._make(self._data)
        if self.__class__ is not Tensor and self._propagates:
            t.__class__ = self.__class__
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f'Variable data has to be a tensor, but got {type(value).__name__}')
        if self.requires_grad and not _dtype.differentiable(value.dtype):
            raise RuntimeError('data set to a tensor that requires gradients must be floating point or complex dtype')
        self._data = value._data

    __hash__ = object.__hash__

    def to_sparse(self, sparse_dim=None, *, layout=None, blocksize=None, dense_dim=None):
        """A sparse COO copy holding the nonzero entries (``ember.sparse``)."""
        from .sparse._create import dense_to_sparse
        if layout is not None and layout is not _dtype.sparse_coo:
            raise RuntimeError(f'to_sparse: layout {layout!r} is not supported (only ember.sparse_coo)')
        return dense_to_sparse(self, sparse_dim, 'ToSparseBackward1' if sparse_dim is None else 'ToSparseBackward0')

    def to_sparse_coo(self):
        return self.to_sparse()

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_str
        return tensor_str(self)

    __str__ = __repr__

for _name in ('shape', 'dtype', 'device', 'is_cuda', 'is_cpu', 'ndim', 'itemsize', 'nbytes', '_version',
              'is_leaf', 'retains_grad', 'output_nr'):
    _p = Tensor.__dict__[_name]
    setattr(Tensor, _name, property(_p.fget, _read_only(_name), None, _p.__doc__))


def _rebuild(arr, requires_grad, device=None):
    from ._backend import move
    t = Tensor._make(arr.copy() if device is None else move(arr, _device_cls(device)))
    t._requires_grad = requires_grad
    return t


_TYPE_NAMES = {}


def _scalar_name(d):
    """PyTorch's ScalarType name used in error messages: Float, Long, Double, ..."""
    return _SCALAR_NAMES[d.name]


_SCALAR_NAMES = {'float32': 'Float', 'float64': 'Double', 'float16': 'Half', 'bfloat16': 'BFloat16',
                 'int64': 'Long', 'int32': 'Int', 'int16': 'Short', 'int8': 'Char', 'uint8': 'Byte',
                 'bool': 'Bool', 'complex64': 'ComplexFloat', 'complex128': 'ComplexDouble', 'uint16': 'UInt16',
                 'uint32': 'UInt32', 'uint64': 'UInt64'}
_TYPE_NAMES.update({d: {'float32': 'float', 'float64': 'double', 'float16': 'c10::Half', 'int64': 'long int',
                        'int32': 'int', 'int16': 'short int', 'int8': 'signed char', 'uint8': 'unsigned char',
                        'bool': 'bool', 'bfloat16': 'c10::BFloat16', 'complex64': 'c10::complex<float>',
                        'complex128': 'c10::complex<double>'}[d.name] for d in _dtype.all_dtypes + _dtype.COMPLEX})
