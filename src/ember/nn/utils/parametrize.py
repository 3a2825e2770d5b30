"""nn.utils.parametrize: express a parameter or buffer as a function of other tensors.

``register_parametrization(module, 'weight', P())`` moves the tensor to
``module.parametrizations.weight.original`` (or ``original0``, ``original1``, ... when
``P.right_inverse`` returns several tensors), swaps the module's class for a subclass named
``Parametrized<Class>`` that carries a ``weight`` property, and from then on every read of
``module.weight`` computes ``P(original)``; assigning to it goes through ``right_inverse``."""
import collections
import copyreg
from collections.abc import Sequence
from contextlib import contextmanager
from copy import deepcopy

from ..._tensor import Tensor
from ...autograd import grad_mode
from ..modules.container import ModuleDict, ModuleList
from ..parameter import Parameter

__all__ = ['cached', 'ParametrizationList', 'register_parametrization', 'is_parametrized',
           'remove_parametrizations', 'type_before_parametrizations', 'transfer_parametrizations_and_params']

_cache_enabled = 0
_cache = {}


@contextmanager
def cached():
    """Inside this block each parametrized tensor is computed once, on first use, and reused."""
    global _cache, _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache = {}


def _register_parameter_or_buffer(module, name, X):
    if isinstance(X, Parameter):
        module.register_parameter(name, X)
    else:
        module.register_buffer(name, X)


def _maybe_set(dest, src):
    """Make ``dest`` hold ``src``'s data (PyTorch's ``dest.set_(src)``): dest keeps its identity."""
    dest._data = src._data
    dest._vc[0] += 1


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, plus the unconstrained tensor(s)
    they start from (``original``, or ``original0``, ``original1``, ...). Built by
    register_parametrization; not meant to be created directly."""

    def __init__(self, modules, original, unsafe=False):
        if len(modules) == 0:
            raise ValueError('ParametrizationList requires one or more modules.')
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = original.shape, original.dtype
        with grad_mode.no_grad():
            new = original
            for module in reversed(self):
                if hasattr(module, 'right_inverse'):
                    try:
                        new = module.right_inverse(new)
                    except NotImplementedError:
                        pass
        if not isinstance(new, (Tensor, Sequence)):
            raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors (list, tuple...). "
                             f'Got {type(new).__name__}')
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if original.dtype != new.dtype:
                raise ValueError('When `right_inverse` outputs one tensor, it may not change the dtype.\n'
                                 f'original.dtype: {original.dtype}\n'
                                 f'right_inverse(original).dtype: {new.dtype}')
            if original.device != new.device:
                raise ValueError('When `right_inverse` outputs one tensor, it may not change the device.\n'
                                 f'original.device: {original.device}\n'
                                 f'right_inverse(original).device: {new.device}')
            with grad_mode.no_grad():
                _maybe_set(original, new)
            _register_parameter_or_buffer(self, 'original', original)
        else:
            for i, originali in enumerate(new):
                if not isinstance(originali, Tensor):
                    raise ValueError("'right_inverse' must return a Tensor or a Sequence of tensors "
                                     f'(list, tuple...). Got element {i} of the sequence with type '
                                     f'{type(originali).__name__}.')
                if isinstance(original, Parameter):
                    originali = Parameter(originali, original.requires_grad)
                originali.requires_grad_(original.requires_grad)
                _register_parameter_or_buffer(self, f'original{i}', originali)
        if not self.unsafe:
            Z = self()
            if not isinstance(Z, Tensor):
                raise ValueError(f'A parametrization must return a tensor. Got {type(Z).__name__}.')
            if Z.dtype != original_dtype:
                raise ValueError('Registering a parametrization may not change the dtype of the tensor, unless '
                                 '`unsafe` flag is enabled.\n'
                                 f'unparametrized dtype: {original_dtype}\nparametrized dtype: {Z.dtype}')
            if Z.shape != original_shape:
                raise ValueError('Registering a parametrization may not change the shape of the tensor, unless '
                                 '`unsafe` flag is enabled.\n'
                                 f'unparametrized shape: {original_shape}\nparametrized shape: {Z.shape}')

    def right_inverse(self, value):
        """Run the right inverses last-to-first on ``value`` and store the result in the originals."""
        with grad_mode.no_grad():
            for module in reversed(self):
                if not hasattr(module, 'right_inverse'):
                    raise RuntimeError(f'parametrization {type(module).__name__} does not implement right_inverse.')
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f'`right_inverse` should return a tensor. Got {type(value).__name__}')
                if value.dtype != self.original.dtype:
                    raise ValueError(f'The tensor returned by `right_inverse` has dtype {value.dtype} while '
                                     f'`original` has dtype {self.original.dtype}')
                _maybe_set(self.original, value)
                return
            if not isinstance(value, collections.abc.Sequence):
                raise ValueError(f"'right_inverse' must return a sequence of tensors. Got {type(value).__name__}.")
            if len(value) != self.ntensors:
                raise ValueError("'right_inverse' must return a sequence of tensors of length "
                                 f'{self.ntensors}. Got a sequence of length {len(value)}.')
            for i, tensor in enumerate(value):
                original_i = getattr(self, f'original{i}')
                if not isinstance(tensor, Tensor):
                    raise ValueError("'right_inverse' must return a sequence of tensors or reference-type "
                                     f'opaques. Got element {i} of type {type(tensor).__name__}.')
                if original_i.dtype != tensor.dtype:
                    raise ValueError(f'Tensor {i} returned by `right_inverse` has dtype {tensor.dtype} while '
                                     f'`original{i}` has dtype {original_i.dtype}')
                _maybe_set(original_i, tensor)

    def forward(self):
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f'original{i}') for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _inject_new_class(module):
    """Give ``module`` a fresh subclass of its class, named Parametrized<Class>, to hold properties."""
    cls = module.__class__

    def default_deepcopy(self, memo):
        obj = memo.get(id(self), None)
        if obj is not None:
            return obj
        replica = self.__new__(self.__class__)
        memo[id(self)] = replica
        replica.__dict__ = deepcopy(self.__dict__, memo)
        for slot in copyreg._slotnames(self.__class__):
            if hasattr(self, slot):
                setattr(replica, slot, deepcopy(getattr(self, slot), memo))
        return replica

    def getstate(self):
        raise RuntimeError('Serialization of parametrized modules is only supported through state_dict(). See:\n'
                           'https://pytorch.org/tutorials/beginner/saving_loading_models.html'
                           '#saving-loading-a-general-checkpoint-for-inference-and-or-resuming-training')

    dct = {'__getstate__': getstate}
    if not hasattr(cls, '__deepcopy__'):
        dct['__deepcopy__'] = default_deepcopy
    module.__class__ = type(f'Parametrized{cls.__name__}', (cls,), dct)


def _inject_property(module, tensor_name):
    """A property ``tensor_name`` on the module's (already swapped) class: read computes, write inverts."""
    if hasattr(module, tensor_name):
        raise AssertionError(f"Module already has an attribute named '{tensor_name}'")

    def get_parametrized(self):
        parametrization = self.parametrizations[tensor_name]
        if not _cache_enabled:
            return parametrization()
        key = (id(module), tensor_name)
        tensor = _cache.get(key)
        if tensor is None:
            tensor = _cache[key] = parametrization()
        return tensor

    def set_original(self, value):
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def _check_chained(module, tensor_name, parametrization):
    """The checks made when a parametrization is added on top of existing ones (unsafe=False)."""
    Y = getattr(module, tensor_name)
    X = parametrization(Y)
    if not isinstance(X, Tensor):
        raise ValueError(f'A parametrization must return a tensor. Got {type(X).__name__}.')
    if X.dtype != Y.dtype:
        raise ValueError('Registering a parametrization may not change the dtype of the tensor, unless the '
                         f'`unsafe` flag is enabled.\nmodule.{tensor_name}.dtype: {Y.dtype}\n'
                         f'parametrization(module.{tensor_name}).dtype: {X.dtype}')
    if X.shape != Y.shape:
        raise ValueError('Registering a parametrization may not change the shape of the tensor, unless the '
                         f'`unsafe` flag is enabled.\nmodule.{tensor_name}.shape: {Y.shape}\n'
                         f'parametrization(module.{tensor_name}).shape: {X.shape}')
    if hasattr(parametrization, 'right_inverse'):
        try:
            Z = parametrization.right_inverse(X)
        except NotImplementedError:
            return
        if not isinstance(Z, Tensor):
            raise ValueError(f'parametrization.right_inverse must return a tensor. Got: {type(Z).__name__}')
        if Z.dtype != Y.dtype:
            raise ValueError('The tensor returned by parametrization.right_inverse must have the same dtype as '
                             f'module.{tensor_name}, unless the `unsafe` flag is enabled.\n'
                             f'module.{tensor_name}.dtype: {Y.dtype}\nreturned dtype: {Z.dtype}')
        if Z.shape != Y.shape:
            raise ValueError('The tensor returned by parametrization.right_inverse must have the same shape as '
                             f'module.{tensor_name}, unless the `unsafe` flag is enabled.\n'
                             f'module.{tensor_name}.shape: {Y.shape}\nreturned shape: {Z.shape}')


def register_parametrization(module, tensor_name, parametrization, *, unsafe=False):
    """Make ``module.<tensor_name>`` read as ``parametrization(original)``; returns ``module``."""
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            _check_chained(module, tensor_name, parametrization)
        module.parametrizations[tensor_name].append(parametrization)
        module.parametrizations[tensor_name].unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        _inject_property(module, tensor_name)
        module.parametrizations[tensor_name] = parametrizations
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a parametrized element "
                         f"with name '{tensor_name}'")
    return module


def is_parametrized(module, tensor_name=None):
    """Whether ``module`` has any parametrization (or one on ``tensor_name``)."""
    parametrizations = getattr(module, 'parametrizations', None)
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    return len(parametrizations) > 0 if tensor_name is None else tensor_name in parametrizations


def remove_parametrizations(module, tensor_name, leave_parametrized=True):
    """Undo register_parametrization on ``tensor_name``: keep its current value
    (``leave_parametrized=True``) or go back to the unconstrained original."""
    if not is_parametrized(module, tensor_name):
        raise ValueError(f'Module {module} does not have a parametrization on {tensor_name}')
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with grad_mode.no_grad():
                t = getattr(module, tensor_name)
                _maybe_set(original, t)
    elif leave_parametrized:
        t = getattr(module, tensor_name)
        original = Parameter(t.detach()) if t.requires_grad else t
    else:
        raise ValueError('Cannot leave unparametrized (`leave_parametrized=False`) a tensor that is parametrized '
                         'in terms of a sequence of tensors.')
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register_parameter_or_buffer(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, 'parametrizations')
        module.__class__ = module.__class__.__bases__[0]
    return module


def type_before_parametrizations(module):
    """The module's class as it was before any parametrization swapped it."""
    return module.__class__.__bases__[0] if is_parametrized(module) else type(module)


def transfer_parametrizations_and_params(from_module, to_module, tensor_name=None):
    """Register ``from_module``'s parametrizations (all, or the one on ``tensor_name``) on
    ``to_module`` too, sharing their original tensors; returns ``to_module``."""
    if not is_parametrized(from_module):
        return to_module
    names = from_module.parametrizations if tensor_name is None else [tensor_name]
    for name in names:
        if not hasattr(to_module, name):
            setattr(to_module, name, Parameter(getattr(from_module, name)))
        for param_func in from_module.parametrizations[name]:
            register_parametrization(to_module, name, param_func)
        src, dst = from_module.parametrizations[name], to_module.parametrizations[name]
        if hasattr(src, 'original'):
            dst.original = src.original
        else:
            i = 0
            while hasattr(src, f'original{i}'):
                setattr(dst, f'original{i}', getattr(src, f'original{i}'))
                i += 1
    return to_module
