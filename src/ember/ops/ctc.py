"""The connectionist temporal classification loss (``F.ctc_loss``, ``ember.ctc_loss``).

Each target sequence is widened with blanks (``_ l1 _ l2 _ ... _``); the forward variables
alpha and the backward variables beta run over that extended sequence in log space,
vectorised over the batch and the label positions, one Python step per time step.
The loss of a sample is ``-log p(target | input)``; an alignment that cannot exist gives
``inf`` (``zero_infinity=True`` turns those into 0 with a zero gradient).

As PyTorch, the gradient handed to ``log_probs`` is ``exp(log_probs) - posterior``: the
gradient with respect to the logits when ``log_probs`` is a ``log_softmax`` output (the
extra ``exp(log_probs)`` term vanishes through log_softmax's backward). PyTorch has no
double backward for it, and neither has ember: differentiating the gradient raises.
"""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ..amp import autocast_mode as _amp  # autocast hook
from ._op import Op, NotImplementedNode, apply
from ._promote import xp
from .compare import where
from .creation import tensor, zeros
from .losses import reduction_enum, dtype_name as _name

__all__ = ['ctc_loss']
METHODS = {}

_NEG = -np.inf
_WHERE = ' (while checking arguments for ctc_loss_allocate_outputs)'


def _shift(a, k, m):
    """``a`` moved k places to the right along the last axis, -inf coming in."""
    pad = m.full(a.shape[:-1] + (k,), _NEG, dtype=a.dtype)
    return m.concatenate([pad, a[..., :-k]], axis=-1) if a.shape[-1] > k else m.full_like(a, _NEG)


def _unshift(a, k, m):
    """``a`` moved k places to the left along the last axis, -inf coming in."""
    pad = m.full(a.shape[:-1] + (k,), _NEG, dtype=a.dtype)
    return m.concatenate([a[..., k:], pad], axis=-1) if a.shape[-1] > k else m.full_like(a, _NEG)


def _padded_targets(m, targets, tl, smax):
    """The targets as an (N, smax) int64 array, from padded (N, S) or concatenated 1-D form."""
    n = tl.shape[0]
    if smax == 0:
        return m.zeros((n, 0), dtype=np.int64)
    if targets.ndim == 2:
        return targets[:, :smax].astype(np.int64)
    pos = m.arange(smax)
    offsets = m.cumsum(tl) - tl
    valid = pos[None, :] < tl[:, None]
    idx = m.where(valid, offsets[:, None] + pos[None, :], 0)
    return m.where(valid, targets[idx], 0).astype(np.int64)


class CtcLossBackward0(Op):
    """Per-sample negative log likelihood of the targets (PyTorch's ``_ctc_loss``)."""
    saves = (0,)
    _free = ('alpha', 'nll', 'ext', 'skip', 'lens', 'lpe_used')

    def forward(self, lp, targets, input_lengths=(), target_lengths=(), blank=0, zero_infinity=False):
        m = xp(lp)
        T, N, _ = lp.shape
        il = m.asarray(np.asarray(input_lengths, dtype=np.int64))
        tl = m.asarray(np.asarray(target_lengths, dtype=np.int64))
        smax = max(target_lengths) if N else 0
        L = 2 * smax + 1
        labels = _padded_targets(m, targets, tl, smax)
        ext = m.full((N, L), blank, dtype=np.int64)          # _ l1 _ l2 _ ... _
        ext[:, 1::2] = labels
        pos = m.arange(L)
        used = pos[None, :] <= 2 * tl[:, None]                # positions of each sample's own sequence
        lpe = m.take_along_axis(lp, m.broadcast_to(ext[None], (T, N, L)), axis=2)
        lpe = m.where(used[None], lpe, _NEG)
        # a label may be reached from two places back unless it is blank or repeats that label
        skip = m.zeros((N, L), dtype=bool)
        if L > 2:
            skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        alpha = m.full((T, N, L), _NEG, dtype=lp.dtype)
        alpha[0] = m.where(pos[None, :] < 2, lpe[0], _NEG)
        for t in range(1, T):
            prev = alpha[t - 1]
            two = m.where(skip, _shift(prev, 2, m), _NEG)
            alpha[t] = np.logaddexp(np.logaddexp(prev, _shift(prev, 1, m)), two) + lpe[t]
        last = m.maximum(il - 1, 0)
        rows = m.arange(N)
        end = alpha[last, rows, 2 * tl]
        before = m.where(tl > 0, alpha[last, rows, m.maximum(2 * tl - 1, 0)], _NEG)
        ll = np.logaddexp(end, before)
        ll = m.where(il == 0, m.where(tl == 0, 0.0, _NEG), ll)    # no input: only the empty target fits
        nll = (-ll).astype(lp.dtype)
        self.alpha, self.nll, self.ext, self.skip = alpha, nll, ext, skip
        self.lens, self.lpe_used, self.blank, self.zero_infinity = (il, tl), used, blank, zero_infinity
        return nll

    def backward(self, g):
        lp, = self.saved_tensors
        return apply(CtcGrad, g, lp, node=self), None


class CtcGrad(NotImplementedNode):
    """The gradient of the CTC loss (PyTorch's ``_ctc_loss_backward``, which has no derivative)."""
    aten = '_ctc_loss_backward'

    def forward(self, g, lp, node):
        m = xp(lp)
        T, N, C = lp.shape
        il, tl = node.lens
        ext, skip, alpha, nll = node.ext, node.skip, node.alpha, node.nll
        L = ext.shape[1]
        lpe = m.take_along_axis(lp, m.broadcast_to(ext[None], (T, N, L)), axis=2)
        lpe = m.where(node.lpe_used[None], lpe, _NEG)
        pos = m.arange(L)
        finish = (pos[None, :] == 2 * tl[:, None]) | (pos[None, :] == 2 * tl[:, None] - 1)
        skip_from = _unshift(skip, 2, m).astype(bool)        # position s may jump to s + 2
        beta = m.full((T, N, L), _NEG, dtype=lp.dtype)
        nxt = m.full((N, L), _NEG, dtype=lp.dtype)
        for t in range(T - 1, -1, -1):
            two = m.where(skip_from, _unshift(nxt, 2, m), _NEG)
            rec = np.logaddexp(np.logaddexp(nxt, _unshift(nxt, 1, m)), two) + lpe[t]
            start = m.where(finish, lpe[t], _NEG)
            nxt = m.where((il - 1 == t)[:, None], start, rec)
            beta[t] = nxt
        ab = alpha + beta                                      # (T, N, L); -inf past each input length
        top = ab.max(axis=2, keepdims=True)
        top = m.where(m.isfinite(top), top, 0.0)
        onehot = (ext[:, :, None] == m.arange(C)[None, None, :]).astype(lp.dtype)   # (N, L, C)
        with np.errstate(divide='ignore', invalid='ignore', over='ignore'):
            mass = m.matmul(m.exp(ab - top).transpose(1, 0, 2), onehot).transpose(1, 0, 2)
            lcab = m.log(mass) + top                          # log sum of alpha*beta per class
            grad = m.exp(lp) - m.exp(lcab + nll[None, :, None] - lp)
        live = m.arange(T)[:, None] < il[None, :]            # (T, N): inside each input
        if node.zero_infinity:
            live = live & ~m.isinf(nll)[None, :]
        grad = m.where(live[:, :, None], grad * g.reshape(1, N, 1), 0.0)
        return grad.astype(lp.dtype, copy=False)


# ------------------------------------------------------------------ argument checks

def _type_error(args, kwargs=()):
    def kind(a):
        return 'Tensor' if isinstance(a, Tensor) else type(a).__name__
    got = ', '.join([kind(a) for a in args] + [f'{k}={kind(v)}' for k, v in dict(kwargs).items()])
    return TypeError(f'ctc_loss() received an invalid combination of arguments - got ({got}), but expected one of:\n'
                     ' * (Tensor log_probs, Tensor targets, tuple of ints input_lengths, tuple of ints '
                     'target_lengths, int blank = 0, int reduction = Mean, bool zero_infinity = False)\n'
                     ' * (Tensor log_probs, Tensor targets, Tensor input_lengths, Tensor target_lengths, '
                     'int blank = 0, int reduction = Mean, bool zero_infinity = False)\n')


def _lengths(input_lengths, target_lengths, args):
    """Both lengths as tuples of Python ints (tensors, or lists/tuples of ints)."""
    if isinstance(input_lengths, Tensor) and isinstance(target_lengths, Tensor):
        for what, t in (('input_lengths', input_lengths), ('target_lengths', target_lengths)):
            if t.dtype.np.kind not in 'iu':
                raise RuntimeError(f'{what} must be integral')
        return (tuple(int(v) for v in np.asarray(input_lengths._host()).reshape(-1)),
                tuple(int(v) for v in np.asarray(target_lengths._host()).reshape(-1)))
    ok = all(isinstance(x, (list, tuple)) and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                                                  for v in x) for x in (input_lengths, target_lengths))
    if not ok:
        raise _type_error(args)
    return tuple(int(v) for v in input_lengths), tuple(int(v) for v in target_lengths)


def _check(lp, targets, il, tl, blank):
    """PyTorch's argument checks, in its order and words."""
    if lp.dtype not in (_dtype.float32, _dtype.float64):
        raise NotImplementedError(f'"ctc_loss_cpu" not implemented for \'{_name(lp._data)}\'')
    if lp.numel() == 0:
        raise RuntimeError('log_probs tensor must not be empty')
    if lp.ndim != 3:
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {lp.ndim}-dimensional tensor for argument #1 "
                           f"'log_probs'{_WHERE}")
    if not 1 <= targets.ndim <= 2:
        raise RuntimeError(f"Expected 1 to 2 dimensions, but got {targets.ndim}-dimensional tensor for argument #2 "
                           f"'targets'{_WHERE}")
    _, n, c = lp.shape
    if not 0 <= blank < c:
        raise RuntimeError('blank must be in label range')
    if len(il) != n:
        raise RuntimeError('input_lengths must be of size batch_size')
    if len(tl) != n:
        raise RuntimeError('target_lengths must be of size batch_size')
    for v in tl:
        if v < 0:
            raise RuntimeError(f'Expected target_lengths to have value at least 0, but got value {v}{_WHERE}')
    if targets.ndim == 1:
        if targets.shape[0] != sum(tl):
            raise RuntimeError(f'Expected tensor to have size {sum(tl)} at dimension 0, but got size '
                               f"{targets.shape[0]} for argument #2 'targets'{_WHERE}")
    else:
        if targets.shape[0] != n:
            raise RuntimeError(f'Expected tensor to have size {n} at dimension 0, but got size '
                               f"{targets.shape[0]} for argument #2 'targets'{_WHERE}")
        longest = max(tl, default=0)
        if targets.shape[1] < longest:
            raise RuntimeError(f'Expected tensor to have size at least {longest} at dimension 1, but got size '
                               f"{targets.shape[1]} for argument #2 'targets'{_WHERE}")
    for v in il:
        if v < 0:
            raise RuntimeError(f'Expected input_lengths to have value at least 0, but got value {v}{_WHERE}')
        if v > lp.shape[0]:
            raise RuntimeError(f'Expected input_lengths to have value at most {lp.shape[0]}, but got value {v}{_WHERE}')


_ENUM = {0: 'none', 1: 'mean', 2: 'sum'}


def functional_ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction='mean',
                        zero_infinity=False):
    """Connectionist temporal classification loss.

    log_probs: (T, N, C) or unbatched (T, C) log-probabilities (usually ``log_softmax`` output);
    targets: padded (N, S) or all targets concatenated (sum(target_lengths),); input_lengths,
    target_lengths: one length per sample, as tensors or as lists/tuples of ints. ``reduction``
    'mean' divides each loss by its target length (at least 1) before taking the batch mean.
    (``ember.ctc_loss``, as ``torch.ctc_loss``, takes the enum number instead: 0 none, the
    default, 1 mean, 2 sum.)
    """
    if _amp.state.on and _amp.fp32('ctc_loss', log_probs):  # autocast hook (ember.amp)
        return _amp.call_fp32(functional_ctc_loss, log_probs, targets, input_lengths, target_lengths, blank, reduction,
                              zero_infinity)
    args = (log_probs, targets, input_lengths, target_lengths, blank, 0, zero_infinity)
    if not isinstance(reduction, str):
        raise ValueError(f'{reduction} is not a valid value for reduction')
    reduction = reduction_enum(reduction)
    if not isinstance(blank, int) or isinstance(blank, bool):
        raise _type_error(args)
    il, tl = _lengths(input_lengths, target_lengths, args)
    batched = log_probs.ndim == 3
    lp = log_probs if batched else log_probs.unsqueeze(1)
    _check(lp, targets, il, tl, blank)
    tg = targets.to(device=lp.device, dtype=_dtype.int64)
    res = apply(CtcLossBackward0, lp, tg, input_lengths=il, target_lengths=tl, blank=blank,
                zero_infinity=bool(zero_infinity))
    if zero_infinity:
        res = where(res == float('inf'), zeros((), dtype=res.dtype, device=res.device), res)
    if reduction == 'mean':
        div = tensor(list(tl), dtype=res.dtype, device=res.device).clamp_min(1)
        return (res / div).mean()
    if reduction == 'sum':
        return res.sum()
    return res if batched else res.squeeze(0)


functional_ctc_loss.__name__ = functional_ctc_loss.__qualname__ = 'ctc_loss'


_TOP_ARGS = ('log_probs', 'targets', 'input_lengths', 'target_lengths', 'blank', 'reduction', 'zero_infinity')


def ctc_loss(*args, **kwargs):
    """``ember.ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0,
    zero_infinity=False)``: the loss with ``reduction`` as PyTorch's enum number (1 mean, 2 sum,
    any other number none)."""
    given = dict(zip(_TOP_ARGS, args), **kwargs)
    reduction = given.get('reduction', 0)
    if len(args) < 4 or not isinstance(reduction, int) or isinstance(reduction, bool):
        raise _type_error(args, kwargs)
    return functional_ctc_loss(*(given[k] for k in _TOP_ARGS[:4]), given.get('blank', 0),
                               _ENUM.get(reduction, 'none'), given.get('zero_infinity', False))
