"""``ember.version``: what ``torch.version`` tells about the build (``__version__``, ``cuda``, ...).

``cuda`` is the CUDA runtime version CuPy runs on (``'13.0'``), or None without CuPy or a GPU, as
torch's CPU build says None; it is looked up on first read, so importing ember never imports CuPy."""
__all__ = ['__version__', 'debug', 'cuda', 'git_version', 'hip', 'rocm', 'xpu']

# The PyTorch API ember follows, with ember's own release as the local label (as torch labels its
# builds '+cpu', '+cu121'): version checks in user code (``torch.__version__ >= '2.0'``,
# ``packaging.version.parse(torch.__version__)``) see the API they were written for, and the text
# still says what runs them.
EMBER_VERSION = '0.1.0'
TORCH_API_VERSION = '2.13.0'
__version__ = f'{TORCH_API_VERSION}+ember.{EMBER_VERSION}'
debug = False
git_version = 'Unknown'
hip = None
rocm = None
xpu = None


def _cuda_version():
    try:
        from ._backend import cuda_reason
        if cuda_reason() is not None:
            return None
        import cupy
        v = cupy.cuda.runtime.runtimeGetVersion()
    except Exception:
        return None
    return f'{v // 1000}.{v % 1000 // 10}'


def __getattr__(name):
    if name == 'cuda':
        value = _cuda_version()
        globals()['cuda'] = value
        return value
    raise AttributeError(f"module 'ember.version' has no attribute '{name}'")
