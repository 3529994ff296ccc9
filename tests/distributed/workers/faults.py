"""A rank that raises, dies or hangs: the others must stop with an error naming a rank, never hang."""
import os
import signal
import sys
import time
from datetime import timedelta

import deepglass as dg
import deepglass.distributed as dist

mode = sys.argv[1]
dist.init_process_group("mpi", timeout=timedelta(seconds=3))
R, N = dist.get_rank(), dist.get_world_size()
t = dg.ones(4)
dist.all_reduce(t)  # everyone is up
if R == 1:
    if mode == "raise":
        raise ValueError("bad batch in rank 1's data")
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if mode == "exit":  # a CLI that catches its error and exits with a status
        sys.exit(3)
    if mode == "hang":
        time.sleep(60)
dist.all_reduce(t)
print(f"rank {R}: not reached", flush=True)
