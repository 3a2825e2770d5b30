"""PyTorch's deprecated overloads that put the number before the tensors, which its argument parser
still takes after one warning per process: ``t.add_(alpha, other)``, ``torch.add(input, alpha,
other)``, ``t.addcmul_(value, tensor1, tensor2)``, ... (the update lines of old hand-written
optimizers: ``p.data.add_(-lr, d_p)``, ``exp_avg_sq.mul_(beta2).addcmul_(1 - beta2, grad, grad)``).
:func:`number_first` turns such a call into the op's current form; the ops (add, sub, addcmul,
addcdiv and their in-place forms) call it only when more arguments came by position than they take.
"""
import sys
import warnings

from .._tensor import Tensor
from .argcheck import _is_number, call_form

_FORMS = {'add': ('alpha', ('other',)), 'sub': ('alpha', ('other',)),
          'addcmul': ('value', ('tensor1', 'tensor2')), 'addcdiv': ('value', ('tensor1', 'tensor2'))}
_WARNED = [False]       # PyTorch warns once per process, whichever deprecated overload came first


def _number(v):
    """a Number for PyTorch's parser: a Python or NumPy number, or a 0-dim tensor"""
    return _is_number(v) or (isinstance(v, Tensor) and v.ndim == 0)


def _message(name, method, kw, tensors):
    ts = ', '.join(f'Tensor {t}' for t in tensors)
    if method:
        old, new = f'Number {kw}, {ts}', f'{ts}, *, Number {kw} = 1'
    else:
        old, new = f'Tensor input, Number {kw}, {ts}, *, Tensor out = None', \
                   f'Tensor input, {ts}, *, Number {kw} = 1, Tensor out = None'
    return (f'This overload of {name} is deprecated:\n\t{name}({old})\n'
            f'Consider using one of the following signatures instead:\n\t{name}({new})')


def number_first(name, args, kw_given=False):
    """The arguments ``args`` (those after the tensor or ``input``) of a call of op ``name`` in its
    deprecated form ``(number, tensors...)``, reordered as ``(tensors..., number)``, after PyTorch's
    warning. Raises PyTorch's TypeError where they fit no form (``kw_given``: the number's keyword,
    alpha= or value=, came too)."""
    kw, tensors = _FORMS[name.rstrip('_')]
    fits = (len(args) == len(tensors) + 1 and _number(args[0])
            and all(isinstance(t, Tensor) or _is_number(t) for t in args[1:]))
    if fits and not kw_given and _WARNED[0]:
        return (*args[1:], args[0])
    method = name.endswith('_')
    if not method:                  # the method and the function share the op: read the call site
        form = call_form(sys._getframe(2))
        method = form is not None and form[0] == len(args)
    if not fits or kw_given:
        if fits and method:
            raise TypeError(f'{name}() received an invalid combination of arguments - got unrecognized '
                            f'keyword arguments: {kw}')
        n, given = len(tensors) + (not method), len(args) + (not method)
        raise TypeError(f'{name}() takes {n} positional argument{"s" * (n > 1)} but {given} were given')
    _WARNED[0] = True
    warnings.warn(_message(name, method, kw, tensors), UserWarning, stacklevel=3)
    return (*args[1:], args[0])
