"""Padded and packed sequences: pad_sequence, pack_padded_sequence, pad_packed_sequence,
pack_sequence, unpad_sequence, unpack_sequence and the PackedSequence record."""
from collections import namedtuple

from ...ops.creation import tensor
from ...ops.ranges import arange
from ...ops.join import cat, stack
from ..._tensor import Tensor


class PackedSequence(namedtuple('PackedSequence', ['data', 'batch_sizes', 'sorted_indices', 'unsorted_indices'])):
    """Time-major data of variable-length sequences: at step t, the first batch_sizes[t]
    sequences (sorted by decreasing length) contribute one row each."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = _invert(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                          self.unsorted_indices)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    """The inverse of a permutation tensor (None stays None), on its device."""
    if permutation is None:
        return None
    return permutation.new_empty(permutation.shape).scatter_(
        0, permutation, arange(permutation.numel(), device=permutation.device))


_invert = invert_permutation


def _lengths(lengths):
    if isinstance(lengths, Tensor):
        return [int(v) for v in lengths.tolist()]
    return [int(v) for v in lengths]


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    lens = _lengths(lengths)
    if enforce_sorted:
        if any(a < b for a, b in zip(lens, lens[1:])):
            raise RuntimeError('`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. '
                               'You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence '
                               'to sidestep this requirement if you do not need ONNX exportability.')
        sorted_indices = None
        order = list(range(len(lens)))
    else:
        order = sorted(range(len(lens)), key=lambda i: -lens[i])
        sorted_indices = tensor(order, device=input.device)
    if batch_first:
        input = input.transpose(0, 1)
    if sorted_indices is not None:
        input = input.index_select(1, sorted_indices)
    slens = [lens[i] for i in order]
    if slens and slens[-1] <= 0:
        raise RuntimeError('Length of all samples has to be greater than 0, but found an element in '
                           "'lengths' that is <= 0")
    batch_sizes = [sum(1 for n in slens if n > t) for t in range(slens[0] if slens else 0)]
    data = cat([input[t, :b] for t, b in enumerate(batch_sizes)])
    # batch_sizes live on the CPU whatever the data's device, as in PyTorch
    return PackedSequence(data, tensor(batch_sizes, device='cpu'), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    data, batch_sizes = sequence.data, [int(b) for b in sequence.batch_sizes.tolist()]
    n = batch_sizes[0] if batch_sizes else 0
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError('Expected total_length to be at least the length of the longest sequence in input, '
                             f'but got total_length={total_length} and max sequence length being {steps}')
        steps = total_length
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
    if padding_side not in ('left', 'right'):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    longest = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        extra = longest - s.shape[0]
        if extra:
            fill = s.new_full((extra,) + tuple(s.shape[1:]), padding_value)
            s = cat([s, fill]) if padding_side == 'right' else cat([fill, s])
        rows.append(s)
    out = stack(rows, 0)
    return out if batch_first else out.transpose(0, 1)


def pack_sequence(sequences, enforce_sorted=True):
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:n] for seq, n in zip(padded_sequences, _lengths(lengths))]


def unpack_sequence(packed_sequences):
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
