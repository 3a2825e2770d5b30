from .module import Module  # noqa: F401
from .container import Sequential, ModuleList, ModuleDict  # noqa: F401
from .linear import Linear, Identity  # noqa: F401
from .activation import ReLU, Sigmoid, Tanh, Softmax, LogSoftmax  # noqa: F401
from .loss import MSELoss, CrossEntropyLoss, NLLLoss  # noqa: F401
