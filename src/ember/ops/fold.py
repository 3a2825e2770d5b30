"""F.unfold (im2col: every sliding block as a column) and F.fold (col2im: the adjoint, summing
overlapping blocks). Each is the other's gradient; the kernels are in _backend/im2col.py."""
from .._backend import im2col as K
from ._op import Op, apply


def _pair(v, name):
    v = (v, v) if isinstance(v, int) else tuple(v)
    return v


class Im2ColBackward0(Op):
    def forward(self, x, kernel, dilation, padding, stride):
        self.args = (kernel, dilation, padding, stride)
        self.size = x.shape[-2:]
        if x.ndim == 3:                           # unbatched (C, H, W)
            return K.im2col(x[None], kernel, stride, tuple((p, p) for p in padding), dilation)[0]
        return K.im2col(x, kernel, stride, tuple((p, p) for p in padding), dilation)

    def backward(self, g):
        kernel, dilation, padding, stride = self.args
        return apply(Col2ImBackward0, g, output_size=self.size, kernel=kernel, dilation=dilation,
                     padding=padding, stride=stride)


class Col2ImBackward0(Op):
    def forward(self, cols, output_size, kernel, dilation, padding, stride):
        self.args = (kernel, dilation, padding, stride)
        if cols.ndim == 2:                        # unbatched (C * prod(K), L)
            return self.forward(cols[None], output_size, kernel, dilation, padding, stride)[0]
        n, ck, length = cols.shape
        kk = kernel[0] * kernel[1]
        c = ck // kk
        pads = tuple((p, p) for p in padding)
        out = K.out_size(output_size, kernel, stride, pads, dilation)
        if out[0] * out[1] != length:
            raise RuntimeError(f'Given output_size={tuple(output_size)}, kernel_size={tuple(kernel)}, '
                               f'dilation={tuple(dilation)}, padding={tuple(padding)}, stride={tuple(stride)}, '
                               f'expected size of input\'s dimension 2 to match the calculated number of sliding '
                               f'blocks {out[0]} * {out[1]} = {out[0] * out[1]}, but got input.size(2)={length}.')
        dcols = cols.reshape((n, c) + tuple(kernel) + tuple(out))
        dcols = K._xp(cols).moveaxis(dcols, 0, 3)                  # (C, *K, N, *P)
        return K.col2im(dcols, (n, c) + tuple(output_size), stride, pads, dilation)

    def backward(self, g):
        kernel, dilation, padding, stride = self.args
        return apply(Im2ColBackward0, g, kernel=kernel, dilation=dilation, padding=padding, stride=stride)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    if input.ndim < 3:
        n = max(input.ndim, 1)
        raise IndexError(f'Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {input.ndim})')
    if input.ndim != 4 and input.ndim != 3 or not all(input.shape[input.ndim - 3:]):
        raise RuntimeError('Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero '
                           f'dimensions for input, but got: {list(input.shape)}')
    kernel, dil, pad, st = (_pair(v, '') for v in (kernel_size, dilation, padding, stride))
    blocks = K.out_size(input.shape[-2:], kernel, st, tuple((p, p) for p in pad), dil)
    if any(b < 1 for b in blocks):
        raise RuntimeError(f'Given input with spatial size {tuple(input.shape[-2:])}, kernel_size={kernel}, '
                           f'dilation={dil}, padding={pad}, calculated shape of the array of sliding blocks as '
                           f'{tuple(blocks)}, but its components must be at least one.')
    return apply(Im2ColBackward0, input, kernel=kernel, dilation=dil, padding=pad, stride=st)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    if input.ndim not in (2, 3) or not all(input.shape[input.ndim - 2:]):
        raise RuntimeError('Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero '
                           f'dimensions for input, but got: {list(input.shape)}')
    kernel = _pair(kernel_size, 'kernel_size')
    c = input.shape[-2]
    if c % (kernel[0] * kernel[1]):
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
                           f'but got input.size(1)={c} and kernel_size={kernel}.')
    return apply(Col2ImBackward0, input, output_size=_pair(output_size, 'output_size'), kernel=kernel,
                 dilation=_pair(dilation, 'dilation'), padding=_pair(padding, 'padding'), stride=_pair(stride, 'stride'))
