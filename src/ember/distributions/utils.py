"""Helpers shared by the distributions: parameter broadcasting, probs <-> logits, lazy
properties, and summing the rightmost (event) dims."""
import numbers
from functools import update_wrapper
from operator import attrgetter

import ember

__all__ = ['broadcast_all', 'logits_to_probs', 'clamp_probs', 'probs_to_logits', 'lazy_property',
           'tril_matrix_to_vec', 'vec_to_tril_matrix']

euler_constant = 0.57721566490153286060      # the Euler-Mascheroni constant


def broadcast_all(*values):
    """Tensors broadcast together; Python numbers become tensors of the first tensor's dtype and
    device (the default float dtype when all are numbers)."""
    if not all(isinstance(v, ember.Tensor) or isinstance(v, numbers.Number) for v in values):
        raise ValueError('Input arguments must all be instances of Number, '
                         'ember.Tensor or objects implementing __torch_function__.')
    if not all(isinstance(v, ember.Tensor) for v in values):
        opts = {'dtype': ember.get_default_dtype()}
        for v in values:
            if isinstance(v, ember.Tensor):
                opts = {'dtype': v.dtype, 'device': v.device}
                break
        values = [v if isinstance(v, ember.Tensor) else ember.tensor(v, **opts) for v in values]
    return ember.broadcast_tensors(*values)


def _standard_normal(shape, dtype, device):
    return ember.empty(shape, dtype=dtype, device=device).normal_()


def _sum_rightmost(value, dim):
    """``value`` summed over its ``dim`` rightmost dims."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:-dim]) + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from log-odds (binary) or from unnormalised log-probabilities (last dim)."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.nn.functional.softmax(logits, dim=-1)


def clamp_probs(probs):
    """``probs`` clamped into [eps, 1 - eps] for its dtype's machine epsilon."""
    eps = ember.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Log-odds (binary) or log-probabilities from (clamped) probabilities."""
    p = clamp_probs(probs)
    if is_binary:
        return ember.log(p) - ember.log1p(-p)
    return ember.log(p)


def forwarded(path):
    """A read-only property giving ``self.<path>`` (an attribute, or a dotted path such as
    ``'base_dist.loc'`` for a distribution showing an inner one's parameters as its own)."""
    return property(attrgetter(path), doc=f'``self.{path}``')


class lazy_property:
    """A property computed on first access (with grad enabled) and then stored on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """What a lazy property looks like on the class: both a lazy_property and a property."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def _tril_index(n, diag, device):
    """Flat (row-major) positions of the entries on or below diagonal ``diag`` of an n x n matrix.
    (Indexing with ``[..., mask]`` would be shorter; flat positions keep to index_select/scatter.)"""
    r = ember.arange(n, device=device)
    return (r < r.view(-1, 1) + (diag + 1)).reshape(-1).nonzero().reshape(-1)


def tril_matrix_to_vec(mat, diag=0):
    """The lower-triangular entries of (a batch of) square matrices, row by row."""
    n = mat.shape[-1]
    if diag < -n or diag >= n:
        raise ValueError(f'diag ({diag}) provided is outside [{-n}, {n - 1}].')
    return mat.flatten(-2).index_select(-1, _tril_index(n, diag, mat.device))


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of ``tril_matrix_to_vec``: lower-triangular matrices from row-ordered entries."""
    m = vec.shape[-1]
    n = (-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * m + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2
    if round(n) - n > ember.finfo(vec.dtype).eps:
        raise ValueError(f'The size of last dimension is {m} which cannot be expressed as '
                         'the lower triangular part of a square D x D matrix.')
    n = round(n)
    batch = tuple(vec.shape[:-1])
    idx = _tril_index(n, diag, vec.device).expand(batch + (-1,))
    return vec.new_zeros(batch + (n * n,)).scatter(-1, idx, vec).reshape(batch + (n, n))
