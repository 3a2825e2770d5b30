"""ember.device: where a tensor's memory lives ('cpu' or 'cuda:N')."""


class device:
    __slots__ = ('type', 'index')

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = 'cuda', type
        if not isinstance(type, str):
            raise TypeError(f'device() received an invalid combination of arguments - got ({type.__class__.__name__})')
        if ':' in type:
            if index is not None:
                raise RuntimeError(f'type (string) must not include an index because index was passed explicitly: {type}')
            type, _, idx = type.partition(':')
            if not idx.isdigit():
                raise RuntimeError(f'Invalid device string: \'{type}:{idx}\'')
            index = int(idx)
        if type not in ('cpu', 'cuda', 'meta'):
            raise RuntimeError(
                'Expected one of cpu, cuda, meta device type at start of device string: ' + type)
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f'{self.type}:{self.index}'

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


cpu = device('cpu')


def as_device(d):
    if d is None or isinstance(d, device):
        return d
    return device(d)
