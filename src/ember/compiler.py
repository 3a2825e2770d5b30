"""``ember.compile`` and ``ember.compiler``: PyTorch 2's compile entry points, run eagerly.

ember has no graph capture or code generation: a compiled module or function runs ember's own
eager ops, which already give the results the compiled program would. What ``torch.compile``
changes that a user can see is kept: the ``OptimizedModule`` wrapper (printed around the model,
``_orig_mod.``-prefixed ``state_dict`` keys, attributes forwarded to the wrapped model),
``functools.wraps``-style compiled functions, and the argument checks with PyTorch's errors.
"""
import functools
import warnings

from .nn.modules.module import Module

__all__ = ['compile', 'reset', 'allow_in_graph', 'disable', 'is_compiling', 'is_dynamo_compiling',
           'is_exporting', 'list_backends', 'assume_constant_result', 'cudagraph_mark_step_begin',
           'substitute_in_graph', 'set_stance', 'get_default_backend', 'set_default_backend']

_MODES = ('default', 'lite', 'reduce-overhead', 'max-autotune-no-cudagraphs', 'max-autotune')
_BACKENDS = ('cudagraphs', 'inductor', 'openxla', 'tvm')
_DEBUG_BACKENDS = ('eager', 'aot_eager', 'aot_eager_decomp_partition', 'aot_eager_default_partitioner',
                   'aot_ts', 'onnxrt')
_STANCES = ('default', 'force_eager', 'eager_on_recompile', 'fail_on_recompile', 'eager_then_compile',
            'aot_eager_then_compile')
_state = {'default_backend': 'inductor', 'stance': 'default', 'warned_callable': False}


class InvalidBackend(RuntimeError):
    """Raised for a ``backend=`` name PyTorch does not know."""

    def __init__(self, name):
        super().__init__(f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` for available "
                         'backends.')


def list_backends(exclude_tags=('debug', 'experimental')):
    """The backend names ``compile`` accepts (the debug ones too when ``exclude_tags`` is None)."""
    names = _BACKENDS if exclude_tags else _BACKENDS + _DEBUG_BACKENDS
    return sorted(names)


def _check_backend(backend):
    if callable(backend):
        if not _state['warned_callable']:
            _state['warned_callable'] = True
            warnings.warn('ember.compile: ember has no graph capture, so a custom backend callable is '
                          'never called; the code runs eagerly with the same results', stacklevel=3)
        return
    if not isinstance(backend, str) or backend not in _BACKENDS + _DEBUG_BACKENDS:
        raise InvalidBackend(backend)


def _check_args(backend, mode, options):
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the "
                           'same time.')
    if backend == 'inductor' and mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    _check_backend(backend)


class OptimizedModule(Module):
    """What ``compile(module)`` returns: the model wrapped as child ``_orig_mod``; calls, attributes
    and attribute writes go to the wrapped model."""

    _OWN = frozenset(('_orig_mod', 'dynamo_ctx', 'forward', 'training'))

    def __init__(self, mod, dynamo_ctx=None):
        super().__init__()
        self._orig_mod = mod
        self.__dict__['dynamo_ctx'] = dynamo_ctx
        self.__dict__['forward'] = mod.__call__

    @property
    def training(self):
        return self._orig_mod.training

    @training.setter
    def training(self, value):
        orig = self.__dict__.get('_modules', {}).get('_orig_mod')
        if orig is not None:
            orig.training = value

    def __getattr__(self, name):
        if name == '_orig_mod':
            return self._modules['_orig_mod']
        return getattr(self._orig_mod, name)

    def __setattr__(self, name, value):
        if name in OptimizedModule._OWN or '_modules' not in self.__dict__ \
                or '_orig_mod' not in self._modules:
            return super().__setattr__(name, value)
        setattr(self._orig_mod, name, value)

    def __delattr__(self, name):
        if name in OptimizedModule._OWN:
            return super().__delattr__(name)
        delattr(self._orig_mod, name)


OptimizedModule.__module__ = 'ember._dynamo.eval_frame'


def compile(model=None, *, fullgraph=False, dynamic=None, backend='inductor', mode=None, options=None,
            disable=False):
    """``torch.compile``: a module comes back wrapped in an ``OptimizedModule``, a function as a
    wrapper with the same name; both run eagerly. Without ``model`` it returns a decorator."""
    if model is None:
        def fn(model):
            if model is None:
                raise RuntimeError('Model can\'t be None')
            return compile(model, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, disable=disable)
        return fn
    _check_args(backend, mode, options)
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model, backend)
    if not callable(model):
        raise AssertionError(f'A callable function is expected, but {type(model)} is provided.')

    @functools.wraps(model)
    def compiled(*args, **kwargs):
        return model(*args, **kwargs)
    return compiled


def module_compile(self, *args, **kwargs):
    """``Module.compile()``: compiles the module's own call in place (here: checks the arguments;
    the module keeps running eagerly) and returns None."""
    compile(self._call_impl, *args, **kwargs)


def reset():
    """Forget compiled code (ember keeps none)."""


def allow_in_graph(fn):
    return fn


def assume_constant_result(fn):
    return fn


def substitute_in_graph(original_fn, *, can_constant_fold_through=False, skip_signature_check=False):
    def wrap(fn):
        return fn
    return wrap


def disable(fn=None, recursive=True, *, reason=None):
    """Exclude ``fn`` from compilation: every call runs eagerly, as ember always does."""
    if fn is None:
        return functools.partial(disable, recursive=recursive, reason=reason)
    if isinstance(fn, Module):
        return fn

    @functools.wraps(fn)
    def eager(*args, **kwargs):
        return fn(*args, **kwargs)
    return eager


def is_compiling():
    """False: ember never traces, so user code never runs under a compiler."""
    return False


is_dynamo_compiling = is_exporting = is_compiling


def cudagraph_mark_step_begin():
    """Marks an iteration boundary for CUDA graphs; ember records none."""


def get_default_backend():
    return _state['default_backend']


def set_default_backend(backend):
    _check_backend(backend)
    _state['default_backend'] = backend


class set_stance:
    """``set_stance(stance)`` as a call, context manager or decorator (the stance is recorded; code
    runs eagerly under every stance)."""

    def __init__(self, stance='default', *, skip_guard_eval_unsafe=False, force_backend=None):
        if stance not in _STANCES:
            raise RuntimeError(f'invalid stance: {stance}')
        self.prev, self.stance = _state['stance'], stance
        _state['stance'] = stance

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _state['stance'] = self.prev

    def __call__(self, fn):
        stance = self.stance
        _state['stance'] = self.prev

        @functools.wraps(fn)
        def run(*args, **kwargs):
            with set_stance(stance):
                return fn(*args, **kwargs)
        return run
