"""ember.nn: modules, parameters, functional and init."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from .modules import Module  # noqa: F401
from . import functional, init, attention, _reduction  # noqa: F401
# (not `from . import utils`: the star import above brought nn.modules.utils in under that name)
utils = __import__('importlib').import_module('.utils', __name__)
from .parallel import DataParallel  # noqa: F401,E402  (also makes ember.nn.parallel reachable)
