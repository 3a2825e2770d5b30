"""``torch.utils.data._utils.pin_memory``: copy a batch's tensors to page-locked memory.

Ember has no separate pin-memory thread: the loader iterators call ``pin_memory`` on each
batch themselves when ``pin_memory=True`` and an accelerator exists."""
from ..worker import MP_STATUS_CHECK_INTERVAL, ExceptionWrapper

__all__ = ['ExceptionWrapper', 'MP_STATUS_CHECK_INTERVAL', 'pin_memory']


def pin_memory(data, device=None):
    """``data`` with every tensor pinned; containers are rebuilt (a plain tuple becomes a list, as in PyTorch)."""
    if hasattr(data, 'pin_memory') and not isinstance(data, type):
        return data.pin_memory() if device is None else data.pin_memory(device)
    if isinstance(data, (str, bytes)):
        return data
    if isinstance(data, dict):
        return type(data)({k: pin_memory(v, device) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, '_fields'):
        return type(data)(*(pin_memory(v, device) for v in data))
    if isinstance(data, (tuple, list)):
        return [pin_memory(v, device) for v in data]
    return data
