"""nn.Parameter, nn.Buffer and the uninitialised (lazy) parameter of LazyLinear & co."""
from .._tensor import Tensor, _disabled_torch_function_impl

__all__ = ['Parameter', 'UninitializedParameter', 'is_lazy', 'Buffer', 'UninitializedBuffer',
           'UninitializedTensorMixin']


class _ParameterMeta(type):
    def __instancecheck__(cls, instance):
        # a plain tensor flagged ``_is_param`` counts as a Parameter, as in PyTorch
        if cls is Parameter and isinstance(instance, Tensor) and getattr(instance, '_is_param', False):
            return True
        return super().__instancecheck__(instance)


class Parameter(Tensor, metaclass=_ParameterMeta):
    """A leaf tensor that a Module registers as a parameter when assigned as an attribute.

    It shares memory with ``data``, requires grad by default and prints as
    ``Parameter containing:`` followed by the tensor."""
    __torch_function__ = _disabled_torch_function_impl      # results of ops on it are plain Tensors

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise AttributeError(f"'{type(data).__name__}' object has no attribute 'detach'")
        if data.is_sparse:
            return _sparse_parameter(data, requires_grad)
        if requires_grad and data._data.dtype.kind not in 'fVc':
            raise RuntimeError('Only Tensors of floating point and complex dtype can require gradients')
        if requires_grad and data._inference:
            from ..autograd.grad_mode import check_inference_requires_grad
            check_inference_requires_grad()
        p = object.__new__(cls)
        p._data = data._data
        p._vc = data._vc
        p._requires_grad = bool(requires_grad)
        if data._inference:
            p._inference = True
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        memo[id(self)] = result
        return result

    def __repr__(self):
        text = super().__repr__()
        if type(self) is not Parameter:      # a subclass: PyTorch wraps its own repr once more
            text = f'Parameter({text})'
        return 'Parameter containing:\n' + text

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        state = {k: v for k, v in self.__dict__.items() if k not in _TENSOR_FIELDS}
        return (_rebuild_parameter, (self.detach(), self._requires_grad, state))


_SPARSE_PARAMETER = []


def _sparse_parameter(data, requires_grad):
    """A Parameter with a sparse COO layout: an instance of a subclass of both the sparse tensor and
    Parameter (named Parameter, as PyTorch's), sharing data's indices and values."""
    if not _SPARSE_PARAMETER:
        from ..sparse import SparseTensor

        class SparseParameter(SparseTensor, Parameter):
            __new__ = object.__new__

            def __repr__(self):
                return 'Parameter containing:\n' + SparseTensor.__repr__(self)
            __str__ = __repr__

            def __deepcopy__(self, memo):       # (PyTorch's copy clones with preserve_format)
                raise RuntimeError('unsupported memory format option Preserve')

            def __reduce_ex__(self, proto):
                return SparseTensor.__reduce_ex__(self, proto)
        SparseParameter.__name__ = SparseParameter.__qualname__ = 'Parameter'
        _SPARSE_PARAMETER.append(SparseParameter)
    if requires_grad and not (data.dtype.is_floating_point or data.dtype.is_complex):
        raise RuntimeError('Only Tensors of floating point and complex dtype can require gradients')
    p = object.__new__(_SPARSE_PARAMETER[0])
    p._i, p._v, p._size, p._coal, p._vc = data._i, data._v, data._size, data._coal, data._vc
    p._requires_grad = bool(requires_grad)
    return p


_TENSOR_FIELDS = {'_data', '_vc', '_requires_grad', 'grad_fn', '_grad_fn', '_output_nr', '_grad', '_base',
                  '_view_chain', '_acc', '_retains_grad', '_leaf_hooks', '_post_acc_hooks'}


def _rebuild_parameter(data, requires_grad, state=None):
    p = Parameter(data, requires_grad)
    if state:
        p.__dict__.update(state)
    return p


# what an uninitialized parameter still allows (as PyTorch's list), and the names its error uses
_LAZY_ALLOWED = frozenset({'size', 'copy_', 'is_complex', 'is_floating_point', 'half', 'float', 'double',
                           'char', 'short', 'int', 'long', 'cuda', 'cpu', 'to', 'get_device',
                           'materialize', 'share_memory_', 'cls_to_become'})
_LAZY_ALIASES = {'nelement': 'numel', 'ndimension': 'dim'}
_LAZY_DUNDERS = ('add', 'radd', 'sub', 'rsub', 'mul', 'rmul', 'truediv', 'rtruediv', 'floordiv', 'mod',
                 'pow', 'rpow', 'matmul', 'rmatmul', 'neg', 'abs', 'len', 'getitem', 'setitem', 'iter',
                 'float', 'int', 'format', 'lt', 'le', 'gt', 'ge', 'and', 'or', 'xor', 'invert')


def _uninitialized_use(name):
    def refuse(*args, **kwargs):
        raise ValueError(
            f"Attempted to use an uninitialized parameter in <method '{_LAZY_ALIASES.get(name, name)}' of "
            "'ember._C.TensorBase' objects>. This error happens when you are using a `LazyModule` or "
            'explicitly manipulating `ember.nn.parameter.UninitializedParameter` objects. When using '
            'LazyModules Call `forward` with a dummy batch to initialize the parameters before calling '
            'ember functions')
    return refuse


class _LazyDunders:
    """Operators on an uninitialized parameter raise PyTorch's ValueError (``p + 1``, ``len(p)``)."""
    for _n in _LAZY_DUNDERS:
        locals()[f'__{_n}__'] = _uninitialized_use(_n[1:] if _n.startswith('r') and _n != 'rshift' else _n)
    del _n


class UninitializedTensorMixin(_LazyDunders):
    """A parameter/buffer whose shape is not known yet: only ``materialize`` and a few
    dtype/device moves are allowed until then; other Tensor methods raise ValueError."""

    def __getattribute__(self, name):
        if name[0] != '_' and name not in _LAZY_ALLOWED:
            attr = getattr(Tensor, name, None)
            if callable(attr) and not isinstance(attr, type):      # methods only, not properties
                return _uninitialized_use(name)
        return super().__getattribute__(name)

    def materialize(self, shape, device=None, dtype=None):
        from ..ops.creation import empty
        device = self.device if device is None else device
        dtype = self.dtype if dtype is None else dtype
        self._data = empty(shape, device=device, dtype=dtype)._data
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            'happens in `load_state_dict` when trying to load an uninitialized parameter into an '
            'initialized one. Call `forward` to initialize the parameters before accessing their '
            'attributes.')

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` "
                           'to initialize the parameters before calling `module.share_memory()`.')

    def __repr__(self):
        return f'<{type(self).__name__}>'

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad,))


def is_lazy(param):
    """True for a parameter or buffer that is not materialised yet."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from ..ops.creation import empty
        return Parameter.__new__(cls, empty(0, device=device, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]


class _BufferMeta(type):
    def __instancecheck__(cls, instance):
        if cls is Buffer and isinstance(instance, Tensor) and getattr(instance, '_is_buffer', False):
            return True
        return super().__instancecheck__(instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    Like PyTorch, ``Buffer(t)`` returns a plain detached tensor that carries the flag."""
    __torch_function__ = _disabled_torch_function_impl

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        t = data.detach().requires_grad_(data.requires_grad)
        t.persistent = persistent
        t._is_buffer = True
        return t


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        from ..ops.creation import empty
        t = object.__new__(cls)
        base = empty(0, device=device, dtype=dtype)
        t._data, t._vc = base._data, base._vc
        t._requires_grad = bool(requires_grad)
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass
