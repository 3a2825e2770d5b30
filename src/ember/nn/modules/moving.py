"""Moving a module's parameters and buffers to another device, dtype or memory layout
(``to``, ``cuda``, ``cpu``, ``float``, ...), mixed into Module. Parameters keep their identity:
their data (and their grads' data) are replaced, as PyTorch's ``param.data = ...`` does."""
from ...autograd import grad_mode


def _renewed(p, fn):
    with grad_mode.no_grad():
        new = p.__class__(fn(p), p.requires_grad)
        if p._grad is not None:
            new.grad = fn(p._grad).requires_grad_(p._grad.requires_grad)
    return new


class MovingMixin:
    def _apply(self, fn, recurse=True):
        """Replace every parameter's and buffer's data by fn(data); parameters (and their
        grads) keep their identity, as with PyTorch's ``param.data = ...``."""
        if recurse:
            for m in self.children():
                m._apply(fn)
        from ... import __future__ as future
        renew = future._overwrite_module_params_on_conversion and not future._swap_module_params_on_conversion
        for key, p in self._parameters.items():
            if p is None:
                continue
            if renew:                   # ember.__future__: new Parameter (and grad) objects
                self._parameters[key] = _renewed(p, fn)
                continue
            with grad_mode.no_grad():
                p._data = fn(p)._data
            g = p._grad
            if g is not None:
                with grad_mode.no_grad():
                    g._data = fn(g)._data
        for key, b in self._buffers.items():
            if b is not None:
                self._buffers[key] = fn(b)
        return self

    def to(self, *args, **kwargs):
        from ...ops.convert import _parse_to
        dtype, device, _ = _parse_to(args, dict(kwargs))
        if dtype is not None:
            if not (dtype.is_floating_point or dtype.is_complex):
                raise TypeError('nn.Module.to only accepts floating point or complex dtypes, but got desired '
                                f'dtype={dtype}')
            if dtype.is_complex:
                import warnings
                warnings.warn('Complex modules are a new feature under active development whose design may change, '
                              'and some modules might not work as expected when using complex tensors as '
                              'parameters or buffers. Please file an issue at https://github.com/pytorch/pytorch/'
                              'issues/new?template=bug-report.yml if a complex module does not work as expected.',
                              stacklevel=2)
        fmt = kwargs.get('memory_format')

        def convert(t):
            d = dtype if t.is_floating_point() or t.is_complex() else None
            if fmt is not None and t.dim() in (4, 5):       # conv weights take the layout, as in PyTorch
                return t.to(device=device, dtype=d, memory_format=fmt)
            return t.to(device=device, dtype=d)
        return self._apply(convert)

    def to_empty(self, *, device, recurse=True):
        from ...ops.creation import empty_like
        return self._apply(lambda t: empty_like(t, device=device), recurse=recurse)

    def cuda(self, device=None):
        return self._apply(lambda t: t.cuda(device))

    def cpu(self):
        return self._apply(lambda t: t.cpu())

    def xpu(self, device=None):
        return self._apply(lambda t: t.xpu(device))

    def ipu(self, device=None):
        return self._apply(lambda t: t.ipu(device))

    def mtia(self, device=None):
        return self._apply(lambda t: t.mtia(device))

    def type(self, dst_type):
        from ... import _dtype
        from ...ops.legacy import parse_type_name
        dt = parse_type_name(dst_type)[0] if isinstance(dst_type, str) else getattr(dst_type, '_legacy_dtype', dst_type)
        if isinstance(dt, _dtype.dtype) and not (dt.is_floating_point or dt.is_complex) and any(
                p is not None and p.requires_grad for p in self.parameters()):
            raise RuntimeError('data set to a tensor that requires gradients must be floating point or complex dtype')
        return self._apply(lambda t: t.type(dst_type))

    def float(self):
        return self._apply(lambda t: t.float() if t.is_floating_point() else t)

    def double(self):
        return self._apply(lambda t: t.double() if t.is_floating_point() else t)

    def half(self):
        return self._apply(lambda t: t.half() if t.is_floating_point() else t)

    def bfloat16(self):
        return self._apply(lambda t: t.bfloat16() if t.is_floating_point() else t)
