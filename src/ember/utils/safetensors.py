"""safetensors files with the API of ``safetensors.torch`` (ember needs no extra package).

    from ember.utils.safetensors import save_file, load_file
    save_file(model.state_dict(), 'model.safetensors', metadata={'epoch': '3'})
    model.load_state_dict(load_file('model.safetensors'))

The format and its checks are described in ``ember._serialization.safetensors``.
"""
from .._serialization.safetensors import (  # noqa: F401
    save, save_file, load, load_file, safe_open, SafetensorError, __all__)
