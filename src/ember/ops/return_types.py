"""Named tuples returned by max(dim), min(dim), sort, topk, ...: ``ember.return_types.max``."""
import collections

_types = {}


def _define(name, fields=('values', 'indices')):
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ',\n'.join(f'{f}={v!r}' for f, v in zip(self._fields, self))
        return f'ember.return_types.{name}(\n{body})'
    cls = type(name, (base,), {'__repr__': __repr__, '__slots__': (), '__module__': 'ember.return_types'})
    _types[name] = cls
    return cls


for _n in ('max', 'min', 'sort', 'topk', 'kthvalue', 'median', 'mode', 'cummax', 'cummin',
           'aminmax'):
    _define(_n) if _n != 'aminmax' else _define(_n, ('min', 'max'))
_define('std_mean', ('std', 'mean'))   # PyTorch returns plain tuples for these; kept for symmetry
_define('var_mean', ('var', 'mean'))
_define('slogdet', ('sign', 'logabsdet'))
_define('qr', ('Q', 'R'))
_define('svd', ('U', 'S', 'V'))
_define('eigh', ('eigenvalues', 'eigenvectors'))
_define('unique', ('output', 'inverse_indices', 'counts'))


def make_return(name, *values):
    return _types[name](*values)


globals().update(_types)
