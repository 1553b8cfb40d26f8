"""What `python -m tensorlite.train` needs to run under `mpirun -np N`.

A TrainingWorld is the whole interface: in a single process (no launcher) every method is the
identity or plain local work and MPI is never loaded; under mpirun each rank takes its slice of
every global batch, the model is wrapped in DistributedDataParallel, stop/pause decisions and
metrics are agreed on by all ranks, evaluation is split across ranks and gathered, and only rank
0 prints and writes files.
"""
import os

import numpy as np

from .. import distributed
from ..distributed._backend import env_world_size
from ..evaluate import predict
from ..nn.parallel import DistributedDataParallel
from ..tensor import Tensor

__all__ = ["TrainingWorld"]


class TrainingWorld:
    def __init__(self):
        self.rank, self.size = 0, env_world_size()
        if self.size > 1:
            distributed.init()
            self.rank, self.size = distributed.rank(), distributed.world_size()

    @property
    def main(self):
        """True on the rank that logs and writes files."""
        return self.rank == 0

    def print(self, *args, **kwargs):
        if self.main:
            print(*args, **kwargs)

    def threads_per_rank(self):
        """The cores of this machine divided among the ranks running on it."""
        local = int(os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE", os.environ.get("MPI_LOCALNRANKS", self.size)))
        return max(1, (os.cpu_count() or 1) // max(local, 1))

    def shard(self, n):
        """This rank's slice of a global batch of n samples."""
        per = n // self.size
        return slice(self.rank * per, (self.rank + 1) * per)

    def wrap(self, model):
        if self.size == 1:
            return model
        return DistributedDataParallel(model)

    def _all_reduce(self, values, dtype, op):
        t = Tensor._wrap(np.array(values, dtype=dtype))
        distributed.all_reduce(t, op=op)
        return t._data.tolist()

    def agree(self, *flags):
        """Each flag made true on every rank when it is true on any (the values back unchanged in a
        single process)."""
        if self.size == 1:
            return flags
        return tuple(bool(v) for v in self._all_reduce([bool(f) for f in flags], np.uint8,
                                                        distributed.ReduceOp.MAX))

    def sum(self, *values):
        """Sums over the ranks (the values back unchanged in a single process)."""
        if self.size == 1:
            return values
        return tuple(self._all_reduce(values, np.float64, distributed.ReduceOp.SUM))

    def predict(self, model, images):
        """tensorlite.evaluate.predict, each rank on 1/N of the images, logits gathered on all."""
        if self.size == 1:
            return predict(model, images)
        n = len(images)
        per = max(-(-n // self.size), 1)
        lo = min(self.rank * per, n)
        part = images[lo:lo + per]
        if len(part) < per:              # equal shards: every rank runs the same number of forwards
            filler = images[:1] if n else np.zeros((1,) + images.shape[1:], images.dtype)
            part = np.concatenate([part, np.repeat(filler, per - len(part), axis=0)])
        logits = predict(model, part)
        rows = [Tensor._wrap(np.empty_like(logits)) for _ in range(self.size)]
        distributed.all_gather(rows, Tensor._wrap(logits))
        return np.concatenate([r._data for r in rows])[:n]
