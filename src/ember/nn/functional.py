"""ember.nn.functional: the stateless forms of the layers (one definition each in ember/ops)."""
from ..ops.nn_ops import (linear, softmax, log_softmax, nll_loss, cross_entropy, mse_loss,  # noqa: F401
                          gaussian_nll_loss)
from ..ops.unary import relu as _relu, relu_ as _relu_, sigmoid, tanh  # noqa: F401
from ..ops.softmax import functional_softmax as softmax, functional_log_softmax as log_softmax  # noqa: F401,F811

softmax.__name__ = softmax.__qualname__ = 'softmax'             # as PyTorch names them in a TypeError
log_softmax.__name__ = log_softmax.__qualname__ = 'log_softmax'


def relu(input, inplace=False):
    return _relu_(input) if inplace else _relu(input)
from ..ops.conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,  # noqa: F401,E402
                        conv_transpose3d)
from ..ops.padding import pad  # noqa: F401,E402
from ..ops.pooling_api import (max_pool1d, max_pool2d, max_pool3d, avg_pool1d, avg_pool2d,  # noqa: F401,E402
                               avg_pool3d, adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d,
                               adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d, max_unpool1d,
                               max_unpool2d, max_unpool3d)


def max_pool1d_with_indices(*args, **kwargs):
    return max_pool1d(*args, **dict(kwargs, return_indices=True))


def max_pool2d_with_indices(*args, **kwargs):
    return max_pool2d(*args, **dict(kwargs, return_indices=True))


def max_pool3d_with_indices(*args, **kwargs):
    return max_pool3d(*args, **dict(kwargs, return_indices=True))


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool1d(input, output_size, return_indices=True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool2d(input, output_size, return_indices=True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool3d(input, output_size, return_indices=True)
from ..ops.normalization import (batch_norm, layer_norm, group_norm, instance_norm, rms_norm,  # noqa: F401,E402
                                 normalize, local_response_norm)
from ..ops.activation import (leaky_relu, elu, selu, celu, gelu, silu, mish, softplus, hardtanh,  # noqa: F401,E402
                              relu6, hardswish, hardsigmoid, logsigmoid, softsign, tanhshrink, softshrink,
                              hardshrink, threshold, glu, prelu, softmin)
from ..ops.dropout import (dropout, dropout1d, dropout2d, dropout3d, alpha_dropout,  # noqa: F401,E402
                           feature_alpha_dropout)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, True)


def elu_(input, alpha=1.0):
    return elu(input, alpha, True)


def relu_(input):
    return _relu_(input)


from ..ops.activation import threshold as _threshold  # noqa: E402  (threshold_'s parameter shadows the name)


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, True)
from ..ops.pairwise import cosine_similarity, pairwise_distance  # noqa: F401,E402
from ..ops.losses import (l1_loss, smooth_l1_loss, huber_loss, soft_margin_loss,  # noqa: F401,E402
                          binary_cross_entropy, binary_cross_entropy_with_logits, kl_div,
                          margin_ranking_loss, hinge_embedding_loss, cosine_embedding_loss,
                          triplet_margin_loss, poisson_nll_loss,
                          multilabel_soft_margin_loss)
from ..ops.resample import interpolate, upsample, pixel_shuffle, pixel_unshuffle  # noqa: F401,E402
from ..ops.embedding import embedding, embedding_bag, one_hot  # noqa: F401,E402
from .modules.linear import bilinear  # noqa: F401,E402
from ..ops.attention import (scaled_dot_product_attention, multi_head_attention_forward, _canonical_mask,  # noqa: F401,E402
                             _none_or_dtype, _mha_shape_check, _in_projection_packed, _in_projection)
from ..ops.pairwise import multi_margin_loss, multilabel_margin_loss  # noqa: F401,E402
from ..ops.fold import unfold, fold  # noqa: F401,E402
from ..ops.nn_more import *  # noqa: F401,F403,E402
from ..ops.grid_sample import *  # noqa: F401,F403,E402
from ..ops.ctc import functional_ctc_loss as ctc_loss  # noqa: F401,E402
from ..ops.nn_gaps import *  # noqa: F401,F403,E402
from ..ops.pooling_fractional import (fractional_max_pool2d, fractional_max_pool3d,  # noqa: F401,E402
                                      fractional_max_pool2d_with_indices, fractional_max_pool3d_with_indices)
from ..ops.linear_ce import linear_cross_entropy  # noqa: F401,E402
from . import grad  # noqa: F401,E402  (F.grad, as torch.nn.functional.grad)
