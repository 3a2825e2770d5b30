"""gradcheck: compare backward's Jacobian with central finite differences (use float64).

Complex tensors count as pairs of reals (real part, imaginary part), as in PyTorch: a complex
input contributes two rows (d/d real, d/d imag), a complex output two columns (the upstream
gradients 1 and 1j, i.e. the real losses Re f and Im f). The analytical gradient of a real loss
L is dL/dx + i dL/dy, PyTorch's convention (the conjugate Wirtinger derivative, times two)."""
import numpy as np


class GradcheckError(RuntimeError):
    pass


_NONE_REQUIRES_GRAD = ('gradcheck expects at least one input tensor to require gradient, but none of them have '
                       'requires_grad=True.')


def _host64(arr):
    """A float64 host copy of a (NumPy or CuPy) array, flattened; complex values as (re, im) pairs."""
    if type(arr) is not np.ndarray:
        arr = arr.get()
    if arr.dtype.kind == 'c':
        return np.array(arr, dtype=np.complex128).reshape(-1).view(np.float64)
    return np.array(arr, dtype=np.float64).reshape(-1)


def _width(arr):
    return arr.size * (2 if arr.dtype.kind == 'c' else 1)


def _tensors(x):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _outputs(func, inputs):
    from .._tensor import Tensor
    out = func(*inputs)
    if isinstance(out, Tensor):
        return (out,)
    return tuple(o for o in out if isinstance(o, Tensor))


def _numerical(func, inputs, i, out_idx, eps):
    """d(output)/d(inputs[i]) by central differences: shape (numel_in, numel_out)."""
    x = inputs[i]
    flat = x._data.reshape(-1)
    steps = (eps, 1j * eps) if flat.dtype.kind == 'c' else (eps,)
    jac = np.zeros((_width(flat), _width(_outputs(func, inputs)[out_idx]._data)))
    for k in range(flat.size):       # raw writes: no version bump, no graph of their own
        orig = flat[k].copy()
        for d, step in enumerate(steps):
            flat[k] = orig + step
            plus = _host64(_outputs(func, inputs)[out_idx]._data)
            flat[k] = orig - step
            minus = _host64(_outputs(func, inputs)[out_idx]._data)
            flat[k] = orig
            jac[k * len(steps) + d] = (plus - minus) / (2 * eps)
    return jac


def _analytical(func, inputs, diff_idx, out_idx):
    from . import grad as autograd_grad
    from .._tensor import Tensor, xp_of
    out = _outputs(func, inputs)[out_idx]
    n = _width(out._data)
    jacs = [np.zeros((_width(inputs[i]._data), n)) for i in diff_idx]
    if not out.requires_grad:
        return jacs
    cplx = out._data.dtype.kind == 'c'
    for j in range(n):
        g = xp_of(out._data).zeros(out._data.shape, out._data.dtype)
        g.reshape(-1)[j // 2 if cplx else j] = 1j if cplx and j % 2 else 1
        grads = autograd_grad(out, [inputs[i] for i in diff_idx], Tensor._make(g), retain_graph=True,
                              allow_unused=True)
        for col, gi in zip(jacs, grads):
            if gi is not None:
                col[:, j] = _host64(gi._data)
    return jacs


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, fast_mode=False, **_):
    """True when analytical and numerical Jacobians agree for every differentiable input."""
    from .._tensor import Tensor
    inputs = _tensors(inputs)
    diff_idx = [i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not diff_idx:
        raise ValueError(_NONE_REQUIRES_GRAD)
    for i in diff_idx:
        if inputs[i].dtype.name not in ('float64', 'complex128'):
            import warnings
            warnings.warn(f'Input #{i} requires gradient and is not a double precision floating point or complex. '
                          'This check will likely fail if all the inputs are not of double precision '
                          'floating point or complex. ', UserWarning, stacklevel=2)
    n_out = len(_outputs(func, inputs))
    for o in range(n_out):
        analytical = _analytical(func, inputs, diff_idx, o)
        for slot, i in enumerate(diff_idx):
            num = _numerical(func, inputs, i, o, eps)
            ana = analytical[slot]
            if not np.allclose(ana, num, rtol=rtol, atol=atol, equal_nan=True):
                if not raise_exception:
                    return False
                raise GradcheckError(f'Jacobian mismatch for output {o} with respect to input {i},\n'
                                     f'numerical:{num}\nanalytical:{ana}\n')
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  raise_exception=True, **_):
    """gradcheck of the first derivatives (backward built with create_graph=True)."""
    from . import grad as autograd_grad
    from .._tensor import Tensor
    inputs = _tensors(inputs)
    diff = [x for x in inputs if isinstance(x, Tensor) and x.requires_grad]
    if not diff:
        raise ValueError(_NONE_REQUIRES_GRAD)
    if grad_outputs is None:      # drawn from the global generator as PyTorch draws them
        from ..testing import make_tensor
        from .. import _dtype
        grad_outputs = [make_tensor(o.shape, dtype=o.dtype if o.is_floating_point() or o.is_complex()
                                    else _dtype.float64, device=o.device, low=-1, high=1, requires_grad=True)
                        for o in _outputs(func, inputs) if o.requires_grad]
    grad_outputs = list(_tensors(grad_outputs))
    n_in = len(inputs)

    def first(*args):      # the grad outputs pair with the outputs that require grad
        xs = args[:n_in]
        gos = args[n_in:]
        os_ = [o for o in _outputs(func, xs) if o.requires_grad]
        d = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        return autograd_grad(os_, d, gos, create_graph=True, allow_unused=True, materialize_grads=True)

    del diff
    return gradcheck(first, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)

