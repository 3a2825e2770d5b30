"""Survey 4 (module API leftovers): Module.type to an integer dtype, other-device methods, integer
device indices without an accelerator, ember.__future__ conversion switches, top-level weight-norm
primitives. Each is compared with torch."""
import pytest
import torch

import ember


def _outcome(f):
    try:
        r = f()
    except Exception as e:       # noqa: BLE001 — the comparison is the point
        return type(e).__name__, str(e).split('\n')[0].replace('torch', 'ember')
    return repr(r).replace('torch', 'ember')


CASES = {
    'type-int64': lambda T: (lambda m: (_outcome(lambda: m.type(T.int64)), str(m.weight.dtype)))(T.nn.Linear(1, 1)),
    'type-str': lambda T: (lambda m: (_outcome(lambda: m.type('torch.LongTensor')), str(m.weight.dtype)))(
        T.nn.Linear(1, 1)),
    'type-legacy': lambda T: (lambda m: (_outcome(lambda: m.type(T.LongTensor)), str(m.weight.dtype)))(
        T.nn.Linear(1, 1)),
    'type-int-no-grad': lambda T: str(T.nn.Linear(1, 1).requires_grad_(False).type(T.int64).weight.dtype),
    'type-double': lambda T: str(T.nn.Linear(1, 1).type(T.float64).weight.dtype),
    'tensor-xpu': lambda T: T.ones(1).xpu(),
    'tensor-ipu': lambda T: T.ones(1).ipu(),
    'tensor-mtia': lambda T: T.ones(1).mtia(),
    'module-xpu': lambda T: T.nn.Linear(1, 1).xpu(),
    'module-ipu': lambda T: T.nn.Linear(1, 1).ipu(),
    'module-mtia': lambda T: T.nn.Linear(1, 1).mtia(),
    'module-to-int': lambda T: T.nn.Linear(1, 1).to(3),
    'device-int': lambda T: T.device(0),
    'tensor-to-int': lambda T: T.ones(1).to(1),
    'factory-int': lambda T: T.zeros(1, device=2),
}


@pytest.mark.cpu_only
@pytest.mark.parametrize('name', sorted(CASES))
def test_matches_torch(name):
    f = CASES[name]
    assert _outcome(lambda: f(ember)) == _outcome(lambda: f(torch))


def _convert(T, overwrite, swap):
    T.__future__.set_overwrite_module_params_on_conversion(overwrite)
    T.__future__.set_swap_module_params_on_conversion(swap)
    try:
        m = T.nn.Linear(1, 1)
        w = m.weight
        m.weight.grad = T.ones(1, 1)
        g = m.weight.grad
        m.double()
        return (m.weight is w, m.weight.grad is g, str(m.weight.grad.dtype).split('.')[1],
                type(m.weight).__name__, m.weight.requires_grad,
                T.__future__.get_overwrite_module_params_on_conversion(),
                T.__future__.get_swap_module_params_on_conversion())
    finally:
        T.__future__.set_overwrite_module_params_on_conversion(False)
        T.__future__.set_swap_module_params_on_conversion(False)


@pytest.mark.parametrize('overwrite,swap', [(False, False), (True, False), (False, True), (True, True)])
def test_future_conversion_switches(overwrite, swap):
    assert _convert(ember, overwrite, swap) == _convert(torch, overwrite, swap)


def test_weight_norm_primitives_at_top_level():
    v = [[1., 2., 3.], [4., 5., 6.]]
    g = [[2.], [3.]]
    for name, args in [('norm_except_dim', (2, 0)), ('_weight_norm', (0,))]:
        a = getattr(ember, name)(ember.tensor(v), *((ember.tensor(g),) if name != 'norm_except_dim' else ()), *args)
        b = getattr(torch, name)(torch.tensor(v), *((torch.tensor(g),) if name != 'norm_except_dim' else ()), *args)
        assert abs(a.numpy() - b.numpy()).max() < 1e-6
    wa, na = ember._weight_norm_interface(ember.tensor(v), ember.tensor(g), 0)
    wb, nb = torch._weight_norm_interface(torch.tensor(v), torch.tensor(g), 0)
    assert abs(wa.numpy() - wb.numpy()).max() < 1e-6 and abs(na.numpy() - nb.numpy()).max() < 1e-6


INFO = {
    'finfo-eq': lambda T: T.finfo(T.float32) == T.finfo(T.float32),
    'finfo-ne-dtype': lambda T: T.finfo(T.float32) == T.finfo(T.float64),
    'iinfo-eq': lambda T: T.iinfo(T.int8) == T.iinfo(T.int8),
    'finfo-neq': lambda T: T.finfo(T.float32) != T.finfo(T.float32),
    'finfo-float': lambda T: T.finfo(float), 'iinfo-int': lambda T: T.iinfo(int),
    'finfo-complex': lambda T: T.finfo(complex), 'finfo-int': lambda T: T.finfo(int),
    'iinfo-float': lambda T: T.iinfo(float), 'finfo-bool': lambda T: T.finfo(bool),
    'iinfo-bool': lambda T: T.iinfo(bool),
}


@pytest.mark.parametrize('name', sorted(INFO))
def test_finfo_iinfo_match_torch(name):
    assert _outcome(lambda: INFO[name](ember)) == _outcome(lambda: INFO[name](torch))


def test_return_types_pickle_and_field_counts():
    import pickle
    for T in (ember, torch):
        r = T.max(T.tensor([[1., 3.], [2., 0.]]), 1)
        back = pickle.loads(pickle.dumps(r))
        assert type(back) is type(r) and back.values.tolist() == [3., 2.] and back.indices.tolist() == [1, 0]
        assert (r.n_fields, r.n_sequence_fields, r.n_unnamed_fields) == (2, 2, 0)
        assert type(r).__module__.endswith('return_types')


def _ior(a):
    a |= 1.5
    return a


BITWISE = {
    'and_-float': lambda T: T.arange(3).bitwise_and_(1.0),
    'ior-float': lambda T: _ior(T.arange(3)),
    'or_-float-tensor': lambda T: T.arange(3).bitwise_or_(T.tensor(1.5)),
    'and-float': lambda T: T.arange(3).bitwise_and(1.0),
    'xor-shapes': lambda T: T.bitwise_xor(T.arange(3), T.arange(2)),
    'and_-broadcast-out': lambda T: T.arange(3).bitwise_and_(T.arange(6).reshape(2, 3)),
    'and_-float-shapes': lambda T: T.ones(3).bitwise_and_(T.ones(2)),
    'add_-shape-before-cast': lambda T: T.ones(3, dtype=T.int32).add_(T.ones(2, 3)),
    'and-int': lambda T: T.arange(3) & 1,
}


@pytest.mark.parametrize('name', sorted(BITWISE))
def test_bitwise_and_inplace_error_order(name):
    assert _outcome(lambda: BITWISE[name](ember)) == _outcome(lambda: BITWISE[name](torch))


def _meta_view_of_leaf(T):
    x = T.ones(2, 1, requires_grad=True)
    v = x.expand(2, 1)
    v.transpose_(0, 1)
    return v


def _view_before_meta_inplace(T):
    x = T.ones(2, 3, requires_grad=True).clone()
    v = x.T
    x.unsqueeze_(0)
    (v * 2).sum().backward()
    return v.grad_fn.name(), x.grad_fn.name()


def _meta_view_no_grad(T):
    x = T.ones(2, 1, requires_grad=True)
    v = x.expand(2, 1)
    with T.no_grad():
        v.transpose_(0, 1)
    return tuple(v.shape)


def _meta_inplace_on_view(T):
    x = T.ones(3, requires_grad=True).clone()
    v = x[:2]
    v.unsqueeze_(0)
    return v.grad_fn.name(), tuple(v.shape), x.grad_fn.name()


RESTRIDE = {'view-of-leaf': _meta_view_of_leaf, 'view-before': _view_before_meta_inplace,
            'no-grad': _meta_view_no_grad, 'on-view': _meta_inplace_on_view,
            't_-3d': lambda T: T.ones(2, 2, 2).t_()}


@pytest.mark.parametrize('name', sorted(RESTRIDE))
def test_inplace_metadata_ops_on_views(name):
    assert _outcome(lambda: RESTRIDE[name](ember)) == _outcome(lambda: RESTRIDE[name](torch))


@pytest.mark.parametrize('a,m', [((2, 3), (3, 3)), ((2, 3), (2, 4)), ((3,), (2, 2)), ((4, 3), (2, 3))])
@pytest.mark.parametrize('form', ['fn', 'inplace', 'tensor-value'])
def test_masked_fill_broadcast_message(a, m, form):
    def f(T):
        x, mask = T.zeros(a), T.ones(m, dtype=T.bool)
        if form == 'inplace':
            return x.masked_fill_(mask, 1.)
        return x.masked_fill(mask, T.tensor(1.) if form == 'tensor-value' else 1.)
    assert _outcome(lambda: f(ember)) == _outcome(lambda: f(torch))


@pytest.mark.parametrize('dt', ['uint16', 'uint32', 'uint64', 'int16'])
def test_triu_indices_unsupported_dtype(dt):
    assert (_outcome(lambda: ember.triu_indices(3, 3, dtype=getattr(ember, dt)))
            == _outcome(lambda: torch.triu_indices(3, 3, dtype=getattr(torch, dt))))


_DISCARD_IMAG = '''
import sys, warnings
T = __import__(sys.argv[1])
cases = [lambda: T.zeros(2).copy_(T.ones(2, dtype=T.complex64)), lambda: T.ones(2, dtype=T.complex64).float(),
         lambda: T.ones(2, dtype=T.complex64).to(T.float64), lambda: T.zeros(2).fill_(T.tensor(1j)),
         lambda: T.zeros(2).__setitem__(0, T.tensor(1j)),
         lambda: setattr(T.zeros(2, dtype=T.complex64), 'real', T.ones(2, dtype=T.complex64))]
out = []
for k in range(2):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        cases[int(sys.argv[2])]()
    out.append([(str(x.message)[:40], x.filename, x.lineno) for x in w])
print(out)
'''


@pytest.mark.parametrize('case', range(6))
def test_discard_imag_warning_once_on_user_line(case, tmp_path):
    """torch gives 'Casting complex values to real discards the imaginary part' once per process,
    pointing at the user's line; each case runs in a fresh process."""
    import os
    import subprocess
    import sys
    script = tmp_path / 'script.py'
    script.write_text(_DISCARD_IMAG)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    got = [subprocess.run([sys.executable, str(script), lib, str(case)], capture_output=True, text=True,
                          env=env, cwd=tmp_path).stdout for lib in ('torch', 'ember')]
    assert got[0] == got[1] and 'Casting' in got[0]
