"""Short-time Fourier transform and its inverse (``ember.stft``, ``ember.istft``, and the Tensor
methods), built as PyTorch builds them so the graph reads the same:

stft:  [reflect-pad by n_fft // 2] -> frames as a strided view (AsStridedBackward0) -> times the
       window (MulBackward0) -> one FFT per frame (FftR2CBackward0 / FftC2CBackward0) ->
       (batch, freq, frames) by an in-place transpose (TransposeBackward1).
istft: one inverse FFT per frame -> times the window -> overlap-add (UnfoldBackwardBackward0,
       whose gradient is ``unfold``) -> trim the centre padding -> divided by the overlap-added
       squared window (DivBackward0).
"""
from .from_data import _warn_once

from .._tensor import xp_of
from ._op import Op, apply
from .fft import FftC2CBackward0, FftR2CBackward0, FftC2RBackward0

__all__ = ['stft', 'istft']


def _type_repr(t, braces=False):
    """How PyTorch names a tensor's type in these messages: ember.FloatTensor[2, 56] or
    CPUComplexFloatType[2, 56] (sizes in braces for the window)."""
    if t is None:
        return 'None'
    if t.dtype.is_complex:
        from .._tensor import _scalar_name
        name = f"{'CUDA' if t.is_cuda else 'CPU'}{_scalar_name(t.dtype)}Type"
    else:
        name = t.type()
    sizes = '[' + ', '.join(str(s) for s in t.shape) + ']'
    return f'{name}{{{sizes}}}' if braces else f'{name}{sizes}'


def _flag(v):
    return 'None' if v is None else str(int(v))


class UnfoldBackwardBackward0(Op):
    """Overlap-add: frames (C, n_frames, size) summed into a signal (C, length), frame f starting
    at f * step. The gradient takes the frames back out (``unfold``)."""

    def forward(self, a, length, size, step):
        xp = xp_of(a)
        self.size, self.step = size, step
        c, nf, _ = a.shape
        blocks = -(-size // step)
        out = xp.zeros((c, nf + blocks - 1, step), dtype=a.dtype)
        for j in range(blocks):          # part j of every frame lands j blocks further on
            part = a[:, :, j * step:(j + 1) * step]
            out[:, j:j + nf, :part.shape[2]] += part
        return xp.ascontiguousarray(out.reshape(c, -1)[:, :length])

    def backward(self, g):
        return (g.unfold(1, self.size, self.step),)


def overlap_add(frames, length, size, step):
    return apply(UnfoldBackwardBackward0, frames, length=length, size=size, step=step)


def _window_or_none(window, n_fft, win_length, like):
    """The window centred in n_fft points (None: no window at all)."""
    if win_length >= n_fft:
        return window
    from .creation import zeros
    left = (n_fft - win_length) // 2
    w = zeros(n_fft, dtype=(window if window is not None else like).dtype, device=like.device)
    part = w.narrow(0, left, win_length)
    if window is None:
        part.fill_(1)
    else:
        part.copy_(window)
    return w


def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode='reflect',
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """Fourier transforms of overlapping windowed frames: (freq, frames) per signal."""
    if center:
        from .padding import pad as _pad
        sd = input.dim()
        ext = [1] * (3 - sd) + list(input.shape)
        p = int(n_fft // 2)
        input = _pad(input.view(ext), [p, p], pad_mode)
        input = input.view(input.shape[-sd:])
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    cplx = input.is_complex() or (window is not None and window.is_complex())
    want_complex = cplx if return_complex is None else return_complex

    def repr_():
        return (f'stft({_type_repr(input)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, '
                f'window={_type_repr(window, True)}, normalized={int(normalized)}, onesided={_flag(onesided)}, '
                f'return_complex={_flag(return_complex)}, align_to_window={_flag(align_to_window)})')
    if not want_complex:
        if return_complex is None:
            raise RuntimeError('stft requires the return_complex parameter be given for real inputs, and will '
                               'further require that return_complex=True in a future PyTorch release.')
        _warn_once('stft with return_complex=False is deprecated. In a future pytorch release, stft will '
                   'return complex tensors for all inputs, and return_complex=False will raise an error.\n'
                   'Note: you can still call ember.view_as_real on the complex output to recover the old '
                   'return format.', 3)
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise RuntimeError(f'{repr_()} : expected a tensor of floating point or complex values')
    if input.dim() not in (1, 2):
        raise RuntimeError(f'{repr_()} : expected a 1D or 2D tensor')
    x = input.unsqueeze(0) if input.dim() == 1 else input
    batch, length = x.shape
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(f'{repr_()} : expected 0 < n_fft < {length}, but got n_fft={win}')
    if hop <= 0:
        raise RuntimeError(f'{repr_()} : expected hop_length > 0, but got hop_length={hop}')
    if win <= 0 or win > n_fft:
        raise RuntimeError(f'{repr_()} : expected 0 < win_length <= n_fft, but got win_length={win}')
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(f'{repr_()} : expected a 1D window tensor of size equal to win_length={win}, but got '
                           f'window with size {list(window.shape)}')
    if window is None:                    # (once per process, as PyTorch)
        _warn_once('A window was not provided. A rectangular window will be applied,which is known to cause '
                   'spectral leakage. Other windows such as ember.hann_window or ember.hamming_window are '
                   'recommended to reduce spectral leakage.To suppress this warning and use a rectangular '
                   'window, explicitly set `window=ember.ones(n_fft, device=<device>)`.', 3)
    w = _window_or_none(window, n_fft, win, x)
    n_frames = 1 + (length - n_fft) // hop
    s0, s1 = x.stride()
    frames = x.as_strided((batch, n_frames, n_fft), (s0, hop * s1, s1))
    if w is not None:
        frames = frames * w
    side = (not frames.is_complex()) if onesided is None else onesided
    norm = 1 if normalized else 0
    if frames.is_complex():
        if side:
            raise RuntimeError('Cannot have onesided output if window or input is complex')
        out = apply(FftC2CBackward0, frames, dims=(2,), norm=norm, forward=True)
    else:
        out = apply(FftR2CBackward0, frames, dims=(2,), norm=norm, onesided=side)
    out.transpose_(1, 2)
    if input.dim() == 1:
        out.squeeze_(0)
    if want_complex:
        return out
    from .complex_views import view_as_real
    return view_as_real(out)


def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """Inverse of ``stft``: per-frame inverse transforms, windowed overlap-add, normalised by the
    overlap-added squared window."""
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if not input.is_complex():
        raise RuntimeError('istft requires a complex-valued input tensor matching the output from stft with '
                           'return_complex=True.')

    def repr_():
        return (f'istft({_type_repr(input)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, '
                f'window={_type_repr(window, True)}, center={int(center)}, normalized={int(normalized)}, '
                f'onesided={_flag(onesided)}, length={"None" if length is None else length}, '
                f'return_complex={int(return_complex)})')
    real_dim = input.dim() + 1
    if real_dim < 3:             # PyTorch reads sizes -2 and -3 of the real view first
        raise IndexError(f'Dimension out of range (expected to be in range of [{-real_dim}, {real_dim - 1}], '
                         f'but got {-2 if real_dim < 2 else -3})')
    n_frames, fft_size = (input.shape[-1], input.shape[-2]) if input.dim() >= 2 else (0, 0)
    expected = n_fft + hop * (n_frames - 1)
    if input.numel() == 0:
        raise RuntimeError(f'{repr_()} : input tensor cannot be empty.')
    if real_dim not in (3, 4):
        raise RuntimeError(f'{repr_()} : expected a tensor with 3 or 4 dimensions of real, or 2 or 3 dimensions '
                           f'of complex, but got {real_dim}')
    side = (fft_size != n_fft) if onesided is None else onesided
    if side and n_fft // 2 + 1 != fft_size:
        raise RuntimeError(f'{repr_()} : expected the frequency dimension (3rd to the last) of the input tensor '
                           f'to match n_fft / 2 + 1 when onesided=True, but got {fft_size}')
    if not side and n_fft != fft_size:
        raise RuntimeError(f'{repr_()} : expected the frequency dimension (3rd to the last) of the input tensor '
                           f'to match n_fft when onesided=False, but got {fft_size}')
    if not 0 < hop <= win:
        raise RuntimeError(f'{repr_()} : expected 0 < hop_length <= win_length')
    if not 0 < win <= n_fft:
        raise RuntimeError(f'{repr_()} : expected 0 < win_length <= n_fft')
    if window is not None and (window.dim() != 1 or window.shape[0] != win):
        raise RuntimeError(f'{repr_()} : Invalid window shape. window has to be 1D and length of `win_length`')
    if window is None:
        _warn_once('A window was not provided. A rectangular window will be applied.Please provide the same '
                   'window used by stft to make the inversion lossless.To suppress this warning and use a '
                   'rectangular window, explicitly set `window=ember.ones(n_fft, device=<device>)`.', 3)
        from .creation import ones
        w = ones(win, dtype=input.dtype.to_real(), device=input.device)
    else:
        w = window
    if win != n_fft:
        from .padding import pad as _pad
        left = (n_fft - win) // 2
        w = _pad(w, (left, n_fft - win - left))
    from .complex_views import view_as_real, view_as_complex
    x = view_as_real(input.resolve_conj())
    x = x.unsqueeze(0) if input.dim() == 2 else x
    x = view_as_complex(x.transpose(1, 2))       # (channel, frames, freq)
    norm = 1 if normalized else 2
    if return_complex:
        if side:
            raise RuntimeError('Cannot have onesided output if window or input is complex')
        x = apply(FftC2CBackward0, x, dims=(2,), norm=norm, forward=False)
    else:
        if window is not None and window.is_complex():
            raise RuntimeError('Complex windows are incompatible with return_complex=False')
        if not side:
            x = x.narrow(-1, 0, n_fft // 2 + 1)
        x = apply(FftC2RBackward0, x, dims=(2,), norm=norm, last_size=n_fft)
    y = overlap_add(x * w.view(1, 1, n_fft), expected, n_fft, hop)
    env = overlap_add(w.pow(2).expand(1, n_frames, n_fft), expected, n_fft, hop)
    start = n_fft // 2 if center else 0
    end = start + length if length is not None else (-(n_fft // 2) if center else expected)
    y, env = y[:, start:end], env[:, start:end]
    if bool((env.abs().min() < 1e-11).item()):
        raise RuntimeError(f'{repr_()} window overlap add min: 1\n[ CPUBoolType{{}} ]')
    y = y / env
    if input.dim() == 2:
        y = y.squeeze(0)
    if end > expected:
        _warn_once('The length of signal is shorter than the length parameter. Result is being padded with '
                   'zeros in the tail. Please check your center and hop_length settings.', 3)
        from .padding import pad as _pad
        y = _pad(y, (0, end - expected))
    return y


METHODS = {'stft': stft, 'istft': istft}
