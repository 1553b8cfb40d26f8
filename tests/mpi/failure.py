"""Rank 1 fails while rank 0 waits in a collective; the job must end, not hang.

    mpirun -np 2 python tests/mpi/failure.py raise|kill|hang|exit

raise: rank 1 raises (the excepthook that init() installs calls MPI_Abort);
kill:  rank 1 SIGKILLs itself (mpirun notices and ends the job);
hang:  rank 1 sleeps; rank 0's all_reduce times out after 3 s and raises;
exit:  rank 1 leaves the program normally; rank 0's all_reduce times out after 3 s.
"""
import os
import signal
import sys
import time

import tensorlite as tl
from tensorlite import distributed as dist


def main():
    mode = sys.argv[1]
    dist.init(timeout=3)
    x = tl.ones(4)
    dist.all_reduce(x)                      # both ranks are up and talking
    print(f"rank {dist.rank()}: first all_reduce ok", flush=True)
    if dist.rank() == 1:
        if mode == "raise":
            raise ValueError("rank 1 failed on purpose")
        if mode == "kill":
            os.kill(os.getpid(), signal.SIGKILL)
        if mode == "hang":
            time.sleep(600)
        if mode == "exit":
            return
    dist.all_reduce(x)                      # rank 0 waits here for rank 1, who never comes
    print(f"rank {dist.rank()}: second all_reduce returned (must not happen)", flush=True)


if __name__ == "__main__":
    main()
