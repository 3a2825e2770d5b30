"""Named tuples returned by max(dim), min(dim), sort, topk, ...: ``ember.return_types.max``."""
import collections
import sys

_types = {}


def _define(name, fields=('values', 'indices')):
    base = collections.namedtuple(name, fields)

    def __repr__(self):
        body = ',\n'.join(f'{f}={v!r}' for f, v in zip(self._fields, self))
        return f'ember.return_types.{name}(\n{body})'
    n = len(fields)
    cls = type(name, (base,), {'__repr__': __repr__, '__slots__': (), '__module__': 'ember.return_types',
                               'n_fields': n, 'n_sequence_fields': n, 'n_unnamed_fields': 0})
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
for _n in ('nanmedian', 'sort_out', 'topk_out', 'kthvalue_out', 'max_out', 'min_out'):
    _define(_n)
for _n, _f in (('histogram', ('hist', 'bin_edges')), ('histogram_out', ('hist', 'bin_edges')),
               ('linalg_slogdet', ('sign', 'logabsdet')), ('linalg_qr', ('Q', 'R')),
               ('linalg_svd', ('U', 'S', 'Vh')), ('linalg_eigh', ('eigenvalues', 'eigenvectors')),
               ('linalg_inv_ex', ('inverse', 'info')), ('linalg_cholesky_ex', ('L', 'info')),
               ('linalg_solve_ex', ('result', 'info')),
               ('linalg_lstsq', ('solution', 'residuals', 'rank', 'singular_values'))):
    _define(_n, _f)
# the types of the results written into out= tuples (PyTorch names them <op>_out)
for _n, _f in (('linalg_qr_out', ('Q', 'R')), ('qr_out', ('Q', 'R')), ('linalg_svd_out', ('U', 'S', 'Vh')),
               ('svd_out', ('U', 'S', 'V')), ('linalg_eigh_out', ('eigenvalues', 'eigenvectors')),
               ('linalg_eig_out', ('eigenvalues', 'eigenvectors')), ('linalg_lu_out', ('P', 'L', 'U')),
               ('lu_unpack_out', ('P', 'L', 'U')), ('linalg_lu_factor_out', ('LU', 'pivots')),
               ('linalg_lu_factor_ex_out', ('LU', 'pivots', 'info')), ('linalg_inv_ex_out', ('inverse', 'info')),
               ('linalg_solve_ex_out', ('result', 'info')), ('linalg_cholesky_ex_out', ('L', 'info')),
               ('linalg_slogdet_out', ('sign', 'logabsdet')), ('slogdet_out', ('sign', 'logabsdet')),
               ('linalg_lstsq_out', ('solution', 'residuals', 'rank', 'singular_values')),
               ('triangular_solve_out', ('solution', 'cloned_coefficient'))):
    _define(_n, _f)


def make_return(name, *values):
    return _types[name](*values)


globals().update(_types)
sys.modules.setdefault('ember.return_types', sys.modules[__name__])    # pickle finds the types by that name
