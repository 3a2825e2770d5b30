"""Module containers: Sequential, ModuleList, ModuleDict. (ParameterList and ParameterDict are in
parameter_containers.py and importable from here too, as in PyTorch.)"""
import collections
import warnings
from collections import abc
from itertools import chain, islice

from .module import Module, _addindent
from .parameter_containers import ParameterList, ParameterDict, _abs_index, _NoDigitDir, _pairs  # noqa: F401


def _renumber(module):
    module._modules = collections.OrderedDict((str(i), m) for i, m in enumerate(module._modules.values()))


class _ModuleSeq(_NoDigitDir, Module):
    """What Sequential and ModuleList share: modules under the keys '0', '1', ..."""

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def append(self, module):
        self.add_module(str(len(self)), module)
        return self

    def pop(self, key):
        v = self[key]
        del self[key]
        return v


class Sequential(_ModuleSeq):
    """Runs its modules one after another, each on the previous one's output."""

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], collections.OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def _item(self, iterator, idx):
        return next(islice(iterator, _abs_index(len(self), idx), None))

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(collections.OrderedDict(list(self._modules.items())[idx]))
        return self._item(self._modules.values(), idx)

    def __setitem__(self, idx, module):
        setattr(self, self._item(self._modules.keys(), idx), module)

    def __delitem__(self, idx):
        keys = list(self._modules.keys())[idx] if isinstance(idx, slice) else [self._item(self._modules.keys(), idx)]
        for key in keys:
            delattr(self, key)
        _renumber(self)

    def _check_seq(self, other):
        if not isinstance(other, Sequential):
            raise ValueError(f'add operator supports only objects of Sequential class, but {type(other)} is given.')

    def __add__(self, other):
        self._check_seq(other)
        ret = Sequential()
        for layer in chain(self, other):
            ret.append(layer)
        return ret

    def __iadd__(self, other):
        self._check_seq(other)
        offset = len(self)
        for i, module in enumerate(other):
            self.add_module(str(i + offset), module)
        return self

    def _check_factor(self, other):
        if not isinstance(other, int):
            raise TypeError(f'unsupported operand type(s) for *: {type(self)} and {type(other)}')
        if other <= 0:
            raise ValueError(f'Non-positive multiplication factor {other} for {type(self)}')

    def __mul__(self, other):
        self._check_factor(other)
        combined = Sequential()
        for i, module in enumerate(list(self) * other):
            combined.add_module(str(i), module)
        return combined

    __rmul__ = __mul__

    def __imul__(self, other):
        self._check_factor(other)
        n = len(self)
        for i in range(n, n * other):
            self.add_module(str(i), self._modules[str(i % n)])
        return self

    def insert(self, index, module):
        if not isinstance(module, Module):
            raise AssertionError(f'module should be of type: {Module}')
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f'Index out of range: {index}')
        index = index + n if index < 0 else index
        for i in range(n, index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module
        return self

    def extend(self, sequential):
        for layer in sequential:
            self.append(layer)
        return self

    def forward(self, input):
        for module in self:
            input = module(input)
        return input


class ModuleList(_ModuleSeq):
    """A list of modules, registered so that their parameters are found."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self += modules

    def __getitem__(self, idx):
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(_abs_index(len(self), idx))]

    def __setitem__(self, idx, module):
        setattr(self, str(_abs_index(len(self), idx)), module)

    def __delitem__(self, idx):
        if isinstance(idx, slice):
            for k in range(len(self._modules))[idx]:
                delattr(self, str(k))
        else:
            delattr(self, str(_abs_index(len(self), idx)))
        _renumber(self)

    def __iadd__(self, modules):
        return self.extend(modules)

    def __add__(self, other):
        combined = ModuleList()
        for i, module in enumerate(chain(self, other)):
            combined.add_module(str(i), module)
        return combined

    def __repr__(self):
        reprs = [repr(m) for m in self]
        if not reprs:
            return self._get_name() + '()'
        blocks = []                       # [start, end, repr]: runs of identical reprs fold into one line
        for i, r in enumerate(reprs):
            if blocks and blocks[-1][2] == r:
                blocks[-1][1] = i
            else:
                blocks.append([i, i, r])
        lines = [_addindent(f'({s}): {r}' if s == e else f'({s}-{e}): {e - s + 1} x {r}', 2) for s, e, r in blocks]
        return self._get_name() + '(\n  ' + '\n  '.join(lines) + '\n)'

    def insert(self, index, module):
        for i in range(len(self._modules), index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module

    def extend(self, modules):
        if not isinstance(modules, abc.Iterable):
            raise TypeError('ModuleList.extend should be called with an iterable, but got ' + type(modules).__name__)
        offset = len(self)
        for i, module in enumerate(modules):
            self.add_module(str(offset + i), module)
        return self


class ModuleDict(Module):
    """A dict of modules, registered under their keys (insertion order is kept)."""

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key):
        return self._modules[key]

    def __setitem__(self, key, module):
        self.add_module(key, module)

    def __delitem__(self, key):
        del self._modules[key]

    def __len__(self):
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules)

    def __contains__(self, key):
        return key in self._modules

    def clear(self):
        self._modules.clear()

    def pop(self, key):
        v = self[key]
        del self[key]
        return v

    def keys(self):
        return self._modules.keys()

    def items(self):
        return self._modules.items()

    def values(self):
        return self._modules.values()

    def update(self, modules):
        if not isinstance(modules, abc.Iterable):
            raise TypeError('ModuleDict.update should be called with an iterable of key/value pairs, but got '
                            + type(modules).__name__)
        pairs = modules.items() if isinstance(modules, (abc.Mapping, ModuleDict)) else \
            _pairs('ModuleDict', modules)
        for key, module in pairs:
            self[key] = module


class Container(Module):
    """The deprecated pre-``Module`` container: keyword arguments become child modules."""

    def __init__(self, **kwargs):
        super().__init__()
        warnings.warn('`nn.Container` is deprecated. All of its functionality is now implemented in '
                      '`nn.Module`. Subclass that instead.', FutureWarning, stacklevel=2)
        for key, value in kwargs.items():
            self.add_module(key, value)
