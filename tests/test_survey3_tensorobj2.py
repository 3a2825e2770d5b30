"""Survey 3, the Tensor object (part 2): user subclasses of Tensor, copy/deepcopy/pickle, storages.
Each case runs on torch and on ember (see test_survey3_tensorobj.py for the harness)."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import ember
from test_survey3_tensorobj import outcome, same


def _types(v):
    if isinstance(v, (list, tuple)):
        return [_types(x) for x in v]
    return type(v).__name__


def _classes(T):
    class MyT(T.Tensor):
        pass

    class MyT2(MyT):
        pass

    class Other(T.Tensor):
        pass
    return MyT, MyT2, Other


def _ops_on_subclass(T):
    MyT, _, _ = _classes(T)
    m = MyT([1., 2.])
    F = T.nn.functional
    return _types([m + 1, m[0], m.sum(), m.view(2), m.clone(), m.detach(), m.to(T.float64), m.data,
                   m.unbind(), m.split(1), T.cat([m, T.ones(2)]), T.stack([T.ones(2), m]), list(m), m.max(),
                   m.max(0), F.relu(m), m @ m, T.add(1, m), m > 1, m.argmax(), m.float(), m.chunk(2),
                   m.expand(2, 2), T.where(m > 1, m, 0.), m.shape, m.tolist()])


def _mixed(T):
    MyT, MyT2, _ = _classes(T)
    return _types([T.ones(2) + MyT([1.]), MyT2([1.]) + MyT([1.]), MyT([1.]) + MyT2([1.])])


def _repr(T):
    MyT, _, _ = _classes(T)
    m = MyT([1., 2.]).requires_grad_()
    return [repr(MyT([1., 2.])), repr(MyT([[1, 2]])), MyT(2).shape, repr(MyT()), repr(m.sum()).split(',')[0]]


def _parameter_stays_plain(T):
    p = T.nn.Parameter(T.ones(2))
    return _types([p + 1, p.data, p.detach(), p[0]]) + [repr(p).split('\n')[1][:7]]


def _constructors(T):
    class S(T.Tensor):
        def __new__(cls, data, extra=None):
            return data.as_subclass(cls)

    class S2(T.Tensor):
        def __new__(cls, data):
            return super().__new__(cls, data)

    class S3(T.Tensor):
        def __init__(self, *a, **k):
            self.info = 1
    made = T.Tensor._make_subclass(S, T.ones(2), True)
    return (_types([S(T.ones(2), 5), S2([1., 2.]), T.Tensor.__new__(T.Tensor, [1., 2.]), S3([1.]), made]),
            made.requires_grad, S3([1.]).info, repr(S2([1., 2.])), T.Tensor.__init__ is object.__init__)


def _subclass_grad(T):
    MyT, _, _ = _classes(T)
    m = MyT([1., 2.]).requires_grad_()
    (m * m).sum().backward()
    return type(m.grad).__name__, m.grad.tolist()


SUBCLASS = {'ops': _ops_on_subclass, 'mixed': _mixed, 'repr': _repr, 'parameter': _parameter_stays_plain,
            'constructors': _constructors, 'grad': _subclass_grad}


@pytest.mark.parametrize('name', list(SUBCLASS))
def test_subclass(name):
    same(SUBCLASS[name])


def test_unrelated_subclasses_refuse():
    MyT, _, Other = _classes(ember)
    with pytest.raises(TypeError):
        ember.add(MyT([1.]), Other([1.]))


def test_disabled_torch_function_stays_plain():
    from ember._tensor import _disabled_torch_function_impl

    class Quiet(ember.Tensor):
        __torch_function__ = _disabled_torch_function_impl
    q = Quiet([1., 2.])
    assert type(q + 1) is ember.Tensor and repr(q) == 'Quiet([1., 2.])'


def _pickled(v):
    return pickle.loads(pickle.dumps(v))


COPIES = {
    'deepcopy-views-share': lambda T: (lambda a: (lambda d: (d['a'].fill_(5), d['b'], d['b'].storage_offset()))(
        copy.deepcopy({'a': a, 'b': a[1:]})))(T.zeros(4)),
    'deepcopy-views-share-rev': lambda T: (lambda a: (lambda d: (d['a'].fill_(5), d['b']))(
        copy.deepcopy({'b': a[1:], 'a': a})))(T.zeros(4)),
    'deepcopy-offset': lambda T: (lambda c: (c.storage_offset(), c.untyped_storage().nbytes(), c.is_leaf))(
        copy.deepcopy(T.arange(5.)[2:])),
    'deepcopy-strides': lambda T: (copy.deepcopy(T.arange(6.).reshape(2, 3).t()).stride(),
                                   copy.deepcopy(T.arange(3.)[:, None].expand(3, 2)).stride(),
                                   copy.deepcopy(T.tensor(2.)), copy.deepcopy(T.zeros(0, 2)).shape),
    'deepcopy-overlap': lambda T: (lambda b: (lambda d: (d[0].fill_(7), d[1]))(copy.deepcopy([b[:2], b[1:]])))(
        T.ones(3)),
    'deepcopy-rg-grad-attr': lambda T: (lambda r: (setattr(r, 'grad', T.ones(3)), setattr(r, 'foo', [1]),
                                                   (lambda c: (c.requires_grad, c.grad, c.foo))(copy.deepcopy(r))))(
        T.ones(3, requires_grad=True)),
    'deepcopy-nonleaf': lambda T: copy.deepcopy(T.ones(2, requires_grad=True) * 2),
    'copy-shares': lambda T: (lambda a: (copy.copy(a).add_(1), a))(T.zeros(3)),
    'copy-nonleaf': lambda T: (lambda c: (c.requires_grad, c.grad_fn, c.is_leaf))(
        copy.copy(T.ones(3, requires_grad=True) * 2)),
    'copy-geometry-attr': lambda T: (lambda t: (setattr(t, 'foo', 1), copy.copy(t).foo, copy.copy(t).stride(),
                                                copy.copy(T.arange(5.)[2:]).storage_offset()))(
        T.arange(6.).reshape(2, 3).t()),
    'pickle-geometry': lambda T: (_pickled(T.arange(6.).reshape(2, 3).t()).stride(),
                                  _pickled(T.arange(6.)[2:]).storage_offset(),
                                  _pickled(T.arange(6.)[2:]).untyped_storage().nbytes(),
                                  _pickled(T.arange(3.)[:, None].expand(3, 2)).stride(),
                                  _pickled(T.arange(6.)[::2]).stride(), _pickled(T.ones(2, 3)[:, 1:])),
    'pickle-rg': lambda T: (_pickled(T.ones(2, requires_grad=True) * 2).requires_grad,
                            _pickled(T.ones(2, requires_grad=True) * 2).is_leaf,
                            _pickled(T.ones(2, requires_grad=True)).requires_grad),
    'pickle-attr-conj': lambda T: (lambda t: (setattr(t, 'foo', 1), _pickled(t).foo,
                                              _pickled(T.tensor([1 + 2j]).conj()).is_conj(),
                                              _pickled(T.ones(2, dtype=T.bfloat16)),
                                              _pickled(T.zeros(0, 3)).shape, _pickled(T.tensor(3.))))(T.arange(3.)),
    'pickle-subclass': lambda T: _types([_pickled(_classes(T)[0]([1.])), copy.copy(_classes(T)[0]([1.]))]),
}


@pytest.mark.parametrize('name', list(COPIES))
def test_copies(name):
    same(COPIES[name])


STORAGE = {
    'untyped-new': lambda T: (T.UntypedStorage(8).nbytes(), T.UntypedStorage([1, 2, 3]).tolist(),
                              T.UntypedStorage().nbytes(), T.UntypedStorage(3, device='cpu').nbytes()),
    'untyped-float': lambda T: T.UntypedStorage(2.5),
    'clone': lambda T: (lambda s: (type(s.clone()).__name__, s.clone().nbytes(),
                                   s.clone().data_ptr() != s.data_ptr()))(T.arange(4.).untyped_storage()),
    'typed-clone': lambda T: (lambda c: (type(c).__name__, c.dtype, c.size()))(T.arange(4.).storage().clone()),
    'resize': lambda T: (lambda s: (s.resize_(32) is s, s.nbytes(), s.tolist()[:16]))(T.UntypedStorage([1] * 16)),
    'resize-typed': lambda T: (lambda s: (s.resize_(6), s.size(), s.tolist()[:2]))(T.TypedStorage([1., 2.], dtype=T.float32)),
    'resize-negative': lambda T: T.UntypedStorage(2).resize_(-1),
    'copy': lambda T: (lambda y: (type(y.untyped_storage().copy_(T.arange(4.).untyped_storage())).__name__, y))(
        T.zeros(4)),
    'copy-size': lambda T: T.zeros(2).untyped_storage().copy_(T.arange(4.).untyped_storage()),
    'copy-typed-bytes': lambda T: (lambda y: (y.storage().copy_(T.arange(4.).storage()), y))(
        T.zeros(4, dtype=T.int32))[1],
    'casts': lambda T: (lambda st: (st.float().tolist(), type(st.float()).__name__, st.double().dtype, st.long().dtype,
                                    st.bool().dtype, st.half().dtype, st.bfloat16().dtype, st.int().dtype,
                                    st.byte().dtype, st.char().dtype, st.short().dtype))(T.arange(3).storage()),
    'untyped-casts': lambda T: (T.arange(3.).untyped_storage().float().size(),
                                T.arange(3.).untyped_storage().long().tolist()[6:8]),
    'typed-new': lambda T: (T.TypedStorage(3, dtype=T.float32).size(), T.TypedStorage([1, 2], dtype=T.int64).tolist(),
                            T.TypedStorage(dtype=T.float64).size(), T.TypedStorage(3).dtype, T.TypedStorage().size(),
                            T.TypedStorage([1.5]).tolist(),
                            T.TypedStorage(wrap_storage=T.arange(2.).untyped_storage(), dtype=T.float32).tolist()),
}


@pytest.mark.parametrize('name', list(STORAGE))
def test_storage(name):
    same(STORAGE[name])


def test_tensor_values_of_storage():
    from ember.ops.storage import tensor_values
    for st, dtype in [(lambda T: T.arange(3.).storage(), None), (lambda T: T.arange(3).storage(), None),
                      (lambda T: T.arange(3.).storage(), 'int64'), (lambda T: T.arange(3).storage(), 'int64')]:
        want = outcome(lambda T: T.tensor(st(T), dtype=None if dtype is None else getattr(T, dtype)), torch)
        got = outcome(lambda T: T.tensor(tensor_values(st(T), None if dtype is None else getattr(T, dtype))), ember)
        assert got[0] == want[0]


def test_legacy_storages_still_build():
    assert ember.FloatStorage(2).tolist() == [0., 0.]
    assert ember.LongStorage([1, 2]).tolist() == [1, 2]
    assert isinstance(ember.arange(2.).storage(), ember.FloatStorage)
    assert np.asarray(ember.arange(3.)).tolist() == [0., 1., 2.]


def test_unary_plus_bool_and_tensor_of_storage():
    for T in (torch, ember):
        with pytest.raises(RuntimeError, match='The `\\+` operator, on a bool tensor is not supported.'):
            +T.tensor([True])
        assert (+T.tensor([2.])).tolist() == [2.]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        got = ember.tensor(ember.arange(3.).storage())
        want = torch.tensor(torch.arange(3.).storage())
    assert got.tolist() == want.tolist() and str(got.dtype).split('.')[1] == str(want.dtype).split('.')[1]


def test_parameter_subclass_results_are_plain_and_bf16_self_copy():
    got = []
    for T in (torch, ember):
        class MyP(T.nn.Parameter):
            pass
        p = MyP(T.ones(2))
        x = T.ones(3, dtype=T.bfloat16)
        x.copy_(x)
        x[0] = x[1]
        got.append((type(p * 2).__name__, type(p).__name__, x.float().tolist()))
    assert got[0] == got[1]


def test_failed_step_changes_no_group():
    a = ember.nn.Parameter(ember.ones(2))
    e = ember.nn.Embedding(3, 2, sparse=True)
    o = ember.optim.Adam([{'params': [a]}, {'params': e.parameters()}])
    a.grad = ember.ones(2)
    e(ember.tensor([1])).sum().backward()
    with pytest.raises(RuntimeError, match='Adam does not support sparse gradients'):
        o.step()
    assert a.tolist() == [1., 1.] and len(o.state) == 0
