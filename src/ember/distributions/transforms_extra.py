"""More transforms (re-exported by transforms.py): reshape, matrix transforms (lower Cholesky,
positive definite, correlation Cholesky), transforms applied piecewise along a dim (cat,
stack), and a distribution's CDF as a transform."""
import math

import ember
from . import constraints
from .transforms import Transform, _Parameterless, _softplus
from .utils import _sum_rightmost, lazy_property, tril_matrix_to_vec, vec_to_tril_matrix

__all__ = ['ReshapeTransform', 'LowerCholeskyTransform', 'PositiveDefiniteTransform', 'CorrCholeskyTransform',
           'CatTransform', 'StackTransform', 'CumulativeDistributionTransform']


class ReshapeTransform(Transform):
    """Reshapes the rightmost ``in_shape`` dims into ``out_shape`` (same number of elements)."""
    bijective = True
    _args = ('in_shape', 'out_shape')

    def __init__(self, in_shape, out_shape, cache_size=0):
        self.in_shape, self.out_shape = ember.Size(in_shape), ember.Size(out_shape)
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError('in_shape, out_shape have different numbers of elements')
        super().__init__(cache_size=cache_size)

    @constraints.dependent_property
    def domain(self):
        return constraints.independent(constraints.real, len(self.in_shape))

    @constraints.dependent_property
    def codomain(self):
        return constraints.independent(constraints.real, len(self.out_shape))

    def _call(self, x):
        batch = tuple(x.shape[:x.dim() - len(self.in_shape)])
        return x.reshape(batch + tuple(self.out_shape))

    def _inverse(self, y):
        batch = tuple(y.shape[:y.dim() - len(self.out_shape)])
        return y.reshape(batch + tuple(self.in_shape))

    def log_abs_det_jacobian(self, x, y):
        return x.new_zeros(tuple(x.shape[:x.dim() - len(self.in_shape)]))

    @staticmethod
    def _swap(shape, old, new):
        if len(shape) < len(old):
            raise ValueError('Too few dimensions on input')
        cut = len(shape) - len(old)
        if tuple(shape[cut:]) != tuple(old):
            raise ValueError(f'Shape mismatch: expected {ember.Size(shape[cut:])} but got {old}')
        return ember.Size(tuple(shape[:cut]) + tuple(new))

    def forward_shape(self, shape):
        return self._swap(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape):
        return self._swap(shape, self.out_shape, self.in_shape)


class LowerCholeskyTransform(_Parameterless):
    """Square matrices to lower-triangular ones with a positive diagonal (exp of the diagonal)."""
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y):
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(_Parameterless):
    """Square matrices to positive definite ones: L L^T of their lower-Cholesky image."""
    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        L = LowerCholeskyTransform()(x)
        return L @ L.mT

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(ember.linalg.cholesky(y))


class CorrCholeskyTransform(Transform):
    """Vectors of D(D-1)/2 reals to Cholesky factors of D x D correlation matrices: tanh to
    (-1, 1), then stick breaking along each row so that the rows have unit norm."""
    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        pad = ember.nn.functional.pad
        eps = ember.finfo(x.dtype).eps
        r = vec_to_tril_matrix(ember.tanh(x).clamp(min=-1 + eps, max=1 - eps), diag=-1)
        remaining = (1 - r ** 2).sqrt().cumprod(-1)
        r = r + ember.eye(r.shape[-1], dtype=r.dtype, device=r.device)
        return r * pad(remaining[..., :-1], [1, 0], value=1)

    def _inverse(self, y):
        pad = ember.nn.functional.pad
        left = pad((1 - ember.cumsum(y * y, dim=-1))[..., :-1], [1, 0], value=1)
        t = tril_matrix_to_vec(y, diag=-1) / tril_matrix_to_vec(left, diag=-1).sqrt()
        return (t.log1p() - t.neg().log1p()) / 2

    def log_abs_det_jacobian(self, x, y, intermediates=None):
        left = tril_matrix_to_vec(1 - (y * y).cumsum(dim=-1), diag=-2)
        return 0.5 * left.log().sum(-1) - 2 * (x + _softplus(-2 * x) - math.log(2.0)).sum(dim=-1)

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError('Too few dimensions on input')
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError('Input is not a flattened lower-diagonal number')
        return ember.Size(tuple(shape[:-1]) + (d, d))

    def inverse_shape(self, shape):
        if len(shape) < 2:
            raise ValueError('Too few dimensions on input')
        if shape[-2] != shape[-1]:
            raise ValueError('Input is not square')
        d = shape[-1]
        return ember.Size(tuple(shape[:-2]) + (d * (d - 1) // 2,))


def _check_dim(t, dim, size, name, what):
    if not -t.dim() <= dim < t.dim():
        raise AssertionError(f'dim {dim} out of range for {what} with {t.dim()} dimensions')
    if t.size(dim) != size[1]:
        raise AssertionError(f'{name}.size({dim}) = {t.size(dim)} must equal {size[0]} {size[1]}')


class _Piecewise(Transform):
    """Transforms ``tseq`` each applied to its own part of the input along ``dim``."""

    def __init__(self, tseq, dim, cache_size):
        if not all(isinstance(t, Transform) for t in tseq):
            raise AssertionError('All elements of tseq must be Transform instances')
        if cache_size:
            tseq = [t.with_cache(cache_size) for t in tseq]
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.dim = dim

    @property
    def bijective(self):
        return all(t.bijective for t in self.transforms)


class CatTransform(_Piecewise):
    """Transforms ``tseq`` applied to consecutive pieces (``lengths``) of ``dim``."""
    _args = ('transforms', 'dim', 'lengths')

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        super().__init__(tseq, dim, cache_size)
        self.lengths = [1] * len(self.transforms) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise AssertionError(f'lengths ({len(self.lengths)}) must match transforms ({len(self.transforms)})')

    @lazy_property
    def event_dim(self):
        return max(t.event_dim for t in self.transforms)

    @lazy_property
    def length(self):
        return sum(self.lengths)

    def _pieces(self, t, name, what='tensor'):
        _check_dim(t, self.dim, ('length', self.length), name, what)
        start = 0
        for tr, n in zip(self.transforms, self.lengths):
            yield tr, t.narrow(self.dim, start, n)
            start += n

    def _call(self, x):
        return ember.cat([tr(piece) for tr, piece in self._pieces(x, 'x')], dim=self.dim)

    def _inverse(self, y):
        return ember.cat([tr.inv(piece) for tr, piece in self._pieces(y, 'y')], dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        terms = []
        ys = [piece for _, piece in self._pieces(y, 'y', 'y')]
        for (tr, xp), yp in zip(self._pieces(x, 'x', 'x'), ys):
            term = tr.log_abs_det_jacobian(xp, yp)
            if tr.event_dim < self.event_dim:
                term = _sum_rightmost(term, self.event_dim - tr.event_dim)
            terms.append(term)
        dim = (self.dim - x.dim() if self.dim >= 0 else self.dim) + self.event_dim
        return ember.cat(terms, dim=dim) if dim < 0 else sum(terms)

    @constraints.dependent_property
    def domain(self):
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @constraints.dependent_property
    def codomain(self):
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)


class StackTransform(_Piecewise):
    """Transforms ``tseq`` applied to the successive slices along ``dim``."""
    _args = ('transforms', 'dim')

    def __init__(self, tseq, dim=0, cache_size=0):
        super().__init__(tseq, dim, cache_size)

    def _slices(self, t, name, what='tensor'):
        _check_dim(t, self.dim, ('len(transforms)', len(self.transforms)), name, what)
        return [t.select(self.dim, i) for i in range(t.size(self.dim))]

    def _call(self, x):
        return ember.stack([tr(s) for s, tr in zip(self._slices(x, 'x'), self.transforms)], dim=self.dim)

    def _inverse(self, y):
        return ember.stack([tr.inv(s) for s, tr in zip(self._slices(y, 'y'), self.transforms)], dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        xs, ys = self._slices(x, 'x', 'x'), self._slices(y, 'y', 'y')
        return ember.stack([tr.log_abs_det_jacobian(a, b) for a, b, tr in zip(xs, ys, self.transforms)],
                           dim=self.dim)

    @constraints.dependent_property
    def domain(self):
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @constraints.dependent_property
    def codomain(self):
        return constraints.stack([t.codomain for t in self.transforms], self.dim)


class CumulativeDistributionTransform(Transform):
    """x -> distribution.cdf(x), onto the unit interval."""
    bijective = True
    codomain = constraints.unit_interval
    sign = +1
    _args = ('distribution',)

    def __init__(self, distribution, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)
