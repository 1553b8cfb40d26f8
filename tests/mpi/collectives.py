"""Property tests of all_reduce / broadcast / all_gather, run on every rank of an MPI world.

    mpirun -np 2 python tests/mpi/collectives.py [MAX_EXAMPLES]

Hypothesis runs derandomized, so every rank draws the same cases in the same order and issues
the same collectives.  Rank r's input for a case is a deterministic function of (case seed, r),
so each rank computes the expected result of every rank's inputs itself.  A failing check raises
on that rank, and the uncaught exception aborts the whole job (non-zero exit).
"""
import sys

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

import tensorlite as tl
from tensorlite import distributed as dist

DTYPES = ["float16", "float32", "float64", "int8", "uint8", "int16", "int32", "int64", "bool"]
OPS = list(dist.ReduceOp)
shapes = st.lists(st.integers(0, 5), min_size=0, max_size=3).map(tuple)


def rank_input(seed, r, shape, dtype):
    rng = np.random.default_rng([seed, r])
    if dtype == "bool":
        return np.asarray(rng.random(shape) < 0.5)
    if np.dtype(dtype).kind == "f":
        return np.asarray(rng.uniform(-4, 4, shape), dtype)
    return np.asarray(rng.integers(-3 if np.dtype(dtype).kind == "i" else 0, 4, shape), dtype)


def expected_reduce(arrays, op, dtype):
    if dtype == "bool":
        u = np.stack(arrays)
        return {"MIN": u.all(0), "BAND": u.all(0), "MAX": u.any(0), "BOR": u.any(0),
                "BXOR": np.logical_xor.reduce(u, 0)}[op.name]
    wide = np.stack(arrays).astype(np.float32 if dtype == "float16" else dtype)
    fn = {"SUM": np.sum, "AVG": np.sum, "PRODUCT": np.prod, "MIN": np.min, "MAX": np.max,
          "BAND": np.bitwise_and.reduce, "BOR": np.bitwise_or.reduce, "BXOR": np.bitwise_xor.reduce}[op.name]
    out = fn(wide, axis=0).astype(wide.dtype)
    if op is dist.ReduceOp.AVG:
        out = out * np.asarray(1.0 / len(arrays), out.dtype)
    return out.astype(dtype)


def applicable(op, dtype):
    if dtype == "bool":
        return op.name in ("MIN", "MAX", "BAND", "BOR", "BXOR")
    if op.name == "AVG":
        return np.dtype(dtype).kind == "f"
    if op.name in ("BAND", "BOR", "BXOR"):
        return np.dtype(dtype).kind != "f"
    return True


def check_all_reduce(seed, shape, dtype, op, strided, async_op):
    r, n = dist.rank(), dist.world_size()
    mine = rank_input(seed, r, shape, dtype)
    t = tl.from_numpy(mine.copy())
    if strided and t.ndim:                        # a non-contiguous view: the result must land in place
        base = tl.from_numpy(np.repeat(mine[..., None], 2, axis=-1).copy())
        t = base[..., 0]
    if not applicable(op, dtype):
        try:
            dist.all_reduce(t, op=op)
        except TypeError as e:
            assert "all_reduce" in str(e) and op.name in str(e), e
            return
        raise AssertionError(f"all_reduce accepted {op} on {dtype}")
    work = dist.all_reduce(t, op=op, async_op=async_op)
    if async_op:
        assert work.wait() and work.is_completed()
    else:
        assert work is None
    want = expected_reduce([rank_input(seed, q, shape, dtype) for q in range(n)], op, dtype)
    got = t.numpy()
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape, want.dtype, want.shape)
    np.testing.assert_array_equal(got, want, err_msg=f"all_reduce {op} {dtype} {shape}")


def check_broadcast(seed, shape, dtype, src):
    r = dist.rank()
    t = tl.from_numpy(rank_input(seed, r, shape, dtype))
    dist.broadcast(t, src)
    np.testing.assert_array_equal(t.numpy(), rank_input(seed, src, shape, dtype))


def check_all_gather(seed, shape, dtype):
    r, n = dist.rank(), dist.world_size()
    outs = [tl.from_numpy(np.zeros(shape, dtype)) for _ in range(n)]
    dist.all_gather(outs, tl.from_numpy(rank_input(seed, r, shape, dtype)))
    for q in range(n):
        np.testing.assert_array_equal(outs[q].numpy(), rank_input(seed, q, shape, dtype))


def check_argument_errors():
    n = dist.world_size()
    for call, exc, words in [
        (lambda: dist.broadcast(tl.zeros(2), n), ValueError, ("broadcast", "src", str(n))),
        (lambda: dist.all_gather([tl.zeros(2)] * (n + 1), tl.zeros(2)), ValueError, ("all_gather", "tensor_list")),
        (lambda: dist.all_gather([tl.zeros(3)] * n, tl.zeros(2)), ValueError, ("all_gather", "shape")),
        (lambda: dist.all_reduce(tl.zeros(2, dtype=tl.int64), op=dist.ReduceOp.AVG), TypeError, ("AVG", "int64")),
        (lambda: dist.all_reduce(np.zeros(2)), TypeError, ("all_reduce", "tensor")),
        (lambda: dist.all_reduce(tl.zeros(2), op="sum"), TypeError, ("ReduceOp",)),
    ]:
        try:
            call()
        except exc as e:
            assert all(w in str(e) for w in words), (words, str(e))
        else:
            raise AssertionError(f"no {exc.__name__} for {words}")


def main():
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    tl.distributed.init(timeout=120)
    n = dist.world_size()
    check_argument_errors()
    cfg = settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))

    @cfg
    @given(seed=st.integers(0, 2**32 - 1), shape=shapes, dtype=st.sampled_from(DTYPES), op=st.sampled_from(OPS),
           strided=st.booleans(), async_op=st.booleans())
    def all_reduce_cases(seed, shape, dtype, op, strided, async_op):
        check_all_reduce(seed, shape, dtype, op, strided, async_op)

    @cfg
    @given(seed=st.integers(0, 2**32 - 1), shape=shapes, dtype=st.sampled_from(DTYPES), src=st.integers(0, n - 1))
    def broadcast_cases(seed, shape, dtype, src):
        check_broadcast(seed, shape, dtype, src)

    @cfg
    @given(seed=st.integers(0, 2**32 - 1), shape=shapes, dtype=st.sampled_from(DTYPES))
    def all_gather_cases(seed, shape, dtype):
        check_all_gather(seed, shape, dtype)

    all_reduce_cases()
    broadcast_cases()
    all_gather_cases()
    dist.barrier()
    print(f"rank {dist.rank()} of {n}: collectives passed {examples} examples each", flush=True)


if __name__ == "__main__":
    main()
