"""PyTorch's TypeError for a ``dim`` that is no int (``x.max(dim=(0, 1))``, ``x.sum(1.0)``), built on the
error path only, for whichever op ``dims.wrap_dim`` was reading the dim for.

PyTorch's argument parser words it by the op's signatures: an op with one signature names the argument
and, when it came by position, its position (``argmax(): argument 'dim' (position 1) must be int, not
tuple``); an op with several overloads lists what it got (``max() received an invalid combination of
arguments - got (dim=tuple, ), but expected one of:``). The op is the frame nearest the user's code whose
function has one of the names below; the user's call is read from its bytecode (argcheck.call_form)."""
import os
import sys

# ops with several signatures: "invalid combination"
_OVERLOADED = frozenset({'max', 'min', 'sum', 'mean', 'sort', 'argsort', 'narrow', 'split', 'std', 'var',
                         'prod', 'all', 'any', 'nansum', 'std_mean', 'var_mean'})
# ops with one signature: the argument's name (the parameter holding the bad value where it is not 'dim')
_SINGLE = frozenset({'argmax', 'argmin', 'softmax', 'log_softmax', 'softmin', 'topk', 'kthvalue', 'unbind',
                     'select', 'transpose', 'swapaxes', 'swapdims', 'gather', 'index_select', 'chunk', 'cat',
                     'concat', 'concatenate', 'stack', 'diff', 'median', 'nanmedian', 'mode', 'cummax', 'cummin',
                     'cumsum', 'cumprod', 'logcumsumexp', 'flatten', 'unsqueeze', 'scatter', 'scatter_add',
                     'index_add', 'index_fill', 'index_copy', 'tensor_split', 'hsplit', 'unflatten',
                     'renorm', 'glu', 'normalize'})
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))      # src/ember
_FUNCTIONAL = os.path.join(_PKG, 'nn', 'functional')


_WRAPPERS = frozenset({'op', 'f', 'fn', 'wrapper', 'inner', 'method', 'wrapped'})


def _op_name(frame):
    """The op a frame runs, by its function's name (or a factory-made function's captured ``name``)."""
    name = frame.f_code.co_name
    if name in _OVERLOADED or name in _SINGLE:
        return name
    captured = frame.f_locals.get('name') if name in _WRAPPERS else None
    if isinstance(captured, str) and (captured in _OVERLOADED or captured in _SINGLE):
        return captured
    return None


def _param_of(frame, dim):
    code = frame.f_code
    return next((p for p in code.co_varnames[:code.co_argcount] if frame.f_locals.get(p) is dim), None)


def dim_error(dim):
    """The TypeError for ``dim`` (not an int) as PyTorch's parser words it for the op being called;
    ember's plain message where the call cannot be placed."""
    return parser_error(dim) or TypeError(f'dim must be an int, got {type(dim).__name__}')


def parser_error(dim):
    """:func:`dim_error`'s parser-style error, or None where the call cannot be placed."""
    try:
        return _parser_error(dim)
    except Exception:
        return None


def _parser_error(dim):
    from .argcheck import call_form, type_name, _mixed
    frame, op, functional, fname, holder = sys._getframe(2), None, False, None, None
    chain = []
    while frame is not None and frame.f_code.co_filename.startswith(_PKG):
        chain.append(frame)
        name = _op_name(frame)
        if name is not None:
            op, fname = frame, name
            functional = functional or frame.f_code.co_filename.startswith(_FUNCTIONAL)
            if holder is None and _param_of(frame, dim) is not None:
                holder = frame          # the innermost op frame with dim among its parameters
        frame = frame.f_back
    if op is None or frame is None:
        return None
    user = op.f_back                    # the op's caller: past thin wrappers, the user's code or ember's
    while user is not frame and user.f_code.co_name in _WRAPPERS:
        user = user.f_back
    holder = holder or op
    code = holder.f_code
    params = code.co_varnames[:code.co_argcount]
    values = [holder.f_locals.get(p) for p in params]
    param = _param_of(holder, dim) or 'dim'
    if fname in _SINGLE and (functional or user.f_code.co_name.startswith('functional_')
                             or user.f_code.co_filename.startswith(_FUNCTIONAL)):
        # nn.functional's wrappers pass dim on by position
        return TypeError(f"{fname}(): argument '{param}' (position 1) must be int, not {type_name(dim)}")
    form = call_form(user)
    if form is None:
        return None
    npos, kws = form
    receiver = _receiver(user, npos + len(kws))
    if receiver is None and fname not in _OVERLOADED:
        return None                     # (an expression, not a name: the callers' own reading decides)
    if getattr(receiver, '__name__', '').endswith('nn.functional') and fname in _SINGLE:
        return TypeError(f"{fname}(): argument '{param}' (position 1) must be int, not {type_name(dim)}")
    from .._tensor import Tensor
    method = (receiver is _EXPRESSION or isinstance(receiver, Tensor)) and fname != 'split'  # (torch's split: Python)
    if fname in _OVERLOADED:
        shown = list(values[1:1 + npos] if method else values[:npos + (fname == 'split')])
        return _mixed(fname, shown, {k: holder.f_locals.get(k, dim) for k in kws})
    if param in kws:
        return TypeError(f"{fname}(): argument '{param}' must be int, not {type_name(dim)}")
    callee = next((f for f in chain if f.f_back is user), None)
    at = None if callee is None else _position_of(callee, dim)
    if at is None:
        return None
    return TypeError(f"{fname}(): argument '{param}' (position {at if method else at + 1}) must be int, "
                     f"not {type_name(dim)}")


def _position_of(frame, dim):
    """Where ``dim`` sits among the positional arguments ``frame``'s function was called with (its named
    parameters, then its ``*args``), counting from 0; None where it is not among them."""
    code = frame.f_code
    values = [frame.f_locals.get(p) for p in code.co_varnames[:code.co_argcount]]
    if code.co_flags & 0x04:                # CO_VARARGS
        values += list(frame.f_locals.get(code.co_varnames[code.co_argcount + code.co_kwonlyargcount], ()))
    return next((i for i, v in enumerate(values) if v is dim), None)


def _receiver(frame, nargs):
    """The object whose attribute the call running in ``frame`` calls (``x`` of ``x.max(...)``, the
    module of ``torch.max(...)``): the stack effects of the instructions before the call are walked
    back over its ``nargs`` arguments to the attribute load; None where that is no plain name."""
    import dis
    ins = [i for i in dis.get_instructions(frame.f_code) if i.offset <= frame.f_lasti]
    k = len(ins) - 2
    while k >= 0 and ins[k].opname in ('PRECALL', 'KW_NAMES'):
        k -= 1
    pushed = 0
    while k >= 0 and pushed < nargs:
        i = ins[k]
        if i.opname.startswith(('JUMP', 'POP_JUMP', 'FOR_ITER', 'SEND')):
            return None                             # (control flow inside the arguments)
        pushed += dis.stack_effect(i.opcode, i.arg) if i.opcode >= dis.HAVE_ARGUMENT else dis.stack_effect(i.opcode)
        k -= 1
    if pushed != nargs or k < 1 or ins[k].opname not in ('LOAD_METHOD', 'LOAD_ATTR'):
        return None
    attrs = []
    k -= 1
    while k > 0 and ins[k].opname == 'LOAD_ATTR':        # x.a.b.method(...): the chain from a name
        attrs.append(ins[k].argval)
        k -= 1
    prev = ins[k]
    if prev.opname not in ('LOAD_FAST', 'LOAD_NAME', 'LOAD_GLOBAL', 'LOAD_DEREF'):
        return _EXPRESSION if not attrs else None       # (x + 0).max(...): a computed receiver
    name = prev.argval
    obj = frame.f_locals.get(name, frame.f_globals.get(name, frame.f_builtins.get(name)))
    for a in reversed(attrs):
        obj = getattr(obj, a, None)
    return obj


class _Computed:
    """The receiver of ``(expression).op(...)``: a value computed in the call, so no module, a tensor."""


_EXPRESSION = _Computed()


def int_list(value, fname, arg):
    """``value`` (an int, or a tuple/list of ints; NumPy integers and integer 0-dim tensors read as
    ints) as a tuple of ints, else PyTorch's parser TypeError for argument ``arg`` of ``fname``
    ("must be tuple of ints, not float", "... but found element of type float at pos 0"), with the
    argument's position in the user's call where it came by position."""
    from .dims import int_arg
    from .argcheck import type_name
    one = value if isinstance(value, int) and not isinstance(value, bool) else int_arg(value)
    if one is not None and not isinstance(value, (tuple, list)):
        return (one,)
    if isinstance(value, (tuple, list)):
        out = []
        for i, v in enumerate(value):
            d = v if isinstance(v, int) and not isinstance(v, bool) else int_arg(v)
            if d is None:
                raise TypeError(f"{fname}(): argument '{arg}'{_at(value, arg)} must be tuple of ints, but found "
                                f"element of type {type_name(v)} at pos {i}")
            out.append(d)
        return tuple(out)
    raise TypeError(f"{fname}(): argument '{arg}'{_at(value, arg)} must be tuple of ints, not {type_name(value)}")


def int_like(v):
    """An int, or what PyTorch's parser reads as one (a NumPy integer, an integer 0-dim tensor)."""
    from .dims import int_arg
    return isinstance(v, int) or int_arg(v) is not None


def int_dims(dims, fname, arg):
    """``f(*dims)``'s arguments (``flip(x, 0, 1)``, ``flip(x, (0, 1))``): one argument read by
    :func:`int_list`, several each an int (PyTorch's unpacking error otherwise)."""
    from .dims import int_arg
    if len(dims) == 1:
        return (int_list(dims[0], fname, arg),)
    for i, d in enumerate(dims):
        if not isinstance(d, int) and int_arg(d) is None:
            raise TypeError(f"{fname}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
                            f'"type must be tuple of ints,but got {type(d).__name__}"')
    return dims


def _at(value, arg):
    """' (position N)' for ``value`` given by position in the user's call to the running op, '' when
    given by keyword ``arg`` (or where the call cannot be read)."""
    try:
        frame, callee = sys._getframe(2), None
        while frame is not None and frame.f_code.co_filename.startswith(_PKG):
            callee, frame = frame, frame.f_back
        if frame is None or callee is None:
            return ''
        at = _position_of(callee, value)
        if at is None:
            return ''
        from .argcheck import call_form
        form = call_form(frame)
        if form is None or arg in form[1]:
            return ''
        receiver = _receiver(frame, form[0] + len(form[1]))
        from .._tensor import Tensor
        method = receiver is _EXPRESSION or isinstance(receiver, Tensor)
        return f' (position {at if method else at + 1})'
    except Exception:
        return ''
