"""``ember.jit``: TorchScript's Python-side API, run eagerly.

ember has no TorchScript compiler. What a script still gets from ``torch.jit`` here:
- the decorators and queries model code is sprinkled with (``ignore``, ``unused``, ``export``,
  ``interface``, ``is_scripting()``, ``is_tracing()``, ``annotate``, ``Final``, ``fork``/``wait``),
  which in eager mode do exactly what PyTorch's do outside a compiler;
- ``script`` and ``trace``: the returned ``RecursiveScriptModule`` / ``TopLevelTracedModule`` /
  ``ScriptFunction`` prints, computes, trains and shares parameters as PyTorch's does, by running the
  original Python code;
- ``save`` / ``ScriptModule.save`` / ``save_to_buffer`` and ``load`` in ember's own format (the
  module pickled by ``ember.save``, with ``_extra_files``): ``load`` gives back a
  RecursiveScriptModule that prints and computes as the saved one. As with a whole module saved
  by ``ember.save``, the original classes must be importable where it is loaded (a TorchScript
  archive would carry the code itself);
- the things that need TorchScript IR (``.code``, ``.graph``, loading an archive written by
  PyTorch) raise NotImplementedError saying so.
"""
import contextlib
import functools
import io
import os
import zipfile
import typing
import warnings

from .nn.modules.module import Module

__all__ = ['script', 'trace', 'save', 'load', 'ignore', 'unused', 'export', 'interface', 'is_scripting',
           'is_tracing', 'annotate', 'Final', 'fork', 'wait', 'Future', 'ScriptModule', 'ScriptFunction',
           'RecursiveScriptModule', 'TopLevelTracedModule', 'TracedModule', 'script_if_tracing', 'Attribute',
           'Error', 'freeze', 'optimize_for_inference']

Final = typing.Final
Error = RuntimeError
_NO_IR = ('ember has no TorchScript compiler, so there is no TorchScript {} here; the model runs '
          'eagerly. Save its weights with ember.save(model.state_dict(), path).')


def _no_ir(what):
    return NotImplementedError(_NO_IR.format(what))


def is_scripting():
    """False: ember never compiles the code that asks."""
    return False


def is_tracing():
    """False: ``trace`` here runs the code eagerly rather than recording it."""
    return False


def annotate(the_type, the_value):
    return the_value


def Attribute(value, type):  # noqa: A002 - PyTorch's parameter name
    return value


def ignore(drop=False, **kwargs):
    """``@ignore`` / ``@ignore(drop=True)``: leave a function to Python (it always is here)."""
    if callable(drop):
        return drop
    return lambda fn: fn


def unused(fn):
    return fn


def export(fn):
    return fn


def interface(obj):
    return obj


def script_if_tracing(fn):
    return fn


class Future:
    """The result of ``fork``: the call already ran (eagerly), ``wait()`` returns its value."""

    def __init__(self, value):
        self._value = value

    def wait(self):
        return self._value

    def done(self):
        return True

    def value(self):
        return self._value


def fork(func, *args, **kwargs):
    return Future(func(*args, **kwargs))


def wait(future):
    return future.wait()


class _NoIR:
    """What needs TorchScript IR: refused with a clear reason."""

    @property
    def code(self):
        raise _no_ir('code')

    @property
    def graph(self):
        raise _no_ir('graph')

    def save(self, *args, **kwargs):
        raise _no_ir('archive')

    def save_to_buffer(self, *args, **kwargs):
        raise _no_ir('archive')


class ScriptFunction(_NoIR):
    """A scripted or traced function: calls the original Python function."""

    def __init__(self, fn):
        functools.update_wrapper(self, fn)
        self._fn = fn

    def __call__(self, *args, **kwargs):
        return self._fn(*args, **kwargs)


ScriptFunction.__module__ = 'ember.jit'


class ScriptModule(_NoIR, Module):
    """A scripted (or traced) module: shares the original's parameters, buffers and code; keeps its own
    training flags, as PyTorch's copy does."""

    def __init__(self, orig):
        super().__init__()
        d = self.__dict__
        d['_orig'] = orig
        d['_parameters'], d['_buffers'] = orig._parameters, orig._buffers
        d['_non_persistent_buffers_set'] = orig._non_persistent_buffers_set
        d['training'] = orig.training
        for name, child in orig._modules.items():
            keep = child is None or isinstance(child, ScriptModule)     # already scripted: kept as is
            d['_modules'][name] = child if keep else self._child_cls(child)

    @property
    def original_name(self):
        return type(self._orig).__name__

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.__dict__['_orig'], name)

    def _pairs(self):
        yield self, self._orig
        for child in self._modules.values():
            if child is not None:
                yield from child._pairs()

    @contextlib.contextmanager
    def _modes(self):
        pairs = list(self._pairs())
        saved = [o.training for _, o in pairs]
        for s, o in pairs:
            o.training = s.training
        try:
            yield
        finally:
            for (_, o), t in zip(pairs, saved):
                o.training = t

    def forward(self, *args, **kwargs):
        with self._modes():
            return self._orig(*args, **kwargs)

    def save(self, f, _extra_files=None):
        """Write this module (and ``_extra_files``, name -> str or bytes) to the path or binary
        file ``f`` in ember's format; :func:`load` reads it back."""
        from .serialization import save as _save
        extra = {str(k): v.encode() if isinstance(v, str) else bytes(v) for k, v in (_extra_files or {}).items()}
        _save({_MARK: 1, 'module': self, 'extra_files': extra}, f)

    def save_to_buffer(self, _extra_files=None):
        buf = io.BytesIO()
        self.save(buf, _extra_files)
        return buf.getvalue()


class RecursiveScriptModule(ScriptModule):
    """What ``script(module)`` returns; prints ``RecursiveScriptModule(original_name=...)``."""

    @property
    def _child_cls(self):
        return RecursiveScriptModule

    def __repr__(self):
        lines = [f'original_name={self.original_name}']
        for name, child in self._modules.items():
            body = repr(child).replace('\n', '\n  ')
            lines.append(f'({name}): {body}')
        if len(lines) == 1:
            return f'RecursiveScriptModule({lines[0]})'
        return 'RecursiveScriptModule(\n  ' + '\n  '.join(lines) + '\n)'


class _Frozen(RecursiveScriptModule):
    """``freeze``'s result: PyTorch inlines the submodules, so it prints without them."""

    def __repr__(self):
        return f'RecursiveScriptModule(original_name={self.original_name})'


_Frozen.__name__ = _Frozen.__qualname__ = 'RecursiveScriptModule'


class TracedModule(ScriptModule):
    """A traced submodule; prints under its original class name with ``original_name=``."""

    @property
    def _child_cls(self):
        return TracedModule

    def __repr__(self):
        head = self.original_name
        lines = [f'original_name={head}']
        for name, child in self._modules.items():
            lines.append(f"({name}): {repr(child).replace(chr(10), chr(10) + '  ')}")
        if len(lines) == 1:
            return f'{head}({lines[0]})'
        return f'{head}(\n  ' + '\n  '.join(lines) + '\n)'


class TopLevelTracedModule(TracedModule):
    """What ``trace(module, example_inputs)`` returns."""


for _cls in (ScriptModule, RecursiveScriptModule, TracedModule, TopLevelTracedModule):
    _cls.__module__ = 'ember.jit'


def _builtin_check(obj):
    if isinstance(obj, type) or not callable(obj):
        kind = obj if isinstance(obj, type) else type(obj)
        raise TypeError(f'{kind} is a built-in class')


def script(obj, optimize=None, _frames_up=0, _rcb=None, example_inputs=None):
    """``script(module)`` -> RecursiveScriptModule, ``script(fn)`` -> ScriptFunction (both eager)."""
    if isinstance(obj, ScriptModule):
        return obj
    if isinstance(obj, Module):
        return RecursiveScriptModule(obj)
    if isinstance(obj, ScriptFunction):
        return obj
    _builtin_check(obj)
    return ScriptFunction(obj)


def trace(func, example_inputs=None, optimize=None, check_trace=True, check_inputs=None, check_tolerance=1e-5,
          strict=True, _force_outplace=False, _module_class=None, _compilation_unit=None,
          example_kwarg_inputs=None, _store_inputs=True):
    """Runs ``func`` once on ``example_inputs`` (so mistakes surface here, as when PyTorch traces) and
    returns a TopLevelTracedModule (modules) or ScriptFunction (functions) that runs it eagerly."""
    if example_inputs is None and example_kwarg_inputs is None:
        raise RuntimeError('example_kwarg_inputs or example_inputs must be provided')
    args = example_inputs if isinstance(example_inputs, tuple) else \
        (() if example_inputs is None else (example_inputs,))
    func(*args, **(example_kwarg_inputs or {}))
    if isinstance(func, Module):
        return TopLevelTracedModule(func)
    _builtin_check(func)
    return ScriptFunction(func)


def save(m, f, _extra_files=None):
    """``m.save(f)`` (a path) or ``f.write(m.save_to_buffer())`` (a file object): only ScriptModules
    have them (a plain module gives PyTorch's AttributeError, naming the one ``f`` needs)."""
    if isinstance(f, (str, os.PathLike)):
        m.save(f, _extra_files=_extra_files)
    else:
        f.write(m.save_to_buffer(_extra_files=_extra_files))


def _need_script(what):
    return RuntimeError(f"{what} expects a ScriptModule as input. Please use ember.jit.script or "
                        "ember.jit.trace to script your 'nn.Module'.")


def freeze(mod, preserved_attrs=None, optimize_numerics=True):
    """An eval-mode ScriptModule "frozen": here a RecursiveScriptModule running the same code (its
    weights are not turned into constants, so it still lists its parameters)."""
    warnings.warn('`ember.jit.freeze` is deprecated. Please use `ember.compile` instead.', DeprecationWarning)
    if not isinstance(mod, ScriptModule):
        raise _need_script('Freezing')
    if mod.training:
        raise RuntimeError('Freezing is currently only implemented for modules in eval mode. '
                           'Please call .eval() on your module before freezing.')
    return _Frozen(mod._orig).eval()


def optimize_for_inference(mod, other_methods=None):
    warnings.warn('`ember.jit.optimize_for_inference` is deprecated. Please use `ember.compile` instead.',
                  DeprecationWarning)
    if not isinstance(mod, ScriptModule):
        raise _need_script('optimize_for_inference')
    return freeze(mod.eval(), preserved_attrs=other_methods)


_MARK = '__ember_jit_module__'
_NOT_JIT = ('PytorchStreamReader failed locating file constants.pkl: file not found. This is an internal miniz '
            'error. If you are seeing this error, there is a high likelihood that your checkpoint file is corrupted. '
            'This can happen if the checkpoint was not saved properly, was transferred incorrectly, or the file was '
            'modified after saving.')


def _torchscript_archive(f):
    """Whether ``f`` is a TorchScript archive written by PyTorch (it holds TorchScript code)."""
    pos = None if isinstance(f, (str, os.PathLike)) else f.tell()
    try:
        with zipfile.ZipFile(f) as z:
            return any(n.endswith('/constants.pkl') or n == 'constants.pkl' for n in z.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        if pos is not None:
            f.seek(pos)


def load(f, map_location=None, _extra_files=None, _restore_shapes=False):
    """A module saved by :func:`save` (a path or binary file object), as a RecursiveScriptModule
    in the training mode it was saved in; ``map_location`` as in ``ember.load``. The entries of the
    ``_extra_files`` dict get the file's bytes of that name."""
    from .serialization import load as _load
    if isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise ValueError(f'The provided filename {os.fspath(f)} does not exist')
        if os.path.isdir(f):
            raise ValueError(f'The provided filename {os.fspath(f)} is a directory')
    if _torchscript_archive(f):
        raise _no_ir('code in this archive (written by PyTorch) to load')
    obj = _load(f, map_location=map_location, weights_only=False)
    if not (isinstance(obj, dict) and obj.get(_MARK) == 1):
        raise RuntimeError(_NOT_JIT)
    if _extra_files is not None:
        for name in list(_extra_files):             # (absent from the file: b'', as PyTorch)
            _extra_files[name] = obj['extra_files'].get(name, b'')
    saved = obj['module']
    loaded = RecursiveScriptModule(saved._orig)
    for (a, _), (b, _) in zip(loaded._pairs(), saved._pairs()):
        a.training = b.training
    return loaded
