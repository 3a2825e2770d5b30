"""float16/bfloat16 linspace as PyTorch computes it: the ends, the step (divided by steps - 1 in the
dtype) and every point (start + step * i from the front half, end - step * (steps - 1 - i) from the
back, the index itself in the dtype) rounded to the dtype at each operation."""
import numpy as np
import pytest
import torch

import ember


@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
def test_low_precision_linspace_bit_exact(dtype):
    rng = np.random.default_rng(5)
    cases = [(-1, 1, 4), (0, 1, 10), (2, -5, 9), (3, 3, 1), (0, 1, 0), (5, -5, 2), (-1, 1, 5000)]
    cases += [(float(a), float(b), int(n)) for a, b, n in zip(rng.uniform(-60, 60, 40), rng.uniform(-60, 60, 40),
                                                             rng.integers(2, 4000, 40))]
    for a, b, n in cases:
        t = torch.linspace(a, b, n, dtype=getattr(torch, dtype))
        e = ember.linspace(a, b, n, dtype=getattr(ember, dtype))
        np.testing.assert_array_equal(e.float().numpy(), t.float().numpy(), err_msg=str((a, b, n)))


def test_printed_like_torch():
    assert str(ember.linspace(-1, 1, 4, dtype=ember.half)) == \
        str(torch.linspace(-1, 1, 4, dtype=torch.half)).replace('torch', 'ember')
