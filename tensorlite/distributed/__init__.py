"""tensorlite.distributed: data-parallel building blocks over MPI (torch.distributed's names).

Launch one process per worker with OpenMPI's launcher and call init() in each:

    mpirun -np 2 python train.py          # as root add --allow-run-as-root

    import tensorlite as tl
    tl.distributed.init()
    x = tl.ones(3) * tl.distributed.rank()
    tl.distributed.all_reduce(x)          # in place: the sum over ranks

The MPI library is reached through mpi4py, imported by init() only, so `import tensorlite` never
needs it (`pip install tensorlite[mpi]`; the runtime: `apt-get install openmpi-bin libopenmpi-dev`).
Collectives poll with a timeout (init(timeout=...)), and an uncaught exception on one rank aborts
the whole job, so a failed rank never leaves the others hanging.
"""
from ._backend import (init, init_process_group, destroy_process_group, is_available, is_initialized,  # noqa: F401
                       rank, world_size, get_rank, get_world_size, env_world_size)
from .collectives import ReduceOp, Work, all_reduce, broadcast, all_gather, barrier  # noqa: F401

__all__ = ["init", "init_process_group", "destroy_process_group", "is_available", "is_initialized", "rank",
           "world_size", "get_rank", "get_world_size", "env_world_size", "ReduceOp", "Work", "all_reduce",
           "broadcast", "all_gather", "barrier"]
