"""Hand-written protobuf wire encoding of the TensorBoard messages ember writes.

Only encoding is needed. Fields are written in field-number order and proto3 defaults
(0, 0.0, empty string/bytes) are left out, exactly as the protobuf library serialises them;
members of a ``oneof`` are always written (presence is tracked for them). Each builder takes
already-encoded sub-messages as bytes.

Messages (tensorboard/compat/proto): Event, SourceMetadata, SessionLog, Summary,
Summary.Value, Summary.Image, Summary.Audio, HistogramProto, SummaryMetadata(.PluginData),
TensorProto, TensorShapeProto; the hparams plugin's HParamsPluginData, Experiment, HParamInfo,
MetricInfo, SessionStartInfo, SessionEndInfo; google.protobuf.Value / ListValue; the
pr_curves, mesh and custom_scalars plugins' PrCurvePluginData, MeshPluginData, Layout,
Category, Chart, MultilineChartContent, MarginChartContent(.Series).
"""
import struct

import numpy as np

_VARINT, _I64, _LEN, _I32 = 0, 1, 2, 5

DT_FLOAT, DT_DOUBLE, DT_STRING = 1, 2, 7
SESSION_START = 1


def _varint(value):
    value = int(value)
    if value < 0:
        value += 1 << 64              # int64/int32/enum negatives: ten-byte two's complement
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _key(number, wire):
    return _varint((number << 3) | wire)


def varint(number, value, keep=False):
    """An int64/int32/enum/bool field."""
    value = int(value)
    if value == 0 and not keep:
        return b''
    return _key(number, _VARINT) + _varint(value)


def double(number, value, keep=False):
    raw = struct.pack('<d', float(value))
    if not keep and raw == b'\0' * 8:
        return b''
    return _key(number, _I64) + raw


def _f32_bytes(values):
    """Little-endian float32 bytes; out-of-range doubles round to +-inf as protobuf does."""
    with np.errstate(over='ignore'):
        return np.asarray(values, dtype=np.float64).astype('<f4').tobytes()


def float32(number, value, keep=False):
    raw = _f32_bytes(float(value))
    if not keep and raw == b'\0' * 4:
        return b''
    return _key(number, _I32) + raw


def blob(number, data, keep=False):
    """A bytes, string (str is UTF-8 encoded) or embedded-message field."""
    if isinstance(data, str):
        data = data.encode('utf-8')
    if not data and not keep:
        return b''
    return _key(number, _LEN) + _varint(len(data)) + bytes(data)


def packed_doubles(number, values):
    values = [float(v) for v in values]
    if not values:
        return b''
    return blob(number, struct.pack('<%dd' % len(values), *values))


def packed_varints(number, values):
    """A packed repeated int32/int64/uint32/bool field (negatives as ten-byte varints)."""
    values = list(values)
    if not values:
        return b''
    return blob(number, b''.join(_varint(v) for v in values))


def packed_floats(number, values):
    values = [float(v) for v in values]
    if not values:
        return b''
    return blob(number, _f32_bytes(values))


def messages(*fields):
    """The given (number, encoded message) fields in order, leaving out those that are None."""
    return b''.join(blob(n, m, keep=True) for n, m in fields if m is not None)


# ---- tensorboard.Event and friends -----------------------------------------------------

def event(wall_time, step=None, file_version=None, summary=None, session_log=None,
          source_writer=None):
    out = double(1, wall_time)
    if step is not None:
        out += varint(2, step)
    return out + messages((3, file_version), (5, summary), (7, session_log),
                          (10, None if source_writer is None else blob(1, source_writer)))


def session_log(status):
    return varint(1, status)


def summary(*values):
    """tensorboard.Summary from encoded Summary.Value messages."""
    return b''.join(blob(1, v, keep=True) for v in values)


def summary_value(tag, simple_value=None, image=None, histo=None, tensor=None, metadata=None,
                  audio=None):
    out = blob(1, tag)
    if simple_value is not None:
        out += float32(2, simple_value, keep=True)
    return out + messages((4, image), (5, histo), (6, audio), (8, tensor), (9, metadata))


def summary_metadata(plugin_name, content=b''):
    return blob(1, blob(1, plugin_name) + blob(2, content), keep=True)


def image(height, width, colorspace, png):
    return varint(1, height) + varint(2, width) + varint(3, colorspace) + blob(4, png)


def audio(sample_rate, num_channels, length_frames, wav, content_type):
    return (float32(1, sample_rate) + varint(2, num_channels) + varint(3, length_frames)
            + blob(4, wav) + blob(5, content_type))


def histogram(vmin, vmax, num, total, sum_squares, bucket_limit, bucket):
    return (double(1, vmin) + double(2, vmax) + double(3, num) + double(4, total)
            + double(5, sum_squares) + packed_doubles(6, bucket_limit) + packed_doubles(7, bucket))


def tensor_shape(dims):
    return b''.join(blob(2, varint(1, d), keep=True) for d in dims)


def tensor(dtype, shape=None, float_val=None, double_val=None, string_val=None):
    out = varint(1, dtype)
    if shape is not None:
        out += blob(2, tensor_shape(shape), keep=True)
    if float_val is not None:
        out += packed_floats(5, float_val)
    if double_val is not None:
        out += packed_doubles(6, double_val)
    if string_val is not None:
        out += b''.join(blob(8, s, keep=True) for s in string_val)
    return out


# TensorProto value fields by wire kind: (field number, encoder of a flat list).
TENSOR_FIELDS = {
    'half_val': (13, packed_varints), 'float_val': (5, packed_floats),
    'double_val': (6, packed_doubles), 'int_val': (7, packed_varints),
    'scomplex_val': (9, packed_floats), 'int64_val': (10, packed_varints),
    'bool_val': (11, packed_varints), 'dcomplex_val': (12, packed_doubles),
    'uint32_val': (16, packed_varints),
}


def tensor_values(dtype, shape, field, values):
    """TensorProto with ``values`` (a flat list) in the named repeated field."""
    number, encode = TENSOR_FIELDS[field]
    return varint(1, dtype) + blob(2, tensor_shape(shape), keep=True) + encode(number, values)


# ---- pr_curves, mesh and custom_scalars plugins ------------------------------------------

def pr_curve_plugin_data(num_thresholds):
    """PrCurvePluginData with version 0 (left out)."""
    return varint(2, num_thresholds)


def mesh_plugin_data(name, content_type, json_config, shape, components):
    """MeshPluginData with version 0 (left out)."""
    return (blob(2, name) + varint(3, content_type) + blob(5, json_config)
            + packed_varints(6, shape) + varint(7, components))


def multiline_chart(title, tags):
    return blob(1, title) + blob(2, b''.join(blob(1, t, keep=True) for t in tags), keep=True)


def margin_chart(title, value, lower, upper):
    series = blob(1, value) + blob(2, lower) + blob(3, upper)
    return blob(1, title) + blob(3, blob(1, series, keep=True), keep=True)


def layout(categories):
    """Layout (version 0) from (title, [encoded Chart, ...]) pairs; ``closed`` is false."""
    return b''.join(blob(2, blob(1, title) + b''.join(blob(2, c, keep=True) for c in charts),
                         keep=True)
                    for title, charts in categories)


# ---- hparams plugin ---------------------------------------------------------------------

def struct_value(value):
    """google.protobuf.Value for a float, str or bool (the kinds hparams uses)."""
    if isinstance(value, str):
        return blob(3, value, keep=True)
    if isinstance(value, bool):
        return varint(4, value, keep=True)
    return double(2, value, keep=True)


def list_value(values):
    return b''.join(blob(1, struct_value(v), keep=True) for v in values)


def hparam_info(name, dtype, domain_discrete=None):
    out = blob(1, name) + varint(4, dtype)
    if domain_discrete is not None:
        out += blob(5, list_value(domain_discrete), keep=True)
    return out


def experiment(hparam_infos, metric_tags):
    metrics = (blob(1, blob(2, tag), keep=True) for tag in metric_tags)     # MetricInfo.name
    return (b''.join(blob(4, h, keep=True) for h in hparam_infos)
            + b''.join(blob(5, m, keep=True) for m in metrics))


def session_start_info(hparams):
    """``hparams``: (name, python value) pairs; written as map<string, Value> entries."""
    entries = (blob(1, k, keep=True) + blob(2, struct_value(v), keep=True) for k, v in hparams)
    return b''.join(blob(1, e, keep=True) for e in entries)


def session_end_info(status):
    return varint(1, status)


def hparams_plugin_data(experiment=None, session_start_info=None, session_end_info=None):
    """HParamsPluginData with version 0 (left out, being the default)."""
    return messages((2, experiment), (3, session_start_info), (4, session_end_info))
