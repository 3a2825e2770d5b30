"""Storages (x.storage(), x.untyped_storage()) and the Tensor methods on them (set_, resize_as_,
share_memory_, is_shared), compared with PyTorch: printing, sizes, shared data pointers between a
tensor and its views, writes through a storage, and the errors."""
import warnings

import pytest
import torch

import ember


def outcome(fn):
    try:
        r = fn()
    except Exception as e:                              # noqa: BLE001 - the type is compared
        return type(e).__name__, str(e)
    if isinstance(r, (ember.Tensor, torch.Tensor)):
        return 'tensor', r.tolist(), str(r.dtype).split('.')[-1], tuple(r.shape), r.stride(), r.storage_offset()
    if isinstance(r, tuple):
        r = tuple(v.replace('torch', 'ember') if isinstance(v, str) else v for v in r)
    return 'ok', str(r).replace('torch', 'ember') if not isinstance(r, (bool, int, float, list, tuple)) else r


def x_of(T):
    return T.arange(6.).reshape(2, 3)


CASES = {
    'typed-repr': lambda T: repr(x_of(T).storage()),
    'typed-int-repr': lambda T: repr(T.tensor([1, 2], dtype=T.int32).storage()),
    'typed-bool-repr': lambda T: repr(T.tensor([True]).storage()),
    'typed-empty-repr': lambda T: repr(T.tensor([]).storage()),
    'untyped-repr': lambda T: repr(T.tensor([1, 2], dtype=T.int16).untyped_storage()),
    'typed-facts': lambda T: (lambda s: (len(s), s.size(), str(s.dtype), str(s.device), s.element_size(),
                                         s.nbytes(), s.type(), s.is_pinned()))(x_of(T).storage()),
    'untyped-facts': lambda T: (lambda u: (len(u), u.size(), u.nbytes(), u.element_size(), str(u.device),
                                           u[4], u.tolist()[:8]))(x_of(T).untyped_storage()),
    'view-shares-storage': lambda T: (lambda x: (x[1].storage().data_ptr() == x.storage().data_ptr(),
                                                 x[1].untyped_storage().data_ptr() == x.untyped_storage().data_ptr(),
                                                 x.t().untyped_storage().data_ptr() == x.untyped_storage().data_ptr(),
                                                 x[1].data_ptr() == x.data_ptr(), x[1].storage_offset()))(x_of(T)),
    'copy-has-its-own': lambda T: (lambda x: x.t().contiguous().untyped_storage().data_ptr()
                                   == x.untyped_storage().data_ptr())(x_of(T)),
    'storage-data-ptr-is-x': lambda T: (lambda x: x.untyped_storage().data_ptr() == x.data_ptr())(x_of(T)),
    'write-through': lambda T: (lambda x, s: (s.__setitem__(0, 10.), s.__setitem__(-1, 7.), x)[2])(
        *(lambda x: (x, x.storage()))(x_of(T))),
    'read': lambda T: (lambda s: (s.tolist(), s[1], s[-1], list(s)))(x_of(T).storage()),
    'typed-slice': lambda T: x_of(T).storage()[1:3],
    'typed-out-of-range': lambda T: x_of(T).storage()[6],
    'untyped-slice': lambda T: x_of(T).untyped_storage()[4:8].tolist(),
    'untyped-bits': lambda T: T.tensor([1.0]).untyped_storage().tolist(),
    'shared': lambda T: (lambda x: (x.is_shared(), x.share_memory_() is x, x.is_shared(), x[0].is_shared(),
                                    x.storage().is_shared(), T.ones(2).is_shared()))(x_of(T)),
    'set-tensor': lambda T: T.empty(0).set_(x_of(T)),
    'set-typed-geometry': lambda T: T.empty(0).set_(x_of(T).storage(), 1, (2,), (1,)),
    'set-untyped-geometry': lambda T: T.empty(0).set_(x_of(T).untyped_storage(), 2, (2, 2), (1, 2)),
    'set-whole-storage': lambda T: T.empty(0).set_(x_of(T).storage()),
    'set-tensor-geometry': lambda T: T.empty(0).set_(x_of(T), 3, (3,), (1,)),
    'set-empty': lambda T: x_of(T).set_(),
    'set-leaf-requires-grad': lambda T: T.ones(2, requires_grad=True).set_(x_of(T)),
    'set-other-dtype': lambda T: T.ones(2, dtype=T.int64).set_(x_of(T)),
    'resize_as_': lambda T: x_of(T).new_empty(0).resize_as_(x_of(T)).shape,
}


@pytest.mark.parametrize('name', sorted(CASES))
def test_storage_as_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert outcome(lambda: CASES[name](ember)) == outcome(lambda: CASES[name](torch))


def test_set_shares_memory_with_the_source():
    for T in (ember, torch):
        x = x_of(T)
        e = T.empty(0).set_(x.storage(), 1, (2,), (1,))
        e[0] = 50.
        assert x[0, 1].item() == 50. and e.data_ptr() == x.data_ptr() + 4


def test_typed_storage_warns_once_as_torch():
    import ember.ops.storage as st
    st._warned[0] = False
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter('always')
        ember.ones(2).storage()
        ember.ones(2).storage()
    assert len(got) == 1 and got[0].category is UserWarning
    assert str(got[0].message).startswith('TypedStorage is deprecated. It will be removed in the future')
