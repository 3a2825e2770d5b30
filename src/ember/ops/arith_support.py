"""Helpers of the arithmetic functions in ``arith.py``: writing a result into ``out=`` with
PyTorch's checks (shared by every op with an ``out=`` argument), handing an op with a sparse
COO operand to ``ember.sparse``, add/sub's alpha and in-place fast path, integer division, and
PyTorch's order of checks for elementwise ops that fail on a dtype (``checks_first``)."""
import functools
import warnings

import numpy as np

from ._promote import xp, as_array, py_number

_REAL = (int, float, bool)
_NUMBERS = (int, float, bool, complex)


def resize_out(out, shape, stacklevel=4):
    """Give ``out`` a fresh buffer of ``shape`` (its dtype and device kept), warning as PyTorch does
    when the old one held elements (``stacklevel`` 0: silently, as a few PyTorch ops do)."""
    data = out._data
    if data.size and stacklevel:
        warnings.warn(f'An output with one or more elements was resized since it had shape {list(data.shape)}, '
                      f'which does not match the required output shape {list(shape)}. This behavior is '
                      'deprecated, and in a future PyTorch release outputs will not be resized unless they '
                      'have zero elements. You can explicitly reuse an out tensor t by resizing it, inplace, '
                      'to zero elements with t.resize_(0).', UserWarning, stacklevel=stacklevel)
    out._data = xp(data).empty(shape, data.dtype)


def out_dtype_error(out, result):
    """PyTorch's error when an op that needs the exact result dtype gets another ``out=`` dtype."""
    from .._tensor import _TYPE_NAMES
    return RuntimeError(f'Expected out tensor to have dtype {_TYPE_NAMES[result.dtype]}, but got '
                        f'{_TYPE_NAMES[out.dtype]} instead')


def check_out(out, result, name='add', exact=False, stacklevel=4):
    """Write ``result`` into the ``out=`` tensor of function ``name``, with PyTorch's checks.
    ``exact``: False (the result must cast to out's dtype), True (the dtypes must match: 'Found
    dtype' message), 'structured' (they must match: 'Expected out tensor' message) or a function
    ``(out, result) -> exception`` raised when they differ (or None: cast as usual). ``stacklevel``
    puts the resize warning on the user's line (4: user -> op function -> _check_out -> here; 0: no
    warning)."""
    from ._op import write_into, cast_check
    from ..autograd.grad_mode import is_grad_enabled
    if is_grad_enabled() and result.requires_grad:
        raise RuntimeError(f"{name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if exact and out.dtype != result.dtype:
        if exact == 'structured':
            raise out_dtype_error(out, result)
        err = True if exact is True else exact(out, result)   # (None: the dtype is taken, cast as usual)
        if err is True:
            from .._tensor import _scalar_name
            raise RuntimeError(f'Found dtype {_scalar_name(out.dtype)} but expected {_scalar_name(result.dtype)}')
        if err is not None:
            raise err
    cast_check(result._data.dtype, out)
    if out._data.shape != result._data.shape:
        resize_out(out, result._data.shape, stacklevel)
    write_into(out, result._data)
    return out


def out_arg(name, exact='structured', tuple_name=None):
    """Decorator giving a function PyTorch's ``out=`` keyword: the function computes its result as
    usual and the wrapper writes it into ``out`` with ``check_out``'s checks (``name``: PyTorch's
    function name in its messages; ``exact``: check_out's dtype rule, one per element for a tuple
    result). ``tuple_name``: the result is a tuple; ``out`` must be a tuple of tensors and comes back
    as ``ember.return_types.<tuple_name>``."""
    def wrap(fn):
        code = fn.__code__
        first = code.co_varnames[0] if code.co_argcount else 'input'

        @functools.wraps(fn)
        def f(*args, out=None, **kw):
            try:
                r = fn(*args, **kw)
            except AttributeError:               # not a tensor: the parser's TypeError
                from .argcheck import bad_input
                bad_input(name, args, kw, first)
            return r if out is None else write_outs(out, r, name, exact, tuple_name)
        return f
    return wrap


def write_outs(out, r, name, exact='structured', tuple_name=None):
    """``r`` written into ``out`` (a tensor, or for a tuple result a tuple of tensors: every one is
    checked before any is written)."""
    if tuple_name is None:
        return check_out(out, r, name, exact, stacklevel=5)
    if not isinstance(out, (tuple, list)):
        raise TypeError(f"{name}(): argument 'out' must be tuple of Tensors, not {type(out).__name__}")
    rules = exact if isinstance(exact, tuple) else (exact,) * len(r)
    from .return_types import _types
    from ..autograd.grad_mode import is_grad_enabled
    for o, x, e in zip(out, r, rules):          # the checks first: a failing call writes nothing
        if (x.requires_grad and is_grad_enabled() or e and o.dtype != x.dtype
                and (e in (True, 'structured') or e(o, x) is not None)):
            check_out(o, x, name, e, stacklevel=0)          # (raises)
    return _types[tuple_name](*(check_out(o, x, name, e, stacklevel=6) for o, x, e in zip(out, r, rules)))


# ------------------------------------------------------------------ add/sub helpers (in-place fast path, alpha)

def same_float(a, b):
    """In-place fast path applies: float target, and b a Python number or same-dtype array."""
    if a.dtype.kind != 'f':
        return False
    return b.__class__ in _REAL or (b.__class__ is a.__class__ and b.dtype == a.dtype)


def ufunc_into(ufunc, a, b):
    try:
        ufunc(a, b, out=a)
    except ValueError:      # b does not broadcast to a's shape: the general path reports it
        return False
    return True


def scaled(b, alpha, nd):
    """alpha * b in the result dtype ``nd``, with PyTorch's checks on alpha."""
    if alpha.__class__ is int and alpha == 1:
        return b
    if isinstance(alpha, bool) and nd != np.bool_:
        raise RuntimeError('Boolean alpha only supported for Boolean results.')
    if isinstance(alpha, (float, complex)) and nd.kind in 'biu':
        raise RuntimeError('For integral input tensors, argument alpha must not be a floating point number.')
    if isinstance(alpha, complex) and nd.kind != 'c':
        raise RuntimeError('For non-complex input tensors, argument alpha must not be a complex number.')
    if alpha is True or (alpha == 1 and not isinstance(alpha, bool)):
        return b
    if nd == np.bool_:
        return np.logical_and(b, bool(alpha))
    if nd.kind in 'iu' and alpha.__class__ is int:
        alpha = int_scalar(alpha, nd)      # wrapped to the dtype, as C++ (uint8 and -1: 255)
    return np.multiply(b, alpha, dtype=nd)


# ------------------------------------------------------------------ integer division, remainder

def int_zero_check(b, nd, a=None):
    """Integer division by zero raises, as in PyTorch: after the shapes are found to broadcast,
    and only when the result has elements."""
    if nd.kind not in 'iu':
        return
    if a is not None:
        size = np.broadcast_shapes(np.shape(a), np.shape(b))      # broadcast errors come first
        if 0 in size:
            return
    if bool((b == 0).any() if hasattr(b, 'any') else b == 0):
        raise RuntimeError('ZeroDivisionError')


def int_trunc_div(a, b):
    q = np.floor_divide(a, b)
    r = np.remainder(a, b)
    return q + ((r != 0) & ((a < 0) != (b < 0)))


def remainder_values(a, b, nd):
    """a - floor(a / b) * b, with the sign of b. PyTorch computes fmod(a, b) and moves it by b when
    it is nonzero and of the other sign, so a zero result keeps a's sign (-4. % 2 is -0.); NumPy
    gives zeros b's sign: the zeros are given a's sign here."""
    r = np.remainder(a, b)
    if nd.kind in 'iu':
        return r
    return np.copysign(r, xp(r).where(r == 0, a, r))


def scalar_tensor(v, like):
    from .creation import scalar_tensor as make
    return make(v, like)


def sparse_op(name, a, b, **kw):
    """Called from a dense op's NotImplementedError handler: ``ember.sparse`` runs it when an
    operand is sparse, else the dense op's own error is raised again."""
    from ..sparse import dispatch
    return dispatch(name, a, b, **kw)


def half_scalar(ufunc, a, b, a0, b0, nd):
    """PyTorch's mul/div of a float16/bfloat16 tensor and a scalar: a Python number (either side) or
    a 0-dim float tensor as the second operand meets the tensor in float32 and the result is rounded
    once. (NumPy, and PyTorch for a 0-dim tensor first, round the scalar to the half dtype first.)"""
    if b0.__class__ in _REAL and b0.__class__ is not bool:
        a, b = a.astype(np.float32), np.float32(b0)
    elif getattr(b0, 'ndim', 1) == 0 and b0.dtype.kind in 'fV' and getattr(a0, 'ndim', 0):
        a, b = a.astype(np.float32), b0.astype(np.float32)
    elif a0.__class__ in _REAL and a0.__class__ is not bool:
        a, b = np.float32(a0), b.astype(np.float32)
    return as_array(ufunc(a, b).astype(nd, copy=False))


def sub_check(a, b):
    """PyTorch refuses subtraction with bool operands (either may be a Python number)."""
    if (a.__class__ is not bool and (a.__class__ in _NUMBERS or a.dtype != np.bool_) and b.__class__ is not bool
            and (b.__class__ in _NUMBERS or b.dtype != np.bool_)):
        return
    na = isinstance(a, bool) or getattr(a, 'dtype', None) == np.bool_
    nb = isinstance(b, bool) or getattr(b, 'dtype', None) == np.bool_
    if na and nb:
        raise RuntimeError('Subtraction, the `-` operator, with two bool tensors is not supported. '
                           'Use the `^` or `logical_xor()` operator instead.')
    if na or nb:
        raise RuntimeError('Subtraction, the `-` operator, with a bool tensor is not supported. If you are '
                           'trying to invert a mask, use the `~` or `logical_not()` operator instead.')


def int_scalar(v, nd):
    """A Python int as a scalar of integer dtype ``nd``, as c10's checked conversion: wrapped (uint8
    and -1: 255) when it lies in [min, max] ([-max, max] for unsigned types), else PyTorch's error."""
    info = np.iinfo(nd)
    if not (-info.max if nd.kind == 'u' else info.min) <= v <= info.max:
        from .creation import _overflow
        raise _overflow(nd)
    return int(np.array(v).astype(nd))     # (a Python int in range: any array module, dtype kept)


def number_tensor(v, fname, other=None):
    """A Python number passed as the ``input`` tensor of add/sub/mul/div with a number ``other``:
    PyTorch's argument parser makes it a 0-dim CPU tensor (int64, bool, or the default float or
    complex dtype), so ``torch.add(1.5, 1)`` is a float32 tensor. Anything else (a list...) is the
    parser's TypeError."""
    check_number_input(v, fname, other)
    if v.__class__ is int and not -2 ** 63 <= v < 2 ** 63:
        raise OverflowError('int too big to convert')
    from .creation import tensor
    return tensor(v)


def check_number_input(v, fname, other=None):
    import numbers
    if not isinstance(v, numbers.Number):
        if fname == 'floor_divide':         # an overloaded function: the parser's other message
            raise TypeError(f'floor_divide() received an invalid combination of arguments - got '
                            f'({type(v).__name__}, {type(other).__name__}), but expected one of:')
        from .argcheck import not_tensor_error
        raise not_tensor_error(fname, v)
    return v


# ------------------------------------------------------------------ PyTorch's order of checks

def broadcast_check(*shapes):
    """The broadcast shape, or PyTorch's message when the shapes do not broadcast (checked
    pairwise, from the right)."""
    out = ()
    for s in shapes:
        n = max(len(out), len(s))
        a, b = (1,) * (n - len(out)) + tuple(out), (1,) * (n - len(s)) + tuple(s)
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f'The size of tensor a ({a[i]}) must match the size of tensor b '
                                   f'({b[i]}) at non-singleton dimension {i}')
        out = tuple(y if x == 1 else x for x, y in zip(a, b))
    return out


def checks_first(err, operands, target=None, inplace=False, float_result=False):
    """Called when an elementwise op failed on a dtype (``err``: the kernel's NotImplementedError, or
    the in-place result's cast error): the error PyTorch's TensorIterator raises before it, if any
    (else None). In its order: the operands do not broadcast; an in-place ``target`` lacks the
    broadcast shape; the result dtype (integers made float when ``float_result``) does not cast to
    ``target`` (the in-place tensor or ``out=``). Callers use it in an ``except`` clause (``raise
    checks_first(e, ...) or e``), so it costs nothing on calls that succeed."""
    if not isinstance(err, NotImplementedError) and not str(err).startswith('result type '):
        return None
    from .._tensor import Tensor
    try:
        shape = broadcast_check(*(x.shape for x in operands if isinstance(x, Tensor)))
    except RuntimeError as e:
        return e
    if not isinstance(target, Tensor):
        return None
    if inplace and tuple(shape) != tuple(target.shape):
        return RuntimeError(f"output with shape {list(target.shape)} doesn't match the broadcast shape "
                            f'{list(shape)}')
    from ._promote import result_dtype
    from ._op import cast_check
    from .. import _dtype
    raw = [x._data if isinstance(x, Tensor) else x for x in operands[:2]]
    rd = result_dtype(*raw) if len(raw) == 2 else _dtype._FROM_NP[raw[0].dtype]
    if float_result and not (rd.is_floating_point or rd.is_complex):
        rd = _dtype.get_default_dtype()
    try:
        cast_check(rd.np, target)
    except RuntimeError as e:
        return e
    return None


def inplace_error(e, self, other, float_result=False):
    """The error an in-place op should raise in place of ``e`` (PyTorch's earlier checks first)."""
    return checks_first(e, (self, other), self, True, float_result) or e


def guarded(call, operands, target=None, inplace=False, float_result=False):
    """``call()``, with ``checks_first``'s earlier errors raised in place of its dtype error."""
    try:
        return call()
    except (NotImplementedError, RuntimeError) as e:
        raise checks_first(e, operands, target, inplace, float_result) or e from None


# ------------------------------------------------------------------ a Number argument given otherwise

def number_arg(v, fname, arg, pos=None, mixed=None):
    """A Number argument (alpha, value, min_val, ...) that is not a Python number, as PyTorch's parser
    reads it: a NumPy scalar, or a 0-dim tensor without grad (its value); anything else raises its
    TypeError (``mixed``: the positional arguments, for the 'invalid combination' message of names
    with several overloads). Callers call it only off the fast path (the value not an int/float)."""
    from .._tensor import Tensor
    from .argcheck import type_name, invalid_combination
    if isinstance(v, np.generic):
        return py_number(v)
    if v.__class__ in _NUMBERS:
        return v
    if isinstance(v, Tensor) and v.ndim == 0 and not v.requires_grad:
        return v.item()
    if mixed is not None:
        raise invalid_combination(fname, mixed, {arg: v})
    at = '' if pos is None else f' (position {pos})'
    raise TypeError(f"{fname}(): argument '{arg}'{at} must be Number, not {type_name(v)}")
