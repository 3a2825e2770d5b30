"""The ``*_copy`` functions (``ember.permute_copy``, ``ember.split_copy``, ...): each runs a view op
and hands back fresh contiguous tensors instead of views.

One table maps each name to the view it copies; one Op class per view (made from that table) is
named as PyTorch names it (``PermuteBackward0_copy``). The public function takes the view under
no_grad on the real input (so storage offsets and strides are the input's own), and the node's
forward copies that view's data. Backward is the view's own backward: the view op is run again on
a stand-in leaf of the input's shape and ``autograd.grad`` carries ``grad`` back through it. A view
is linear in its input, so the result depends on ``grad`` alone and, with ``create_graph``,
differentiates again.
"""

from .. import _dtype
from .._tensor import Tensor, xp_of
from ..autograd import grad_mode
from ._op import Op, NotImplementedNode, apply


def _slice(x, dim=0, start=None, end=None, step=1):
    """PyTorch's aten::slice: positions start:end:step along ``dim`` (both clamped; step > 0)."""
    from .shape import wrap_dim
    if step <= 0:
        raise RuntimeError('slice step must be positive')
    d = wrap_dim(dim, x.dim())
    return x[(slice(None),) * d + (slice(start, end, step),)]


def _view_copy(x, size=None, dtype=None):
    if isinstance(size, _dtype.dtype):
        return x.view(size)
    if dtype is not None:
        return x.view(dtype)
    return x.reshape(size)          # view_copy accepts inputs a view could not be taken of


def _squeeze(x, dim=None):
    return x.squeeze() if dim is None else x.squeeze(dim)


# name -> (PyTorch's node name without the _copy suffix, the view it copies); several names when
# PyTorch's overloads name their nodes apart (squeeze(), squeeze(dim), squeeze(dims))
VIEWS = {
    'alias_copy': ('AliasBackward0', lambda x: x.view(x.shape)),
    'as_strided_copy': ('AsStridedBackward0',
                        lambda x, size, stride, storage_offset=None: x.as_strided(size, stride, storage_offset)),
    'diagonal_copy': ('DiagonalBackward0', lambda x, offset=0, dim1=0, dim2=1: x.diagonal(offset, dim1, dim2)),
    'expand_copy': ('ExpandBackward0', lambda x, size, *, implicit=False: x.expand(size)),
    'permute_copy': ('PermuteBackward0', lambda x, dims: x.permute(dims)),
    'select_copy': ('SelectBackward0', lambda x, dim, index: x.select(dim, index)),
    'slice_copy': ('SliceBackward0', _slice),
    'split_copy': ('SplitBackward0', lambda x, split_size, dim=0: x.split(split_size, dim)),
    'split_with_sizes_copy': ('SplitWithSizesBackward0',
                              lambda x, split_sizes, dim=0: x.split_with_sizes(split_sizes, dim)),
    'squeeze_copy': (('SqueezeBackward0', 'SqueezeBackward1', 'SqueezeBackward2'), _squeeze),
    't_copy': ('TBackward0', lambda x: x.t()),
    'transpose_copy': ('TransposeBackward0', lambda x, dim0, dim1: x.transpose(dim0, dim1)),
    'unbind_copy': ('UnbindBackward0', lambda x, dim=0: x.unbind(dim)),
    'unfold_copy': ('UnfoldBackward0', lambda x, dimension, size, step: x.unfold(dimension, size, step)),
    'unsqueeze_copy': ('UnsqueezeBackward0', lambda x, dim: x.unsqueeze(dim)),
    'view_copy': ('ViewBackward0', _view_copy),
    'view_as_real_copy': ('ViewAsRealBackward0', lambda x: _complex_views()[0](x)),
    'view_as_complex_copy': ('ViewAsComplexBackward0', lambda x: _complex_views()[1](x)),
    'detach_copy': (None, lambda x: x.detach()),
}


def _complex_views():
    from .complex_views import view_as_real, view_as_complex
    return view_as_real, view_as_complex


def _fresh(v):
    """A contiguous copy of a view's data (never sharing its memory)."""
    return xp_of(v).array(v, copy=True, order='C')


class _CopyOf(Op):
    """Fresh copies of the view(s) computed by the public function; backward through that view."""
    view = None                 # the table's view function (set per subclass)

    def forward(self, a, *, views, args, kw, geom=None):
        self.shape, self.dtype, self.args, self.kw, self.geom = a.shape, a.dtype, args, kw, geom
        if isinstance(views, tuple):
            self.n_outputs = len(views)
            return tuple(_fresh(v) for v in views)
        return _fresh(views)

    def backward(self, *grads):
        from ..autograd import grad as _grad
        from .creation import zeros
        create = grad_mode.is_grad_enabled()
        g0 = next(g for g in grads if g is not None)
        dt = _dtype._FROM_NP[self.dtype]
        with grad_mode.enable_grad():
            if self.geom is None:
                leaf = stand = zeros(self.shape, dtype=dt, device=g0.device).requires_grad_()
            else:                       # as_strided: positions count from the input's own storage
                stride, offset, n = self.geom
                leaf = zeros(n, dtype=dt, device=g0.device).requires_grad_()
                stand = leaf.as_strided(self.shape, stride, offset)
            outs = type(self).view(stand, *self.args, **self.kw)
            outs = outs if isinstance(outs, (tuple, list)) else (outs,)
            pairs = [(o, g) for o, g in zip(outs, grads) if g is not None]
            res, = _grad([o for o, _ in pairs], leaf, [g for _, g in pairs], create_graph=create,
                         allow_unused=True)
        if self.geom is not None:
            res = res.as_strided(self.shape, stride, offset)
        return (res,)


class _DetachCopy(NotImplementedNode):
    aten = 'detach_copy'

    def forward(self, a, *, views, args, kw, geom=None):
        return _fresh(views)


def _node_class(base_name, view):
    if base_name is None:
        return _DetachCopy
    cls = type(base_name + '_copy', (_CopyOf,), {'view': staticmethod(view)})
    cls.__qualname__ = cls.__name__
    return cls


def _overload(args, kw):
    """Which squeeze overload a call is: 0 no dim, 1 one dim, 2 a sequence of dims."""
    dim = args[0] if args else kw.get('dim')
    return 0 if dim is None else 2 if isinstance(dim, (tuple, list)) else 1


def _last(t):
    """One past the last storage position ``t`` reaches (its offset when empty)."""
    if t.numel() == 0:
        return t.storage_offset()
    return t.storage_offset() + sum((n - 1) * st for n, st in zip(t.shape, t.stride())) + 1


def _geometry(input, view):
    """(strides, storage offset, storage length) of ``input`` for as_strided_copy's backward."""
    return tuple(input.stride()), input.storage_offset(), max(_last(input), _last(view))


def _write_out(fname, out, res):
    from .sort import write_out
    if isinstance(res, tuple):           # a list of outs: same shapes required, nothing returned
        with grad_mode.no_grad():
            for o, r in zip(out, res):
                o.copy_(r)
        return None
    with grad_mode.no_grad():
        write_out(fname, (out,), (res.detach(),))
    return out


def _make(name, base, view):
    nodes = tuple(_node_class(b, view) for b in base) if isinstance(base, tuple) else None
    node = _node_class(base, view) if nodes is None else None

    def fn(input, *args, out=None, **kw):
        if not isinstance(input, Tensor):
            from .argcheck import need_tensor
            need_tensor(name, input)
        with grad_mode.no_grad():
            v = view(input, *args, **kw)
        views = tuple(t._data for t in v) if isinstance(v, (tuple, list)) else v._data
        if (name == 'view_as_complex_copy' and grad_mode.is_grad_enabled() and input.requires_grad):
            raise RuntimeError('view_as_complex_copy does not support automatic differentiation for outputs '
                               'with complex dtype.')
        if isinstance(views, tuple) and not views:
            res = ()
        else:                           # forward sets the node's n_outputs for split/unbind
            node_ = node if nodes is None else nodes[_overload(args, kw)]
            geom = _geometry(input, v) if name == 'as_strided_copy' else None
            if name == 'view_copy' and (kw.get('dtype') is not None or isinstance(args[0] if args else None,
                                                                                 _dtype.dtype)):
                with grad_mode.no_grad():       # PyTorch records no gradient through a dtype view
                    res = apply(node_, input, views=views, args=args, kw=kw, geom=geom)
            else:
                res = apply(node_, input, views=views, args=args, kw=kw, geom=geom)
        return res if out is None else _write_out(name, out, res)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f'Does what the view op behind ``{name[:-5]}`` does, but every output is a fresh '
                  'contiguous tensor instead of a view of ``input``.')
    return fn


_FNS = {name: _make(name, base, view) for name, (base, view) in VIEWS.items()}
globals().update(_FNS)

__all__ = sorted(_FNS)
METHODS = {}
