"""Module.load_state_dict: copy a state dict into a module, with PyTorch's checks and messages."""
import collections

from ...autograd import grad_mode


class _IncompatibleKeys(collections.namedtuple('IncompatibleKeys', ['missing_keys', 'unexpected_keys'])):
    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return '<All keys matched successfully>'
        return super().__repr__()

    __str__ = __repr__


def load_state_dict(module, state_dict, strict, assign):
    from ..._tensor import Tensor
    if not isinstance(state_dict, dict):
        raise TypeError(f'Expected state_dict to be dict-like, got {type(state_dict)}.')
    own = module.state_dict(keep_vars=True)
    missing = [k for k in own if k not in state_dict]
    unexpected = [k for k in state_dict if k not in own]
    errors = []
    for k, target in own.items():
        if k not in state_dict:
            continue
        src = state_dict[k]
        if not isinstance(src, Tensor):
            errors.append(f'While copying the parameter named "{k}", expected ember.Tensor or Tensor-like '
                          f'object from checkpoint but received {type(src)}')
            continue
        if src.shape != target.shape:
            errors.append(f'size mismatch for {k}: copying a param with shape {src.shape} from checkpoint, '
                          f'the shape in current model is {target.shape}.')
    if strict:
        if unexpected:
            errors.insert(0, 'Unexpected key(s) in state_dict: ' + ', '.join(f'"{k}"' for k in unexpected) + '. ')
        if missing:
            errors.insert(0, 'Missing key(s) in state_dict: ' + ', '.join(f'"{k}"' for k in missing) + '. ')
    if errors:
        raise RuntimeError(f'Error(s) in loading state_dict for {type(module).__name__}:\n\t' +
                           '\n\t'.join(errors))
    with grad_mode.no_grad():
        for k, target in own.items():
            if k in state_dict:
                if assign:
                    _assign(module, k, state_dict[k])
                else:
                    target.copy_(state_dict[k])
    return _IncompatibleKeys(missing, unexpected)


def _assign(module, key, value):
    from ..parameter import Parameter
    path, _, name = key.rpartition('.')
    mod = module.get_submodule(path)
    if name in mod._parameters:
        old = mod._parameters[name]
        mod._parameters[name] = Parameter(value, old.requires_grad)
    else:
        mod._buffers[name] = value
