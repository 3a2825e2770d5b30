"""parameters_to_vector / vector_to_parameters: all parameters as one flat vector and back."""
from ..._tensor import Tensor

__all__ = ['parameters_to_vector', 'vector_to_parameters']


def _check_param_device(param, old):
    """The device index shared by all parameters so far (-1: CPU); mixing devices is an error."""
    here = param.get_device() if param.device.type == 'cuda' else -1
    if old is not None and here != old:
        raise TypeError('Found two parameters on different devices, this is currently not supported.')
    return here


def parameters_to_vector(parameters):
    """One 1-D tensor: every parameter flattened, concatenated in order (differentiable)."""
    from ... import cat
    device, vec = None, []
    for p in parameters:
        device = _check_param_device(p, device)
        vec.append(p.view(-1))
    return cat(vec)


def vector_to_parameters(vec, parameters):
    """Slice ``vec`` into consecutive pieces and make each parameter's data that piece."""
    if not isinstance(vec, Tensor):
        from ..modules.module import _typename
        raise TypeError(f'expected ember.Tensor, but got: {_typename(vec)}')
    device, pointer = None, 0
    for p in parameters:
        device = _check_param_device(p, device)
        n = p.numel()
        p.data = vec[pointer:pointer + n].view_as(p).data
        pointer += n
