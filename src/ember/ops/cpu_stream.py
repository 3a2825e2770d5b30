"""The CPU generator's numbers, drawn as PyTorch draws them, so that a seeded program prints the same
tensors under ember as under PyTorch (``manual_seed(0); randn(3)`` is ``[1.5410, -0.2934, -2.1788]``).

PyTorch's CPU generator is a 32-bit Mersenne Twister (MT19937) seeded with the low 32 bits of the seed;
NumPy's MT19937 bit generator, seeded the legacy way, produces the same words. On top of the words, each
distribution follows PyTorch's recipe (facts read off PyTorch's behaviour, checked number by number in
tests/test_random_stream.py):

- a 64-bit draw is two words, the first one high;
- uniform float32/float16/bfloat16: the low 24 bits of a word times 2**-24, then ``x*(to-from)+from`` in
  float32 with float32 bounds and one rounding (a fused multiply-add), then the tensor's dtype; float64:
  the low 53 bits of a 64-bit draw times 2**-53, the same fused in float64; a value equal to ``to`` (in
  the tensor's dtype) becomes ``from``;
- normal, float tensors of 16+ contiguous elements: all uniforms first, then Box-Muller over blocks of 16
  (``1-u[j]`` and ``u[j+8]`` give elements j and j+8; float32/16/bfloat16 with avx_mathfun's float32
  log and sincos); a tail of n % 16 redraws the last 16 elements; otherwise one element at a time from
  float64 pairs, the spare (sine) value kept for the next element, across calls (it is part of the
  generator's state); ``n*std + mean`` fused;
- integers in [lo, lo+range): ``word % range + lo`` (a 64-bit draw when the range needs it);
- randperm: a Fisher-Yates pass swapping element i with ``i + word % (n - i)``;
- bernoulli, exponential, geometric, cauchy, log-normal: one float64 uniform (or normal) per element,
  through the C library's log1p/log/tan/exp (cpu_stream_math.py has the exact arithmetic).

Poisson, gamma, binomial and Dirichlet are PyTorch's CPU samplers on this stream (cpu_samplers.py).
A CPU generator drawing for a GPU tensor (which PyTorch refuses) uses ``numpy_generator()``.
``state()`` and ``set_state()`` use PyTorch's 5056-byte layout, so states move between the two.
"""
import math
import struct
import sys

import numpy as np

from .cpu_stream_math import box_muller_avx2, libm
from .fma import fma32, fma64

MASK24, MASK53 = (1 << 24) - 1, (1 << 53) - 1
_N = 624
_HEAD = struct.Struct('<QiiQ')              # initial seed, left, seeded, next
_TAIL = struct.Struct('<dddii f?3x')        # normal_x, normal_y, normal_rho, normal_is_valid, pad; float cache
STATE_BYTES = _HEAD.size + 8 * _N + _TAIL.size      # 5056, as PyTorch's CPU generator state


def _seed_bits(bg, seed32):
    """Put MT19937 ``bg`` at the start of a 32-bit seed's stream (Matsumoto and Nishimura's
    init_genrand, as NumPy's legacy seeding does it; its private method where it has one: building a
    RandomState for the key costs a second bit generator)."""
    legacy = getattr(bg, '_legacy_seeding', None)
    if legacy is not None:
        legacy(seed32)
        return
    key = np.random.RandomState(seed32).get_state()[1]
    bg.state = {'bit_generator': 'MT19937', 'state': {'key': key, 'pos': _N}}


def _cast(x, nd):
    """float64 ``x`` in dtype ``nd`` (None: as is) as C++'s conversion makes it: float16 and bfloat16
    through float32 (two roundings)."""
    if nd is None:
        return x
    nd = np.dtype(nd)
    return x.astype(np.float32).astype(nd) if nd.kind in 'fV' and nd.itemsize == 2 else x.astype(nd)


def _fisher_yates(z):
    """The permutation of range(n) that swapping positions i and j_i = i + z[i], for i = 0 .. n-2 in turn,
    leaves; without the sequential loop. Position i is final after step i: it gets what sat at j_i then,
    which is what the previous step with the same target left there, or j_i itself. A step k leaves V(k),
    what position k held at step k: V(k') of the last earlier step k' that targeted k, or k. Those links
    point backwards and are followed (pointer doubling) until every chain reaches an untouched position."""
    n = len(z) + 1
    it = np.int32 if n < 1 << 31 else np.int64
    sh = (n - 1).bit_length()
    key = np.arange(n - 1, dtype=np.int64)
    key += z.astype(np.int64)                   # j_i = i + z_i
    key <<= sh
    key |= np.arange(n - 1, dtype=np.int64)     # (target, step) in one integer
    key.sort()                                  # the steps by target, each target's in step order
    tgt = (key >> sh).astype(it)
    stp = (key & ((1 << sh) - 1)).astype(it)
    same = tgt[1:] == tgt[:-1]                  # sorted position p + 1 has a previous step p with its target
    end = np.flatnonzero(~same)                 # the last step of each target (but the final one)
    end = np.append(end, n - 2)
    lt, lk = tgt[end], stp[end]
    # V(t), what position t holds at step t: V(k) of the last earlier step k targeting t, else t. A step
    # targeting itself is its target's last: then the one before it, if it shares the target
    selfhit = np.flatnonzero(lk == lt)
    prev = selfhit[end[selfhit] > 0]
    pe = end[prev] - 1
    ok = tgt[pe] == lt[prev]
    link = np.full(n, -1, it)
    link[lt] = lk
    link[lt[selfhit]] = -1
    link[lt[prev[ok]]] = stp[pe[ok]]
    root = np.flatnonzero(link < 0).astype(it)
    link[root] = root                           # an untouched position: its own value
    todo = np.flatnonzero(link != np.arange(n, dtype=it))
    while todo.size:                            # pointer doubling, while some chain has not reached a root
        at = link[todo]
        nxt = link[at]
        link[todo] = nxt
        todo = todo[nxt != at]
    # step at sorted position p takes what the previous step with its target left there, else the target
    prev_v = link[stp[:-1]]
    prev_v -= tgt[1:]
    prev_v *= same
    prev_v += tgt[1:]
    out = np.empty(n, it)
    out[stp[0]] = tgt[0]
    out[stp[1:]] = prev_v
    out[-1] = link[-1]
    return out.astype(np.int64)


class CPUStream:
    """One CPU generator's stream: the Mersenne Twister words, PyTorch's spare normal value, and the
    transforms. Every method returns draws in the order PyTorch fills a tensor's memory."""
    __slots__ = ('_bg', 'seed', '_fresh', '_spare')

    def __init__(self, seed):
        self._bg = np.random.MT19937(0)
        self.reseed(seed)

    def reseed(self, seed):
        self.seed = seed
        _seed_bits(self._bg, seed & 0xFFFFFFFF)
        self._fresh, self._spare = True, None

    # ---------------------------------------------------------------- words
    def words(self, n):
        """``n`` 32-bit words (as uint64)."""
        if n:
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
        """``n`` uniforms in [lo, hi) of NumPy dtype ``nd`` (a floating dtype): ``x*(hi-lo)+lo`` fused, in
        float64 for float64, else in float32 with float32 bounds, then in ``nd``; a value that lands on
        ``hi`` becomes ``lo``."""
        nd = np.dtype(nd)
        if nd == np.float64:
            if (lo, hi) == (0.0, 1.0):
                return self.doubles(n)
            x = fma64(self.doubles(n), hi - lo, lo)
            return np.where(x == hi, lo, x)
        lo, hi = np.float32(lo), np.float32(hi)
        x = self.floats(n)
        if (lo, hi) != (0.0, 1.0):
            x = fma32(x, hi - lo, lo)
        x = x.astype(nd, copy=False)
        if nd == np.float32 and (lo, hi) == (0.0, 1.0):
            return x
        return np.where(x == nd.type(hi), nd.type(lo), x)

    def normal(self, n, nd, mean=0.0, std=1.0, contiguous=True):
        """``n`` normal draws of dtype ``nd``: the block recipe for 16+ contiguous elements, else the
        element-by-element one (float64 pairs with a spare)."""
        nd = np.dtype(nd)
        if not (contiguous and n >= 16):
            return _cast(self._normal_pairs(n, mean, std), nd)
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
        float64 with the C library's log/cos/sin; the others with avx_mathfun's float32 ones."""
        if nd != np.float64:
            return box_muller_avx2(u, mean, std)
        b = u.reshape(-1, 16)
        radius = np.sqrt(-2.0 * libm('log', 1.0 - b[:, :8]))
        theta = 2.0 * math.pi * b[:, 8:]
        out = np.concatenate([radius * libm('cos', theta), radius * libm('sin', theta)], 1).ravel()
        return out if (mean, std) == (0.0, 1.0) else fma64(out, std, mean)

    def _normal_pairs(self, n, mean, std):
        out = np.empty(n)
        k = 0
        if n and self._spare is not None:
            out[0], self._spare, k = self._spare, None, 1
        pairs = (n - k + 1) // 2
        if pairs:
            d = self.doubles(2 * pairs)
            r = np.sqrt(-2.0 * libm('log1p', -d[1::2]))
            theta = 2.0 * math.pi * d[0::2]
            v = np.empty(2 * pairs)
            v[0::2], v[1::2] = r * libm('cos', theta), r * libm('sin', theta)
            out[k:] = v[:n - k]
            if (n - k) % 2:
                self._spare = float(v[-1])
        return out if (mean, std) == (0.0, 1.0) else fma64(out, std, mean)

    # exponential, geometric, cauchy, log_normal: float64 values, or values of dtype ``nd`` when given
    def exponential(self, n, lambd, nd=None):
        return _cast(-1.0 / lambd * libm('log1p', -self.doubles(n)), nd)

    def geometric(self, n, p, nd=None):
        return _cast(np.ceil(libm('log', self.doubles(n)) / math.log1p(-p)), nd)

    def cauchy(self, n, median, sigma, nd=None):
        return _cast(fma64(sigma, libm('tan', math.pi * (self.doubles(n) - 0.5)), median), nd)

    def log_normal(self, n, mean, std, nd=None):
        return _cast(libm('exp', self._normal_pairs(n, mean, std)), nd)

    def bernoulli(self, p, n=None):
        """0/1 draws (bool): ``p`` a float (``n`` draws, float64 uniforms) or an array of probabilities,
        compared with float64 uniforms when float64, else with float32 ones."""
        if n is not None:
            return self._below(n, p)
        p = np.asarray(p).ravel()
        if p.dtype == np.float64:
            return self.doubles(p.size) < p
        return self.floats(p.size) < p.astype(np.float32)

    def _below(self, n, p):
        """``doubles(n) < p`` without forming the doubles (dropout's masks): the 53-bit integer k of
        each draw against ``ceil(p * 2**53)``, on the high word first (the low word only on a tie)."""
        if not 0.0 < p < 1.0 or sys.byteorder != 'little':
            return self.doubles(n) < p
        top = math.ceil(p * 2.0 ** 53)
        w = self.words(2 * n).view(np.uint32)       # little-endian words: [hi, 0, lo, 0] per draw
        hi = w[0::4] & np.uint32(0x1FFFFF)
        t_hi = np.uint32(top >> 32)
        out = hi < t_hi
        tie = np.flatnonzero(hi == t_hi)
        if tie.size:
            out[tie] = w[2::4][tie] < np.uint32(top & 0xFFFFFFFF)
        return out

    # ---------------------------------------------------------------- integers
    def from_to(self, n, lo, span, wide=None):
        """``n`` integers ``lo + word % span`` (int64). ``wide`` None: randint's and random_(from, to)'s
        kernel, 64-bit draws when ``span`` >= 2**28; True/False: random_()'s, 64-bit draws for an int64 or
        float64 tensor (``wide``) when ``span`` >= 2**32. ``span`` 2**64: the full 64-bit range."""
        if span >= 1 << 64:
            return self.words64(n).view(np.int64)
        big = span >= 1 << 28 if wide is None else wide and span >= 1 << 32
        if big:
            w = self.words64(n) % np.uint64(span)
        else:                                   # 32-bit words: 32-bit division (quicker)
            w = (self.words(n).astype(np.uint32) % np.uint32(span)).astype(np.uint64)
        w += np.uint64(lo & ((1 << 64) - 1))
        return w.view(np.int64)

    def permutation(self, n):
        """PyTorch's CPU randperm: a Fisher-Yates pass from the front, step i swapping positions i and
        ``i + word % (n - i)``."""
        if n < 2:
            return np.arange(n, dtype=np.int64)
        w, ut = self.words(n - 1), np.uint32 if n <= 1 << 32 else np.uint64
        z = w.astype(ut) % np.arange(n, 1, -1, dtype=ut)       # 32-bit division where it fits: quicker
        if n > 256:
            return _fisher_yates(z)
        p = list(range(n))                      # short: the plain loop is quicker
        for i, k in enumerate(z.tolist()):
            p[i], p[i + k] = p[i + k], p[i]
        return np.array(p, dtype=np.int64)

    # ---------------------------------------------------------------- the rest
    def numpy_generator(self):
        """A NumPy Generator seeded from this stream (one 64-bit draw): a CPU generator's draws for a
        GPU tensor (random_fill.HostDraws)."""
        return np.random.default_rng(int(self.words64(1)[0]))

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
            raise RuntimeError(f'Expected a CPUGeneratorImplState of size {STATE_BYTES} but found the input RNG '
                               f'state size to be {len(raw)}')
        seed, left, seeded, nxt = _HEAD.unpack_from(raw)
        key = np.frombuffer(raw, '<u8', _N, _HEAD.size)
        _x, spare, _rho, valid, _pad, _f, _fv = _TAIL.unpack_from(raw, _HEAD.size + 8 * _N)
        if not (seeded and 1 <= left <= _N and nxt <= _N):
            raise RuntimeError('Invalid mt19937 state')
        self._bg.state = {'bit_generator': 'MT19937',
                          'state': {'key': (key & np.uint64(0xFFFFFFFF)).astype(np.uint32), 'pos': _N + 1 - left}}
        self.seed, self._fresh = seed, nxt == 0 and left == 1
        self._spare = spare if valid else None
