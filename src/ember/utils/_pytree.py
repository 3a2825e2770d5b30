"""``torch.utils._pytree``: nested Python containers of tensors ("pytrees") as PyTorch handles them.

A pytree is a tree of registered container nodes (tuple, list, dict, OrderedDict, defaultdict,
deque, namedtuple, ember's return types, and anything given to :func:`register_pytree_node`)
with everything else, None included, as leaves. ``tree_flatten(tree)`` gives the leaves in order
and a :class:`TreeSpec` describing the containers; ``tree_unflatten(leaves, spec)`` rebuilds them
around new leaves. The tree functions (tree_map, tree_leaves, tree_all, ...) are built on these.
"""
import collections
import dataclasses
from collections import OrderedDict, defaultdict, deque

__all__ = ['PyTree', 'Context', 'TreeSpec', 'LeafSpec', 'register_pytree_node', 'tree_flatten',
           'tree_flatten_with_path', 'tree_unflatten', 'tree_iter', 'tree_leaves', 'tree_leaves_with_path',
           'tree_structure', 'tree_map', 'tree_map_with_path', 'tree_map_', 'tree_map_only', 'tree_map_only_',
           'tree_all', 'tree_any', 'tree_all_only', 'tree_any_only', 'tree_is_leaf', 'treespec_pprint',
           'is_namedtuple', 'is_namedtuple_class', 'is_namedtuple_instance', 'is_structseq',
           'is_structseq_class', 'is_structseq_instance', 'keystr', 'key_get', 'MappingKey', 'SequenceKey',
           'GetAttrKey', 'SUPPORTED_NODES']

PyTree = object
Context = object

NodeDef = collections.namedtuple('NodeDef', ['type', 'flatten_fn', 'unflatten_fn', 'flatten_with_keys_fn'])
SUPPORTED_NODES = {}


@dataclasses.dataclass(frozen=True)
class SequenceKey:
    idx: int

    def __str__(self):
        return f'[{self.idx!r}]'

    def get(self, sequence):
        return sequence[self.idx]


@dataclasses.dataclass(frozen=True)
class MappingKey:
    key: object

    def __str__(self):
        return f'[{self.key!r}]'

    def get(self, mapping):
        return mapping[self.key]


@dataclasses.dataclass(frozen=True)
class GetAttrKey:
    name: str

    def __str__(self):
        return f'.{self.name}'

    def get(self, obj):
        return getattr(obj, self.name)


def keystr(kp):
    """The key path ``kp`` as Python accessor text: ``['a'][1].x``."""
    return ''.join(str(k) for k in kp)


def key_get(obj, kp):
    for k in kp:
        obj = k.get(obj)
    return obj


def is_namedtuple_class(cls):
    return isinstance(cls, type) and issubclass(cls, tuple) and isinstance(getattr(cls, '_fields', None), tuple) \
        and not is_structseq_class(cls)


def is_namedtuple_instance(obj):
    return is_namedtuple_class(type(obj))


def is_namedtuple(obj):
    return is_namedtuple_class(obj if isinstance(obj, type) else type(obj))


def is_structseq_class(cls):
    """ember's return types (``ember.return_types.max``) play the part of PyTorch's structseqs."""
    return isinstance(cls, type) and issubclass(cls, tuple) and cls.__module__ == 'ember.return_types'


def is_structseq_instance(obj):
    return is_structseq_class(type(obj))


def is_structseq(obj):
    return is_structseq_class(obj if isinstance(obj, type) else type(obj))


class _NamedTuple:
    """Node type of every namedtuple (its class is the context)."""


class _StructSeq:
    """Node type of ember's return types."""


def register_pytree_node(cls, flatten_fn, unflatten_fn, *, serialized_type_name=None, to_dumpable_context=None,
                         from_dumpable_context=None, flatten_with_keys_fn=None):
    """Make ``cls`` a container node: ``flatten_fn(obj) -> (children, context)`` and
    ``unflatten_fn(children, context) -> obj``."""
    if cls in SUPPORTED_NODES:
        raise ValueError(f'{cls} is already registered as pytree node.')
    SUPPORTED_NODES[cls] = NodeDef(cls, flatten_fn, unflatten_fn, flatten_with_keys_fn)


def _seq_keys(values, context):
    return [(SequenceKey(i), v) for i, v in enumerate(values)]


register_pytree_node(tuple, lambda t: (list(t), None), lambda v, c: tuple(v),
                     flatten_with_keys_fn=lambda t: (_seq_keys(t, None), None))
register_pytree_node(list, lambda t: (list(t), None), lambda v, c: list(v),
                     flatten_with_keys_fn=lambda t: (_seq_keys(t, None), None))
register_pytree_node(dict, lambda d: (list(d.values()), list(d.keys())), lambda v, c: dict(zip(c, v)),
                     flatten_with_keys_fn=lambda d: ([(MappingKey(k), v) for k, v in d.items()], list(d)))
register_pytree_node(OrderedDict, lambda d: (list(d.values()), list(d.keys())),
                     lambda v, c: OrderedDict(zip(c, v)),
                     flatten_with_keys_fn=lambda d: ([(MappingKey(k), v) for k, v in d.items()], list(d)))
register_pytree_node(defaultdict, lambda d: (list(d.values()), [d.default_factory, list(d.keys())]),
                     lambda v, c: defaultdict(c[0], zip(c[1], v)),
                     flatten_with_keys_fn=lambda d: ([(MappingKey(k), v) for k, v in d.items()],
                                                     [d.default_factory, list(d)]))
register_pytree_node(deque, lambda d: (list(d), d.maxlen), lambda v, c: deque(v, maxlen=c),
                     flatten_with_keys_fn=lambda d: (_seq_keys(d, None), d.maxlen))
register_pytree_node(_NamedTuple, lambda t: (list(t), type(t)), lambda v, c: c(*v),
                     flatten_with_keys_fn=lambda t: ([(GetAttrKey(f), v) for f, v in zip(t._fields, t)], type(t)))
register_pytree_node(_StructSeq, lambda t: (list(t), type(t)), lambda v, c: c(*v),
                     flatten_with_keys_fn=lambda t: (_seq_keys(t, None), type(t)))


def _node_type(tree):
    if is_namedtuple_instance(tree):
        return _NamedTuple
    if is_structseq_instance(tree):
        return _StructSeq
    return type(tree)


def tree_is_leaf(tree, is_leaf=None):
    """True when ``tree`` is a leaf (not a registered container, or chosen by ``is_leaf``)."""
    if is_leaf is not None and is_leaf(tree):
        return True
    return _node_type(tree) not in SUPPORTED_NODES


class TreeSpec:
    """The structure of a pytree: node type, context (keys, class, ...) and one spec per child."""

    def __init__(self, type, context, children_specs):  # noqa: A002
        self.type, self.context, self._children = type, context, list(children_specs)
        self.num_nodes = 1 + sum(c.num_nodes for c in self._children)
        self.num_leaves = sum(c.num_leaves for c in self._children)
        self.num_children = len(self._children)

    @property
    def children_specs(self):
        return self._children

    def is_leaf(self):
        return self.num_nodes == 1 and self.num_leaves == 1

    def children(self):
        return list(self._children)

    def child(self, index):
        return self._children[index]

    def _name(self):
        if self.type is _NamedTuple:
            return 'namedtuple'
        if self.type is _StructSeq:
            return self.context.__name__
        return self.type.__name__

    def __repr__(self, indent=0):
        if self.is_leaf():
            return '*'
        context = None if self.type is _StructSeq else self.context
        inner = ''
        if self._children:
            indent += 2
            parts = [self._children[0].__repr__(indent)]
            parts += ['\n' + ' ' * indent + c.__repr__(indent) for c in self._children[1:]]
            inner = ','.join(parts)
        return f'TreeSpec({self._name()}, {context}, [{inner}])'

    def __eq__(self, other):
        if not isinstance(other, TreeSpec):
            return NotImplemented
        return (self.type is other.type and self.context == other.context and self._children == other._children
                and self.is_leaf() == other.is_leaf())

    def __hash__(self):
        return hash((self.type, self.num_nodes, self.num_leaves))

    def flatten_up_to(self, tree):
        """The subtrees of ``tree`` at this spec's leaves (``tree`` must have this spec's containers)."""
        out = []
        self._up_to(tree, out)
        return out

    def _up_to(self, tree, out):
        if self.is_leaf():
            out.append(tree)
            return
        kind = _node_type(tree)
        if kind is not self.type:
            want = self.context if self.type in (_NamedTuple, _StructSeq) else self.type
            raise ValueError(f'Node type mismatch; expected {want}, but got {type(tree)}.')
        children, context = SUPPORTED_NODES[kind].flatten_fn(tree)
        if len(children) != self.num_children:
            raise ValueError(f'Node arity mismatch; expected {self.num_children}, but got {len(children)}.')
        if kind in (dict, OrderedDict, defaultdict) and context != self.context:
            keys, want = set(context if kind is not defaultdict else context[1]), \
                set(self.context if kind is not defaultdict else self.context[1])
            if keys != want:
                raise ValueError(f'Node keys mismatch; missing key(s): {want - keys}; extra key(s): {keys - want}.')
            by_key = dict(zip(context if kind is not defaultdict else context[1], children))
            children = [by_key[k] for k in (self.context if kind is not defaultdict else self.context[1])]
        elif kind not in (dict, OrderedDict, defaultdict) and context != self.context:
            raise ValueError(f'Node context mismatch for custom node type {self.type}.')
        for spec, child in zip(self._children, children):
            spec._up_to(child, out)

    def unflatten(self, leaves):
        leaves = list(leaves)
        if len(leaves) != self.num_leaves:
            raise ValueError(f'treespec.unflatten(leaves): `leaves` has length {len(leaves)} but the spec refers '
                             f'to a pytree that holds {self.num_leaves} items ({self}).')
        return self._build(iter(leaves))

    def _build(self, it):
        if self.is_leaf():
            return next(it)
        return SUPPORTED_NODES[self.type].unflatten_fn([c._build(it) for c in self._children], self.context)


class LeafSpec(TreeSpec):
    """The spec of a leaf (printed ``*``)."""

    def __init__(self):
        super().__init__(None, None, [])
        self.num_nodes, self.num_leaves = 1, 1


_LEAF = LeafSpec()


def _flatten(tree, is_leaf, leaves):
    if tree_is_leaf(tree, is_leaf):
        leaves.append(tree)
        return _LEAF
    kind = _node_type(tree)
    children, context = SUPPORTED_NODES[kind].flatten_fn(tree)
    return TreeSpec(kind, context, [_flatten(c, is_leaf, leaves) for c in children])


def tree_flatten(tree, is_leaf=None):
    """(leaves in order, TreeSpec of the containers)."""
    leaves = []
    return leaves, _flatten(tree, is_leaf, leaves)


def tree_unflatten(leaves, treespec):
    if not isinstance(treespec, TreeSpec):
        raise TypeError(f'tree_unflatten(leaves, treespec): Expected `treespec` to be instance of TreeSpec but got '
                        f'item of type {type(treespec)}.')
    return treespec.unflatten(leaves)


def tree_iter(tree, is_leaf=None):
    if tree_is_leaf(tree, is_leaf):
        yield tree
        return
    for child in SUPPORTED_NODES[_node_type(tree)].flatten_fn(tree)[0]:
        yield from tree_iter(child, is_leaf)


def tree_leaves(tree, is_leaf=None):
    return list(tree_iter(tree, is_leaf))


def tree_structure(tree, is_leaf=None):
    return tree_flatten(tree, is_leaf)[1]


def _with_path(tree, is_leaf, path, out):
    if tree_is_leaf(tree, is_leaf):
        out.append((path, tree))
        return
    node = SUPPORTED_NODES[_node_type(tree)]
    if node.flatten_with_keys_fn is None:
        raise ValueError(f'Did not find a flatten_with_keys_fn for type: {_node_type(tree)}. Please pass a '
                         'flatten_with_keys_fn argument to register_pytree_node.')
    for key, child in node.flatten_with_keys_fn(tree)[0]:
        _with_path(child, is_leaf, path + (key,), out)


def tree_flatten_with_path(tree, is_leaf=None):
    """([(key path, leaf), ...], TreeSpec)."""
    out = []
    _with_path(tree, is_leaf, (), out)
    return out, tree_structure(tree, is_leaf)


def tree_leaves_with_path(tree, is_leaf=None):
    return tree_flatten_with_path(tree, is_leaf)[0]


def tree_map(func, tree, *rests, is_leaf=None):
    """A tree of ``tree``'s containers holding ``func(leaf, *matching leaves of rests)``."""
    leaves, spec = tree_flatten(tree, is_leaf)
    others = [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(map(func, leaves, *others))


def tree_map_with_path(func, tree, *rests, is_leaf=None):
    pairs, spec = tree_flatten_with_path(tree, is_leaf)
    others = [spec.flatten_up_to(r) for r in rests]
    return spec.unflatten(func(p, x, *xs) for (p, x), *xs in zip(pairs, *others))


def tree_map_(func, tree, *rests, is_leaf=None):
    """Calls ``func`` on each leaf for its side effects; returns ``tree`` itself."""
    leaves, spec = tree_flatten(tree, is_leaf)
    others = [spec.flatten_up_to(r) for r in rests]
    collections.deque(map(func, leaves, *others), maxlen=0)
    return tree


def _only(type_or_types, func):
    if isinstance(type_or_types, tuple) and len(type_or_types) == 1:
        type_or_types = type_or_types[0]

    def wrapped(x):
        return func(x) if isinstance(x, type_or_types) else x
    return wrapped


def tree_map_only(type_or_types_or_pred, func, tree, is_leaf=None):
    """tree_map applying ``func`` only to the leaves of the given type(s) (or satisfying a predicate)."""
    if callable(type_or_types_or_pred) and not isinstance(type_or_types_or_pred, (type, tuple)):
        pred = type_or_types_or_pred
        return tree_map(lambda x: func(x) if pred(x) else x, tree, is_leaf=is_leaf)
    return tree_map(_only(type_or_types_or_pred, func), tree, is_leaf=is_leaf)


def tree_map_only_(type_or_types_or_pred, func, tree, is_leaf=None):
    if callable(type_or_types_or_pred) and not isinstance(type_or_types_or_pred, (type, tuple)):
        pred = type_or_types_or_pred
        return tree_map_(lambda x: func(x) if pred(x) else x, tree, is_leaf=is_leaf)
    return tree_map_(_only(type_or_types_or_pred, func), tree, is_leaf=is_leaf)


def tree_all(pred, tree, is_leaf=None):
    return all(map(pred, tree_iter(tree, is_leaf)))


def tree_any(pred, tree, is_leaf=None):
    return any(map(pred, tree_iter(tree, is_leaf)))


def tree_all_only(type_or_types, pred, tree, is_leaf=None):
    return all(pred(x) for x in tree_iter(tree, is_leaf) if isinstance(x, type_or_types))


def tree_any_only(type_or_types, pred, tree, is_leaf=None):
    return any(pred(x) for x in tree_iter(tree, is_leaf) if isinstance(x, type_or_types))


def treespec_pprint(treespec):
    """Python-like text of the structure with ``*`` for each leaf: ``{'a': [*, (*, *)]}``."""
    if treespec.is_leaf():
        return '*'
    dummy = treespec.unflatten([_Star()] * treespec.num_leaves)
    return repr(dummy)


class _Star:
    def __repr__(self):
        return '*'
