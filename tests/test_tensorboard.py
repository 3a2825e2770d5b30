"""ember.utils.tensorboard.SummaryWriter against torch.utils.tensorboard.SummaryWriter.

Each case makes the same calls on both writers (torch tensors for torch, ember tensors for
ember) into two directories, reads both back with TensorBoard's own loader (which checks every
record's CRC-32C) and compares directory layout, file names (modulo time/pid/counter) and every
event: byte-identical once wall times are cleared and PNGs are replaced by their decoded pixels.
"""
import io
import os
import re
import socket
import warnings

import numpy as np
import pytest

pytest.importorskip('tensorboard')
torch = pytest.importorskip('torch')
from PIL import Image  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import (  # noqa: E402
    RawEventFileLoader)
from tensorboard.compat.proto import event_pb2  # noqa: E402
from tensorboard.compat.tensorflow_stub.pywrap_tensorflow import (  # noqa: E402
    masked_crc32c as tb_masked_crc32c)
from tensorboard.plugins.hparams import plugin_data_pb2  # noqa: E402
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402

import ember  # noqa: E402
from ember.utils.tensorboard import SummaryWriter as EmberWriter  # noqa: E402
from ember.utils.tensorboard import _records  # noqa: E402

HOST = re.escape(socket.gethostname())
RNG = np.random.default_rng(0)
NOISE = RNG.random((3, 40, 48))                       # PNG of > 4 KiB: long-CRC path
BATCH = RNG.random((10, 8, 6, 3)).astype(np.float32)  # NHWC, 2 grid rows, last one partial


def _read_tree(root, suffix=''):
    """{relative dir: [[(raw record bytes, Event), ...] per event file]}."""
    pattern = re.compile(r'events\.out\.tfevents\.\d{10}\.%s\.\d+\.\d+%s$'
                         % (HOST, re.escape(suffix)))
    tree = {}
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            assert pattern.match(name), name
            loader = RawEventFileLoader(os.path.join(dirpath, name))
            records = [(raw, event_pb2.Event.FromString(raw)) for raw in loader.Load()]
            tree.setdefault(os.path.relpath(dirpath, root), []).append(records)
    return tree


def _normalise(event):
    """Event bytes without wall time/source, plus decoded pixels of each image."""
    event.ClearField('wall_time')
    event.ClearField('source_metadata')
    pixels = []
    for value in event.summary.value:
        plugin = value.metadata.plugin_data
        if plugin.plugin_name == 'hparams':     # map<> entry order is the writer's own
            data = plugin_data_pb2.HParamsPluginData.FromString(plugin.content)
            plugin.content = data.SerializeToString(deterministic=True)
        if value.HasField('image'):
            img = Image.open(io.BytesIO(value.image.encoded_image_string))
            pixels.append((img.mode, np.asarray(img)))
            value.image.ClearField('encoded_image_string')
    return event.SerializeToString(), pixels


def _run(tmp_path, calls, suffix='', **kw):
    """Make ``calls(writer, T, rng)`` on both writers (same random data); compare everything;
    return ember's tree."""
    trees = []
    for name, writer_cls, T in (('torch', TorchWriter, torch), ('ember', EmberWriter, ember)):
        root = tmp_path / name
        writer = writer_cls(str(root), filename_suffix=suffix, **kw)
        calls(writer, T, np.random.default_rng(1))
        writer.close()
        trees.append(_read_tree(root, suffix))
    ours, theirs = trees[1], trees[0]
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        assert len(ours[key]) == len(theirs[key]), key
        for mine, ref in zip(ours[key], theirs[key]):
            assert len(mine) == len(ref), key
            assert mine[0][1].file_version == 'brain.Event:2'
            for (raw, ev), (_, ev_ref) in zip(mine, ref):
                assert ev.SerializeToString() == raw        # canonical protobuf encoding
                got, want = _normalise(ev), _normalise(ev_ref)
                assert got[0] == want[0], (key, ev, ev_ref)
                assert len(got[1]) == len(want[1])
                for (mode, px), (mode_ref, px_ref) in zip(got[1], want[1]):
                    assert mode == mode_ref
                    np.testing.assert_array_equal(px, px_ref)
    return ours


def _t(T, arr):
    return T.tensor(np.asarray(arr))


CASES = {
    'scalar_kinds': lambda w, T, r: [
        w.add_scalar('loss', 0.5, 0), w.add_scalar('loss', 3, 1), w.add_scalar('a/b', -0.0, 2),
        w.add_scalar('np', np.float32(1.25), 3), w.add_scalar('np0d', np.array(2.5), 4),
        w.add_scalar('t', _t(T, 7.5), 5), w.add_scalar('t11', _t(T, [[1.5]]), np.int64(6)),
        w.add_scalar('tint', _t(T, 4), 7), w.add_scalar('tbool', _t(T, True), 8),
        w.add_scalar('tbf16', T.tensor(1.5, dtype=T.bfloat16), 9),
        w.add_scalar('grad', T.ones(1, requires_grad=True) * 2, 10),
        w.add_scalar('nostep', 1.0), w.add_scalar('wall', 1.0, 3, walltime=123.5),
        w.add_scalar('big', 1e40, 11), w.add_scalar('nan', float('nan'), 12)],
    'scalar_new_style': lambda w, T, r: [
        w.add_scalar('n', 0.1, 1, new_style=True),
        w.add_scalar('d', 0.1, 2, new_style=True, double_precision=True),
        w.add_scalar('z', 0.0, 0, new_style=True),
        w.add_scalar('plain_double', 0.1, 3, double_precision=True)],
    'scalars': lambda w, T, r: [
        w.add_scalars('run/loss', {'train': 1.0, 'val': _t(T, 2.0)}, 1),
        w.add_scalars('run/loss', {'train': 0.5, 'test': np.float64(3.0)}, 2, walltime=9.0),
        w.add_scalar('main', 1.0, 1)],
    'histogram_tensorflow': lambda w, T, r: [
        w.add_histogram('w', _t(T, r.standard_normal(200)), 1),
        w.add_histogram('pos', np.abs(r.standard_normal(50)) + 1, 2),
        w.add_histogram('zeros', np.zeros(5), 3),
        w.add_histogram('ints', _t(T, np.arange(-5, 20)), 4),
        w.add_histogram('one', 3.5, 5),
        w.add_histogram('big', _t(T, r.standard_normal((4, 5)) * 1e6), 6, walltime=5.0)],
    'histogram_numpy_bins': lambda w, T, r: [
        w.add_histogram('auto', _t(T, r.random(100)), 1, bins='auto'),
        w.add_histogram('fd', r.random(100), 1, bins='fd'),
        w.add_histogram('ten', r.random(100), 1, bins=10),
        w.add_histogram('edges', r.random(100), 1, bins=[0, 0.1, 0.5, 2, 3]),
        w.add_histogram('edges_gap', np.array([2.5, 2.6]), 1, bins=[0, 1, 2, 3, 4]),
        w.add_histogram('max_bins', r.random(500), 2, bins=50, max_bins=7),
        w.add_histogram('max_bins_tf', r.standard_normal(500), 2, max_bins=64)],
    'histogram_raw': lambda w, T, r: w.add_histogram_raw(
        'raw', 0.0, 4.0, 10, 20.0, 50.0, [1.0, 2.0, 4.0], [3, 3, 4], 1),
    'images': lambda w, T, r: [
        w.add_image('chw', _t(T, NOISE), 1),
        w.add_image('chw_f32', _t(T, NOISE.astype(np.float32) * 2 - 0.5), 2),
        w.add_image('hwc_u8', (NOISE.transpose(1, 2, 0) * 255).astype(np.uint8), 3,
                    dataformats='HWC'),
        w.add_image('u8_tensor', _t(T, (NOISE * 255).astype(np.uint8)), 3),
        w.add_image('hw', _t(T, NOISE[0]), 4, dataformats='HW'),
        w.add_image('wh', NOISE[0], 4, dataformats='WH'),
        w.add_image('one_ch', NOISE[:1], 5),
        w.add_image('rgba', _t(T, r.random((4, 5, 6))), 6),
        w.add_image('grey_alpha', r.random((5, 6, 2)), 6, dataformats='HWC'),
        w.add_image('lower', NOISE, 7, dataformats='chw', walltime=1.0)],
    'images_batch': lambda w, T, r: [
        w.add_images('nhwc', _t(T, BATCH), 1, dataformats='NHWC'),
        w.add_images('nchw', _t(T, BATCH.transpose(0, 3, 1, 2)[:3]), 2),
        w.add_images('n1hw', BATCH[:, :, :, :1].transpose(0, 3, 1, 2), 3),
        w.add_images('single_chw', NOISE, 4, dataformats='CHW')],
    'text': lambda w, T, r: [
        w.add_text('note', 'hello **world**', 0), w.add_text('uni', 'héllo ✓', 3),
        w.add_text('empty', '', 4, walltime=2.0)],
    'hparams': lambda w, T, r: [
        w.add_hparams({'lr': 0.1, 'bs': 32, 'opt': 'sgd', 'flag': True, 'none': None,
                       't': _t(T, [0.5])},
                      {'hp/acc': 0.9, 'hp/loss': _t(T, 0.25)}, run_name='r1'),
        w.add_hparams({'lr': 0.01, 'opt': 'adam', 'bs': 8},
                      {'hp/acc': 0.8}, run_name='r2', global_step=3,
                      hparam_domain_discrete={'opt': ['sgd', 'adam'], 'bs': [8, 32]})],
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_same_events_as_torch(tmp_path, name):
    _run(tmp_path, CASES[name])


def test_purge_step_and_suffix(tmp_path):
    tree = _run(tmp_path, lambda w, T, r: w.add_scalar('x', 1.0, 5), suffix='.v1', purge_step=3)
    assert [ev.step for _, ev in tree['.'][0]][1:] == [3, 3, 5]


def test_reopen_after_close(tmp_path):
    def calls(w, T, r):
        w.add_scalar('x', 1.0, 1)
        w.close()
        w.close()                     # a second close is a no-op
        w.add_scalar('x', 2.0, 2)    # opens a new event file in the same directory
        w.flush()
    tree = _run(tmp_path, calls)
    assert len(tree['.']) == 2


def test_default_log_dir_and_attributes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = EmberWriter(comment='_lr0.1')
    ref = TorchWriter(comment='_lr0.1')
    pattern = r'runs/[A-Z][a-z]{2}\d{2}_\d{2}-\d{2}-\d{2}_%s_lr0\.1$' % HOST
    assert re.match(pattern, w.log_dir) and re.match(pattern, ref.log_dir)
    assert w.get_logdir() == w.log_dir
    assert w.default_bins == ref.default_bins
    assert (w.max_queue, w.flush_secs, w.filename_suffix) == (10, 120, '')
    w.close()
    ref.close()
    with EmberWriter(tmp_path / 'p') as w2:                  # pathlib log_dir, context manager
        assert w2.get_logdir() == tmp_path / 'p'
        w2.add_scalar('x', 1.0)
    assert w2.all_writers is None
    assert len(_read_tree(tmp_path / 'p')['.'][0]) == 2


def test_flush_makes_events_visible(tmp_path):
    w = EmberWriter(str(tmp_path), max_queue=1000)
    w.add_scalar('x', 1.0, 1)
    w.flush()
    assert len(_read_tree(tmp_path)['.'][0]) == 2
    for i in range(3):
        w.add_scalar('x', 1.0, i)
    w.close()
    assert len(_read_tree(tmp_path)['.'][0]) == 5


def test_add_graph_warns_and_writes_nothing(tmp_path):
    w = EmberWriter(str(tmp_path))
    with pytest.warns(UserWarning, match='add_graph'):
        w.add_graph(ember.nn.Linear(2, 2), ember.zeros(1, 2))
    w.close()
    assert len(_read_tree(tmp_path)['.'][0]) == 1


ERRORS = [
    ('scalar_size', lambda w, T, r: w.add_scalar('x', _t(T, [1.0, 2.0]))),
    ('scalar_list', lambda w, T, r: w.add_scalar('x', [1.0])),
    ('hist_empty', lambda w, T, r: w.add_histogram('h', _t(T, np.zeros(0)))),
    ('hist_outside', lambda w, T, r: w.add_histogram('h', np.array([9.0]), bins=[0, 1, 2])),
    ('hist_raw_len', lambda w, T, r: w.add_histogram_raw('h', 0, 1, 1, 1, 1, [1.0], [1, 2])),
    ('image_fmt_len', lambda w, T, r: w.add_image('i', _t(T, NOISE), dataformats='HW')),
    ('image_fmt_dup', lambda w, T, r: w.add_image('i', NOISE, dataformats='CCH')),
    ('images_4ch', lambda w, T, r: w.add_images('i', r.random((2, 4, 3, 3)))),
    ('hparams_type', lambda w, T, r: w.add_hparams([('lr', 1)], {})),
    ('hparams_value', lambda w, T, r: w.add_hparams({'lr': [1]}, {})),
    ('hparams_domain', lambda w, T, r: w.add_hparams({'lr': 1.0}, {}, {'lr': ['a']})),
]


@pytest.mark.parametrize('name,call', ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(tmp_path, name, call):
    results = []
    for sub, writer_cls, T in (('t', TorchWriter, torch), ('e', EmberWriter, ember)):
        writer = writer_cls(str(tmp_path / sub))
        with pytest.raises(Exception) as info:
            call(writer, T, np.random.default_rng(1))
        writer.close()
        results.append((type(info.value), str(info.value).split('\n')[0]))
        assert len(_read_tree(tmp_path / sub)['.'][0]) == 1    # nothing written
    assert results[1] == results[0]


def test_bad_dataformats_length(tmp_path):
    # torch fails here with an AttributeError on None; ember names the problem instead
    with EmberWriter(str(tmp_path)) as w, pytest.raises(ValueError, match='dataformats'):
        w.add_image('i', np.zeros((2, 2, 2, 2, 2)), dataformats='NCHWX')


def test_figure(tmp_path):
    pytest.importorskip('matplotlib')
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    def calls(w, T, r):
        figs = []
        for k in range(2):
            fig = plt.figure(figsize=(1.2, 1.0), dpi=40)
            plt.plot([0, 1, k])
            figs.append(fig)
        w.add_figure('one', figs[0], 1, close=False)
        w.add_figure('two', figs, 2)
    _run(tmp_path, calls)


@pytest.mark.parametrize('size', [0, 1, 9, 4095, 4096, 5000, 70001])
def test_crc32c_matches_tensorboard(size):
    data = RNG.integers(0, 256, size, dtype=np.uint8).tobytes()
    assert _records.masked_crc32c(data) == tb_masked_crc32c(data)
    assert _records.crc32c(b'123456789') == 0xE3069283       # the CRC-32C check value


def test_accepts_numpy_only_values_without_torch_objects(tmp_path):
    # ember tensors on every entry point, including the module path users import
    from ember.utils import tensorboard
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        with tensorboard.SummaryWriter(str(tmp_path)) as w:
            w.add_histogram('h', ember.randn(10, requires_grad=True), 1)
            w.add_image('i', ember.rand(3, 4, 4), 1)
    events = _read_tree(tmp_path)['.'][0]
    assert [ev.summary.value[0].tag for _, ev in events[1:]] == ['h', 'i']
