"""Rank 1 raises while rank 0 waits in a collective: the job must end at once (MPI_Abort from
ember's excepthook) with rank 1's traceback, not hang."""
import sys

import ember
import ember.distributed as dist

dist.init_process_group()
if dist.get_rank() == 1:
    raise ZeroDivisionError('rank one fails here')
t = ember.ones(3)
dist.all_reduce(t)                  # never completes: rank 1 is gone
print('rank 0 should not get here', flush=True)
sys.exit(0)
