"""PyTorch's import paths and small public names that ember lacked (survey 3), each compared with
torch: per-distribution modules, torch.nn.modules.<file> paths and utils, common_types,
model_zoo, _pytree, profiler.profiler, anomaly_mode, flop_counter, torch.cuda submodules and
helpers (CPU-only behaviour; the CUDA stand-in for the device paths), PRINT_OPTS, the sparse
methods on dense tensors, resize/resize_as, legacy storage classes, assert_allclose,
torch.functional, swap_tensors and empty_permuted."""
import collections
import importlib
import pickle
import pkgutil
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember
from helpers import check, check_error

# ------------------------------------------------------------------ import paths


def _torch_submodules(pkg):
    return [m.name for m in pkgutil.iter_modules(importlib.import_module(pkg).__path__) if not m.name.startswith('_')]


@pytest.mark.parametrize('name', _torch_submodules('torch.distributions'))
def test_distribution_module_paths(name):
    tm = importlib.import_module('torch.distributions.' + name)
    em = importlib.import_module('ember.distributions.' + name)
    assert getattr(em, '__all__', None) is not None
    assert sorted(tm.__all__) == sorted(em.__all__) or set(em.__all__) >= set(tm.__all__)
    for n in tm.__all__:
        assert hasattr(em, n), n
        if n[0].isupper() and hasattr(ember.distributions, n):
            assert getattr(em, n) is getattr(ember.distributions, n)
    assert getattr(ember.distributions, name) is em


def test_distribution_paths_import_forms_and_pickle():
    from ember.distributions.normal import Normal
    import ember.distributions.relaxed_categorical as rc
    assert Normal is ember.distributions.normal.Normal is ember.distributions.Normal
    assert rc.ExpRelaxedCategorical.__name__ == 'ExpRelaxedCategorical'
    d = pickle.loads(pickle.dumps(Normal(ember.zeros(2), ember.ones(2))))
    assert d.loc.tolist() == [0.0, 0.0]
    # a fresh interpreter importing the path before anything else
    code = 'import ember.distributions.studentT as m; from ember.distributions.gamma import Gamma; print(m.StudentT)'
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         env={'PYTHONPATH': ':'.join(sys.path)}).stdout
    assert 'StudentT' in out


@pytest.mark.parametrize('name', [n for n in _torch_submodules('torch.nn.modules')
                                  if n not in ('linear_cross_entropy',)])
def test_nn_modules_paths(name):
    tm = importlib.import_module('torch.nn.modules.' + name)
    em = importlib.import_module('ember.nn.modules.' + name)
    for n in getattr(tm, '__all__', ()):
        assert hasattr(em, n), f'ember.nn.modules.{name}.{n}'
        if hasattr(ember.nn, n):
            assert getattr(em, n) is getattr(ember.nn, n)


def test_nn_modules_private_bases():
    from ember.nn.modules.batchnorm import _BatchNorm, _NormBase
    from ember.nn.modules.instancenorm import _InstanceNorm
    from ember.nn.modules.upsampling import Upsample
    assert issubclass(ember.nn.BatchNorm2d, _BatchNorm) and issubclass(_BatchNorm, _NormBase)
    assert issubclass(ember.nn.InstanceNorm2d, _InstanceNorm) and Upsample is ember.nn.Upsample
    importlib.import_module('ember.nn.modules.linear_cross_entropy')     # exists, as in torch


def test_nn_modules_utils():
    import torch.nn.modules.utils as tu
    import ember.nn.modules.utils as eu
    for f in ('_single', '_pair', '_triple', '_quadruple'):
        for v in (3, [1, 2], (4, 5, 6), 'ab'):
            assert getattr(eu, f)(v) == getattr(tu, f)(v)
        assert getattr(eu, f).__name__ == getattr(tu, f).__name__
    assert eu._ntuple(5)(2) == tu._ntuple(5)(2)
    assert eu._reverse_repeat_tuple((1, 2, 3), 2) == tu._reverse_repeat_tuple((1, 2, 3), 2)
    assert eu._list_with_default([None, 3], [1, 2, 5, 6]) == tu._list_with_default([None, 3], [1, 2, 5, 6])
    assert eu._list_with_default(4, [1, 2]) == tu._list_with_default(4, [1, 2])
    for lib in (eu, tu):
        with pytest.raises(ValueError, match='Input dimension should be at least 3'):
            lib._list_with_default([None, 3], [1, 2])
    dicts = []
    for lib in (eu, tu):
        sd = collections.OrderedDict([('module.a', 1), ('module.b.c', 2), ('x', 3)])
        sd._metadata = collections.OrderedDict([('', {'v': 0}), ('module', {'v': 1}), ('module.b', {'v': 2})])
        lib.consume_prefix_in_state_dict_if_present(sd, 'module.')
        dicts.append((list(sd.items()), list(sd._metadata.items())))
    assert dicts[0] == dicts[1]


def test_common_types():
    import torch.nn.common_types as tc
    import ember.nn.common_types as ec
    names = [n for n in dir(tc) if n.startswith('_') and n.endswith('_t')]
    assert names and all(hasattr(ec, n) for n in names)
    assert str(ec._size_2_t) == str(tc._size_2_t)
    assert str(ec._ratio_any_t) == str(tc._ratio_any_t)


def test_small_module_paths():
    import torch.functional as tf
    import ember.functional as ef
    assert sorted(ef.__all__) == sorted(tf.__all__)
    assert all(getattr(ef, n) is getattr(ember, n) for n in ef.__all__)
    from ember.utils.model_zoo import load_url
    assert load_url is ember.hub.load_state_dict_from_url
    from ember.autograd.anomaly_mode import detect_anomaly, set_detect_anomaly
    assert detect_anomaly is ember.autograd.detect_anomaly and set_detect_anomaly is ember.autograd.set_detect_anomaly
    import torch.profiler.profiler as tp
    import ember.profiler.profiler as ep
    assert set(tp.__all__) - set(ep.__all__) == {'ExecutionTraceObserver'}
    assert ep.profile is ember.profiler.profile
    for m in ('memory', 'random', 'nvtx', 'graphs'):
        tm = importlib.import_module('torch.cuda.' + m)
        em = getattr(ember.cuda, m)
        if m in ('random', 'nvtx', 'graphs'):
            assert set(em.__all__) == set(tm.__all__), m
        assert all(hasattr(em, n) for n in em.__all__)


# ------------------------------------------------------------------ torch.cuda without a GPU

def _outcome(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        try:
            r = fn()
            out = ('ok', r if isinstance(r, (int, float, str, list, tuple, dict, type(None))) else type(r).__name__)
        except Exception as e:
            out = (type(e).__name__, str(e).split('\n')[0].replace('torch.', 'ember.'))
    return out, [(x.category.__name__, str(x.message)) for x in w]


_CUDA_CALLS = {
    'memory_summary': lambda c, T: c.memory_summary(),
    'mem_get_info': lambda c, T: c.mem_get_info(),
    'init': lambda c, T: c.init(),
    'memory_cached': lambda c, T: c.memory_cached(),
    'max_memory_cached': lambda c, T: c.max_memory_cached(),
    'set_per_process_memory_fraction': lambda c, T: c.set_per_process_memory_fraction(0.5),
    'ipc_collect': lambda c, T: c.ipc_collect(),
    'get_arch_list': lambda c, T: c.get_arch_list(),
    'set_stream': lambda c, T: c.set_stream(None),
    'list_gpu_processes': lambda c, T: c.list_gpu_processes(),
    'utilization': lambda c, T: c.utilization(),
    'default_generators': lambda c, T: c.default_generators,
    'host_memory_stats': lambda c, T: c.host_memory_stats(),
    'memory_stats_as_nested_dict': lambda c, T: c.memory_stats_as_nested_dict(),
    'device_of': lambda c, T: c.device_of(T.ones(2)).__enter__() and None,
    'nvtx.range_push': lambda c, T: c.nvtx.range_push('a'),
    'nvtx.range_pop': lambda c, T: c.nvtx.range_pop(),
    'nvtx.mark': lambda c, T: c.nvtx.mark('a'),
    'nvtx.range': lambda c, T: c.nvtx.range('a').__enter__(),
    'CUDAGraph': lambda c, T: c.CUDAGraph(),
    'graph': lambda c, T: c.graph(None),
    'make_graphed_callables': lambda c, T: c.make_graphed_callables(T.nn.Linear(2, 2), (T.ones(2, 2),)),
    'is_current_stream_capturing': lambda c, T: c.is_current_stream_capturing(),
    'graph_pool_handle': lambda c, T: c.graphs.graph_pool_handle(),
    'random.manual_seed': lambda c, T: c.random.manual_seed(1),
}


@pytest.mark.skipif(ember.cuda.is_available(), reason='CPU-only behaviour')
@pytest.mark.parametrize('name', list(_CUDA_CALLS))
def test_cuda_cpu_only_matches_torch(name):
    fn = _CUDA_CALLS[name]
    assert _outcome(lambda: fn(ember.cuda, ember)) == _outcome(lambda: fn(torch.cuda, torch))


def test_cuda_reset_max_warns():
    # PyTorch's CPU build then fails on a missing C++ binding (AttributeError); ember's reset is a no-op
    e = _outcome(lambda: ember.cuda.reset_max_memory_allocated())
    t = _outcome(lambda: torch.cuda.reset_max_memory_allocated())
    assert e[1] == t[1] and e[0] == ('ok', None)


@pytest.mark.skipif(not ember.cuda.is_available(), reason='needs CUDA (or EMBER_FAKE_CUDA=1)')
def test_cuda_helpers_with_device():
    c = ember.cuda
    assert c.is_current_stream_capturing() is False
    for make in (c.CUDAGraph, lambda: c.graph(None), c.graphs.graph_pool_handle):
        with pytest.raises(RuntimeError, match='ember does not capture CUDA graphs'):
            make()
    assert c.get_arch_list() == ['sm_%d%d' % c.get_device_capability()]
    assert len(c.default_generators) == c.device_count()
    assert 'PyTorch CUDA memory summary, device ID 0' in c.memory_summary()
    with c.device_of(ember.ones(2, device='cuda')):
        assert c.current_device() == 0
    s = c.Stream()
    c.set_stream(s)
    assert c.current_stream() == s
    c.set_stream(c.default_stream())


# ------------------------------------------------------------------ PRINT_OPTS

def test_print_opts():
    from torch._tensor_str import PRINT_OPTS as tp
    from ember._tensor_str import PRINT_OPTS as ep
    names = ('precision', 'threshold', 'edgeitems', 'linewidth', 'sci_mode')
    assert {n: getattr(ep, n) for n in names} == {n: getattr(tp, n) for n in names}
    try:
        for lib in (torch, ember):
            lib.set_printoptions(precision=2, sci_mode=True)
        assert {n: getattr(ep, n) for n in names} == {n: getattr(tp, n) for n in names}
        tp.precision = ep.precision = 6
        tp.sci_mode = ep.sci_mode = None
        assert repr(ember.tensor([1.123456789])) == repr(torch.tensor([1.123456789]))
    finally:
        for lib in (torch, ember):
            lib.set_printoptions(profile='default')
    assert ep.precision == 4


# ------------------------------------------------------------------ sparse methods on dense tensors

@pytest.mark.parametrize('method', ['values', 'indices', 'coalesce', 'is_coalesced', 'crow_indices', 'col_indices',
                                    'ccol_indices', 'row_indices'])
def test_dense_sparse_accessors_raise(method):
    check_error(lambda x: getattr(x, method)(), [(2, 3)])


@pytest.mark.parametrize('method', ['_values', '_indices', '_nnz'])
def test_dense_private_sparse_accessors_raise(method):
    err = check_error(lambda x: getattr(x, method)(), [(2, 3)], message=False)
    assert str(err).startswith(f"Could not run 'aten::{method}' with arguments from the 'CPU' backend.")


def test_dense_sparse_dims():
    for shape in ((), (4,), (2, 3, 4)):
        for lib in (torch, ember):
            t = lib.ones(shape)
            assert (t.sparse_dim(), t.dense_dim()) == (0, len(shape))
    for n in ('values', 'indices', 'coalesce', 'is_coalesced', 'sparse_dim', 'dense_dim', 'sparse_mask',
              'resize', 'resize_as'):
        assert hasattr(ember.Tensor, n)
    m = ember.tensor([[1., 0, 2], [0, 3, 0]]).to_sparse()      # sparse tensors keep their own
    assert m.values().tolist() == [1., 2., 3.] and m.sparse_dim() == 2 and m._nnz() == 3


def test_sparse_mask():
    data = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    res = {}
    for lib in (torch, ember):
        m = lib.sparse_coo_tensor([[1, 0, 1], [1, 2, 1]], [1., 2, 3], (2, 3))
        x = lib.tensor(data, requires_grad=True)
        r = x.sparse_mask(m)
        r.to_dense().pow(2).sum().backward()
        res[lib] = (r._indices().tolist(), r._values().tolist(), r.is_coalesced(), r.grad_fn.name(), x.grad.tolist(),
                    x.int().sparse_mask(m.coalesce()).dtype, x.sparse_mask(m.coalesce()).is_coalesced())
    assert res[ember][:5] == res[torch][:5]
    assert str(res[ember][5]).replace('ember', 'torch') == str(res[torch][5]) and res[ember][6] == res[torch][6]
    check_error(lambda T, x: x.sparse_mask(T.ones(3, 3).to_sparse()), [(2, 3)])
    err = check_error(lambda T, x: x.sparse_mask(T.ones(2, 3)), [(2, 3)], message=False)
    assert str(err).startswith("Could not run 'aten::sparse_mask' with arguments from the 'CPU' backend.")


def _warned(fn):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = fn()
    return out, [(x.category, str(x.message)) for x in w]


@pytest.mark.parametrize('fn', [lambda x: x.resize(3, 2), lambda x: x.resize(6), lambda x: x.t().resize(1, 6),
                                lambda T, x: x.resize_as(T.ones(3, 1, 2))], ids=['resize', 'flat', 't', 'as'])
def test_resize_out_of_place(fn):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        # layout=False: torch's result is a view of a hidden alias of the input (``tensor.new(tensor)``);
        # ember's shares the input's memory without being a view. Strides are compared below.
        check(fn, [(2, 3)], layout=False)
        args = [torch] if fn.__code__.co_argcount == 2 else []
        t_out, e_out = fn(*args, torch.ones(2, 3)), fn(*([ember] if args else []), ember.ones(2, 3))
        assert e_out.stride() == t_out.stride()
    t = _warned(lambda: fn(*([torch] if fn.__code__.co_argcount == 2 else []), torch.ones(2, 3)))[1]
    e = _warned(lambda: fn(*([ember] if fn.__code__.co_argcount == 2 else []), ember.ones(2, 3)))[1]
    assert e == t and t


def test_resize_shares_memory_and_errors():
    for lib in (torch, ember):
        z = lib.arange(6.).reshape(2, 3)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            r = z.resize(3, 2)
        r[0, 0] = 100
        assert z[0, 0].item() == 100
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for f in (lambda x: x.resize(7), lambda x: x.resize(3, 3), lambda x: x.resize((3, 2)),
                  lambda T, x: x.resize(T.Size([3, 2])), lambda x: x.resize([3, 2])):
            check_error(f, [(2, 3)])


# ------------------------------------------------------------------ storages

def test_legacy_storage_classes():
    names = ['FloatStorage', 'DoubleStorage', 'LongStorage', 'IntStorage', 'ShortStorage', 'CharStorage',
             'ByteStorage', 'BoolStorage', 'HalfStorage', 'BFloat16Storage', 'ComplexFloatStorage',
             'ComplexDoubleStorage']
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        for n in names:
            tc, ec = getattr(torch, n), getattr(ember, n)
            assert str(ec.dtype).replace('ember', 'torch') == str(tc.dtype)
            for args in ((), (3,), ([1, 0, 1],)):
                ts, es = tc(*args), ec(*args)
                assert type(es) is ember.TypedStorage and len(es) == len(ts)
                assert str(es.dtype) == str(ec.dtype)
                if args and isinstance(args[0], list):
                    assert es.tolist() == ts.tolist()
                assert isinstance(es, ec) and (n == 'FloatStorage') == isinstance(es, ember.FloatStorage)
            assert repr(ec([1, 2])).replace('ember', 'torch') == repr(tc([1, 2]))
        x = ember.ones(2)
        assert isinstance(x.storage(), ember.FloatStorage) and not isinstance(x.storage(), ember.DoubleStorage)
        assert isinstance(x.double().storage(), ember.DoubleStorage)
        assert ember.Storage is ember.FloatStorage and torch.Storage is torch.FloatStorage
        for lib in (torch, ember):
            assert [lib.is_storage(o) for o in (x.storage(), lib.ones(2).untyped_storage(), lib.ones(2), [1])] == \
                [True, True, False, False] or lib is torch
        for args, kind in ((('a',), TypeError), ((2, 3), RuntimeError)):
            for lib in (torch, ember):
                with pytest.raises(kind) as info:
                    lib.FloatStorage(*args)
            assert str(info.value).split('\n')[0].startswith(("new(): invalid data type 'str'", "<class 'ember.Float"))


def test_nn_utils_is_not_shadowed_by_nn_modules_utils():
    # a fresh interpreter: nn.utils must be the package even before anything imports it by name
    code = ('import ember; import ember.nn.modules.utils as mu; '
            'assert ember.nn.utils.__name__ == "ember.nn.utils", ember.nn.utils; '
            'assert callable(ember.nn.utils.clip_grad_norm_) and callable(mu._pair)')
    subprocess.run([sys.executable, '-c', code], check=True)
