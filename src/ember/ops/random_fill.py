"""Random numbers shaped by a tensor: bernoulli, poisson, multinomial, and the in-place fillers
uniform_, normal_, bernoulli_, random_, exponential_, geometric_, log_normal_, cauchy_ (Tensor
methods, installed from ``FILLERS``). GPU tensors are filled by draws made on their
GPU. Complex tensors (uniform_, normal_) get their real and imaginary parts drawn as real pairs."""
import math
import numbers

import numpy as np

from .._tensor import Tensor, xp_of
from . import _devices, cpu_samplers
from ._op import Op, apply, apply_inplace, check_inplace, write_into, NotImplementedNode
from ..autograd.grad_mode import is_grad_enabled
from .random import (_RandomOp, _rng, _src, _fdt, _on, _check_float, _check_std, _check_p, _name, check_generator,
                     placed, _memory_axes)
from .random_int import random_range, check_uniform_bounds
from .ranges import _fmt
from .argcheck import bad_input


class BernoulliBackward0(_RandomOp):
    def forward(self, probs, rng=None):
        self.shapes = (probs.shape,)
        if type(probs) is np.ndarray:           # drawn in the (contiguous) result's order
            return rng.bernoulli(np.ascontiguousarray(probs).ravel()).reshape(probs.shape).astype(probs.dtype)
        return (rng._draw('random_sample', probs.shape, _fdt(probs.dtype)) < probs).astype(probs.dtype)


class PoissonBackward0(_RandomOp):
    def forward(self, rates, rng=None):
        self.shapes = (rates.shape,)
        if type(rates) is np.ndarray:
            return cpu_samplers.poisson(rng, rates)
        return rng._draw('poisson', rates.astype(np.float64), cast=rates.dtype)


def poisson(input, generator=None):
    """Samples from Poisson distributions with the rates in ``input`` (same shape and dtype)."""
    check_generator(generator, 'poisson')
    _check_float(input.dtype, 'poisson_cpu')
    with _on(input._data):
        bad = bool(np.any(input._data < 0))
    if bad:
        raise RuntimeError('invalid Poisson rate, expected rate to be non-negative')
    return apply(PoissonBackward0, input, rng=_src(generator, input))


class BinomialNode(NotImplementedNode):
    """binomial(count, prob): recorded but not differentiable, as PyTorch."""
    aten = 'binomial'

    def forward(self, count, prob, rng=None):
        if type(count) is np.ndarray:
            return cpu_samplers.binomial(rng, count, prob)
        return rng._draw('binomial', count.astype(np.int64), prob.astype(np.float64), cast=count.dtype)


def binomial(count, prob, generator=None):
    """Samples of Binomial(count, prob), elementwise (float tensors of one dtype)."""
    if count.dtype.is_floating_point is False:
        raise ValueError(f'binomial only supports floating-point dtypes for count, got: {_name(count.dtype)}')
    if prob.dtype != count.dtype:
        raise RuntimeError(f'Found dtype {_name(prob.dtype)} but expected {_name(count.dtype)}')
    return apply(BinomialNode, count, prob, rng=_src(generator, count))


def bernoulli(input, p=None, *, generator=None, out=None):
    try:
        check_generator(generator, 'bernoulli', (input,) if p is None else (input, p))
        if p is not None:
            _no_complex(input, 'bernoulli_scalar_cpu_')
            _check_p(p)
            rng, nd = _src(generator, input), input._data.dtype
            if type(input._data) is np.ndarray:
                return Tensor._make(placed(input._data, rng.bernoulli(p, input.numel()).astype(nd)))
            with _devices.guard(input._data):
                return Tensor._make((rng._draw('random_sample', input.shape, _fdt(nd)) < p).astype(nd))
        _no_complex(input, 'bernoulli_tensor_cpu_self_')
        _check_probs(input)
        return apply(BernoulliBackward0, input, rng=_src(generator, input))
    except AttributeError:                  # not a tensor: the parser's TypeError
        bad_input('bernoulli', (input,))


def _check_probs(p):
    """A tensor of probabilities: floating, every entry in [0, 1] (NaN fails)."""
    _check_float(p.dtype, 'bernoulli_tensor_cpu_p_')
    with _on(p._data):
        bad = not bool(np.all((p._data >= 0) & (p._data <= 1)))
    if bad:
        raise RuntimeError('Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this '
                           'error message be improved?  If so, please report an enhancement request '
                           'to PyTorch.)')


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    check_generator(generator, 'multinomial')
    if not input.is_floating_point():
        raise RuntimeError('multinomial only supports floating-point dtypes for input, got: '
                           f'{_name(input.dtype)}')
    with _on(input._data):
        return Tensor._make(_multinomial(input, num_samples, replacement, generator))


def _multinomial(input, num_samples, replacement, generator):
    host = type(input._data) is np.ndarray
    p = np.asarray(input._data, dtype=np.float64) if host else input._data.astype(np.float64)
    if p.ndim not in (1, 2):
        raise RuntimeError('prob_dist must be 1 or 2 dim')
    if num_samples <= 0:
        raise RuntimeError('cannot sample n_sample <= 0 samples')
    k = p.shape[-1]
    if not replacement and num_samples > k:
        raise RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement')
    rows = p.reshape(p.shape[0] if p.ndim == 2 else 1, k)
    if rows.shape[0] == 0:
        return xp_of(p).zeros((0, num_samples), dtype=np.int64)
    totals = rows.sum(1)
    if replacement and num_samples > 1:
        _check_rows(rows, totals)
    elif k == 0:                                # PyTorch's fast path checks the whole tensor
        raise RuntimeError('aminmax(): cannot compute aminmax over an empty dimension as the operation '
                           'has no identity.')
    elif not (bool(p.max() < np.inf) and bool(p.min() >= 0)):
        raise RuntimeError('probability tensor contains either `inf`, `nan` or element < 0')
    elif bool((totals == 0).any()):
        raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
    rng = _src(generator, input)
    if not host:
        arr = _multinomial_gpu(rng, rows, totals, num_samples, replacement)
    elif replacement and num_samples > 1:   # inverse CDF: one float64 uniform per sample, row by row
        own = np.asarray(input._data).reshape(rows.shape)
        cdf = np.cumsum(own, axis=1)
        cdf = cdf / cdf[:, -1:]
        u = rng.doubles(rows.shape[0] * num_samples).reshape(rows.shape[0], num_samples)
        arr = np.stack([np.searchsorted(c, x, side='left') for c, x in zip(cdf, u)])
        arr = np.minimum(arr, rows.shape[1] - 1)
    else:                   # PyTorch's algorithm: the top-k of p / Exp(1) noise, in the input's dtype
        own = np.asarray(input._data).reshape(rows.shape)
        q = own / rng.exponential(own.size, 1.0).astype(own.dtype).reshape(own.shape)
        arr = np.argsort(-q, axis=1, kind='stable')[:, :num_samples]
    arr = arr.astype(np.int64)
    return arr if p.ndim == 2 else arr[0]


def _check_rows(rows, totals):
    """PyTorch's sampling-with-replacement checks, row by row and entry by entry: the first
    negative (or NaN), infinite entry or non-positive row sum decides the message."""
    xp = xp_of(rows)
    good = (rows >= 0) & xp.isfinite(rows)
    row_ok = good.all(1) & (totals > 0)
    if bool(row_ok.all()):
        return
    r = int(xp.argmin(row_ok))
    v = 0.0 if bool(good[r].all()) else float(rows[r, int(xp.argmin(good[r]))])
    why = ('sum of probabilities <= 0' if v == 0 else 'encountering probability entry < 0' if not v >= 0
           else 'encountering probability entry = infinity or NaN')
    raise RuntimeError(f'invalid multinomial distribution ({why})')


def _multinomial_gpu(g, rows, totals, num_samples, replacement):
    """multinomial's samples drawn on the GPU, all rows at once."""
    xp = xp_of(rows)
    n, k = rows.shape
    if not replacement:
        q = rows / g._draw('standard_exponential', rows.shape, np.float64)
        return xp.argsort(-q, axis=1)[:, :num_samples]
    cdf = xp.cumsum(rows / totals[:, None], axis=1)
    cdf[:, -1] = 1.0
    row = xp.arange(n, dtype=np.float64)[:, None]      # row r's CDF lies in [r, r + 1]: one search
    u = g._draw('random_sample', (n, num_samples), np.float64) + row
    idx = xp.searchsorted((cdf + row).ravel(), u.ravel(), side='right').reshape(n, num_samples)
    return xp.clip(idx - (row * k).astype(np.int64), 0, k - 1)



class HostDraws:
    """A CPU generator drawing for a GPU tensor: NumPy draws on the host, copied to the GPU once.
    It answers the CUDA generator's ``_draw`` (CuPy RandomState names; trailing dtype dropped)."""
    _NUMPY = {'random_sample': ('random', 2), 'randint': ('integers', 4), 'standard_normal': ('standard_normal', 2),
              'standard_exponential': ('standard_exponential', 2), 'uniform': ('uniform', 3),
              'normal': ('normal', 3), 'exponential': ('exponential', 2), 'lognormal': ('lognormal', 3),
              'standard_cauchy': ('standard_cauchy', 1), 'geometric': ('geometric', 2), 'poisson': ('poisson', 2),
              'permutation': ('permutation', 1), 'binomial': ('binomial', 2)}

    def __init__(self, rng, like):
        self._rng, self._like = rng, like

    def _draw(self, method, *args, cast=None):
        name, n = self._NUMPY[method]
        args = [a.get() if hasattr(a, 'get') and hasattr(a, 'device') else a for a in args[:n]]
        arr = np.asarray(getattr(self._rng, name)(*args))
        return xp_of(self._like).asarray(arr if cast is None else arr.astype(cast))


def _no_complex(t, fname):
    if t.is_complex():
        raise NotImplementedError(f'"{fname}" not implemented for \'{_name(t.dtype)}\'')


def _pairs(arr, cplx):
    """Real draws of shape (..., 2) as complex numbers (when ``cplx``), else ``arr`` itself."""
    return arr.view(np.result_type(arr.dtype, np.complex64))[..., 0] if cplx else arr


class _RandomFill(Op):
    """An in-place random fill on a tensor autograd tracks: the drawn ``values`` replace the old
    value, whose gradient (and a tensor ``p``'s) is zero."""
    any_cast = True

    def forward(self, a, *p, values=None):
        self.p_meta = [(x.shape, x.dtype) for x in p]
        return xp_of(a).asarray(values, dtype=a.dtype)

    def backward(self, g):
        from .creation import zeros, zeros_like
        z = zeros_like(g)
        if not self.p_meta:
            return z
        shape, dt = self.p_meta[0]
        from .. import _dtype
        return z, zeros(shape, dtype=_dtype._FROM_NP[dt], device=g.device)


# the fills' autograd nodes (bernoulli_: 1 with a tensor p, 2 with a float; random_: 0 (from, to),
# 1 (to), 2 ())
_FILL_NODES = ('UniformBackward0 NormalBackward0 BernoulliBackward1 BernoulliBackward2 RandomBackward0 '
               'RandomBackward1 RandomBackward2 ExponentialBackward0 GeometricBackward0 LogNormalBackward0 '
               'CauchyBackward0').split()
(UniformBackward0, NormalBackward0, BernoulliBackward1, BernoulliBackward2, RandomBackward0, RandomBackward1,
 RandomBackward2, ExponentialBackward0, GeometricBackward0, LogNormalBackward0, CauchyBackward0) = (
    type(n, (_RandomFill,), {}) for n in _FILL_NODES)
_FILL_NAMES = {n: ''.join('_' + c.lower() if c.isupper() else c for c in n[:n.index('Back')])[1:] + '_'
               for n in _FILL_NODES}        # LogNormalBackward0 -> log_normal_
_RANDOM_NODES = (RandomBackward0, RandomBackward1, RandomBackward2)


def _recording(t):
    return (t._requires_grad or t.grad_fn is not None) and is_grad_enabled()


def _fill(self, generator, cpu, gpu, node, p=()):
    """self <- ``cpu(stream, n)`` on the CPU (its n draws, in self's memory order), or ``gpu(g, dtype)``
    drawn on self's GPU with CUDA generator ``g`` (``dtype``: the float dtype CuPy draws in for self).
    On a tensor autograd tracks, the fill is recorded as op ``node`` (gradient zero)."""
    check_generator(generator, _FILL_NAMES[node.__name__])
    rec = _recording(self)
    check_inplace(self, rec)
    d = self._data
    if type(d) is np.ndarray:
        vals = placed(d, cpu(_rng(generator), d.size))
    else:
        g = _src(generator, self)
        with _devices.guard(d):
            vals = gpu(g, _fdt(d.dtype))
    if rec:
        return apply_inplace(node, self, *p, values=vals)
    if type(d) is np.ndarray:
        write_into(self, vals)
    else:
        with _devices.guard(d):
            write_into(self, vals)
    return self


def _num(v, fname, arg, pos):
    """A float argument of a filler as PyTorch's parser takes it (a real number or a one-element
    real tensor); anything else is its TypeError."""
    if type(v) is float or type(v) is int:
        return v
    if isinstance(v, Tensor) and v.numel() == 1 and not v.is_complex():
        return v.item()
    if isinstance(v, numbers.Real):
        return v
    raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be float, not {type(v).__name__}")


def _positive(v, fname, what):
    if not v > 0:
        raise RuntimeError(f'{fname} expects {what} > 0.0, but found {what}={_fmt(float(v))}')


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Uniform in [a, b); a complex tensor gets both parts so."""
    check_generator(generator, 'uniform_')
    a, b = _num(a, 'uniform_', 'from', 1), _num(b, 'uniform_', 'to', 2)
    check_uniform_bounds(self.dtype, a, b)
    c = self.is_complex()
    shape = self.shape + (2,) if c else self.shape
    real = _fdt(self._data.dtype) if c else self._data.dtype
    return _fill(self, generator, lambda r, n: _pairs(r.uniform(n * (1 + c), real, a, b).reshape(-1, 2), c)
                 if c else r.uniform(n, real, a, b),
                 lambda g, f: _pairs(g._draw('uniform', a, b, shape, f), c), UniformBackward0)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Normal(mean, std); a complex tensor gets both parts with mean ``mean`` and std ``std/sqrt(2)``
    (so that E|z - mean(1+1j)|^2 = std^2), as PyTorch."""
    check_generator(generator, 'normal_')
    mean, std = _num(mean, 'normal_', 'mean', 1), _num(std, 'normal_', 'std', 2)
    _check_std(std)
    if not self.is_complex():
        _check_float(self.dtype, 'normal_kernel_cpu')
    c = self.is_complex()
    shape, s = (self.shape + (2,), std / math.sqrt(2)) if c else (self.shape, std)
    real, contig = (_fdt(self._data.dtype) if c else self._data.dtype), self._data.flags.c_contiguous
    return _fill(self, generator, lambda r, n: _pairs(r.normal(2 * n, real, mean, s, contig).reshape(-1, 2), c)
                 if c else r.normal(n, real, mean, s, contig),
                 lambda g, f: _pairs(g._draw('normal', mean, s, shape, f), c), NormalBackward0)


def bernoulli_(self, p=0.5, *, generator=None):
    check_generator(generator, 'bernoulli_', (p,))
    node, pt = BernoulliBackward2, ()
    if isinstance(p, Tensor):
        _no_complex(self, 'bernoulli_tensor_cpu_self_')
        _check_probs(p)
        node, pt = BernoulliBackward1, (p,)
        p = p.detach().expand(self.shape)
        if type(self._data) is np.ndarray:      # p read in self's memory order
            p = p._host()
            flat = np.broadcast_to(p, self.shape).transpose(_memory_axes(self._data)).ravel()
        else:
            p = p.to(self.device)._data
    else:
        if p is None or isinstance(p, (str, complex)):
            raise TypeError('bernoulli_() received an invalid combination of arguments - got '
                            f'({type(p).__name__}), but expected one of:')
        _check_p(p)
        _no_complex(self, 'bernoulli_scalar_cpu_')
    cpu = (lambda r, n: r.bernoulli(flat)) if pt else (lambda r, n: r.bernoulli(p, n))
    return _fill(self, generator, cpu, lambda g, f: g._draw('random_sample', self.shape, f) < p, node, pt)


def random_(self, *args, generator=None, **kw):
    """``random_(to)``: integers in [0, to); ``random_(from, to)`` (``to=None``: up to the dtype's top);
    ``random_()``: [0, 2**mantissa] (floats) or [0, max] (integers)."""
    if kw:
        args = args + tuple(kw.pop(k) for k in ('from', 'to') if k in kw)
        if kw:
            raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kw))}'")
    check_generator(generator, 'random_', args if len(args) < 2 else None)
    low, high, form = random_range(self.dtype, args)
    wide = self.dtype.name in ('int64', 'float64') if form == 2 else None    # form 2: random_()'s own kernel
    return _fill(self, generator, lambda r, n: r.from_to(n, low, high - low, wide),
                 lambda g, f: g._draw('randint', low, high, self.shape, np.int64), _RANDOM_NODES[form])


def exponential_(self, lambd=1.0, *, generator=None):
    lambd = _num(lambd, 'exponential_', 'lambd', 1)
    _positive(lambd, 'exponential_', 'lambda')
    if not self.is_floating_point():
        raise RuntimeError('Exponential distribution is a continuous probability distribution. dtype must '
                           f'be a floating point but you specified {_name(self.dtype)}')
    return _fill(self, generator, lambda r, n: r.exponential(n, lambd, self._data.dtype),
                 lambda g, f: g._draw('exponential', 1.0 / lambd, self.shape, f), ExponentialBackward0)


def geometric_(self, p, *, generator=None):
    p = _num(p, 'geometric_', 'p', 1)
    if not 0 < p < 1:
        raise RuntimeError(f'geometric_ expects p to be in (0, 1), but got p={_fmt(float(p))}')
    if self.is_complex() or self.dtype.name == 'bool':
        raise NotImplementedError(f'"geometric_cpu" not implemented for \'{_name(self.dtype)}\'')
    return _fill(self, generator, lambda r, n: r.geometric(n, p, self._data.dtype),
                 lambda g, f: g._draw('geometric', p, self.shape), GeometricBackward0)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    mean, std = _num(mean, 'log_normal_', 'mean', 1), _num(std, 'log_normal_', 'std', 2)
    _positive(std, 'log_normal_', 'std')
    _check_float(self.dtype, 'log_normal_cpu')
    return _fill(self, generator, lambda r, n: r.log_normal(n, mean, std, self._data.dtype),
                 lambda g, f: g._draw('lognormal', mean, std, self.shape, f), LogNormalBackward0)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    median, sigma = _num(median, 'cauchy_', 'median', 1), _num(sigma, 'cauchy_', 'sigma', 2)
    _positive(sigma, 'cauchy_', 'sigma')
    if not self.is_floating_point():
        from .._tensor import _TYPE_NAMES
        raise RuntimeError('Cauchy distribution is a continuous probability distribution. dtype must be a '
                           f'floating point but you specified {_TYPE_NAMES[self.dtype]}')
    return _fill(self, generator, lambda r, n: r.cauchy(n, median, sigma, self._data.dtype),
                 lambda g, f: median + sigma * g._draw('standard_cauchy', self.shape, f), CauchyBackward0)


FILLERS = {'uniform_': uniform_, 'normal_': normal_, 'bernoulli_': bernoulli_, 'random_': random_,
           'exponential_': exponential_, 'geometric_': geometric_, 'log_normal_': log_normal_,
           'cauchy_': cauchy_}
