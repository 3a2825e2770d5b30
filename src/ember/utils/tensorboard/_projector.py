"""Files of TensorBoard's embedding projector (``add_embedding``): per embedding a directory
``<step:05d>/<tag>`` holding ``tensors.tsv`` (one row of features per point), optional
``metadata.tsv`` (labels) and ``sprite.png`` (thumbnails tiled in a square), and, for the
whole run, ``projector_config.pbtxt`` (a ProjectorConfig in protobuf text format)."""
import math
import os

import numpy as np

from ._summary import encode_png, make_grid, to_numpy


def encode_tag(tag):
    """The tag made safe as one directory name: '%', '/' and '\\' become %xx escapes."""
    return tag.replace('%', '%25').replace('/', '%2f').replace('\\', '%5c')


def metadata_tsv(metadata, header=None):
    """One label per line, or with ``header`` a header row and tab-separated columns."""
    if not header:
        lines = [str(x) for x in metadata]
    else:
        if len(header) != len(metadata[0]):
            raise AssertionError(
                'len of header must be equal to the number of columns in metadata')
        lines = ['\t'.join(str(e) for e in row) for row in [header] + metadata]
    return ('\n'.join(lines) + '\n').encode('utf-8')


def sprite_png(label_img):
    """The N x C x H x W thumbnails tiled ceil(sqrt(N)) per row on a black square canvas as
    wide as the grid (values in [0, 1])."""
    per_row = math.ceil(label_img.size(0) ** 0.5)
    grid = make_grid(to_numpy(label_img), ncols=per_row)
    side = grid.shape[2]
    square = np.zeros((side, side, 3))
    square[:grid.shape[1], :, :] = grid.transpose(1, 2, 0)
    return encode_png(np.uint8((square * 255).clip(0, 255)))


def tensors_tsv(mat):
    """Rows of ``mat`` as tab-separated Python reprs of its values."""
    return ''.join('\t'.join(str(v) for v in row) + '\n' for row in mat.tolist()).encode('utf-8')


def embedding_info(tag, step, subdir, metadata, label_img):
    """The fields of one ProjectorConfig.EmbeddingInfo, in field-number order."""
    info = [('tensor_name', f'{tag}:{str(step).zfill(5)}')]
    if metadata is not None:
        info.append(('metadata_path', os.path.join(subdir, 'metadata.tsv')))
    if label_img is not None:
        info.append(('sprite', [('image_path', os.path.join(subdir, 'sprite.png')),
                                ('single_image_dim', label_img.size(3)),
                                ('single_image_dim', label_img.size(2))]))
    info.append(('tensor_path', os.path.join(subdir, 'tensors.tsv')))
    return info


def _quote(text):
    """A protobuf text-format string literal (non-ASCII characters kept as they are)."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in '"\'\\':
            out.append('\\' + ch)
        elif ch in '\n\r\t':
            out.append({'\n': '\\n', '\r': '\\r', '\t': '\\t'}[ch])
        elif code < 32 or code == 127:
            out.append('\\%03o' % code)
        else:
            out.append(ch)
    return '"' + ''.join(out) + '"'


def _text_fields(fields, indent):
    lines = []
    pad = ' ' * indent
    for name, value in fields:
        if isinstance(value, list):
            lines.append(f'{pad}{name} {{\n{_text_fields(value, indent + 2)}{pad}}}\n')
        elif isinstance(value, str):
            lines.append(f'{pad}{name}: {_quote(value)}\n')
        else:
            lines.append(f'{pad}{name}: {int(value)}\n')
    return ''.join(lines)


def config_pbtxt(infos):
    """ProjectorConfig text with one ``embeddings`` block per info, in the order added."""
    return _text_fields([('embeddings', info) for info in infos], 0).encode('utf-8')
