"""``ember.sparse.check_sparse_tensor_invariants`` and PyTorch 2.13's once-per-process warning
when a sparse constructor relies on the implicit (off) invariant-check default."""
import warnings

import pytest

import ember
from ember.sparse import _invariants


@pytest.fixture
def fresh(monkeypatch):
    """A process that has neither chosen the default nor been warned yet."""
    monkeypatch.setattr(_invariants, '_state', {'on': False, 'chosen': False, 'warned': False})


def _make(T, **kw):
    return T.sparse_coo_tensor(T.tensor([[0, 1], [1, 0]]), T.ones(2), (2, 2), **kw)


def test_implicit_default_warns_once(fresh):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        _make(ember)
        _make(ember)
        ember.sparse_coo_tensor(size=(2, 2))
    msgs = [str(w.message) for w in rec]
    assert len(msgs) == 1 and msgs[0].startswith('Sparse invariant checks are implicitly disabled.')
    assert rec[0].filename == __file__


@pytest.mark.parametrize('how', ['arg-true', 'arg-false', 'disable', 'enable'])
def test_explicit_choice_does_not_warn(fresh, how):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        if how.startswith('arg'):
            _make(ember, check_invariants=how == 'arg-true')
        else:
            getattr(ember.sparse.check_sparse_tensor_invariants, how)()
            _make(ember)


def test_context_manager_checks_and_restores(fresh):
    C = ember.sparse.check_sparse_tensor_invariants
    assert C.is_enabled() is False
    with C():
        assert C.is_enabled() is True
        with pytest.raises(RuntimeError, match='size is inconsistent with indices: for dim 0, size is 1'):
            ember.sparse_coo_tensor(ember.tensor([[0, 1], [1, 0]]), ember.ones(2), (1, 1))
    assert C.is_enabled() is False
    c = C(False)
    with c:
        with pytest.raises(RuntimeError, match='already activated'):
            with c:
                pass

    @C()
    def f():
        return C.is_enabled()
    assert f() is True and C.is_enabled() is False
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        _make(ember)                      # chosen by the context manager: no warning


def test_internal_constructors_do_not_warn(fresh):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ember.sparse.spdiags(ember.ones(2, 3), ember.tensor([0, 1]), (3, 3))
        ember.ones(2, 2).to_sparse()
