"""PyTorch's ``.Scalar`` arithmetic nodes: tensor (op) Python number, the number kept on the node.

Composite ops whose PyTorch graphs show ``MulBackward1`` / ``AddBackward1`` (ndtr, trapezoid, ...)
record these, so users see the same grad_fn chain."""
from ._op import Op
from ._promote import as_array, promote


class MulBackward1(Op):
    """tensor * number (mul.Scalar)."""

    def forward(self, a, other):
        self.other = other
        a, b, _ = promote(a, other)
        return as_array(a * b)

    def backward(self, g):
        return g * self.other


class AddBackward1(Op):
    """tensor + number (add.Scalar)."""

    def forward(self, a, other):
        a, b, _ = promote(a, other)
        return as_array(a + b)

    def backward(self, g):
        return g
