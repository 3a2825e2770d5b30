"""Random numbers: Generator, manual_seed, rand/randn/randint/normal/randperm, bernoulli,
multinomial, the *_like forms and the in-place fillers (uniform_, normal_, ...).

Seeded runs are reproducible within ember (NumPy's PCG64); they do not reproduce
PyTorch's random stream."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .creation import _finish, _size


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
    if not d.is_floating_point:
        raise RuntimeError(f'"{fname}" not implemented for \'{_name(d)}\'')
    return d


def _name(d):
    from .._tensor import _scalar_name
    return _scalar_name(d)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    d = _float_dtype(dtype, 'check_uniform_bounds')
    arr = _rng(generator).random(_size(size), dtype=np.float64 if d.np != np.float32 else np.float32)
    return _finish(arr.astype(d.np, copy=False), device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    d = _float_dtype(dtype, 'normal_kernel_cpu')
    arr = _rng(generator).standard_normal(_size(size), dtype=np.float64 if d.np != np.float32 else np.float32)
    return _finish(arr.astype(d.np, copy=False), device, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False):
    if high is None or (size is None and isinstance(high, (tuple, list))):
        low, high, size = 0, low, high
    if size is None:
        raise TypeError('randint() missing 1 required positional argument: \'size\'')
    if low >= high:
        raise RuntimeError(f'random_ expects \'from\' to be less than \'to\', but got from={low} >= to={high}')
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    arr = _rng(generator).integers(low, high, _size((size,)), dtype=np.int64)
    return _finish(arr.astype(d.np), device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    return _finish(_rng(generator).permutation(int(n)).astype(d.np), device, requires_grad)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False):
    rng = _rng(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        m = mean._data if isinstance(mean, Tensor) else mean
        s = std._data if isinstance(std, Tensor) else std
        if np.any(np.asarray(s) < 0):
            raise RuntimeError('normal expects all elements of std >= 0.0')
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
        ref = mean if isinstance(mean, Tensor) else std
        arr = (m + s * rng.standard_normal(shape)).astype(ref._data.dtype)
        return Tensor._make(arr)
    if std < 0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {std}')
    if size is None:
        raise TypeError('normal() received an invalid combination of arguments')
    d = _float_dtype(dtype, 'normal_kernel_cpu')
    arr = mean + std * rng.standard_normal(_size((size,)))
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
                   device=input.device if device is None else device, generator=generator)


def bernoulli(input, p=None, *, generator=None, out=None):
    probs = input._data if p is None else np.full(input.shape, p)
    if np.any((probs < 0) | (probs > 1)):
        raise RuntimeError('Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this '
                           'error message be improved?  If so, please report an enhancement request '
                           'to PyTorch.)')
    arr = (_rng(generator).random(input.shape) < probs).astype(input._data.dtype)
    return Tensor._make(arr)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    p = np.asarray(input._data, dtype=np.float64)
    if p.ndim not in (1, 2):
        raise RuntimeError('prob_dist must be 1 or 2 dim')
    if np.any(p < 0) or not np.all(np.isfinite(p)):
        raise RuntimeError('probability tensor contains either `inf`, `nan` or element < 0')
    rows = p.reshape(-1, p.shape[-1])
    if not replacement and num_samples > rows.shape[1]:
        raise RuntimeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement')
    rng = _rng(generator)
    out = []
    for row in rows:
        total = row.sum()
        if total <= 0:
            raise RuntimeError('invalid multinomial distribution (sum of probabilities <= 0)')
        if not replacement and np.count_nonzero(row) < num_samples:
            raise RuntimeError('invalid multinomial distribution (with replacement=False, not enough '
                               'non-negative category to sample)')
        out.append(rng.choice(row.size, size=num_samples, replace=replacement, p=row / total))
    arr = np.array(out, dtype=np.int64)
    return Tensor._make(arr if p.ndim == 2 else arr[0])


# ------------------------------------------------------------------ in-place fillers

def _fill(self, arr):
    from ._op import write_into, check_inplace
    from ..autograd.grad_mode import is_grad_enabled
    check_inplace(self, is_grad_enabled())
    write_into(self, _on_device(arr, self))
    return self


def _on_device(arr, like):
    if type(like._data) is np.ndarray:
        return arr
    from .._backend import move
    return move(arr, like.device)


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    return _fill(self, _rng(generator).uniform(a, b, self.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    return _fill(self, _rng(generator).normal(mean, std, self.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    return _fill(self, _rng(generator).random(self.shape) < p)


def random_(self, from_=0, to=None, *, generator=None):
    if to is None:
        to = 2 ** 24 if self.is_floating_point() else np.iinfo(self._data.dtype).max
    return _fill(self, _rng(generator).integers(from_, to, self.shape))


def exponential_(self, lambd=1.0, *, generator=None):
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
