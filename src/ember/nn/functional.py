"""ember.nn.functional: the stateless forms of the layers (one definition each in ember/ops)."""
from ..ops.nn_ops import linear, softmax, log_softmax, nll_loss, cross_entropy, mse_loss  # noqa: F401
from ..ops.unary import relu as _relu, relu_ as _relu_, sigmoid, tanh  # noqa: F401


def relu(input, inplace=False):
    return _relu_(input) if inplace else _relu(input)
from ..ops.conv import (conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d,  # noqa: F401,E402
                        conv_transpose3d)
from ..ops.padding import pad  # noqa: F401,E402
