"""ember.save / ember.load of sparse COO tensors (ember's own format), and sparse COO tensors in
PyTorch .pt files, against torch's own save/load round trip."""
import io
import warnings

import pytest
import torch

import ember
from compare import assert_script_same

warnings.filterwarnings('ignore', 'Sparse invariant')

PRE = """
import io, warnings; warnings.filterwarnings('ignore')
i = T.tensor([[0, 1, 1], [2, 0, 2]]); v = T.tensor([3., 4., 5.])
s = T.sparse_coo_tensor(i, v, (2, 3))
def show(r):
    print(type(r).__name__, r.layout, r.shape, r.dtype, r.is_coalesced(), r.requires_grad, r.sparse_dim(),
          r.dense_dim(), r._indices().tolist(), r._values().tolist(), r.to_dense().tolist())
def trip(obj, **kw):
    b = io.BytesIO(); T.save(obj, b); b.seek(0); return T.load(b, **kw)
"""

SCRIPTS = {
    'round-trip': """
show(trip(s)); show(trip(s.coalesce())); show(trip(s.double())); show(trip(s.to(T.int64)))
show(trip(T.sparse_coo_tensor(i, v, (2, 3), requires_grad=True)))
show(trip(T.sparse_coo_tensor(i[:1], T.ones(3, 2), (2, 2))))
show(trip(T.sparse_coo_tensor(T.zeros(2, 0, dtype=T.long), T.zeros(0), (2, 3))))
d = trip({'w': s, 'dense': T.ones(2), 'list': [s.t(), 3]}, weights_only=True)
print(sorted(d)); show(d['w']); show(d['list'][0]); print(d['dense'].tolist(), d['list'][1])
show(trip(s, map_location='cpu')); r = trip(s); print(r._indices().dtype, (r + s).to_dense().tolist())
""",
}


@pytest.mark.parametrize('name', sorted(SCRIPTS))
def test_sparse_save_load_matches_torch(name):
    assert_script_same(PRE + SCRIPTS[name])


def _torch_file(obj):
    b = io.BytesIO()
    torch.save(obj, b)
    b.seek(0)
    return b


def test_load_torch_file_with_sparse():
    i = torch.tensor([[0, 1, 1], [2, 0, 2]])
    s = torch.sparse_coo_tensor(i, torch.tensor([3., 4., 5.]), (2, 3))
    h = torch.sparse_coo_tensor(i[:1], torch.arange(6.).reshape(3, 2).double(), (2, 2))
    saved = {'s': s, 'c': s.coalesce(), 'h': h, 'dense': torch.ones(2), 'shared': [s, s]}
    for weights_only in (True, False):
        got = ember.load(_torch_file(saved), weights_only=weights_only)
        want = torch.load(_torch_file(saved), weights_only=weights_only)
        assert sorted(got) == sorted(want)
        for k in ('s', 'c', 'h'):
            g, w = got[k], want[k]
            assert g.is_sparse and g.layout == ember.sparse_coo
            assert g.is_coalesced() == w.is_coalesced() and tuple(g.shape) == tuple(w.shape)
            assert str(g.dtype)[6:] == str(w.dtype)[6:]
            assert g._indices().tolist() == w._indices().tolist()
            assert g._values().tolist() == w._values().tolist()
            assert g.to_dense().tolist() == w.to_dense().tolist()
        assert got['shared'][0].to_dense().tolist() == s.to_dense().tolist()


def test_torch_file_other_sparse_layout_is_refused():
    csr = torch.tensor([[0., 1.], [2., 0.]]).to_sparse_csr()
    with pytest.raises(ember.serialization.UnpicklingError, match='_rebuild_sparse_tensor'):
        ember.load(_torch_file({'m': csr}))


def test_save_sparse_file_round_trip(tmp_path):
    s = ember.sparse_coo_tensor([[0, 2], [1, 0]], [1.5, -2.], (3, 2))
    ember.save({'s': s}, tmp_path / 'x.pt')
    r = ember.load(tmp_path / 'x.pt')['s']
    assert r.is_sparse and r.to_dense().tolist() == s.to_dense().tolist() and r.shape == s.shape
