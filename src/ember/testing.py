"""ember.testing: ``assert_close`` (PyTorch's tolerances and failure messages) and ``make_tensor``."""
import cmath
import math

import numpy as np

from . import _dtype

__all__ = ['assert_close', 'make_tensor']

# (rtol, atol) by dtype; other dtypes compare exactly
_TOLERANCES = {'float16': (1e-3, 1e-5), 'bfloat16': (1.6e-2, 1e-5), 'float32': (1.3e-6, 1e-5),
               'float64': (1e-7, 1e-7), 'complex64': (1.3e-6, 1e-5), 'complex128': (1e-7, 1e-7)}
_NUMBERS = (int, float, bool, complex)


def _tolerance(d):
    return _TOLERANCES.get(d.name, (0.0, 0.0))


def _fail(msg, default):
    raise AssertionError(default if msg is None else msg(default) if callable(msg) else msg)


def _diff_line(kind, diff, idx, tol, exact):
    line = f'{kind.title()} difference: {diff}' if idx is None else \
        f'Greatest {kind} difference: {diff} at index {idx}'
    return line if exact else f'{line} (up to {tol} allowed)'


def _report(what, extra, abs_d, abs_i, rel_d, rel_i, rtol, atol):
    exact = rtol == 0 and atol == 0
    return '\n'.join([f"{what} are not {'equal' if exact else 'close'}!", '', extra,
                      _diff_line('absolute', abs_d, abs_i, atol, exact),
                      _diff_line('relative', rel_d, rel_i, rtol, exact)])


def _isnan(v):
    return cmath.isnan(v) if isinstance(v, complex) else math.isnan(v)


def _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype, msg):
    if isinstance(actual, bool) and isinstance(expected, bool):
        if actual != expected:
            _fail(msg, f'Booleans mismatch: {actual} is not {expected}')
        return
    if check_dtype and type(actual) is not type(expected) and bool not in (type(actual), type(expected)):
        _fail(msg, f'The (d)types do not match: {type(actual)} != {type(expected)}.')
    if rtol is None:
        inexact = any(isinstance(v, (float, complex)) for v in (actual, expected))
        rtol, atol = (1e-7, 1e-7) if inexact else (0.0, 0.0)
    if actual == expected or (equal_nan and _isnan(actual) and _isnan(expected)):
        return
    if abs(actual - expected) <= atol + rtol * abs(expected):
        return
    abs_d = abs(actual - expected)
    rel_d = math.inf if expected == 0 else abs_d / abs(expected)
    _fail(msg, _report('Scalars', f'Expected {expected} but got {actual}.', abs_d, None, rel_d, None, rtol, atol))


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_device, check_dtype, check_stride, msg):
    from . import isclose, promote_types
    for attr, on in (('shape', True), ('device', check_device), ('dtype', check_dtype),
                     ('stride', check_stride)):
        a, e = getattr(actual, attr), getattr(expected, attr)
        a, e = (a(), e()) if attr == 'stride' else (a, e)
        if on and a != e:
            _fail(msg, f"The values for attribute '{attr}' do not match: {a} != {e}.")
    if actual.device != expected.device:
        actual, expected = actual.cpu(), expected.cpu()
    if actual.dtype != expected.dtype:
        common = promote_types(actual.dtype, expected.dtype)
        actual, expected = actual.to(common), expected.to(common)
    if rtol is None:
        rtol, atol = _tolerance(actual.dtype)
    actual, expected = actual.detach(), expected.detach()
    if not actual.numel():
        return
    matches = isclose(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan)
    if bool(matches.all()):
        return
    if actual.dim() == 0:
        a, e = actual.item(), expected.item()
        abs_d = abs(a - e)
        rel_d = math.inf if e == 0 else abs_d / abs(e)
        _fail(msg, _report('Scalars', f'Expected {e} but got {a}.', abs_d, None, rel_d, None, rtol, atol))
    n, bad = matches.numel(), matches.numel() - int(matches.sum())
    a, e, m = actual.flatten(), expected.flatten(), matches.flatten()
    if a.is_complex():          # the moduli, in the parts' dtype
        from ._tensor import Tensor
        a, e, m = a.cpu(), e.cpu(), m.cpu()
        real = np.float64 if a._data.dtype == np.complex128 else np.float32     # moduli rounded once
        abs_diff, e_abs = (Tensor._make(np.abs(x.astype(np.complex128)).astype(real))
                           for x in (a._data - e._data, e._data))
    else:
        if not a.is_floating_point():
            a, e = a.long(), e.long()
        abs_diff, e_abs = (a - e).abs(), e.abs()
    abs_diff[m] = 0
    rel_diff = abs_diff / e_abs
    rel_diff[m] = 0
    ia, ir = int(abs_diff.argmax()), int(rel_diff.argmax())
    where = lambda i: tuple(int(v) for v in np.unravel_index(i, tuple(actual.shape)))  # noqa: E731
    _fail(msg, _report('Tensor-likes', f'Mismatched elements: {bad} / {n} ({bad / n:.1%})',
                       abs_diff[ia].item(), where(ia), rel_diff[ir].item(), where(ir), rtol, atol))


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise AssertionError unless ``actual`` and ``expected`` (tensors, numbers, or sequences and
    mappings of them) match in shape, device, dtype and values within ``rtol``/``atol``."""
    from ._tensor import Tensor
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'rtol' if rtol is None else 'atol'}.")
    if isinstance(actual, np.ndarray) and isinstance(expected, np.ndarray):
        from .ops.creation import from_numpy
        actual, expected = from_numpy(actual), from_numpy(expected)
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        return _compare_tensors(actual, expected, rtol, atol, equal_nan, check_device, check_dtype,
                                check_stride, msg)
    if isinstance(actual, _NUMBERS) and isinstance(expected, _NUMBERS):
        return _compare_numbers(actual, expected, rtol, atol, equal_nan, check_dtype, msg)
    kw = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol, equal_nan=equal_nan,
              check_device=check_device, check_dtype=check_dtype, check_layout=check_layout,
              check_stride=check_stride, msg=msg)
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            raise AssertionError(f'The length of the sequences mismatch: {len(actual)} != {len(expected)}')
        pairs = [(f'[{i}]', a, e) for i, (a, e) in enumerate(zip(actual, expected))]
    elif isinstance(actual, dict) and isinstance(expected, dict):
        if set(actual) != set(expected):
            raise AssertionError(f'The keys of the mappings do not match:\n{sorted(actual)} != {sorted(expected)}')
        pairs = [(f'[{k!r}]', actual[k], expected[k]) for k in actual]
    else:
        raise TypeError(f'No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}.')
    for where, a, e in pairs:
        try:
            assert_close(a, e, **kw)
        except AssertionError as err:
            raise AssertionError(f'{err}\n\nThe failure occurred for item {where}') from None


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of random values in [low, high) (defaults: -9 to 9; integers -9 to 10, 0 up for
    unsigned; bools 0/1); ``noncontiguous`` gives it strides, ``exclude_zero`` replaces zeros."""
    from . import randint, rand, tensor as _tensor
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    d = _dtype.to_dtype(dtype)
    if d is _dtype.bool_:
        t = randint(0, 2, shape, device=device).bool()
    elif d.is_floating_point or d.is_complex:      # complex: both parts in [low, high)
        lo, hi = (-9.0 if low is None else low), (9.0 if high is None else high)
        if lo > hi:
            raise ValueError(f'make_tensor: low must be less than or equal to high, but got {lo} > {hi}')
        wide = _dtype.complex128 if d.is_complex else _dtype.float64
        t = (rand(shape, dtype=wide, device=device) * (hi - lo) + (complex(lo, lo) if d.is_complex else lo)).to(d)
    else:
        info = np.iinfo(d.np)
        lo = max(info.min, -9 if low is None else math.ceil(low))
        hi = min(info.max, 10 if high is None else math.ceil(high) if high != low else high + 1)
        t = randint(max(lo, 0) if not d.is_signed else lo, hi, shape, device=device).to(d)
    if exclude_zero:
        fill = _tensor(_dtype.finfo(d).tiny if d.is_floating_point or d.is_complex else 1, dtype=d,
                       device=t.device)
        t = t.where(t != 0, fill)
    if noncontiguous and t.numel() > 1:
        t = t.repeat_interleave(2, dim=-1)[..., ::2]
    elif memory_format is not None:
        t = t.clone(memory_format=memory_format)
    if requires_grad:
        t.requires_grad_(True)
    return t


_ALLCLOSE_TOLERANCES = {'float16': (1e-3, 1e-3), 'float32': (1e-4, 1e-5), 'float64': (1e-5, 1e-8)}


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=''):
    """Deprecated (PyTorch 1.12): assert_close with this function's older tolerances, NaNs equal by
    default, and dtypes/strides not compared."""
    import warnings
    from ._tensor import Tensor
    from .ops.creation import tensor
    warnings.warn('`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future '
                  'release. Please use `torch.testing.assert_close()` instead. You can find detailed upgrade '
                  'instructions in https://github.com/pytorch/pytorch/issues/61844.', FutureWarning, stacklevel=2)
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(expected, dtype=actual.dtype)
    if rtol is None and atol is None:
        pairs = [_ALLCLOSE_TOLERANCES.get(t.dtype.name, (0.0, 0.0)) for t in (actual, expected)]
        rtol, atol = max(p[0] for p in pairs), max(p[1] for p in pairs)
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)
