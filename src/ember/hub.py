"""``ember.hub``: ``torch.hub``'s functions for pretrained weights, local only -- ember never downloads.

A weights URL, e.g. ``https://download.pytorch.org/models/resnet18-f37072fd.pth``, names a file
(its last part). ``load_state_dict_from_url`` looks for that file, in this order, in

1. ``<d>/checkpoints/`` after ``set_dir(d)``;
2. ``$EMBER_HOME/hub/checkpoints/`` when ``EMBER_HOME`` is set;
3. torch's own hub cache: ``$TORCH_HOME/hub/checkpoints/`` when ``TORCH_HOME`` is set, else
   ``$XDG_CACHE_HOME/torch/hub/checkpoints/``, else ``~/.cache/torch/hub/checkpoints/`` -- so
   files PyTorch or torchvision already downloaded are found;

or only in ``model_dir`` when one is given. In each folder the exact name is tried first, then
the same stem with ``.pt`` and ``.safetensors``. ``.pth``/``.pt`` files may be PyTorch
checkpoints of any format or ember checkpoints (all read by ``ember.load``, which never runs code
from the file); ``.safetensors`` files are read by ``ember.utils.safetensors``. When no folder
holds the file, FileNotFoundError names the file, the folders searched and the URL to fetch by
hand. ``file://`` URLs are the exception: they are copied into the folder, as torch would
download them.

``ember.vision.models`` finds its pretrained weights through these functions.
``load``/``list``/``help`` (hub repositories on GitHub, whose ``hubconf.py`` torch downloads
and runs) raise RuntimeError: ember runs no code it did not ship.
"""
import hashlib
import os
import re
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from ._serialization._files import atomic_write
from .serialization import load as _ember_load

__all__ = ['download_url_to_file', 'get_dir', 'help', 'list', 'load', 'load_state_dict_from_url', 'set_dir']

HASH_REGEX = re.compile(r'-([a-f0-9]*)\.')      # the hash prefix in 'resnet18-f37072fd.pth'
_SUFFIXES = ('.pt', '.safetensors')
_hub_dir = None                                 # set by set_dir


def _torch_hub_dir():
    cache = os.getenv('XDG_CACHE_HOME', os.path.join('~', '.cache'))
    return os.path.join(os.path.expanduser(os.getenv('TORCH_HOME', os.path.join(cache, 'torch'))), 'hub')


def get_dir():
    """The hub folder: the one given to :func:`set_dir`, else ``$EMBER_HOME/hub`` when set, else
    torch's (``$TORCH_HOME/hub``, ``$XDG_CACHE_HOME/torch/hub`` or ``~/.cache/torch/hub``)."""
    if _hub_dir is not None:
        return _hub_dir
    home = os.getenv('EMBER_HOME')
    return os.path.join(os.path.expanduser(home), 'hub') if home else _torch_hub_dir()


def set_dir(d):
    """Make ``d`` the hub folder: weights are looked for in ``d/checkpoints`` first."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def search_dirs(model_dir=None):
    """``[(folder, why it is searched)]`` in search order; ``model_dir`` replaces them all."""
    if model_dir is not None:
        return [(os.path.expanduser(os.fspath(model_dir)), 'model_dir')]
    out = []
    if _hub_dir is not None:
        out.append((os.path.join(_hub_dir, 'checkpoints'), 'set by ember.hub.set_dir'))
    home = os.getenv('EMBER_HOME')
    if home:
        out.append((os.path.join(os.path.expanduser(home), 'hub', 'checkpoints'), '$EMBER_HOME/hub/checkpoints'))
    if os.getenv('TORCH_HOME'):
        why = "torch's hub cache, $TORCH_HOME/hub/checkpoints"
    elif os.getenv('XDG_CACHE_HOME'):
        why = "torch's hub cache, $XDG_CACHE_HOME/torch/hub/checkpoints ($TORCH_HOME not set)"
    else:
        why = "torch's hub cache, ~/.cache/torch/hub/checkpoints ($TORCH_HOME not set)"
    out.append((os.path.join(_torch_hub_dir(), 'checkpoints'), why))
    unique = []
    for folder, why in out:
        if all(os.path.abspath(folder) != os.path.abspath(f) for f, _ in unique):
            unique.append((folder, why))
    return unique


def _file_name(url, file_name):
    return file_name or os.path.basename(urlparse(url).path)


def _candidates(file_name):
    stem, ext = os.path.splitext(file_name)
    return [file_name] + [stem + s for s in _SUFFIXES if s != ext]


def _find(file_name, dirs):
    for folder, _ in dirs:
        for name in _candidates(file_name):
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                return path
    return None


def find_weights_file(url, model_dir=None, file_name=None):
    """The path of the local copy of ``url`` (see the module docstring), or FileNotFoundError."""
    file_name = _file_name(url, file_name)
    dirs = search_dirs(model_dir)
    path = _find(file_name, dirs)
    if path is not None:
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
    if path.endswith('.safetensors'):
        from .utils.safetensors import load_file
        device = 'cpu' if map_location is None or callable(map_location) or isinstance(map_location, dict) \
            else map_location
        return load_file(path, device=str(device))
    return _ember_load(path, map_location=map_location, weights_only=True if weights_only is None else weights_only)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=False):
    """``torch.hub.load_state_dict_from_url`` without the download: load the local copy of ``url``.

    The file is looked for as the module docstring says; a ``file://`` URL not found there is
    copied into ``model_dir`` (default ``get_dir()/checkpoints``) first, its SHA-256 checked
    against the hash in its name when ``check_hash``. Any other missing file: FileNotFoundError
    naming the file, the folders searched and the URL. ``progress`` has nothing to do (and, as in
    torch, a file already present is not hashed). ``weights_only`` is accepted; ember's loader is
    always restricted to tensors and plain containers.
    """
    name = _file_name(url, file_name)
    path = _find(name, search_dirs(model_dir))
    if path is None and urlparse(url).scheme == 'file':
        folder = os.path.expanduser(os.fspath(model_dir)) if model_dir is not None else \
            os.path.join(get_dir(), 'checkpoints')
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        found = HASH_REGEX.search(name) if check_hash else None
        download_url_to_file(url, path, found.group(1) if found else None, progress=progress)
    if path is None:
        path = find_weights_file(url, model_dir, file_name)       # raises, naming everything
    return _load(path, map_location, weights_only)


def _local_path(url):
    parts = urlparse(url)
    if parts.netloc not in ('', 'localhost'):
        raise RuntimeError(f'{url}: ember only copies file:// URLs of this machine, not of {parts.netloc!r}')
    return url2pathname(unquote(parts.path))


def download_url_to_file(url, dst, hash_prefix=None, progress=True):
    """Copy a ``file://`` URL to ``dst`` (atomically; SHA-256 checked against ``hash_prefix``).

    Any other URL raises RuntimeError: ember never downloads anything; the message says where to
    fetch the file by hand and where to put it.
    """
    dst = os.path.expanduser(os.fspath(dst))
    if urlparse(url).scheme != 'file':
        raise RuntimeError(
            f'ember never downloads anything, so it cannot fetch {url}. Download it by hand and save it '
            f'as {dst}, e.g.\n  curl -L -o {dst} {url}')
    src = _local_path(url)
    if not os.path.isfile(src):
        raise FileNotFoundError(f'{url}: no such file {src}')

    def copy(out):
        sha = hashlib.sha256()
        with open(src, 'rb') as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                sha.update(chunk)
                out.write(chunk)
        digest = sha.hexdigest()
        if hash_prefix is not None and digest[:len(hash_prefix)] != hash_prefix:
            raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got "{digest}")')

    if os.path.abspath(src) == os.path.abspath(dst):
        with open(os.devnull, 'wb') as sink:        # nothing to copy; still check the hash
            copy(sink)
        return
    atomic_write(dst, copy)


def _no_repositories(what, repo):
    return RuntimeError(
        f'ember cannot load hub repositories: torch.hub.{what}({repo!r}, ...) fetches a repository (or reads '
        "a local folder) and runs its hubconf.py, and ember neither downloads nor runs such code. Build the "
        'model from ember.vision.models (or your own nn.Module) and load its weights with '
        'ember.hub.load_state_dict_from_url or ember.load.')


def load(repo_or_dir, model, *args, source='github', trust_repo='check', force_reload=False, verbose=True,
         skip_validation=False, **kwargs):
    """Refused: ember cannot load hub repositories (it neither downloads nor runs their code)."""
    raise _no_repositories('load', repo_or_dir)


def list(github, force_reload=False, skip_validation=False, trust_repo='check', verbose=True):  # noqa: A001
    """Refused: ember cannot read hub repositories."""
    raise _no_repositories('list', github)


def help(github, model, force_reload=False, skip_validation=False, trust_repo='check'):  # noqa: A001
    """Refused: ember cannot read hub repositories."""
    raise _no_repositories('help', github)

