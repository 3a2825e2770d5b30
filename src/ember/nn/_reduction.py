"""``torch.nn._reduction``: the helpers older custom losses import to turn a reduction name, or the
deprecated ``size_average`` / ``reduce`` pair, into a name or PyTorch's number for it."""
import warnings

from ..ops.losses import reduction_enum

_NUMBERS = {'none': 0, 'mean': 1, 'sum': 2}


def get_enum(reduction):
    """0, 1 or 2 for 'none', 'mean' or 'sum' ('elementwise_mean', an old 'mean', warns); ValueError
    for anything else."""
    return _NUMBERS[reduction_enum(reduction)]


def legacy_get_string(size_average, reduce, emit_warning=True):
    """The reduction name the deprecated pair means (each None counts as True), with the deprecation
    warning unless ``emit_warning`` is False."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    name = ('mean' if size_average else 'sum') if reduce else 'none'
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{name}' instead.",
                      stacklevel=2)
    return name


def legacy_get_enum(size_average, reduce, emit_warning=True):
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))
