"""Random numbers: Generator, manual_seed, rand/randn/normal/randperm and the *_like forms (bernoulli,
multinomial, poisson and the in-place fillers are in random_fill.py, randint in random_int.py). CUDA tensors
get numbers drawn on their GPU (CuPy/cuRAND), one generator per GPU. On the CPU, a seeded run draws
PyTorch's own numbers (cpu_stream.py: its Mersenne Twister and transforms); a GPU's stream is ember's
(seeded, reproducible within ember), and differs from the CPU's as in PyTorch."""
import math
import sys

import numpy as np

from .. import _dtype
from .._device import default_for
from .._tensor import Tensor, _scalar_name as _name
from ._op import Op
from . import _devices
from .creation import _HOST, _finish, _size, zeros
from .creation_args import _into_out
from .ranges import _fmt
from .cpu_stream import CPUStream


_DEFAULT_SEED = 67280421310721
_PHILOX = 161       # cuRAND's CURAND_RNG_PSEUDO_PHILOX4_32_10: reseeding it costs no state set-up
_M64 = (1 << 64) - 1


def _mix(seed, offset):
    """splitmix64 of (seed, offset): the cuRAND seed of a CUDA generator's ``offset``-th draw."""
    z = (seed + (offset + 1) * 0x9E3779B97F4A7C15) & _M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


class Generator:
    """A source of random numbers; ``manual_seed`` makes its stream reproducible. On the CPU it is PyTorch's
    stream (``cpu_stream.CPUStream``): the same seed gives PyTorch's numbers. On a GPU it draws with a CuPy RandomState (cuRAND Philox); its whole state is (seed, offset) as in
    PyTorch: draw number ``offset`` reseeds cuRAND with a hash of the two, so ``get_state``/``set_state``
    round-trip exactly without reading cuRAND's internal position (which its API doesn't expose)."""

    def __init__(self, device='cpu'):
        from .._device import as_device, device as _dev
        self.device = as_device(device)
        self._seed = _DEFAULT_SEED
        if self.device.type == 'cuda':
            from .._backend import check_cuda
            check_cuda()
            if self.device.index is None:
                import cupy
                self.device = _dev('cuda', cupy.cuda.runtime.getDevice())
            self._offset, self._rs, self._install = 0, None, False
        else:
            self._rng = CPUStream(self._seed)

    def manual_seed(self, seed):
        if not -(1 << 63) <= (seed := int(seed)) < (1 << 64):
            raise ValueError('Overflow when unpacking long long')
        if seed < 0:
            seed += 1 << 64
        self._seed = seed
        if self.device.type == 'cuda':
            self._offset = 0
        else:
            self._rng.reseed(seed)
        return self

    def seed(self):
        s = int(np.random.SeedSequence().entropy) & ((1 << 63) - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        if self.device.type == 'cuda':      # 16 bytes: seed and offset, as PyTorch's CUDA state
            raw = (self._seed & _M64).to_bytes(8, 'little') + self._offset.to_bytes(8, 'little')
        else:                               # PyTorch's 5056-byte CPU generator state
            raw = self._rng.state()
        return Tensor._make(np.frombuffer(raw, np.uint8).copy())

    def set_state(self, state):
        if getattr(state, 'dtype', None) is not _dtype.uint8:      # PyTorch's two refusals
            raise TypeError('RNG state must be a ember.ByteTensor' if hasattr(state, 'dtype') else
                            f'expected a ember.ByteTensor, but got {type(state).__name__}')
        raw = bytes(state._data.tolist())
        if self.device.type == 'cuda':
            if len(raw) not in (8, 16):
                raise RuntimeError('RNG state is wrong size')
            self._seed = int.from_bytes(raw[:8], 'little')
            self._offset = int.from_bytes(raw[8:], 'little')
            return self
        self._rng.set_state(raw)
        self._seed = self._rng.seed
        return self

    def _draw(self, method, *args, cast=None, **kwargs):
        """``RandomState.method(*args)`` on this generator's GPU, cast to ``cast`` there."""
        import cupy
        with cupy.cuda.Device(self.device.index):
            rs = self._rs
            if rs is None:
                rs = self._rs = cupy.random.RandomState(method=_PHILOX)
                if self._install:           # a GPU's default generator is CuPy's one for that GPU
                    cupy.random.set_random_state(rs)
            rs.seed(_mix(self._seed, self._offset))
            self._offset += 1
            r = getattr(rs, method)(*args, **kwargs)
            if 'size' in kwargs:            # a 0-dim size gives a 0-dim array
                r = r.reshape(kwargs['size'])
            return r if cast is None else r.astype(cast, copy=False)


default_generator = Generator()
default_generator.seed()             # as PyTorch: an unseeded program draws different numbers each run
_cuda_generators = {}               # GPU index -> its default Generator (made on first use)
_cuda_seed = [_DEFAULT_SEED]        # the seed those start from (manual_seed sets it)


def cuda_generator(index):
    """The default generator of GPU ``index``."""
    g = _cuda_generators.get(index)
    if g is None:
        g = Generator(f'cuda:{index}').manual_seed(_cuda_seed[0])
        g._install = True
        _cuda_generators[index] = g
    return g


def cuda_manual_seed_all(seed):
    """Seeds every GPU's default generator, those not made yet included (no CUDA needed)."""
    _cuda_seed[0] = int(seed) + (1 << 64 if int(seed) < 0 else 0)
    for g in _cuda_generators.values():
        g.manual_seed(seed)


def _rng(generator):
    g = generator or default_generator
    if g.device.type != 'cpu':
        raise RuntimeError(f"Expected a 'cpu' device type for generator but found '{g.device.type}'")
    return g._rng


def _cuda_gen(generator, device):
    """The CUDA generator that draws for ``device``; None where ``device`` is not a GPU, or where
    the caller gave a CPU generator: that one draws on the host and the result is copied (PyTorch
    refuses; ember keeps CPU-seeded code such as ``nn.init.*(generator=...)`` working)."""
    d = default_for(device)
    if d is None or d.type != 'cuda':
        return None
    if generator is None:
        if d.index is None:
            import cupy
            return cuda_generator(cupy.cuda.runtime.getDevice())
        return cuda_generator(d.index)
    return generator if generator.device.type == 'cuda' else None


def _src(generator, t):
    """What draws for tensor ``t``: a NumPy Generator on the CPU, a CUDA Generator on a GPU."""
    if type(t._data) is np.ndarray:
        return _rng(generator)
    if generator is not None and generator.device.type != 'cuda':
        from .random_fill import HostDraws
        return HostDraws(generator._rng.numpy_generator(), t._data)
    return _cuda_gen(generator, t.device)


def _on(arr):
    """The context that computes on ``arr``'s device (none for host arrays)."""
    return _HOST if type(arr) is np.ndarray else _devices.guard(arr)


def _fdt(nd):
    """The float dtype CuPy draws in for NumPy dtype ``nd`` (float32/float64; complex: its parts')."""
    return np.float64 if nd in (np.float64, np.complex128) else np.float32


def _paired(t, device, requires_grad, scale=1.0):
    """The complex tensor whose (real, imaginary) parts are the pairs along real ``t``'s last dim."""
    a = t._data
    z = a.view(np.result_type(a.dtype, np.complex64))[..., 0]
    if scale != 1.0:
        z *= a.dtype.type(scale)
    return _finish(z, device, requires_grad)


def _memory_axes(a):
    """a's axes from the largest stride to the smallest: PyTorch fills a tensor in its memory order."""
    return sorted(range(a.ndim), key=lambda i: -abs(a.strides[i]))


def placed(a, flat):
    """An array shaped like ``a`` holding ``flat`` in ``a``'s memory order."""
    if a.flags.c_contiguous:
        return flat.reshape(a.shape)
    axes = _memory_axes(a)
    out = np.empty(a.shape, flat.dtype)
    out.transpose(axes)[...] = flat.reshape([a.shape[i] for i in axes])
    return out


def manual_seed(seed):
    default_generator.manual_seed(seed)
    cuda_manual_seed_all(seed)
    return default_generator


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _float_dtype(dtype, fname):
    d = _dtype.get_default_dtype() if dtype is None else _dtype.to_dtype(dtype)
    if not d.is_complex:
        _check_float(d, fname)
    return d


def _check_float(d, fname):
    if not d.is_floating_point:
        raise NotImplementedError(f'"{fname}" not implemented for \'{_name(d)}\'')


def _size_keyword(name, size, kw):
    """``rand(size=(2, 3))``: PyTorch's keyword form of the size."""
    if set(kw) != {'size'}:
        raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(set(kw) - {'size'}))}'")
    from .creation import _size_kw
    return _size_kw(name, size, kw['size'])


def with_out(fn):
    """``fn(..., out=t)``: the numbers drawn in t's dtype on t's device, then written into t (resized when
    its shape differs), with PyTorch's checks (creation_args._into_out)."""
    def f(*args, out=None, dtype=None, device=None, requires_grad=False, **kw):
        if out is None:
            return fn(*args, dtype=dtype, device=device, requires_grad=requires_grad, **kw)
        return _into_out(out, fn.__name__, dtype, requires_grad, lambda dt, dev: fn(*args, dtype=dt, device=dev, **kw))
    f.__name__, f.__qualname__, f.__doc__, f.__wrapped__ = fn.__name__, fn.__qualname__, fn.__doc__, fn
    return f


def _bare_call(frame):
    """Whether the call running in ``frame`` passed no argument at all (PyTorch's parser then names no
    overload; with a keyword it reports the missing size). Read on the error path only."""
    from .argcheck import call_form
    while frame is not None and frame.f_code.co_filename == __file__ and frame.f_code.co_name == 'f':
        frame = frame.f_back                # with_out's wrapper
    return frame is not None and call_form(frame) == (0, ())


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kw):
    check_generator(generator, 'rand', size)
    if kw:
        size = _size_keyword('rand', size, kw)
    elif not size and _bare_call(sys._getframe(1)):
        raise TypeError('rand() received an invalid combination of arguments - got (), but expected one of:')
    d = _float_dtype(dtype, 'check_uniform_bounds')
    shape, g = _size(size, 'rand'), _cuda_gen(generator, device)
    if d.is_complex:            # both parts uniform in [0, 1)
        return _paired(rand(shape + (2,), generator=generator, dtype=d.to_real(), device=device), device,
                       requires_grad)
    if g is not None:
        return _finish(g._draw('random_sample', size=shape, dtype=_fdt(d.np), cast=d.np), device, requires_grad)
    arr = _rng(generator).uniform(math.prod(shape), d.np).reshape(shape)
    return _finish(arr, device, requires_grad)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kw):
    check_generator(generator, 'randn', size)
    if kw:
        size = _size_keyword('randn', size, kw)
    elif not size and _bare_call(sys._getframe(1)):
        raise TypeError('randn() received an invalid combination of arguments - got (), but expected one of:')
    d = _float_dtype(dtype, 'normal_kernel_cpu')
    shape, g = _size(size, 'randn'), _cuda_gen(generator, device)
    if d.is_complex:            # each part drawn as Normal(0, 1/sqrt(2)), as PyTorch's normal_ on the real view
        from .random_normal import normal
        return _paired(normal(0.0, 1 / math.sqrt(2), shape + (2,), generator=generator, dtype=d.to_real(),
                              device=device), device, requires_grad)
    if g is not None:
        arr = g._draw('standard_normal', size=shape, dtype=_fdt(d.np), cast=d.np)
        return _finish(arr, device, requires_grad)
    arr = _rng(generator).normal(math.prod(shape), d.np).reshape(shape)
    return _finish(arr, device, requires_grad)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    check_generator(generator, 'randperm', (n,))
    d = _dtype.int64 if dtype is None else _dtype.to_dtype(dtype)
    if d is _dtype.bool_ or d.is_complex:
        raise NotImplementedError(f'"randperm" not implemented for \'{_name(d)}\'')
    n = int(n)
    if n < 0:
        raise RuntimeError(f'Trying to create tensor with negative dimension {n}: [{n}]')
    g = _cuda_gen(generator, device)
    if g is not None:
        return _finish(g._draw('permutation', n, cast=d.np), device, requires_grad)
    return _finish(_rng(generator).permutation(n).astype(d.np), device, requires_grad)


rand, randn, randperm = with_out(rand), with_out(randn), with_out(randperm)


def _check_std(std):
    if not std >= 0:
        raise RuntimeError(f'normal expects std >= 0.0, but found std {_fmt(float(std))}')


class _RandomOp(Op):
    """Sampling from tensors: PyTorch's gradient for every input is zero (the output still requires grad)."""

    def backward(self, grad):
        return tuple(None if node is None else zeros(shape, dtype=grad.dtype, device=grad.device)
                     for (node, _), shape in zip(self._next, self.shapes))


def _like(fn):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
             generator=None, pin_memory=False):
        if not isinstance(input, Tensor):           # the parser's TypeError
            _not_tensor_like(fn.__name__ + '_like', input, dtype=dtype, layout=layout, device=device,
                             requires_grad=requires_grad, memory_format=memory_format, generator=generator,
                             pin_memory=pin_memory)
        check_generator(generator, fn.__name__ + '_like', (input,))
        return fn(input.shape, dtype=input.dtype if dtype is None else dtype,
                  device=input.device if device is None else device, requires_grad=requires_grad,
                  generator=generator)
    return like


def _not_tensor_like(name, input, **kw):
    from .argcheck import need_tensor, invalid_combination
    given = {k: v for k, v in kw.items() if v is not None and v is not False}
    if given:                                   # keywords make it no overload's call
        raise invalid_combination(name, (input,), given)
    need_tensor(name, input)


rand_like, randn_like = _like(rand), _like(randn)


def check_generator(generator, fname, args=None):
    """A generator= that is no Generator: PyTorch's TypeError (the parser's 'invalid combination'
    form where the function is overloaded; ``args``: the positional arguments it got)."""
    if generator is None or isinstance(generator, Generator):
        return
    t = type(generator).__name__
    if args is None:
        raise TypeError(f"{fname}(): argument 'generator' must be ember.Generator, not {t}")
    got = ', '.join([type(a).__name__ for a in args] + [f'generator={t}']) if args else f'generator={t}, '
    raise TypeError(f'{fname}() received an invalid combination of arguments - got ({got}), but expected one of:')


def _check_p(p):
    if not 0 <= p <= 1:
        raise RuntimeError(f'bernoulli_ expects p to be in [0, 1], but got p={_fmt(float(p))}')


def __getattr__(name):      # the samplers shaped by a tensor live with the in-place fillers
    if name in ('normal', 'NormalBackward1', 'NormalBackward2', 'NormalBackward3'):
        from . import random_normal
        return getattr(random_normal, name)
    if name in ('randint', 'randint_like'):
        from . import random_int
        return getattr(random_int, name)
    if name in ('bernoulli', 'multinomial', 'poisson', 'binomial', 'BernoulliBackward0', 'PoissonBackward0'):
        from . import random_fill
        return getattr(random_fill, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

