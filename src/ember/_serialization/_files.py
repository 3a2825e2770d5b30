"""Files for checkpoints: atomic writes to paths, opening what ``load`` is given, zip members.

Writes to a path never leave a half-written checkpoint behind: the data goes to a temporary
file in the same folder, is flushed and fsync'ed, and only then renamed over the target with
``os.replace`` (atomic on POSIX and Windows). If anything fails before the rename, the temporary
file is removed and the old checkpoint is untouched.
"""
import errno
import io
import os
import secrets
import stat
import struct
import zipfile

import numpy as np

ZIP_DATE = (1980, 1, 1, 0, 0, 0)   # fixed, so that saving the same object gives the same bytes
ALIGN = 64                         # storages start on 64-byte boundaries (as PyTorch's do)
_PAD_ID = 0x6d65                   # id of the zip "extra" block used only as padding
_CHUNK = 1 << 24
_LOCAL_HEADER = 30


def is_path(f):
    return isinstance(f, (str, bytes, os.PathLike))


def describe(f):
    """The name errors give a checkpoint: its path, or the file object's name."""
    if is_path(f):
        return os.fsdecode(os.fspath(f))
    name = getattr(f, 'name', None)
    return name if isinstance(name, str) else repr(f)


def not_a_checkpoint(name, why):
    return RuntimeError(f"'{name}' is not a valid checkpoint: {why}")


# ---------------------------------------------------------------- writing

def atomic_write(path, write):
    """Run ``write(binary_file)`` on a temporary file beside ``path``, then rename it over ``path``."""
    path = os.fsdecode(os.fspath(path))
    if os.path.islink(path):                  # write through a symlink, as open(path, 'wb') does
        path = os.path.realpath(path)
    folder = os.path.dirname(path)
    if path.endswith(('/', os.sep)):          # PyTorch's errors for a directory name
        raise RuntimeError(f'invalid file name: {path}')
    if folder and not os.path.isdir(folder):
        raise RuntimeError(f'Parent directory {folder} does not exist.')
    if os.path.isdir(path):
        raise RuntimeError(f'open file failed with strerror: {os.strerror(errno.EISDIR)}')
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)     # keep the permissions of the file replaced
    except FileNotFoundError:
        mode = None
    fd, tmp = _create_temp(folder or '.', os.path.basename(path))
    try:
        with os.fdopen(fd, 'wb') as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_dir(folder or '.')


def _create_temp(folder, base):
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, 'O_BINARY', 0)
    while True:
        tmp = os.path.join(folder, f'.{base}.{secrets.token_hex(6)}.tmp')
        try:
            return os.open(tmp, flags, 0o666), tmp      # 0o666 & ~umask, like open(path, 'wb')
        except FileExistsError:
            continue


def _fsync_dir(folder):
    """Make the rename itself durable (POSIX only; best effort)."""
    if os.name != 'posix':
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_to(f, write):
    """Write to a path atomically, or straight into a writable binary file object."""
    if is_path(f):
        atomic_write(f, write)
        return
    if not hasattr(f, 'write'):
        raise AttributeError(f"'{type(f).__name__}' object has no attribute 'write'")
    write(f)
    if hasattr(f, 'flush'):
        f.flush()


def new_zip(fh):
    return zipfile.ZipFile(fh, 'w', zipfile.ZIP_STORED, allowZip64=True)


def add_member(zf, name, data, align=False):
    """Add a stored (uncompressed) member; ``data`` is bytes or a 1-D uint8 array.

    With ``align`` the member's bytes start on an ``ALIGN``-byte boundary of the file, padded
    with an extra block in the local header, so that ``load(..., mmap=True)`` maps aligned data.
    """
    info = zipfile.ZipInfo(name, ZIP_DATE)
    info.compress_type = zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    size = len(data) if isinstance(data, (bytes, bytearray)) else int(data.nbytes)
    info.file_size = size
    zip64 = size * 1.05 > zipfile.ZIP64_LIMIT      # zipfile adds a 20-byte zip64 block then
    if align:
        try:
            start = zf.fp.tell() + _LOCAL_HEADER + len(name.encode()) + (20 if zip64 else 0)
        except (AttributeError, OSError):
            start = None
        if start is not None and start % ALIGN:
            pad = -start % ALIGN
            if pad < 4:
                pad += ALIGN
            info.extra = struct.pack('<HH', _PAD_ID, pad - 4) + b'\0' * (pad - 4)
    with zf.open(info, 'w', force_zip64=zip64) as out:
        if isinstance(data, (bytes, bytearray)):
            out.write(data)
        else:
            for i in range(0, size, _CHUNK):
                out.write(memoryview(data[i:i + _CHUNK]))


# ---------------------------------------------------------------- reading

def open_source(f):
    """(binary file, name, opened_here) for a path or a readable file object."""
    if is_path(f):
        return open(f, 'rb'), describe(f), True
    if not hasattr(f, 'read'):          # None, a number, ...: PyTorch's error (it seeks first)
        missing = next((a for a in ('seek', 'tell') if not hasattr(f, a)), 'read')
        raise AttributeError(f"'{type(f).__name__}' object has no attribute '{missing}'. You can only ember.load "
                             'from a file that is seekable. Please pre-load the data into a buffer like '
                             'io.BytesIO and try to load from it instead.')
    try:
        seekable = f.seekable()
    except AttributeError:
        seekable = hasattr(f, 'seek') and hasattr(f, 'tell')
    if not seekable:
        return io.BytesIO(f.read()), describe(f), True
    return f, describe(f), False


def peek(fh, n):
    pos = fh.tell()
    head = fh.read(n)
    fh.seek(pos)
    if isinstance(head, str):
        raise TypeError('ember.load needs a file opened in binary mode (\'rb\'), not text mode')
    return head


def open_zip(fh, name):
    try:
        return zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, struct.error) as e:
        raise not_a_checkpoint(name, f'failed reading zip archive ({e}); the file is truncated or '
                                     'damaged') from e


def read_member(zf, info, name):
    """A member's bytes as a new writable uint8 array (the CRC is checked)."""
    out = np.empty(info.file_size, np.uint8)
    try:
        with zf.open(info) as src:
            pos = 0
            while pos < info.file_size:
                chunk = src.read(min(_CHUNK, info.file_size - pos))
                if not chunk:
                    raise EOFError('unexpected end of data')
                out[pos:pos + len(chunk)] = np.frombuffer(chunk, np.uint8)
                pos += len(chunk)
            src.read(1)                              # reach EOF, where zipfile checks the CRC
    except (zipfile.BadZipFile, EOFError, ValueError, struct.error, OSError, NotImplementedError) as e:
        raise not_a_checkpoint(name, f'record {info.filename!r} is damaged ({e})') from e
    return out


def member_bytes(zf, member, name):
    try:
        info = zf.getinfo(member)
    except KeyError:
        raise not_a_checkpoint(name, f'record {member!r} is missing') from None
    return read_member(zf, info, name).tobytes()


class MappedFile:
    """The whole checkpoint file mapped copy-on-write; members are slices of it (``mmap=True``)."""

    def __init__(self, path, fh):
        self.fh = fh
        self.map = np.memmap(path, dtype=np.uint8, mode='c')

    def member(self, zf, info, name):
        if info.compress_type != zipfile.ZIP_STORED:
            return read_member(zf, info, name)
        self.fh.seek(info.header_offset)
        head = self.fh.read(_LOCAL_HEADER)
        if len(head) < _LOCAL_HEADER or head[:4] != b'PK\x03\x04':
            raise not_a_checkpoint(name, f'record {info.filename!r} is damaged (bad local header)')
        n, e = struct.unpack('<HH', head[26:30])
        start = info.header_offset + _LOCAL_HEADER + n + e
        if start + info.file_size > self.map.size:
            raise not_a_checkpoint(name, f'record {info.filename!r} is truncated')
        return self.map[start:start + info.file_size]


def member_reader(zf, fh, f, name, mmap):
    """A function info -> uint8 array reading (or, with ``mmap``, mapping) zip members."""
    if not mmap:
        return lambda info: read_member(zf, info, name)
    if not is_path(f):
        raise ValueError('f must be a file path in order to use the mmap argument')
    mapped = MappedFile(f, fh)
    return lambda info: mapped.member(zf, info, name)
