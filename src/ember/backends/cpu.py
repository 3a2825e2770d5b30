"""ember.backends.cpu: what the CPU can do, as NumPy reports it."""


def get_cpu_capability():
    """PyTorch names its SIMD level ('AVX2', 'AVX512', 'DEFAULT'); ember asks NumPy's build."""
    import numpy as np
    try:
        found = np._core._multiarray_umath.__cpu_features__
    except AttributeError:
        return 'DEFAULT'
    for name in ('AVX512F', 'AVX2'):
        if found.get(name):
            return 'AVX512' if name == 'AVX512F' else 'AVX2'
    return 'DEFAULT'
