"""ember.device: where a tensor's memory lives ('cpu' or 'cuda:N')."""
import re
import warnings

# the device types PyTorch's parser names in its error (ember runs on cpu, cuda and meta; the
# others make valid ``ember.device`` objects, but tensors cannot go there: see ``check_supported``)
_TORCH_TYPES = ('cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, '
                'vulkan, mps, meta, hpu, mtia, privateuseone')
_TYPES = frozenset(_TORCH_TYPES.split(', '))
_SUPPORTED = ('cpu', 'cuda', 'meta')
_SPEC = re.compile(r'([a-zA-Z_]+)(?::([1-9][0-9]*|0))?')


class device:
    __slots__ = ('type', 'index')
    __module__ = 'ember'

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int) and not isinstance(type, bool):
            from ._backend import cuda_reason       # an index means the current accelerator
            if cuda_reason() is not None:
                raise RuntimeError('Cannot access accelerator device when none is available.')
            type, index = 'cuda', type
        if not isinstance(type, str):
            name = type.__class__.__name__
            raise TypeError(f'device() received an invalid combination of arguments - got ({name}), but '
                            'expected one of:\n * (ember.device device)\n      didn\'t match because some of '
                            f'the arguments have invalid types: (!{name}!)\n * (str type, int index = -1)\n')
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device(): argument 'index' (position 2) must be int, not "
                                f'{index.__class__.__name__}')
            if index < 0:
                raise RuntimeError('Device index must not be negative')
        if not type:
            raise RuntimeError('Device string must not be empty')
        m = _SPEC.fullmatch(type)
        if m is None:
            raise RuntimeError(f'Invalid device string: \'{type}\'')
        if m.group(2) is not None:
            if index is not None:
                raise RuntimeError('type (string) must not include an index because index was passed '
                                   f'explicitly: {type}')
            index = int(m.group(2))
        type = m.group(1)
        if type not in _TYPES:
            raise RuntimeError(f'Expected one of {_TORCH_TYPES} device type at start of device string: '
                               f'{type}')
        if type == 'mkldnn':
            warnings.warn("'mkldnn' is no longer used as device type. So ember.device('mkldnn') will be "
                          'deprecated and removed in the future. Please use other valid device types '
                          'instead.', UserWarning, stacklevel=2)
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __eq__(self, other):
        # as in PyTorch, a device never equals a string: device('cpu') == 'cpu' is False
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


_Device = device
cpu = device('cpu')


def check_supported(d):
    """Raise PyTorch's error for putting a tensor on a device type this build has no backend for."""
    t = d.type
    if t in _SUPPORTED:
        return d
    if t == 'xpu':
        raise AssertionError('Torch not compiled with XPU enabled')
    if t == 'mtia':
        raise AssertionError('Torch not compiled with MTIA enabled. Ensure you have `import '
                             'mtia.host_runtime.torch_mtia.dynamic_library` in your python src file and '
                             'include `//mtia/host_runtime/torch_mtia:torch_mtia` as your target dependency!')
    if t in ('hpu', 'privateuseone'):
        raise ModuleNotFoundError(f"No module named 'ember.{t}'", name=f'ember.{t}')
    raise RuntimeError(f'PyTorch is not linked with support for {t} devices')


def as_device(d):
    """``d`` (a device, string or None) as a device tensors can live on here."""
    if d is None:
        return d
    return check_supported(d if isinstance(d, device) else device(d))


# the device factory functions use when none is given (ember.set_default_device)
_default = [None]


def set_default_device(device):
    """Make factory functions (tensor, zeros, randn, ...) create on ``device`` by default."""
    if device is None:
        _default[0] = None
        return
    d = device if isinstance(device, _Device) else _Device(device)
    if d.type == 'cuda':
        from ._backend import check_cuda
        check_cuda()
        if d.index is None:
            from . import cuda
            d = _Device('cuda', cuda.current_device())
    _default[0] = None if d.type == 'cpu' and d.index is None else d


def get_default_device():
    return _default[0] or cpu


def default_for(d):
    """``d`` as a device, or the default device when ``d`` is None."""
    if d is None:
        return _default[0]
    return check_supported(d if isinstance(d, _Device) else _Device(d))
