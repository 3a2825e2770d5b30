"""ember: PyTorch, re-built in Python on NumPy (CPU) and CuPy (GPU).

    import ember as torch
"""
import warnings as _warnings

from . import _quiet_numpy  # noqa: E402,F401  (NumPy's inf/nan warnings: see there)

from . import _dtype  # noqa: E402
from ._dtype import (dtype, float32, float64, float16, bfloat16, uint8, int8, int16, int32, int64,  # noqa: F401
                     get_default_dtype, set_default_dtype, promote_types)
from ._dtype import bool_ as bool  # noqa: A001
from ._dtype import (uint16, uint32, uint64, complex64, complex128, layout, memory_format, strided, contiguous_format,  # noqa: F401
                     preserve_format, channels_last, channels_last_3d, sparse_coo, sparse_csr, sparse_csc, sparse_bsr,
                     sparse_bsc)
from ._device import device, set_default_device, get_default_device  # noqa: F401
from ._size import Size  # noqa: F401
from ._tensor import Tensor  # noqa: F401
from . import _methods
from .ops import argcheck as _argcheck
from .autograd import (no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: F401
                       is_grad_enabled, is_inference_mode_enabled)
from . import autograd  # noqa: F401
from .autograd.anomaly import is_anomaly_enabled, is_anomaly_check_nan_enabled, set_anomaly_enabled  # noqa: F401,E501
from ._tensor_str import set_printoptions, get_printoptions, printoptions  # noqa: F401
from .ops.creation import (tensor, as_tensor, asarray, from_numpy, zeros, ones, empty, full, eye,  # noqa: F401
                           zeros_like, ones_like, empty_like, full_like,
                           scalar_tensor)
from .ops.legacy import LEGACY as _LEGACY
from .ops.ranges import range_ as range  # noqa: A001
from .ops.random import (Generator, default_generator, manual_seed, seed, initial_seed,  # noqa: F401
                         get_rng_state, set_rng_state, rand, randn, randint, randperm, normal,
                         rand_like, randn_like, randint_like, bernoulli, multinomial)
from .ops.random_fill import FILLERS as _FILLERS  # noqa: E402
from .ops.arith import add, sub, rsub, mul, div, true_divide, floor_divide, remainder  # noqa: F401
from .ops.power import pow  # noqa: F401,A004
from .ops.minmax import maximum, minimum  # noqa: F401
from .ops.unary import (exp, log, sqrt, rsqrt, sin, cos, tanh, sigmoid, relu, abs, neg, negative,  # noqa: F401
                        absolute, reciprocal, sign, log2, log10, log1p, expm1, square, clamp, clip,
                        clamp_min, clamp_max, exp_, relu_, sigmoid_, tanh_)
from .ops.compare import (eq, ne, lt, le, gt, ge, greater, greater_equal, less, less_equal,  # noqa: F401
                          not_equal, logical_and, logical_or, logical_xor, logical_not, bitwise_and,
                          bitwise_or, bitwise_xor, bitwise_not, isnan, isinf, isfinite, where, masked_fill)
from .ops.reduce import sum, mean, prod, any, all  # noqa: F401,A004
from .ops.extremes import max, min, amax, amin, argmax, argmin  # noqa: F401,A004
from .ops.stats import std, var, var_mean, std_mean, norm  # noqa: F401
from .ops.shape import (reshape, transpose, t, permute, squeeze, unsqueeze, flatten,  # noqa: F401
                        unflatten)
from .ops.select import select, narrow, diagonal  # noqa: F401
from .ops.shape import transpose as swapaxes, transpose as swapdims  # noqa: F401
from .ops.join import cat, concat, concatenate, stack, split, chunk, unbind  # noqa: F401
from .ops.convert import clone  # noqa: F401
from .ops.index import nonzero  # noqa: F401
from .ops.matmul import matmul, mm, bmm, mv, dot, outer, ger  # noqa: F401
from .ops import return_types  # noqa: F401
from . import nn, optim  # noqa: F401,E402
from .nn.utils.weight_norm import norm_except_dim, _weight_norm, _weight_norm_interface  # noqa: F401,E402
from . import __future__  # noqa: F401,E402
from ._dtype import finfo, iinfo, can_cast  # noqa: F401,E402
from .ops.ranges import arange, linspace, logspace, tril_indices, triu_indices  # noqa: F401,E402
from .ops.random import poisson, binomial  # noqa: F401,E402
from .ops.gamma_draws import (_standard_gamma, _standard_gamma_grad, _dirichlet_grad,  # noqa: F401,E402
                              _sample_dirichlet)
from .ops.nn_ops import softmax, log_softmax  # noqa: F401,E402

from .ops.argcheck import alias as _alias  # noqa: E402
subtract, multiply, divide = _alias(sub, 'subtract'), _alias(mul, 'multiply'), _alias(div, 'divide')

_methods.install()
from . import amp  # noqa: E402,F401
from .amp import autocast_mode as _autocast_mode  # noqa: E402
globals().update({_n: getattr(_autocast_mode, _n) for _n in _autocast_mode.TOP_LEVEL})
for _m in _methods.EXTRA_MODULES:
    globals().update({_n: getattr(_m, _n) for _n in getattr(_m, '__all__', ())})
from . import linalg, special, distributions, func, fft, signal  # noqa: F401,E402
from . import random  # noqa: F401,E402
from .func import vmap  # noqa: F401,E402
from . import serialization, storage  # noqa: E402,F401
from . import hub  # noqa: F401,E402
from . import utils  # noqa: F401,E402
from .utils.dlpack import from_dlpack  # noqa: F401,E402
from .ops.pairwise import (cosine_similarity, pairwise_distance, margin_ranking_loss,  # noqa: F401,E402
                           hinge_embedding_loss, cosine_embedding_loss, triplet_margin_loss)
from .ops.losses import kl_div, binary_cross_entropy_with_logits, poisson_nll_loss  # noqa: F401,E402
from .serialization import save, load  # noqa: F401,E402
for _name, _fn in _FILLERS.items():
    setattr(Tensor, _name, _fn)
globals().update(_LEGACY)

float = float32  # noqa: A001
double = float64
cfloat = complex64
cdouble = complex128
half = float16
short = int16
int = int32  # noqa: A001
long = int64

from .torch_version import TorchVersion as _TorchVersion  # noqa: E402
from .version import __version__ as _v  # noqa: E402
__version__ = _TorchVersion(_v)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    try:
        return input.is_floating_point()
    except AttributeError:                      # not a tensor: the parser's TypeError
        _argcheck.bad_input('is_floating_point', (input,))


def result_type(tensor1, tensor2):
    return _dtype.result_type(tensor1, tensor2)


from ._threads import set_num_threads, get_num_threads, set_num_interop_threads, get_num_interop_threads  # noqa: E402,F401,E501
from . import cuda, backends, cpu, accelerator  # noqa: E402,F401
from .ops._devices import OutOfMemoryError  # noqa: E402,F401
from .amp import GradScaler  # noqa: E402,F401
from . import distributed  # noqa: F401,E402
from . import multiprocessing  # noqa: F401,E402
from . import testing  # noqa: F401,E402
from . import compiler, jit, version, _dynamo, profiler, sparse  # noqa: F401,E402
from .sparse import sparse_coo_tensor, spmm  # noqa: F401,E402
from .compiler import compile  # noqa: F401,E402,A004
from .ops.foreach import functions as _foreach_functions  # noqa: E402
globals().update(_foreach_functions())

import math as _math  # noqa: E402
import builtins as _builtins  # noqa: E402

pi, e, inf, nan, newaxis = _math.pi, _math.e, _math.inf, _math.nan, None


def detach(input):
    try:
        return input.detach()
    except AttributeError:                      # not a tensor: the parser's TypeError
        _argcheck.bad_input('detach', (input,))


def is_complex(input):
    _argcheck.need_tensor('is_complex', input)
    return input.is_complex()


def is_signed(input):
    try:
        return input.is_signed()
    except AttributeError:
        _argcheck.bad_input('is_signed', (input,))


_flags = {'deterministic': False, 'warn_only': False, 'matmul_precision': 'highest'}


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Records the flag, as PyTorch does (ember's CPU kernels are deterministic already)."""
    if type(mode) is not _builtins.bool:
        raise TypeError(f"_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
                        f'{type(mode).__name__}')
    _flags['deterministic'], _flags['warn_only'] = mode, warn_only


def are_deterministic_algorithms_enabled():
    return _flags['deterministic']


def is_deterministic_algorithms_warn_only_enabled():
    return _flags['warn_only']


def set_float32_matmul_precision(precision):
    """'highest' (full float32), 'high' or 'medium' (TF32 allowed on GPUs)."""
    if precision not in ('highest', 'high', 'medium'):
        _warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                       'setFloat32MatmulPrecision call has no effect.', UserWarning, stacklevel=2)
        return
    _flags['matmul_precision'] = precision
    backends.cuda.matmul.allow_tf32 = precision != 'highest'


def get_float32_matmul_precision():
    return _flags['matmul_precision']


# PyTorch's native ops take NumPy's axis=/keepdims= for dim=/keepdim= (ember.sum(x, axis=1)).
_methods.alias_axis(globals(), _methods.NO_AXIS_FUNCTIONS)

# PyTorch's import paths and legacy names (see each module)
from .storage import is_storage, LEGACY as _LEGACY_STORAGES  # noqa: E402
globals().update(_LEGACY_STORAGES)
from . import functional  # noqa: E402,F401
from .nn import common_types as _common_types  # noqa: E402,F401
from .autograd import anomaly_mode as _anomaly_mode  # noqa: E402,F401
from .profiler import profiler as _profiler_profiler  # noqa: E402,F401
from .utils import model_zoo as _model_zoo  # noqa: E402,F401
from . import types, overrides, xpu, mps, mtia  # noqa: E402,F401,A004
