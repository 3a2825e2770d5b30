"""The rule every fused CUDA kernel set follows (``_backend/fused.py``): used only when real CuPy
built it and it passed its self-check; otherwise None and one warning, so the generic path runs."""
import sys
import types

import numpy as np
import pytest

from ember._backend import fused


def _cupy(fake=False):
    return types.SimpleNamespace(_FAKE=fake, ElementwiseKernel=object)


def test_kernels_that_pass_their_check_are_used(monkeypatch):
    monkeypatch.setitem(sys.modules, 'cupy', _cupy())
    seen = []
    k = fused.build('demo', 'float32', lambda cp, dt: ('kernels', dt), lambda k, cp, dt: seen.append(k))
    assert k == ('kernels', np.dtype('float32')) and seen == [k]


@pytest.mark.parametrize('stage', ['make', 'check'])
def test_a_failed_build_or_check_gives_none_and_a_warning(monkeypatch, stage):
    monkeypatch.setitem(sys.modules, 'cupy', _cupy())

    def fail(*a):
        raise ArithmeticError('self-check of y failed')
    make = fail if stage == 'make' else (lambda cp, dt: 'k')
    check = fail if stage == 'check' else (lambda *a: None)
    with pytest.warns(RuntimeWarning, match='fused CUDA demo kernels unavailable for float64 .*self-check of y'):
        assert fused.build('demo', np.float64, make, check) is None


def test_the_stand_in_is_never_asked(monkeypatch):
    monkeypatch.setitem(sys.modules, 'cupy', _cupy(fake=True))
    assert fused.build('demo', 'float32', lambda *a: pytest.fail('built'), lambda *a: None) is None


def test_accumulation_type():
    assert (fused.acc('float64'), fused.acc('float32'), fused.acc('float16')) == ('double', 'float', 'float')
