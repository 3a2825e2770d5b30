"""ember.backends.openmp: ember's CPU threads come from NumPy's BLAS, not OpenMP."""


def is_available():
    return False
