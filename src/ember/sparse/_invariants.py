"""``ember.sparse.check_sparse_tensor_invariants``: the process-wide default of the sparse
constructors' ``check_invariants`` argument (off), which PyTorch warns about once when a
constructor relies on it before the program chose it explicitly."""
import warnings

_state = {'on': False, 'chosen': False, 'warned': False}

_IMPLICIT = ('Sparse invariant checks are implicitly disabled. Memory errors (e.g. SEGFAULT) will occur when '
             'operating on a sparse tensor which violates the invariants, but checks incur performance overhead. '
             'To silence this warning, explicitly opt in or out. See '
             '`ember.sparse.check_sparse_tensor_invariants.__doc__` for guidance.')


def default(stacklevel=3):
    """The ``check_invariants`` a constructor given None uses (warns once while never chosen)."""
    if not _state['chosen'] and not _state['warned']:
        _state['warned'] = True
        warnings.warn(_IMPLICIT, UserWarning, stacklevel=stacklevel)
    return _state['on']


def _choose(on):
    _state['on'], _state['chosen'] = bool(on), True


class check_sparse_tensor_invariants:
    """A tool to control checking sparse tensor invariants.

    ``check_sparse_tensor_invariants.enable()`` / ``.disable()`` set the default of the sparse
    constructors' ``check_invariants`` argument; an instance is a context manager (and a function
    decorator) that sets it to ``enable`` meanwhile."""

    @staticmethod
    def is_enabled():
        return _state['on']

    @staticmethod
    def enable():
        _choose(True)

    @staticmethod
    def disable():
        _choose(False)

    def __init__(self, enable=True):
        self.state = enable
        self.saved_state = None

    def __enter__(self):
        if self.saved_state is not None:
            raise RuntimeError('This context manager instance is already activated. Use a different context '
                               'manager instance for context nesting.')
        self.saved_state = self.is_enabled()
        _choose(self.state)

    def __exit__(self, exc_type, exc_value, traceback):
        _choose(self.saved_state)
        self.saved_state = None

    def __call__(self, mimic):
        def test_mth(*args, **kwargs):
            with type(self)(self.state):
                return mimic(*args, **kwargs)
        return test_mth
