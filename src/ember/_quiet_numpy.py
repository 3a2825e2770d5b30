"""NumPy warns about inf/nan results (log(0), 0/0, casts of nan to int); PyTorch never does. ember
silences those warnings only where its own code calls NumPy (a warnings filter on ember's
modules), leaving the user's NumPy code alone. A filter the user adds later
(``warnings.simplefilter('error')``) sits in front of ember's; code paths that must stay quiet
then use ``np.errstate`` (``autograd.engine.execute``, ``ops._op.apply``, the casts of
``ops.convert``), asking ``ours_first()`` whether they need to."""
import contextlib
import functools
import warnings

import numpy as np

warnings.filterwarnings('ignore', message=r'(divide by zero|invalid value|overflow) encountered',
                        category=RuntimeWarning, module=r'ember\.')
_OURS = warnings.filters[0]
_NOT_A_FILTER = object()
head = [_OURS]
_seen = [None, -1, False]      # warnings.filters[0] and len(filters) when last asked, the answer
_SAMPLES = ('invalid value encountered in cast', 'divide by zero encountered in log',
            'overflow encountered in multiply')


def ours_first():
    """Whether NumPy's inf/nan warnings raised in ember's modules meet an 'ignore' filter (ember's,
    or one of the user's) before any other filter (cached until the filter list changes: a few
    attribute reads). ``head[0]`` is the first filter of a list known to be quiet: ``apply``'s
    one-identity-test fast path."""
    filters = warnings.filters
    if filters and filters[0] is _seen[0] and len(filters) == _seen[1]:
        return _seen[2]
    ours = False
    for f in filters:
        action, msg, cat, mod, line = f
        if issubclass(RuntimeWarning, cat) and (mod is None or mod.match('ember.ops')) and (
                msg is None or any(msg.match(s) for s in _SAMPLES)):
            ours = action == 'ignore'
            break
    _seen[:] = [filters[0] if filters else None, len(filters), ours]
    head[0] = _seen[0] if ours else _NOT_A_FILTER
    return ours


_NULL = contextlib.nullcontext()


def quiet():
    """A context for ember code that calls NumPy outside an op (optimizer steps, ranges): silent
    about inf/nan whatever filters the user put in front of ember's."""
    return _NULL if ours_first() else np.errstate(all='ignore')


def quietly(fn):
    """``fn`` run inside ``quiet()``."""
    @functools.wraps(fn)
    def run(*args, **kwargs):
        with quiet():
            return fn(*args, **kwargs)
    return run
