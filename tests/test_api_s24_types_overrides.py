"""ember.types (the annotation aliases) and ember.overrides (the __torch_function__ helpers) against
torch.types / torch.overrides: the same names, what they accept, and the dispatch order and errors."""
import typing
import warnings

import pytest
import torch

import ember


def _same_args(alias_t, alias_e):
    """The members of two Union aliases, torch's classes read as ember's."""
    def names(a):
        return [getattr(x, '__name__', repr(x)) for x in typing.get_args(a)]
    return names(alias_t) == names(alias_e)


def test_types_public_names():
    for name in torch.types.__all__:
        assert hasattr(ember.types, name), name
    assert ember.types.__all__ == torch.types.__all__
    for name in ('_size', '_dtype', '_device', '_layout', '_int', '_float', '_bool', '_complex', '_str', '_bytes',
                 '_Number', '_TensorOrTensors', '_TensorOrOptionalTensors', '_dispatchkey', 'IntLikeType',
                 'FloatLikeType', 'BoolLikeType', 'py_sym_types', 'Tensor', 'Size', 'Sequence', 'Any', 'Union',
                 'TYPE_CHECKING', 'IO', 'TypeAlias'):
        assert hasattr(ember.types, name), name


def test_types_values():
    T, E = torch.types, ember.types
    assert E._dtype is ember.dtype and E._device is ember.device and E._layout is ember.layout
    assert E.Tensor is ember.Tensor and E.Size is ember.Size
    assert E._Number == T._Number == (int, float, bool)
    for name in ('Number', 'Device', 'FileLike', '_size'):
        assert _same_args(getattr(T, name), getattr(E, name)), name
    assert isinstance(ember.float32, E._dtype) and isinstance(ember.device('cpu'), E._device)
    assert isinstance(ember.zeros(2).untyped_storage(), E.Storage)

    def f(x: E.Number, d: E.Device = None, s: E._size = (1,)) -> E.Tensor:
        return ember.full(s, x, device=d)
    assert typing.get_type_hints(f)['x'] == E.Number
    assert f(2.0, 'cpu', (2,)).tolist() == [2.0, 2.0]


# ------------------------------------------------------------------ overrides

def _classes(T):
    class Sub(T.Tensor):
        pass

    class Duck:
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return ('duck', func.__name__, len(args))

    class Refuse:
        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            return NotImplemented

    class Logged(T.Tensor):
        seen = []

        @classmethod
        def __torch_function__(cls, func, types, args=(), kwargs=None):
            cls.seen.append([t.__name__ for t in types])
            return 'logged'

    class Plain:
        def __torch_function__(self, func, types, args=(), kwargs=None):
            return 'plain'
    return Sub, Duck, Refuse, Logged, Plain


@pytest.mark.parametrize('T', [torch, ember])
def test_has_torch_function(T):
    Sub, Duck, Refuse, Logged, Plain = _classes(T)
    O = T.overrides
    s = T.zeros(2).as_subclass(Sub)
    p = T.nn.Parameter(T.zeros(1))
    got = [O.has_torch_function((s,)), O.has_torch_function((T.zeros(1),)), O.has_torch_function((p,)),
           O.has_torch_function((Duck(),)), O.has_torch_function([1, 2]), O.has_torch_function(s),
           O.has_torch_function(x for x in [s]), O.has_torch_function('ab'),
           O.has_torch_function_unary(s), O.has_torch_function_unary((s,)), O.has_torch_function_unary(p),
           O.has_torch_function_variadic(1, s), O.has_torch_function_variadic(1, T.zeros(1)),
           O.is_tensor_like(s), O.is_tensor_like(Duck()), O.is_tensor_like(T.zeros(1)), O.is_tensor_like(Sub),
           O.is_tensor_like(1), O.is_tensor_like([T.zeros(1)])]
    assert got == [True, False, False, True, False, True, True, False, True, False, False, True, False,
                   True, True, True, True, False, False]


def _msg(e):
    return str(e).replace('torch.', 'ember.').split('\n')[0]


@pytest.mark.parametrize('T', [torch, ember])
def test_handle_torch_function(T):
    Sub, Duck, Refuse, Logged, Plain = _classes(T)
    O = T.overrides

    def my_op(x, y=0):
        if O.has_torch_function_variadic(x, y):
            return O.handle_torch_function(my_op, (x, y), x, y=y)
        return 'eager'
    assert my_op(1) == 'eager'
    assert my_op(Duck()) == ('duck', 'my_op', 1)
    assert my_op(Refuse(), Duck()) == ('duck', 'my_op', 1)
    lg = T.zeros(1).as_subclass(Logged)
    sub = T.zeros(1).as_subclass(Sub)
    Logged.seen.clear()
    assert my_op(sub, lg) == 'logged'
    assert Logged.seen == [['Sub', 'Logged']]
    r = O.handle_torch_function(T.add, (sub,), sub, 1)
    assert type(r) is Sub and r.tolist() == [1.0]
    with pytest.raises(TypeError) as e:
        my_op(Refuse())
    with pytest.raises(TypeError, match='expected a sequence'):
        O.has_torch_function(5)
    assert _msg(e.value).startswith("no implementation found for 'test_api_s24_types_overrides.my_op' on types "
                                    "that implement __torch_function__: [<class 'test_api_s24_types_overrides.")
    with pytest.raises(TypeError) as e:
        O.handle_torch_function(my_op, (1,), 1)
    assert _msg(e.value) == ("no implementation found for 'test_api_s24_types_overrides.my_op' on types that "
                             'implement __torch_function__: []')
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        assert my_op(Plain()) == 'plain'
    assert [x.category for x in w] == [DeprecationWarning]
    assert str(w[0].message).startswith('Defining your `__torch_function__ as a plain method is deprecated')


@pytest.mark.parametrize('T', [torch, ember])
def test_wrap_torch_function(T):
    Sub, Duck, *_ = _classes(T)

    @T.overrides.wrap_torch_function(lambda x: (x,))
    def op(x):
        return 'eager'
    assert op(1) == 'eager' and op(Duck()) == ('duck', 'op', 1)


def test_overrides_tables():
    O = ember.overrides
    assert ember.add in O.get_ignored_functions() and ember.nn.functional.relu in O.get_ignored_functions()
    assert dict(O.get_overridable_functions()) == {} and O.get_testing_overrides() == {}
    assert O.is_tensor_method_or_property(ember.Tensor.add)
    assert torch.overrides.is_tensor_method_or_property(torch.Tensor.add)
    assert O.resolve_name(ember.add) == 'ember.add'
    with O.enable_reentrant_dispatch():
        pass


def test_run_imports(tmp_path):
    import subprocess
    import sys
    script = tmp_path / 's.py'
    script.write_text('import torch.types\nimport torch.overrides\nfrom torch.types import Number, _size\n'
                      'from torch.overrides import has_torch_function, handle_torch_function\n'
                      'def f(x: Number, s: _size) -> torch.Tensor:\n    return torch.full(s, x)\n'
                      'print(f(1.5, (2,)).tolist(), has_torch_function((torch.zeros(1),)), torch.types.__name__)\n')
    out = subprocess.run([sys.executable, '-m', 'ember.run', str(script)], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == '[1.5, 1.5] False ember.types'
