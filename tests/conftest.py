import warnings

import numpy as np
import pytest

import ember


@pytest.fixture(autouse=True)
def _restore_defaults():
    """Each test starts from PyTorch's defaults: float32 default dtype, grad mode on."""
    yield
    ember.set_default_dtype(ember.float32)
    ember.autograd.grad_mode._set_enabled(True)
    ember.set_printoptions(profile='default')


def pytest_configure(config):
    warnings.filterwarnings('ignore', category=DeprecationWarning, module='torch')
    np.seterr(all='ignore')
