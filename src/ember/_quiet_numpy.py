"""NumPy warns about inf/nan results (log(0), 0/0); PyTorch never does. ember silences those
warnings only where its own code calls NumPy (a warnings filter on ember's modules), leaving the
user's NumPy code alone. A filter the user adds later (``warnings.simplefilter('error')``) sits in
front of ember's; code paths that must stay quiet then use ``np.errstate`` (see
``autograd.engine.execute`` and ``ops._op.apply``)."""
import warnings

warnings.filterwarnings('ignore', message=r'(divide by zero|invalid value|overflow) encountered',
                        category=RuntimeWarning, module=r'ember\.')
_OURS = warnings.filters[0]


def filter_first():
    """Whether ember's filter still comes first (no user filter can then catch these warnings)."""
    filters = warnings.filters
    return bool(filters) and filters[0] is _OURS
