"""PyTorch's torch.utils._pytree, torch.utils.flop_counter and a few small public names
(assert_allclose, empty_permuted, swap_tensors) on ember, compared with torch (survey 3; the
import-path tests are in test_survey3_paths.py)."""
import collections
import importlib
import warnings

import pytest
import torch

import ember


# ------------------------------------------------------------------ _pytree

def _pytree_script(lib):
    import torch.utils._pytree as tp
    import ember.utils._pytree as ep
    p = tp if lib is torch else ep
    P = collections.namedtuple('P', 'x y')
    t = {'a': [1, (2, None)], 'b': collections.OrderedDict(x=3), 'c': P(4, 5), 'd': collections.deque([6]),
         'e': collections.defaultdict(int, k=7), 'f': ()}
    leaves, s = p.tree_flatten(t)
    out = [leaves, repr(s), s.num_leaves, s.num_nodes, s.num_children, s.is_leaf(), repr(p.tree_structure(1)),
           p.tree_structure(1) == p.LeafSpec(), p.treespec_pprint(p.tree_structure({'a': [1, (2, 3)], 'c': P(4, 5)})),
           p.tree_map_only(int, lambda x: x * 10, t), p.tree_map(lambda a, b: a + b, [1, 2], [3, 4]),
           p.tree_map(lambda a, b: (a, b), [1, 2], [3, [4, 5]]),
           p.tree_all(lambda x: x is None or x > 0, t), p.tree_any_only(str, lambda x: True, t),
           p.tree_leaves(None), p.tree_leaves([1, [2, 3]], is_leaf=lambda x: isinstance(x, list) and x[0] == 2),
           s.unflatten(range(s.num_leaves)), [p.keystr(k) for k, _ in p.tree_flatten_with_path(t)[0]],
           repr(s.child(2)), p.tree_is_leaf([]), list(p.tree_iter(t)), s == p.tree_structure(t),
           repr(p.tree_structure(lib.max(lib.ones(2, 2), 0))), p.tree_map_only((int, float), lambda x: -x, [1, 2.0, 'a'])]
    for f in (lambda: p.tree_unflatten([1, 2], s), lambda: p.tree_map(lambda a, b: a, [1, 2], [3, 4, 5]),
              lambda: p.tree_map(lambda a, b: a, [1, 2], (3, 4)),
              lambda: p.tree_map(lambda a, b: a, {'a': 1, 'b': 2}, {'a': 1, 'c': 3})):
        try:
            f()
        except Exception as e:
            out.append((type(e).__name__, str(e)))

    class Pt:
        def __init__(self, x, y):
            self.x, self.y = x, y
    p.register_pytree_node(Pt, lambda q: ([q.x, q.y], None), lambda v, c: Pt(*v))
    out += [p.tree_leaves([Pt(1, 2)]), p.tree_map(lambda x: x + 1, Pt(1, 2)).y, repr(p.tree_structure(Pt(1, 2)))]
    try:
        p.register_pytree_node(Pt, lambda q: ([q.x, q.y], None), lambda v, c: Pt(*v))
    except ValueError as e:
        out.append(str(e).split('.')[-1])
    return out


def test_pytree_matches_torch():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        assert _pytree_script(ember) == _pytree_script(torch)


# ------------------------------------------------------------------ flop counter

def _flops(lib, build):
    mod = importlib.import_module(lib.__name__ + '.utils.flop_counter')
    lib.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        with mod.FlopCounterMode(display=False) as f:
            build(lib)
    return f.get_total_flops(), sorted((k, sorted((str(a), b) for a, b in v.items()))
                                       for k, v in f.get_flop_counts().items())


def _mlp(T):
    m = T.nn.Sequential(T.nn.Linear(8, 16), T.nn.ReLU(), T.nn.Linear(16, 4))
    m(T.randn(5, 8, requires_grad=True)).sum().backward()
    m(T.randn(3, 8)).sum().backward()


def _cnn(T):
    c = T.nn.Sequential(T.nn.Conv2d(3, 4, 3, padding=1), T.nn.ReLU(),
                        T.nn.Sequential(T.nn.Conv2d(4, 2, 2, stride=2), T.nn.Flatten()), T.nn.Linear(18, 2))
    c(T.randn(2, 3, 6, 6, requires_grad=True)).sum().backward()


def _ops(T):
    F = T.nn.functional
    T.mm(T.ones(2, 3), T.ones(3, 4))
    T.bmm(T.ones(2, 2, 3), T.ones(2, 3, 4))
    T.matmul(T.ones(2, 2, 3), T.ones(3, 4))
    F.linear(T.ones(2, 5, 3), T.ones(4, 3), T.ones(4))
    T.baddbmm(T.ones(2, 2, 4), T.ones(2, 2, 3), T.ones(2, 3, 4))
    T.addmm(T.ones(4), T.ones(2, 3), T.ones(3, 4))
    F.conv1d(T.ones(1, 2, 5), T.ones(3, 2, 2))
    F.conv2d(T.ones(1, 4, 5, 5), T.ones(4, 2, 3, 3), groups=2)
    w, x = T.ones(2, 3, 2, 2, requires_grad=True), T.ones(1, 2, 3, 3, requires_grad=True)
    F.conv_transpose2d(x, w).sum().backward()


@pytest.mark.parametrize('build', [_mlp, _cnn, _ops], ids=['mlp', 'cnn', 'ops'])
def test_flop_counter_matches_torch(build):
    assert _flops(ember, build) == _flops(torch, build)


def test_flop_counter_table_and_restore(capsys):
    from ember.utils.flop_counter import FlopCounterMode
    with FlopCounterMode():
        ember.mm(ember.ones(2, 2), ember.ones(2, 2))
    assert capsys.readouterr().out == ('Module        FLOP    % Total\n----------  ------  ---------\n'
                                       'Global          16    100.00%\n - aten.mm      16    100.00%\n')
    from ember.ops.matmul import MmBackward0
    assert not hasattr(MmBackward0.forward, '__wrapped__')      # patches removed on exit
    with pytest.warns(UserWarning, match='mods argument is not needed anymore'):
        FlopCounterMode(ember.nn.Linear(2, 2), display=False)


# ------------------------------------------------------------------ small names

def test_assert_allclose():
    for lib in (torch, ember):
        with pytest.warns(FutureWarning, match=r'`torch.testing.assert_allclose\(\)` is deprecated'):
            lib.testing.assert_allclose(lib.tensor([1., 2.]), [1., 2.0001])
    msgs = []
    for lib in (torch, ember):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            with pytest.raises(AssertionError) as info:
                lib.testing.assert_allclose(lib.tensor([1., 2.]), [1., 2.1])
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


def test_empty_permuted():
    for size, order in (((2, 3, 4), (2, 0, 1)), ((2, 3), (0, 1)), ((4,), (0,))):
        t, e = torch.empty_permuted(size, order), ember.empty_permuted(size, order)
        assert (e.shape, e.stride(), e.is_contiguous()) == (t.shape, t.stride(), t.is_contiguous())
    e = ember.empty_permuted((2, 3), (1, 0), dtype=ember.float64, requires_grad=True)
    assert e.is_leaf and e.requires_grad and e.dtype == ember.float64 and e._base is None
    for size, order in (((2, 3), (0, 0)), ((2, 3), (0,)), ((2, 3), (0, 2))):
        msgs = []
        for lib in (torch, ember):
            with pytest.raises(RuntimeError) as info:
                lib.empty_permuted(size, order)
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]


def test_swap_tensors():
    for lib in (torch, ember):
        a, b = lib.ones(2), lib.zeros(3, requires_grad=True)
        a.tag = 'a'
        lib.utils.swap_tensors(a, b)
        assert a.shape == (3,) and a.requires_grad and b.tag == 'a' and b.tolist() == [1., 1.]
