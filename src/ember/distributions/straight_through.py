"""OneHotCategoricalStraightThrough: one-hot samples whose rsample passes gradients to the
probabilities by the straight-through estimator (Bengio et al., 2013)."""
import ember
from .discrete import OneHotCategorical

__all__ = ['OneHotCategoricalStraightThrough']


class OneHotCategoricalStraightThrough(OneHotCategorical):
    """A OneHotCategorical with ``rsample``: the value is a one-hot draw, the gradient that of
    ``probs`` (sample + probs - probs.detach())."""
    has_rsample = True

    def rsample(self, sample_shape=ember.Size()):
        draws = self.sample(sample_shape)
        probs = self._categorical.probs
        return draws + (probs - probs.detach())
