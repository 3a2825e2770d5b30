"""Model ensembling helpers: stack_module_state and replace_all_batch_norm_modules_.

    params, buffers = stack_module_state(models)      # each value: a leading dim of len(models)
    base = copy.deepcopy(models[0])
    def run(p, b, x):
        return functional_call(base, (p, b), (x,))
    out = vmap(run, in_dims=(0, 0, None))(params, buffers, x)   # out[i] == models[i](x)
"""
__all__ = ['stack_module_state', 'replace_all_batch_norm_modules_', 'functionalize']


def stack_module_state(models):
    """``(params, buffers)``: dicts from each parameter/buffer name to the models' tensors stacked
    along a new first dimension. The stacked parameters are new leaves (requiring grad as the
    models' do); they share nothing with the models."""
    models = list(models)
    if not models:
        raise RuntimeError('stack_module_state: Expected at least one model, got 0.')
    if not (all(m.training for m in models) or not any(m.training for m in models)):
        raise RuntimeError('stack_module_state: Expected all models to have the same training/eval mode.')
    kind = type(models[0])
    if not all(type(m) is kind for m in models):
        raise RuntimeError('stack_module_state: Expected all models to be of the same class.')
    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    params = {k: _stacked([p[k] for p in all_params], k) for k in all_params[0]}
    buffers = {k: _stacked([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers


def _stacked(tensors, name):
    from ..ops.join import stack
    wants = tensors[0].requires_grad
    if any(t.requires_grad != wants for t in tensors):
        raise RuntimeError(f'Expected {name} from each model to have the same .requires_grad')
    out = stack([t.detach() for t in tensors])
    return out.requires_grad_() if wants else out


def replace_all_batch_norm_modules_(root):
    """Make every batch-norm layer under ``root`` use batch statistics only (no running stats),
    in place, so it can run under vmap; returns ``root``."""
    from ..nn.modules.batchnorm import _BatchNorm
    for m in root.modules():
        if isinstance(m, _BatchNorm):
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root


def functionalize(func, *, remove='mutations'):
    """ember runs eagerly with real in-place ops, so the functionalized program is ``func`` itself."""
    if remove not in ('mutations', 'mutations_and_views'):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}."
                           " Valid options are:\n     remove='mutations': all inplace and out= operators will be"
                           " removed from the program, and replaced with their out-of-place equivalents.\n"
                           "     remove='mutations_and_views': In addition to the above, all aliasing operators "
                           "{view} will be replaced with their non-aliasing counterparts, {view}_copy.\n")
    return func
