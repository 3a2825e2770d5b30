"""``torch._dynamo.config``: the knobs users set (``cache_size_limit``, ``suppress_errors``, ...), with
PyTorch's defaults. Reading or writing a knob PyTorch does not have raises AttributeError, as there."""
import sys
import types

_DEFAULTS = {
    'cache_size_limit': 8, 'recompile_limit': 8, 'accumulated_cache_size_limit': 256,
    'accumulated_recompile_limit': 256, 'suppress_errors': False, 'verbose': False, 'optimize_ddp': True,
    'capture_scalar_outputs': False, 'capture_dynamic_output_shape_ops': False,
    'automatic_dynamic_shapes': True, 'assume_static_by_default': True, 'force_parameter_static_shapes': True,
    'specialize_int': False, 'specialize_float': False, 'inline_inbuilt_nn_modules': True,
    'replay_record_enabled': False, 'error_on_recompile': False, 'raise_on_ctx_manager_usage': True,
    'allow_unspec_int_on_nn_module': False, 'dynamic_shapes': True, 'guard_nn_modules': True,
    'use_lazy_graph_module': True, 'skip_nnmodule_hook_guards': True,
}


class _Config(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        raise AttributeError(f'torch._dynamo.config.{name} does not exist')

    def __setattr__(self, name, value):
        if name not in _DEFAULTS and not name.startswith('__'):
            raise AttributeError(f'torch._dynamo.config.{name} does not exist')
        super().__setattr__(name, value)

    def patch(self, *args, **changes):
        """``config.patch(name=value)`` / ``patch({name: value})``: a context manager and decorator."""
        import contextlib
        if args:
            changes.update(args[0] if isinstance(args[0], dict) else {args[0]: args[1]})
        mod = self

        @contextlib.contextmanager
        def patched():
            old = {k: getattr(mod, k) for k in changes}
            for k, v in changes.items():
                setattr(mod, k, v)
            try:
                yield
            finally:
                for k, v in old.items():
                    setattr(mod, k, v)
        return patched()


_mod = sys.modules[__name__]
globals().update(_DEFAULTS)
_mod.__class__ = _Config
