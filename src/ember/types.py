"""ember.types: the type aliases PyTorch's ``torch.types`` gives annotations (``Number``, ``Device``,
``_size``, ``_dtype``, ...), built on ember's own classes.

ember has no symbolic shapes: the ``*LikeType`` aliases are the plain Python types (PyTorch adds
its SymInt / SymFloat / SymBool to them) and ``py_sym_types`` is empty."""
import os
from collections.abc import Sequence
import typing
from typing import IO, TypeAlias, Union

from ._device import device as _device
from . import _dtype as _dtypes
from ._size import Size
from ._tensor import Tensor
from .storage import UntypedStorage as _UntypedStorage

__all__ = ['Number', 'Device', 'FileLike', 'Storage']

Any, TYPE_CHECKING = typing.Any, typing.TYPE_CHECKING
if hasattr(typing, 'Self'):                 # (Python 3.11+)
    Self = typing.Self

_dtype, _layout = _dtypes.dtype, _dtypes.layout
_bool, _bytes, _complex, _float, _int, _str = bool, bytes, complex, float, int, str

_TensorOrTensors: TypeAlias = Union[Tensor, Sequence[Tensor]]
_TensorOrOptionalTensors: TypeAlias = Union[Tensor, Sequence[Union[Tensor, None]]]
_size: TypeAlias = Union[Size, list[int], tuple[int, ...]]
_symsize: TypeAlias = Union[Size, Sequence[int]]
_dispatchkey: TypeAlias = str

IntLikeType: TypeAlias = int
FloatLikeType: TypeAlias = float
BoolLikeType: TypeAlias = bool
py_sym_types = ()

_Number = (int, float, bool)
Number: TypeAlias = Union[int, float, bool]
Device: TypeAlias = Union[_device, str, int, None]
FileLike: TypeAlias = Union[str, os.PathLike[str], IO[bytes]]

# what a storage is to an annotation: ember's storages are UntypedStorage (TypedStorage wraps one)
Storage = _UntypedStorage
