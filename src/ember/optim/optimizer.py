"""Optimizer base: parameter groups with their options, per-parameter state."""
from collections import defaultdict

from .._tensor import Tensor


def zero_grads(params, set_to_none=True):
    """Drop (or zero in place) the .grad of each parameter: shared by Module and Optimizer."""
    for p in params:
        if p.grad is not None:
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_()
                p.grad.zero_()


class _Required:
    def __repr__(self):
        return '<required parameter>'


required = _Required()


class Optimizer:
    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError('params argument given to the optimizer should be an iterable of Tensors or '
                            f'dicts, but got {type(params).__name__.replace("Parameter", "Tensor")}')
        groups = list(params)
        if not groups:
            raise ValueError('optimizer got an empty parameter list')
        if not isinstance(groups[0], dict):
            groups = [{'params': groups}]
        for g in groups:
            self.add_param_group(g)

    def add_param_group(self, group):
        params = group['params']
        group['params'] = [params] if isinstance(params, Tensor) else list(params)
        for k, v in self.defaults.items():
            if v is required and k not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {k}")
            group.setdefault(k, v)
        seen = {id(p) for g in self.param_groups for p in g['params']}
        if any(id(p) in seen for p in group['params']):
            raise ValueError('some parameters appear in more than one parameter group')
        self.param_groups.append(group)

    def zero_grad(self, set_to_none=True):
        zero_grads((p for g in self.param_groups for p in g['params']), set_to_none)

    def state_dict(self):
        index, groups = {}, []
        for g in self.param_groups:
            ids = []
            for p in g['params']:
                index.setdefault(id(p), len(index))
                ids.append(index[id(p)])
            groups.append({**{k: v for k, v in g.items() if k != 'params'}, 'params': ids})
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {'state': state, 'param_groups': groups}

    def load_state_dict(self, state_dict):
        groups = state_dict['param_groups']
        if len(groups) != len(self.param_groups):
            raise ValueError('loaded state dict has a different number of parameter groups')
        params = [p for g in self.param_groups for p in g['params']]
        for mine, theirs in zip(self.param_groups, groups):
            if len(mine['params']) != len(theirs['params']):
                raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                                 "of optimizer's group")
        ids = [i for g in groups for i in g['params']]
        lookup = dict(zip(ids, params))
        self.state = defaultdict(dict)
        for k, v in state_dict['state'].items():
            p = lookup[int(k)]
            self.state[p] = {n: (t.to(p.device).clone() if isinstance(t, Tensor) else t) for n, t in v.items()}
        for mine, theirs in zip(self.param_groups, groups):
            mine.update({k: v for k, v in theirs.items() if k != 'params'})

    def __repr__(self):
        s = self.__class__.__name__ + ' ('
        for i, g in enumerate(self.param_groups):
            s += f'\nParameter Group {i}'
            for k in sorted(g):
                if k != 'params':
                    s += f'\n    {k}: {g[k]}'
        return s + '\n)'
