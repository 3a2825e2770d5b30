"""Nested Python containers of tensors ("pytrees") for the function transforms.

A pytree is a tuple, list, dict (OrderedDict, namedtuple included) nesting leaves; anything
else, None included, is a leaf. ``flatten(tree)`` gives ``(leaves, spec)`` and
``unflatten(leaves, spec)`` rebuilds the same containers around new leaves. ``repr(spec)`` and
``pprint(spec)`` print a structure the way PyTorch's error messages do.
"""
from collections import OrderedDict

__all__ = ['Spec', 'flatten', 'unflatten', 'tree_map', 'pprint', 'LEAF']


def _is_namedtuple(obj):
    return isinstance(obj, tuple) and hasattr(type(obj), '_fields')


class Spec:
    """The shape of a pytree: a container type, its context (dict keys / namedtuple class) and
    one Spec per child; ``kind is None`` for a leaf."""

    __slots__ = ('kind', 'context', 'children', 'num_leaves')

    def __init__(self, kind=None, context=None, children=()):
        self.kind, self.context, self.children = kind, context, tuple(children)
        self.num_leaves = 1 if kind is None else sum(c.num_leaves for c in self.children)

    def is_leaf(self):
        return self.kind is None

    def __eq__(self, other):
        return (isinstance(other, Spec) and self.kind is other.kind and self.context == other.context
                and self.children == other.children)

    def __hash__(self):
        return hash((self.kind, len(self.children)))

    def __repr__(self, indent=0):
        if self.kind is None:
            return '*'
        name = 'namedtuple' if self.kind is _NT else self.kind.__name__
        context = list(self.context) if self.kind in (dict, OrderedDict) else self.context
        inner = ''
        if self.children:
            indent += 2
            parts = [self.children[0].__repr__(indent)]
            parts += ['\n' + ' ' * indent + c.__repr__(indent) for c in self.children[1:]]
            inner = ','.join(parts)
        return f'TreeSpec({name}, {context}, [{inner}])'


class _NT:
    """Marker kind for namedtuples (the class itself is the context)."""


LEAF = Spec()


def flatten(tree):
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves):
    if _is_namedtuple(tree):
        return Spec(_NT, type(tree), [_flatten(v, leaves) for v in tree])
    kind = type(tree)
    if kind in (tuple, list):
        return Spec(kind, None, [_flatten(v, leaves) for v in tree])
    if kind in (dict, OrderedDict):
        keys = list(tree)
        return Spec(kind, tuple(keys), [_flatten(tree[k], leaves) for k in keys])
    leaves.append(tree)
    return LEAF


def unflatten(leaves, spec):
    it = iter(leaves)
    return _build(spec, it)


def _build(spec, it):
    if spec.kind is None:
        return next(it)
    values = [_build(c, it) for c in spec.children]
    if spec.kind is _NT:
        return spec.context(*values)
    if spec.kind in (dict, OrderedDict):
        return spec.kind(zip(spec.context, values))
    return spec.kind(values)


def tree_map(fn, tree):
    leaves, spec = flatten(tree)
    return unflatten([fn(x) for x in leaves], spec)


def children(tree):
    """The direct children of a container node, in flatten order (None for a leaf)."""
    if isinstance(tree, (tuple, list)):
        return list(tree)
    if type(tree) in (dict, OrderedDict):
        return list(tree.values())
    return None


def same_node(a, b):
    """Whether containers ``a`` and ``b`` are the same kind of node with the same keys/length."""
    if _is_namedtuple(a) or _is_namedtuple(b):
        return type(a) is type(b)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b)
    return len(a) == len(b)


def pprint(spec):
    """Python-like rendering with ``*`` for the leaves: ``(*, [*, {'k': *}])``."""
    if spec.kind is None:
        return '*'
    parts = [pprint(c) for c in spec.children]
    if spec.kind in (dict, OrderedDict):
        body = ', '.join(f'{k!r}: {p}' for k, p in zip(spec.context, parts))
        return '{' + body + '}'
    if spec.kind is list:
        return '[' + ', '.join(parts) + ']'
    if spec.kind is _NT:
        fields = ', '.join(f'{f}={p}' for f, p in zip(spec.context._fields, parts))
        return f'{spec.context.__name__}({fields})'
    return '(' + ', '.join(parts) + (',)' if len(parts) == 1 else ')')
