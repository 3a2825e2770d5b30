"""ember.backends.mkl: NumPy here may use any BLAS; ember does not call MKL itself."""


def is_available():
    return False
