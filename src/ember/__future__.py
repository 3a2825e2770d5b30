"""``ember.__future__``: opt-in switches for behaviour PyTorch plans to change. Two govern what
``Module.to()/float()/cuda()/...`` do with parameters: by default a parameter keeps its identity
and gets new data; with overwrite on, each parameter (and its grad) is a new object."""
_overwrite_module_params_on_conversion = False
_swap_module_params_on_conversion = False


def set_overwrite_module_params_on_conversion(value):
    """Whether module conversions make new Parameter objects instead of changing their data."""
    global _overwrite_module_params_on_conversion
    _overwrite_module_params_on_conversion = value


def get_overwrite_module_params_on_conversion():
    return _overwrite_module_params_on_conversion


def set_swap_module_params_on_conversion(value):
    """Whether module conversions swap the converted tensors into the existing parameters
    (identity kept, as ember's default conversion does)."""
    global _swap_module_params_on_conversion
    _swap_module_params_on_conversion = value


def get_swap_module_params_on_conversion():
    return _swap_module_params_on_conversion
