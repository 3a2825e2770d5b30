"""Normalisations written as compositions of other ops: F.normalize (x / max(||x||_p, eps)) and
local_response_norm (x / (k + alpha * mean of squares over nearby channels) ** beta)."""
from ..amp import autocast_mode as _amp  # autocast hook


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    if _amp.state.on and _amp.fp32('normalize', input):  # autocast hook (ember.amp)
        return _amp.call_fp32(normalize, input, p, dim, eps, out=out)
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    r = input / denom
    if out is not None:
        out.copy_(r)
        return out
    return r


def local_response_norm(input, size, alpha=0.0001, beta=0.75, k=1.0):
    from .padding import pad
    from .pooling_api import avg_pool2d, avg_pool3d
    dim = input.ndim
    if dim < 3:
        raise ValueError(f'Expected 3D or higher dimensionality input (got {dim} dimensions)')
    if input.numel() == 0:
        return input
    div = (input * input).unsqueeze(1)
    if dim == 3:
        div = pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = input.shape
        div = div.view(sizes[0], 1, sizes[1], sizes[2], -1)
        div = pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.view(sizes)
    div = (div * alpha + k) ** beta
    return input / div
