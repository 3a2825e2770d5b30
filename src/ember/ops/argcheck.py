"""PyTorch's TypeErrors for the reductions' ``(dim, keepdim)`` arguments, which its argument parser
raises before an op runs: ``x.sum(0, 1)`` (keepdim must be a bool, not an int), ``x.sum(0, True,
ember.float64)`` (dtype is keyword-only), and so on. Python would accept these calls (1 is a fine
truth value), so ember checks them in the thin ``axis=`` wrapper that ``_methods`` puts around each
op with a ``dim`` parameter.

Which of PyTorch's three messages a call gets depends on how many overloads the name has:
  'bool'  ``sum(): argument 'keepdim' (position 2) must be bool, not int`` (one plausible overload)
  'takes' ``sum() takes from 1 to 2 positional arguments but 3 were given``
  'mixed' ``max() received an invalid combination of arguments - got (Tensor, int, int), but ...``
"""
from .._tensor import Tensor
from .. import _dtype

B, T, M = 'bool', 'takes', 'mixed'

# name: (fewest positional arguments of the method form, then the style of the error for a bad
# keepdim / too many positional arguments / a bad keepdim= keyword: method form, function form)
_RULES = {
    'sum': (1, (B, T, B), (B, T, B)), 'prod': (1, (B, T, B), (B, T, B)),
    'mean': (1, (B, T, B), (M, T, M)), 'logsumexp': (1, (B, T, B), (B, T, B)),
    'max': (1, (B, M, B), (M, T, M)), 'min': (1, (B, M, B), (M, T, M)),
    'median': (1, (B, M, B), (B, T, B)), 'nanmedian': (1, (B, M, B), (B, T, B)),
    'amax': (0, (B, T, B), (B, T, B)), 'amin': (0, (B, T, B), (B, T, B)),
    'argmax': (0, (B, T, B), (B, T, B)), 'argmin': (0, (B, T, B), (B, T, B)),
    'nansum': (0, (B, T, B), (B, T, B)), 'nanmean': (0, (B, T, B), (B, T, B)),
    'mode': (0, (B, T, B), (B, T, B)),
    'any': (0, (M, M, M), (M, M, M)), 'all': (0, (M, M, M), (M, M, M)),
    # (dim, unbiased, keepdim): both flags must be bools, else no overload matches
    'std': (0, (M, M, M), (M, M, M)), 'var': (0, (M, M, M), (M, M, M)),
}
_FLAGS = {'std': 2, 'var': 2}        # how many bool flags follow dim positionally
# one overload only: PyTorch names the unexpected keyword / the positional count whatever else came
_SINGLE = {'amax', 'amin', 'argmax', 'argmin', 'nansum', 'nanmean', 'mode', 'logsumexp'}
_KEYWORDS = {'dim', 'keepdim', 'out'}
_DTYPE_KW = {'sum', 'mean', 'prod', 'nansum', 'nanmean'}
_STD_KW = {'unbiased', 'correction'}
_NEED_DIM = {'logsumexp', 'median', 'nanmedian'}   # keepdim= alone: dim is missing


def rule(name):
    """The check for op ``name`` (None when PyTorch's parser adds nothing to Python's)."""
    return _RULES.get(name)


def _type_name(v):
    if isinstance(v, Tensor):
        return 'Tensor'
    if isinstance(v, _dtype.dtype):
        return 'ember.dtype'
    t = type(v)
    return t.__name__ if t.__module__ == 'builtins' else f'{t.__module__}.{t.__name__}'


type_name = _type_name      # (public: the name PyTorch's messages give a value's type)


def _mixed(name, args, kw):
    pos = [_type_name(a) for a in args]
    kws = [f'{k}={_type_name(v)}' for k, v in kw.items()]
    got = ', '.join(pos + kws) if pos else ''.join(k + ', ' for k in kws)
    return TypeError(f'{name}() received an invalid combination of arguments - got ({got}), but expected '
                     f'one of:')


# the reduction methods take no ``out=`` (NumPy's np.sum(t) passes axis=None, out=None); for these names
# PyTorch's overloads refuse a ``dim=None`` too
_OVERLOADED_OUT = frozenset(('sum', 'mean', 'prod', 'max', 'min', 'median', 'nanmedian'))
_INT_DIM = frozenset(('max', 'min', 'prod', 'median', 'nanmedian'))


def _method_keywords(name, args, kw):
    """PyTorch's TypeError for a reduction method given ``out=`` (or, for ``_INT_DIM``, ``dim=None``)."""
    shown = args[1:]
    if name in ('any', 'all', 'std', 'var'):
        return _mixed(name, shown, _parser_order(kw))
    extra = set(kw) - {'axis', 'out', 'dim'}
    if 'axis' in kw:
        if name in _INT_DIM and kw['axis'] is None:
            if extra and name != 'prod':
                return _mixed(name, shown, _parser_order(kw))
            return TypeError(f"{name}(): argument 'dim' must be int, not NoneType")
        return TypeError(f"{name}() got an unexpected keyword argument 'axis'")
    if name in _OVERLOADED_OUT and (set(kw) == {'out'} or kw.get('dim', 0) is None):
        return _mixed(name, shown, kw)
    return TypeError(f"{name}() got an unexpected keyword argument 'out'")


def _parser_order(kw):
    """The keywords in the order PyTorch's message lists them: last given first, dtype before out."""
    names = list(reversed(kw))
    if 'dtype' in kw and 'out' in kw:
        i, j = sorted((names.index('dtype'), names.index('out')))
        names[i], names[j] = 'dtype', 'out'
    return {k: kw[k] for k in names}


def check(spec, name, method, args, kw):
    """Raise PyTorch's TypeError for these arguments of op ``name`` (``args`` include the tensor)."""
    if method and ('out' in kw or name in _INT_DIM and 'dim' in kw and kw['dim'] is None):
        if name in ('median', 'nanmedian') and set(kw) == {'out'}:
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        if name in ('median', 'nanmedian') and set(kw) == {'dim'}:
            raise TypeError(f"{name}(): argument 'dim' must be int, not NoneType")
        raise _method_keywords(name, args, kw)
    lo, styles = spec[0], spec[1] if method else spec[2]
    if not method:
        lo += 1
    shown = args[1:] if method else args          # the message counts the tensor only for functions
    nflags = _FLAGS.get(name, 1)
    hi = (1 if method else 2) + nflags
    single = name in _SINGLE
    if len(shown) > hi:
        if styles[1] == T and (single or not kw):
            raise TypeError(f'{name}() takes from {lo} to {hi} positional arguments but {len(shown)} were given')
        raise _mixed(name, shown, kw)
    for k in kw:
        if k not in _KEYWORDS and not (k == 'dtype' and name in _DTYPE_KW) and not (
                k in _STD_KW and name in _FLAGS) and k not in ('axis', 'keepdims') and not (
                k == 'input' and not method) and not (
                k == 'other' and name in ('max', 'min') and len(args) < 2 and 'dim' not in kw):
            if single:
                raise TypeError(f"{name}() got an unexpected keyword argument '{k}'")
            raise _mixed(name, shown, kw)
    flags = args[2:2 + nflags]
    if any(type(f) is not bool for f in flags):
        if styles[0] == B:
            raise TypeError(f"{name}(): argument 'keepdim' (position {2 if method else 3}) must be bool, "
                            f"not {_type_name(flags[0])}")
        raise _mixed(name, shown, kw)
    if 'keepdim' in kw and type(kw['keepdim']) is not bool:
        no_dim = len(args) < 2 and 'dim' not in kw
        if no_dim and name in _NEED_DIM:
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        if styles[2] == B and (single or not no_dim):
            raise TypeError(f"{name}(): argument 'keepdim' must be bool, not {_type_name(kw['keepdim'])}")
        raise _mixed(name, shown, kw)


# ------------------------------------------------------------------ a non-Tensor where a Tensor is due
# PyTorch's parser refuses ``ember.sum([[1., 2.]])`` (a list, a number, a NumPy array) with a TypeError
# before the op runs. ember's ops just use their input, so a list fails with an AttributeError inside;
# the function forms catch that (free when nothing is raised) and call :func:`bad_input`.

# functions whose several overloads make PyTorch's parser name none: "... invalid combination ..."
_OVERLOADED = frozenset(('all', 'any', 'std', 'var', 'std_mean', 'var_mean', 'bitwise_and', 'bitwise_or',
                         'bitwise_xor', 'clamp', 'clip', 'clamp_', 'clip_', 'clamp_min_', 'clamp_max_', 'fill_',
                         'histogramdd', 'view_copy', 'linalg_matrix_rank', 'linalg_pinv'))
# ... and those whose dim overloads (int or name) do so once a dim, keepdim, ... is given
_OVERLOADED_DIM = frozenset(('sum', 'mean', 'prod', 'max', 'min', 'sort', 'squeeze', 'where'))


def not_tensor_error(fname, x, arg='input', pos=1):
    """PyTorch's TypeError for the non-Tensor ``x`` given as argument ``arg`` (``pos`` None: by keyword)."""
    at = '' if pos is None else f' (position {pos})'
    return TypeError(f"{fname}(): argument '{arg}'{at} must be Tensor, not {_type_name(x)}")


def need_tensor(fname, x, arg='input', pos=1):
    """Raise :func:`not_tensor_error` (or the overloaded names' message) unless ``x`` is a Tensor."""
    if not isinstance(x, Tensor):
        if fname in _OVERLOADED:
            raise _mixed(fname, (x,), {}) from None
        raise not_tensor_error(fname, x, arg, pos) from None


def bad_input(fname, args, kw=None, arg='input'):
    """In an ``except AttributeError`` around op ``fname``: raise PyTorch's TypeError when the first
    argument (``args[0]``, else keyword ``arg``) is not a Tensor; re-raise the error being handled
    when it is one (it then came from inside the op). Always raises."""
    kw = kw or {}
    x = args[0] if args else kw.get(arg)
    if isinstance(x, Tensor):
        raise                                    # noqa: PLE0704 (the caller's AttributeError)
    if fname in _OVERLOADED or (fname in _OVERLOADED_DIM and (len(args) > 1 or (kw and not _only_input(kw, arg)))):
        raise _mixed(fname, args, kw) from None
    raise not_tensor_error(fname, x, arg, 1 if args else None) from None


class NotTensorInput(TypeError, AttributeError):
    """An op met a NumPy array or scalar as its first input (``ember.exp(np.ones(3))``). ``apply`` raises
    it; as an AttributeError it reaches the function forms' ``except AttributeError``, whose
    :func:`bad_input` replaces it with PyTorch's TypeError naming the function."""


def op_input_error(cls, x):
    """:class:`NotTensorInput` for op class ``cls`` (named after its grad_fn: ExpBackward0 -> exp)."""
    import re
    name = re.sub(r'Backward\d*$', '', cls.__name__)
    name = re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', name).lower()
    return NotTensorInput(*not_tensor_error(name, x).args)


def invalid_combination(fname, args, kw):
    """PyTorch's TypeError when no overload of ``fname`` fits ``args`` / ``kw``."""
    return _mixed(fname, args, kw)


def _only_input(kw, arg):
    return len(kw) == 1 and arg in kw


# ------------------------------------------------------------------ a non-Tensor in a later position
# ``ember.add(t, [1.])``, ``t.mul(np.ones(2))``, ``ember.mm(t, 1.5)``: PyTorch's parser takes a Tensor or
# (where the op has a Scalar overload) a Number there, NumPy scalars included, and refuses anything else.
# Ops with such operands name it in their class (Op.operand_arg); ``apply`` then refuses the value
# in its branch for non-Tensor inputs (free on the Tensor path) with the method form's message
# (:func:`op_operand_error`), and the function forms catch that and name their own arguments
# (:func:`bad_operands`).

# names with several overloads: PyTorch names no argument ("... invalid combination ...")
_MIXED_OPERANDS = frozenset((
    'subtract', 'multiply', 'divide', 'true_divide', 'floor_divide', 'floor_divide_', 'remainder', 'remainder_',
    'pow', 'pow_', 'float_power', 'float_power_', 'xlogy', 'xlogy_', 'rsub', 'clamp', 'clip', 'clamp_', 'clip_',
    'where', 'lerp', 'lerp_', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_and_', 'bitwise_or_',
    'bitwise_xor_', 'masked_fill', 'masked_fill_', 'fill_', 'subtract_', 'multiply_', 'divide_',
    'true_divide_', 'fmod', 'fmod_', 'bitwise_left_shift', 'bitwise_right_shift', 'bitwise_left_shift_',
    'bitwise_right_shift_'))


def _is_number(v):
    import numpy as np
    return isinstance(v, (int, float, complex, np.generic))       # (bool is an int)


def operand_error(fname, args, names=('input', 'other'), numbers=True, method=False):
    """PyTorch's TypeError for the first of ``args`` (the tensor included) that is neither a Tensor
    nor (``numbers``) a Number; None when every one is (an error then came from inside the op)."""
    for i, v in enumerate(args):
        if not isinstance(v, Tensor) and not (numbers and _is_number(v)):
            if fname in _MIXED_OPERANDS:
                return _mixed(fname, args[1:] if method else args, {})
            return not_tensor_error(fname, v, names[i], i if method else i + 1)
    return None


def bad_operands(fname, args, names=('input', 'other'), numbers=True):
    """In an ``except`` around the function form of ``fname``: raise :func:`operand_error`, or re-raise
    the error being handled when every argument fits. Always raises."""
    e = operand_error(fname, args, names, numbers)
    if e is None:
        raise                                    # noqa: PLE0704 (the caller's error)
    raise e from None


def op_operand_error(cls, inputs, pos, inplace=False):
    """The method form's TypeError for the non-Tensor ``inputs[pos]`` of op ``cls`` (see Op.operand_arg)."""
    import re
    name = getattr(cls, 'aten', '') or re.sub(r'Backward\d*$', '', cls.__name__)
    name = re.sub(r'(?<=[a-z0-9])([A-Z])', r'_\1', name).lower() + ('_' if inplace else '')
    if name in _MIXED_OPERANDS:
        return _mixed(name, inputs[1:], {})
    return not_tensor_error(name, inputs[pos], cls.operand_arg, pos)


def need_tensors(fname, args, names=('input', 'other'), method=False):
    """Raise PyTorch's TypeError unless every one of ``args`` (the tensor included) is a Tensor: for the
    ops without a Number overload (inner, kron, cross, dist). Callers test ``x.__class__ is not Tensor``
    first, so the check costs nothing on the usual path."""
    e = operand_error(fname, args, names, False, method)
    if e is not None:
        raise e


def alias(fn, name, method=False):
    """``fn`` under PyTorch's alias ``name`` (subtract for sub, ...): the same op, whose parser errors
    name the alias (``method``: the method form's message). Free unless a TypeError is raised."""
    def f(input, other, *args, **kw):
        if args:        # (the aliases have no deprecated number-first overload: ``add(input, alpha, other)``)
            raise _mixed(name, [other, *args] if method else [input, other, *args], kw)
        try:
            return fn(input, other, *args, **kw)
        except TypeError:
            e = operand_error(name, (input, other), method=method)
            if e is None:
                raise
            raise e from None
    f.__name__ = f.__qualname__ = name
    return f


# ------------------------------------------------------------------ how the failed call was written
# PyTorch's "invalid combination" message lists the arguments as they were given: by position
# (``Tensor, list``) or by keyword (``max=list``, the keywords last to first). An op that can only
# see its bound parameters reads the call from its caller's bytecode, on the error path only.

def call_form(frame):
    """(how many arguments by position, the keyword names) of the call now running in ``frame`` (the
    caller of an op), read from its bytecode; None where it cannot be read (a ``*args`` call, ...)."""
    import dis
    try:                                        # (the error path only: any surprise reads as "unknown")
        code, at = frame.f_code, frame.f_lasti
        ins = [i for i in dis.get_instructions(code) if i.offset <= at]
    except Exception:
        return None
    if not ins or ins[-1].opname not in ('CALL', 'CALL_KW'):
        return None
    call, names = ins[-1], ()
    for i in reversed(ins[:-1]):
        if i.opname == 'PRECALL':
            continue
        if i.opname == 'KW_NAMES':
            names = code.co_consts[i.arg]
        elif call.opname == 'CALL_KW':
            names = i.argval if i.opname == 'LOAD_CONST' else None
        break
    if not isinstance(names, tuple):
        return None
    return call.arg - len(names), names


def invalid_call(fname, frame, params, values, fallback, method=False):
    """:func:`invalid_combination` for the call in ``frame`` of ``fname``, whose parameters ``params``
    (the tensor first) hold ``values``. ``method``: a method call (the tensor is not listed); None:
    one when fewer arguments came than ``params`` (ops whose parameters are all required). Where the
    call cannot be read (``fn(*args)``) it is taken as the function form with ``fallback`` arguments
    by position."""
    form = call_form(frame)
    if form is None and getattr(frame.f_code, 'co_qualname', '') == 'accept_axis.<locals>.op':
        form = call_form(frame.f_back)            # (the methods' thin wrapper for axis=: its caller)
    if form is None:
        npos, kws, method = fallback, (), False
    else:
        npos, kws = form
        if method is None:
            method = npos + len(kws) < len(params)
    if method:
        params, values = params[1:], values[1:]
    given = dict(zip(params, values))
    return _mixed(fname, list(values[:npos]), {k: given[k] for k in reversed(kws) if k in given})
