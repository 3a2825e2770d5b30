from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict  # noqa: F401
from .linear import Linear, Identity  # noqa: F401
from .activation import ReLU, Sigmoid, Tanh, Softmax, LogSoftmax  # noqa: F401
from .loss import MSELoss, CrossEntropyLoss, NLLLoss  # noqa: F401
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d  # noqa: F401
from .padding import (ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d,  # noqa: F401
                      ReflectionPad1d, ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d,
                      ReplicationPad3d, CircularPad1d, CircularPad2d, CircularPad3d)
from .pooling import (MaxPool1d, MaxPool2d, MaxPool3d, AvgPool1d, AvgPool2d, AvgPool3d,  # noqa: F401
                      AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool1d,
                      AdaptiveMaxPool2d, AdaptiveMaxPool3d, MaxUnpool1d, MaxUnpool2d, MaxUnpool3d)
from .pooling_fractional import FractionalMaxPool2d, FractionalMaxPool3d  # noqa: F401
from .batchnorm import (BatchNorm1d, BatchNorm2d, BatchNorm3d, InstanceNorm1d, InstanceNorm2d,  # noqa: F401
                        InstanceNorm3d)
from .normalization import LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm  # noqa: F401
from .activation import (SELU, SiLU, Mish, Hardswish, Hardsigmoid, LogSigmoid, Softsign,  # noqa: F401
                         Tanhshrink, LeakyReLU, ELU, CELU, GELU, Softplus, Hardtanh, ReLU6, Threshold,
                         Softshrink, Hardshrink, GLU, Softmin, Softmax2d, PReLU)
from .dropout import Dropout, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout  # noqa: F401
from .flatten import Flatten, Unflatten  # noqa: F401
from .rnn import RNNBase, RNN, LSTM, GRU  # noqa: F401
from .rnn_cell import RNNCellBase, RNNCell, LSTMCell, GRUCell  # noqa: F401
from .sparse import Embedding, EmbeddingBag  # noqa: F401
from .pixelshuffle import Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, PixelShuffle, PixelUnshuffle  # noqa: F401
from .container import ParameterList, ParameterDict  # noqa: F401,E402
from .linear import Bilinear  # noqa: F401,E402
from .lazy import LazyModuleMixin, LazyLinear  # noqa: F401,E402
from ..parameter import Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401,E402
from .loss import (L1Loss, NLLLoss2d, PoissonNLLLoss, GaussianNLLLoss, KLDivLoss, BCELoss,  # noqa: F401,E402
                   BCEWithLogitsLoss, HingeEmbeddingLoss, SmoothL1Loss, HuberLoss, SoftMarginLoss,
                   MultiLabelSoftMarginLoss, CosineEmbeddingLoss, MarginRankingLoss, TripletMarginLoss)
from .distance import PairwiseDistance, CosineSimilarity  # noqa: F401,E402
from .activation_attention import MultiheadAttention  # noqa: F401,E402
from .transformer import (Transformer, TransformerEncoder, TransformerDecoder, TransformerEncoderLayer,  # noqa: F401,E402
                          TransformerDecoderLayer)
from .loss import MultiMarginLoss, MultiLabelMarginLoss  # noqa: F401,E402
from .fold import Fold, Unfold  # noqa: F401
from .more_layers import *  # noqa: F401,F403,E402
from .lazy_more import *  # noqa: F401,F403,E402
from .loss_ctc import *  # noqa: F401,F403,E402
from .adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: F401
from .lrn_cross_map import CrossMapLRN2d  # noqa: F401,E402
from .loss_linear_ce import LinearCrossEntropyLoss, LinearCrossEntropyOptions  # noqa: F401,E402
from .container import Container  # noqa: F401,E402
from . import utils  # noqa: F401,E402
from . import _paths  # noqa: E402
_paths.install(__import__('sys').modules[__name__])   # torch.nn.modules.upsampling, ... import paths
