"""einsum, tensordot and kron, composed of existing ops (diagonal, permute, sum, mul, bmm, view) in the order
PyTorch composes it, so values, views, strides and grad_fn names match and backward (and
double backward) come with the parts."""

import math
from math import prod as _prod

from ..amp import autocast_mode as _amp  # autocast hook
from .matmul import bmm, mm, dot
from .shape import wrap_dim, UnsafeViewBackward0
from ._op import apply
from .._tensor import Tensor
from .argcheck import need_tensors

__all__ = ['einsum']


_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'     # the labels, codes 0..51
_ELL = 52                                                             # the code of '...'


def _code(ch, pos):
    if _LETTERS.find(ch) < 0:
        raise RuntimeError(f'einsum(): invalid subscript given at index {pos} in the equation string, subscripts '
                           'must be in [a-zA-Z]')
    return _LETTERS.find(ch)


def _scan(text, offset, who, dup_tail):
    """Label codes of one operand's (or the output's) subscripts; '...' is _ELL."""
    codes, i = [], 0
    while i < len(text):
        if text[i] == '.':
            if _ELL in codes:
                raise RuntimeError(f"einsum(): found '.' for {who}{dup_tail}")
            if text[i:i + 3] != '...':
                raise RuntimeError(f"einsum(): found '.' for {who} that is not part of any ellipsis"
                                   + (' (...)' if who == 'output' else ''))
            codes.append(_ELL)
            i += 3
            continue
        if text[i] != ' ':
            codes.append(_code(text[i], offset + i))
        i += 1
    return codes


def _einsum_args(args):
    """(equation, operands) from the call forms (eq, *ops), (eq, [ops]) and (op, sublist, ..., [out])."""
    eq, ops = None, []
    if args and isinstance(args[0], str):
        eq, ops = args[0], list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
    elif args:
        n = len(args) // 2
        def fmt(sub): return ''.join('...' if s is Ellipsis else _LETTERS[s] for s in sub)  # noqa: E306
        ops = list(args[0:2 * n:2])
        eq = ','.join(fmt(sub) for sub in args[1:2 * n:2]) + ('->' + fmt(args[-1]) if len(args) % 2 else '')
    if not ops:
        raise ValueError('einsum(): must specify the equation string and at least one operand, or at least one '
                         'operand and its subscripts list')
    return eq, ops


def einsum(*args):
    """Einstein summation, as PyTorch computes it: every operand is permuted (diagonals taken for
    repeated labels, size-1 dims added) to the order (output dims, contracted dims), then the
    operands are contracted pairwise from the left with bmm."""
    eq, operands = _einsum_args(args)
    lhs, arrow, rhs = eq.partition('->')
    parts, labels, pos = lhs.split(','), [], 0
    for k, part in enumerate(parts):
        if k >= len(operands):
            raise RuntimeError('einsum(): fewer operands were provided than specified in the equation')
        labels.append(_scan(part, pos, f'operand {k}', ' for which an ellipsis was already found'))
        pos += len(part) + 1
    if len(parts) < len(operands):
        raise RuntimeError('einsum(): more operands were provided than specified in the equation')
    count, ell_dims = [0] * _ELL, 0
    for k, (op, labs) in enumerate(zip(operands, labels)):
        named = [lab for lab in labs if lab != _ELL]
        for lab in named:
            count[lab] += 1
        ell = len(named) < len(labs)
        ell_dims = max(ell_dims, op.ndim - len(named)) if ell else ell_dims
        if len(named) > op.ndim if ell else len(named) != op.ndim:
            raise RuntimeError(f'einsum(): the number of subscripts in the equation ({len(named)}) '
                               f'{"is more than" if ell else "does not match"} the number of dimensions '
                               f'({op.ndim}) for operand {k}{"" if ell else " and no ellipsis was given"}')
    # index[label]: its dim in the common order; the ellipsis dims start at ell_index
    index, perm, ell_index = [-1] * _ELL, 0, None
    if not arrow:                      # implicit output: the ellipsis, then labels seen once, sorted
        ell_index, perm = 0, ell_dims
        for lab in range(_ELL):
            if count[lab] == 1:
                index[lab], perm = perm, perm + 1
    for lab in (_scan(rhs, len(lhs) + 2, 'output', ' but an ellipsis (...) was already found') if arrow else ()):
        if lab == _ELL:
            ell_index, perm = perm, perm + ell_dims
            continue
        if count[lab] == 0 or index[lab] != -1:
            raise RuntimeError(f'einsum(): output subscript {_LETTERS[lab]} ' + (
                'appears more than once in the output' if index[lab] > -1
                else 'does not appear in the equation for any input operand'))
        index[lab], perm = perm, perm + 1
    out_dims = perm
    if ell_index is None:
        ell_index, perm = perm, perm + ell_dims
    for lab in range(_ELL):
        if count[lab] and index[lab] == -1:
            index[lab], perm = perm, perm + 1
    ops, counts = _align(operands, labels, index, perm, ell_index, ell_dims)
    while len(ops) > 1:
        a, b = ops.pop(0), ops.pop(0)
        sum_dims, a_dims, b_dims = [], [], []
        for d in range(out_dims, perm):      # contract a dim once no later operand has it
            if a.shape[d] != 1 and b.shape[d] != 1:
                counts[d] -= 1
                if counts[d] == 1:
                    sum_dims.append(d)
                    counts[d] = 0
            elif counts[d] == 1 and (a.shape[d] != 1 or b.shape[d] != 1):
                (a_dims if a.shape[d] != 1 else b_dims).append(d)
                counts[d] = 0
        a = a.sum(a_dims, keepdim=True) if a_dims else a
        b = b.sum(b_dims, keepdim=True) if b_dims else b
        ops.insert(0, _sumproduct_pair(a, b, sum_dims))
    if perm == out_dims:
        return ops[0]
    if len(operands) > 1:
        return ops[0].view(ops[0].shape[:out_dims])
    return ops[0].sum(list(range(out_dims, perm)))


def _align(operands, labels, index, perm, ell_index, ell_dims):
    """Operands permuted to the common order, and how many have a non-trivial size per dim."""
    size, counts, ops = {}, [0] * perm, []
    for k, (op, labs) in enumerate(zip(operands, labels)):
        p, dim = [-1] * perm, 0
        for lab in labs:
            targets = (range(ell_index + ell_dims - (op.ndim - len(labs) + 1), ell_index + ell_dims)
                       if lab == _ELL else [index[lab]])
            if lab != _ELL and p[index[lab]] != -1:         # a repeated label: take the diagonal
                prev = p[index[lab]]
                if op.shape[dim] != op.shape[prev]:
                    raise RuntimeError(f'einsum(): subscript {_LETTERS[lab]} is repeated for operand {k} but the sizes '
                                       f"don't match, {op.shape[dim]} != {op.shape[prev]}")
                op = op.diagonal(0, prev, dim).movedim(-1, prev)
                continue
            for t in targets:
                s = op.shape[dim]
                if s != 1:
                    if size.get(t, 1) not in (1, s):
                        raise RuntimeError(
                            f'einsum(): dimension {dim} covered by ellipsis in operand {k}has size {s} which does not '
                            f'broadcast with previously seen ellipsis with size {size[t]} for the respective dimension'
                            if lab == _ELL else f'einsum(): subscript {_LETTERS[lab]} has size {s} for operand {k} '
                            f'which does not broadcast with previously seen size {size[t]}')
                    size[t], counts[t] = s, counts[t] + 1
                p[t], dim = dim, dim + 1
        for q in range(perm):
            if p[q] == -1:
                op, p[q], dim = op.unsqueeze(dim), dim, dim + 1
        ops.append(op.permute(p))
    return ops, counts


def _sumproduct_pair(left, right, sum_dims):
    """(left * right).sum(sum_dims, keepdim=True) of aligned operands, through one bmm."""
    if not sum_dims:
        return left * right
    groups = {'lro': [], 'lo': [], 'ro': []}
    for i in range(left.ndim):
        sl, sr = left.shape[i] != 1, right.shape[i] != 1
        if i in sum_dims:                   # summed dims present on one side only go first
            left = left.sum(i, keepdim=True) if sl and not sr else left
            right = right.sum(i, keepdim=True) if sr and not sl else right
        else:
            groups['lro' if sl and sr else 'lo' if sl else 'ro'].append(i)
    lro, lo, ro = groups['lro'], groups['lo'], groups['ro']
    if lo and ro and ro[-1] < lo[0]:    # swapped, bmm writes the output in its final order
        left, right, lo, ro = right, left, ro, lo
    shape = [left.shape[d] for d in lro + lo] + [1] * len(sum_dims) + [right.shape[d] for d in ro]
    n_lro, n_lo = _prod(left.shape[d] for d in lro), _prod(left.shape[d] for d in lo)
    n_ro, n_sum = _prod(right.shape[d] for d in ro), _prod(left.shape[d] for d in sum_dims)
    order = lro + lo + sum_dims + ro
    left = left.permute(order).reshape(n_lro, n_lo, n_sum)
    right = right.permute(lro + sum_dims + ro + lo).reshape(n_lro, n_sum, n_ro)
    return bmm(left, right).view(shape).permute([order.index(d) for d in range(len(order))])


# ------------------------------------------------------------------ tensordot / kron

def tensordot(a, b, dims=2, out=None):
    """Contract dims of a with dims of b: ``dims`` an int (last of a with first of b) or two lists."""
    if _amp.state.on and _amp.promote('tensordot', (a, b)):  # autocast hook (ember.amp)
        return _amp.call_promote(tensordot, a, b, dims, out=out)
    if hasattr(dims, 'tolist'):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f'tensordot expects dims >= 0, but got dims={dims}')
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f'tensordot expects dims < ndim_a or ndim_b, but got dims={dims}')
        d1, d2 = list(range(-dims, 0)), list(range(dims))
    else:
        d1, d2 = dims
        for pos, (name, d) in enumerate((('dims_self', d1), ('dims_other', d2))):
            if isinstance(d, int):
                raise TypeError(f"tensordot(): argument '{name}' (position {3 + pos}) must be tuple of ints, not int")
        d1, d2 = list(d1), list(d2)
    if len(d1) != len(d2):
        raise RuntimeError('both dimension lists should have same length')
    if a.dtype != b.dtype:
        raise RuntimeError('both inputs should have same dtype')
    w1, w2 = [wrap_dim(d, a.ndim) for d in d1], [wrap_dim(d, b.ndim) for d in d2]
    t1, t2, csize = a, b, 1
    for x, y, rx, ry in zip(w1, w2, d1, d2):
        s1, s2 = a.shape[x], b.shape[y]
        if s2 == 1:                          # broadcast dims are summed right away (in the same dtype)
            t1 = t1.sum(x, keepdim=True, dtype=t1.dtype)
        elif s1 == 1:
            t2 = t2.sum(y, keepdim=True, dtype=t2.dtype)
        elif s1 != s2:
            raise RuntimeError(f'contracted dimensions need to match, but first has size {s1} in dim {rx} and '
                               f'second has size {s2} in dim {ry}')
        else:
            csize *= s1
    keep1 = [i for i in range(a.ndim) if i not in w1]
    keep2 = [i for i in range(b.ndim) if i not in w2]
    r1, r2 = [t1.shape[i] for i in keep1], [t2.shape[i] for i in keep2]
    t1, t2 = t1.permute(keep1 + w1), t2.permute(w2 + keep2)
    if math.prod(r1) == 1 and math.prod(r2) == 1:
        r = _contract_all(t1, t2, csize).reshape(r1 + r2)
    else:
        r = mm(t1.reshape(math.prod(r1), csize), t2.reshape(csize, math.prod(r2))).reshape(r1 + r2)
    if out is not None:
        from .arith import _check_out
        return _check_out(out, r, 'tensordot')
    return r


def _contract_all(t1, t2, csize):
    """A one-element tensordot as PyTorch computes it: a dot of both operands viewed as vectors, or,
    where either cannot be viewed so, the sum of their elementwise product."""
    flat = []
    for t in (t1, t2):
        try:
            flat.append(t if t.shape == (csize,) else t.view(csize))
        except RuntimeError:
            return (t1.squeeze() * t2.squeeze()).sum(dtype=t1.dtype)
    return dot(*flat)


def kron(input, other, *, out=None):
    """Kronecker product: every element of input times the whole of other, blockwise."""
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        need_tensors('kron', (input, other))
    n = max(input.ndim, other.ndim)
    sa = (1,) * (n - input.ndim) + tuple(input.shape)
    sb = (1,) * (n - other.ndim) + tuple(other.shape)
    a = input.reshape([v for s in sa for v in (s, 1)])
    b = other.reshape([v for s in sb for v in (1, s)])
    return apply(UnsafeViewBackward0, a * b, shape=tuple(x * y for x, y in zip(sa, sb)))


def kron_method(self, other):
    """``t.kron(other)``: PyTorch's message counts the arguments after the tensor."""
    if other.__class__ is not Tensor:
        need_tensors('kron', (self, other), method=True)
    return kron(self, other)
