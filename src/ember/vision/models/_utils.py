"""Helpers the model builders share: torchvision's deprecation shims for ``pretrained=`` and
positional weights, the keyword check against a weights entry, channel rounding, and the
conv + norm + activation block (``Conv2dNormActivation``, child names ``0``/``1``/``2``)."""
import functools
import inspect
import warnings

from ... import nn

__all__ = ['Conv2dNormActivation', 'handle_legacy_interface', 'kwonly_to_pos_or_kw']


def _sequence_to_str(seq, separate_last=''):
    """``('a', 'b', 'c')`` -> ``"'a', 'b', and 'c'"`` (torchvision's wording in its warnings)."""
    if not seq:
        return ''
    if len(seq) == 1:
        return f"'{seq[0]}'"
    head = "'" + "', '".join(str(item) for item in seq[:-1]) + "'"
    comma = '' if separate_last and len(seq) == 2 else ','
    return f"{head}{comma} {separate_last}'{seq[-1]}'"


def kwonly_to_pos_or_kw(fn):
    """Let keyword-only parameters still be passed positionally, with a deprecation warning
    (``resnet18(True)`` used to mean ``pretrained=True``)."""
    params = inspect.signature(fn).parameters
    names = tuple(params)
    start = next((i for i, p in enumerate(params.values()) if p.kind == p.KEYWORD_ONLY), None)
    if start is None:
        raise TypeError(f"Found no keyword-only parameter on function '{fn.__name__}'")
    keyword_only = names[start:]

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        args, extra = args[:start], args[start:]
        if extra:
            moved = dict(zip(keyword_only, extra))
            warnings.warn(f"Using {_sequence_to_str(tuple(moved), separate_last='and ')} as positional "
                          'parameter(s) is deprecated since 0.13 and may be removed in the future. Please '
                          'use keyword parameter(s) instead.', stacklevel=2)
            kwargs.update(moved)
        return fn(*args, **kwargs)
    return wrapper


def handle_legacy_interface(**weights):
    """Map the old ``pretrained=True/False`` keyword (and a positional bool) onto ``weights=``.

    ``weights`` maps the new keyword to ``(old keyword, default entry)``; the default may be a
    callable of the keyword arguments. Both of torchvision's warnings are issued: that the old
    keyword is deprecated, and which ``weights=`` value the call is equivalent to.
    """
    from ._api import WeightsEnum

    def outer(builder):
        @kwonly_to_pos_or_kw
        @functools.wraps(builder)
        def inner(*args, **kwargs):
            for weights_param, (pretrained_param, default) in weights.items():
                sentinel = object()
                weights_arg = kwargs.get(weights_param, sentinel)
                if ((weights_param not in kwargs and pretrained_param not in kwargs)
                        or isinstance(weights_arg, WeightsEnum)
                        or (isinstance(weights_arg, str) and weights_arg != 'legacy')
                        or weights_arg is None):
                    continue
                positional = weights_arg is not sentinel
                if positional:       # a bool passed where `weights` now stands
                    kwargs[pretrained_param] = pretrained_arg = kwargs.pop(weights_param)
                else:
                    pretrained_arg = kwargs[pretrained_param]
                if pretrained_arg:
                    default_arg = default(kwargs) if callable(default) else default
                    if not isinstance(default_arg, WeightsEnum):
                        raise ValueError(f'No weights available for model {builder.__name__}')
                else:
                    default_arg = None
                if not positional:
                    warnings.warn(f"The parameter '{pretrained_param}' is deprecated since 0.13 and may be "
                                  f"removed in the future, please use '{weights_param}' instead.", stacklevel=3)
                msg = (f"Arguments other than a weight enum or `None` for '{weights_param}' are deprecated "
                       'since 0.13 and may be removed in the future. The current behavior is equivalent to '
                       f'passing `{weights_param}={default_arg}`.')
                if pretrained_arg:
                    msg += (f' You can also use `{weights_param}={type(default_arg).__name__}.DEFAULT` to get '
                            'the most up-to-date weights.')
                warnings.warn(msg, stacklevel=3)
                del kwargs[pretrained_param]
                kwargs[weights_param] = default_arg
            return builder(*args, **kwargs)
        return inner
    return outer


def _ovewrite_named_param(kwargs, param, new_value):
    """Set ``kwargs[param]`` to what the weights need, or refuse a conflicting user value.
    (The misspelling is torchvision's own helper name, kept for code that imports it.)"""
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} "
                             'instead.')
    else:
        kwargs[param] = new_value


def _num_classes(weights):
    """How many classes a weights entry was trained for (its categories, else meta['num_classes'])."""
    cats = weights.meta.get('categories')
    return len(cats) if cats is not None else weights.meta.get('num_classes')


def _make_divisible(v, divisor, min_value=None):
    """Round a channel count to a multiple of ``divisor``, never going down by more than 10%."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


class Conv2dNormActivation(nn.Sequential):
    """Conv2d -> norm layer -> activation, as one Sequential (children ``0``, ``1``, ``2``).

    ``padding=None`` keeps the spatial size at stride 1 (``(kernel_size - 1) // 2 * dilation``);
    ``bias=None`` gives the conv a bias only when there is no norm layer. ``norm_layer`` or
    ``activation_layer`` may be None to leave that stage out; ``inplace`` is passed to the
    activation (None: pass nothing).
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU, dilation=1, inplace=True, bias=None,
                 conv_layer=nn.Conv2d):
        if padding is None:
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                n = len(kernel_size) if isinstance(kernel_size, (list, tuple)) else len(dilation)
                ks = kernel_size if isinstance(kernel_size, (list, tuple)) else (kernel_size,) * n
                dil = dilation if isinstance(dilation, (list, tuple)) else (dilation,) * n
                padding = tuple((ks[i] - 1) // 2 * dil[i] for i in range(n))
        if bias is None:
            bias = norm_layer is None
        layers = [conv_layer(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
                             groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            layers.append(activation_layer(**({} if inplace is None else {'inplace': inplace})))
        super().__init__(*layers)
        self.out_channels = out_channels
