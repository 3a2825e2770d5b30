"""nn.Parameter: a Tensor that a Module registers as one of its parameters."""
from .._tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and prints as ``Parameter containing:``."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        p = object.__new__(cls)
        p._data = data._data
        p._vc = data._vc
        p._requires_grad = False
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return 'Parameter containing:\n' + super().__repr__()

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach(), self._requires_grad))


def _rebuild_parameter(data, requires_grad):
    return Parameter(data.clone(), requires_grad)
