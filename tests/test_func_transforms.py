"""ember.func (grad, vjp, jvp, linearize, jacrev, jacfwd, hessian, vmap, stack_module_state)
against torch.func: values (float64, 1e-10), pytree structure, requires_grad, errors, and the
cores of the per-sample-gradient and model-ensembling tutorials."""
import copy

import numpy as np
import pytest
import torch
import torch.func

import ember
import ember.func

RNG = np.random.default_rng(0)
X3, Y2, A43, B34, M22 = (RNG.standard_normal(s) for s in [(3,), (2,), (4, 3), (3, 4), (2, 2)])


def _lib(T, tree):
    if isinstance(tree, np.ndarray):
        return T.tensor(tree)
    if isinstance(tree, dict):
        return {k: _lib(T, v) for k, v in tree.items()}
    if isinstance(tree, (tuple, list)):
        return type(tree)(_lib(T, v) for v in tree)
    return tree


def _same(e, t, where='out'):
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f'{where}: {type(e)}'
        assert tuple(e.shape) == tuple(t.shape), f'{where}: shape {tuple(e.shape)} vs {tuple(t.shape)}'
        assert str(e.dtype).split('.')[1] == str(t.dtype).split('.')[1], f'{where}: {e.dtype} vs {t.dtype}'
        assert e.requires_grad == t.requires_grad, f'{where}: requires_grad {e.requires_grad}'
        np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-10, atol=1e-10,
                                   err_msg=where)
    elif isinstance(t, dict):
        assert isinstance(e, dict) and list(e) == list(t), f'{where}: {e!r} vs keys {list(t)}'
        for k in t:
            _same(e[k], t[k], f'{where}[{k!r}]')
    elif isinstance(t, (tuple, list)):
        assert type(e) is type(t) and len(e) == len(t), f'{where}: {type(e)} vs {type(t)}'
        for i, (a, b) in enumerate(zip(e, t)):
            _same(a, b, f'{where}[{i}]')
    else:
        assert e == t, f'{where}: {e!r} vs {t!r}'


def run_both(fn, *inputs):
    t = fn(torch, torch.func, *_lib(torch, inputs))
    e = fn(ember, ember.func, *_lib(ember, inputs))
    _same(e, t)


def error_both(fn, *inputs):
    with pytest.raises(Exception) as t:
        fn(torch, torch.func, *_lib(torch, inputs))
    with pytest.raises(Exception) as e:
        fn(ember, ember.func, *_lib(ember, inputs))
    assert type(e.value).__name__ == type(t.value).__name__, f'{e.value!r} vs {t.value!r}'
    assert str(e.value) == str(t.value).replace('torch.', 'ember.')


def cube(x):
    return (x ** 3).sum()


def sin2(x, y):
    return (x.sin() * y.sum()).sum() + (x * x).sum() * y[0]


VALUES = [
    ('grad', lambda T, F, x: F.grad(cube)(x), X3),
    ('grad-argnums1', lambda T, F, x, y: F.grad(sin2, argnums=1)(x, y), X3, Y2),
    ('grad-argnums-tuple', lambda T, F, x, y: F.grad(sin2, argnums=(0, -1))(x, y), X3, Y2),
    ('grad-aux', lambda T, F, x: F.grad(lambda x: (cube(x), {'s': x.sin(), 'c': x.cos()}), has_aux=True)(x), X3),
    ('grad-dict', lambda T, F, d: F.grad(lambda d: (d['a'] * d['b'][0]).sum())(d), {'a': X3, 'b': [X3]}),
    ('grad-kwargs', lambda T, F, x: F.grad(lambda x, k: cube(x) * k)(x, k=T.tensor(2.0, dtype=T.float64)), X3),
    ('grad-unused', lambda T, F, x, y: F.grad(lambda x, y: y.sum())(x, y), X3, Y2),
    ('grad-no-graph', lambda T, F, x: F.grad(lambda x: T.zeros((), dtype=T.float64))(x), X3),
    ('grad-int-out', lambda T, F, x: F.grad(lambda x: x.sum().int())(x), X3),
    ('grad-2nd', lambda T, F, x: F.grad(F.grad(lambda x: x.sin() * x ** 3))(x), np.array(0.7)),
    ('grad-3rd', lambda T, F, x: F.grad(F.grad(F.grad(lambda x: x.exp() * x)))(x), np.array(0.3)),
    ('grad-of-grad-sum', lambda T, F, x: F.grad(lambda x: F.grad(cube)(x).sin().sum())(x), X3),
    ('grad-nested-closure', lambda T, F, x, y: F.grad(lambda x: F.grad(lambda y: (x * y).sum() * y[0])(x).sum())(x),
     X3, Y2),
    ('grad_and_value', lambda T, F, x: F.grad_and_value(cube)(x), X3),
    ('grad_and_value-aux', lambda T, F, x: F.grad_and_value(lambda x: (cube(x), x * 2), has_aux=True)(x), X3),
    ('vjp', lambda T, F, x: (lambda o, fn: (o, fn(T.ones(3, dtype=T.float64) * 2)))(*F.vjp(T.sin, x)), X3),
    ('vjp-two', lambda T, F, x, y: (lambda o, fn: (o, fn(o.cos()), fn(o)))(*F.vjp(lambda x, y: x * y.sum(), x, y)),
     X3, Y2),
    ('vjp-tree', lambda T, F, x: (lambda o, fn: fn({'a': o['a'] + 1, 'b': (o['b'][0],)}))(
        *F.vjp(lambda x: {'a': x.exp(), 'b': (x[:2] * 3,)}, x)), X3),
    ('vjp-aux', lambda T, F, x: (lambda o, fn, aux: (o, fn(T.ones(()).double()), aux))(
        *F.vjp(lambda x: (cube(x), x.sum()), x, has_aux=True)), X3),
    ('vjp-f32-cotangent', lambda T, F, x: F.vjp(T.sin, x)[1](T.ones(3)), X3),
    ('jvp', lambda T, F, x: F.jvp(T.sin, (x,), (x * 0 + 1,)), X3),
    ('jvp-two', lambda T, F, x, y: F.jvp(lambda x, y: (x * y.sum(), y.exp()), (x, y), (x.cos(), y * 2)), X3, Y2),
    ('jvp-aux', lambda T, F, x: F.jvp(lambda x: (x.sin(), {'k': x}), (x,), (x,), has_aux=True), X3),
    ('jvp-f32-tangent', lambda T, F, x: F.jvp(T.sin, (x,), (T.ones(3),)), X3),
    ('jvp-f32-out', lambda T, F, x: F.jvp(lambda x: x.float() * 2, (x,), (x,)), X3),
    ('jvp-of-grad', lambda T, F, x: F.jvp(F.grad(cube), (x,), (x.exp(),)), X3),
    ('linearize', lambda T, F, x: (lambda o, fn: (o, fn(x), fn(x * 2)))(*F.linearize(lambda x: x.sin() * x, x)), X3),
    ('linearize-two', lambda T, F, x, y: F.linearize(lambda x, y: x * y[1], x, y)[1](x, y), X3, Y2),
]
for _J in ('jacrev', 'jacfwd'):
    VALUES += [
        (_J, lambda T, F, x, J=_J: getattr(F, J)(lambda x: x.sin() * x.sum())(x), X3),
        (_J + '-argnums', lambda T, F, x, y, J=_J: getattr(F, J)(sin2, argnums=(0, 1))(x, y), X3, Y2),
        (_J + '-tuple-out', lambda T, F, x, y, J=_J: getattr(F, J)(lambda x, y: (x.sum() * y, x.exp()),
                                                                   argnums=(0, 1))(x, y), X3, Y2),
        (_J + '-dict-out', lambda T, F, x, y, J=_J: getattr(F, J)(lambda x, y: {'a': x.sum() * y, 'b': x},
                                                                  argnums=1)(x, y), X3, Y2),
        (_J + '-dict-in', lambda T, F, d, J=_J: getattr(F, J)(lambda d: {'a': d['p'].sum() * d['q'], 'b': d['p']})(d),
         {'p': X3, 'q': Y2}),
        (_J + '-aux', lambda T, F, x, J=_J: getattr(F, J)(lambda x: (x.sin(), {'c': x.cos()}), has_aux=True)(x), X3),
        (_J + '-matrix', lambda T, F, a, J=_J: getattr(F, J)(lambda a: a @ a.t())(a), M22),
        (_J + '-scalar-out', lambda T, F, x, J=_J: getattr(F, J)(cube)(x), X3),
        (_J + '-empty', lambda T, F, x, J=_J: getattr(F, J)(lambda x: x * 2)(x[:0]), X3),
        (_J + '-const', lambda T, F, x, y, J=_J: getattr(F, J)(lambda x: y * 1)(x), X3, Y2),
        (_J + '-f32-out', lambda T, F, x, J=_J: getattr(F, J)(lambda x: x.float().exp())(x), X3),
        (_J + '-of-jacrev', lambda T, F, x, J=_J: getattr(F, J)(F.jacrev(lambda x: x.sin() * x[0]))(x), X3),
    ]
VALUES += [
    ('jacrev-chunk', lambda T, F, x: F.jacrev(T.sin, chunk_size=2)(x), X3),
    ('hessian', lambda T, F, x: F.hessian(lambda x: (x.sin() * x[0] ** 2).sum())(x), X3),
    ('hessian-vector-out', lambda T, F, x: F.hessian(lambda x: x ** 3)(x), X3),
    ('hessian-argnums', lambda T, F, x, y: F.hessian(sin2, argnums=(0, 1))(x, y), X3, Y2),
    ('hessian-matrix', lambda T, F, a: F.hessian(lambda a: (a @ a).sum())(a), M22),
    ('vmap', lambda T, F, a: F.vmap(T.dot)(a, a * 2), A43),
    ('vmap-in_dims', lambda T, F, a, b: F.vmap(T.dot, in_dims=(0, 1))(a, b), A43, B34),
    ('vmap-None', lambda T, F, a, x: F.vmap(T.mul, in_dims=(0, None))(a, x), A43, X3),
    ('vmap-neg-dim', lambda T, F, a, b: F.vmap(T.mul, in_dims=(-2, -1))(a, b), A43, B34),
    ('vmap-scalar-arg', lambda T, F, a: F.vmap(lambda x, n: x * n, in_dims=(0, None))(a, 3), A43),
    ('vmap-nested-in_dims', lambda T, F, a, b: F.vmap(lambda t: t[0] * t[1], in_dims=((0, 1),))((a, b)), A43, B34),
    ('vmap-list-in_dims', lambda T, F, a: F.vmap(lambda t: t[0] - t[1], in_dims=([0, 1],))([a, a.t()]), A43),
    ('vmap-dict-in_dims', lambda T, F, a, x: F.vmap(lambda d: d['p'] * d['q'], in_dims=({'p': 0, 'q': None},))(
        {'p': a, 'q': x}), A43, X3),
    ('vmap-out_dims', lambda T, F, a: F.vmap(lambda x: (x, x.sum()), out_dims=(1, 0))(a), A43),
    ('vmap-out_dims-neg', lambda T, F, a: F.vmap(lambda x: x.exp(), out_dims=-1)(a), A43),
    ('vmap-out_dims-1tuple', lambda T, F, a: F.vmap(lambda x: x.exp(), out_dims=(0,))(a), A43),
    ('vmap-out-None', lambda T, F, a, x: F.vmap(lambda v, n: (v, n), in_dims=(0, None), out_dims=(0, None))(a, 3), A43,
     X3),
    ('vmap-unbatched-out', lambda T, F, a, x: F.vmap(lambda v: (v, x), out_dims=(0, None))(a), A43, X3),
    ('vmap-const-out', lambda T, F, a, x: F.vmap(lambda v: x)(a), A43, X3),
    ('vmap-dict-out', lambda T, F, a: F.vmap(lambda x: {'a': x, 'b': [x.sum()]})(a), A43),
    ('vmap-kwargs', lambda T, F, a, x: F.vmap(lambda v, w=None: v * w)(a, w=x), A43, X3),
    ('vmap-nested', lambda T, F, a: F.vmap(F.vmap(lambda x, y: x * y + 1))(a, a.exp()), A43),
    ('vmap-nested-in_dims', lambda T, F, a, b: F.vmap(F.vmap(T.mul, in_dims=(0, None)), in_dims=(None, 1))(a, b),
     A43, B34),
    ('vmap-chunk', lambda T, F, a: F.vmap(T.sum, chunk_size=3)(a), A43),
    ('vmap-empty', lambda T, F, a: F.vmap(lambda x: x.sum(), in_dims=1)(a[:, :0]), A43),
    ('vmap-grad', lambda T, F, a: F.vmap(F.grad(cube))(a), A43),
    ('vmap-jacrev', lambda T, F, a: F.vmap(F.jacrev(T.sin))(a), A43),
    ('jacrev-vmap', lambda T, F, a: F.jacrev(F.vmap(lambda r: r.sin().sum()))(a), A43),
    ('grad-vmap', lambda T, F, a: F.grad(lambda a: F.vmap(T.dot)(a, a).sum())(a), A43),
    ('vmap-same-random', lambda T, F, a: (lambda r: (r - a).std(0))(
        F.vmap(lambda x: x + T.rand(3, dtype=T.float64), randomness='same')(a)), A43),
    ('vmap-different-random', lambda T, F, a: F.vmap(lambda x: x + T.rand(3), randomness='different')(a).shape == (4, 3),
     A43),
]


@pytest.mark.parametrize('case', VALUES, ids=[c[0] for c in VALUES])
def test_values(case):
    run_both(case[1], *case[2:])


def test_results_track_outside_graph():
    """A closed-over tensor that requires grad keeps its graph; the caller's inputs are untouched."""
    for T, F in ((torch, torch.func), (ember, ember.func)):
        x = T.tensor(X3)
        w = T.tensor(X3 * 2, requires_grad=True)
        xr = T.tensor(X3, requires_grad=True)
        g = F.grad(lambda x: (x * x * w).sum())(x)
        assert g.requires_grad and not x.requires_grad
        g.sum().backward()
        np.testing.assert_allclose(w.grad.numpy(), 2 * X3, atol=1e-12)
        g2 = F.grad(cube)(xr)
        assert g2.requires_grad and xr.grad is None
        assert F.grad(lambda x: (x * x).sum() + w.sum())(x).requires_grad is False
        with T.no_grad():
            assert not F.grad(lambda x: (x * w).sum())(x).requires_grad
        assert x.grad is None and xr.grad is None


ERRORS = [
    ('grad-nonscalar', lambda T, F, x: F.grad(lambda x: x)(x), X3),
    ('grad-float-out', lambda T, F, x: F.grad(lambda x: 3.0)(x), X3),
    ('grad-tuple-out', lambda T, F, x: F.grad(lambda x: (x.sum(), 1))(x), X3),
    ('grad-argnum-range', lambda T, F, x: F.grad(cube, argnums=1)(x), X3),
    ('grad-argnum-neg', lambda T, F, x: F.grad(cube, argnums=-2)(x), X3),
    ('grad-argnums-float', lambda T, F, x: F.grad(cube, argnums=1.0)(x), X3),
    ('grad-argnums-list', lambda T, F, x: F.grad(cube, argnums=[0])(x), X3),
    ('grad-argnums-empty', lambda T, F, x: F.grad(cube, argnums=())(x), X3),
    ('grad-argnums-str', lambda T, F, x: F.grad(cube, argnums=(0, 'a'))(x), X3),
    ('grad-argnums-dup', lambda T, F, x: F.grad(cube, argnums=(0, -1))(x), X3),
    ('grad-no-aux', lambda T, F, x: F.grad(cube, has_aux=True)(x), X3),
    ('grad-aux-int', lambda T, F, x: F.grad(lambda x: (cube(x), {'a': 2}), has_aux=True)(x), X3),
    ('grad-float-in', lambda T, F, x: F.grad(cube)(3.0), X3),
    ('grad-int-in', lambda T, F, x: F.grad(cube)(T.arange(3)), X3),
    ('grad-no-args', lambda T, F, x: F.grad(cube)(), X3),
    ('vjp-shape', lambda T, F, x: F.vjp(T.sin, x)[1](T.ones(2, dtype=T.float64)), X3),
    ('vjp-structure', lambda T, F, x: F.vjp(T.sin, x)[1]((T.ones(3, dtype=T.float64),)), X3),
    ('vjp-structure-dict', lambda T, F, x: F.vjp(lambda x: {'a': x}, x)[1]({'b': x}), X3),
    ('vjp-float-out', lambda T, F, x: F.vjp(lambda x: 3.0, x), X3),
    ('vjp-int-out', lambda T, F, x: F.vjp(lambda x: x.int(), x), X3),
    ('vjp-no-aux', lambda T, F, x: F.vjp(T.sin, x, has_aux=True), X3),
    ('vjp-float-in', lambda T, F, x: F.vjp(T.sin, 3.0), X3),
    ('jvp-primals-list', lambda T, F, x: F.jvp(T.sin, [x], [x]), X3),
    ('jvp-primals-tensor', lambda T, F, x: F.jvp(T.sin, x, x), X3),
    ('jvp-structure', lambda T, F, x: F.jvp(T.sin, (x,), [x]), X3),
    ('jvp-structure-empty', lambda T, F, x: F.jvp(T.sin, (x,), ()), X3),
    ('jvp-shape', lambda T, F, x: F.jvp(T.sin, (x,), (x[:2],)), X3),
    ('jvp-empty', lambda T, F, x: F.jvp(T.sin, (), ()), X3),
    ('jvp-float-primal', lambda T, F, x: F.jvp(T.sin, (3.0,), (x,)), X3),
    ('jvp-float-tangent', lambda T, F, x: F.jvp(T.sin, (x,), (3.0,)), X3),
    ('jvp-int-primal', lambda T, F, x: F.jvp(T.sin, (T.arange(3),), (T.arange(3),)), X3),
    ('jvp-float-out', lambda T, F, x: F.jvp(lambda x: 3.0, (x,), (x,)), X3),
    ('jvp-no-aux', lambda T, F, x: F.jvp(T.sin, (x,), (x,), has_aux=True), X3),
    ('linearize-shape', lambda T, F, x: F.linearize(T.sin, x)[1](x[:2]), X3),
    ('linearize-count', lambda T, F, x: F.linearize(T.sin, x)[1](x, x), X3),
    ('jacrev-chunk0', lambda T, F, x: F.jacrev(T.sin, chunk_size=0)(x), X3),
    ('jacrev-float-out', lambda T, F, x: F.jacrev(lambda x: 3.0)(x), X3),
    ('jacrev-float-in', lambda T, F, x: F.jacrev(T.sin)(3.0), X3),
    ('jacrev-int-in', lambda T, F, x: F.jacrev(T.sin)(T.arange(3)), X3),
    ('jacrev-argnum', lambda T, F, x: F.jacrev(T.sin, argnums=2)(x), X3),
    ('jacrev-no-aux', lambda T, F, x: F.jacrev(T.sin, has_aux=True)(x), X3),
    ('jacfwd-no-aux', lambda T, F, x: F.jacfwd(T.sin, has_aux=True)(x), X3),
    ('jacfwd-float-in', lambda T, F, x: F.jacfwd(T.sin)(3.0), X3),
    ('jacfwd-int-in', lambda T, F, x: F.jacfwd(T.sin)(T.arange(3)), X3),
    ('jacfwd-randomness', lambda T, F, x: F.jacfwd(T.sin, randomness='bad')(x), X3),
    ('jacfwd-random', lambda T, F, x: F.jacfwd(lambda x: x + T.rand(3))(x), X3),
    ('vmap-sizes', lambda T, F, a, b: F.vmap(T.dot)(a, b), A43, B34),
    ('vmap-sizes3', lambda T, F, a, b: F.vmap(lambda *t: t[0])(a, a[:2], b), A43, B34),
    ('vmap-in_dim-range', lambda T, F, a, b: F.vmap(T.dot, in_dims=(0, 2))(a, b), A43, B34),
    ('vmap-in_dim-neg', lambda T, F, a, b: F.vmap(T.dot, in_dims=(0, -3))(a, b), A43, B34),
    ('vmap-in_dim-0d', lambda T, F, x: F.vmap(T.sum)(x.sum()), X3),
    ('vmap-all-None', lambda T, F, a, b: F.vmap(T.dot, in_dims=(None, None))(a, b), A43, B34),
    ('vmap-in_dims-short', lambda T, F, a, b: F.vmap(T.dot, in_dims=(0,))(a, b), A43, B34),
    ('vmap-in_dims-list', lambda T, F, a: F.vmap(T.dot, in_dims=[0, 0])(a, a), A43),
    ('vmap-in_dims-float', lambda T, F, a: F.vmap(T.dot, in_dims=0.5)(a, a), A43),
    ('vmap-in_dims-None', lambda T, F, a: F.vmap(T.sum, in_dims=None)(a), A43),
    ('vmap-in_dim-str', lambda T, F, a: F.vmap(T.dot, in_dims=(0, 'a'))(a, a), A43),
    ('vmap-in_dims-dict', lambda T, F, a: F.vmap(lambda d: d, in_dims=({'p': 0},))({'p': a, 'q': a}), A43),
    ('vmap-in_dims-tuple-list', lambda T, F, a: F.vmap(lambda d: d, in_dims=((0, 0),))([a, a]), A43),
    ('vmap-non-tensor', lambda T, F, a: F.vmap(T.sum)(3.0), A43),
    ('vmap-int-arg', lambda T, F, a: F.vmap(lambda x, n: x * n, in_dims=(0, 0))(a, 3), A43),
    ('vmap-no-inputs', lambda T, F, a: F.vmap(T.sum)(), A43),
    ('vmap-kwarg-in_dims', lambda T, F, a: F.vmap(lambda x, y: x + y, in_dims=(0, 0))(a, y=a), A43),
    ('vmap-out_dims-short', lambda T, F, a: F.vmap(lambda x: (x, x.sum()), out_dims=(1,))(a), A43),
    ('vmap-out_dims-list', lambda T, F, a: F.vmap(lambda x: x, out_dims=[0])(a), A43),
    ('vmap-out_dims-str', lambda T, F, a: F.vmap(lambda x: x, out_dims='a')(a), A43),
    ('vmap-out_dim-range', lambda T, F, a: F.vmap(lambda x: x, out_dims=2)(a), A43),
    ('vmap-out-int', lambda T, F, a: F.vmap(lambda x: (x, 3))(a), A43),
    ('vmap-out-None-val', lambda T, F, a: F.vmap(lambda x: None)(a), A43),
    ('vmap-out-batched-None', lambda T, F, a: F.vmap(lambda x: (x, x), out_dims=(0, None))(a), A43),
    ('vmap-chunk0', lambda T, F, a: F.vmap(T.sin, chunk_size=0), A43),
    ('vmap-randomness', lambda T, F, a: F.vmap(T.sin, randomness='bad'), A43),
    ('vmap-random', lambda T, F, a: F.vmap(lambda x: x + T.rand(3))(a), A43),
    ('vmap-random-only', lambda T, F, a: F.vmap(lambda x: T.randn(3))(a), A43),
    ('stack-empty', lambda T, F, a: F.stack_module_state([]), A43),
    ('stack-shapes', lambda T, F, a: F.stack_module_state([T.nn.Linear(3, 4), T.nn.Linear(3, 5)]), A43),
    ('stack-class', lambda T, F, a: F.stack_module_state([T.nn.Linear(3, 4), T.nn.Conv1d(3, 4, 1)]), A43),
    ('stack-mode', lambda T, F, a: F.stack_module_state([T.nn.Linear(3, 4), T.nn.Linear(3, 4).eval()]), A43),
    ('stack-requires_grad', lambda T, F, a: F.stack_module_state(
        [T.nn.Linear(3, 4), T.nn.Linear(3, 4).requires_grad_(False)]), A43),
]


@pytest.mark.parametrize('case', ERRORS, ids=[c[0] for c in ERRORS])
def test_errors(case):
    error_both(case[1], *case[2:])


def test_random_error_leaves_generator():
    ember.manual_seed(3)
    state = ember.get_rng_state()
    with pytest.raises(RuntimeError):
        ember.func.vmap(lambda x: x + ember.rand(3))(ember.ones(2, 3))
    assert ember.equal(ember.get_rng_state(), state)
    assert ember.func.vmap(ember.sin)(ember.ones(2, 3)).shape == (2, 3)     # no random draw: fine


def test_vmap_is_top_level():
    import torch as real
    assert real.vmap is real.func.vmap
    if not hasattr(ember, 'vmap'):
        pytest.skip('ember.vmap needs `from .func import vmap` in src/ember/__init__.py')
    assert ember.vmap is ember.func.vmap


def _mlp(T, seed):
    T.manual_seed(seed)
    torch.manual_seed(seed)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 3)).double()
    if T is torch:
        return tm
    em = ember.nn.Sequential(ember.nn.Linear(4, 6), ember.nn.Tanh(), ember.nn.Linear(6, 3)).double()
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return em


def _per_sample(T, F):
    model = _mlp(T, 1)
    data, targets = T.tensor(RNG_DATA), T.tensor(RNG_TARGETS)
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}

    def compute_loss(params, buffers, sample, target):
        pred = F.functional_call(model, (params, buffers), (sample.unsqueeze(0),))
        return T.nn.functional.cross_entropy(pred, target.unsqueeze(0))
    grads = F.vmap(F.grad(compute_loss), in_dims=(None, None, 0, 0))(params, buffers, data, targets)
    assert all(p.grad is None for p in model.parameters())
    loop = {k: [] for k in params}
    for x, y in zip(data, targets):
        model.zero_grad()
        T.nn.functional.cross_entropy(model(x.unsqueeze(0)), y.unsqueeze(0)).backward()
        for k, p in model.named_parameters():
            loop[k].append(p.grad.clone())
    for k in params:
        np.testing.assert_allclose(grads[k].numpy(), T.stack(loop[k]).numpy(), atol=1e-12)
    return grads


RNG_DATA = RNG.standard_normal((5, 4))
RNG_TARGETS = np.array([0, 2, 1, 1, 0])


def test_per_sample_gradients_tutorial():
    _same(_per_sample(ember, ember.func), _per_sample(torch, torch.func))


def _ensemble(T, F):
    models = [_mlp(T, s) for s in range(3)]
    params, buffers = F.stack_module_state(models)
    assert all(p.is_leaf and p.requires_grad and p.shape[0] == 3 for p in params.values())
    base = copy.deepcopy(models[0])

    def fmodel(params, buffers, x):
        return F.functional_call(base, (params, buffers), (x,))
    x = T.tensor(RNG_DATA)
    same = F.vmap(fmodel, in_dims=(0, 0, None))(params, buffers, x)
    per = F.vmap(fmodel)(params, buffers, T.stack([x, x * 2, x * 3]))
    for i, m in enumerate(models):
        np.testing.assert_allclose(same[i].detach().numpy(), m(x).detach().numpy(), atol=1e-12)
        np.testing.assert_allclose(per[i].detach().numpy(), m(x * (i + 1)).detach().numpy(), atol=1e-12)
    same.sum().backward()              # gradients reach the stacked parameters
    return same, per, {k: v.grad for k, v in params.items()}


def test_ensemble_tutorial():
    _same(_ensemble(ember, ember.func), _ensemble(torch, torch.func))


def test_stack_module_state_buffers():
    for T, F in ((torch, torch.func), (ember, ember.func)):
        ms = [T.nn.Sequential(T.nn.Linear(3, 4), T.nn.BatchNorm1d(4)) for _ in range(2)]
        p, b = F.stack_module_state(ms)
        assert list(p) == ['0.weight', '0.bias', '1.weight', '1.bias']
        assert list(b) == ['1.running_mean', '1.running_var', '1.num_batches_tracked']
        assert b['1.num_batches_tracked'].shape == (2,) and not b['1.running_mean'].requires_grad
        F.replace_all_batch_norm_modules_(ms[0])
        assert ms[0][1].running_mean is None and not ms[0][1].track_running_stats
