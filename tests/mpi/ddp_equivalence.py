"""20 SGD steps on fixed random data, as one process on whole batches or as one rank of an MPI
world on its share of every batch (DistributedDataParallel).

    mpirun -np 2 python tests/mpi/ddp_equivalence.py OUT.npz [--sync-bn] [--accumulate] [--bucket-cap-mb MB]

Each rank writes its final state_dict to OUT.npz with `.rank<r>` before the suffix; the test
compares them with train(..., world=1) run in-process.
"""
import argparse
import os

import numpy as np

import tensorlite as tl
from tensorlite import nn

STEPS, BATCH = 20, 16


def make_model(sync_bn, seed=0):
    tl.manual_seed(seed)
    if not sync_bn:
        return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(6 * 4 * 4, 32), nn.ReLU(), nn.Linear(32, 5))
    return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6), nn.ReLU(),
                         nn.Conv2d(6, 8, 3, padding=1, bias=False), nn.BatchNorm2d(8), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 5))


def train(sync_bn=False, accumulate=False, bucket_cap_mb=25, rank=0, world=1):
    """The final state_dict (numpy arrays) after STEPS steps; rank r of `world` sees rows
    [r * BATCH / world, (r + 1) * BATCH / world) of every batch."""
    data = np.random.default_rng(1)
    xs = data.standard_normal((STEPS, BATCH, 3, 8, 8)).astype(np.float32)
    ys = data.integers(0, 5, (STEPS, BATCH))
    net = make_model(sync_bn, seed=rank)      # DDP must replace ranks > 0's weights by rank 0's
    model = net
    if world > 1:
        if sync_bn:
            net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
        model = nn.parallel.DistributedDataParallel(net, bucket_cap_mb=bucket_cap_mb)
    opt = tl.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    per = BATCH // world
    mine = slice(rank * per, (rank + 1) * per)
    for x, y in zip(xs, ys):
        x, y = x[mine], y[mine]
        opt.zero_grad()
        if accumulate:                       # two micro-batches, the first without communication
            half = len(x) // 2
            with model.no_sync() if world > 1 else _nothing():
                (nn.functional.cross_entropy(model(tl.from_numpy(x[:half])), tl.from_numpy(y[:half])) / 2).backward()
            (nn.functional.cross_entropy(model(tl.from_numpy(x[half:])), tl.from_numpy(y[half:])) / 2).backward()
        else:
            nn.functional.cross_entropy(model(tl.from_numpy(x)), tl.from_numpy(y)).backward()
        opt.step()
    return {k: v.numpy().copy() for k, v in net.state_dict().items()}


class _nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--sync-bn", action="store_true")
    p.add_argument("--accumulate", action="store_true")
    p.add_argument("--bucket-cap-mb", type=float, default=25)
    args = p.parse_args()
    tl.set_num_threads(1)
    tl.distributed.init(timeout=120)
    rank, world = tl.distributed.rank(), tl.distributed.world_size()
    state = train(args.sync_bn, args.accumulate, args.bucket_cap_mb, rank, world)
    root, ext = os.path.splitext(args.out)
    np.savez(f"{root}.rank{rank}{ext}", **state)
    print(f"rank {rank} of {world}: done", flush=True)


if __name__ == "__main__":
    main()
