"""cosine_similarity and pairwise_distance (compositions of ember ops, as in PyTorch)."""
from ._op import apply
from .stats import LinalgVectorNormBackward0


class NormBackward1(LinalgVectorNormBackward0):
    """The p-norm over a dim as PyTorch's C++ ``norm`` names it (pairwise_distance's node)."""


def cosine_similarity(x1, x2, dim=1, eps=1e-08):
    """Each input divided by its norm (clamped below at eps), then the dot product along dim."""
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    ndim = max(x1.ndim, x2.ndim)
    return apply(NormBackward1, x1 - x2 + eps, ord=float(p), dim=ndim - 1 if ndim else None, keepdim=keepdim)
