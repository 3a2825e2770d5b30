"""Builders for encoded ``tensorboard.Summary`` messages, continued: whole tensors, PR curves,
audio, custom-scalar layouts and meshes (images with boxes and videos are in ``_media.py``)."""
import io
import json
import wave

import numpy as np

from . import _proto as pb
from ._summary import to_numpy

_MIN_COUNT = 1e-7                  # floor of the PR-curve denominators
_MAX_THRESHOLDS = 127              # the pr_curves plugin keeps at most this many thresholds
_MESH_PARTS = (('VERTEX', 1), ('FACE', 2), ('COLOR', 3))     # MeshPluginData.ContentType


def _host(tensor):
    """NumPy copy of an ember tensor's values; half/bfloat16 widen exactly to float32."""
    from ... import bfloat16, float16, float32
    t = tensor.detach()
    if t.dtype in (float16, bfloat16):
        t = t.to(float32)
    return t.cpu().numpy()


def _tensor_kinds():
    """ember dtype -> (TensorProto DataType, repeated field, values of a float32 host array
    -> flat list). Half types store their float32 bit patterns as int32, as torch does."""
    from ... import (bfloat16, bool as bool_, complex64, complex128, float16, float32, float64,
                     int8, int16, int32, int64, uint8)
    plain = lambda a: a.reshape(-1).tolist()                          # noqa: E731
    bits = lambda a: a.astype('<f4').view('<i4').reshape(-1).tolist()  # noqa: E731
    pairs = lambda a: np.ascontiguousarray(a).reshape(-1).view(        # noqa: E731
        a.real.dtype).tolist()
    return {
        float16: (19, 'half_val', bits), bfloat16: (14, 'half_val', bits),
        float32: (1, 'float_val', plain), float64: (2, 'double_val', plain),
        int8: (6, 'int_val', plain), int16: (5, 'int_val', plain),
        int32: (3, 'int_val', plain), int64: (9, 'int64_val', plain),
        uint8: (4, 'uint32_val', plain), bool_: (10, 'bool_val', plain),
        complex64: (8, 'scomplex_val', pairs), complex128: (18, 'dcomplex_val', pairs),
    }


def tensor_proto(tag, tensor):
    """The whole tensor as a TensorProto under the 'tensor' plugin (``add_tensor``)."""
    if tensor.numel() * tensor.itemsize >= (1 << 31):
        raise ValueError("tensor is bigger than protocol buffer's hard limit of 2GB in size")
    kinds = _tensor_kinds()
    if tensor.dtype not in kinds:
        raise ValueError(f'{tag} has unsupported tensor dtype {tensor.dtype}')
    dtype, field, flatten = kinds[tensor.dtype]
    proto = pb.tensor_values(dtype, list(tensor.shape), field, flatten(_host(tensor)))
    return pb.summary(pb.summary_value(tag, tensor=proto,
                                       metadata=pb.summary_metadata('tensor')))


# ---- precision-recall curves ---------------------------------------------------------------

def _pr_summary(tag, data, num_thresholds):
    proto = pb.tensor(pb.DT_FLOAT, shape=[data.shape[0], data.shape[1]],
                      float_val=data.reshape(-1).tolist())
    meta = pb.summary_metadata('pr_curves', pb.pr_curve_plugin_data(num_thresholds))
    return pb.summary(pb.summary_value(tag, tensor=proto, metadata=meta))


def compute_curve(labels, predictions, num_thresholds, weights=None):
    """6 x num_thresholds rows: TP, FP, TN, FN counts, precision, recall at the thresholds
    i / (num_thresholds - 1). Predictions are put in buckets by flooring; the counts at a
    threshold are the (weighted) totals of the buckets at or above it."""
    if weights is None:
        weights = 1.0
    else:
        from ... import Tensor
        if isinstance(weights, Tensor):
            weights = to_numpy(weights)
    buckets = np.int32(np.floor(predictions * (num_thresholds - 1)))
    positive = labels.astype(np.float64)
    span = (0, num_thresholds - 1)
    tp_hist, _ = np.histogram(buckets, bins=num_thresholds, range=span,
                              weights=positive * weights)
    fp_hist, _ = np.histogram(buckets, bins=num_thresholds, range=span,
                              weights=(1.0 - positive) * weights)
    tp = np.cumsum(tp_hist[::-1])[::-1]
    fp = np.cumsum(fp_hist[::-1])[::-1]
    tn = fp[0] - fp
    fn = tp[0] - tp
    precision = tp / np.maximum(_MIN_COUNT, tp + fp)
    recall = tp / np.maximum(_MIN_COUNT, tp + fn)
    return np.stack((tp, fp, tn, fn, precision, recall))


def pr_curve(tag, labels, predictions, num_thresholds=127, weights=None):
    num_thresholds = min(num_thresholds, _MAX_THRESHOLDS)
    data = compute_curve(labels, predictions, num_thresholds, weights)
    return _pr_summary(tag, data, num_thresholds)


def pr_curve_raw(tag, tp, fp, tn, fn, precision, recall, num_thresholds=127):
    num_thresholds = min(num_thresholds, _MAX_THRESHOLDS)
    data = np.stack((tp, fp, tn, fn, precision, recall))
    return _pr_summary(tag, data, num_thresholds)


# ---- audio ---------------------------------------------------------------------------------

def audio(tag, sound, sample_rate=44100):
    """Mono 16-bit PCM WAV of ``sound`` (values in [-1, 1]; louder ones are clipped)."""
    samples = to_numpy(sound).squeeze()
    if abs(samples).max() > 1:
        print('warning: audio amplitude out of range, auto clipped.')
        samples = samples.clip(-1, 1)
    if samples.ndim != 1:
        raise AssertionError('input tensor should be 1 dimensional.')
    pcm = (samples * np.iinfo(np.int16).max).astype('<i2')
    buf = io.BytesIO()
    with wave.open(buf, 'wb') as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.data)
    encoded = pb.audio(sample_rate, 1, pcm.shape[-1], buf.getvalue(), 'audio/wav')
    return pb.summary(pb.summary_value(tag, audio=encoded))


# ---- custom scalars ------------------------------------------------------------------------

def custom_scalars(layout):
    """``layout``: {category: {chart title: ['Multiline' | 'Margin', tags]}}; a margin chart
    takes exactly three tags (value, lower, upper)."""
    categories = []
    for category, charts in layout.items():
        encoded = []
        for title, chart in charts.items():
            tags = chart[1]
            if chart[0] == 'Margin':
                if len(tags) != 3:
                    raise AssertionError('len(tags) != 3')
                encoded.append(pb.margin_chart(title, *tags))
            else:
                encoded.append(pb.multiline_chart(title, tags))
        categories.append((category, encoded))
    proto = pb.tensor(pb.DT_STRING, shape=[], string_val=[pb.layout(categories)])
    return pb.summary(pb.summary_value('custom_scalars__config__', tensor=proto,
                                       metadata=pb.summary_metadata('custom_scalars')))


# ---- meshes --------------------------------------------------------------------------------

def mesh(tag, vertices, colors, faces, config_dict):
    """One value per given part (vertices, faces, colors; each B x N x 3) tagged
    ``<tag>_VERTEX`` etc., all sharing the three.js ``config_dict`` as JSON."""
    from ... import as_tensor
    config = '{}' if config_dict is None else json.dumps(config_dict, sort_keys=True)
    parts = [(data, name, number) for (name, number), data
             in zip(_MESH_PARTS, (vertices, faces, colors)) if data is not None]
    components = 0
    for _, _, number in parts:
        components |= 1 << number
    values = []
    for data, name, number in parts:
        t = as_tensor(data)
        if len(t.shape) != 3:
            raise ValueError(f'Tensor shape should be of shape BxNx3, but got {t.shape}.')
        meta = pb.summary_metadata('mesh', pb.mesh_plugin_data(tag, number, config,
                                                               list(t.shape), components))
        proto = pb.tensor(pb.DT_FLOAT, shape=list(t.shape),
                          float_val=_host(t).reshape(-1).tolist())
        values.append(pb.summary_value(f'{tag}_{name}', tensor=proto, metadata=meta))
    return pb.summary(*values)
