"""ember.random, as torch.random: the global random-number state and ``fork_rng``.

    import ember.random
    ember.random.manual_seed(0)
    state = ember.random.get_rng_state()         # the CPU default generator's state (uint8)
    with ember.random.fork_rng():                # draws inside leave the outside streams as they were
        noise = ember.randn(3)

The generators themselves live in ``ember/ops/random.py`` (the op module); this module is
the user-facing namespace over them.
"""
import contextlib
import warnings

from .ops.random import (default_generator, manual_seed, seed, initial_seed,  # noqa: F401
                         get_rng_state, set_rng_state)

__all__ = ['set_rng_state', 'get_rng_state', 'manual_seed', 'seed', 'initial_seed', 'fork_rng',
           'thread_safe_generator']

_fork_rng_warned_already = False


def _device_module(device_type):
    if device_type == 'cuda':
        from . import cuda
        return cuda
    raise RuntimeError(f'ember has no module of `{device_type}`, you should register a module by '
                       '`ember._register_device_module`.')


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller='fork_rng', _devices_kw='devices', device_type=None):
    """On leaving, put the CPU generator (and the generators of ``devices``, GPU indices: all
    visible GPUs by default) back to their states on entering. ``enabled=False`` does nothing."""
    global _fork_rng_warned_already
    if device_type == 'meta' or not enabled:
        yield
        return
    device_type = device_type or 'cuda'
    mod = _device_module(device_type)
    if devices is None:
        count = mod.device_count()
        if count > 1 and not _fork_rng_warned_already:
            kind = device_type.upper()
            warnings.warn(
                f'{kind} reports that you have {count} available devices, and you have used {_caller} without '
                f'explicitly specifying which devices are being used. For safety, we initialize *every* {kind} '
                f'device by default, which can be quite slow if you have a lot of {kind}s. If you know that you '
                f'are only making use of a few {kind} devices, set the environment variable {kind}_VISIBLE_DEVICES '
                f"or the '{_devices_kw}' keyword argument of {_caller} with the set of devices you are actually "
                'using. For example, if you are using CPU only, set device.upper()_VISIBLE_DEVICES= or '
                f'devices=[]; if you are using device 0 only, set {kind}_VISIBLE_DEVICES=0 or devices=[0].  To '
                f"initialize all devices and suppress this warning, set the '{_devices_kw}' keyword argument to "
                f'`range(ember.{device_type}.device_count())`.', stacklevel=3)
            _fork_rng_warned_already = True
        devices = list(range(count))
    else:
        devices = list(devices)        # a generator would be spent by the first pass
    cpu_state = get_rng_state()
    device_states = [mod.get_rng_state(d) for d in devices]
    try:
        yield
    finally:
        set_rng_state(cpu_state)
        for d, state in zip(devices, device_states):
            mod.set_rng_state(state, d)


def thread_safe_generator():
    """The DataLoader thread worker's own Generator, or None (the global one) elsewhere."""
    from .utils.data.worker import get_worker_info
    info = get_worker_info()
    if info is not None and getattr(info, 'worker_method', None) == 'thread' and info.rng is not None:
        return getattr(info.rng, 'torch_generator', info.rng)
    return None
