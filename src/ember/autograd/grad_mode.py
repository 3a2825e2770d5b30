"""Grad modes: thread-local switches for graph recording (no_grad, enable_grad, ...)."""
import functools
import inspect
import threading

_local = threading.local()
_local.enabled = True
_inference_entered = [0]     # inference_mode blocks open on any thread (a cheap test for Tensor._make)


def is_grad_enabled():
    return getattr(_local, 'enabled', True) or _local.__dict__.get('shown', False)


def _set_enabled(mode):
    if _local.__dict__.get('inference'):     # inference mode never records: grad mode is only shown
        _local.shown, _local.enabled = bool(mode), False
    else:
        _local.enabled, _local.shown = bool(mode), False


def is_inference_mode_enabled():
    return getattr(_local, 'inference', False)


class _Mode:
    """A grad-mode switch usable as context manager and as decorator."""

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                value = None
                while True:           # the mode holds while the generator body runs
                    try:
                        with self.clone():
                            item = gen.send(value)
                    except StopIteration as stop:
                        return stop.value
                    value = yield item
            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)
        return wrapper

    def clone(self):
        return self.__class__()

    def __enter__(self):
        self._prev = is_grad_enabled()
        _set_enabled(self._target())

    def __exit__(self, *exc):
        _set_enabled(self._prev)
        return False


class no_grad(_Mode):
    """Context manager / decorator that turns graph recording off."""

    def __init__(self, orig_func=None):
        if orig_func is not None and not callable(orig_func):
            raise TypeError(f'no_grad() takes no arguments, got {orig_func!r}')

    def __new__(cls, orig_func=None):
        self = super().__new__(cls)
        if callable(orig_func):      # used as @no_grad without parentheses
            return self(orig_func)
        return self

    def _target(self):
        return False


class enable_grad(no_grad):
    """Context manager / decorator that turns graph recording on."""

    def _target(self):
        return True


class set_grad_enabled(_Mode):
    """Sets grad mode now (as a function) or for a block (as a context manager)."""

    def __init__(self, mode):
        if mode.__class__ is not bool:
            raise TypeError("set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                            f'{type(mode).__name__}')
        self._prev = is_grad_enabled()
        self.mode = mode
        _set_enabled(self.mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _set_enabled(self._prev)
        return False

    def __call__(self, fn):
        _set_enabled(self._prev)     # used as a decorator: the mode applies inside fn only
        return super().__call__(fn)

    def clone(self):
        return _Scoped(self.mode)


class _Scoped(_Mode):
    def __init__(self, mode):
        self.mode = mode

    def _target(self):
        return self.mode


INFERENCE_INPLACE = ('Inplace update to inference tensor outside InferenceMode is not allowed.You can make a '
                     'clone to get a normal tensor before doing inplace update.See '
                     'https://github.com/pytorch/rfcs/pull/17 for more details.')
INFERENCE_SAVE = ('Inference tensors cannot be saved for backward. Please do not use Tensors created in '
                  'inference mode in computation tracked by autograd. To work around this, you can make a '
                  'clone to get a normal tensor and use it in autograd, or use `ember.no_grad()` instead of '
                  '`ember.inference_mode()`.')


def check_inference_requires_grad():
    if not is_inference_mode_enabled():
        raise RuntimeError('Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.')


class inference_mode(_Mode):
    """no_grad, and the tensors made inside are inference tensors: ``is_inference()`` is True,
    they track no version, and outside inference mode they may not be changed in place, require
    grad, or be saved for backward (views of them are inference tensors too)."""

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):          # used as @inference_mode without parentheses
            self.mode = True
            return self(mode)
        return self

    def __init__(self, mode=True):
        self.mode = bool(mode)

    def __enter__(self):
        self._prev = is_grad_enabled()
        self._prev_inf = is_inference_mode_enabled()
        _local.inference = self.mode
        _inference_entered[0] += 1
        _set_enabled(False if self.mode else (True if self._prev_inf else self._prev))

    def __exit__(self, *exc):
        _local.inference = self._prev_inf
        _set_enabled(self._prev)
        _inference_entered[0] -= 1
        return False

    def clone(self):
        return inference_mode(self.mode)


class set_multithreading_enabled(_Mode):
    """Multithreaded backward on (default) or off, now or for a block. ember's engine always runs
    backward on the calling thread, so the setting is only kept and reported."""

    def __init__(self, mode):
        self._prev = _multithreading[0]
        self.mode = bool(mode)
        _multithreading[0] = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _multithreading[0] = self._prev
        return False

    def clone(self):
        return self.__class__(self.mode)


_multithreading = [True]
