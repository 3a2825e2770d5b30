"""Builders for encoded ``tensorboard.Summary`` messages: scalars, histograms, images, text,
hparams. Inputs may be ember tensors (any device), NumPy arrays or Python/NumPy scalars."""
import struct
import zlib

import numpy as np

from . import _proto as pb

_HPARAMS_PLUGIN = 'hparams'
_HPARAM_TYPES = {'str': 1, 'float': 3}     # tensorboard.hparams.DataType (2 = bool: unused)
_STATUS_SUCCESS = 1


def to_numpy(x):
    """NumPy view of a value the writer accepts (torch's rules: arrays pass through, a scalar
    becomes a 1-element array, tensors are detached and copied to the host)."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    from ... import Tensor, bfloat16, float16
    if isinstance(x, Tensor):
        if x.dtype == bfloat16:                       # NumPy has no bfloat16
            x = x.to(float16)
        return x.detach().cpu().numpy()
    raise NotImplementedError(
        f'Got {type(x)}, but numpy array or torch tensor are expected.')


def default_bins():
    """The 'tensorflow' bucket edges: +-1e-12 growing by 1.1 up to 1e20, with 0 between."""
    edges = []
    edge = 1e-12
    while edge < 1e20:
        edges.append(edge)
        edge *= 1.1
    return [-e for e in reversed(edges)] + [0] + edges


# ---- scalars and text ----------------------------------------------------------------------

def scalar(tag, value, new_style=False, double_precision=False):
    arr = to_numpy(value).squeeze()
    if arr.ndim != 0:
        raise AssertionError(
            f'Tensor should contain one element (0 dimensions).             '
            f'Was given size: {arr.size} and {arr.ndim} dimensions.')
    number = float(arr)
    if not new_style:
        return pb.summary(pb.summary_value(tag, simple_value=number))
    if double_precision:
        tensor = pb.tensor(pb.DT_DOUBLE, double_val=[number])
    else:
        tensor = pb.tensor(pb.DT_FLOAT, float_val=[number])
    return pb.summary(pb.summary_value(tag, tensor=tensor,
                                       metadata=pb.summary_metadata('scalars')))


def text(tag, string):
    tensor = pb.tensor(pb.DT_STRING, shape=[1], string_val=[string.encode('utf-8')])
    # TextPluginData(version=0) serialises to nothing.
    return pb.summary(pb.summary_value(tag + '/text_summary', tensor=tensor,
                                       metadata=pb.summary_metadata('text')))


# ---- histograms ----------------------------------------------------------------------------

def histogram_raw(tag, vmin, vmax, num, total, sum_squares, bucket_limits, bucket_counts):
    def flat(seq):
        if not isinstance(seq, (list, tuple)):
            seq = to_numpy(seq)
        return np.asarray(seq, dtype=float).reshape(-1).tolist()
    histo = pb.histogram(float(vmin), float(vmax), float(num), float(total), float(sum_squares),
                         flat(bucket_limits), flat(bucket_counts))
    return pb.summary(pb.summary_value(tag, histo=histo))


def histogram(tag, values, bins, max_bins=None):
    values = to_numpy(values).astype(float)
    if values.size == 0:
        raise ValueError('The input has no element.')
    values = values.reshape(-1)
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        # Merge groups of ``step`` neighbouring bins (zero-padding the last group).
        step = len(counts) // max_bins
        short = len(counts) % step
        if short:
            counts = np.concatenate([counts, np.zeros(step - short, counts.dtype)])
        counts = counts.reshape(-1, step).sum(axis=-1)
        limits = np.concatenate([limits[:-1:step], limits[-1:]])
    # Keep the bins from the first to the last non-empty one. TensorBoard stores only right
    # edges, so one extra bin on the left carries the support's left edge (an empty one is
    # invented when the first bin is already non-empty).
    nonzero = np.flatnonzero(counts > 0)
    if nonzero.size:
        start, end = int(nonzero[0]), int(nonzero[-1]) + 1
    else:                          # nothing fell in any bin: reported as an error below
        start, end = len(counts), 1
    if start > 0:
        counts = counts[start - 1:end]
    else:
        counts = np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    if counts.size == 0 or limits.size == 0:
        raise ValueError('The histogram is empty, please file a bug report.')
    histo = pb.histogram(values.min(), values.max(), len(values), values.sum(),
                         values.dot(values), limits.tolist(), counts.tolist())
    return pb.summary(pb.summary_value(tag, histo=histo))


# ---- images --------------------------------------------------------------------------------

def make_grid(batch, ncols=8):
    """Tile an N x C x H x W batch (C of 1 or 3) into one 3 x H*rows x W*cols canvas."""
    if batch.shape[1] == 1:
        batch = np.concatenate([batch, batch, batch], 1)
    if batch.ndim != 4 or batch.shape[1] != 3:
        raise AssertionError('Input should be a 4D numpy array with 3 channels')
    n, _, h, w = batch.shape
    ncols = min(n, ncols)
    nrows = int(np.ceil(float(n) / ncols))
    canvas = np.zeros((3, h * nrows, w * ncols), dtype=batch.dtype)
    for i in range(n):
        row, col = divmod(i, ncols)
        canvas[:, row * h:(row + 1) * h, col * w:(col + 1) * w] = batch[i]
    return canvas


def to_hwc(arr, dataformats):
    """Reorder ``arr`` laid out as ``dataformats`` (e.g. 'CHW', 'NHWC', 'HW') into H x W x C."""
    if len(set(dataformats)) != len(dataformats):
        raise AssertionError(
            f'You can not use the same dimension shorthand twice.             '
            f'input_format: {dataformats}')
    if arr.ndim != len(dataformats):
        raise AssertionError(
            f'size of input tensor and input format are different.         '
            f'tensor shape: {arr.shape}, input_format: {dataformats}')
    fmt = dataformats.upper()
    if len(fmt) == 4:
        return make_grid(arr.transpose([fmt.find(c) for c in 'NCHW'])).transpose(1, 2, 0)
    if len(fmt) == 3:
        hwc = arr.transpose([fmt.find(c) for c in 'HWC'])
        if hwc.shape[2] == 1:
            hwc = np.concatenate([hwc, hwc, hwc], 2)
        return hwc
    if len(fmt) == 2:
        hw = arr.transpose([fmt.find(c) for c in 'HW'])
        return np.stack([hw, hw, hw], 2)
    raise ValueError(f'dataformats should have 2, 3 or 4 letters (HW, CHW, NCHW, ...), '
                     f'got {dataformats!r}')


_PNG_COLOR_TYPES = {1: 0, 2: 4, 3: 2, 4: 6}      # grey, grey+alpha, RGB, RGBA


def _png_chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data
            + struct.pack('>I', zlib.crc32(kind + data) & 0xFFFFFFFF))


def encode_png(hwc):
    """PNG bytes of an H x W x C uint8 array (C in 1..4), 8 bits per sample, no filtering."""
    h, w, c = hwc.shape
    if c not in _PNG_COLOR_TYPES:
        raise TypeError(f'Cannot handle this data type: (1, 1, {c}), |u1')
    rows = np.ascontiguousarray(hwc, dtype=np.uint8).reshape(h, w * c)
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rows], axis=1).tobytes()
    header = struct.pack('>IIBBBBB', w, h, 8, _PNG_COLOR_TYPES[c], 0, 0, 0)
    return (b'\x89PNG\r\n\x1a\n' + _png_chunk(b'IHDR', header)
            + _png_chunk(b'IDAT', zlib.compress(raw, 6)) + _png_chunk(b'IEND', b''))


def image(tag, img, dataformats='NCHW'):
    arr = to_hwc(to_numpy(img), dataformats)
    scale = 1 if arr.dtype == np.uint8 else 255      # uint8 as is, anything else from [0, 1]
    arr = (arr.astype(np.float32) * scale).clip(0, 255).astype(np.uint8)
    h, w, c = arr.shape
    png = encode_png(arr)
    return pb.summary(pb.summary_value(tag, image=pb.image(h, w, c, png)))


def figure_to_chw(figure, close=True):
    """Render a matplotlib figure with the Agg canvas; returns its RGB pixels as C x H x W."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    w, h = figure.canvas.get_width_height()
    rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(h, w, 4)
    if close:
        plt.close(figure)
    return np.moveaxis(rgba[:, :, :3], 2, 0)


# ---- hparams -------------------------------------------------------------------------------

def _plugin_value(tag, content):
    meta = pb.summary_metadata(_HPARAMS_PLUGIN, content)
    return pb.summary(pb.summary_value(tag, metadata=meta))


def hparams(hparam_dict, metric_dict, hparam_domain_discrete=None):
    """The experiment, session-start and session-end summaries of the hparams plugin."""
    if not isinstance(hparam_dict, dict):
        raise TypeError('parameter: hparam_dict should be a dictionary, nothing logged.')
    if not isinstance(metric_dict, dict):
        raise TypeError('parameter: metric_dict should be a dictionary, nothing logged.')
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError(
            'parameter: hparam_domain_discrete should be a dictionary, nothing logged.')
    for k, v in domains.items():
        if (k not in hparam_dict or not isinstance(v, list)
                or not all(isinstance(d, type(hparam_dict[k])) for d in v)):
            raise TypeError(f'parameter: hparam_domain_discrete[{k}] should be a list of '
                            f'same type as hparam_dict[{k}].')
    from ... import Tensor
    infos, start = [], []
    for k, v in hparam_dict.items():
        if v is None:
            continue
        # bools are ints, so they are logged as numbers (as torch does).
        domain = domains.get(k)
        if isinstance(v, (int, float)):
            kind, value = 'float', float(v)
        elif isinstance(v, str):
            kind, value = 'str', v
        elif isinstance(v, Tensor):                  # no discrete domain for tensor values
            kind, value, domain = 'float', float(to_numpy(v)[0]), None
        else:
            raise ValueError('value should be one of int, float, str, bool, or torch.Tensor')
        start.append((k, value))
        if domain is not None and kind == 'float':
            domain = [float(d) for d in domain]
        infos.append(pb.hparam_info(k, _HPARAM_TYPES[kind], domain))
    ssi = _plugin_value('_hparams_/session_start_info',
                        pb.hparams_plugin_data(session_start_info=pb.session_start_info(start)))
    exp = _plugin_value('_hparams_/experiment',
                        pb.hparams_plugin_data(experiment=pb.experiment(infos, list(metric_dict))))
    sei = _plugin_value('_hparams_/session_end_info',
                        pb.hparams_plugin_data(session_end_info=pb.session_end_info(_STATUS_SUCCESS)))
    return exp, ssi, sei
