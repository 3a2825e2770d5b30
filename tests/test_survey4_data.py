"""Survey round 4 (utils.data internals and nn.functional.pad): the names third-party code imports
from ``torch.utils.data._utils`` and ``torch.utils.data.dataloader``, compared with torch's, and
the argument number in reflect padding's size error."""
import importlib

import pytest

import ember

from helpers import check_error


def _mods(path):
    return importlib.import_module(path), importlib.import_module(path.replace('torch', 'ember', 1))


@pytest.mark.parametrize('path, names', [
    ('torch.utils.data._utils', ['ExceptionWrapper', 'IS_WINDOWS', 'HAS_NUMPY', 'MP_STATUS_CHECK_INTERVAL',
                                 'python_exit_status', '_set_python_exit_flag', 'collate', 'fetch', 'worker',
                                 'pin_memory', 'signal_handling']),
    ('torch.utils.data._utils.pin_memory', ['pin_memory', 'ExceptionWrapper', 'MP_STATUS_CHECK_INTERVAL']),
    ('torch.utils.data._utils.signal_handling', ['IS_WINDOWS', '_set_worker_signal_handlers', '_set_worker_pids',
                                                 '_remove_worker_pids', '_error_if_any_worker_fails',
                                                 '_set_SIGCHLD_handler']),
    ('torch.utils.data.dataloader', ['_MultiProcessingDataLoaderIter', '_SingleProcessDataLoaderIter',
                                     '_BaseDataLoaderIter', 'ExceptionWrapper', '_utils', 'DataLoader']),
])
def test_internal_names_exist(path, names):
    tmod, emod = _mods(path)
    for name in names:
        assert hasattr(tmod, name), name
        assert hasattr(emod, name), name
        tv, ev = getattr(tmod, name), getattr(emod, name)
        if isinstance(tv, (bool, float)):
            assert tv == ev, name


def test_utils_submodules_importable_by_path():
    from ember.utils.data._utils.pin_memory import pin_memory
    from ember.utils.data._utils.signal_handling import _set_worker_signal_handlers
    from ember.utils.data.dataloader import _MultiProcessingDataLoaderIter
    from ember.utils.data import _utils
    assert pin_memory is _utils.pin_memory.pin_memory and callable(_set_worker_signal_handlers)
    assert _utils.ExceptionWrapper is ember.utils.data.worker.ExceptionWrapper
    assert issubclass(_MultiProcessingDataLoaderIter, ember.utils.data.dataloader._BaseDataLoaderIter)


class Pinnable:
    """Stands for a tensor (pinning needs an accelerator): records the device it was pinned for."""

    def __init__(self):
        self.device = 'unpinned'

    def pin_memory(self, device=None):
        self.device = device
        return self


def test_pin_memory_rebuilds_containers_as_torch():
    from collections import namedtuple
    from ember.utils.data._utils.pin_memory import pin_memory
    P = namedtuple('P', 'a b')
    t = Pinnable()
    out = pin_memory({'x': (t, 'str'), 'p': P(t, 1), 'l': [b'b', None]})
    assert isinstance(out['x'], list) and out['x'] == [t, 'str'] and t.device is None  # a tuple becomes a list
    assert isinstance(out['p'], P) and out['p'] == P(t, 1)
    assert out['l'] == [b'b', None]
    pin_memory([t], device='cuda')
    assert t.device == 'cuda'


def test_worker_pid_registry():
    from ember.utils.data._utils import signal_handling as sh
    sh._set_worker_pids(12345, (1, 2))
    with pytest.raises(RuntimeError, match='should be called only once'):
        sh._set_worker_pids(12345, (1, 2))
    sh._remove_worker_pids(12345)
    with pytest.raises(RuntimeError, match='^Cannot find worker information'):
        sh._remove_worker_pids(12345)


def test_multiprocess_loader_still_loads():
    loader = ember.utils.data.DataLoader(ember.arange(6), batch_size=2, num_workers=1)
    assert [b.tolist() for b in loader] == [[0, 1], [2, 3], [4, 5]]
    assert not ember.utils.data._utils.python_exit_status


# ---------------------------------------------------------------- nn.functional.pad: reflect's "Argument #N"

@pytest.mark.parametrize('shape, pad', [((1, 1, 4, 5), (1, 1, 4, 4)), ((1, 1, 4, 5), (5, 5, 4, 4)),
                                        ((1, 1, 3, 4, 5), (1, 1, 1, 1, 3, 3)), ((1, 3, 4, 5), (1, 1, 1, 1, 3, 3)),
                                        ((1, 4, 5), (1, 1, 4, 4)), ((2, 5), (5, 0))])
def test_reflect_pad_too_large_names_the_argument(shape, pad):
    check_error(lambda T, x: T.nn.functional.pad(x, pad, mode='reflect'), [shape])


def test_reflect_pad_argument_numbers():
    with pytest.raises(RuntimeError, match=r'^Argument #6: .* padding \(4, 4\) at dimension 2 of input'):
        ember.nn.functional.pad(ember.zeros(1, 1, 4, 5), (1, 1, 4, 4), mode='reflect')
    with pytest.raises(RuntimeError, match=r'^Argument #8: .* padding \(3, 3\) at dimension 2 of input'):
        ember.nn.functional.pad(ember.zeros(1, 1, 3, 4, 5), (1, 1, 1, 1, 3, 3), mode='reflect')
