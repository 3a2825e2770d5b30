"""The in-place random fillers: uniform_, normal_, bernoulli_, random_, exponential_,
geometric_, log_normal_, cauchy_ (Tensor methods, installed from ``FILLERS``)."""
import numpy as np

from .._tensor import Tensor
from .random import _rng, _check_float, _check_std, _check_p, _name, _on_device
from .ranges import _fmt


def _fill(self, arr):
    from ._op import write_into, check_inplace
    from ..autograd.grad_mode import is_grad_enabled
    check_inplace(self, is_grad_enabled())
    write_into(self, _on_device(arr, self))
    return self


def _drawable(t):
    d = t._data
    return type(d) is np.ndarray and d.dtype in (np.float32, np.float64) and d.flags.c_contiguous and d.size


def _fill_affine(self, draw, scale, shift):
    """self <- draw() * scale + shift, drawn in place (no temporary, no float64 round trip)."""
    from ._op import check_inplace
    from ..autograd.grad_mode import is_grad_enabled
    check_inplace(self, is_grad_enabled())
    d = self._data
    draw(out=d, dtype=d.dtype)
    d *= d.dtype.type(scale)
    d += d.dtype.type(shift)
    self._vc[0] += 1
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    _check_float(self.dtype, 'check_uniform_bounds')
    if a > b:
        raise RuntimeError(f'uniform_ expects to return a [from, to) range, but found from={_fmt(a)} > '
                           f'to={_fmt(b)}')
    if _drawable(self):         # straight into the tensor's memory, in its own precision
        return _fill_affine(self, _rng(generator).random, b - a, a)
    return _fill(self, _rng(generator).uniform(a, b, self.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    _check_float(self.dtype, 'normal_kernel_cpu')
    _check_std(std)
    if _drawable(self):
        return _fill_affine(self, _rng(generator).standard_normal, std, mean)
    return _fill(self, _rng(generator).normal(mean, std, self.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    if isinstance(p, Tensor):
        p = np.asarray(p.detach().numpy(force=True), dtype=np.float64)
    else:
        _check_p(p)
    return _fill(self, _rng(generator).random(self.shape) < p)


# random_()'s exclusive upper bound: every integer the dtype holds exactly (floats), or its max
_RANDOM_TO = {'float64': 2 ** 53 + 1, 'float32': 2 ** 24 + 1, 'float16': 2 ** 11 + 1, 'bfloat16': 2 ** 8 + 1,
              'bool': 2}


def random_(self, from_=None, to=None, *, generator=None):
    """``random_(to)``: integers in [0, to); ``random_(from, to)``; ``random_()``: [0, 2**mantissa]."""
    if to is None and from_ is not None:
        from_, to = 0, from_
    from_ = 0 if from_ is None else from_
    if to is None:
        to = _RANDOM_TO.get(self.dtype.name) or int(np.iinfo(self._data.dtype).max) + 1
    return _fill(self, _rng(generator).integers(from_, to, self.shape))


def exponential_(self, lambd=1.0, *, generator=None):
    if not self.is_floating_point():
        raise RuntimeError('Exponential distribution is a continuous probability distribution. dtype must '
                           f'be a floating point but you specified {_name(self.dtype)}')
    return _fill(self, _rng(generator).exponential(1.0 / lambd, self.shape))


def geometric_(self, p, *, generator=None):
    return _fill(self, _rng(generator).geometric(p, self.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill(self, _rng(generator).lognormal(mean, std, self.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill(self, median + sigma * _rng(generator).standard_cauchy(self.shape))


FILLERS = {'uniform_': uniform_, 'normal_': normal_, 'bernoulli_': bernoulli_, 'random_': random_,
           'exponential_': exponential_, 'geometric_': geometric_, 'log_normal_': log_normal_,
           'cauchy_': cauchy_}
