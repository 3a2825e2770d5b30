"""The CPU generator's numbers, drawn as PyTorch draws them, so that a seeded program prints the same
tensors under ember as under PyTorch (``manual_seed(0); randn(3)`` is ``[1.5410, -0.2934, -2.1788]``).

PyTorch's CPU generator is a 32-bit Mersenne Twister (MT19937) seeded with the low 32 bits of the seed;
NumPy's MT19937 bit generator, seeded the legacy way, produces the same words. On top of the words, each
distribution follows PyTorch's recipe (facts read off PyTorch's behaviour, checked number by number in
tests/test_random_stream.py):

- a 64-bit draw is two words, the first one high;
- uniform float32/float16/bfloat16: the low 24 bits of a word times 2**-24, then ``x*(to-from)+from`` in
  float32 with one rounding (a fused multiply-add); float64: the low 53 bits of a 64-bit draw times 2**-53;
- normal, float tensors of 16+ contiguous elements: all uniforms first, then Box-Muller over blocks of 16
  (``1-u[j]`` and ``u[j+8]`` give elements j and j+8); a tail of n % 16 redraws the last 16 elements;
  otherwise one element at a time from float64 pairs, the spare (sine) value kept for the next element,
  across calls (it is part of the generator's state);
- integers in [lo, lo+range): ``word % range + lo`` (a 64-bit draw when the range needs it);
- randperm: a Fisher-Yates pass swapping element i with ``i + word % (n - i)``;
- bernoulli, exponential, geometric, cauchy, log-normal: one float64 uniform (or normal) per element.

Distributions without such a recipe here (poisson, gamma, binomial, ...) draw from a NumPy generator
seeded by one 64-bit draw of this stream: reproducible under ember's seed, not PyTorch's numbers.
``state()`` and ``set_state()`` use PyTorch's 5056-byte layout, so states move between the two.
"""
import math
import struct

import numpy as np

MASK24, MASK53 = (1 << 24) - 1, (1 << 53) - 1
_N = 624
_HEAD = struct.Struct('<QiiQ')              # initial seed, left, seeded, next
_TAIL = struct.Struct('<dddii f?3x')        # normal_x, normal_y, normal_rho, normal_is_valid, pad; float cache
STATE_BYTES = _HEAD.size + 8 * _N + _TAIL.size      # 5056, as PyTorch's CPU generator state
_TWO_PI32 = np.float32(2.0 * math.pi)


def _mt_key(seed32):
    """The 624-word key MT19937 starts from for a 32-bit seed (Matsumoto and Nishimura's init_genrand)."""
    return np.random.RandomState(seed32).get_state()[1]


class CPUStream:
    """One CPU generator's stream: the Mersenne Twister words, PyTorch's spare normal value, and the
    transforms. Every method returns draws in the order PyTorch fills a tensor's memory."""
    __slots__ = ('_bg', 'seed', '_fresh', '_spare')

    def __init__(self, seed):
        self._bg = np.random.MT19937(0)
        self.reseed(seed)

    def reseed(self, seed):
        self.seed = seed
        self._bg.state = {'bit_generator': 'MT19937', 'state': {'key': _mt_key(seed & 0xFFFFFFFF), 'pos': _N}}
        self._fresh, self._spare = True, None

    # ---------------------------------------------------------------- words
    def words(self, n):
        """``n`` 32-bit words (as uint64)."""
        self._fresh = False
        return self._bg.random_raw(n)

    def words64(self, n):
        w = self.words(2 * n)
        return (w[0::2] << np.uint64(32)) | w[1::2]

    def doubles(self, n):
        """``n`` float64 uniforms in [0, 1) with 53 random bits."""
        return (self.words64(n) & np.uint64(MASK53)).astype(np.float64) * 2.0 ** -53

    def floats(self, n):
        """``n`` float32 uniforms in [0, 1) with 24 random bits."""
        return (self.words(n) & np.uint64(MASK24)).astype(np.float32) * np.float32(2.0 ** -24)

    # ---------------------------------------------------------------- real distributions
    def uniform(self, n, nd, lo=0.0, hi=1.0):
        """``n`` uniforms in [lo, hi) of NumPy dtype ``nd`` (a floating dtype)."""
        nd = np.dtype(nd)
        if nd == np.float64:
            x = self.doubles(n)
            return x if (lo, hi) == (0.0, 1.0) else x * (hi - lo) + lo
        lo, hi = (np.float32(nd.type(v)) for v in (lo, hi))      # the bounds in the tensor's dtype first
        x = self.floats(n)
        if (lo, hi) != (0.0, 1.0):          # one rounding, as a fused multiply-add (exact product in float64)
            x = (x.astype(np.float64) * np.float64(hi - lo) + np.float64(lo)).astype(np.float32)
        return x if nd == np.float32 else x.astype(nd)

    def normal(self, n, nd, mean=0.0, std=1.0, contiguous=True):
        """``n`` normal draws of dtype ``nd``: the block recipe for 16+ contiguous elements, else the
        element-by-element one (float64 pairs with a spare)."""
        nd = np.dtype(nd)
        if not (contiguous and n >= 16):
            return self._normal_pairs(n, mean, std).astype(nd)
        m = n - n % 16
        draw = self.doubles if nd == np.float64 else self.floats
        # float32/float64 draw all n uniforms first; float16/bfloat16 only the whole blocks' (and compute
        # in float32)
        u = draw(n if nd in (np.float32, np.float64) else m)
        tail = draw(16) if n % 16 else None
        out = self._box_muller(u[:m], nd, mean, std)
        if tail is not None:            # the last 16 elements again, from 16 new uniforms
            out = np.concatenate([out[:n - 16], self._box_muller(tail, nd, mean, std)])
        return out.astype(nd, copy=False)

    @staticmethod
    def _box_muller(u, nd, mean, std):
        """Blocks of 16 uniforms to 16 normals: ``1 - u[j]`` and ``u[j + 8]`` give elements j and j + 8.
        float64 computes in float64, the others in float32 (``std``/``mean`` applied with one rounding)."""
        b = u.reshape(-1, 16)
        if nd == np.float64:
            radius = np.sqrt(-2.0 * np.log(1.0 - b[:, :8]))
            theta = 2.0 * math.pi * b[:, 8:]
            out = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], 1)
            return (out * std + mean).ravel()
        radius = np.sqrt(np.float32(-2.0) * np.log(np.float32(1.0) - b[:, :8]))
        theta = _TWO_PI32 * b[:, 8:]
        out = np.concatenate([radius * np.cos(theta), radius * np.sin(theta)], 1).astype(np.float64)
        return (out * np.float64(np.float32(std)) + np.float64(np.float32(mean))).astype(np.float32).ravel()

    def _normal_pairs(self, n, mean, std):
        out = np.empty(n)
        k = 0
        if n and self._spare is not None:
            out[0], self._spare, k = self._spare, None, 1
        pairs = (n - k + 1) // 2
        if pairs:
            d = self.doubles(2 * pairs)
            r = np.sqrt(-2.0 * np.log1p(-d[1::2]))
            theta = 2.0 * math.pi * d[0::2]
            v = np.empty(2 * pairs)
            v[0::2], v[1::2] = r * np.cos(theta), r * np.sin(theta)
            out[k:] = v[:n - k]
            if (n - k) % 2:
                self._spare = float(v[-1])
        return out * std + mean

    def exponential(self, n, lambd):
        return -1.0 / lambd * np.log1p(-self.doubles(n))

    def geometric(self, n, p):
        return np.ceil(np.log(self.doubles(n)) / math.log1p(-p))

    def cauchy(self, n, median, sigma):
        return median + sigma * np.tan(math.pi * (self.doubles(n) - 0.5))

    def log_normal(self, n, mean, std):
        return np.exp(self._normal_pairs(n, mean, std))

    def bernoulli(self, p, n=None):
        """0/1 draws (bool): ``p`` a float (``n`` draws, float64 uniforms) or an array of probabilities,
        compared with float64 uniforms when float64, else with float32 ones."""
        if n is not None:
            return self.doubles(n) < p
        p = np.asarray(p).ravel()
        if p.dtype == np.float64:
            return self.doubles(p.size) < p
        return self.floats(p.size) < p.astype(np.float32)

    # ---------------------------------------------------------------- integers
    def from_to(self, n, lo, span, wide=True):
        """``n`` integers ``lo + word % span`` (int64; a 64-bit draw when ``span`` >= 2**32 and ``wide``:
        the dtype is int64, float32, float64 or bfloat16). ``span`` 2**64: the full 64-bit range."""
        if span >= 1 << 64:
            return self.words64(n).view(np.int64)
        w = self.words64(n) if span >= 1 << 32 and wide else self.words(n)
        return ((w % np.uint64(span)) + np.uint64(lo & ((1 << 64) - 1))).view(np.int64)

    def permutation(self, n):
        """PyTorch's CPU randperm: a Fisher-Yates pass from the front."""
        if n < 2:
            return np.arange(n, dtype=np.int64)
        z = (self.words(n - 1) % np.arange(n, 1, -1, dtype=np.uint64)).tolist()
        p = list(range(n))
        for i, k in enumerate(z):
            j = i + k
            p[i], p[j] = p[j], p[i]
        return np.array(p, dtype=np.int64)

    # ---------------------------------------------------------------- the rest
    def numpy_generator(self):
        """A NumPy Generator seeded from this stream (one 64-bit draw): for distributions without
        PyTorch's recipe here."""
        return np.random.default_rng(int(self.words64(1)[0]))

    def __getattr__(self, name):            # rng.poisson(...), rng.gamma(...), ...
        if name.startswith('_'):
            raise AttributeError(name)
        return getattr(self.numpy_generator(), name)

    # ---------------------------------------------------------------- state, in PyTorch's layout
    def state(self):
        st = self._bg.state['state']
        pos = int(st['pos'])
        nxt = 0 if self._fresh else pos
        spare = self._spare
        head = _HEAD.pack(self.seed & ((1 << 64) - 1), _N + 1 - pos, 1, nxt)
        key = np.asarray(st['key'], dtype=np.uint64).astype('<u8').tobytes()
        tail = _TAIL.pack(0.0, 0.0 if spare is None else spare, 0.0, spare is not None, 0, 0.0, False)
        return head + key + tail

    def set_state(self, raw):
        """Restore from ``state()``'s bytes (or PyTorch's); RuntimeError on a wrong size or layout."""
        if len(raw) != STATE_BYTES:
            raise RuntimeError('Expected either a THGeneratorState of size 5048 or a CPUGeneratorImplState of '
                               f'size 5056 but found the input RNG state size to be {len(raw)}')
        seed, left, _seeded, nxt = _HEAD.unpack_from(raw)
        key = np.frombuffer(raw, '<u8', _N, _HEAD.size)
        _x, spare, _rho, valid, _pad, _f, _fv = _TAIL.unpack_from(raw, _HEAD.size + 8 * _N)
        if not 1 <= left <= _N or nxt > _N:
            raise RuntimeError('The legacy_pod state is invalid')
        self._bg.state = {'bit_generator': 'MT19937',
                          'state': {'key': (key & np.uint64(0xFFFFFFFF)).astype(np.uint32), 'pos': _N + 1 - left}}
        self.seed, self._fresh = seed, nxt == 0 and left == 1
        self._spare = spare if valid else None
