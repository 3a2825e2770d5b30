"""Rank 1 never joins the collective: rank 0's all_reduce times out after the group's timeout,
raises DistBackendError, and the excepthook aborts the job. ``Work.wait(timeout)`` raises too."""
import datetime
import time

import ember
import ember.distributed as dist

dist.init_process_group(timeout=datetime.timedelta(seconds=1))
if dist.get_rank() == 1:
    time.sleep(60)
else:
    w = dist.irecv(ember.ones(2), src=1)            # rank 1 never sends
    try:
        w.wait(timeout=datetime.timedelta(milliseconds=200))
        raise AssertionError('expected a timeout')
    except dist.DistBackendError as e:
        assert 'recv timed out' in str(e), e
    assert not w.is_completed()
    print('rank 0: Work.wait timeout OK', flush=True)
    dist.all_reduce(ember.ones(2))                 # times out after 1 s -> abort
