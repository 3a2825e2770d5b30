"""Random numbers: Generator, manual_seed, rand/randn/randint/normal/randperm, bernoulli,
multinomial and the *_like forms (the in-place fillers are in random_fill.py).

Seeded runs are reproducible within ember (NumPy's PCG64); they do not reproduce
PyTorch's random stream."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor, xp_of
from ._op import Op, apply
from .creation import _finish, _size, _is_int, zeros
from .ranges import _fmt


class Generator:
    """A source of random numbers; ``manual_seed`` makes its stream reproducible."""

    def __init__(self, device='cpu'):
        from .._device import as_device
        self.device = as_device(device)
        self._seed = 67280421310721
        self._rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            seed += 1 << 64
        self._seed = seed
        self._rng = np.random.default_rng(seed)
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy) & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        import json
        state = json.dumps(self._rng.bit_generator.state).encode()
        return Tensor._make(np.frombuffer(state, np.uint8).copy())

    def set_state(self, state):
        import json
        self._rng.bit_generator.state = json.loads(bytes(state._data.tolist()).decode())
        return self


default_generator = Generator()


def _rng(generator):
    return (generator or default_generator)._rng


def manual_seed(seed):
    default_generator.manual_seed(seed)
    try:
        from .. import cuda
        cuda.manual_seed_all(seed)
    except Exception:  # noqa: BLE001 - CUDA seeding is best effort on machines without a GPU
        pass
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _float_dtype(dtype, fname):
    d = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    _check_float(d, fname)
    return d


def _check_float(d, fname):
    if not d.is_floating_point:
        raise NotImplementedError(f'"{fname}" not implemented for \'{_name(d)}\'')


def _name(d):
    from .._tensor import _scalar_name
    return _scalar_name(d)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    d = _float_dtype(dtype, 'check_uniform_bounds')
    arr = _rng(generator).random(_size(size, 'rand'), dtype=np.float64 if d.np != np.float32 else np.float32)
    return _finish(arr.astype(d.np, copy=False), device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    d = _float_dtype(dtype, 'normal_kernel_cpu')
    arr = _rng(generator).standard_normal(_size(size, 'randn'),
                                          dtype=np.float64 if d.np != np.float32 else np.float32)
    return _finish(arr.astype(d.np, copy=False), device, requires_grad)


# C++ names in randint's bound errors
_CPP_NAMES = {'bool': 'bool', 'uint8': 'unsigned char', 'int8': 'signed char', 'int16': 'short int',
              'int32': 'int', 'int64': 'long int'}


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    size_pos = 3
    if size is None and (high is None or isinstance(high, (tuple, list))):
        low, high, size, size_pos = 0, low, high, 2
    if size is None:
        if high is not None:
            raise TypeError(f"randint(): argument 'size' (position 2) must be tuple of ints, not "
                            f'{type(high).__name__}')
        raise TypeError('randint() missing 1 required positional argument: \'size\'')
    for name, v, pos in (('low', low, 1), ('high', high, 2 if size_pos == 3 else 1)):
        if not _is_int(v):
            raise TypeError(f"randint(): argument '{name}' (position {pos}) must be int, not "
                            f'{type(v).__name__}')
    low, high = int(low), int(high)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    if not d.is_floating_point:
        info = np.iinfo(d.np) if d is not _dtype.bool_ else None
        lo, hi = (0, 1) if info is None else (info.min, info.max)
        if low < lo or low > hi:
            raise RuntimeError(f'from is out of bounds for {_CPP_NAMES[d.name]}')
        if high - 1 < lo or high - 1 > hi:
            raise RuntimeError(f'to - 1 is out of bounds for {_CPP_NAMES[d.name]}')
    arr = _rng(generator).integers(low, high, _size((size,), 'randint', size_pos), dtype=np.int64)
    return _finish(arr.astype(d.np), device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    if d is _dtype.bool_:
        raise NotImplementedError('"randperm" not implemented for \'Bool\'')
    n = int(n)
    if n < 0:
        raise RuntimeError(f'Trying to create tensor with negative dimension {n}: [{n}]')
    return _finish(_rng(generator).permutation(n).astype(d.np), device, requires_grad)


def _check_std(std):
    if std < 0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {_fmt(float(std))}')


class _RandomOp(Op):
    """Random sampling from tensors: the samples don't depend smoothly on the inputs, so
    PyTorch's gradient for every input is zero (but the output still requires grad)."""

    def backward(self, grad):
        return tuple(None if node is None else zeros(shape, dtype=grad.dtype, device=grad.device)
                     for (node, _), shape in zip(self._next, self.shapes))


def _host_to(arr, like):
    """A host array of random numbers, moved to the device of array ``like``."""
    return arr if type(like) is np.ndarray else xp_of(like).asarray(arr)


class _Normal(_RandomOp):
    def forward(self, mean, std, rng=None):
        self.shapes = (np.shape(mean), np.shape(std))
        ref = mean if hasattr(mean, 'dtype') else std
        shape = np.broadcast_shapes(np.shape(mean), np.shape(std))
        return (mean + std * _host_to(rng.standard_normal(shape), ref)).astype(ref.dtype)


class NormalBackward1(_Normal):     # normal(Tensor mean, float std)
    pass


class NormalBackward2(_Normal):     # normal(float mean, Tensor std)
    pass


class NormalBackward3(_Normal):     # normal(Tensor mean, Tensor std)
    pass


class BernoulliBackward0(_RandomOp):
    def forward(self, probs, rng=None):
        self.shapes = (probs.shape,)
        return (_host_to(rng.random(probs.shape), probs) < probs).astype(probs.dtype)


class PoissonBackward0(_RandomOp):
    def forward(self, rates, rng=None):
        self.shapes = (rates.shape,)
        return _host_to(rng.poisson(np.asarray(rates, dtype=np.float64)), rates).astype(rates.dtype)


def poisson(input, generator=None):
    """Samples from Poisson distributions with the rates in ``input`` (same shape and dtype)."""
    _check_float(input.dtype, 'poisson_cpu')
    if np.any(input._data < 0):
        raise RuntimeError('invalid Poisson rate, expected rate to be non-negative')
    return apply(PoissonBackward0, input, rng=_rng(generator))


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False):
    rng = _rng(generator)
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    if tm or ts:
        if size is not None:
            raise TypeError('normal() received an invalid combination of arguments')
        _check_float((mean if tm else std).dtype, 'normal_kernel_cpu')
        if ts:
            if np.any(std._data < 0):
                raise RuntimeError('normal expects all elements of std >= 0.0')
        else:
            _check_std(std)
        cls = NormalBackward3 if tm and ts else NormalBackward1 if tm else NormalBackward2
        return apply(cls, mean, std, rng=rng)
    _check_std(std)
    if size is None:
        raise TypeError('normal() received an invalid combination of arguments')
    d = _float_dtype(dtype, 'normal_kernel_cpu')
    arr = mean + std * rng.standard_normal(_size((size,), 'normal', 3))
    return _finish(arr.astype(d.np), device, requires_grad)


def _like(fn):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
             generator=None):
        return fn(input.shape, dtype=input.dtype if dtype is None else dtype,
                  device=input.device if device is None else device, requires_grad=requires_grad,
                  generator=generator)
    return like


rand_like = _like(rand)
randn_like = _like(randn)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 memory_format=None, generator=None):
    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=input.dtype if dtype is None else dtype,
                   device=input.device if device is None else device, generator=generator,
                   requires_grad=requires_grad)


def _check_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f'bernoulli_ expects p to be in [0, 1], but got p={_fmt(float(p))}')


def bernoulli(input, p=None, *, generator=None, out=None):
    if p is not None:
        _check_p(p)
        arr = (_rng(generator).random(input.shape) < p).astype(input._data.dtype)
        return Tensor._make(_on_device(arr, input))
    _check_float(input.dtype, 'bernoulli_tensor_cpu_p_')
    probs = input._data
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError('Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this '
                           'error message be improved?  If so, please report an enhancement request '
                           'to PyTorch.)')
    return apply(BernoulliBackward0, input, rng=_rng(generator))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    if not input.is_floating_point():
        raise RuntimeError('multinomial only supports floating-point dtypes for input, got: '
                           f'{_name(input.dtype)}')
    p = np.asarray(input._data, dtype=np.float64)
    if p.ndim not in (1, 2):
        raise RuntimeError('prob_dist must be 1 or 2 dim')
    if num_samples <= 0:
        raise RuntimeError('cannot sample n_sample <= 0 samples')
    rows = p.reshape(-1, p.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement')
    if np.any(p < 0) or not np.all(np.isfinite(p)):
        raise RuntimeError('probability tensor contains either `inf`, `nan` or element < 0')
    totals = rows.sum(1)
    if np.any(totals <= 0):
        raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
    rng = _rng(generator)
    if replacement:         # inverse CDF: one uniform number per sample
        cdf = np.cumsum(rows / totals[:, None], axis=1)
        u = rng.random((rows.shape[0], num_samples))
        arr = np.stack([np.searchsorted(c, x, side='right') for c, x in zip(cdf, u)])
        arr = np.minimum(arr, rows.shape[1] - 1)
    else:                   # PyTorch's algorithm: the top-k of p / Exp(1) noise
        q = rows / rng.exponential(1.0, rows.shape)
        arr = np.argsort(-q, axis=1, kind='stable')[:, :num_samples]
    arr = arr.astype(np.int64)
    return Tensor._make(_on_device(arr if p.ndim == 2 else arr[0], input))


def _on_device(arr, like):
    if type(like._data) is np.ndarray:
        return arr
    from .._backend import move
    return move(arr, like.device)
