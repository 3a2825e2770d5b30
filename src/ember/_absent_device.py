"""The ``ember.xpu`` / ``ember.mps`` / ``ember.mtia`` modules: device back ends ember does not have.
Each behaves as PyTorch's module does on a machine (and build) without that device: the queries
device-selection code makes answer (``is_available()`` False, ``device_count()`` 0, ...), and the
calls that need the device raise PyTorch's error. :func:`fill` builds a module's functions from
its tables (name -> value returned, name -> exception raised)."""


def _returning(name, value):
    def f(*args, **kwargs):
        return type(value)(value) if isinstance(value, (list, dict)) else value
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f'{value!r}: the device is absent.'
    return f


def _raising(name, error):
    def f(*args, **kwargs):
        raise error[0](error[1])
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f'Raises {error[0].__name__}: the device is absent.'
    return f


def fill(namespace, returns, raises, enter_error=None):
    """Put the functions into ``namespace`` (a module's globals), with a ``device`` context manager
    (and ``device_of``) whose entry raises ``enter_error`` when given."""
    for name, value in returns.items():
        namespace[name] = _returning(name, value)
    for name, error in raises.items():
        namespace[name] = _raising(name, error)
    if enter_error is None:
        return

    class device:
        """``with <module>.device(index):`` -- entering it fails: there is no such device."""

        def __init__(self, device):
            self.idx = device

        def __enter__(self):
            raise enter_error[0](enter_error[1])

        def __exit__(self, *exc):
            return False

    class device_of(device):
        def __init__(self, obj):
            super().__init__(-1)

    for cls in (device, device_of):
        cls.__module__ = namespace['__name__']
    namespace['device'], namespace['device_of'] = device, device_of
    namespace.setdefault('__all__', sorted(n for n in list(returns) + list(raises) + ['device', 'device_of']))
