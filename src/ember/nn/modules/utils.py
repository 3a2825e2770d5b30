"""``torch.nn.modules.utils``: the small argument helpers layer code imports from PyTorch
(``_pair(3) == (3, 3)``) and ``consume_prefix_in_state_dict_if_present``."""
import collections.abc
import itertools

__all__ = ['consume_prefix_in_state_dict_if_present']


def _ntuple(n, name='parse'):
    """A function turning a scalar into an ``n``-tuple of it; an iterable becomes a tuple as is."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return tuple(itertools.repeat(x, n))
    parse.__name__ = parse.__qualname__ = name
    return parse


_single = _ntuple(1, '_single')
_pair = _ntuple(2, '_pair')
_triple = _ntuple(3, '_triple')
_quadruple = _ntuple(4, '_quadruple')


def _reverse_repeat_tuple(t, n):
    """Each element of ``t`` repeated ``n`` times, last element first: ((1, 2), 2) -> (2, 2, 1, 1)
    (the padding layout F.pad takes, built from a per-dimension tuple)."""
    return tuple(x for x in reversed(t) for _ in range(n))


def _list_with_default(out_size, defaults):
    """An adaptive pooling output size with its None entries taken from the input's trailing sizes."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f'Input dimension should be at least {len(out_size) + 1}')
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]


def consume_prefix_in_state_dict_if_present(state_dict, prefix):
    """Strips ``prefix`` from every key of ``state_dict`` that has it (in place), and from the keys
    of its ``_metadata`` (e.g. the ``module.`` DataParallel/DDP add)."""
    for key in list(state_dict.keys()):
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)
    metadata = getattr(state_dict, '_metadata', None)
    if metadata is not None:
        for key in list(metadata.keys()):
            if len(key) == 0:
                continue
            if key == prefix.replace('.', '') or key.startswith(prefix):
                metadata[key[len(prefix):]] = metadata.pop(key)
