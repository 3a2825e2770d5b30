"""pytorch/examples gcn: torch.spmm / torch.sparse.mm with dense operands, and the IndexError of a
sparse product given a 0-D or 1-D dense operand (differential vs torch)."""
import pytest

from helpers import check, check_error


def test_spmm_two_dense_is_mm():
    check(lambda T, a, b: T.spmm(a, b), [(3, 4), (4, 2)], gradcheck=False)


def test_spmm_dense_sparse():
    check(lambda T, a: T.spmm(a, T.eye(4).to_sparse()), [(3, 4)], gradcheck=False)


def test_sparse_mm_dense_is_transposed_product():
    # PyTorch computes addmm of the transposes and transposes back: TransposeBackward0, not contiguous
    check(lambda T, a, b: T.sparse.mm(a, b), [(3, 4), (4, 2)], gradcheck=False)
    check(lambda T, a: T.sparse.mm(a, T.eye(4).to_sparse()), [(3, 4)], gradcheck=False)


@pytest.mark.parametrize('fn', [
    lambda T, a, b: T.spmm(a, b[:, 0]),
    lambda T, a, b: T.spmm(a, b.double()),
    lambda T, a, b: T.spmm(T.eye(4).to_sparse(), b[:, 0]),
    lambda T, a, b: T.mm(T.eye(4).to_sparse(), b[0, 0]),
    lambda T, a, b: T.sparse.mm(T.eye(4).to_sparse(), b[:, 0]),
    lambda T, a, b: T.sparse.addmm(T.zeros(4), T.eye(4).to_sparse(), b[:, 0]),
    lambda T, a, b: T.mm(a[0], T.eye(4).to_sparse()),
    lambda T, a, b: T.sparse.mm(a[0], T.eye(4).to_sparse()),
    lambda T, a, b: T.sparse.mm(a[0, 0], T.eye(4).to_sparse()),
    lambda T, a, b: T.mm(T.eye(4).to_sparse(), T.zeros(4, 2, 1)),
])
def test_sparse_product_errors(fn):
    check_error(fn, [(3, 4), (4, 2)])


def test_mse_loss_overflow_is_silent_as_torch():
    """An overflowing sum inside mse_loss gives inf without a NumPy warning (torch warns nothing)."""
    import subprocess
    import sys
    import os
    code = ('import ember, ember.nn.functional as F\n'
            'print(F.mse_loss(ember.tensor([1.5e19, 1.5e19]), ember.tensor([0., 0.])).item())\n')
    src = os.path.join(os.path.dirname(__file__), '..', 'src')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         env=dict(os.environ, PYTHONPATH=src))
    assert out.stdout.strip() == 'inf' and 'Warning' not in out.stderr, out.stderr
