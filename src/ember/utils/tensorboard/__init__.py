"""TensorBoard logging for ember (``torch.utils.tensorboard``): ``SummaryWriter`` writes event
files with a built-in protobuf/TFRecord/PNG encoder, so neither TensorFlow nor the
``tensorboard`` package is needed to write them (only to view them)."""
from .writer import FileWriter, SummaryWriter

__all__ = ['FileWriter', 'SummaryWriter']
