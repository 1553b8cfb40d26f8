"""Data-parallel scaling on one machine: a training step (forward, cross-entropy, backward, SGD
momentum + weight decay) of LeNet-5 and ResNet-20 at a global batch of 128, as

  * 1 process x 2 threads (the plain model), and
  * 2 processes x 1 thread under `mpirun -np 2` (DistributedDataParallel, 64 images per rank),

and where a 2-process step's time goes: the same step under no_sync() (no communication at all),
the gradients reduced in one blocking all-reduce after backward (no overlap), DDP with 0.25 MB
buckets (more overlap, more messages), and one isolated all-reduce of the model's gradients.
DDP's own cost (hooks, copies) is a 1-rank DDP step minus a no_sync step at the full batch.  Epoch time is the step time x 390 steps (50,000 images).

    python benchmarks/bench_distributed.py [--steps 20] [--json out.json]

Needs mpi4py and OpenMPI's mpirun (`apt-get install openmpi-bin libopenmpi-dev`,
`pip install tensorlite[mpi]`); the script launches mpirun itself.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

GLOBAL_BATCH = 128
STEPS_PER_EPOCH = 50_000 // GLOBAL_BATCH
MODELS = {"lenet5": 1.0, "resnet20": 0.3}      # step-count factor: ResNet-20 steps are ~40x longer


def setup(name, batch, seed=0):
    import tensorlite as tl
    tl.manual_seed(seed)
    net = tl.models.get_model(name)
    opt = tl.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4, nesterov=True)
    rng = np.random.default_rng(seed)
    x = tl.from_numpy(rng.standard_normal((batch, 3, 32, 32)).astype(np.float32))
    y = tl.from_numpy(rng.integers(0, 10, batch))
    return net, opt, x, y


def timed_steps(step, steps, warmup=3):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return times


def single_process(name, steps):
    import tensorlite as tl
    F = tl.nn.functional
    net, opt, x, y = setup(name, GLOBAL_BATCH)

    def step():
        loss = F.cross_entropy(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return statistics.median(timed_steps(step, steps))


def worker(steps_factor):
    """One rank of `mpirun -np 2`: every mode of every model; rank 0 prints a JSON line."""
    import tensorlite as tl
    from tensorlite import distributed as dist
    from tensorlite.nn.parallel import DistributedDataParallel
    F = tl.nn.functional
    tl.set_num_threads(1)
    dist.init()
    n = dist.world_size()
    results = {}
    for name, factor in MODELS.items():
        steps = max(5, int(steps_factor * factor))
        net, opt, x, y = setup(name, GLOBAL_BATCH // n, seed=dist.rank())
        ddp = DistributedDataParallel(net)
        params = [p for p in net.parameters() if p.requires_grad]
        grad_bytes = sum(p.numel() * 4 for p in params)

        def ddp_step():
            loss = F.cross_entropy(ddp(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

        def local_step():
            with ddp.no_sync():
                loss = F.cross_entropy(ddp(x), y)
                opt.zero_grad()
                loss.backward()
            opt.step()

        def blocking_step():             # reduce everything in one message once backward is done
            with ddp.no_sync():
                loss = F.cross_entropy(ddp(x), y)
                opt.zero_grad()
                loss.backward()
            flat = tl.from_numpy(np.concatenate([p.grad.numpy().reshape(-1) for p in params]))
            dist.all_reduce(flat, op=dist.ReduceOp.AVG)
            start = 0
            for p in params:
                k = p.numel()
                p.grad.numpy().reshape(-1)[:] = flat.numpy()[start:start + k]
                start += k
            opt.step()

        small = DistributedDataParallel(net, bucket_cap_mb=0.25)

        def small_bucket_step():
            loss = F.cross_entropy(small(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()

        grads = tl.zeros(grad_bytes // 4)

        def allreduce_only():
            dist.all_reduce(grads, op=dist.ReduceOp.AVG)

        row = {"grad_bytes": grad_bytes, "buckets": [int(b.buf.nbytes) for b in ddp._buckets]}
        for mode, fn, k in (("ddp", ddp_step, steps), ("no_sync", local_step, steps),
                            ("blocking", blocking_step, steps), ("small_buckets", small_bucket_step, steps),
                            ("allreduce", allreduce_only, 50)):
            dist.barrier()
            med = statistics.median(timed_steps(fn, k))
            slowest = tl.tensor([med], dtype=tl.float64)
            dist.all_reduce(slowest, op=dist.ReduceOp.MAX)       # a step lasts as long as its slowest rank
            row[mode] = float(slowest.item())
        results[name] = row
    if dist.rank() == 0:
        print("RESULT " + json.dumps(results), flush=True)


def launch_workers(steps, ranks=2):
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMP_NUM_THREADS="1")
    cmd = ["mpirun", "-np", str(ranks), "--bind-to", "none", "--mca", "btl", "self,vader", sys.executable,
           os.path.abspath(__file__), "--worker", "--steps", str(steps)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[len("RESULT "):])
    raise RuntimeError(f"bench_distributed: the mpirun workers printed no result (exit {out.returncode}):\n"
                       f"{out.stdout}\n{out.stderr}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=20, help="timed steps for LeNet-5 (ResNet-20: 0.3x, at least 5)")
    p.add_argument("--json", default=None)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--quick", action="store_true", help="smoke test: 3 timed steps")
    args = p.parse_args()
    if args.quick:
        args.steps = 3
    if args.worker:
        return worker(args.steps)
    import tensorlite as tl
    tl.set_num_threads(2)
    one = {name: single_process(name, max(5, int(args.steps * f))) for name, f in MODELS.items()}
    two = launch_workers(args.steps)
    alone = launch_workers(args.steps, ranks=1)      # DDP's own cost, without a second rank to wait for
    print("| model | 1 proc x 2 threads ms | 2 procs x 1 thread ms | speed-up | epoch 1x2 s | epoch 2x1 s "
          "| 2x1 no_sync ms | communication share | blocking all-reduce step ms | 0.25 MB buckets step ms "
          "| all-reduce alone ms | DDP overhead at 1 rank ms | gradient MB (buckets) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name in MODELS:
        r = two[name]
        share = max(r["ddp"] - r["no_sync"], 0.0) / r["ddp"]
        print(f"| {name} | {1e3 * one[name]:.1f} | {1e3 * r['ddp']:.1f} | {one[name] / r['ddp']:.2f} | "
              f"{STEPS_PER_EPOCH * one[name]:.0f} | {STEPS_PER_EPOCH * r['ddp']:.0f} | {1e3 * r['no_sync']:.1f} | "
              f"{100 * share:.0f}% | {1e3 * r['blocking']:.1f} | {1e3 * r['small_buckets']:.1f} | "
              f"{1e3 * r['allreduce']:.2f} | {1e3 * (alone[name]['ddp'] - alone[name]['no_sync']):.2f} | "
              f"{r['grad_bytes'] / 1e6:.2f} ({', '.join(f'{b / 1e6:.2f}' for b in r['buckets'])}) |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"one_process": one, "two_processes": two, "one_rank": alone}, fh, indent=2)


if __name__ == "__main__":
    main()
