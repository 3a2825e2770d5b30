"""ember.load on PyTorch's oldest checkpoints: the tar archives torch.save wrote before 0.1.10, built
byte for byte here as that PyTorch wrote them and compared with today's torch.load."""
import collections
import io
import os
import pickle
import struct
import tarfile

import numpy as np
import pytest
import torch

from ember.serialization import load, UnpicklingError
from test_serialization_legacy import SYS_INFO, _Payload, same_tree, shares, write


class _Ref:
    def __init__(self, key):
        self.key = key


class _TarPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return str(obj.key) if isinstance(obj, _Ref) else None


def _dumps(*items):
    return b''.join(pickle.dumps(i, protocol=2) for i in items)


def _tar_checkpoint(storages, views, tensors, obj, members=('sys_info', 'pickle', 'tensors', 'storages')):
    """storages: {key: float32 array}; views: [(key, root, offset, numel)];
    tensors: {key: (storage_key, shape, stride, offset)}; obj: with _Ref(key) for tensors."""
    parts = {'sys_info': _dumps(SYS_INFO)}
    buf = io.BytesIO()
    _TarPickler(buf, protocol=2).dump(obj)
    parts['pickle'] = buf.getvalue()
    t = _dumps(len(tensors))
    for key, (skey, shape, stride, offset) in tensors.items():
        t += _dumps((key, skey, torch.FloatTensor)) + struct.pack('<ii', len(shape), 0)
        t += struct.pack(f'<{2 * len(shape) + 1}q', *shape, *stride, offset)
    parts['tensors'] = t
    s = _dumps(len(storages))
    for key, arr in storages.items():
        s += _dumps((key, 'cpu', torch.FloatStorage)) + struct.pack('<q', arr.size) + arr.astype('<f4').tobytes()
    parts['storages'] = s + _dumps(views)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode='w', format=tarfile.PAX_FORMAT) as tar:
        for name in members:
            info = tarfile.TarInfo(name)
            info.size = len(parts[name])
            tar.addfile(info, io.BytesIO(parts[name]))
    return out.getvalue()


def _tar_sample():
    storages = {101: np.arange(12, dtype=np.float32), 102: np.array([5., 6.], np.float32)}
    views = [(103, 101, 4, 6)]                                   # storage 103: elements 4..9 of 101
    tensors = {1: (101, (3, 4), (4, 1), 0), 2: (101, (4, 3), (1, 4), 0), 3: (103, (2, 2), (1, 3), 1),
               4: (102, (2,), (1,), 0)}
    obj = collections.OrderedDict([('w', _Ref(1)), ('wt', _Ref(2)), ('view', _Ref(3)), ('b', _Ref(4)),
                                   ('meta', [1, 'x', None]), ('again', _Ref(1))])
    return storages, views, tensors, obj


def test_tar_format(tmp_path):
    p = write(tmp_path, _tar_checkpoint(*_tar_sample()))
    expect = torch.load(p, weights_only=False)
    out = load(p)
    same_tree(out, expect)
    assert out['view'].tolist() == [[5., 8.], [6., 9.]]
    assert shares(out['w'], out['wt']) and np.shares_memory(out['w']._data, out['view']._data)
    assert out['again'] is out['w']
    with open(p, 'rb') as f:
        same_tree(load(f, map_location='cpu'), expect)


def test_tar_format_damage_and_payloads(tmp_path):
    data = _tar_checkpoint(*_tar_sample())
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        cuts = [m.offset_data + k * m.size // 3 for m in tar.getmembers() for k in (0, 1, 2)]
    for cut in cuts + [300]:                                 # inside each member's header and bytes
        with pytest.raises(RuntimeError, match='not a valid checkpoint'):
            load(write(tmp_path, data[:cut], 'cut.pth'))
    rng = np.random.default_rng(1)
    for _ in range(200):
        bad = bytearray(data)
        bad[rng.integers(0, cuts[-1])] ^= 1 << int(rng.integers(8))
        try:
            load(io.BytesIO(bytes(bad)))
        except (RuntimeError, UnpicklingError):
            pass
    with pytest.raises(RuntimeError, match='without the members of a PyTorch checkpoint.*storages'):
        load(write(tmp_path, _tar_checkpoint(*_tar_sample(), members=('sys_info', 'pickle', 'tensors')), 'm.pth'))
    marker = tmp_path / 'pwned'
    storages, views, tensors, obj = _tar_sample()
    obj['evil'] = _Payload(os.system, f'touch {marker}')
    with pytest.raises(UnpicklingError, match='Unsupported global'):
        load(write(tmp_path, _tar_checkpoint(storages, views, tensors, obj), 'evil.pth'))
    assert not marker.exists()
    with pytest.raises(RuntimeError, match='mmap can only be used'):
        load(str(write(tmp_path, data)), mmap=True)
