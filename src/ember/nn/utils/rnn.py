"""Padded and packed sequences: pad_sequence, pack_padded_sequence, pad_packed_sequence,
pack_sequence, unpad_sequence, unpack_sequence and the PackedSequence record."""
import numbers
import operator
from collections import namedtuple

from ...ops.creation import as_tensor, tensor
from ...ops.ranges import arange
from ...ops.join import cat, stack
from ...ops.embedding import renamed_node
from ..._tensor import Tensor
from ..._dtype import dtype as _DType, float16, float32, float64, int8, int16, int32, int64, uint8


class PackedSequence(namedtuple('PackedSequence', ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])):
    """Time-major data of variable-length sequences: at step t, the first batch_sizes[t]
    sequences (sorted by decreasing length) contribute one row each."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = _invert(sorted_indices)
        if batch_sizes is None:             # PackedSequence((data, batch_sizes)), as PyTorch accepts
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError('Expected data to be a list or tuple of length 2')
            data, batch_sizes = data
        elif batch_sizes.device.type != 'cpu':
            raise ValueError('batch_sizes should always be on CPU. Instances of PackedSequence should never be '
                             'created manually. They should be instantiated by functions like pack_sequence and '
                             'pack_padded_sequences in nn.utils.rnn. '
                             'https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence')
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """Convert ``data`` as ``Tensor.to``; the indices follow it to its device (batch_sizes stay
        on the CPU). Returns ``self`` when nothing changes; no ``copy`` argument, as in PyTorch."""
        copy_pos = 2 if args and isinstance(args[0], (Tensor, _DType)) else 3
        if 'copy' in kwargs or len(args) > copy_pos:
            raise RuntimeError('.to() does not accept copy argument')
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = lambda t: None if t is None else t.to(data.device)  # noqa: E731
        return type(self)(data, self.batch_sizes, move(self.sorted_indices), move(self.unsorted_indices))

    def _to_device(self, kind, args, kwargs):
        probe = tensor((), dtype=self.data.dtype, device=self.data.device).to(*args, **kwargs)
        if probe.device.type != kind:
            kwargs['device'] = kind
        return self.to(*args, **kwargs)

    def cuda(self, *args, **kwargs):
        return self._to_device('cuda', args, kwargs)

    def cpu(self, *args, **kwargs):
        return self._to_device('cpu', args, kwargs)

    def pin_memory(self):
        pin = lambda t: None if t is None else t.pin_memory()  # noqa: E731
        return type(self)(self.data.pin_memory(), self.batch_sizes, pin(self.sorted_indices),
                          pin(self.unsorted_indices))

    def double(self):
        return self.to(dtype=float64)

    def float(self):
        return self.to(dtype=float32)

    def half(self):
        return self.to(dtype=float16)

    def long(self):
        return self.to(dtype=int64)

    def int(self):
        return self.to(dtype=int32)

    def short(self):
        return self.to(dtype=int16)

    def char(self):
        return self.to(dtype=int8)

    def byte(self):
        return self.to(dtype=uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return self.data.is_pinned()


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None stays None), on its device."""
    if permutation is None:
        return None
    return permutation.new_empty(permutation.shape).scatter_(
        0, permutation, arange(permutation.numel(), device=permutation.device))


_invert = invert_permutation


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    lengths = lengths.to(dtype=int64) if isinstance(lengths, Tensor) else \
        as_tensor(lengths, dtype=int64, device='cpu')
    sorted_indices = None
    if not enforce_sorted:          # sort the batch by decreasing length first (stable on ties)
        lengths, sorted_indices = lengths.sort(descending=True, stable=True)
        sorted_indices = sorted_indices.to(input.device)
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    data, batch_sizes = _pack(input, lengths, batch_first)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def _pack(input, lengths, batch_first):
    """The packed data and batch sizes of a batch sorted by decreasing length, checked in PyTorch's order."""
    if batch_first:
        input = input.transpose(0, 1)
    if input.numel() == 0:
        raise RuntimeError('Cannot pack empty tensors.')
    if lengths.dim() != 1 or lengths.device.type != 'cpu':
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f'{lengths.dim()}D {lengths.device} Long tensor')
    batch = input.size(1)
    lens = [int(v) for v in lengths.tolist()]
    if len(lens) != batch:
        raise RuntimeError(f'Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} '
                           f'(batch_size={batch})')
    if lens[-1] <= 0:
        raise RuntimeError('Length of all samples has to be greater than 0, but found an element in '
                           "'lengths' that is <= 0")
    if any(a < b for a, b in zip(lens, lens[1:])):
        raise RuntimeError('`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. '
                           'You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence '
                           'to sidestep this requirement if you do not need ONNX exportability.')
    batch_sizes = [sum(1 for n in lens if n > t) for t in range(lens[0])]
    data = renamed_node(cat([input[t, :b] for t, b in enumerate(batch_sizes)]), 'PackPaddedSequenceBackward0')
    # batch_sizes live on the CPU whatever the data's device, as in PyTorch
    return data, tensor(batch_sizes, device='cpu')


def _number(fn, name, pos, value, kind):
    """``value`` parsed as PyTorch parses a ``kind`` ('float', 'Number' or 'int') argument of ``fn``:
    Python / NumPy numbers, or (for 'float' / 'Number') a 0-dim Tensor that needs no grad."""
    if kind == 'int':
        try:
            return operator.index(value)
        except TypeError:
            pass
    elif isinstance(value, Tensor):
        if value.dim() == 0 and not (kind == 'float' and value.requires_grad):
            value = value.item()
            if isinstance(value, complex):
                if value.imag:
                    raise RuntimeError(f'value cannot be converted to type {"double" if kind == "float" else "float"} '
                                       'without overflow')
                value = value.real
            return value
    elif isinstance(value, numbers.Real if kind == 'float' else numbers.Number):
        return value
    raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be {kind}, not {type(value).__name__}")


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    data, batch_sizes = sequence.data, [int(b) for b in sequence.batch_sizes.tolist()]
    n = batch_sizes[0] if batch_sizes else 0
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError('Expected total_length to be at least the length of the longest sequence in input, '
                             f'but got total_length={total_length} and max sequence length being {steps}')
    padding_value = _number('_pad_packed_sequence', 'padding_value', 4, padding_value, 'Number')
    if total_length is not None:
        steps = _number('_pad_packed_sequence', 'total_length', 5, total_length, 'int')
    rows, off = [], 0
    for b in batch_sizes:
        piece = data[off:off + b]
        if b < n:
            piece = cat([piece, piece.new_full((n - b,) + tuple(data.shape[1:]), padding_value)])
        rows.append(piece)
        off += b
    for _ in range(steps - len(batch_sizes)):
        rows.append(data.new_full((n,) + tuple(data.shape[1:]), padding_value))
    padded = stack(rows)
    lengths = [sum(1 for b in batch_sizes if b > i) for i in range(n)]
    lengths = tensor(lengths, device='cpu')
    if batch_first:
        padded = padded.transpose(0, 1)
    if sequence.unsorted_indices is not None:      # as PyTorch: transpose first, then reorder the batch
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = lengths[sequence.unsorted_indices.cpu()]
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side='right'):
    """Stack sequences of different lengths (dim 0) into one tensor of the first one's dtype, filled
    with ``padding_value`` on the ``padding_side``; (L, B, *), or (B, L, *) with ``batch_first``."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    elif not hasattr(sequences, '__iter__'):
        raise RuntimeError('pad_sequence: Expected iterable for input sequences, but got arg of type: '
                           f'{type(sequences)}')
    seqs = tuple(sequences)
    for i, s in enumerate(seqs):
        if not isinstance(s, Tensor):
            raise TypeError(f'expected Tensor as element {i} in argument 0, but got {type(s).__name__}')
    padding_value = _number('pad_sequence', 'padding_value', 3, padding_value, 'float')
    if not isinstance(padding_side, str):
        raise TypeError("pad_sequence(): argument 'padding_side' (position 4) must be str, not "
                        f'{type(padding_side).__name__}')
    if not seqs:
        raise RuntimeError('received an empty list of sequences')
    if padding_side not in ('left', 'right'):
        raise RuntimeError(f'Expected padding_side to be one of left or right, but got {padding_side}.')
    if seqs[0].dim() == 0:              # PyTorch's kernel slices the first one's trailing sizes
        raise RuntimeError('ArrayRef: invalid slice, N = 1; size = 0')
    for s in seqs:
        if s.dim() == 0:
            raise IndexError('Dimension specified as 0 but tensor has no dimensions')
    longest = max(s.shape[0] for s in seqs)
    trailing = tuple(seqs[0].shape[1:])
    for s in seqs:
        _check_copy((s.shape[0],) + trailing, tuple(s.shape))
    n = len(seqs)
    out = seqs[0].new_full((n, longest) + trailing if batch_first else (longest, n) + trailing, padding_value)
    for i, s in enumerate(seqs):        # each sequence copied into its slot (CopySlices, as PyTorch)
        steps = slice(0, s.shape[0]) if padding_side == 'right' else slice(longest - s.shape[0], longest)
        if batch_first:
            out[i, steps] = s
        else:
            out[steps, i] = s
    return out


def _check_copy(dst, src):
    """PyTorch's copy_ errors for copying a tensor of shape ``src`` into one of shape ``dst``."""
    nd = max(len(dst), len(src))
    a, b = (1,) * (nd - len(dst)) + dst, (1,) * (nd - len(src)) + src
    for k in range(nd):
        if a[k] != b[k] and a[k] != 1 and b[k] != 1:
            raise RuntimeError(f'The size of tensor a ({a[k]}) must match the size of tensor b ({b[k]}) at '
                               f'non-singleton dimension {k}')
    full = [max(x, y) if min(x, y) else 0 for x, y in zip(a, b)]
    if tuple(full) != dst:
        raise RuntimeError(f"output with shape {list(dst)} doesn't match the broadcast shape {full}")


def pack_sequence(sequences, enforce_sorted=True):
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The sequences of a padded batch, each cut to its length (by a mask: IndexBackward0, as PyTorch).
    Unlike PyTorch, a time-major ``padded_sequences`` is not transposed in place."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    if not isinstance(lengths, Tensor):         # PyTorch moves ``lengths`` to the data's device
        raise AttributeError(f"'{type(lengths).__name__}' object has no attribute 'device'")
    steps = arange(padded_sequences.shape[1], device=padded_sequences.device)
    return [seq[steps < n] for seq, n in zip(padded_sequences, lengths.tolist())]


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
