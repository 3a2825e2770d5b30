"""``torch.autograd.anomaly_mode``: PyTorch's import path for the anomaly-detection switches
(defined in ``ember.autograd.anomaly``)."""
from .anomaly import detect_anomaly, set_detect_anomaly  # noqa: F401

__all__ = ['detect_anomaly', 'set_detect_anomaly']
