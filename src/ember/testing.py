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


def _make_bounds(low, high, d, lowest, highest, default_low, default_high, integral):
    """Check and clamp ``low``/``high`` to what ``d`` holds (PyTorch's rules and messages)."""
    import warnings
    low = default_low if low is None else low
    high = default_high if high is None else high
    if any(isinstance(v, float) and math.isnan(v) for v in (low, high)):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if low == high and not integral:
        warnings.warn("Passing `low==high` to `torch.testing.make_tensor` for floating or complex types "
                      "is deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
                      FutureWarning, stacklevel=3)
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    elif high < lowest or low >= highest:
        raise ValueError(f"The value interval specified by `low` and `high` is [{low}, {high}), "
                         f"but {d} only supports [{lowest}, {highest})")
    low, high = min(max(low, lowest), highest), min(max(high, lowest), highest)
    return (math.ceil(low), math.ceil(high)) if integral else (low, high)


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of random values in [low, high) (defaults: -9 to 9; integers -9 to 10, clamped to
    the dtype; bools 0/1), drawn in ``dtype`` itself as PyTorch draws them, so a seeded call gives
    PyTorch's values; ``noncontiguous`` draws twice the last dim and keeps every second value;
    ``exclude_zero`` replaces zeros (by 1 or the dtype's tiny)."""
    from . import randint, empty, view_as_real
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(shape)
    d = _dtype.to_dtype(dtype)
    integral = not (d.is_floating_point or d.is_complex)
    if noncontiguous and memory_format is not None:
        raise ValueError(f"The parameters `noncontiguous` and `memory_format` are mutually exclusive, "
                         f"but got noncontiguous={noncontiguous} and memory_format={memory_format}")
    if requires_grad and integral:
        raise ValueError(f"`requires_grad=True` is not supported for boolean and integral dtypes, "
                         f"but got dtype={d}")
    noncontiguous = noncontiguous and math.prod(shape) > 1
    if noncontiguous:
        shape = shape[:-1] + (2 * shape[-1],)
    if d is _dtype.bool_:
        low, high = _make_bounds(low, high, d, 0, 2, 0, 2, True)
        t = randint(low, high, shape, device=device, dtype=d)
    elif integral:
        info = np.iinfo(d.np)
        top = info.max + (1 if d is not _dtype.int64 else 0)
        low, high = _make_bounds(low, high, d, int(info.min), int(top), -9, 10, True)
        t = randint(low, high, shape, device=device, dtype=d)
    else:
        fi = _dtype.finfo(d)
        low, high = _make_bounds(low, high, d, fi.min, fi.max, -9, 9, False)
        t = empty(shape, dtype=d, device=device)
        target = view_as_real(t) if d.is_complex else t
        if high - low >= _dtype.finfo(target.dtype).max:     # uniform_ needs a finite span
            target.uniform_(low / 2, high / 2).mul_(2)
        else:
            target.uniform_(low, high)
    if noncontiguous:
        t = t[..., 1::2]
    elif memory_format is not None:
        t = t.clone(memory_format=memory_format)
    if exclude_zero:
        t[t == 0] = 1 if integral else _dtype.finfo(d).tiny
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
