"""ember.stft / ember.istft (functions and Tensor methods) against torch: values, grad_fn names,
strides, gradients (gradcheck, gradgradcheck) and errors."""
import warnings

import pytest
import torch

import ember
import helpers
from helpers import check, check_error, case, cplx

SIG = (2, 20)
SIG1 = (14,)
SPEC = cplx((2, 5, 6))            # (batch, n_fft // 2 + 1, frames) for n_fft=8, hop 2
SPEC1 = cplx((5, 4), seed=1)
SPECF = cplx((2, 8, 6), seed=2)   # two-sided


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    """No-window and deprecation warnings are expected here; torch's lazily conjugated gradients are
    read through ``resolve_conj()``."""
    plain = helpers._np
    monkeypatch.setattr(helpers, '_np', lambda t: plain(t.resolve_conj() if isinstance(t, torch.Tensor) else t))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yield


def lite(id_, fn, specs, **kw):
    return case(id_, fn, specs, gradgrad=False, **kw)


def hann(T, n=8):
    return T.hann_window(n, dtype=T.float32)


STFT = [
    case('stft', lambda T, x: T.stft(x, 8, window=hann(T), return_complex=True), [SIG]),
    lite('stft_method', lambda T, x: x.stft(8, window=hann(T), return_complex=True), [SIG]),
    case('stft_1d', lambda T, x: T.stft(x, 4, window=hann(T, 4), return_complex=True), [SIG1]),
    lite('stft_no_center', lambda T, x: T.stft(x, 8, window=hann(T), center=False, return_complex=True), [SIG]),
    lite('stft_no_window', lambda T, x: T.stft(x, 8, return_complex=True), [SIG]),
    lite('stft_hop', lambda T, x: T.stft(x, 8, hop_length=3, window=hann(T), return_complex=True), [SIG]),
    lite('stft_win', lambda T, x: T.stft(x, 8, win_length=6, window=hann(T, 6), return_complex=True), [SIG]),
    lite('stft_win_rect', lambda T, x: T.stft(x, 8, win_length=5, return_complex=True), [SIG]),
    lite('stft_twosided', lambda T, x: T.stft(x, 8, window=hann(T), onesided=False, return_complex=True), [SIG]),
    lite('stft_normalized', lambda T, x: T.stft(x, 8, window=hann(T), normalized=True, return_complex=True), [SIG]),
    lite('stft_constant_pad', lambda T, x: T.stft(x, 8, window=hann(T), pad_mode='constant', return_complex=True),
         [SIG]),
    lite('stft_replicate', lambda T, x: T.stft(x, 4, window=hann(T, 4), pad_mode='replicate', return_complex=True),
         [SIG1]),
    case('stft_complex', lambda T, x: T.stft(x, 8, window=hann(T), return_complex=True), [cplx((2, 20))]),
    case('stft_window_grad', lambda T, x, w: T.stft(x, 8, window=w, return_complex=True), [SIG, (8,)]),
    lite('stft_real_out', lambda T, x: T.stft(x, 8, window=hann(T), return_complex=False), [SIG]),
    lite('stft_noncontig', lambda T, x: T.stft(x[:, ::2], 4, window=hann(T, 4), center=False, return_complex=True),
         [SIG]),
]

ISTFT = [
    case('istft', lambda T, z: T.istft(z, 8, window=hann(T)), [SPEC]),
    lite('istft_method', lambda T, z: z.istft(8, window=hann(T)), [SPEC]),
    case('istft_1d', lambda T, z: T.istft(z, 8, window=hann(T)), [SPEC1]),
    lite('istft_length', lambda T, z: T.istft(z, 8, window=hann(T), length=15), [SPEC]),
    lite('istft_length_pad', lambda T, z: T.istft(z, 8, window=hann(T), length=25), [SPEC]),
    lite('istft_no_window', lambda T, z: T.istft(z, 8), [SPEC]),
    lite('istft_hop', lambda T, z: T.istft(z, 8, hop_length=1, window=hann(T)), [SPEC]),
    lite('istft_win', lambda T, z: T.istft(z, 8, win_length=6, window=hann(T, 6)), [SPEC]),
    lite('istft_normalized', lambda T, z: T.istft(z, 8, window=hann(T), normalized=True), [SPEC]),
    lite('istft_twosided', lambda T, z: T.istft(z, 8, window=hann(T)), [SPECF]),
    case('istft_complex', lambda T, z: T.istft(z, 8, window=hann(T), return_complex=True), [SPECF]),
    lite('istft_no_center', lambda T, z: T.istft(z, 8, window=T.ones(8), center=False), [SPEC]),
    case('istft_window_grad', lambda T, z, w: T.istft(z, 8, window=w + 2), [SPEC, (8,)]),
    lite('roundtrip', lambda T, x: T.istft(T.stft(x, 8, window=hann(T), return_complex=True), 8,
                                           window=hann(T), length=20), [SIG]),
]


@pytest.mark.parametrize('fn,specs,kw', STFT + ISTFT)
def test_stft(fn, specs, kw):
    check(fn, specs, **kw)


ERRORS = [
    case('no_return_complex', lambda T, x: T.stft(x, 16), [SIG]),
    case('hop0', lambda T, x: T.stft(x, 16, hop_length=0, return_complex=True), [SIG]),
    case('n_fft_big', lambda T, x: T.stft(x, 50, center=False, return_complex=True), [SIG]),
    case('n_fft_big_win', lambda T, x: T.stft(x, 50, win_length=10, center=False, return_complex=True), [SIG]),
    case('win_big', lambda T, x: T.stft(x, 16, win_length=20, return_complex=True), [SIG]),
    case('window_size', lambda T, x: T.stft(x, 16, window=T.ones(5), return_complex=True), [SIG]),
    case('window_size_c', lambda T, x: T.stft(x, 16, window=T.ones(5, dtype=T.complex64), return_complex=True),
         [SIG]),
    case('three_d', lambda T, x: T.stft(x, 16, return_complex=True), [(2, 2, 40)]),
    case('int_input', lambda T, x: T.stft(x.long(), 16, return_complex=True), [SIG]),
    case('complex_hop0', lambda T, x: T.stft(x, 16, hop_length=0), [cplx((2, 40))]),
    case('complex_onesided', lambda T, x: T.stft(x, 16, onesided=True, return_complex=True), [cplx((2, 40))]),
    case('bad_pad_mode', lambda T, x: T.stft(x, 16, pad_mode='bogus', return_complex=True), [SIG]),
    case('istft_real', lambda T, x: T.istft(x, 16), [(2, 9, 11)]),
    case('istft_onesided_c', lambda T, z: T.istft(z, 16, return_complex=True), [SPEC]),
    case('istft_envelope', lambda T, z: T.istft(z, 16, window=hann(T), center=False), [SPEC]),
    case('istft_freq', lambda T, z: T.istft(z, 16, onesided=False), [SPEC]),
    case('istft_freq_onesided', lambda T, z: T.istft(z, 20), [SPEC]),
    case('istft_hop', lambda T, z: T.istft(z, 16, hop_length=20), [SPEC]),
    case('istft_window', lambda T, z: T.istft(z, 16, window=T.ones(3)), [SPEC]),
    case('istft_dims', lambda T, z: T.istft(z, 16), [cplx((9,))]),
    case('istft_empty', lambda T, z: T.istft(z, 16), [cplx((2, 9, 0))]),
]


@pytest.mark.parametrize('fn,specs,kw', ERRORS)
def test_stft_errors(fn, specs, kw):
    check_error(fn, specs, **kw)


def test_warnings():
    import ember.ops.from_data as fd
    for T in (ember,):         # torch warns once per process
        fd._ONCE.clear()
        x = T.ones(40)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter('always')
            T.stft(x, 16, return_complex=False)
        msgs = [str(m.message) for m in w]
        assert any(m.startswith('A window was not provided') for m in msgs)
        assert any(m.startswith('stft with return_complex=False is deprecated') for m in msgs)
