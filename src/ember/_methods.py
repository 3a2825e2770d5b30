"""Binds the op functions of ``ember/ops`` onto Tensor as methods and operators.

Each op is defined once (in ops/); this file only says which name it takes on Tensor."""
import importlib

import numpy as np

from ._tensor import Tensor
from .ops import argcheck, nn_ops, arith, power, minmax, select, extremes, unary, compare, reduce, stats, shape, join, convert, index, matmul, creation
from .ops import other_devices
from .ops._promote import py_number
from .ops.unary_more import positive as _positive
from .ops.clamp import clamp_method, clip_method


def _operand(x):
    if isinstance(x, np.generic):         # NumPy scalars act as Python numbers (np.bool_ as a float)
        return py_number(x)
    if isinstance(x, (Tensor, int, float, bool, complex)):
        return x
    return None                           # (a NumPy array too: NumPy's own operator then decides, as with torch)


_FAST = {Tensor, int, float}


def _binop(fn, reflected=False):
    if reflected:
        def rop(self, other):
            if other.__class__ not in _FAST:
                other = _operand(other)
                if other is None:
                    return NotImplemented
            return fn(other, self)
        return rop

    def op(self, other):
        if other.__class__ not in _FAST:
            other = _operand(other)
            if other is None:
                return NotImplemented
        return fn(self, other)
    return op


def _inplace(fn_):
    def op(self, other):
        other = _operand(other)
        if other is None:
            return NotImplemented
        return fn_(self, other)
    return op


_rdiv = _binop(arith.div, True)


def _rtruediv(self, other):
    if isinstance(other, np.ndarray):       # as torch: the reciprocal times the array (NumPy multiplies)
        return unary.reciprocal(self) * other
    return _rdiv(self, other)


def _invert(self):
    if self.dtype.name == 'bool':
        return compare.logical_not(self)
    if self.is_floating_point():
        raise TypeError('~ (operator.invert) is only implemented on integer and Boolean-type tensors')
    return compare.bitwise_not(self)


def _eq(fn):
    def op(self, other):
        x = _operand(other)
        if x is None:                   # an array: torch's == compares with it, != answers True
            if fn is compare.eq and isinstance(other, np.ndarray):
                return fn(self, creation.tensor(other))
            return False if fn is compare.eq else True
        return fn(self, x)
    return op


OPERATORS = {
    '__add__': _binop(arith.add), '__radd__': _binop(arith.add),
    '__sub__': _binop(arith.sub), '__rsub__': _binop(arith.rsub),     # rsub(self, other): RsubBackward0/1
    '__mul__': _binop(arith.mul), '__rmul__': _binop(arith.mul),
    '__truediv__': _binop(arith.div), '__rtruediv__': _rtruediv,
    '__floordiv__': _binop(arith.floor_divide), '__rfloordiv__': _binop(arith.floor_divide, True),
    '__mod__': _binop(arith.remainder), '__rmod__': _binop(arith.remainder, True),
    '__pow__': _binop(power.pow), '__rpow__': _binop(power.pow, True),
    '__matmul__': _binop(matmul.matmul), '__rmatmul__': _binop(matmul.matmul, True),
    '__and__': _binop(compare.bitwise_and), '__rand__': _binop(compare.bitwise_and),
    '__or__': _binop(compare.bitwise_or), '__ror__': _binop(compare.bitwise_or),
    '__xor__': _binop(compare.bitwise_xor), '__rxor__': _binop(compare.bitwise_xor),
    '__iadd__': _inplace(arith.add_), '__isub__': _inplace(arith.sub_),
    '__imul__': _inplace(arith.mul_), '__itruediv__': _inplace(arith.div_),
    '__ipow__': _inplace(power.pow_), '__imod__': _inplace(arith.remainder_),
    '__ifloordiv__': _inplace(arith.floor_divide_),
    '__iand__': _inplace(compare.bitwise_and_), '__ior__': _inplace(compare.bitwise_or_),
    '__ixor__': _inplace(compare.bitwise_xor_),
    '__eq__': _eq(compare.eq), '__ne__': _eq(compare.ne),
    '__lt__': _binop(compare.lt), '__le__': _binop(compare.le),
    '__gt__': _binop(compare.gt), '__ge__': _binop(compare.ge),
    '__neg__': unary.neg, '__pos__': _positive, '__abs__': unary.abs,
    '__invert__': _invert,
    '__getitem__': index.getitem, '__setitem__': index.setitem,
}

METHODS = {
    # arithmetic
    'add': arith.add, 'add_': arith.add_, 'sub': arith.sub, 'sub_': arith.sub_,
    'subtract': arith.sub, 'mul': arith.mul, 'mul_': arith.mul_, 'multiply': arith.mul,
    'div': arith.div, 'div_': arith.div_, 'divide': arith.div, 'true_divide': arith.true_divide,
    'floor_divide': arith.floor_divide, 'floor_divide_': arith.floor_divide_,
    'remainder': arith.remainder, 'remainder_': arith.remainder_,
    'pow': power.pow, 'pow_': power.pow_, 'maximum': minmax.maximum, 'minimum': minmax.minimum,
    # unary
    'clamp': clamp_method, 'clamp_': unary.clamp_, 'clip': clip_method, 'clip_': unary.clip_,
    'clamp_min': unary.clamp_min, 'clamp_max': unary.clamp_max, 'square': unary.square,
    # comparison / logic
    'eq': compare.eq_method, 'ne': compare.ne_method, 'lt': compare.lt_method, 'le': compare.le_method,
    'gt': compare.gt_method, 'ge': compare.ge_method, 'eq_': compare.eq_, 'ne_': compare.ne_,
    'lt_': compare.lt_, 'le_': compare.le_, 'gt_': compare.gt_, 'ge_': compare.ge_,
    'greater': compare.greater_method, 'less': compare.less_method,
    'greater_equal': compare.greater_equal_method, 'less_equal': compare.less_equal_method,
    'not_equal': compare.not_equal_method, 'logical_and': compare.logical_and_method,
    'logical_or': compare.logical_or_method, 'logical_xor': compare.logical_xor_method,
    'logical_not': compare.logical_not,
    'bitwise_and': compare.bitwise_and, 'bitwise_or': compare.bitwise_or,
    'bitwise_xor': compare.bitwise_xor, 'bitwise_not': compare.bitwise_not,
    'isnan': compare.isnan, 'isinf': compare.isinf, 'isfinite': compare.isfinite,
    'where': compare.where_method,
    'masked_fill': compare.masked_fill, 'masked_fill_': compare.masked_fill_,
    # reductions
    'sum': reduce.sum, 'mean': reduce.mean, 'prod': reduce.prod, 'max': extremes.max,
    'min': extremes.min, 'amax': extremes.amax, 'amin': extremes.amin, 'argmax': extremes.argmax,
    'argmin': extremes.argmin, 'any': reduce.any, 'all': reduce.all, 'sum_to_size': reduce.sum_to_size,
    'std': stats.std, 'var': stats.var, 'norm': stats.norm,
    # shape and views
    'view': shape.view, 'view_as': shape.view_as, 'reshape': shape.reshape,
    'reshape_as': shape.reshape_as, 'transpose': shape.transpose, 'swapaxes': shape.transpose,
    'swapdims': shape.transpose, 't': shape.t, 'permute': shape.permute, 'expand': shape.expand,
    'expand_as': shape.expand_as, 'squeeze': shape.squeeze, 'unsqueeze': shape.unsqueeze,
    'flatten': shape.flatten, 'unflatten': shape.unflatten, 'select': select.select,
    'narrow': select.narrow, 'diagonal': select.diagonal, 'unbind': join.unbind, 'split': join.split_method,
    'chunk': join.chunk,
    # copies and conversions
    'clone': convert.clone, 'contiguous': convert.contiguous, 'to': convert.to, 'cpu': convert.cpu,
    'cuda': convert.cuda, 'xpu': other_devices.xpu, 'ipu': other_devices.ipu, 'mtia': other_devices.mtia,
    'pin_memory': convert.pin_memory, 'is_pinned': convert.is_pinned,
    'float': convert.float_, 'double': convert.double, 'half': convert.half,
    'bfloat16': convert.bfloat16, 'long': convert.long, 'int': convert.int_, 'short': convert.short,
    'char': convert.char, 'byte': convert.byte, 'bool': convert.bool_, 'type_as': convert.type_as,
    # writes
    'copy_': index.copy_, 'fill_': index.fill_, 'zero_': index.zero_, 'nonzero': index.nonzero,
    # linear algebra
    'matmul': matmul.matmul, 'mm': matmul.mm, 'bmm': matmul.bmm, 'mv': matmul.mv, 'dot': matmul.dot,
    'outer': matmul.outer, 'ger': matmul.ger,
    'softmax': nn_ops.softmax, 'log_softmax': nn_ops.log_softmax,
    # creation from a tensor
    'new_ones': creation.new_ones, 'new_zeros': creation.new_zeros, 'new_full': creation.new_full,
    'new_empty': creation.new_empty, 'new_tensor': creation.new_tensor,
}

for _name in ('exp', 'log', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'abs', 'neg',
              'reciprocal', 'sign', 'log2', 'log10', 'log1p', 'expm1'):
    METHODS[_name] = getattr(unary, _name)
    METHODS[_name + '_'] = getattr(unary, _name + '_')
METHODS['negative'] = unary.neg
METHODS['absolute'] = unary.abs


def _t_(self):
    """In-place transpose of a 2-D tensor (changes this tensor's shape, not its storage)."""
    if self.dim() > 2:
        raise RuntimeError(f't_() expects a tensor with <= 2 dimensions, but self is {self.dim()}D')
    return _restride(self, shape.t(self))


def _unsqueeze_(self, dim):
    return _restride(self, shape.unsqueeze(self, dim))


def _squeeze_(self, dim=None):
    return _restride(self, shape.squeeze(self, dim))


def _transpose_(self, dim0, dim1):
    return _restride(self, shape.transpose(self, dim0, dim1))


_INPLACE_NAMES = {}


def _inplace_node(node):
    """The out-of-place view node renamed as PyTorch names the in-place form (TBackward0 ->
    TBackward1, SqueezeBackward0/1/2 -> 3/4/5, ...); same behaviour."""
    cls = type(node)
    alias = _INPLACE_NAMES.get(cls)
    if alias is None:
        stem, k = cls.__name__.rsplit('Backward', 1)
        shift = 3 if stem == 'Squeeze' else 1
        alias = _INPLACE_NAMES[cls] = type(f'{stem}Backward{int(k) + shift}', (cls,), {'__module__': cls.__module__})
    node.__class__ = alias
    return node


def _restride(self, result):
    from .autograd import grad_mode
    if grad_mode.is_grad_enabled():
        if self.grad_fn is None and self._requires_grad:
            raise RuntimeError('a leaf Variable that requires grad is being used in an in-place operation.')
        base = self._base
        if base is not None and base._requires_grad and base._grad_fn is None:
            raise RuntimeError('a view of a leaf Variable that requires grad is being used in an in-place operation.')
    self._data = result._data
    if result.grad_fn is not None:
        self._grad_fn, self._output_nr = _inplace_node(result._grad_fn), result._output_nr
        if self._base is None:
            self._graph_gen += 1         # views taken before now see a new geometry: AsStridedBackward0
    if self._base is not None and result._base is not None:
        self._view_chain = result._view_chain        # its geometry relative to the base, for later replays
    self._vc[0] += 1
    return self


METHODS.update({'t_': _t_, 'unsqueeze_': _unsqueeze_, 'squeeze_': _squeeze_, 'transpose_': _transpose_})


# Op modules that declare their own Tensor methods (METHODS) and ember.* functions (__all__).
EXTRA_MODULES = tuple(importlib.import_module('.ops.' + _m, __package__) for _m in (
    'unary_more', 'special_fns', 'pointwise_more', 'lerp_addc', 'closeness', 'scan', 'reduce_more', 'unique', 'shape_more',
    'triangular', 'gather', 'index_ops', 'put', 'sort', 'bins', 'blas', 'einsum', 'linalg_ops', 'linalg_decomp',
    'views_more', 'build_more', 'gamma', 'numeric_more', 'stats_more', 'nn_toplevel', 'linalg_tri', 'linalg_lu',
    'ctc', 'linalg_householder', 'storage', 'toplevel_more', 'complex_real', 'complex_views', 'fft', 'stft',
    'linalg_solve_more', 'lowrank', 'histogramdd', 'copies', 'segment', 'rnn_toplevel', 'linear_ce',
    'sparse_api_dense', 'creation_layout'))
for _m in EXTRA_MODULES:
    METHODS.update(getattr(_m, 'METHODS', {}))


# NumPy's keyword spellings that PyTorch's native ops take for ``dim``/``keepdim``. Ops PyTorch writes
# in Python (split, norm, unique, ...) refuse them, so ember's forms of those stay unwrapped.
_ALIASES = {'axis': 'dim', 'keepdims': 'keepdim'}
NO_AXIS_METHODS = frozenset(('split', 'norm', 'unique', 'unique_consecutive', 'unflatten'))
NO_AXIS_FUNCTIONS = frozenset(('split', 'norm', 'unique', 'unique_consecutive'))


def _has_dim(fn):
    code = getattr(fn, '__code__', None)
    return code is not None and 'dim' in code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]


def accept_axis(fn, name, method=False):
    """``fn`` taking ``axis=``/``keepdims=`` for ``dim=``/``keepdim=`` as PyTorch does (a thin wrapper;
    calls without those keywords go straight through). For the reductions it also refuses what
    PyTorch's argument parser refuses (``x.sum(0, 1)``: keepdim must be a bool; see ops/argcheck.py)."""
    spec = argcheck.rule(name)
    code = getattr(fn, '__code__', None)
    first = code.co_varnames[0] if code is not None and code.co_argcount else 'input'

    def op(*args, **kw):
        if spec is not None and (len(args) > 2 or kw):
            argcheck.check(spec, name, method, args, kw)
        if kw and ('axis' in kw or 'keepdims' in kw):
            for alias, real in _ALIASES.items():
                if alias in kw:
                    if real in kw:
                        raise TypeError(f"{name}() got an unexpected keyword argument '{alias}'")
                    kw[real] = kw.pop(alias)
            try:
                return fn(*args, **kw)
            except TypeError as e:       # also given by position: PyTorch names the alias
                if 'multiple values' not in str(e):
                    raise
                bad = 'axis' if 'dim' in str(e) else 'keepdims'
                raise TypeError(f"{name}() got an unexpected keyword argument '{bad}'") from None
        try:
            return fn(*args, **kw)
        except AttributeError:           # a list, a number, ... for the tensor: the parser's TypeError
            argcheck.bad_input(name, args, kw, first)
    op.__name__, op.__qualname__, op.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    op.__module__, op.__wrapped__ = fn.__module__, fn
    return op


def alias_axis(namespace, skip, method=False):
    """Wrap (with :func:`accept_axis`) each function in ``namespace`` that has a ``dim`` parameter."""
    for name, fn in list(namespace.items()):
        if name not in skip and not name.startswith('_') and (_has_dim(fn) or name in ('topk', 'kthvalue')):
            namespace[name] = accept_axis(fn, name, method)


def _layout(self):
    from ._dtype import strided
    return strided


def install():
    table = {**OPERATORS, **METHODS}
    alias_axis(table, NO_AXIS_METHODS, method=True)
    for name, fn in table.items():
        setattr(Tensor, name, fn)
    Tensor.layout = property(_layout)
    Tensor.T = property(shape.T)
    Tensor.mT = property(shape.mT)
    Tensor.H = property(shape.H)
    Tensor.mH = property(shape.mH)
