"""Variable: PyTorch's legacy wrapper. Calling it returns a plain Tensor."""


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        from .._tensor import Tensor
        return isinstance(obj, Tensor)


class Variable(metaclass=_VariableMeta):
    """``Variable(t, requires_grad=True)`` gives back ``t`` itself, flagged as requiring grad."""

    def __new__(cls, data=None, requires_grad=False, volatile=False):
        from .._tensor import Tensor
        if data is None:
            from ..ops.creation import empty
            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f'Variable data has to be a tensor, but got {type(data).__name__}')
        if volatile:
            import warnings
            warnings.warn('volatile was removed and now has no effect. Use `with ember.no_grad():` instead.',
                          UserWarning, stacklevel=2)
            if requires_grad:
                raise ValueError("Variable can't be volatile and require_grad at the same time!")
        t = data.detach()
        t.requires_grad_(bool(requires_grad))
        return t
