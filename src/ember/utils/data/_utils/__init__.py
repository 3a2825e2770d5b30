"""``torch.utils.data._utils`` lives elsewhere in ember; these names keep imports such as
``from torch.utils.data._utils.collate import default_collate_fn_map`` working."""
import sys

from .. import collate, fetch, worker
from ..worker import MP_STATUS_CHECK_INTERVAL  # noqa: F401

for _m in (collate, fetch, worker):
    sys.modules[f'{__name__}.{_m.__name__.rsplit(".", 1)[1]}'] = _m
