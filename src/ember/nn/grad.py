"""ember.nn.grad (also ``nn.functional.grad``), as torch.nn.grad: the gradients of conv1d/2d/3d
with respect to their input (``convNd_input``) or weight (``convNd_weight``), given the other
operand and the output's gradient.

A convolution is linear in each operand, so each is the gradient of the convolution run on a
zero stand-in for the missing operand. When the given operands require grad (and grad mode is
on) the result keeps its graph, so it can be differentiated again."""
from ..autograd import grad_mode
from .. import autograd as _autograd
from ..ops.conv import conv1d, conv2d, conv3d

__all__ = ['conv1d_input', 'conv1d_weight', 'conv2d_input', 'conv2d_weight', 'conv3d_input', 'conv3d_weight']


def _grad_of(conv, x, w, wrt, grad_output, stride, padding, dilation, groups, given):
    keep = grad_mode.is_grad_enabled() and any(t.requires_grad for t in given)
    with grad_mode.enable_grad():
        out = conv(x, w, None, stride, padding, dilation, groups)
        return _autograd.grad(out, wrt, grad_output, create_graph=keep)[0]


def _input_grad(conv):
    def fn(input_size, weight, grad_output, stride=1, padding=0, dilation=1, groups=1):
        x = grad_output.new_zeros(tuple(input_size)).requires_grad_()
        return _grad_of(conv, x, weight, x, grad_output, stride, padding, dilation, groups, (weight, grad_output))
    fn.__name__ = fn.__qualname__ = conv.__name__ + '_input'
    fn.__doc__ = f'The gradient of {conv.__name__} with respect to its input (of shape ``input_size``).'
    return fn


def _weight_grad(conv):
    def fn(input, weight_size, grad_output, stride=1, padding=0, dilation=1, groups=1):
        w = input.new_zeros(tuple(weight_size)).requires_grad_()
        return _grad_of(conv, input, w, w, grad_output, stride, padding, dilation, groups, (input, grad_output))
    fn.__name__ = fn.__qualname__ = conv.__name__ + '_weight'
    fn.__doc__ = f'The gradient of {conv.__name__} with respect to its weight (of shape ``weight_size``).'
    return fn


conv1d_input, conv1d_weight = _input_grad(conv1d), _weight_grad(conv1d)
conv2d_input, conv2d_weight = _input_grad(conv2d), _weight_grad(conv2d)
conv3d_input, conv3d_weight = _input_grad(conv3d), _weight_grad(conv3d)
