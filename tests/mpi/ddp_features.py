"""DistributedDataParallel behaviour beyond plain averaging, checked on every rank.

    mpirun -np 2 python tests/mpi/ddp_features.py

A failed check raises, and the uncaught exception aborts the job (non-zero exit).
"""
import numpy as np

import tensorlite as tl
from tensorlite import distributed as dist, nn
from tensorlite.nn.parallel import DistributedDataParallel as DDP


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Linear(4, 3)
        self.used = nn.Linear(3, 2)
        self.spare = nn.Linear(3, 2)

    def forward(self, x):
        return self.used(self.body(x))


def gathered(t):
    rows = [tl.zeros_like(t) for _ in range(dist.world_size())]
    dist.all_gather(rows, t)
    return [r.numpy() for r in rows]


def local_batch():
    return tl.from_numpy(np.random.default_rng(dist.rank()).standard_normal((5, 4)).astype(np.float32))


def check_unused_parameter_is_reported():
    ddp = DDP(TwoHeads())
    ddp(local_batch()).sum().backward()
    try:
        ddp(local_batch())
    except RuntimeError as e:
        assert "spare.weight" in str(e) and "find_unused_parameters=True" in str(e), e
    else:
        raise AssertionError("a parameter without gradient was not reported")


def check_find_unused_parameters():
    net = TwoHeads()
    ddp = DDP(net, find_unused_parameters=True)
    for _ in range(2):                      # the second forward must not complain
        for p in net.parameters():
            p.grad = None
        x = local_batch()
        ddp(x).sum().backward()
    assert net.spare.weight.grad is None
    for p in (net.body.weight, net.used.bias):
        copies = gathered(p.grad)
        assert all(np.array_equal(copies[0], c) for c in copies), "gradients differ between ranks"
    # the average of the ranks' local gradients
    local = TwoHeads()
    local.load_state_dict(net.state_dict())
    local(x).sum().backward()
    avg = np.mean(gathered(local.body.weight.grad), axis=0)
    np.testing.assert_allclose(net.body.weight.grad.numpy(), avg, rtol=1e-6, atol=1e-7)


def check_buffers_follow_rank_0_and_state_dict_keys():
    tl.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    ddp = DDP(net)
    ddp(local_batch() * (dist.rank() + 1))          # different statistics on every rank
    stats = gathered(net[1].running_var)
    assert not np.array_equal(stats[0], stats[1]), "running stats should differ after local batches"
    ddp.eval()
    with tl.no_grad():
        out = ddp(tl.ones(2, 4))                    # first forward after training broadcasts buffers
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        copies = gathered(getattr(net[1], name))
        assert all(np.array_equal(copies[0], c) for c in copies), name
    copies = gathered(out)
    assert all(np.array_equal(copies[0], c) for c in copies)
    keys = list(ddp.state_dict())
    assert keys[0] == "module.0.weight" and "module.1.running_var" in keys, keys


def check_model_mismatch_is_an_error():
    try:
        DDP(nn.Linear(4, 2 + dist.rank()))
    except RuntimeError as e:
        assert "differs between ranks" in str(e), e
    else:
        raise AssertionError("different models on different ranks were accepted")


def main():
    tl.set_num_threads(1)
    dist.init(timeout=60)
    for check in (check_unused_parameter_is_reported, check_find_unused_parameters,
                  check_buffers_follow_rank_0_and_state_dict_keys, check_model_mismatch_is_an_error):
        check()
        print(f"rank {dist.rank()}: {check.__name__} ok", flush=True)


if __name__ == "__main__":
    main()
