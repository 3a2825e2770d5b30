"""SummaryWriter's add_tensor, add_pr_curve(_raw), add_audio, add_custom_scalars*, add_mesh,
add_image_with_boxes, add_video and add_embedding against torch's SummaryWriter.

As in test_tensorboard.py, the same calls run on both writers; event files are read back with
TensorBoard's loader and compared event by event (PNG pixels decoded). The projector's files
are compared byte for byte (sprite.png by its pixels), and so is what each writer prints."""
import io
import os
import re
import wave

import numpy as np
import pytest

pytest.importorskip('tensorboard')
torch = pytest.importorskip('torch')
from PIL import Image  # noqa: E402
from tensorboard.backend.event_processing.event_file_loader import (  # noqa: E402
    RawEventFileLoader)
from tensorboard.compat.proto import event_pb2  # noqa: E402
from test_tensorboard import _normalise  # noqa: E402
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402

import ember  # noqa: E402
from ember.utils.tensorboard import SummaryWriter as EmberWriter  # noqa: E402

EVENTS = re.compile(r'events\.out\.tfevents\.')
RNG = np.random.default_rng(0)
IMG = RNG.random((3, 20, 24))
LABEL_IMG = RNG.random((10, 3, 6, 6)).astype(np.float32)
MAT = RNG.standard_normal((10, 4)).astype(np.float32)


def _read_tree(root):
    """({dir: [[(raw, Event), ...] per event file]}, {other file path: bytes})."""
    events, others = {}, {}
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(dirpath, root)
            if EVENTS.match(name):
                loader = RawEventFileLoader(path)
                records = [(raw, event_pb2.Event.FromString(raw)) for raw in loader.Load()]
                events.setdefault(rel, []).append(records)
            else:
                with open(path, 'rb') as f:
                    others[os.path.join(rel, name)] = f.read()
    return events, others


def _pixels(png):
    img = Image.open(io.BytesIO(png))
    return img.mode, np.asarray(img)


def _run(tmp_path, capsys, calls):
    """Same ``calls(writer, T, rng)`` on both writers; compare events, files and output.
    Returns ember's (events, other files, printed text)."""
    results = []
    for name, writer_cls, T in (('torch', TorchWriter, torch), ('ember', EmberWriter, ember)):
        writer = writer_cls(str(tmp_path / name))
        calls(writer, T, np.random.default_rng(1))
        writer.close()
        results.append(_read_tree(tmp_path / name) + (capsys.readouterr().out,))
    (ev, files, out), (ev_ref, files_ref, out_ref) = results[1], results[0]
    assert out == out_ref
    assert sorted(files) == sorted(files_ref)
    for key, data in files.items():
        if key.endswith('.png'):
            mode, px = _pixels(data)
            mode_ref, px_ref = _pixels(files_ref[key])
            assert mode == mode_ref
            np.testing.assert_array_equal(px, px_ref)
        else:
            assert data == files_ref[key], key
    assert sorted(ev) == sorted(ev_ref)
    for key in ev_ref:
        assert len(ev[key]) == len(ev_ref[key])
        for mine, ref in zip(ev[key], ev_ref[key]):
            assert len(mine) == len(ref)
            for (raw, e), (_, e_ref) in zip(mine, ref):
                assert e.SerializeToString() == raw            # canonical encoding
                got, want = _normalise(e), _normalise(e_ref)
                assert got[0] == want[0], (e, e_ref)
                assert len(got[1]) == len(want[1])
                for (mode, px), (mode_ref, px_ref) in zip(got[1], want[1]):
                    assert mode == mode_ref
                    np.testing.assert_array_equal(px, px_ref)
    return results[1]


def _t(T, arr, **kw):
    return T.tensor(np.asarray(arr), **kw)


def _tensors(w, T, r):
    vals = r.standard_normal((2, 3)) * 100
    w.add_tensor('f32', _t(T, vals, dtype=T.float32), 1)
    w.add_tensor('f64', _t(T, vals).t(), 2)                       # non-contiguous
    w.add_tensor('f16', _t(T, vals, dtype=T.float16), 3, walltime=4.0)
    w.add_tensor('bf16', _t(T, vals, dtype=T.bfloat16), 3)
    w.add_tensor('grad', T.ones(2, requires_grad=True) * 3)
    for dt in ('int8', 'int16', 'int32', 'int64', 'uint8', 'bool'):
        w.add_tensor(dt, _t(T, [[-3, 0], [2**40, 200]]).to(getattr(T, dt)), 4)
    w.add_tensor('c64', _t(T, vals[0] + 1j * vals[1], dtype=T.complex64), 5)
    w.add_tensor('c128', _t(T, vals[0] - 2j * vals[1]), 5)
    w.add_tensor('empty', T.zeros(0, 2), 6)
    w.add_tensor('scalar', _t(T, 2.5), 6)


def _pr_curves(w, T, r):
    labels = r.integers(0, 2, 50)
    preds = r.random(50)
    w.add_pr_curve('np', labels, preds, 0)
    w.add_pr_curve('t', _t(T, labels), _t(T, preds, dtype=T.float32), 1, walltime=3.0)
    w.add_pr_curve('few', _t(T, labels).bool(), preds, 2, num_thresholds=7)
    w.add_pr_curve('many', labels, preds, 3, num_thresholds=300)
    w.add_pr_curve('w', labels, preds, 4, num_thresholds=9, weights=r.random(50))
    w.add_pr_curve('one', 1, 0.5, 5)
    rows = [r.integers(0, 9, 5).astype(float) for _ in range(4)] + [r.random(5), r.random(5)]
    w.add_pr_curve_raw('raw', *rows, global_step=6, num_thresholds=5)
    w.add_pr_curve_raw('raw_t', *[_t(T, x) for x in rows], num_thresholds=500, walltime=2.0)
    w.add_pr_curve_raw('raw_int', *[np.arange(3)] * 6, 7, weights=[1, 2, 3])


def _audio(w, T, r):
    w.add_audio('t', _t(T, r.random((1, 30)) * 2 - 1), 1)
    w.add_audio('loud', _t(T, r.random(30) * 4 - 2, dtype=T.float32), 2, sample_rate=8000)
    w.add_audio('np', np.sin(np.arange(40) / 3), 3, sample_rate=16000.5, walltime=1.0)
    w.add_audio('int', _t(T, [0, 1, -1, 1]), 4)


def _custom(w, T, r):
    w.add_custom_scalars({'Taiwan': {'twse': ['Multiline', ['twse/0050', 'twse/2330']]},
                          'USA': {'dow': ['Margin', ['dow/a', 'dow/b', 'dow/c']],
                                  'nasdaq': ['Margin', ('n/a', '', 'n/c')],
                                  'empty': ['Other', []]},
                          '': {}})
    w.add_custom_scalars_multilinechart(['a', 'b/c'])
    w.add_custom_scalars_multilinechart(['x'], category='cat', title='ti')
    w.add_custom_scalars_marginchart(['v', 'lo', 'hi'], title='m')


def _mesh(w, T, r):
    verts = r.standard_normal((1, 4, 3))
    cols = (r.random((1, 4, 3)) * 255).astype(np.uint8)
    faces = np.array([[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]], dtype=np.int32)
    w.add_mesh('m', _t(T, verts, dtype=T.float32), colors=_t(T, cols), faces=_t(T, faces),
               global_step=1)
    w.add_mesh('pts', verts, config_dict={'camera': {'cls': 'PerspectiveCamera', 'fov': 75},
                                          'a': [1, 2]}, global_step=2, walltime=5.0)
    w.add_mesh('list', [[[0, 1, 2]]], colors=[[[0.5, 0.25, 1.0]]])


def _boxes(w, T, r):
    boxes = [[2, 3, 10, 12], [5.5, 1, 20, 18.5]]
    w.add_image_with_boxes('chw', _t(T, IMG), _t(T, boxes), 1)
    w.add_image_with_boxes('labels', IMG.astype(np.float32), np.array(boxes), 2,
                           labels=['cat', 'dog'])
    w.add_image_with_boxes('hwc_u8', (IMG.transpose(1, 2, 0) * 255).astype(np.uint8),
                           _t(T, boxes[:1]), 3, dataformats='HWC', labels='one')
    w.add_image_with_boxes('mismatch', IMG, np.array(boxes), 4, labels=['only one'])
    w.add_image_with_boxes('rescale', _t(T, IMG), _t(T, boxes), 5, rescale=1.5,
                           walltime=2.0)
    w.add_image_with_boxes('none', IMG, np.zeros((0, 4)), 6)


def _video(w, T, r):
    w.add_video('v3', _t(T, r.random((3, 2, 3, 4, 5))), 1)
    w.add_video('u8', (r.random((4, 2, 1, 4, 5)) * 255).astype(np.uint8), 2, fps=10)


def _embedding(w, T, r):
    meta = ['kw%d' % i for i in range(10)]
    w.add_embedding(_t(T, MAT), metadata=meta, label_img=_t(T, LABEL_IMG))
    w.add_embedding(MAT[:7].astype(np.float64), label_img=_t(T, LABEL_IMG[:7]), global_step=3,
                    tag='a/b%c\\d "q" é\t\x01\'')
    w.add_embedding(_t(T, MAT[:5]), metadata=[[i, 'x%d' % i] for i in range(5)],
                    metadata_header=['n', 'name'], global_step=12345, tag='hdr')
    w.add_embedding(_t(T, MAT[:3]), metadata=_t(T, [1, 2, 3]), global_step=3, tag='a/b')
    w.add_embedding(_t(T, [[1, 2], [3, 4]]), global_step=3, tag='a/b')    # dir exists


def _embedding_wide_sprite(w, T, r):
    w.add_embedding(MAT[:3], label_img=_t(T, (LABEL_IMG[:3] * 255).astype(np.uint8)))
    w.add_embedding(MAT[:2], label_img=_t(T, LABEL_IMG[:2, :1]), global_step=1)


CASES = {'tensor': _tensors, 'pr_curve': _pr_curves, 'audio': _audio, 'custom': _custom,
         'mesh': _mesh, 'boxes': _boxes, 'video': _video, 'embedding': _embedding}


@pytest.mark.parametrize('name', sorted(CASES))
def test_same_as_torch(tmp_path, capsys, name):
    _run(tmp_path, capsys, CASES[name])


def test_embedding_files(tmp_path, capsys):
    _, files, out = _run(tmp_path, capsys, _embedding)
    assert out.count('warning: Embedding dir exists') == 1
    assert files[os.path.join('.', 'projector_config.pbtxt')].count(b'embeddings {') == 5
    assert os.path.join('00003', 'a%2fb%25c%5cd "q" é\t\x01\'', 'sprite.png') in files


def test_embedding_sprite_variants(tmp_path, capsys):
    _run(tmp_path, capsys, _embedding_wide_sprite)


def test_audio_samples(tmp_path, capsys):
    _, _, out = _run(tmp_path, capsys, _audio)
    assert out == 'warning: audio amplitude out of range, auto clipped.\n'
    sound = np.array([0.0, 0.5, -0.25, 1.0, -1.0, 1.5, -3.0, 1e-5], dtype=np.float32)
    with EmberWriter(str(tmp_path / 'x')) as w:
        w.add_audio('s', ember.tensor(sound)[None], 7, sample_rate=22050)
    events, _ = _read_tree(tmp_path / 'x')
    value = events['.'][0][1][1].summary.value[0]
    audio = value.audio
    assert (value.tag, audio.sample_rate, audio.num_channels, audio.length_frames,
            audio.content_type) == ('s', 22050, 1, 8, 'audio/wav')
    with wave.open(io.BytesIO(audio.encoded_audio_string)) as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        pcm = np.frombuffer(wav.readframes(8), '<i2')
    np.testing.assert_array_equal(pcm, [0, 16383, -8191, 32767, -32767, 32767, -32767, 0])


def test_video_without_moviepy(tmp_path, capsys):
    try:
        import moviepy  # noqa: F401
        pytest.skip('moviepy is installed')
    except ImportError:
        pass
    events, _, out = _run(tmp_path, capsys, _video)
    assert out == 'add_video needs package moviepy\n' * 2
    assert [list(e.summary.value) for _, e in events['.'][0][1:]][0][0].tag == 'v3'


class _FakeClip:
    """Stands in for moviepy.editor.ImageSequenceClip: a one-frame GIF via Pillow."""
    def __init__(self, frames, fps):
        self.frames, self.fps = frames, fps

    def write_gif(self, filename, verbose=True, logger='bar'):
        assert (verbose, logger) == (False, None)
        Image.fromarray(self.frames[-1][:, :, 0]).save(filename, format='GIF', duration=1000 / self.fps)


@pytest.mark.parametrize('editor', [False, True])
def test_video_with_fake_moviepy(tmp_path, capsys, monkeypatch, editor):
    import sys
    import types
    fake = types.ModuleType('moviepy')
    monkeypatch.setitem(sys.modules, 'moviepy', fake)
    if editor:
        fake.editor = types.SimpleNamespace(ImageSequenceClip=_FakeClip)
    events, _, out = _run(tmp_path, capsys, _video)
    if editor:
        image = events['.'][0][1][1].summary.value[0].image      # 3 videos: 1 x 4 grid
        assert out == '' and (image.height, image.width, image.colorspace) == (4, 20, 3)
    else:
        assert out.startswith("moviepy is installed, but can't import moviepy.editor. Some")


def _mesh_2d(w, T, r):
    w.add_mesh('m', _t(T, np.zeros((4, 3))))


ERRORS = [
    ('tensor_dtype', lambda w, T, r: w.add_tensor('u', _t(T, [1]).to(T.uint16))),
    ('tensor_numpy', lambda w, T, r: w.add_tensor('n', np.zeros(2))),
    ('audio_2d', lambda w, T, r: w.add_audio('a', np.zeros((2, 3)))),
    ('audio_empty', lambda w, T, r: w.add_audio('a', np.zeros(0))),
    ('audio_rate', lambda w, T, r: w.add_audio('a', np.zeros(3), sample_rate=0)),
    ('margin_tags', lambda w, T, r: w.add_custom_scalars({'c': {'m': ['Margin', ['a']]}})),
    ('marginchart', lambda w, T, r: w.add_custom_scalars_marginchart(['a', 'b'])),
    ('mesh_2d', _mesh_2d),
    ('emb_labels', lambda w, T, r: w.add_embedding(MAT, metadata=['a'])),
    ('emb_header', lambda w, T, r: w.add_embedding(MAT[:1], metadata=[[1]],
                                                   metadata_header=['a', 'b'])),
    ('emb_images', lambda w, T, r: w.add_embedding(MAT, label_img=_t(T, LABEL_IMG[:2]))),
    ('emb_numpy_img', lambda w, T, r: w.add_embedding(MAT, label_img=LABEL_IMG)),  # size(0)
    ('emb_1d', lambda w, T, r: w.add_embedding(MAT[0], metadata=list('abcd'))),
    ('emb_tall_sprite', lambda w, T, r: w.add_embedding(
        MAT[:2], label_img=_t(T, np.zeros((2, 3, 9, 2))))),
    ('video_4d', lambda w, T, r: w.add_video('v', np.zeros((2, 3, 4, 5)))),
    ('boxes_fmt', lambda w, T, r: w.add_image_with_boxes('b', IMG, np.zeros((1, 4)),
                                                         dataformats='HWCN')),
]


@pytest.mark.parametrize('name,call', ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_torch(tmp_path, capsys, name, call):
    results = []
    for sub, writer_cls, T in (('t', TorchWriter, torch), ('e', EmberWriter, ember)):
        root = tmp_path / sub
        writer = writer_cls(str(root))
        with pytest.raises(Exception) as info:
            call(writer, T, np.random.default_rng(1))
        writer.close()
        message = str(info.value).split('\n')[0].replace(str(root), 'ROOT')
        results.append((type(info.value), message.replace('torch.', 'ember.')))
        events, files = _read_tree(root)
        assert len(events['.'][0]) == 1            # nothing logged
        if sub == 'e':
            assert not files and len(os.listdir(root)) == 1       # no files left
    assert results[1] == results[0]


def test_embedding_path_is_a_file(tmp_path, capsys):
    results = []
    for sub, writer_cls, T in (('t', TorchWriter, torch), ('e', EmberWriter, ember)):
        root = tmp_path / sub
        writer = writer_cls(str(root))
        os.makedirs(root / '00000')
        (root / '00000' / 'default').write_text('x')
        with pytest.raises(NotADirectoryError) as info:
            writer.add_embedding(MAT)
        writer.close()
        results.append(str(info.value).replace(str(root), 'ROOT'))
    assert results[0] == results[1]
