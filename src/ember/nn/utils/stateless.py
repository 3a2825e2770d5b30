"""functional_call: run a module with some of its parameters/buffers replaced by given tensors,
then put the originals back (``ember.func.functional_call`` is the same function)."""
import contextlib
import warnings

from ..._tensor import Tensor

__all__ = ['functional_call']

_MISSING = object()


def _submodule(module, path, memo):
    if not path:
        return module
    if path not in memo:
        prefix, _, attr = path.rpartition('.')
        parent = _submodule(module, prefix, memo)
        try:
            sub = getattr(parent, attr)
        except AttributeError:
            raise AttributeError(f'{parent._get_name()} has no attribute `{attr}`') from None
        from ..modules.module import Module
        if not isinstance(sub, Module):
            raise TypeError(f'submodule `{path}`: {sub} is not an instance of ember.nn.Module')
        memo[path] = sub
    return memo[path]


def _swap_tensor(module, name, tensor):
    """Put ``tensor`` (or _MISSING: remove) under ``name``; return what was there (or _MISSING)."""
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f'{tensor} is not an instance of ember.Tensor')
    for store in (module._parameters, module._buffers):
        if name in store:
            orig = store[name]
            if tensor is _MISSING:
                del store[name]
            else:
                store[name] = tensor
            return orig
    orig = getattr(module, name) if hasattr(module, name) else _MISSING
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f'attribute `{name}`: {orig} is not an instance of ember.Tensor')
    if tensor is not _MISSING:
        setattr(module, name, tensor)
    elif hasattr(module, name):
        delattr(module, name)
    return orig


def _swap_all(module, named, memo):
    done = {}
    try:
        for name, tensor in named.items():
            prefix, _, attr = name.rpartition('.')
            done[name] = _swap_tensor(_submodule(module, prefix, memo), attr, tensor)
    except Exception:
        for name, orig in done.items():
            prefix, _, attr = name.rpartition('.')
            _swap_tensor(_submodule(module, prefix, memo), attr, orig)
        raise
    return done


def _untie(module, given):
    """With tie_weights, a value given for one of several names sharing a tensor goes to all of them."""
    names_of = {}
    for name, t in list(module.named_parameters(remove_duplicate=False)) + \
            list(module.named_buffers(remove_duplicate=False)):
        names_of.setdefault(id(t), set()).add(name)
    tied = {n: names for names in names_of.values() if len(names) > 1 for n in names}
    given_tied = {n for n in given if n in tied}
    for n in given_tied:
        names = tied[n]
        if len(names & given_tied) > 1 and len({id(given[t]) for t in names if t in given}) != 1:
            raise ValueError(f'functional_call got multiple values for keys {sorted(names)}, which are tied. '
                             'Consider using tie_weights=False')
    out = dict(given)
    for n in given_tied:
        for t in tied[n]:
            out[t] = given[n]
    return out


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    named = _untie(module, parameters_and_buffers) if tie_weights else parameters_and_buffers
    if strict:
        valid = {n for n, _ in module.named_parameters(remove_duplicate=False)} | \
            {n for n, _ in module.named_buffers(remove_duplicate=False)}
        missing, unexpected = sorted(valid - set(named)), sorted(set(named) - valid)
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError(f'Error(s) in reparametrizing for {module._get_name()}:\n\t' + '\n\t'.join(msgs))
    memo = {}
    orig = {}
    try:
        orig = _swap_all(module, named, memo)
        yield
    finally:
        _swap_all(module, orig, memo)


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    kwargs = {} if kwargs is None else kwargs
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """``module(*args, **kwargs)`` with the named tensors in ``parameters_and_buffers`` used in
    place of the module's own (deprecated in PyTorch: use ``ember.func.functional_call``)."""
    warnings.warn('`ember.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be removed '
                  'in a future version of PyTorch. Please use `ember.func.functional_call` instead which is a '
                  'drop-in replacement.', FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
