"""vmap: map a function over a dimension of its inputs, as torch.func.vmap.

    vmap(torch.dot)(a, b)                          # a, b: (B, n) -> (B,)
    vmap(f, in_dims=(0, None))(xs, w)              # w is shared by every call
    vmap(grad(loss), in_dims=(None, 0, 0))(params, x, y)   # per-sample gradients

ember has no batched tensors: the function runs once per index of the mapped dimension and
the results are stacked along ``out_dims``. Everything vmap checks before running (in_dims
structure and range, batch sizes, out_dims) raises PyTorch's errors; results are the same,
gradients flow through the slicing and stacking, and vmaps nest. ``randomness``: 'error'
refuses random operations inside the function (found after the call, the generator then put
back), 'same' replays one random stream for every index, 'different' draws afresh each time.
"""
import contextlib

from .._tensor import Tensor
from . import _pytree
from .transforms import _wraps

__all__ = ['vmap']

_RANDOMNESS = ('error', 'different', 'same')
_RANDOM_ERROR = ("vmap: called random operation while in randomness error mode. Please either use the "
                 "'same' or 'different' randomness flags on vmap or perform the randomness operation out "
                 "of vmap")


def check_randomness(randomness):
    if randomness not in _RANDOMNESS:
        raise RuntimeError("Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f'Got {randomness}')


# ---------------------------------------------------------------- random-number bookkeeping

def _rng_snapshot():
    """The states of the default CPU generator and of every GPU generator in use."""
    from ..ops import random as _random
    gpu = {i: g.get_state() for i, g in _random._cuda_generators.items()}
    return _random.default_generator.get_state(), gpu


def _rng_restore(snap):
    from ..ops import random as _random
    cpu, gpu = snap
    _random.default_generator.set_state(cpu)
    for i, state in gpu.items():
        _random._cuda_generators[i].set_state(state)


def _rng_same(a, b):
    import numpy as np
    if a[1].keys() != b[1].keys() and b[1]:
        return False
    pairs = [(a[0], b[0])] + [(a[1][i], b[1][i]) for i in a[1]]
    return all(np.array_equal(x._data, y._data) for x, y in pairs)


@contextlib.contextmanager
def no_random():
    """Raise vmap's randomness error if the body drew from a default generator."""
    before = _rng_snapshot()
    yield
    if not _rng_same(before, _rng_snapshot()):
        _rng_restore(before)
        raise RuntimeError(_RANDOM_ERROR)


# ---------------------------------------------------------------- vmap

def _name(func):
    import functools
    if isinstance(func, functools.partial):
        return f'functools.partial({_name(func.func)}, ...)'
    return getattr(func, '__name__', None) or repr(func)


def vmap(func, in_dims=0, out_dims=0, randomness='error', *, chunk_size=None):
    """``func`` mapped over dimension ``in_dims`` of its positional inputs (an int, or a tuple
    matching the arguments, nested like them, with None for unmapped ones); the results are
    stacked along ``out_dims``."""
    check_randomness(randomness)
    if chunk_size is not None and not (isinstance(chunk_size, int) and chunk_size > 0):
        raise ValueError(f'vmap: chunk_size should be None or greater than 0. (got {chunk_size})')

    def wrapper(*args, **kwargs):
        return _vmap_call(func, in_dims, out_dims, randomness, args, kwargs)
    return _wraps(func, wrapper)


def _broadcast(dims, tree, what, fail):
    """Pair every leaf of ``tree`` with its dim: ``dims`` is a prefix of ``tree``'s structure."""
    if dims is None or isinstance(dims, int) and not isinstance(dims, bool):
        return [dims] * len(_pytree.flatten(tree)[0])
    kids_d, kids_t = _pytree.children(dims), _pytree.children(tree)
    if kids_d is None:                       # a non-container, non-int in_dim: reported per leaf
        return [dims] * len(_pytree.flatten(tree)[0])
    if kids_t is None or not _pytree.same_node(dims, tree):
        raise fail()
    out = []
    for d, t in zip(kids_d, kids_t):
        out += _broadcast(d, t, what, fail)
    return out


def _vmap_call(func, in_dims, out_dims, randomness, args, kwargs):
    name = _name(func)
    head = f'vmap({name}, in_dims={in_dims}, ...)(<inputs>)'
    if not args:
        raise ValueError(f'vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are '
                         'trying to vmap over a function with no inputs. The latter is unsupported.')
    if isinstance(in_dims, bool) or not isinstance(in_dims, (int, tuple)):
        raise ValueError(f'{head}: expected `in_dims` to be int or a (potentially nested) tuple matching the '
                         f'structure of inputs, got: {type(in_dims)}.')
    leaves, spec = _pytree.flatten(args)

    def mismatch():
        return ValueError(f'{head}: in_dims is not compatible with the structure of `inputs`. in_dims has '
                          f'structure {_pytree.flatten(in_dims)[1]!r} but inputs has structure {spec!r}.')
    dims = _broadcast(in_dims, args, 'in_dims', mismatch)
    sizes = []
    for x, d in zip(leaves, dims):
        if d is None:
            continue
        if isinstance(d, bool) or not isinstance(d, int):
            raise ValueError(f'{head}: Got in_dim={d} for an input but in_dim must be either an integer '
                             'dimension or None.')
        if not isinstance(x, Tensor):
            raise ValueError(f'{head}: Got in_dim={d} for an input but the input is of type {type(x)}. We '
                             'cannot vmap over non-Tensor arguments, please use None as the respective in_dim')
        n = x.dim()
        if not -n <= d < n:
            raise ValueError(f'{head}: Got in_dim={d} for some input, but that input is a Tensor of '
                             f'dimensionality {n} so expected in_dim to satisfy -{n} <= in_dim < {n}.')
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError('vmap: Expected at least one Tensor to vmap over')
    if any(s != sizes[0] for s in sizes):
        raise ValueError('vmap: Expected all tensors to have the same size in the mapped dimension, got '
                         f'sizes {sizes} for the mapped dimension')
    batch = sizes[0]
    dims = [None if d is None else d % x.dim() for x, d in zip(leaves, dims)]
    from ..ops import _op
    _op.VMAP_LOCKED.append((_lock(leaves, dims), _INPLACE))
    try:
        results = _run(func, leaves, dims, spec, kwargs, batch, randomness)
    finally:
        _op.VMAP_LOCKED.pop()
    return _stack_outputs(results, out_dims, name, batch)


# ---------------------------------------------------------------- in-place writes to unmapped inputs

_INPLACE = ('vmap: inplace arithmetic(self, *extra_args) is not possible because there exists a Tensor '
            '`other` in extra_args that has more elements than `self`. This happened due to `other` being '
            'vmapped over but `self` not being vmapped over in a vmap. Please try to use out-of-place '
            'operators instead of inplace arithmetic. If said operator is being called inside the PyTorch '
            'framework, please file a bug report instead.')


def _lock(leaves, dims):
    """The memory owners of the unmapped tensor inputs, refused to in-place ops while the function
    runs once per index (ember's in-place check reads ``_op.VMAP_LOCKED``): such a write would
    otherwise reach the caller's tensor once per index. PyTorch refuses it too, as the write would
    need a batched ``self``."""
    owners = set()
    for x, d in zip(leaves, dims):
        if d is None and isinstance(x, Tensor) and not x.is_sparse:
            a = x._data
            owners.add(id(a if a.base is None else a.base))
    return owners


def _sample(x, d, i):
    if d is None:
        return x
    if i is None:                            # a batch of size 0: a zero stand-in for one sample
        return x.new_zeros(tuple(x.shape[:d]) + tuple(x.shape[d + 1:]))
    return x.select(d, i)


def _run(func, leaves, dims, spec, kwargs, batch, randomness):
    """func's output for every index (one zero-sample call when the batch is empty)."""
    indices = range(batch) if batch else [None]
    results = []
    start = _rng_snapshot() if randomness == 'same' else None
    for i in indices:
        call = _pytree.unflatten([_sample(x, d, i) for x, d in zip(leaves, dims)], spec)
        if start is not None:
            _rng_restore(start)
        if randomness == 'error':
            with no_random():
                results.append(func(*call, **kwargs))
        else:
            results.append(func(*call, **kwargs))
    return results


def _out_dims_for(out_dims, output, head):
    bad = ValueError(f'{head}: `out_dims` must be an int, None or a python collection of ints representing '
                     'where in the outputs the vmapped dimension should appear.')
    for d in _pytree.flatten(out_dims)[0]:
        if d is not None and (isinstance(d, bool) or not isinstance(d, int)):
            raise bad
    if isinstance(out_dims, tuple) and len(out_dims) == 1 and _pytree.children(output) is None:
        out_dims = out_dims[0]              # (d,) for a single output, as PyTorch allows

    def mismatch():
        return ValueError(f'{head}(<inputs>): out_dims is not compatible with the structure of `outputs`. '
                          f'out_dims has structure {_pytree.flatten(out_dims)[1]!r} but outputs has '
                          f'structure {_pytree.flatten(output)[1]!r}.')
    return _broadcast(out_dims, output, 'out_dims', mismatch)


def _stack_outputs(results, out_dims, name, batch):
    from ..ops.join import stack
    head = f'vmap({name}, ..., out_dims={out_dims})'
    first_leaves, spec = _pytree.flatten(results[0])
    dims = _out_dims_for(out_dims, results[0], head)
    columns = [first_leaves] + [_pytree.flatten(r)[0] for r in results[1:]]
    out = []
    for j, (leaf, d) in enumerate(zip(first_leaves, dims)):
        column = [c[j] for c in columns]
        if d is None:
            out.append(_unbatched(column, name))
            continue
        for v in column:
            if not isinstance(v, Tensor):
                raise ValueError(f'vmap({name}, ...): `{name}` must only return Tensors, got type {type(v)}. '
                                 'Did you mean to set out_dims= to None for output?')
        try:
            stacked = stack(column, d)
        except RuntimeError:
            _dynamic_shape(column, name)
            raise
        out.append(stacked if batch else stacked.narrow(d, 0, 0))
    return _pytree.unflatten(out, spec)


def _dynamic_shape(column, name):
    """PyTorch refuses ops whose output shape depends on the values (nonzero, masked_select, ...) as it
    meets them; ember sees it when the outputs for different indices differ in shape."""
    for i, v in enumerate(column):
        if v.shape != column[0].shape:
            raise RuntimeError(f'vmap: We do not support batching operators that can output dynamic shape. '
                               f'Attempted to vmap over `{name}`, whose output has shape '
                               f'{list(column[0].shape)} at index 0 but {list(v.shape)} at index {i}.')


def _unbatched(column, name):
    """An out_dim of None: the output must not vary with the index."""
    first = column[0]
    if not isinstance(first, Tensor) or all(v is first for v in column):
        return first
    same = all(isinstance(v, Tensor) and v.shape == first.shape and bool((v == first).all()) for v in column)
    if not same:
        raise ValueError(f'vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is None')
    return first
