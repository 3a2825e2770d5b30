"""The ``probs`` / ``logits`` parameterisation shared by Bernoulli, Binomial, Geometric,
NegativeBinomial, Categorical and LogitRelaxedBernoulli: exactly one is given, the other is
derived from it on first use (sigmoid / log-odds for binary events, softmax / log over the
last dim for categorical ones)."""
from .utils import broadcast_all, lazy_property, logits_to_probs, probs_to_logits

__all__ = []

ONE_OF = 'Either `probs` or `logits` must be specified, but not both.'


def probs_or_logits(probs, logits):
    """``('probs', probs)`` or ``('logits', logits)``, whichever is given (ValueError unless
    exactly one is)."""
    if (probs is None) == (logits is None):
        raise ValueError(ONE_OF)
    return ('probs', probs) if probs is not None else ('logits', logits)


class LazyProbsLogits:
    """Mixin: ``probs`` and ``logits``, each computed from the other when not given.
    ``_binary``: events are binary (True) or categories along the last dim (False)."""
    _binary = True

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs, is_binary=self._binary)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits, is_binary=self._binary)


class ProbsLogits(LazyProbsLogits):
    """LazyProbsLogits that also keeps the given parameter as ``_param`` (its shape is
    ``param_shape``; ``_new`` builds tensors like it)."""

    def _set_param(self, probs, logits, *total_count):
        """Store whichever of ``probs``/``logits`` is given (broadcast together with
        ``total_count`` when one is passed, which is then stored in the parameter's dtype)."""
        name, given = probs_or_logits(probs, logits)
        *count, value = broadcast_all(*total_count, given)
        setattr(self, name, value)
        self._param = value
        if count:
            self.total_count = count[0].type_as(value)

    def _expand_params(self, cls, batch_shape, _instance=None, expand=(), share=(), extra=()):
        """``_expand_to`` with the built ones of probs/logits expanded too (``_param`` the
        logits when they were built, else the probs)."""
        new = self._expand_to(cls, batch_shape, _instance, expand=expand + ('probs', 'logits'), share=share,
                              extra=extra)
        new._param = new.logits if 'logits' in new.__dict__ else new.probs
        return new

    @property
    def param_shape(self):
        return self._param.size()

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)
