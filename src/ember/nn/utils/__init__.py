"""ember.nn.utils: gradient clipping, parameter/vector conversion, padded and packed sequences."""
from . import rnn  # noqa: F401
from .clip_grad import (clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_,  # noqa: F401
                        get_total_norm)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from . import parametrize, parametrizations, stateless  # noqa: F401,E402
from .weight_norm import weight_norm, remove_weight_norm  # noqa: F401,E402
from .spectral_norm import spectral_norm, remove_spectral_norm  # noqa: F401,E402
from .fusion import (fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval,  # noqa: F401,E402
                     fuse_linear_bn_weights)
from .init import skip_init  # noqa: F401,E402
from . import prune  # noqa: F401,E402
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format  # noqa: F401,E402

__all__ = ['rnn', 'clip_grad_norm', 'clip_grad_norm_', 'clip_grad_value_', 'clip_grads_with_norm_', 'get_total_norm',
           'parameters_to_vector', 'vector_to_parameters', 'parametrize', 'parametrizations', 'stateless',
           'weight_norm', 'remove_weight_norm', 'spectral_norm', 'remove_spectral_norm', 'fuse_conv_bn_eval',
           'fuse_conv_bn_weights', 'fuse_linear_bn_eval', 'fuse_linear_bn_weights', 'skip_init']
__all__ += ['convert_conv2d_weight_memory_format', 'convert_conv3d_weight_memory_format']
