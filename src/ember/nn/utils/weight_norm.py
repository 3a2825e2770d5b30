"""Weight normalisation: ``w = g * v / ||v||`` with the norm taken over every dim but ``dim``.

``norm_except_dim`` and ``_weight_norm`` are PyTorch's two primitives (its fused kernel, grad_fn
WeightNormInterfaceBackward0, is used when ``dim`` is the first or last dim; otherwise the
result is the plain composition ``v * (g / norm)``). ``weight_norm`` / ``remove_weight_norm``
are the old hook-based API (``weight_g`` / ``weight_v`` parameters, deprecated in PyTorch in
favour of ``nn.utils.parametrizations.weight_norm``)."""
import warnings

from ...ops._op import Op, apply
from ...ops._promote import xp
from ..parameter import Parameter, is_lazy

__all__ = ['WeightNorm', 'weight_norm', 'remove_weight_norm', 'norm_except_dim']

_SCALAR_NAMES = {'float64': 'Double', 'float32': 'Float', 'float16': 'Half', 'bfloat16': 'BFloat16'}


def norm_except_dim(v, pow=2, dim=0):
    """The ``pow``-norm of ``v`` over all dims except ``dim``, keeping ``v``'s rank (size 1 there);
    ``dim=-1`` gives the norm of the whole tensor (0-dim)."""
    if dim == -1:
        return v.norm(pow)
    nd = v.dim()
    if nd == 0 and dim == 0:
        raise IndexError('Dimension specified as 0 but tensor has no dimensions')
    if not -max(nd, 1) <= dim < max(nd, 1):
        raise IndexError(f'Dimension out of range (expected to be in range of [{-max(nd, 1)}, {max(nd, 1) - 1}], '
                         f'but got {dim})')
    dim = dim % nd
    if dim == 0:
        return v.contiguous().view(v.size(0), -1).norm(pow, 1).view([v.size(0)] + [1] * (nd - 1))
    if dim == nd - 1:
        return v.contiguous().view(-1, v.size(-1)).norm(pow, 0).view([1] * (nd - 1) + [v.size(-1)])
    return norm_except_dim(v.transpose(0, dim), pow, 0).transpose(0, dim)


class WeightNormInterfaceBackward0(Op):
    """Fused ``v * g / ||v||`` for ``dim`` the first or last dim of ``v``."""
    saves = (0, 1)

    def forward(self, v, g, dim):
        self.dim = dim
        axes = tuple(range(1, v.ndim)) if dim == 0 else tuple(range(v.ndim - 1))
        norm = xp(v).sqrt((v * v).sum(axis=axes, keepdims=True))
        return (v * (g.reshape(norm.shape) / norm)).astype(v.dtype, copy=False)

    def backward(self, grad):
        v, g = self.saved_tensors
        norm = norm_except_dim(v, 2, self.dim)
        axes = tuple(range(1, v.dim())) if self.dim == 0 else tuple(range(v.dim() - 1))
        gv = (grad * v).sum(axes, keepdim=True)
        gs = g.reshape(norm.shape)
        grad_g = (gv / norm).reshape(g.shape)
        grad_v = (gs / norm) * (grad - v * (gv / (norm * norm)))
        return grad_v, grad_g


def _weight_norm(v, g, dim=0):
    """``v * (g / norm_except_dim(v, 2, dim))``, fused (one graph node) for the first or last dim."""
    if v.device != g.device:
        raise RuntimeError('Expected all tensors to be on the same device, but found at least two devices, '
                           f'{v.device} and {g.device}!')
    if v.dim() == 0 and dim in (0, -1):
        raise IndexError(f'Dimension specified as {dim} but tensor has no dimensions')
    if v.dtype != g.dtype and v.dim() > 0 and dim in (0, v.dim() - 1):
        raise RuntimeError(f'expected scalar type {_SCALAR_NAMES.get(v.dtype.name, v.dtype.name)} but found '
                           f'{_SCALAR_NAMES.get(g.dtype.name, g.dtype.name)}')
    if v.dim() > 0 and dim in (0, v.dim() - 1) and v.dtype.name not in ('float16', 'bfloat16'):
        return apply(WeightNormInterfaceBackward0, v, g, dim=dim)
    return v * (g / norm_except_dim(v, 2, dim))


def _weight_norm_interface(v, g, dim=0):
    """PyTorch's fused weight-norm primitive: the weight and the norm it divided by."""
    return _weight_norm(v, g, dim), norm_except_dim(v, 2, dim)


class WeightNorm:
    """The forward pre-hook of the old ``weight_norm``: recomputes ``name`` from ``name_g``, ``name_v``."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        return _weight_norm(getattr(module, self.name + '_v'), getattr(module, self.name + '_g'), self.dim)

    @staticmethod
    def apply(module, name, dim):
        warnings.warn('`ember.nn.utils.weight_norm` is deprecated in favor of '
                      '`ember.nn.utils.parametrizations.weight_norm`.', FutureWarning, stacklevel=2)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f'Cannot register two weight_norm hooks on the same parameter {name}')
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if is_lazy(weight):
            raise ValueError("The module passed to `WeightNorm` can't have uninitialized parameters. Make sure "
                             'to run the dummy forward before applying weight normalization')
        del module._parameters[name]
        module.register_parameter(name + '_g', Parameter(norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + '_v', Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + '_g']
        del module._parameters[self.name + '_v']
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name='weight', dim=0):
    """Split ``module.<name>`` into a magnitude ``<name>_g`` and a direction ``<name>_v``
    (deprecated in PyTorch: prefer ``nn.utils.parametrizations.weight_norm``)."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name='weight'):
    """Fold ``<name>_g`` and ``<name>_v`` back into one parameter ``<name>``."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
