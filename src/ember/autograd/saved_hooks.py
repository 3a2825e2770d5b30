"""Hooks on the tensors autograd keeps for backward (``ember.autograd.graph.saved_tensors_hooks``).

Inside ``with saved_tensors_hooks(pack, unpack):`` every tensor an op saves for its backward is
handed to ``pack`` at once and only the packed object is kept; when backward needs the tensor it
gets ``unpack(packed)``. The unpacked tensor is put back in the graph where the original stood
(same grad_fn, or the same leaf), so create_graph backward still differentiates through it. As in
PyTorch, saved tensors that went through hooks are not checked for later in-place changes.

``save_on_cpu`` keeps saved GPU tensors in host memory; ``disable_saved_tensors_hooks`` refuses
hooks inside a region; utils.checkpoint (use_reentrant=False) is built on these hooks.
"""
import functools
import threading

_tls = threading.local()
_depth = [0]            # hooks entered on any thread (a cheap 'none anywhere' test for _record)


def _stack():
    s = getattr(_tls, 'stack', None)
    if s is None:
        s = _tls.stack = []
    return s


def current():
    """The innermost (pack, unpack) pair of this thread, or None."""
    if not _depth[0]:
        return None
    s = getattr(_tls, 'stack', None)
    return s[-1] if s else None


class saved_tensors_hooks:
    """Context manager: ``pack_hook(tensor) -> anything`` when a tensor is saved for backward,
    ``unpack_hook(that) -> tensor`` when backward needs it."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook, self.unpack_hook = pack_hook, unpack_hook

    def __enter__(self):
        message = getattr(_tls, 'disabled', None)
        if message is not None:
            raise RuntimeError(message)
        _stack().append((self.pack_hook, self.unpack_hook))
        _depth[0] += 1
        return self

    def __exit__(self, *exc):
        _stack().pop()
        _depth[0] -= 1
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors live in host memory (pinned when ``pin_memory``) until backward needs them
    back on their device."""

    def __init__(self, pin_memory=False, device_type='cuda'):
        def pack(t):
            if not pin_memory:
                return t.device, t.cpu()
            from ..ops.creation import empty
            host = empty(t.size(), dtype=t.dtype, pin_memory=t.is_cuda)
            host.copy_(t)
            return t.device, host

        def unpack(packed):
            device, t = packed
            return t.to(device, non_blocking=pin_memory)
        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:
    """Inside, entering ``saved_tensors_hooks`` raises RuntimeError(error_message); entering this
    while hooks are active raises it too. Usable as a decorator."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        if current() is not None:
            raise RuntimeError(self.error_message)
        self._prev = getattr(_tls, 'disabled', None)
        _tls.disabled = self.error_message
        return self

    def __exit__(self, *exc):
        _tls.disabled = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def run(*args, **kwargs):
            with self.__class__(self.error_message):
                return fn(*args, **kwargs)
        return run


class Packed:
    """A saved entry that went through a pack hook, with where the tensor stood in the graph."""
    __slots__ = ('obj', 'unpack_hook', 'grad_fn', 'output_nr', 'acc')

    def __init__(self, t, hooks):
        pack, self.unpack_hook = hooks
        self.grad_fn, self.output_nr = t._grad_fn, t._output_nr
        self.acc = t._grad_accumulator() if t._grad_fn is None and t._requires_grad else None
        self.obj = pack(t)

    def unpack(self):
        from .._tensor import Tensor
        u = self.unpack_hook(self.obj)
        if not isinstance(u, Tensor):
            raise TypeError('Output of saved tensor unpack_hook expected to be a Tensor but got result of '
                            f'type {type(u).__name__}')
        if self.grad_fn is None and self.acc is None:
            return u
        r = Tensor._make(u._data, self.grad_fn, u._vc, self.output_nr)
        if self.acc is not None:            # a leaf: gradients through r go to the leaf's accumulator
            import weakref
            r._requires_grad = True
            r._acc = weakref.ref(self.acc)
        return r


def pack_entries(saved, node, hooks):
    """Route the (tensor, version) entries of ``saved`` through ``hooks`` (scalars stay)."""
    from .node import _SavedOutput
    out = []
    for entry in saved:
        if entry is None or entry[1] is None:
            out.append(entry)
            continue
        t = entry[0]
        if type(t) is _SavedOutput:
            t = t.unpack(node)
        out.append((Packed(t, hooks), -1))
    return out
