"""ember.autograd.functional: derivatives of whole functions (Jacobian, Hessian, products).

    from ember.autograd.functional import jacobian, hessian, vjp, jvp, hvp, vhp

    jacobian(lambda x: x.exp(), x)              # shape x.shape + x.shape
    out, g = vjp(lambda x: x.pow(2).sum(), x)   # g = d out / d x
    out, jv = jvp(f, (x, y), (u, w))            # J(x, y) @ (u, w)

Every function takes ``inputs`` as a Tensor or a tuple of Tensors, and answers in the same
shape: a Tensor for a Tensor, a tuple for a tuple (jacobian/hessian nest outputs, then
inputs). Results are detached unless ``create_graph=True``. ``strict=True`` raises when an
output does not depend on an input instead of returning zeros. ember has no forward-mode
AD: ``jvp`` and ``hvp`` use the double-backward trick (a vjp of a vjp, linear in the
vector), and ``strategy='forward-mode'`` computes the same Jacobian in reverse mode.
``vectorize`` is accepted and computes row by row (ember has no vmap).
"""

_MODES = ('forward-mode', 'reverse-mode')


# ---------------------------------------------------------------- argument plumbing

def _as_tuple(value, what, fn):
    """(was it a tuple, the tuple), checking that every element is a Tensor."""
    from .._tensor import Tensor
    is_tuple = isinstance(value, tuple)
    items = value if is_tuple else (value,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f'value at index {i}' if is_tuple else f'given {what}'
            raise TypeError(f'The {what} given to {fn} must be either a Tensor or a tuple of Tensors '
                            f'but the {where} has type {type(el)}.')
    return is_tuple, items


def _unpack(res, nesting):
    """Undo the tuple wrapping: nesting is is_tuple, or (outer_is_tuple, inner_is_tuple)."""
    outer, inner = nesting if isinstance(nesting, tuple) else (nesting, True)
    if not inner:
        res = tuple(el[0] for el in res)
    return res if outer else res[0]


def _fresh_inputs(xs, create_graph, need_graph):
    """Inputs the function is run on: new graph leaves, or views keeping the outer graph."""
    return tuple(x.view_as(x) if create_graph and x.requires_grad
                 else x.detach().requires_grad_(need_graph) for x in xs)


def _detached(res, create_graph):
    if create_graph:
        return res
    from .._tensor import Tensor
    return tuple(r.detach() if isinstance(r, Tensor) else _detached(r, False) for r in res)


def _check_v(v, ref, ref_is_tuple):
    if len(v) != len(ref):
        if ref_is_tuple:
            raise RuntimeError(f'v is a tuple of invalid length: should be {len(ref)} but got {len(v)}.')
        raise RuntimeError('The given v should contain a single Tensor.')
    for i, (a, b) in enumerate(zip(v, ref)):
        if a.shape != b.shape:
            entry = f'Entry {i} in ' if ref_is_tuple else ''
            raise RuntimeError(f'{entry}v has invalid size: should be {b.size()} but got {a.size()}.')


def _vector(v, ref, ref_is_tuple, create_graph, fn, none_msg):
    if v is None:
        if len(ref) != 1 or ref[0].nelement() != 1:
            raise RuntimeError(none_msg)
        return None
    _, v = _as_tuple(v, 'v', fn)
    v = _fresh_inputs(v, create_graph, need_graph=False)
    _check_v(v, ref, ref_is_tuple)
    return v


_STRICT_NO_GRAD = {
    'outputs': ('Output {i} of the user-provided function does not require gradients. The outputs '
                'must be computed in a differentiable manner from the input when running in strict mode.'),
    'grad_inputs': ('The gradient with respect to input {i} is independent of the inputs of the '
                    'user-provided function. This is not allowed in strict mode.'),
    'jacobian': ('While computing the hessian, found that the jacobian of the user-provided function '
                 'with respect to input {i} is independent of the input. This is not allowed in strict '
                 'mode. You should ensure that your function is twice differentiable and that the '
                 'jacobian depends on the inputs (this would be violated by a linear function for '
                 'example).'),
    'hessian': ('The hessian of the user-provided function with respect to input {i} is independent '
                'of the input. This is not allowed in strict mode. You should ensure that your '
                'function is thrice differentiable and that the hessian depends on the inputs.'),
}


def _strict(tensors, kind, strict):
    """In strict mode, every tensor must exist and be part of a graph."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f'The output of the user-provided function is independent of input {i}. '
                               'This is not allowed in strict mode.')
        if not t.requires_grad:
            raise RuntimeError(_STRICT_NO_GRAD[kind].format(i=i))


_STRICT_NONE = {
    'back': 'The output of the user-provided function is independent of input {i}. This is not '
            'allowed in strict mode.',
    'back_trick': 'The gradient with respect to the input is independent of entry {i} in the '
                  'grad_outputs when using the double backward trick to compute forward mode '
                  'gradients. This is not allowed in strict mode.',
    'double_back': 'The jacobian of the user-provided function is independent of input {i}. This is '
                   'not allowed in strict mode.',
    'double_back_trick': 'The hessian of the user-provided function is independent of entry {i} in '
                         'the grad_jacobian. This is not allowed in strict mode as it prevents from '
                         'using the double backward trick to replace forward mode AD.',
}


def _zeros_for_missing(grads, refs, strict, create_graph, stage):
    """Replace None gradients by zeros shaped like ``refs`` (or raise in strict mode)."""
    from ..ops.creation import zeros_like
    out = []
    for i, (g, ref) in enumerate(zip(grads, refs)):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_NONE[stage].format(i=i))
            g = zeros_like(ref)
        elif strict and create_graph and not g.requires_grad:
            what = 'hessian' if stage.startswith('double') else 'jacobian'
            raise RuntimeError(f'The {what} of the user-provided function is independent of input {i}. '
                               'This is not allowed in strict mode when create_graph=True.')
        out.append(g)
    return tuple(out)


def _grad(outputs, inputs, grad_outputs=None, create_graph=False, retain_graph=None):
    """autograd.grad over the outputs that are in a graph; None where nothing flows."""
    from . import grad
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    keep = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not keep:
        return (None,) * len(inputs)
    outs, gos = zip(*keep)
    return grad(outs, inputs, gos, allow_unused=True, create_graph=create_graph,
                retain_graph=retain_graph)


def _grad_mode(create_graph):
    from .grad_mode import set_grad_enabled, is_grad_enabled
    return set_grad_enabled(True if create_graph else is_grad_enabled())


def _enable_grad():
    from .grad_mode import enable_grad
    return enable_grad()


def _run(func, inputs, fn, strict):
    outputs = func(*inputs)
    is_tuple, outputs = _as_tuple(outputs, 'outputs of the user-provided function', fn)
    _strict(outputs, 'outputs', strict)
    return is_tuple, outputs


def _scalar_output(outputs, is_tuple, fn):
    from .._tensor import Tensor
    if is_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f'The function given to {fn} should return a single Tensor')
    if outputs[0].nelement() != 1:
        raise RuntimeError(f'The Tensor returned by the function given to {fn} should contain a '
                           'single element')


# ---------------------------------------------------------------- products

def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T J): the vector-Jacobian product at ``inputs``."""
    with _enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'vjp')
        inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _run(func, inputs, 'vjp', strict)
        v = _vector(v, outputs, out_tuple, create_graph, 'vjp',
                    'The vector v can only be None if the user-provided function returns a single '
                    'Tensor with a single element.')
    with _grad_mode(create_graph):
        res = _grad(outputs, inputs, v, create_graph=create_graph)
        res = _zeros_for_missing(res, inputs, strict, create_graph, 'back')
    return (_unpack(_detached(outputs, create_graph), out_tuple),
            _unpack(_detached(res, create_graph), in_tuple))


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), J v): the Jacobian-vector product, by the double-backward trick."""
    from ..ops.creation import zeros_like
    with _enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jvp')
        inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
        v = _vector(v, inputs, in_tuple, create_graph, 'jvp',
                    'The vector v can only be None if the input to the user-provided function is a '
                    'single Tensor with a single element.')
        out_tuple, outputs = _run(func, inputs, 'jvp', strict)
        # u -> J^T u is linear in u, so differentiating it w.r.t. u (at any finite u) gives J v
        us = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        jt_u = _grad(outputs, inputs, us, create_graph=True)
        _strict(jt_u, 'grad_inputs', strict)
    with _grad_mode(create_graph):
        res = _grad(jt_u, us, v, create_graph=create_graph)
        res = _zeros_for_missing(res, outputs, strict, create_graph, 'back_trick')
    return (_unpack(_detached(outputs, create_graph), out_tuple),
            _unpack(_detached(res, create_graph), out_tuple))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), v^T H) for a function with a single-element output."""
    with _enable_grad():
        in_tuple, inputs, v, outputs, jac = _first_derivative(func, inputs, v, create_graph, strict,
                                                              'vhp')
    with _grad_mode(create_graph):
        res = _grad(jac, inputs, v, create_graph=create_graph)
        res = _zeros_for_missing(res, inputs, strict, create_graph, 'double_back')
    return (_unpack(_detached(outputs, create_graph), False),
            _unpack(_detached(res, create_graph), in_tuple))


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """(func(inputs), H v) for a function with a single-element output (double-backward trick)."""
    from ..ops.creation import zeros_like
    with _enable_grad():
        in_tuple, inputs, v, outputs, jac = _first_derivative(func, inputs, v, create_graph, strict,
                                                              'hvp')
        us = tuple(zeros_like(x, requires_grad=True) for x in inputs)
        h_u = _grad(jac, inputs, us, create_graph=True)
        _strict(jac, 'hessian', strict)
    with _grad_mode(create_graph):
        res = _grad(h_u, us, v, create_graph=create_graph)
        res = _zeros_for_missing(res, inputs, strict, create_graph, 'double_back_trick')
    return (_unpack(_detached(outputs, create_graph), False),
            _unpack(_detached(res, create_graph), in_tuple))


def _first_derivative(func, inputs, v, create_graph, strict, fn):
    """Shared start of vhp/hvp: checked inputs, v, output and its gradient (with a graph)."""
    in_tuple, inputs = _as_tuple(inputs, 'inputs', fn)
    inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
    v = _vector(v, inputs, in_tuple, create_graph, fn,
                'The vector v can only be None if the input to the user-provided function is a '
                'single Tensor with a single element.')
    out_tuple, outputs = _run(func, inputs, fn, strict)
    _scalar_output(outputs, out_tuple, fn)
    jac = _grad(outputs, inputs, create_graph=True)
    _strict(jac, 'jacobian', strict)
    return in_tuple, inputs, v, outputs, jac


# ---------------------------------------------------------------- full matrices

def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy='reverse-mode'):
    """d func(inputs) / d inputs; entry [i][j] has shape outputs[i].shape + inputs[j].shape."""
    if strategy not in _MODES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If '
                             'your function has more outputs than inputs, "forward-mode" tends to be more '
                             'performant. Otherwise, prefer to use "reverse-mode".')
    if strategy == 'forward-mode':
        if create_graph:
            raise NotImplementedError('ember.autograd.functional.jacobian: `create_graph=True` and '
                                      '`strategy="forward-mode"` are not supported together (yet). Please '
                                      'either set `create_graph=False` or `strategy="reverse-mode"`.')
        return _forward_jacobian(func, inputs, strict, vectorize)
    with _enable_grad():
        in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jacobian')
        inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
        out_tuple, outputs = _run(func, inputs, 'jacobian', strict)
        if vectorize and strict:
            raise RuntimeError('ember.autograd.functional.jacobian: `strict=True` and `vectorized=True` '
                               'are not supported together. Please either set `strict=False` or '
                               '`vectorize=False`.')
        jac = tuple(_jacobian_rows(i, out, inputs, create_graph, strict) for i, out in enumerate(outputs))
    return _unpack(_detached(jac, create_graph), (out_tuple, in_tuple))


def _jacobian_rows(i, out, inputs, create_graph, strict):
    """d out / d inputs[j] for every j: one backward pass per element of ``out``."""
    from ..ops.creation import zeros_like
    from ..ops.join import stack
    rows = [[] for _ in inputs]
    flat = out.reshape(-1)
    for k in range(out.nelement()):
        grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (g, x) in enumerate(zip(grads, inputs)):
            if g is None:
                if strict:
                    raise RuntimeError(f'Output {i} of the user-provided function is independent of input '
                                       f'{j}. This is not allowed in strict mode.')
                g = zeros_like(x)
            elif strict and create_graph and not g.requires_grad:
                raise RuntimeError(f'The jacobian of the user-provided function is independent of input '
                                   f'{i}. This is not allowed in strict mode when create_graph=True.')
            rows[j].append(g)
    result = []
    for j, x in enumerate(inputs):
        if rows[j]:
            result.append(stack(rows[j], 0).view(tuple(out.shape) + tuple(x.shape)))
        else:                                    # an empty output: an empty Jacobian
            result.append(x.new_zeros(tuple(out.shape) + tuple(x.shape)))
    return tuple(result)


def _forward_jacobian(func, inputs, strict, vectorize):
    """strategy='forward-mode': PyTorch's checks and result layout (lists); the numbers are
    computed in reverse mode and take the output's dtype, as forward mode would give."""
    if strict:
        raise RuntimeError('ember.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
                           'are not supported together (yet). Please either set `strict=False` or '
                           '`strategy="reverse-mode"`.')
    in_tuple, inputs = _as_tuple(inputs, 'inputs', 'jacobian')
    if not vectorize:
        raise NotImplementedError('Computing Jacobian using forward-AD or forward-over-reverse Hessian '
                                  'isonly implemented for `vectorize=True`.')   # sic: PyTorch's text
    with _enable_grad():
        xs = _fresh_inputs(inputs, False, need_graph=True)
        out_tuple, outputs = _as_tuple(func(*xs), 'outputs', 'jacobian')
        jac = []
        for i, out in enumerate(outputs):
            row = _jacobian_rows(i, out, xs, False, False)
            jac.append([g.detach().to(out.dtype) for g in row])
    return _unpack(jac, (out_tuple, in_tuple))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False,
            outer_jacobian_strategy='reverse-mode'):
    """Second derivatives of a single-element function; entry [i][j] has shape
    inputs[i].shape + inputs[j].shape."""
    in_tuple, inputs = _as_tuple(inputs, 'inputs', 'hessian')
    if outer_jacobian_strategy not in _MODES:
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar(*xs):
        out = func(*xs)
        out_tuple, outs = _as_tuple(out, 'outputs of the user-provided function', 'hessian')
        _strict(outs, 'outputs', strict)
        _scalar_output(outs, out_tuple, 'hessian')
        return out.squeeze()

    def gradient(*xs):
        g = jacobian(scalar, xs, create_graph=True)
        _strict(g, 'jacobian', strict)
        return g

    res = jacobian(gradient, inputs, create_graph=create_graph, strict=strict, vectorize=vectorize,
                   strategy=outer_jacobian_strategy)
    return _unpack(res, (in_tuple, in_tuple))
