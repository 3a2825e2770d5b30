"""The parts behind ``ember.save`` / ``ember.load`` and the safetensors helpers.

- ``_files``: paths and file objects, atomic writes, zip members, error wording.
- ``_storage``: turning raw storage bytes into tensors, and ``map_location``.
- ``ember_format``: ember's own checkpoint format (zip + JSON + raw storages, no pickle).
- ``torch_reader``: reads PyTorch's zip checkpoints through a restricted unpickler.
- ``safetensors``: the safetensors format (save/load, bytes and files).
"""
