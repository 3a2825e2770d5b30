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


class SubBackward1(Op):
    """tensor - number (sub.Scalar)."""

    def forward(self, a, other):
        a, b, _ = promote(a, other)
        return as_array(a - b)

    def backward(self, g):
        return g


def add_scalar(t, number):
    """``t + number`` recorded as PyTorch's C++ composites record it (AddBackward1)."""
    from ._op import apply
    return apply(AddBackward1, t, other=number)


def sub_scalar(t, number):
    """``t - number`` as a C++ composite records it (SubBackward1)."""
    from ._op import apply
    return apply(SubBackward1, t, other=number)


def mul_scalar(t, number):
    """``t * number`` as a C++ composite records it (MulBackward1)."""
    from ._op import apply
    return apply(MulBackward1, t, other=number)


def number_minus(number, t):
    """``number - t`` with the number wrapped in a tensor, as C++ composites do (SubBackward0 whose first
    input has no gradient edge)."""
    from ._op import apply
    from .arith import SubBackward0, _scalar_tensor
    return apply(SubBackward0, _scalar_tensor(number, t), t)
