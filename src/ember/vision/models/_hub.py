"""Finding pretrained weights on disk. ember never downloads anything.

The lookup (``$EMBER_HOME/hub/checkpoints``, then torch's hub cache, ``.pt``/``.safetensors``
stand-ins, the FileNotFoundError naming the URL to fetch by hand) lives in :mod:`ember.hub`,
which is ``torch.hub``'s counterpart; the weights enums use it from here.
"""
from ...hub import get_dir, search_dirs, find_weights_file, load_state_dict_from_url  # noqa: F401

__all__ = ['get_dir', 'search_dirs', 'find_weights_file', 'load_state_dict_from_url']
