"""VonMises: the circular normal distribution on angles, with Best & Fisher's (1979) rejection
sampler and log I0 / log I1 from the polynomial approximations of Abramowitz & Stegun 9.8.1-9.8.4."""
import math

import ember
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, lazy_property

__all__ = ['VonMises']

# Abramowitz & Stegun 9.8.1/9.8.3 (x < 3.75, in (x / 3.75) ** 2) and 9.8.2/9.8.4 (x >= 3.75,
# in 3.75 / x) for I0 and I1; lowest power first.
_SMALL = {0: (1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813),
          1: (0.5, 0.87890594, 0.51498869, 0.15084934, 0.02658733, 0.00301532, 0.00032411)}
_LARGE = {0: (0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706, 0.02635537,
              -0.01647633, 0.00392377),
          1: (0.39894228, -0.03988024, -0.00362018, 0.00163801, -0.01031555, 0.02282967, -0.02895312,
              0.01787654, -0.00420059)}


def _horner(y, coefs):
    """sum_k coefs[k] * y ** k."""
    result = coefs[-1]
    for c in reversed(coefs[:-1]):
        result = c + y * result
    return result


def _log_bessel_i(x, order=0):
    """log I_order(x) for x > 0 and order 0 or 1."""
    if order not in (0, 1):
        raise AssertionError(f'order must be 0 or 1, got {order}')
    small = _horner((x / 3.75) ** 2, _SMALL[order])
    if order == 1:
        small = x.abs() * small
    large = x - 0.5 * x.log() + _horner(3.75 / x, _LARGE[order]).log()
    return ember.where(x < 3.75, small.log(), large)


def _best_fisher(loc, kappa, r, shape):
    """Draws of shape ``shape`` (float64) by Best & Fisher's wrapped-Cauchy envelope rejection,
    every entry drawing again each round while any is undecided, and (as PyTorch) taking each
    round's accepted value even where an earlier round had decided it; wrapped to [-pi, pi)."""
    x = ember.zeros(shape, dtype=loc.dtype, device=loc.device)
    done = ember.zeros(shape, dtype=ember.bool, device=loc.device)
    while not bool(done.all()):
        u1, u2, u3 = ember.rand((3,) + tuple(shape), dtype=loc.dtype, device=loc.device).unbind()
        z = ember.cos(math.pi * u1)
        f = (1 + r * z) / (r + z)
        c = kappa * (r - f)
        accept = ((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0)
        x = ember.where(accept, (u3 - 0.5).sign() * f.acos(), x)
        done = done | accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """The von Mises distribution: density exp(kappa cos(x - loc)) / (2 pi I0(kappa)) for
    ``loc`` and ``concentration`` kappa. Values and ``loc`` are angles, read modulo 2 pi; mean
    and variance are the circular ones."""
    arg_constraints = {'loc': constraints.real, 'concentration': constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, ember.Size(), validate_args)

    def log_prob(self, value):
        self._check(value)
        lp = self.concentration * ember.cos(value - self.loc)
        return lp - math.log(2 * math.pi) - _log_bessel_i(self.concentration, order=0)

    @lazy_property
    def _loc(self):
        return self.loc.to(ember.double)

    @lazy_property
    def _concentration(self):
        return self.concentration.to(ember.double)

    @lazy_property
    def _proposal_r(self):
        kappa = self._concentration
        tau = 1 + (1 + 4 * kappa ** 2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        r = (1 + rho ** 2) / (2 * rho)
        return ember.where(kappa < 1e-5, 1 / kappa + kappa, r)     # 2nd-order expansion near 0

    def sample(self, sample_shape=ember.Size()):
        """Drawn in float64 whatever the dtype (small concentrations stall in float32)."""
        with ember.no_grad():
            shape = self._extended_shape(sample_shape)
            out = _best_fisher(self._loc.detach(), self._concentration.detach(), self._proposal_r.detach(), shape)
            return out.to(self.loc.dtype)

    def expand(self, batch_shape, _instance=None):
        try:
            return super().expand(batch_shape)
        except NotImplementedError:
            validate_args = self.__dict__.get('_validate_args')
            return type(self)(self.loc.expand(batch_shape), self.concentration.expand(batch_shape),
                              validate_args=validate_args)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @lazy_property
    def variance(self):
        k = self.concentration
        return 1 - (_log_bessel_i(k, order=1) - _log_bessel_i(k, order=0)).exp()
