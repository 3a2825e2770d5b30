"""Finding pretrained weights on disk. ember never downloads anything.

A weights entry names torchvision's URL, e.g.
``https://download.pytorch.org/models/resnet18-f37072fd.pth``; its last part is the file name.
That file is looked for, in this order, in

1. ``$EMBER_HOME/hub/checkpoints/`` when ``EMBER_HOME`` is set;
2. torch's own hub cache: ``$TORCH_HOME/hub/checkpoints/`` when ``TORCH_HOME`` is set, else
   ``$XDG_CACHE_HOME/torch/hub/checkpoints/``, else ``~/.cache/torch/hub/checkpoints/`` -- so
   files torchvision already downloaded are found.

In each folder the exact name (``resnet18-f37072fd.pth``) is tried first, then the same stem
with ``.pt`` and ``.safetensors``. ``.pth``/``.pt`` files may be PyTorch zip checkpoints or
ember checkpoints (both read by ``ember.load``, which never runs code from the file);
``.safetensors`` files are read by ``ember.utils.safetensors``. If no folder holds the file,
FileNotFoundError says which name was expected, where it looked, and the URL to fetch by hand.
"""
import os
from urllib.parse import urlparse

__all__ = ['get_dir', 'search_dirs', 'find_weights_file', 'load_state_dict_from_url']

_SUFFIXES = ('.pt', '.safetensors')


def _torch_hub_dir():
    cache = os.getenv('XDG_CACHE_HOME', os.path.join('~', '.cache'))
    return os.path.join(os.path.expanduser(os.getenv('TORCH_HOME', os.path.join(cache, 'torch'))), 'hub')


def get_dir():
    """The hub folder ember reads first: ``$EMBER_HOME/hub`` if set, else torch's hub folder."""
    home = os.getenv('EMBER_HOME')
    return os.path.join(os.path.expanduser(home), 'hub') if home else _torch_hub_dir()


def search_dirs(model_dir=None):
    """``[(folder, why it is searched)]`` in search order; ``model_dir`` replaces them all."""
    if model_dir is not None:
        return [(os.path.expanduser(model_dir), 'model_dir')]
    out = []
    home = os.getenv('EMBER_HOME')
    if home:
        out.append((os.path.join(os.path.expanduser(home), 'hub', 'checkpoints'), '$EMBER_HOME/hub/checkpoints'))
    if os.getenv('TORCH_HOME'):
        why = "torch's hub cache, $TORCH_HOME/hub/checkpoints"
    elif os.getenv('XDG_CACHE_HOME'):
        why = "torch's hub cache, $XDG_CACHE_HOME/torch/hub/checkpoints ($TORCH_HOME not set)"
    else:
        why = "torch's hub cache, ~/.cache/torch/hub/checkpoints ($TORCH_HOME not set)"
    torch_dir = os.path.join(_torch_hub_dir(), 'checkpoints')
    if all(os.path.abspath(torch_dir) != os.path.abspath(d) for d, _ in out):
        out.append((torch_dir, why))
    return out


def _candidates(file_name):
    stem, ext = os.path.splitext(file_name)
    return [file_name] + [stem + s for s in _SUFFIXES if s != ext]


def find_weights_file(url, model_dir=None, file_name=None):
    """The path of the cached copy of ``url`` (see the module docstring), or FileNotFoundError."""
    file_name = file_name or os.path.basename(urlparse(url).path)
    dirs = search_dirs(model_dir)
    for folder, _ in dirs:
        for name in _candidates(file_name):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    stem = os.path.splitext(file_name)[0]
    where = '\n'.join(f'  {folder}    ({why})' for folder, why in dirs)
    other = '' if model_dir is not None else '(set EMBER_HOME or TORCH_HOME to choose another folder). '
    raise FileNotFoundError(
        f"Pretrained weights file '{file_name}' was not found, and ember never downloads anything. "
        f'Searched {"this folder" if len(dirs) == 1 else "these folders"}:\n{where}\n'
        f'Download it by hand from {url} and put it {"there" if len(dirs) == 1 else "in one of them"}, e.g.\n'
        f'  mkdir -p {dirs[0][0]} && curl -L -o {os.path.join(dirs[0][0], file_name)} {url}\n'
        f"{other}A copy saved as '{stem}.safetensors' or with ember.save is read too.")


def _load(path, map_location, weights_only):
    from ... import load
    if path.endswith('.safetensors'):
        from ...utils.safetensors import load_file
        device = 'cpu' if map_location is None or callable(map_location) or isinstance(map_location, dict) \
            else map_location
        return load_file(path, device=str(device))
    return load(path, map_location=map_location, weights_only=True if weights_only is None else weights_only)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=False):
    """``torch.hub.load_state_dict_from_url`` without the download: load the cached copy of ``url``.

    ``progress`` and ``check_hash`` are accepted and have nothing to do (like torch, a file already
    in the cache is not hashed). ``weights_only`` is accepted; ember's loader is always restricted
    to tensors and plain containers.
    """
    return _load(find_weights_file(url, model_dir, file_name), map_location, weights_only)
