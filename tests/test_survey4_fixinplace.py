"""Survey 4 (fuzz) fixes of in-place writes, compared with torch: setitem/index_put/put/copy_
backward writes zeros (no nan from inf * 0), in-place writes into int/bool tensors from grad-requiring
operands, views of a base changed in place, writes PyTorch allows into expanded tensors and the
partial-overlap error, copy_ wrapping, put_/index_copy/index_add edge cases, detach_ of views,
multi-output views after their base changed, grad_fn names, version-counter messages."""
import warnings

import pytest
import torch

import ember

INF, NAN = float('inf'), float('nan')


def _plain(r):
    if isinstance(r, (tuple, list)):
        return tuple(_plain(x) for x in r)
    if isinstance(r, float):
        return f'{r:.6g}'
    if isinstance(r, (torch.Tensor, ember.Tensor)):
        fn = r.grad_fn
        return (_plain(r.tolist()), str(r.dtype).split('.')[-1], tuple(r.shape), r.requires_grad,
                None if fn is None else fn.name().rpartition('::')[2])
    return repr(r).replace('torch', 'ember')


def _outcome(f, T):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        try:
            return _plain(f(T))
        except Exception as e:      # noqa: BLE001 — the comparison is the point
            return type(e).__name__, str(e).split('\n')[0].replace('torch', 'ember')


def _grad_after(write, mult):
    """x.grad after ``write(T, y)`` on y = x.clone() and backward of (y * mult).sum()."""
    def run(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.clone()
        write(T, y)
        (y * T.tensor(mult)).sum().backward()
        return x.grad
    return run


def _sin_grad_after(write):
    def run(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = x.clone()
        write(T, y)
        y.sin().sum().backward()
        return x.grad
    return run


def _setitem(key, value):
    def write(T, y):
        y[key(T) if callable(key) else key] = value(T) if callable(value) else value
    return write


M = [1.0, INF, NAN]
GRADS = {   # A2: the overwritten places get a zero gradient, not inf * 0 = nan
    'slice-number': _grad_after(_setitem(slice(1, None), 5.0), M),
    'slice-tensor': _grad_after(_setitem(slice(1, None), lambda T: T.tensor([5.0, 6.0])), M),
    'int-inf': _sin_grad_after(_setitem(0, INF)),
    'ellipsis-tensor': _sin_grad_after(_setitem(Ellipsis, lambda T: T.tensor([INF, 0.0, INF]))),
    'advanced': _grad_after(_setitem(lambda T: T.tensor([1, 2]), lambda T: T.tensor([5.0, 6.0])), M),
    'mask': _grad_after(_setitem(lambda T: T.tensor([False, True, True]), 2.0), M),
    'index-put': _grad_after(lambda T, y: y.index_put_((T.tensor([1]),), T.tensor(5.0)), M),
    'copy': _grad_after(lambda T, y: y.copy_(T.tensor([1.0, 2.0, 3.0])), M),
    'put': _grad_after(lambda T, y: y.put_(T.tensor([1, 2]), T.tensor([5.0, 6.0])), M),
    'bool-scalar-key': _grad_after(_setitem(lambda T: T.tensor(True), lambda T: T.tensor([7.0, 8.0, 9.0])), M),
}


def _int_write(dtype, op):
    def run(T):
        x = T.tensor([1, 2], dtype=getattr(T, dtype))
        w = T.tensor([1.5, 2.5], requires_grad=True)
        op(T, x, w)
        return x, x.requires_grad, None if x.grad_fn is None else x.grad_fn.name()
    return run


INT_WRITES = {   # A12 / B1: PyTorch records these (copy_ and a same-shape setitem excepted); no crash
    'setitem-uint8': _int_write('uint8', lambda T, x, w: x.__setitem__(0, w[0])),
    'fill': _int_write('int64', lambda T, x, w: x.fill_(w[0])),
    'copy': _int_write('int64', lambda T, x, w: x.copy_(w)),
    'lt': _int_write('int64', lambda T, x, w: x.lt_(w)),
    'eq': _int_write('int32', lambda T, x, w: x.eq_(w)),
    'masked-fill-bool': _int_write('bool', lambda T, x, w: x.masked_fill_(T.tensor([True, False]), w[0])),
    'index-fill': _int_write('int64', lambda T, x, w: x.index_fill_(0, T.tensor([1]), w[0])),
    'fill-complex': _int_write('int64', lambda T, x, w: x.fill_(T.tensor(1 + 2j, requires_grad=True))),
}


def _int_view_setitem(T):
    x = T.tensor([[1, 2], [3, 4]])
    v = x.t()
    v[0] = T.tensor(1.5, requires_grad=True)
    return x, v


def _view_after_base_mul(T):       # A11
    x = T.tensor([[1.0, 2.0], [3.0, 4.0]])
    v = x.t()
    w = T.tensor(2.0, requires_grad=True)
    x.mul_(w)
    r = (v.requires_grad, v.is_leaf)
    (v * T.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    return r, w.grad


def _int_fill_then_float(T):
    x = T.tensor([1, 2])
    x.fill_(T.tensor(1.5, requires_grad=True))
    y = x * 2.0
    return y.requires_grad, y.grad_fn.name()


MISC = {
    'int-view-setitem': _int_view_setitem,
    'view-after-base-mul': _view_after_base_mul,
    'int-fill-then-float': _int_fill_then_float,
}


@pytest.mark.parametrize('name', sorted(GRADS))
def test_overwritten_grad_is_zero(name):
    assert _outcome(GRADS[name], ember) == _outcome(GRADS[name], torch)


@pytest.mark.parametrize('name', sorted(INT_WRITES))
def test_int_target_writes(name):
    assert _outcome(INT_WRITES[name], ember) == _outcome(INT_WRITES[name], torch)


@pytest.mark.parametrize('name', sorted(MISC))
def test_views_of_written_tensors(name):
    assert _outcome(MISC[name], ember) == _outcome(MISC[name], torch)


def _expanded(op, src=(1.0, 2.0, 3.0), dtype='float32'):
    def run(T):
        x = T.tensor(list(src), dtype=getattr(T, dtype))
        op(T, x.expand(2, len(src)))
        return x
    return run


OVERLAP = {   # B4: what PyTorch lets write an expanded tensor, and what it refuses
    'fill': _expanded(lambda T, e: e.fill_(2.0)),
    'fill-tensor': _expanded(lambda T, e: e.fill_(T.tensor(2.0))),
    'zero-bool': _expanded(lambda T, e: e.zero_(), (True, False, True), 'bool'),
    'masked-fill': _expanded(lambda T, e: e.masked_fill_(T.tensor([[True, False, True], [False] * 3]), 9.0)),
    'masked-fill-none': _expanded(lambda T, e: e.masked_fill_(T.tensor([False] * 3), 1.0)),
    'tril': _expanded(lambda T, e: e.tril_(), (1, 2), 'int32'),
    'triu': _expanded(lambda T, e: e.triu_(), (1, 2), 'int32'),
    'tril-1': _expanded(lambda T, e: e.tril_(1)),
    'index-fill-row': _expanded(lambda T, e: e.index_fill_(0, T.tensor([0]), 5.0)),
    'index-fill-col': _expanded(lambda T, e: e.index_fill_(1, T.tensor([0]), T.tensor(5.0))),
    'index-put-acc': _expanded(lambda T, e: e.index_put_((T.tensor([0]),), T.tensor(1.0), accumulate=True)),
    'index-put': _expanded(lambda T, e: e.index_put_((T.tensor([0]), T.tensor([1])), T.tensor(7.0))),
    'setitem-row': _expanded(lambda T, e: e.__setitem__(0, T.tensor([4.0, 5.0, 6.0]))),
    'setitem-col': _expanded(lambda T, e: e.__setitem__((slice(None), 0), 5.0)),
    'setitem-mask': _expanded(lambda T, e: e.__setitem__(T.tensor([True, False]), 5.0)),
    'fill-diagonal': _expanded(lambda T, e: e.fill_diagonal_(3.0)),
    'copy-self': _expanded(lambda T, e: e.copy_(e)),
    'copy': _expanded(lambda T, e: e.copy_(T.ones(2, 3))),
    'mul': _expanded(lambda T, e: e.mul_(2)),
    'add-row-view': _expanded(lambda T, e: e[1].add_(1)),
    'scatter': _expanded(lambda T, e: e.scatter_(1, T.tensor([[0], [1]]), 5.0)),
    'empty-mul': lambda T: T.zeros(0, 2).expand(3, 0, 2).mul_(2),
    'empty-add': lambda T: T.zeros(0, 2).expand(3, 0, 2).add_(T.ones(2)),
}


def _on_clone(op):
    def run(T):
        x = T.tensor([[1.0, 2.0], [3.0, 4.0]]).clone()
        op(T, x)
        return x
    return run


INPUT_OVERLAP = {   # B4: an input partly overlapping the written tensor
    'mul-transposed': _on_clone(lambda T, x: x.t().mul_(x)),
    'imul-transposed': _on_clone(lambda T, x: x.t().__imul__(x)),
    'mul-self': _on_clone(lambda T, x: x.mul_(x)),
    'add-row': _on_clone(lambda T, x: x.add_(x[0])),
    'add-element': _on_clone(lambda T, x: x.add_(x[0, 0])),
    'rows': _on_clone(lambda T, x: x[0].add_(x[1])),
    'shifted': _on_clone(lambda T, x: x.view(-1)[1:].add_(x.view(-1)[:-1])),
    'masked-fill-value': _on_clone(lambda T, x: x.masked_fill_(x > 0, x[0, 0])),
    'index-add-self': _on_clone(lambda T, x: x.index_add_(0, T.tensor([0, 1]), x)),
    'index-copy-self': _on_clone(lambda T, x: x.index_copy_(0, T.tensor([1, 0]), x)),
    'scatter-add-self': _on_clone(lambda T, x: x.scatter_add_(0, T.tensor([[1, 0]]), x)),
    'put-self': _on_clone(lambda T, x: x.put_(T.tensor([0, 1, 2, 3]), x)),
    'masked-scatter-self': _on_clone(lambda T, x: x.masked_scatter_(x > 0, x)),
    'lerp': _on_clone(lambda T, x: x.lerp_(x.t(), 0.5)),
    'grad-mul-transposed': lambda T: (lambda x: x.t().mul_(x))(T.tensor([[1.0, 2.0], [3.0, 4.0]],
                                                                         requires_grad=True).clone()),
}


@pytest.mark.parametrize('name', sorted(OVERLAP))
def test_expanded_writes(name):
    assert _outcome(OVERLAP[name], ember) == _outcome(OVERLAP[name], torch)


@pytest.mark.parametrize('name', sorted(INPUT_OVERLAP))
def test_input_overlap(name):
    assert _outcome(INPUT_OVERLAP[name], ember) == _outcome(INPUT_OVERLAP[name], torch)


def test_masked_fill_expanded_warns():
    with pytest.warns(UserWarning, match='Use of masked_fill_ on expanded tensors is deprecated'):
        ember.tensor([1.0, 2.0]).expand(2, 2).masked_fill_(ember.tensor([True, False]), 0.0)


EDGES = {   # B5 / B6
    'copy-wraps': lambda T: T.tensor([2, 1, 0], dtype=T.uint8).copy_(-300),
    'copy-wraps-int8': lambda T: T.tensor([1, 2], dtype=T.int8).copy_(200),
    'fill-overflow': lambda T: T.tensor([2, 1, 0], dtype=T.uint8).fill_(-300),
    'put-0dim': lambda T: T.tensor(1.0).put_(T.tensor([0, 0]), T.tensor([0.5, 0.7])),
    'put-0dim-acc': lambda T: T.tensor(5, dtype=T.uint8).put_(T.tensor([0, 0]), T.tensor([3, 2], dtype=T.uint8),
                                                             accumulate=True),
    'put-0dim-2d-index': lambda T: T.tensor(1.0).put(T.tensor([[0]]), T.tensor([[0.5]])),
    'index-copy-empty-src': lambda T: T.zeros(3, 0).index_copy(0, T.tensor([-1]), T.zeros(1, 0)),
    'index-copy-empty-src-big': lambda T: T.zeros(3, 0).index_copy(0, T.tensor([5]), T.zeros(1, 0)),
    'index-copy-negative': lambda T: T.zeros(3, 2).index_copy(0, T.tensor([-1]), T.zeros(1, 2)),
    'index-add-empty-self': lambda T: T.zeros(0, 2).index_add_(0, T.tensor([0, 0]), T.ones(2, 2), alpha=2),
    'index-add-empty-dim1': lambda T: T.zeros(2, 0).index_add(1, T.tensor([0]), T.zeros(2, 1)),
    'index-add-1d-empty': lambda T: T.zeros(0).index_add(0, T.tensor([0, 0]), T.ones(2)),
    'index-add-1d-bad': lambda T: T.zeros(3).index_add(0, T.tensor([5]), T.ones(1)),
    'index-add-0d-bad': lambda T: T.zeros(()).index_add(0, T.tensor([1]), T.ones(())),
    'index-add-2d-bad': lambda T: T.zeros(3, 2).index_add(0, T.tensor([5]), T.ones(1, 2)),
}


@pytest.mark.parametrize('name', sorted(EDGES))
def test_edges(name):
    assert _outcome(EDGES[name], ember) == _outcome(EDGES[name], torch)


def _after_base_mul(view):
    def run(T):
        x = T.tensor([1.0, 2.0, 3.0], requires_grad=True).clone()
        v = view(x)
        x.mul_(2)
        return v + 1
    return run


def _grad_fn_name(prep):
    def run(T):
        x = T.tensor([1.0, 2.0], requires_grad=True).clone()
        v = prep(T, x)
        return v.grad_fn.name().rpartition('::')[2]
    return run


def _nograd_add_base(T, x):
    v = x.t()
    with T.no_grad():
        x.add_(1)
    return v


def _bf16_version(T):
    x = T.tensor([[1.0, 2.0]], dtype=T.bfloat16, requires_grad=True)
    y = x.exp()
    z = y * 2
    y.add_(1)
    z.sum().backward()


def _complex_version(T):
    x = T.tensor([1 + 1j], requires_grad=True)
    y = x.exp()
    z = y * 2
    y.add_(1)
    z.abs().sum().backward()


def _bool_version(T):
    x = T.tensor([[1.0, 2.0]], requires_grad=True)
    m = T.tensor([[True, False]])
    y = x * m
    m.logical_not_()
    y.sum().backward()


VIEWS = {   # B7, D, C
    'detach-view-bool': lambda T: (T.tensor([1.0, 2.0]) > 0).chunk(2)[0].detach_(),
    'detach-view': lambda T: T.tensor([1.0, 2.0])[0:1].detach_(),
    'detach-plain': lambda T: T.tensor([1.0, 2.0]).detach_(),
    'unbind-after-base': _after_base_mul(lambda x: x.unbind(0)[0]),
    'split-after-base': _after_base_mul(lambda x: x.split(1)[0]),
    'chunk-after-base': _after_base_mul(lambda x: x.chunk(3)[1]),
    'split-sizes-after-base': _after_base_mul(lambda x: x.split([1, 2])[1]),
    'view-of-unbind-after-base': _after_base_mul(lambda x: x.unbind(0)[2].view(1)),
    'slice-after-base': _after_base_mul(lambda x: x[1:]),
    'logical-not-view': _grad_fn_name(lambda T, x: (lambda v: (v.logical_not_(), v)[1])(x.t())),
    'nograd-add-base': _grad_fn_name(_nograd_add_base),
    'bool-scalar-key': _grad_fn_name(lambda T, x: (x.__setitem__(T.tensor(True), -3.0), x)[1]),
    'bool-scalar-key-false': _grad_fn_name(lambda T, x: (x.__setitem__(T.tensor(False), -3.0), x)[1]),
    'bf16-version': _bf16_version,
    'complex-version': _complex_version,
    'bool-version': _bool_version,
}


@pytest.mark.parametrize('name', sorted(VIEWS))
def test_views_names_messages(name):
    assert _outcome(VIEWS[name], ember) == _outcome(VIEWS[name], torch)
