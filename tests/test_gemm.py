"""Property tests of the C GEMM through tensorlite.backend.gemm.

The oracle is numpy's matmul evaluated in float64 on the same inputs; the
tolerance is the classic dot-product error bound, scaled by K and the dtype's
epsilon, elementwise against |A| @ |B|.
"""

import contextlib
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tensorlite.backend import gemm as G
from tensorlite.backend import threads as T
from tensorlite.backend._ffi import ffi, lib

DTYPES = [np.float32, np.float64]
# sizes around the micro-kernel tiles (4, 6, 8, 12, 16, 24, 32) and the
# cache blocks (MC = 96 / 144, KC = 256)
EDGE_SIZES = [0, 1, 2, 3, 5, 6, 7, 8, 11, 12, 13, 15, 16, 17, 23, 24, 25, 31, 32, 33,
              100, 143, 144, 145, 255, 256, 257]
LAYOUTS = ["C", "F", "strided", "neg", "neg2"]

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def oracle(a, b):
    return np.matmul(a.astype(np.float64), b.astype(np.float64))


def assert_close(got, a, b, ref=None, extra=None):
    """|got - a@b| <= 4 (K + 2) eps (|a| @ |b|) (+ extra) elementwise."""
    if ref is None:
        ref = oracle(a, b)
    k = a.shape[-1]
    eps = np.finfo(got.dtype).eps
    bound = 4.0 * (k + 2) * eps * np.matmul(np.abs(a.astype(np.float64)),
                                            np.abs(b.astype(np.float64)))
    if extra is not None:
        bound = bound + extra
    bound = bound + np.finfo(got.dtype).tiny
    assert got.shape == ref.shape
    err = np.abs(got.astype(np.float64) - ref)
    bad = ~(err <= bound)
    assert not bad.any(), (
        f"max err {err.max()} vs bound {bound[bad].min()} at {np.argwhere(bad)[:3].tolist()}"
    )


def make(rng, shape, dtype, layout):
    """A random array of `shape` with the requested memory layout."""
    shape = tuple(shape)
    if layout == "C":
        return rng.standard_normal(shape).astype(dtype)
    if layout == "F":  # transposed view: a.T of a C array
        return rng.standard_normal(shape[::-1]).astype(dtype).T
    if layout == "strided":  # every other row, every third column (+ offset)
        big = rng.standard_normal(
            shape[:-2] + (2 * shape[-2] + 1, 3 * shape[-1] + 1)).astype(dtype)
        return big[..., 1::2, ::3][..., : shape[-2], : shape[-1]]
    if layout == "neg":  # reversed rows
        return rng.standard_normal(shape).astype(dtype)[..., ::-1, :]
    if layout == "neg2":  # reversed columns of a transposed array
        return rng.standard_normal(shape[::-1]).astype(dtype).T[..., ::-1]
    raise ValueError(layout)


@contextlib.contextmanager
def gemm_arch(name):
    """Cap the micro-kernel family (read by the C code on every call)."""
    old = os.environ.get("TENSORLITE_GEMM_ARCH")
    os.environ["TENSORLITE_GEMM_ARCH"] = name
    try:
        yield
    finally:
        if old is None:
            del os.environ["TENSORLITE_GEMM_ARCH"]
        else:
            os.environ["TENSORLITE_GEMM_ARCH"] = old


@contextlib.contextmanager
def num_threads(n):
    old = T.get_num_threads()
    T.set_num_threads(n)
    try:
        yield
    finally:
        T.set_num_threads(old)


# --------------------------------------------------------------------------
# 2-D products


@settings(max_examples=150, **SETTINGS)
@given(
    m=st.sampled_from(EDGE_SIZES),
    n=st.sampled_from(EDGE_SIZES),
    k=st.sampled_from(EDGE_SIZES),
    la=st.sampled_from(LAYOUTS),
    lb=st.sampled_from(LAYOUTS),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**32 - 1),
)
def test_matmul_2d_edges_and_layouts(m, n, k, la, lb, dtype, seed):
    rng = np.random.default_rng(seed)
    a = make(rng, (m, k), dtype, la)
    b = make(rng, (k, n), dtype, lb)
    c = G.matmul(a, b)
    assert c.dtype == dtype and c.flags.c_contiguous and c.shape == (m, n)
    assert_close(c, a, b)


@settings(max_examples=40, **SETTINGS)
@given(
    m=st.integers(0, 300),
    n=st.integers(0, 300),
    k=st.integers(0, 300),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**32 - 1),
)
def test_matmul_2d_random_sizes(m, n, k, dtype, seed):
    rng = np.random.default_rng(seed)
    a = make(rng, (m, k), dtype, "C")
    b = make(rng, (k, n), dtype, "C")
    assert_close(G.matmul(a, b), a, b)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "m,n,k",
    [
        (0, 5, 3), (5, 0, 3), (5, 3, 0), (0, 0, 0), (1, 1, 1), (3, 17, 100),
        (1, 300, 200), (300, 1, 200),          # vector-like
        (13, 4200, 40),                          # several NC blocks
        (400, 70, 600),                          # several MC and KC blocks
        (5, 7, 100000),                          # K split across threads
        (16, 144, 6000), (144, 16, 6000),        # conv weight-gradient shapes
        (3000, 6, 75), (2000, 16, 27), (1500, 16, 144), (1000, 32, 288),  # im2col
        (700, 144, 16),
    ],
)
def test_matmul_2d_fixed_shapes(m, n, k, dtype):
    rng = np.random.default_rng(m * 7 + n * 13 + k)
    for la, lb in [("C", "C"), ("F", "C"), ("C", "F"), ("neg", "strided")]:
        a = make(rng, (m, k), dtype, la)
        b = make(rng, (k, n), dtype, lb)
        assert_close(G.matmul(a, b), a, b)


def test_matmul_zero_k_gives_zeros():
    for dtype in DTYPES:
        a = np.ones((4, 0), dtype)
        b = np.ones((0, 3), dtype)
        out = np.full((4, 3), np.nan, dtype)
        r = G.matmul(a, b, out=out)
        assert r is out
        assert np.array_equal(out, np.zeros((4, 3), dtype))
        assert np.array_equal(G.matmul(a, b), np.zeros((4, 3), dtype))


def test_matmul_misaligned_and_odd_strides():
    rng = np.random.default_rng(1)
    # data pointer not a multiple of the itemsize
    raw = np.zeros(4 * 30 * 20 + 1, np.uint8)
    a = raw[1:].view(np.float32).reshape(30, 20)
    a[...] = rng.standard_normal((30, 20))
    assert a.ctypes.data % 4 != 0
    b = rng.standard_normal((20, 9)).astype(np.float32)
    assert_close(G.matmul(a, b), a, b)
    # strides that are not a multiple of the itemsize (packed records)
    rec = np.zeros((20, 9), dtype=[("x", np.float64), ("pad", np.int8)])
    rec["x"] = rng.standard_normal((20, 9))
    bx = rec["x"]
    assert bx.strides[0] % 8 != 0
    a64 = rng.standard_normal((7, 20))
    assert_close(G.matmul(a64, bx), a64, bx)


def test_matmul_out_and_aliasing():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((40, 40)).astype(np.float32)
    b = rng.standard_normal((40, 40)).astype(np.float32)
    ref = oracle(a, b)
    out = np.full((40, 40), np.nan, np.float32)
    assert G.matmul(a, b, out=out) is out
    assert_close(out, a, b, ref)
    # out is an input: must behave like a copy was taken first
    a2 = a.copy()
    G.matmul(a2, b, out=a2)
    assert_close(a2, a, b, ref)
    b2 = b.copy()
    G.matmul(a, b2, out=b2)
    assert_close(b2, a, b, ref)


# --------------------------------------------------------------------------
# batched / broadcast products


BATCH_CASES = [
    ((2, 1), (3,)),
    ((3,), ()),
    ((), (4,)),
    ((2, 3), (2, 3)),
    ((1,), (5,)),
    ((4, 1, 2), (3, 1)),
    ((1, 1), (1,)),
    ((0,), (1,)),
    ((2, 0), (2, 1)),
    ((7,), (7,)),
    ((4,), (1,)),
    ((1,), (1,)),
]


@settings(max_examples=80, **SETTINGS)
@given(
    batch=st.sampled_from(BATCH_CASES),
    m=st.sampled_from([0, 1, 5, 6, 13, 17, 40]),
    n=st.sampled_from([0, 1, 7, 16, 17, 33]),
    k=st.sampled_from([0, 1, 3, 16, 29, 64]),
    la=st.sampled_from(LAYOUTS),
    lb=st.sampled_from(LAYOUTS),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**32 - 1),
)
def test_matmul_batched_broadcast(batch, m, n, k, la, lb, dtype, seed):
    rng = np.random.default_rng(seed)
    ba, bb = batch
    a = make(rng, ba + (m, k), dtype, la)
    b = make(rng, bb + (k, n), dtype, lb)
    c = G.matmul(a, b)
    ref = oracle(a, b)
    assert c.shape == ref.shape and c.flags.c_contiguous and c.dtype == dtype
    assert_close(c, a, b, ref)


def test_matmul_batched_non_collapsible_views():
    rng = np.random.default_rng(3)
    big = rng.standard_normal((4, 6, 20, 9)).astype(np.float32)
    a = big[::2, 1::2, :, :5]                 # batch strides cannot be merged
    b = rng.standard_normal((3, 5, 7)).astype(np.float32)[::-1]
    assert_close(G.matmul(a, b), a, b)
    # broadcast via stride-0 views (np.broadcast_to)
    a0 = np.broadcast_to(rng.standard_normal((1, 8, 5)).astype(np.float32), (6, 8, 5))
    assert_close(G.matmul(a0, b[:1]), a0, b[:1])
    # batch folded into M: (B, M, K) @ (K, N)
    a3 = rng.standard_normal((5, 9, 12))
    b3 = rng.standard_normal((12, 4))
    assert_close(G.matmul(a3, b3), a3, b3)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch,m,n,k", [(8, 20, 20, 20), (3, 150, 130, 170), (64, 6, 16, 75),
                                         (2, 300, 40, 50)])
def test_matmul_batched_thread_paths(dtype, batch, m, n, k):
    rng = np.random.default_rng(batch + m)
    a = rng.standard_normal((batch, m, k)).astype(dtype)
    b = rng.standard_normal((batch, k, n)).astype(dtype)
    ref = oracle(a, b)
    for nt in (1, 2, 3):
        with num_threads(nt):
            assert_close(G.matmul(a, b), a, b, ref)
            assert_close(G.matmul(a, b[:1]), a, b[:1])


# --------------------------------------------------------------------------
# the raw 2-D gemm: alpha / beta


@settings(max_examples=80, **SETTINGS)
@given(
    m=st.sampled_from([1, 3, 6, 7, 17, 40, 145]),
    n=st.sampled_from([1, 5, 16, 17, 33, 70]),
    k=st.sampled_from([0, 1, 4, 31, 257]),
    alpha=st.sampled_from([1.0, -1.0, 0.5, 2.5, 0.0]),
    beta=st.sampled_from([0.0, 1.0, -0.5, 2.0]),
    lc=st.sampled_from(["C", "F", "strided", "neg"]),
    la=st.sampled_from(LAYOUTS),
    dtype=st.sampled_from(DTYPES),
    seed=st.integers(0, 2**32 - 1),
)
def test_gemm_alpha_beta(m, n, k, alpha, beta, lc, la, dtype, seed):
    rng = np.random.default_rng(seed)
    a = make(rng, (m, k), dtype, la)
    b = make(rng, (k, n), dtype, "C")
    c0 = make(rng, (m, n), dtype, lc)
    if beta == 0.0:
        c0[...] = np.nan  # must be ignored, not multiplied by 0
    c_before = c0.astype(np.float64)
    ab = oracle(a, b)
    ref = alpha * ab + (beta * c_before if beta != 0.0 else 0.0)
    r = G.gemm(a, b, alpha=alpha, beta=beta, out=c0)
    assert r is c0
    eps = np.finfo(dtype).eps
    extra = 4 * eps * (np.abs(beta * c_before) if beta != 0.0 else 0.0)
    assert_close(c0, a * np.asarray(alpha, dtype), b, ref=ref, extra=extra)


def test_gemm_without_out_and_nan_inputs_alpha_zero():
    rng = np.random.default_rng(4)
    a = rng.standard_normal((9, 5)).astype(np.float32)
    b = rng.standard_normal((5, 4)).astype(np.float32)
    assert_close(G.gemm(a, b, alpha=2.0), 2 * a, b)
    out = np.ones((9, 4), np.float32)
    G.gemm(a, b, alpha=0.0, beta=3.0, out=out)
    assert np.array_equal(out, np.full((9, 4), 3.0, np.float32))


def test_raw_c_api_strides_and_beta_nan():
    """Call tl_sgemm directly with negative strides and NaN in C (beta=0)."""
    rng = np.random.default_rng(5)
    M, N, K = 37, 29, 41
    a = rng.standard_normal((M, K)).astype(np.float32)
    b = rng.standard_normal((K, N)).astype(np.float32)
    c = np.full((M, N), np.nan, np.float32)
    ar = a[::-1]  # row stride -K
    fp = lambda x: ffi.cast("float *", x.ctypes.data)  # noqa: E731
    lib.tl_sgemm(M, N, K, 1.0, fp(ar), -K, 1, fp(b), N, 1, 0.0, fp(c), N, 1)
    assert_close(c, ar, b)
    # M or N == 0 returns without touching anything; K == 0 scales C
    lib.tl_sgemm(0, N, K, 1.0, ffi.NULL, 0, 0, ffi.NULL, 0, 0, 0.0, ffi.NULL, 0, 0)
    c2 = np.full((M, N), 2.0, np.float32)
    lib.tl_sgemm(M, N, 0, 1.0, ffi.NULL, 0, 0, ffi.NULL, 0, 0, 0.5, fp(c2), N, 1)
    assert np.array_equal(c2, np.ones((M, N), np.float32))
    # batched with a broadcast (stride-0) A
    a3 = rng.standard_normal((M, K)).astype(np.float32)
    b3 = rng.standard_normal((4, K, N)).astype(np.float32)
    c3 = np.empty((4, M, N), np.float32)
    lib.tl_sgemm_batched(4, M, N, K, 1.0, fp(a3), 0, K, 1, fp(b3), K * N, N, 1,
                         0.0, fp(c3), M * N, N, 1)
    assert_close(c3, a3, b3)


# --------------------------------------------------------------------------
# kernel families and threads


@pytest.mark.parametrize("arch", ["generic", "avx2", "avx512"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_every_kernel_family(arch, dtype):
    rng = np.random.default_rng(6)
    shapes = [(145, 70, 257), (31, 17, 33), (300, 16, 27), (8, 300, 50), (5, 5, 3000),
              (100, 6, 75)]
    with gemm_arch(arch):
        assert ffi.string(lib.tl_gemm_arch()).decode() in ("generic", "avx2", "avx512")
        for m, n, k in shapes:
            for la, lb in [("C", "C"), ("F", "F"), ("strided", "neg")]:
                a = make(rng, (m, k), dtype, la)
                b = make(rng, (k, n), dtype, lb)
                assert_close(G.matmul(a, b), a, b)
            c = make(rng, (m, n), dtype, "F")
            c[...] = np.nan
            G.gemm(a, b, out=c)
            assert_close(c, a, b)
        if arch == "generic":
            assert ffi.string(lib.tl_gemm_arch()) == b"generic"


def test_threads_1_and_2_agree():
    rng = np.random.default_rng(7)
    cases = [(400, 384, 300), (6, 5000, 75), (2000, 16, 144), (16, 144, 12000), (7, 9, 30000)]
    for dtype in DTYPES:
        for m, n, k in cases:
            a = rng.standard_normal((m, k)).astype(dtype)
            b = rng.standard_normal((k, n)).astype(dtype)
            with num_threads(1):
                c1 = G.matmul(a, b)
            with num_threads(2):
                c2 = G.matmul(a, b)
            assert_close(c1, a, b)
            assert_close(c2, a, b)
            eps = np.finfo(dtype).eps
            scale = np.matmul(np.abs(a), np.abs(b))
            assert np.all(np.abs(c1 - c2) <= 8 * (k + 2) * eps * scale + np.finfo(dtype).tiny)


def _fork_child_matmul(q):
    rng = np.random.default_rng(9)
    a = rng.standard_normal((300, 200)).astype(np.float32)
    b = rng.standard_normal((200, 150)).astype(np.float32)
    c = G.matmul(a, b)
    ok = bool(np.allclose(c, oracle(a, b), rtol=1e-4, atol=1e-4))
    q.put((ok, int(lib.tl_get_num_threads())))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_gemm_works_in_forked_child():
    """GNU OpenMP hangs in a child forked after a parallel region unless the
    child stays single-threaded: the C core must handle that itself."""
    import multiprocessing as mp

    with num_threads(2):
        a = np.ones((256, 256), np.float32)
        G.matmul(a, a)  # start the OpenMP pool in this process
        ctx = mp.get_context("fork")
        q = ctx.Queue()
        p = ctx.Process(target=_fork_child_matmul, args=(q,))
        p.start()
        p.join(60)
        if p.is_alive():
            p.kill()
            pytest.fail("matmul hung in a forked child process")
        assert p.exitcode == 0
        ok, nt = q.get(timeout=5)
        assert ok and nt == 1


def test_set_num_threads_validation():
    old = T.get_num_threads()
    try:
        T.set_num_threads(1)
        assert T.get_num_threads() == 1
        T.set_num_threads(2)
        assert T.get_num_threads() == 2
        import numba

        assert numba.get_num_threads() == min(2, numba.config.NUMBA_NUM_THREADS)
        for bad in (0, -1, 1.5, "2", None, True):
            with pytest.raises(ValueError, match="set_num_threads"):
                T.set_num_threads(bad)
        assert T.get_num_threads() == 2
    finally:
        T.set_num_threads(old)
    assert lib.tl_cpu_has_avx2_fma() in (0, 1)


# --------------------------------------------------------------------------
# errors


def test_errors_name_the_function():
    f32 = np.ones((3, 4), np.float32)
    with pytest.raises(ValueError, match=r"matmul.*\(3, 4\).*\(5, 2\)"):
        G.matmul(f32, np.ones((5, 2), np.float32))
    with pytest.raises(TypeError, match="matmul.*same dtype"):
        G.matmul(f32, np.ones((4, 2), np.float64))
    with pytest.raises(TypeError, match="matmul.*'a'.*int64"):
        G.matmul(np.ones((3, 4), np.int64), np.ones((4, 2), np.int64))
    with pytest.raises(TypeError, match="matmul.*'b'.*float16"):
        G.matmul(f32, np.ones((4, 2), np.float16))
    with pytest.raises(ValueError, match="matmul.*'a'.*2 dimensions"):
        G.matmul(np.ones(4, np.float32), np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match="matmul.*'b'.*2 dimensions"):
        G.matmul(f32, np.ones(4, np.float32))
    with pytest.raises(TypeError, match="matmul.*'a'.*ndarray"):
        G.matmul([[1.0]], np.ones((1, 1), np.float32))
    with pytest.raises(ValueError, match="matmul.*batch"):
        G.matmul(np.ones((2, 3, 4), np.float32), np.ones((3, 4, 2), np.float32))
    with pytest.raises(ValueError, match="matmul.*'out'.*shape"):
        G.matmul(f32, np.ones((4, 2), np.float32), out=np.empty((3, 3), np.float32))
    with pytest.raises(TypeError, match="matmul.*'out'.*dtype"):
        G.matmul(f32, np.ones((4, 2), np.float32), out=np.empty((3, 2), np.float64))
    with pytest.raises(ValueError, match="matmul.*'out'.*C-contiguous"):
        G.matmul(f32, np.ones((4, 2), np.float32), out=np.empty((2, 3), np.float32).T)
    with pytest.raises(ValueError, match="gemm.*2-D"):
        G.gemm(np.ones((2, 3, 4), np.float32), np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match="gemm.*not aligned"):
        G.gemm(f32, np.ones((3, 2), np.float32))
    with pytest.raises(TypeError, match="gemm.*same dtype"):
        G.gemm(f32, np.ones((4, 2), np.float64))
    with pytest.raises(ValueError, match="gemm.*'out'.*shape"):
        G.gemm(f32, np.ones((4, 2), np.float32), out=np.empty((2, 3), np.float32))
    ro = np.empty((3, 2), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="gemm.*writeable"):
        G.gemm(f32, np.ones((4, 2), np.float32), out=ro)
