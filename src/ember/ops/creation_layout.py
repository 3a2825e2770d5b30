"""``ember.empty_permuted``: an uninitialised tensor whose dimensions are laid out in memory in a
chosen order (``physical_layout``), e.g. channels-last for any rank."""
from .._tensor import Tensor

__all__ = ['empty_permuted']


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """A dense tensor of logical shape ``size`` whose dimension ``physical_layout[0]`` is outermost in
    memory and ``physical_layout[-1]`` innermost (a leaf, not a view)."""
    from .creation import empty
    size, order = tuple(int(s) for s in size), tuple(int(d) for d in physical_layout)
    if len(size) != len(order):
        raise RuntimeError('Number of dimensions in size does not match the length of the physical_layout; i.e. '
                           f'len(size) = {len(size)} is not equal to len(physical_layout) = {len(order)}')
    seen = [False] * len(size)
    for i, d in enumerate(order):
        if not 0 <= d < len(size):
            raise RuntimeError(f'Dimension out of range (expected to be between 0 and {len(size) - 1}, but got {d} '
                               f'at index {i}).  NB: negative dims not currently supported; file an issue if you '
                               'want it.')
        if seen[d]:
            raise RuntimeError('Duplicate dim not allowed')
        seen[d] = True
    inverse = [0] * len(order)
    for i, d in enumerate(order):
        inverse[d] = i
    base = empty(tuple(size[d] for d in order), dtype=dtype, device=device)
    out = Tensor._make(base._data.transpose(inverse))
    return out.requires_grad_() if requires_grad else out
