"""Download and archive helpers for the datasets (names as ``torchvision.datasets.utils``).

Downloads use ``urllib`` with a short timeout, write to ``<file>.part`` and rename when
complete, and check the MD5 when one is given. ``_urlopen`` is the single point where the
network is touched (tests replace it). Archives are unpacked with tarfile's ``'data'`` filter
and zip member checks, so an archive cannot write outside the target folder."""
import gzip
import hashlib
import os
import shutil
import tarfile
import urllib.request
import zipfile

__all__ = ['calculate_md5', 'check_md5', 'check_integrity', 'download_url', 'extract_archive',
           'download_and_extract_archive', 'verify_str_arg']

USER_AGENT = 'ember-vision'
TIMEOUT = 30            # seconds without data before a download is given up
_urlopen = urllib.request.urlopen


def calculate_md5(fpath, chunk_size=1024 * 1024):
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, 'rb') as f:
        for chunk in iter(lambda: f.read(chunk_size), b''):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """True when ``fpath`` is a file and (if ``md5`` is given) has that MD5."""
    if not os.path.isfile(fpath):
        return False
    return True if md5 is None else check_md5(fpath, md5)


def _fetch(url, fpath, timeout=TIMEOUT):
    """Stream ``url`` into ``fpath`` (atomically: ``.part`` file, then rename)."""
    request = urllib.request.Request(url, headers={'User-Agent': USER_AGENT})
    part = fpath + '.part'
    try:
        with _urlopen(request, timeout=timeout) as response, open(part, 'wb') as out:
            shutil.copyfileobj(response, out, 1024 * 1024)
        os.replace(part, fpath)
    finally:
        if os.path.exists(part):
            os.remove(part)


def download_url(url, root, filename=None, md5=None, max_redirect_hops=3):
    """Download ``url`` to ``root/filename`` unless a file with the right MD5 is already there.

    Network errors propagate as ``urllib.error.URLError`` (or ``OSError``); a finished download
    with the wrong MD5 raises ``RuntimeError('File not found or corrupted.')``.
    """
    root = os.path.expanduser(root)
    filename = filename or os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    print(f'Downloading {url} to {fpath}')
    _fetch(url, fpath)
    if not check_integrity(fpath, md5):
        raise RuntimeError('File not found or corrupted.')


def _safe_zip_extract(path, to_path):
    base = os.path.realpath(to_path)
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            target = os.path.realpath(os.path.join(to_path, name))
            if os.path.commonpath([base, target]) != base:
                raise RuntimeError(f'Refusing to extract {name!r} from {path}: it points outside {to_path}')
        zf.extractall(to_path)


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Unpack ``.tar``, ``.tar.gz``/``.tgz``, ``.zip`` or a single ``.gz`` file; returns ``to_path``."""
    from_path = os.fspath(from_path)
    to_path = os.path.dirname(from_path) if to_path is None else os.fspath(to_path)
    lower = from_path.lower()
    if lower.endswith(('.tar', '.tar.gz', '.tgz', '.tar.bz2', '.tbz', '.tar.xz', '.txz')):
        with tarfile.open(from_path, 'r:*') as tar:
            tar.extractall(to_path, filter='data')
    elif lower.endswith('.zip'):
        _safe_zip_extract(from_path, to_path)
    elif lower.endswith('.gz'):
        out = os.path.join(to_path, os.path.basename(from_path)[:-3])
        with gzip.open(from_path, 'rb') as src, open(out, 'wb') as dst:
            shutil.copyfileobj(src, dst)
    else:
        raise RuntimeError(f"File '{from_path}' has no suffixes that could be used to detect the archive type "
                           'and compression.')
    if remove_finished:
        os.remove(from_path)
    return to_path


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False):
    download_root = os.path.expanduser(download_root)
    extract_root = download_root if extract_root is None else extract_root
    filename = filename or os.path.basename(url)
    download_url(url, download_root, filename, md5)
    archive = os.path.join(download_root, filename)
    print(f'Extracting {archive} to {extract_root}')
    extract_archive(archive, extract_root, remove_finished)


def verify_str_arg(value, arg=None, valid_values=None, custom_msg=None):
    if not isinstance(value, str):
        msg = 'Expected type str' + ('' if arg is None else f' for argument {arg}') + f', but got type {type(value)}.'
        raise ValueError(msg)
    if valid_values is None or value in valid_values:
        return value
    if custom_msg is not None:
        raise ValueError(custom_msg)
    raise ValueError(f"Unknown value '{value}' for argument {arg}. Valid values are "
                     f"{{{', '.join(repr(v) for v in valid_values)}}}.")


def offline_error(what, err, where, files):
    """The RuntimeError raised when a download fails: what failed, why, and where the files go."""
    listed = ', '.join(files)
    return RuntimeError(f'Error downloading {what}: {err}\nIf this machine is offline, download the files by hand '
                        f'({listed}) and put them in {where}, then construct the dataset with download=False.')
