"""Forward-mode AD with PyTorch's ``torch.autograd.forward_ad`` interface.

    import ember.autograd.forward_ad as fwAD
    with fwAD.dual_level():
        x = fwAD.make_dual(primal, tangent)
        y = f(x)                            # any ember ops or nn modules
        p, t = fwAD.unpack_dual(y)          # t == J(primal) @ tangent, None if y has no tangent

How ember does it, without touching the op path: ``make_dual`` returns a tensor sharing the
primal's memory whose grad_fn also has an edge to a hidden *tangent source* node of the current
level. Ops record the graph as usual (the dual tensor looks like it requires grad), and
``unpack_dual(y)`` finds the live sources reachable from ``y`` and computes J t from that graph by
the double-vjp trick: ``g(u) = J^T u`` is linear in ``u``, so the vjp of ``g`` with the tangent is
``J t``. The first vjp runs here, node by node, so user hooks and ``retain_grad`` never see it.
Tangent sources hold nothing in ordinary backward passes (their gradient is dropped), and a
``primal`` returned by ``unpack_dual`` is cut off from them, as PyTorch's primal has no tangent.
"""
import collections
import functools
import weakref

from . import grad_mode
from .node import Node, AccumulateGrad

__all__ = ['UnpackedDualTensor', 'enter_dual_level', 'exit_dual_level', 'make_dual', 'unpack_dual',
           'dual_level']

_NO_LEVEL = ('Trying to create a dual Tensor for forward AD but no level exists, make sure to '
             'enter_dual_level() first.')
_BAD_INDEX = ('Trying to access a forward AD level with an invalid index. This index was either not '
              'created or is already deleted.')
_NOT_LAST = ('Trying to exit a forward AD level that was not the last one that was created. This is '
             'not supported.')


class _Level:
    """One dual level: alive from enter_dual_level to exit_dual_level."""

    def __init__(self, index):
        self.index = index
        self.alive = True
        self.sources = weakref.WeakSet()


_levels = []          # the open levels (PyTorch allows one at a time)


def _current():
    return _levels[-1] if _levels else None


def enter_dual_level():
    """Open a new dual level and return its index (0: no nesting, as in PyTorch)."""
    if _levels:
        raise RuntimeError('Nested forward mode AD is not supported at the moment')
    lvl = _Level(len(_levels))
    _levels.append(lvl)
    return lvl.index


def exit_dual_level(*, level=None):
    """Close dual level ``level`` (the last one opened); its tangents are released."""
    last = len(_levels) - 1
    if level is None:
        level = last
    if level != last:
        raise RuntimeError(_NOT_LAST)
    if level < 0:
        raise RuntimeError('Dual level must be a positive number.')
    lvl = _levels.pop()
    lvl.alive = False
    for src in list(lvl.sources):
        src.tangent = None
    lvl.sources = weakref.WeakSet()


class dual_level:
    """Context manager (or decorator) opening a dual level for its block: ``with dual_level():``."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


UnpackedDualTensor = collections.namedtuple('UnpackedDualTensor', ['primal', 'tangent'])
UnpackedDualTensor.__doc__ = 'What ``unpack_dual`` returns: ``(primal, tangent)``, also by name.'


# ---------------------------------------------------------------- graph nodes

class _TangentSource(Node):
    """Hidden start of a tangent: the gradient reaching it in backward is dropped."""

    def __init__(self, level, tangent, zeros):
        self.level, self.tangent, self.zeros = level, tangent, zeros

    def name(self):
        return 'ember::autograd::TangentSource'

    def backward(self, grad):
        return ()


class ViewBackward0(Node):
    """grad_fn of ``make_dual``'s result (PyTorch's name): the gradient goes to the primal and to
    the hidden tangent source."""

    def backward(self, grad):
        return grad, grad


class _PrimalAlias(Node):
    """grad_fn of ``unpack_dual(y).primal`` when y really requires grad: passes gradients to y in
    backward, but tangents never cross it (the primal carries no tangent)."""

    def name(self):
        return 'ember::autograd::Identity'

    def backward(self, grad):
        return (grad,)


def _edge(t):
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    if t._requires_grad:
        return (t._grad_accumulator(), 0)
    return (None, 0)


def _scan(t, lvl):
    """(live tangent sources of ``lvl`` reachable from ``t``, whether a real leaf that requires grad
    is reachable, whether any tangent source (even of a closed level) is reachable)."""
    fn = t.grad_fn
    if fn is None:
        return [], t._requires_grad, False
    if getattr(t, '_fw_cut', False):            # a tangent returned by unpack_dual: none of its own
        lvl = None
    sources, real, hidden = {}, False, False
    seen = set()
    stack = [(fn, True)]
    while stack:
        node, open_ = stack.pop()
        if (node, open_) in seen:
            continue
        seen.add((node, open_))
        kind = type(node)
        if kind is _TangentSource:
            hidden = True
            if open_ and node.level is lvl and lvl is not None and lvl.alive:
                sources[node] = None
            continue
        if kind is AccumulateGrad:
            real = True
            continue
        if kind is _PrimalAlias:
            open_ = False
        for nxt, _ in node._next:
            if nxt is not None:
                stack.append((nxt, open_))
    return list(sources), real, hidden


# ---------------------------------------------------------------- make_dual

def _check_float(t, what):
    if not (t.is_floating_point() or t.is_complex()):
        raise ValueError(f'Expected {what} to be floating point or complex, but got: {t.dtype}')


def make_dual(tensor, tangent, *, level=None):
    """A tensor with ``tensor``'s value (sharing its memory) carrying ``tangent`` as its forward
    gradient at the current dual level."""
    from .._tensor import Tensor
    lvl = _current()
    if level is None:
        level = lvl.index if lvl is not None else -1
    if level < 0:
        raise RuntimeError(_NO_LEVEL)
    _check_float(tensor, 'primal')
    _check_float(tangent, 'tangent')
    if level != 0:
        raise RuntimeError('Invalid level given to _make_dual')
    if lvl is None:
        raise RuntimeError(_BAD_INDEX)
    if _scan(tangent, lvl)[0]:
        raise RuntimeError(f'Setting a forward grad that itself has a forward gradient at the same level{level} '
                           'is not supported.')
    if _scan(tensor, lvl)[0]:
        raise RuntimeError('Making a dual Tensor based on a Tensor that already has a forward gradient at the '
                           f'same level {level} is not supported.')
    if tensor.shape != tangent.shape:
        raise RuntimeError('Trying to set a forward gradient that has a different size than that of the '
                           f'original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} '
                           f'while the given forward gradient is of size {list(tangent.shape)}.')
    if tangent.device != tensor.device:
        tangent = tangent.to(tensor.device)
    if tangent.stride() != tensor.stride():
        from ..ops.creation import empty_like       # the tangent takes the primal's layout
        with grad_mode.no_grad():
            tangent = empty_like(tensor, dtype=tangent.dtype).copy_(tangent)
    data = tensor._data
    from .._tensor import xp_of
    xp = xp_of(data)
    zeros = xp.broadcast_to(xp.zeros((), data.dtype), data.shape)
    src = _TangentSource(lvl, tangent, zeros)
    lvl.sources.add(src)
    node = ViewBackward0()
    primal_edge = _edge(tensor) if grad_mode.is_grad_enabled() else (None, 0)
    node._next = (primal_edge, (src, 0))
    out = Tensor._make(data[...], node, tensor._vc)
    node.made, node.version = weakref.ref(out), out._vc[0]
    return out


# ---------------------------------------------------------------- unpack_dual

def unpack_dual(tensor, *, level=None):
    """``UnpackedDualTensor(primal, tangent)`` of ``tensor`` at the current level: the primal is an
    alias of ``tensor`` without tangent, the tangent is None when ``tensor`` carries none."""
    from .._tensor import Tensor
    if not isinstance(tensor, Tensor):
        raise TypeError(f"_unpack_dual(): argument 'dual' (position 1) must be Tensor, not "
                        f'{type(tensor).__name__}')
    lvl = _current()
    if lvl is None or (level is not None and level != lvl.index):
        if lvl is None and level is None:
            return UnpackedDualTensor(tensor, None)
        return UnpackedDualTensor(_alias(tensor, tensor.requires_grad), None)
    sources, real, _ = _scan(tensor, lvl)
    real = real or tensor._requires_grad
    tangent = None
    if sources and (tensor.is_floating_point() or tensor.is_complex()):
        tangent = _tangent(tensor, sources, real)
        if tangent.grad_fn is not None:
            tangent._fw_cut = True
    return UnpackedDualTensor(_alias(tensor, real), tangent)


def _alias(t, real):
    """``t``'s value (same memory and version counter) without its tangent."""
    if not real or t.grad_fn is None and not t._requires_grad:
        return t.detach()
    from .._tensor import Tensor
    node = _PrimalAlias()
    node._next = (_edge(t),)
    return Tensor._make(t._data[...], node, t._vc)


def _tangent(y, sources, real):
    fn = y.grad_fn
    if type(fn) is ViewBackward0 and fn.made() is y and y._vc[0] == fn.version:
        return sources[0].tangent                   # an untouched make_dual result: its own tangent
    tans = [s.tangent for s in sources]
    create = real and grad_mode.is_grad_enabled() or any(t.requires_grad for t in tans)
    split = [s for s, t in zip(sources, tans) if t.is_complex() and not s.zeros.dtype.kind == 'c']
    if split:                                       # complex tangents on real primals: J is real-linear
        re = _jvp(y, sources, [t.real if t.is_complex() else t for t in tans], create)
        if not y.is_complex():                      # PyTorch casts the tangent to the real result
            return re
        im = _jvp(y, sources, [t.imag if t.is_complex() else t * 0 for t in tans], create)
        return re + im * 1j
    out = _jvp(y, sources, tans, create)
    wide = _widest(y.dtype, sources, tans)
    return out if wide == out.dtype else out.to(wide)


def _widest(dtype, sources, tans):
    """A real tangent wider than its real primal widens the results' tangents too, as in PyTorch."""
    from .._dtype import promote_types, _FROM_NP
    if not dtype.is_floating_point:
        return dtype
    for s, t in zip(sources, tans):
        prim = _FROM_NP[s.zeros.dtype]
        if t.dtype != prim and t.dtype.is_floating_point and prim.is_floating_point:
            dtype = promote_types(dtype, t.dtype)
    return dtype


def _jvp(y, sources, tangents, create):
    """J t at ``y`` for the tangents of ``sources``, by differentiating u -> J^T u with respect to u."""
    from .._tensor import Tensor
    from ..ops.creation import zeros_like
    with grad_mode.enable_grad():
        u = Tensor._make(zeros_like(y.detach())._data)
        u._requires_grad = True
        gs = _vjp_to_sources(y, u, sources)
    pairs = [(g, t.to(g.dtype) if t.dtype != g.dtype else t)
             for g, t in zip(gs, tangents) if g is not None and g.requires_grad]
    if not pairs:
        return zeros_like(y.detach())
    from . import grad as _grad
    with grad_mode.enable_grad() if create else grad_mode.no_grad():
        jt, = _grad([g for g, _ in pairs], [u], [t for _, t in pairs], create_graph=create,
                    allow_unused=True)
    return zeros_like(y.detach()) if jt is None else jt


def _vjp_to_sources(y, u, sources):
    """J^T u for each source (None where nothing reaches it), recorded on the graph: the nodes on a
    path from ``y`` to a source run once each, in topological order, without hooks."""
    from .engine import call_backward
    wanted = set(sources)
    order, state = [], {}
    stack = [(y.grad_fn, False)]
    while stack:                          # post-order walk; a node is kept if it reaches a source
        node, done = stack.pop()
        if done:
            reach = node in wanted or any(state.get(n) is True for n, _ in node._next if n is not None)
            state[node] = reach
            if reach:
                order.append(node)
            continue
        if node in state:
            continue
        state[node] = None
        stack.append((node, True))
        if type(node) in (_TangentSource, _PrimalAlias, AccumulateGrad):
            continue
        for nxt, _ in node._next:
            if nxt is not None and nxt not in state:
                stack.append((nxt, False))
    buffers = {y.grad_fn: [None] * y.grad_fn.n_outputs}
    buffers[y.grad_fn][y._output_nr] = u
    captured = {}
    for node in reversed(order):          # reverse post-order: every node before its inputs
        grads = buffers.pop(node, None)
        if grads is None or all(g is None for g in grads):
            continue
        if type(node) is _TangentSource:
            captured[node] = grads[0]
            continue
        results = call_backward(node, grads)
        for (nxt, nr), g in zip(node._next, results):
            if g is None or nxt is None or state.get(nxt) is not True:
                continue
            buf = buffers.setdefault(nxt, [None] * nxt.n_outputs)
            buf[nr] = g if buf[nr] is None else buf[nr] + g
    return [_fit(captured.get(s), s) for s in sources]


def _fit(g, src):
    """A source's gradient in its primal's shape and dtype (ops may hand back broadcast shapes)."""
    if g is None:
        return None
    if tuple(g.shape) != src.zeros.shape:
        g = g.sum_to_size(src.zeros.shape)
    if g._data.dtype != src.zeros.dtype:
        from .._dtype import _FROM_NP
        g = g.to(_FROM_NP[src.zeros.dtype])
    return g


# ---------------------------------------------------------------- printing

def _repr_info(t):
    """For tensor printing: (hide grad_fn: the graph only leads to tangent sources, the ``tangent=``
    suffix or None). Costs one list lookup until forward AD is first used."""
    if not _levels or getattr(t, '_data', None) is None or t.grad_fn is None:
        return False, None           # (outside a dual level printing never scans the graph)
    lvl = _current()
    sources, real, hidden = _scan(t, lvl)
    hide = hidden and not real and not t._requires_grad
    if not sources or not (t.is_floating_point() or t.is_complex()):
        return hide, None
    with grad_mode.no_grad():
        tan = _tangent(t, sources, False)
    text = repr(tan.item()) if tan.dim() == 0 else str(tan)
    return hide, f'tangent={text}'


def _hidden_only(t):
    """Whether ``t`` requires grad only through tangent sources (it would not in PyTorch)."""
    if not _levels or t._requires_grad or t.grad_fn is None:
        return False
    _, real, hidden = _scan(t, None)
    return hidden and not real
