import os
import sys
import warnings

import numpy as np
import pytest

# EMBER_TEST_DEVICE=cuda runs the suites with CUDA as the default device. Without a GPU,
# EMBER_FAKE_CUDA=1 puts a strict CuPy stand-in (tests/fakecuda) in front of the real one.
DEVICE = os.environ.get('EMBER_TEST_DEVICE', 'cpu')
if os.environ.get('EMBER_FAKE_CUDA') == '1':
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), 'fakecuda'))

import ember  # noqa: E402


@pytest.fixture(autouse=True)
def _restore_defaults():
    """Each test starts from PyTorch's defaults: float32 default dtype, grad mode on; and from one
    seed (the default generator is seeded non-deterministically at import, as PyTorch's), so a test
    draws the same numbers whatever ran before it on its worker."""
    if DEVICE != 'cpu':
        ember.set_default_device(DEVICE)
    ember.manual_seed(0)
    yield
    ember.set_default_device(None)
    ember.set_default_dtype(ember.float32)
    ember.autograd.grad_mode._set_enabled(True)
    ember.set_printoptions(profile='default')


# the suites the CUDA pass runs: every op, layer, autograd and optimizer test, plus the device tests
CUDA_SUITES = ('test_cuda*.py', 'test_ops_*.py', 'test_nn_*.py', 'test_autograd*.py', 'test_optim.py', 'test_creation.py', 'test_tensor_basics.py', 'test_dtype_promotion.py', 'test_errors.py', 'test_function.py', 'test_amp.py', 'test_lr_scheduler.py', 'test_nan_edge.py',
               'test_linalg*.py', 'test_ctc.py', 'test_householder.py', 'test_distributions*.py', 'test_optim_more.py',
               'test_survey_*.py', 'test_survey2_autograd.py', 'test_random_more.py', 'test_serialization.py')
# (test_vision_models.py stays CPU-only in CI: ~30 s on the stand-in for layers test_nn_* already runs there)


def pytest_collection_modifyitems(config, items):
    if DEVICE == 'cpu':
        return
    import fnmatch
    suites = CUDA_SUITES if os.environ.get('EMBER_CUDA_SUITES') != 'all' else ('*',)   # 'all': every file
    keep, drop = [], []
    for item in items:
        name = os.path.basename(str(item.fspath))
        (keep if any(fnmatch.fnmatch(name, p) for p in suites) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep
    skip = pytest.mark.skip(reason=f'CPU-only comparison (EMBER_TEST_DEVICE={DEVICE})')
    for item in items:
        if item.get_closest_marker('cpu_only'):
            item.add_marker(skip)


def pytest_configure(config):
    if DEVICE == 'cuda' and not ember.cuda.is_available():
        pytest.exit('EMBER_TEST_DEVICE=cuda, but CUDA is unavailable here: '
                    f'{ember._backend.cuda_unavailable_reason()} (EMBER_FAKE_CUDA=1 tests against the '
                    'CuPy stand-in in tests/fakecuda)', returncode=4)
    warnings.filterwarnings('ignore', category=DeprecationWarning, module='torch')
    np.seterr(all='ignore')
