"""PyTorch's ``torch.nn.modules.<file>`` import paths for classes ember defines elsewhere.

ember's layer files are cut differently from PyTorch's (``Upsample`` lives in pixelshuffle.py,
``LSTMCell`` in rnn_cell.py, ...). Programs import from PyTorch's paths
(``from torch.nn.modules.batchnorm import _BatchNorm``), so this module (run once from the
package's ``__init__``) creates the paths PyTorch has and ember lacks as small module objects,
and adds to ember's same-named files the classes PyTorch exports from them."""
import sys

from ..._module_alias import alias_module

# PyTorch's module -> names it exports that ember defines in another file
NAMES = {
    'activation': ('RReLU', 'MultiheadAttention'),
    'batchnorm': ('LazyBatchNorm1d', 'LazyBatchNorm2d', 'LazyBatchNorm3d', 'SyncBatchNorm', '_LazyNormBase'),
    'conv': ('LazyConv1d', 'LazyConv2d', 'LazyConv3d', 'LazyConvTranspose1d', 'LazyConvTranspose2d',
             'LazyConvTranspose3d', '_LazyConvXdMixin'),
    'linear': ('LazyLinear',),
    'loss': ('LinearCrossEntropyLoss', 'TripletMarginWithDistanceLoss', 'CTCLoss'),
    'normalization': ('CrossMapLRN2d',),
    'pooling': ('FractionalMaxPool2d', 'FractionalMaxPool3d', 'LPPool1d', 'LPPool2d', 'LPPool3d', '_LPPoolNd'),
    'rnn': ('RNNCellBase', 'RNNCell', 'LSTMCell', 'GRUCell'),
}
# PyTorch's modules that ember has no file for -> their names
MODULES = {
    'upsampling': ('Upsample', 'UpsamplingNearest2d', 'UpsamplingBilinear2d'),
    'instancenorm': ('InstanceNorm1d', 'InstanceNorm2d', 'InstanceNorm3d', 'LazyInstanceNorm1d',
                     'LazyInstanceNorm2d', 'LazyInstanceNorm3d', '_InstanceNorm', '_NormBase', '_LazyNormBase'),
    'channelshuffle': ('ChannelShuffle',),
    'linear_cross_entropy_options': ('LinearCrossEntropyOptions',),
    'linear_cross_entropy': (),
}


def _find(package, name):
    value = getattr(package, name, None)
    if value is not None:
        return value
    for mod in ('batchnorm', 'lazy_more', 'more_layers'):    # the private bases
        value = getattr(sys.modules.get(f'{package.__name__}.{mod}'), name, None)
        if value is not None:
            return value
    raise AttributeError(name)


def install(package):
    """Fills ``package`` (ember.nn.modules) with PyTorch's paths (see NAMES and MODULES)."""
    for file, names in NAMES.items():
        mod = sys.modules[f'{package.__name__}.{file}']
        for name in names:
            if not hasattr(mod, name):
                setattr(mod, name, _find(package, name))
    for file, names in MODULES.items():
        alias_module(package, file, {n: _find(package, n) for n in names})
