"""Differential op testing against real PyTorch, in the style of tinygrad's test/test_ops.py.

One call runs the same function on torch and on ember, built from the same NumPy data,
and compares everything a user can see:

    check(lambda x, y: x * y, [(3, 4), (4,)])            # shapes -> random float32 data
    check(lambda T, x: T.where(x > 0, x, 0.), [(5,)])    # first parameter named T: the module
    check(lambda x: x.sum(0), [np.arange(6.).reshape(2, 3)])   # explicit data
    check(lambda x: 2 ** x, [(3,)], low=-1, high=1)       # Python scalars stay Python scalars
    check_error(lambda x, y: x @ y, [(2, 3), (2, 3)])     # same exception type and message

Forward: values (tolerance per dtype), shape, dtype, requires_grad, ``grad_fn.name()``,
whether each output is a view, its strides and storage offset.
Backward: the same random upstream gradient into every output that requires grad, then
every input's ``.grad`` is compared. Inputs are compared after the call as well, so
in-place ops and writes through views are checked for free. Last, ember's own
``gradcheck`` (and ``gradgradcheck``) runs in float64 on the same data.

An input spec is a shape (tuple), a NumPy array (its dtype is kept; float arrays require
grad unless ``requires_grad`` says otherwise), or a Python scalar (passed through).
"""
import inspect

import numpy as np
import pytest
import torch

import ember

# forward tolerances (atol, rtol) per dtype name
TOLS = {'float64': (1e-10, 1e-7), 'float32': (1e-5, 1e-4), 'float16': (1e-3, 1e-3),
        'bfloat16': (1e-2, 1e-2), 'complex64': (1e-5, 1e-4), 'complex128': (1e-10, 1e-7)}
GRAD_TOLS = {'float64': (1e-8, 1e-6), 'float32': (1e-4, 1e-3), 'float16': (1e-2, 1e-2),
             'bfloat16': (5e-2, 5e-2), 'complex64': (1e-4, 1e-3), 'complex128': (1e-8, 1e-6)}


def _is_float_np(a):
    """Float and complex arrays: the specs that require grad by default."""
    return isinstance(a, np.ndarray) and a.dtype.kind in 'fc'


def make_arrays(specs, seed=0, low=-2.0, high=2.0, dtype=np.float32):
    """Turn input specs into NumPy arrays (shapes become uniform random data)."""
    rng = np.random.default_rng(seed)
    out = []
    for s in specs:
        if isinstance(s, tuple):
            out.append(rng.uniform(low, high, s).astype(dtype))
        elif isinstance(s, np.ndarray):
            out.append(s.copy())
        else:
            out.append(s)
    return out


def _build(lib, arrays, requires_grad):
    xs = []
    for a, rg in zip(arrays, requires_grad):
        if isinstance(a, np.ndarray):
            if lib is torch and a.dtype.name == 'bfloat16':
                t = torch.from_numpy(a.astype(np.float32)).to(torch.bfloat16)
            elif lib is torch:
                t = torch.from_numpy(a.copy())
            else:
                t = ember.tensor(a.copy())
            if rg:
                t.requires_grad_(True)
            xs.append(t)
        else:
            xs.append(a)
    return xs


def _wants_module(fn):
    params = list(inspect.signature(fn).parameters)
    return bool(params) and params[0] == 'T'


def _call(fn, lib, xs):
    return fn(lib, *xs) if _wants_module(fn) else fn(*xs)


def _np(t):
    """A tensor's values as a NumPy array (bfloat16 widened to float32)."""
    if isinstance(t, torch.Tensor):
        t = t.detach().resolve_conj()
        if t.dtype == torch.bfloat16:
            t = t.float()
        return t.numpy().copy()
    a = np.asarray(t.detach()._host())
    if a.dtype.name == 'bfloat16':
        a = a.astype(np.float32)
    return a.copy()


def _dname(d):
    return str(d).replace('torch.', '').replace('ember.', '')


def assert_tensor_equal(e, t, where='output', tols=TOLS, grad_fn=True, layout=True):
    """ember tensor ``e`` looks exactly like torch tensor ``t``."""
    assert isinstance(e, ember.Tensor), f'{where}: ember gave {type(e).__name__}, torch a Tensor'
    assert tuple(e.shape) == tuple(t.shape), f'{where}: shape {tuple(e.shape)} != torch {tuple(t.shape)}'
    assert str(e.dtype) == str(t.dtype).replace('torch.', 'ember.'), \
        f'{where}: dtype {e.dtype} != torch {t.dtype}'
    assert e.requires_grad == t.requires_grad, \
        f'{where}: requires_grad {e.requires_grad} != torch {t.requires_grad}'
    if grad_fn:
        # C++-named nodes: torch::autograd::CopySlices is ember::autograd::CopySlices
        tn = None if t.grad_fn is None else t.grad_fn.name().replace('torch::', 'ember::')
        en = None if e.grad_fn is None else e.grad_fn.name()
        assert en == tn, f'{where}: grad_fn {en} != torch {tn}'
    if layout:
        assert e._is_view() == t._is_view(), f'{where}: is a view: {e._is_view()} != torch {t._is_view()}'
        assert e.stride() == t.stride(), f'{where}: stride {e.stride()} != torch {t.stride()}'
        if t._is_view():
            assert e.storage_offset() == t.storage_offset(), \
                f'{where}: storage_offset {e.storage_offset()} != torch {t.storage_offset()}'
    a, b = _np(e), _np(t)
    name = _dname(t.dtype)
    if name in tols:
        atol, rtol = tols[name]
        np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(a, b, err_msg=where)


def assert_same(e, t, where='output', grad_fn=True, tols=TOLS, layout=True):
    """Compare results recursively: tensors, (named) tuples, lists, sizes, Python values."""
    if isinstance(t, torch.Tensor):
        assert_tensor_equal(e, t, where, tols, grad_fn, layout)
    elif isinstance(t, (tuple, list)):
        assert isinstance(e, (tuple, list)), f'{where}: ember gave {type(e).__name__}, torch {type(t).__name__}'
        if type(t).__module__.startswith('torch.return_types'):
            assert type(e).__name__ == type(t).__name__, f'{where}: {type(e).__name__} != {type(t).__name__}'
            assert type(e).__module__ == 'ember.return_types', f'{where}: {type(e).__module__}'
            fields = getattr(type(t), '_fields', None) or type(t).__match_args__
            assert e._fields == tuple(fields), f'{where}: fields {e._fields} != torch {fields}'
            assert all(getattr(e, f) is e[i] for i, f in enumerate(e._fields))
        assert len(e) == len(t), f'{where}: {len(e)} results != torch {len(t)}'
        for i, (a, b) in enumerate(zip(e, t)):
            assert_same(a, b, f'{where}[{i}]', grad_fn, tols, layout)
    elif isinstance(t, torch.dtype):
        assert str(e) == str(t).replace('torch.', 'ember.'), f'{where}: {e} != {t}'
    elif isinstance(t, float) and np.isnan(t):
        assert isinstance(e, float) and np.isnan(e), f'{where}: {e!r} != {t!r}'
    else:
        assert type(e) is type(t) and e == t, f'{where}: {e!r} != torch {t!r}'


def _tensor_outputs(out):
    """The tensors among a result that take part in backward."""
    if isinstance(out, torch.Tensor) or isinstance(out, ember.Tensor):
        return [out]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _tensor_outputs(o)]
    return []


def check(fn, specs, *, seed=0, low=-2.0, high=2.0, dtype=np.float32, requires_grad=None,
          forward_only=False, grad_fn=True, layout=True, gradcheck=True, gradgrad=True, tols=TOLS,
          grad_tols=GRAD_TOLS, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Run ``fn`` on torch and ember with the same inputs; compare forward, backward, gradcheck.

    requires_grad: one flag per spec (default: float arrays require grad).
    forward_only: skip backward and gradcheck (non-differentiable ops).
    layout: also compare is-a-view, strides and storage offset of the outputs.
    gradgrad: also run gradgradcheck (PyTorch supports double backward for the op).
    """
    arrays = make_arrays(specs, seed, low, high, dtype)
    if requires_grad is None:
        requires_grad = [_is_float_np(a) and not forward_only for a in arrays]
    tx = _build(torch, arrays, requires_grad)
    ex = _build(ember, arrays, requires_grad)
    tout = _call(fn, torch, tx)
    eout = _call(fn, ember, ex)
    assert_same(eout, tout, 'forward', grad_fn, tols, layout)
    for i, (e, t) in enumerate(zip(ex, tx)):       # in-place ops / writes through views
        if isinstance(t, torch.Tensor):
            assert_tensor_equal(e, t, f'input {i} after the call', tols, grad_fn=False, layout=False)
    if forward_only:
        return eout

    # backward: the same upstream gradient into every output that requires grad
    touts = [o for o in _tensor_outputs(tout) if o.requires_grad]
    eouts = [o for o in _tensor_outputs(eout) if o.requires_grad]
    assert len(touts) == len(eouts)
    if not touts:
        return eout
    rng = np.random.default_rng(seed + 1)
    gs = [np.asarray((rng.standard_normal(tuple(o.shape)) + (1j * rng.standard_normal(tuple(o.shape))
                                                              if o.is_complex() else 0))).astype(_np(o).dtype)
          for o in touts]
    gs = [g.astype(np.float32) if g.dtype.name == 'bfloat16' else g for g in gs]
    torch.autograd.backward(touts, [torch.from_numpy(g.copy()).to(o.dtype) for g, o in zip(gs, touts)])
    ember.autograd.backward(eouts, [ember.tensor(g.copy()).to(o.dtype) for g, o in zip(gs, eouts)])
    for i, (e, t) in enumerate(zip(ex, tx)):
        if isinstance(t, torch.Tensor) and t.is_leaf:
            if t.grad is None:
                assert e.grad is None, f'grad of input {i}: ember has one, torch has None'
            else:
                assert e.grad is not None, f'grad of input {i}: ember has None'
                assert_tensor_equal(e.grad, t.grad, f'grad of input {i}', grad_tols, grad_fn=False,
                                    layout=False)

    if gradcheck:
        run_gradcheck(fn, arrays, requires_grad, gradgrad, eps=eps, atol=atol, rtol=rtol)
    return eout


def run_gradcheck(fn, arrays, requires_grad, gradgrad=True, **kw):
    """ember.autograd.gradcheck (and gradgradcheck) on float64 copies of the inputs."""
    xs = []
    for a, rg in zip(arrays, requires_grad):
        if isinstance(a, np.ndarray):
            if a.dtype.kind in 'fc' or a.dtype.name == 'bfloat16':
                wide = np.complex128 if a.dtype.kind == 'c' else np.float64
                xs.append(ember.tensor(a.astype(wide)).requires_grad_(bool(rg)))
            else:
                xs.append(ember.tensor(a.copy()))
        else:
            xs.append(a)
    f = (lambda *args: fn(ember, *args)) if _wants_module(fn) else fn
    assert ember.autograd.gradcheck(f, xs, **kw)
    if gradgrad:
        # as torch's gradgradcheck: only the outputs that are differentiable (not argmax indices)
        def diff_outputs(*args):
            return tuple(o for o in _tensor_outputs(f(*args)) if o.requires_grad)
        assert ember.autograd.gradgradcheck(diff_outputs, xs, **kw)


def check_error(fn, specs, *, seed=0, dtype=np.float32, requires_grad=None, message=True):
    """Both libraries raise: same exception type, same message (``torch.`` read as ``ember.``)."""
    arrays = make_arrays(specs, seed, dtype=dtype)
    if requires_grad is None:
        requires_grad = [False] * len(arrays)
    tx = _build(torch, arrays, requires_grad)
    ex = _build(ember, arrays, requires_grad)
    try:
        _call(fn, torch, tx)
    except Exception as err:
        terr = err
    else:
        raise AssertionError('torch did not raise')
    try:
        _call(fn, ember, ex)
    except Exception as err:
        eerr = err
    else:
        raise AssertionError(f'ember did not raise; torch raised {type(terr).__name__}: {terr}')
    assert type(eerr).__name__ == type(terr).__name__, \
        f'ember raised {type(eerr).__name__}: {eerr}\ntorch raised {type(terr).__name__}: {terr}'
    if message:
        want, got = str(terr).replace('torch.', 'ember.'), str(eerr).replace('[ember.cuda.', '[ember.')
        if message == 'first_line':
            want, got = want.split('\n')[0], got.split('\n')[0]
        assert got == want, f'message differs:\nember: {got}\ntorch: {want}'
    return eerr


# ---- spec builders shared by the op tables

F32, F64 = np.float32, np.float64

def arr(values, dtype=F32):
    return np.array(values, dtype=dtype)


def cplx(shape, seed=0, low=-2.0, high=2.0, dtype=np.complex64):
    """A complex spec: real and imaginary parts uniform in [low, high)."""
    rng = np.random.default_rng(seed)
    return (rng.uniform(low, high, shape) + 1j * rng.uniform(low, high, shape)).astype(dtype)


def ints(shape, low=-5, high=6, seed=0, dtype=np.int64):
    return np.random.default_rng(seed).integers(low, high, shape).astype(dtype)


def bools(shape, seed=0):
    return np.random.default_rng(seed).random(shape) > 0.5


def case(id_, fn, specs, **kw):
    return pytest.param(fn, specs, kw, id=id_)


def xfail(id_, fn, specs, reason, **kw):
    return pytest.param(fn, specs, kw, id=id_, marks=pytest.mark.xfail(reason=reason, strict=True))
