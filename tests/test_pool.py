"""max_pool2d / avg_pool2d / adaptive pools: a numpy reference (the oracle), PyTorch parity,
the gradient tie rule, NaN, ceil_mode edge cases, gradcheck and bad inputs."""
import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import tensorlite as tl
from tensorlite.backend import pool as backend
from tensorlite.errors import ShapeError
from tensorlite.ops.pool import adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool2d, max_pool2d

from tensorlite.testing.strategies import to_layout, LAYOUTS


# ---------------------------------------------------------------- numpy reference
def ref_out(n, k, s, p, d, ceil_mode):
    eff = d * (k - 1) + 1
    if ceil_mode:
        out = -(-(n + 2 * p - eff) // s) + 1
        if (out - 1) * s >= n + p:
            out -= 1
    else:
        out = (n + 2 * p - eff) // s + 1
    return out


def ref_max_pool(x, k, s, p, d, ceil_mode):
    """(y, flat indices, dx-of-ones-upstream function) by explicit window scans in row-major
    order: a value replaces the running max if it is larger or NaN (first max wins ties)."""
    N, C, H, W = x.shape
    OH, OW = (ref_out(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip((H, W), k, s, p, d))
    y = np.empty((N, C, OH, OW), dtype=x.dtype)
    idx = np.empty((N, C, OH, OW), dtype=np.int64)
    for n in range(N):
        for c in range(C):
            for oh in range(OH):
                for ow in range(OW):
                    rows = [oh * s[0] - p[0] + i * d[0] for i in range(k[0])]
                    cols = [ow * s[1] - p[1] + j * d[1] for j in range(k[1])]
                    rows = [r for r in rows if 0 <= r < H]
                    cols = [q for q in cols if 0 <= q < W]
                    best, bi = -np.inf, None
                    for r in rows:
                        for q in cols:
                            v = x[n, c, r, q]
                            if v > best or np.isnan(v):
                                best, bi = v, r * W + q
                    y[n, c, oh, ow] = best
                    idx[n, c, oh, ow] = -1 if bi is None else bi
    return y, idx


def ref_scatter(dy, idx, hw):
    N, C = dy.shape[:2]
    dx = np.zeros((N, C, hw[0] * hw[1]))
    for n in range(N):
        for c in range(C):
            for o, i in zip(dy[n, c].ravel(), idx[n, c].ravel()):
                if i >= 0:
                    dx[n, c, i] += o
    return dx.reshape((N, C) + tuple(hw))


def ref_avg_windows(H, W, k, s, p, ceil_mode, cip, dov):
    """[(oh, ow, rows, cols, divisor)] with PyTorch's avg_pool2d rules."""
    OH, OW = (ref_out(n, kk, ss, pp, 1, ceil_mode) for n, kk, ss, pp in zip((H, W), k, s, p))
    out = []
    for oh in range(OH):
        for ow in range(OW):
            h0, w0 = oh * s[0] - p[0], ow * s[1] - p[1]
            h1, w1 = min(h0 + k[0], H + p[0]), min(w0 + k[1], W + p[1])
            pool = (h1 - h0) * (w1 - w0)
            h0, w0, h1, w1 = max(h0, 0), max(w0, 0), min(h1, H), min(w1, W)
            div = dov if dov else (pool if cip else (h1 - h0) * (w1 - w0))
            out.append((oh, ow, range(h0, h1), range(w0, w1), div))
    return (OH, OW), out


def ref_avg_pool(x, k, s, p, ceil_mode, cip, dov):
    N, C, H, W = x.shape
    (OH, OW), wins = ref_avg_windows(H, W, k, s, p, ceil_mode, cip, dov)
    y = np.zeros((N, C, OH, OW))
    for oh, ow, rows, cols, div in wins:
        if len(rows) and len(cols):
            y[:, :, oh, ow] = x[:, :, rows.start:rows.stop, cols.start:cols.stop].sum(axis=(2, 3)) / div
    return y


def ref_avg_pool_grad(dy, hw, k, s, p, ceil_mode, cip, dov):
    N, C = dy.shape[:2]
    dx = np.zeros((N, C) + tuple(hw))
    _, wins = ref_avg_windows(hw[0], hw[1], k, s, p, ceil_mode, cip, dov)
    for oh, ow, rows, cols, div in wins:
        if len(rows) and len(cols):
            dx[:, :, rows.start:rows.stop, cols.start:cols.stop] += (dy[:, :, oh, ow] / div)[:, :, None, None]
    return dx


def adaptive_ranges(n, out):
    return [range((i * n) // out, -(-((i + 1) * n) // out)) for i in range(out)]


def ref_adaptive(x, out_hw, op):
    N, C, H, W = x.shape
    y = np.zeros((N, C) + tuple(out_hw))
    for oh, rows in enumerate(adaptive_ranges(H, out_hw[0])):
        for ow, cols in enumerate(adaptive_ranges(W, out_hw[1])):
            y[:, :, oh, ow] = op(x[:, :, rows.start:rows.stop, cols.start:cols.stop], axis=(2, 3))
    return y


def tol(dtype):
    return dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)


def tensor(arr, requires_grad=True):
    t = tl.from_numpy(arr)
    return t.requires_grad_() if requires_grad else t


# ---------------------------------------------------------------- strategies
@st.composite
def pool_cases(draw, dilation=True):
    k = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    p = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    d = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilation else (1, 1)
    ceil_mode = draw(st.booleans())
    s = k if stride is None else stride
    H, W = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    assume(all(ref_out(n, kk, ss, pp, dd, ceil_mode) >= 1 for n, kk, ss, pp, dd in zip((H, W), k, s, p, d)))
    dtype = draw(st.sampled_from([np.float32, np.float64]))
    # small integers: many exact ties inside windows
    x = draw(st.integers(0, 2 ** 16)).__index__()
    rng = np.random.default_rng(x)
    ties = draw(st.booleans())
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), H, W)
    arr = (rng.integers(-2, 3, shape) if ties else rng.standard_normal(shape)).astype(dtype)
    return dict(x=to_layout(arr, draw(st.sampled_from(LAYOUTS))), k=k, stride=stride, s=s, p=p, d=d,
                ceil_mode=ceil_mode, dtype=dtype, rng=rng)


# ---------------------------------------------------------------- against the numpy reference
@settings(max_examples=150, deadline=None)
@given(pool_cases())
def test_max_pool2d_matches_reference(case):
    x = case["x"]
    X = tensor(x)
    y, idx = max_pool2d(X, case["k"], case["stride"], case["p"], case["d"], case["ceil_mode"],
                        return_indices=True)
    ry, ridx = ref_max_pool(x, case["k"], case["s"], case["p"], case["d"], case["ceil_mode"])
    np.testing.assert_array_equal(y.detach().numpy(), ry)
    np.testing.assert_array_equal(idx.numpy(), ridx)
    dy = case["rng"].standard_normal(ry.shape).astype(case["dtype"])
    y.backward(tl.from_numpy(dy))
    np.testing.assert_allclose(X.grad.numpy(), ref_scatter(dy, ridx, x.shape[2:]), **tol(case["dtype"]))


@settings(max_examples=150, deadline=None)
@given(pool_cases(dilation=False), st.booleans(), st.sampled_from([None, 1, 3]))
def test_avg_pool2d_matches_reference(case, cip, dov):
    x = case["x"]
    X = tensor(x)
    y = avg_pool2d(X, case["k"], case["stride"], case["p"], case["ceil_mode"], cip, dov)
    ry = ref_avg_pool(x, case["k"], case["s"], case["p"], case["ceil_mode"], cip, dov)
    np.testing.assert_allclose(y.detach().numpy(), ry, **tol(case["dtype"]))
    dy = case["rng"].standard_normal(ry.shape).astype(case["dtype"])
    y.backward(tl.from_numpy(dy))
    np.testing.assert_allclose(
        X.grad.numpy(),
        ref_avg_pool_grad(dy, x.shape[2:], case["k"], case["s"], case["p"], case["ceil_mode"], cip, dov),
        **tol(case["dtype"]))


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 10), st.integers(1, 10), st.integers(1, 6), st.integers(1, 6),
       st.sampled_from([np.float32, np.float64]), st.integers(0, 999), st.sampled_from(LAYOUTS))
def test_adaptive_pools_match_reference(H, W, oh, ow, dtype, seed, layout):
    rng = np.random.default_rng(seed)
    x = to_layout(rng.integers(-3, 4, (2, 2, H, W)).astype(dtype), layout)
    X = tensor(x)
    y = adaptive_avg_pool2d(X, (oh, ow))
    np.testing.assert_allclose(y.detach().numpy(), ref_adaptive(x, (oh, ow), np.mean), **tol(dtype))
    m, idx = adaptive_max_pool2d(x, (oh, ow), return_indices=True)
    np.testing.assert_array_equal(m.numpy(), ref_adaptive(x, (oh, ow), np.max))
    # indices: the first maximum of each window in scan order
    for n in range(2):
        for c in range(2):
            for i, rows in enumerate(adaptive_ranges(H, oh)):
                for j, cols in enumerate(adaptive_ranges(W, ow)):
                    win = x[n, c, rows.start:rows.stop, cols.start:cols.stop]
                    r, q = np.unravel_index(np.argmax(win), win.shape)
                    assert idx.numpy()[n, c, i, j] == (rows.start + r) * W + cols.start + q
    dy = rng.standard_normal((2, 2, oh, ow)).astype(dtype)
    y.backward(tl.from_numpy(dy))
    ref = np.zeros((2, 2, H, W))
    for i, rows in enumerate(adaptive_ranges(H, oh)):
        for j, cols in enumerate(adaptive_ranges(W, ow)):
            ref[:, :, rows.start:rows.stop, cols.start:cols.stop] += \
                (dy[:, :, i, j] / (len(rows) * len(cols)))[:, :, None, None]
    np.testing.assert_allclose(X.grad.numpy(), ref, **tol(dtype))


# ---------------------------------------------------------------- tie rule, NaN, ceil_mode
def test_max_pool_gradient_goes_to_first_maximum_in_scan_order():
    # every window of a constant input is a tie: the top-left element takes the gradient
    x = tensor(np.ones((1, 1, 4, 4)))
    max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[1, 0, 1, 0], [0, 0, 0, 0],
                                                         [1, 0, 1, 0], [0, 0, 0, 0]])
    # ties in later rows / columns: the first in row-major order wins, not the last
    a = np.array([[0., 5., 1.],
                  [5., 5., 2.],
                  [3., 5., 5.]])
    x = tensor(a[None, None].copy())
    y, idx = max_pool2d(x, 3, stride=1, return_indices=True)
    assert idx.numpy().ravel().tolist() == [1]
    y.sum().backward()
    expect = np.zeros((3, 3))
    expect[0, 1] = 1
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expect)
    # overlapping windows (stride 1): each window sends its gradient to its own first maximum
    x = tensor(a[None, None].copy())
    y, idx = max_pool2d(x, 2, stride=1, return_indices=True)
    assert idx.numpy().ravel().tolist() == [1, 1, 3, 4]
    y.backward(tl.tensor([[[[1.0, 10.0], [100.0, 1000.0]]]], dtype=tl.float64))
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], [[0, 11, 0], [100, 1000, 0], [0, 0, 0]])
    # the padding (-inf) never wins, even against -inf inputs: the first real element does
    x = tensor(np.full((1, 1, 2, 2), -np.inf))
    y, idx = max_pool2d(x, 3, stride=1, padding=1, return_indices=True)
    assert idx.numpy().ravel().tolist() == [0, 0, 0, 0]


def test_max_pool_ties_match_torch(torch):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, (2, 3, 9, 8)).astype(np.float32)
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1),
               dict(kernel_size=(3, 2), stride=(2, 1), dilation=(1, 2), ceil_mode=True)):
        tx = torch.from_numpy(x.copy()).requires_grad_()
        ty, ti = torch.nn.functional.max_pool2d(tx, return_indices=True, **kw)
        X = tensor(x.copy())
        y, i = max_pool2d(X, return_indices=True, **kw)
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
        g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
        ty.backward(torch.from_numpy(g))
        y.backward(tl.from_numpy(g))
        np.testing.assert_allclose(X.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)


def test_nan_propagates_like_torch(torch):
    x = np.array([[[[1., np.nan, 3., np.nan, 0.],
                    [np.nan, 2., 0., 5., 1.],
                    [4., 4., np.inf, -np.inf, 2.]]]])
    for kw in (dict(kernel_size=2), dict(kernel_size=2, stride=1), dict(kernel_size=3, padding=1)):
        y, i = max_pool2d(tl.from_numpy(x), return_indices=True, **kw)
        ty, ti = torch.nn.functional.max_pool2d(torch.from_numpy(x), return_indices=True, **kw)
        np.testing.assert_array_equal(y.numpy(), ty.numpy())      # NaN positions match too
        np.testing.assert_array_equal(i.numpy(), ti.numpy())
    y, i = adaptive_max_pool2d(tl.from_numpy(x), (2, 2), return_indices=True)
    ty, ti = torch.nn.functional.adaptive_max_pool2d(torch.from_numpy(x), (2, 2), return_indices=True)
    np.testing.assert_array_equal(y.numpy(), ty.numpy())
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    a = avg_pool2d(tl.from_numpy(x), 2)
    np.testing.assert_array_equal(a.numpy(), torch.nn.functional.avg_pool2d(torch.from_numpy(x), 2).numpy())


@pytest.mark.parametrize("H,k,s,p,d", [
    (5, 2, 2, 0, 1),     # ceil adds a partial last window
    (5, 3, 3, 1, 1),     # ceil would start the last window in the right padding: dropped
    (6, 2, 2, 1, 1),     # last window starts at the last input row: kept
    (4, 3, 2, 1, 1),
    (7, 3, 3, 1, 1),
    (8, 3, 3, 0, 1),
    (1, 1, 2, 0, 1),
    (2, 2, 3, 1, 1),     # window covers padding + one element
    (9, 3, 4, 1, 2),     # dilation
    (10, 2, 3, 1, 3),
    (3, 3, 2, 1, 1),
])
@pytest.mark.parametrize("ceil_mode", [False, True])
def test_ceil_mode_output_sizes_and_values_match_torch(torch, H, k, s, p, d, ceil_mode):
    rng = np.random.default_rng(H * 100 + k * 10 + s)
    x = rng.standard_normal((1, 2, H, H + 1))
    tx = torch.from_numpy(x).requires_grad_()
    ty, ti = torch.nn.functional.max_pool2d(tx, k, s, p, d, ceil_mode, return_indices=True)
    X = tensor(x.copy())
    y, i = max_pool2d(X, k, s, p, d, ceil_mode, return_indices=True)
    assert tuple(y.shape) == tuple(ty.shape)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    empty = i.numpy() < 0
    np.testing.assert_array_equal(i.numpy()[~empty], ti.numpy()[~empty])
    if not empty.any():             # (torch's own backward is wrong / unsafe otherwise)
        g = rng.standard_normal(tuple(ty.shape))
        ty.backward(torch.from_numpy(g))
        y.backward(tl.from_numpy(g))
        np.testing.assert_allclose(X.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    if d == 1:
        for cip in (True, False):
            ta = torch.nn.functional.avg_pool2d(torch.from_numpy(x), k, s, p, ceil_mode, cip)
            a = avg_pool2d(tl.from_numpy(x), k, s, p, ceil_mode, cip)
            assert tuple(a.shape) == tuple(ta.shape)
            np.testing.assert_allclose(a.numpy(), ta.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape,kw", [
    ((1, 1, 2, 2), dict(kernel_size=2, stride=1, padding=1, dilation=3)),
    ((1, 1, 2, 1), dict(kernel_size=(1, 2), padding=(0, 1), dilation=(1, 2))),
])
def test_empty_dilated_window_gives_minus_inf_index_minus_one_and_no_gradient(torch, shape, kw):
    x = np.arange(float(np.prod(shape))).reshape(shape) + 1
    ty, ti = torch.nn.functional.max_pool2d(torch.from_numpy(x), return_indices=True, **kw)
    X = tensor(x.copy())
    y, i = max_pool2d(X, return_indices=True, **kw)
    np.testing.assert_array_equal(y.detach().numpy(), ty.numpy())
    empty = np.isneginf(ty.numpy())
    assert empty.any()
    np.testing.assert_array_equal(i.numpy()[empty], -1)
    np.testing.assert_array_equal(i.numpy()[~empty], ti.numpy()[~empty])
    y.sum().backward()      # only the non-empty windows send gradient
    ref = np.zeros(x.size)
    np.add.at(ref, ti.numpy()[~empty], 1.0)
    np.testing.assert_array_equal(X.grad.numpy().ravel(), ref)


def test_sum_pooling_is_avg_pool_times_window():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 6, 6))
    s = avg_pool2d(tl.from_numpy(x), 3) * 9
    ref = x.reshape(2, 3, 2, 3, 2, 3).sum(axis=(3, 5))
    np.testing.assert_allclose(s.numpy(), ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(avg_pool2d(tl.from_numpy(x), 3, divisor_override=1).numpy(), ref,
                               rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- against torch
@settings(max_examples=80, deadline=None)
@given(pool_cases())
def test_max_pool2d_matches_torch(torch, case):
    x = np.array(case["x"])
    kw = dict(kernel_size=case["k"], stride=case["stride"], padding=case["p"], dilation=case["d"],
              ceil_mode=case["ceil_mode"])
    tx = torch.from_numpy(x.copy()).requires_grad_()
    ty, ti = torch.nn.functional.max_pool2d(tx, return_indices=True, **kw)
    X = tensor(x)
    y, i = max_pool2d(X, return_indices=True, **kw)
    np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
    empty = i.numpy() < 0                              # windows without input elements
    np.testing.assert_array_equal(i.numpy()[~empty], ti.numpy()[~empty])
    assume(not empty.any())       # torch sends their gradient to a wrong place (or out of bounds)
    g = case["rng"].standard_normal(tuple(ty.shape)).astype(case["dtype"])
    ty.backward(torch.from_numpy(g))
    y.backward(tl.from_numpy(g))
    np.testing.assert_allclose(X.grad.numpy(), tx.grad.numpy(), **tol(case["dtype"]))


@settings(max_examples=80, deadline=None)
@given(pool_cases(dilation=False), st.booleans(), st.sampled_from([None, 2, 5]))
def test_avg_pool2d_matches_torch(torch, case, cip, dov):
    x = np.array(case["x"])
    kw = dict(kernel_size=case["k"], stride=case["stride"], padding=case["p"],
              ceil_mode=case["ceil_mode"], count_include_pad=cip, divisor_override=dov)
    tx = torch.from_numpy(x.copy()).requires_grad_()
    ty = torch.nn.functional.avg_pool2d(tx, **kw)
    X = tensor(x)
    y = avg_pool2d(X, **kw)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), **tol(case["dtype"]))
    g = case["rng"].standard_normal(tuple(ty.shape)).astype(case["dtype"])
    ty.backward(torch.from_numpy(g))
    y.backward(tl.from_numpy(g))
    np.testing.assert_allclose(X.grad.numpy(), tx.grad.numpy(), **tol(case["dtype"]))


@pytest.mark.parametrize("in_hw,out", [((7, 9), (3, 4)), ((5, 5), 1), ((4, 6), (None, 2)),
                                       ((3, 3), (5, 7)), ((8, 8), (8, 8)), ((1, 5), (1, 3))])
def test_adaptive_pools_match_torch(torch, in_hw, out):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3) + in_hw)
    for tfn, fn in ((torch.nn.functional.adaptive_avg_pool2d, adaptive_avg_pool2d),
                    (torch.nn.functional.adaptive_max_pool2d, adaptive_max_pool2d)):
        tx = torch.from_numpy(x.copy()).requires_grad_()
        ty = tfn(tx, out)
        X = tensor(x.copy())
        y = fn(X, out)
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-12)
        g = rng.standard_normal(tuple(ty.shape))
        ty.backward(torch.from_numpy(g))
        y.backward(tl.from_numpy(g))
        np.testing.assert_allclose(X.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_lenet_pool_shapes_match_torch_float32(torch):
    rng = np.random.default_rng(3)
    for shape in ((8, 6, 28, 28), (8, 16, 10, 10)):
        x = rng.standard_normal(shape).astype(np.float32)
        for tfn, fn in ((torch.nn.functional.max_pool2d, max_pool2d),
                        (torch.nn.functional.avg_pool2d, avg_pool2d)):
            tx = torch.from_numpy(x.copy()).requires_grad_()
            ty = tfn(tx, 2)
            X = tensor(x.copy())
            y = fn(X, 2)
            np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-6, atol=1e-6)
            g = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
            ty.backward(torch.from_numpy(g))
            y.backward(tl.from_numpy(g))
            np.testing.assert_allclose(X.grad.numpy(), tx.grad.numpy(), rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------- gradcheck, shapes, dtypes
def test_gradcheck_pools():
    rng = np.random.default_rng(4)
    x = tensor(rng.permutation(50).reshape(1, 2, 5, 5) / 7.0)     # distinct values: no ties
    assert tl.autograd.gradcheck(lambda a: max_pool2d(a, 3, 2, 1), (x,))
    assert tl.autograd.gradcheck(lambda a: max_pool2d(a, 2, 1, 1, 2, True), (x,))
    assert tl.autograd.gradcheck(lambda a: adaptive_max_pool2d(a, (2, 3)), (x,))
    assert tl.autograd.gradcheck(lambda a: avg_pool2d(a, 3, 2, 1, True, False), (x,))
    assert tl.autograd.gradcheck(lambda a: avg_pool2d(a, (2, 3), 1, (1, 0), divisor_override=4), (x,))
    assert tl.autograd.gradcheck(lambda a: adaptive_avg_pool2d(a, (3, 2)), (x,))


def test_gradgradcheck_pools():
    rng = np.random.default_rng(5)
    x = tensor(rng.permutation(18).reshape(1, 2, 3, 3) / 5.0)
    assert tl.autograd.gradgradcheck(lambda a: avg_pool2d(a, 2, 1, 1, True, False), (x,))
    assert tl.autograd.gradgradcheck(lambda a: adaptive_avg_pool2d(a, 2), (x,))
    assert tl.autograd.gradgradcheck(lambda a: max_pool2d(a, 2, 1) * max_pool2d(a, 2, 1), (x,))


def test_unbatched_zero_batch_and_float16():
    x = np.arange(2 * 4 * 4, dtype=np.float64).reshape(2, 4, 4)
    y, i = max_pool2d(tl.from_numpy(x), 2, return_indices=True)
    assert y.shape == (2, 2, 2) and i.shape == (2, 2, 2)
    assert adaptive_avg_pool2d(tl.from_numpy(x), 1).shape == (2, 1, 1)
    z = tl.zeros(0, 3, 4, 4, requires_grad=True)
    out = avg_pool2d(z, 2) + max_pool2d(z, 2)
    assert out.shape == (0, 3, 2, 2)
    out.sum().backward()
    assert z.grad.shape == (0, 3, 4, 4)
    h = tl.from_numpy(x.astype(np.float16))
    assert max_pool2d(h, 2).dtype == tl.float16 and avg_pool2d(h, 2).dtype == tl.float16
    np.testing.assert_array_equal(max_pool2d(h, 2).numpy(), max_pool2d(tl.from_numpy(x), 2).numpy())
    assert adaptive_avg_pool2d(tl.from_numpy(x), (0, 2)).shape == (2, 0, 2)


# ---------------------------------------------------------------- bad inputs
def _raises(exc, fname, fn, *args, **kw):
    with pytest.raises(exc) as info:
        fn(*args, **kw)
    assert fname in str(info.value), str(info.value)


X = tl.zeros(2, 3, 6, 6)


@pytest.mark.parametrize("args,kw,exc", [
    ((tl.zeros(6, 6), 2), {}, ShapeError),
    ((tl.zeros(1, 2, 3, 6, 6), 2), {}, ShapeError),
    ((tl.zeros(2, 0, 6, 6), 2), {}, ShapeError),
    ((tl.zeros(2, 3, 0, 6), 2), {}, ShapeError),
    ((X, 7), {}, ShapeError),                                   # window larger than the input
    ((X, 3), dict(dilation=3), ShapeError),                     # dilated window larger
    ((X, 0), {}, ValueError),
    ((X, 2), dict(stride=0), ValueError),
    ((X, 2), dict(padding=-1), ValueError),
    ((X, 2), dict(padding=2), ValueError),                      # padding > kernel / 2
    ((X, (3, 2)), dict(padding=(1, 2)), ValueError),
    ((X, 2), dict(dilation=0), ValueError),
    ((X, 2.0), {}, TypeError),
    ((X, True), {}, TypeError),
    ((X, float("nan")), {}, TypeError),
    ((X, 2), dict(stride=(1, 2, 3)), TypeError),
    ((X, "2"), {}, TypeError),
    ((X, 2 ** 40), {}, ValueError),
    ((tl.zeros(2, 3, 6, 6, dtype=tl.int64), 2), {}, TypeError),
    ((tl.zeros(2, 3, 6, 6, dtype=tl.bool), 2), {}, TypeError),
])
def test_max_pool2d_bad_inputs(args, kw, exc):
    _raises(exc, "max_pool2d", max_pool2d, *args, **kw)


@pytest.mark.parametrize("args,kw,exc", [
    ((tl.zeros(6, 6), 2), {}, ShapeError),
    ((tl.zeros(2, 3, 1, 6), 2), {}, ShapeError),
    ((X, 0), {}, ValueError),
    ((X, 2), dict(stride=-1), ValueError),
    ((X, 2), dict(padding=2), ValueError),
    ((X, 2), dict(divisor_override=0), ValueError),
    ((X, 2), dict(divisor_override=-2), ValueError),
    ((X, 2), dict(divisor_override=1.5), TypeError),
    ((X, 1.5), {}, TypeError),
    ((tl.zeros(2, 3, 6, 6, dtype=tl.int32), 2), {}, TypeError),
])
def test_avg_pool2d_bad_inputs(args, kw, exc):
    _raises(exc, "avg_pool2d", avg_pool2d, *args, **kw)


@pytest.mark.parametrize("fn,name", [(adaptive_avg_pool2d, "adaptive_avg_pool2d"),
                                     (adaptive_max_pool2d, "adaptive_max_pool2d")])
@pytest.mark.parametrize("args,exc", [
    ((tl.zeros(6, 6), 2), ShapeError),
    ((tl.zeros(2, 0, 6, 6), 2), ShapeError),
    ((X, -1), ValueError),
    ((X, (2, -3)), ValueError),
    ((X, 2.0), TypeError),
    ((X, (2, 2, 2)), TypeError),
    ((X, None), TypeError),
    ((X, (True, 2)), TypeError),
    ((tl.zeros(2, 3, 6, 6, dtype=tl.int64), 2), TypeError),
])
def test_adaptive_pool_bad_inputs(fn, name, args, exc):
    _raises(exc, name, fn, *args)


def test_backend_rejects_bad_arrays_and_geometry():
    x = np.zeros((2, 3, 6, 6), np.float32)
    _raises(TypeError, "max_pool2d_forward", backend.max_pool2d_forward, x.astype(np.int64), (2, 2), (2, 2))
    _raises(ValueError, "max_pool2d_forward", backend.max_pool2d_forward, x[0], (2, 2), (2, 2))
    _raises(ValueError, "max_pool2d_forward", backend.max_pool2d_forward, x, (2, 2), (0, 2))
    _raises(ValueError, "max_pool2d_forward", backend.max_pool2d_forward, x, (2, 2), (2, 2), (2, 0))
    _raises(TypeError, "max_pool2d_forward", backend.max_pool2d_forward, x, (2,), (2, 2))
    _raises(ValueError, "max_pool2d_backward", backend.max_pool2d_backward,
            np.zeros((2, 3, 3, 3), np.float32), np.zeros((2, 3, 2, 2), np.int64), (6, 6))
    _raises(ValueError, "avg_pool2d_backward", backend.avg_pool2d_backward,
            np.zeros((2, 3, 3, 3), np.float32), (0, 6), (2, 2), (2, 2))
    _raises(ValueError, "avg_pool2d_forward", backend.avg_pool2d_forward, x, (2, 2), (2, 2),
            divisor_override=0)
    _raises(TypeError, "adaptive_avg_pool2d_forward", backend.adaptive_avg_pool2d_forward, x, (2, 2.0))
    # indices from elsewhere that point outside the plane are ignored, never written
    dx = backend.max_pool2d_backward(np.ones((1, 1, 1, 2), np.float32),
                                     np.array([[[[-5, 10 ** 12]]]]), (2, 2))
    np.testing.assert_array_equal(dx, np.zeros((1, 1, 2, 2)))


def test_backend_accepts_misaligned_arrays():
    x = np.random.default_rng(7).standard_normal((2, 3, 6, 6))
    buf = bytearray(x.nbytes + 3)
    xm = np.frombuffer(buf, dtype=np.float64, offset=3, count=x.size).reshape(x.shape)
    xm[...] = x
    assert not xm.flags.aligned
    y, i = backend.max_pool2d_forward(xm, (2, 2), (2, 2))
    y2, i2 = backend.max_pool2d_forward(x, (2, 2), (2, 2))
    np.testing.assert_array_equal(y, y2)
    np.testing.assert_array_equal(i, i2)
    np.testing.assert_array_equal(backend.avg_pool2d_forward(xm, (3, 3), (1, 1), (1, 1)),
                                  backend.avg_pool2d_forward(x, (3, 3), (1, 1), (1, 1)))
