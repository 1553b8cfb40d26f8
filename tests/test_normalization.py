"""batch_norm, layer_norm, group_norm, local_response_norm, dropout, dropout2d.

Oracles: float64 numpy references (forward, analytic gradients, running statistics), finite
differences (tl.autograd.gradcheck / gradgradcheck in float64) and torch where it imports.
Hard regions are drawn on purpose: zero-variance channels, large channel means, ties, p = 0 / 1.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
from tensorlite.ops.normalization import (batch_norm, layer_norm, group_norm, local_response_norm,
                                          dropout, dropout2d)
from tensorlite.backend import norm as nb_norm

from tensorlite.testing.strategies import hard_arrays, smooth_arrays, float_dtypes, to_layout, assert_close, tl_tensor

F64 = np.float64


def _examples(n):
    """n examples, or more when the hypothesis profile asks for more (HYPOTHESIS_PROFILE=dev)."""
    return max(n, settings.default.max_examples)


# ================================================================== numpy oracles
def _axes(ndim):
    return (0,) + tuple(range(2, ndim))


def _bs(ndim, C):
    return (1, C) + (1,) * (ndim - 2)


def np_batch_norm(x, rm, rv, w, b, training, momentum, eps, dy):
    """float64 reference: (y, dx, dw, db, new running mean, new running var, magnitude of y, dx terms)."""
    x = x.astype(F64)
    dy = dy.astype(F64)
    C = x.shape[1]
    bs, ax = _bs(x.ndim, C), _axes(x.ndim)
    M = x.size // C
    w = np.ones(C) if w is None else w.astype(F64)
    b = np.zeros(C) if b is None else b.astype(F64)
    new_rm, new_rv = rm, rv
    if training:
        mean = x.mean(axis=ax)
        var = ((x - mean.reshape(bs)) ** 2).mean(axis=ax)
        if rm is not None:
            new_rm = (1 - momentum) * rm.astype(F64) + momentum * mean
            new_rv = (1 - momentum) * rv.astype(F64) + momentum * var * M / (M - 1)
    else:
        mean, var = rm.astype(F64), rv.astype(F64)
    invstd = 1 / np.sqrt(var + eps)
    xhat = (x - mean.reshape(bs)) * invstd.reshape(bs)
    y = xhat * w.reshape(bs) + b.reshape(bs)
    db = dy.sum(axis=ax)
    dw = (dy * xhat).sum(axis=ax)
    A = (w * invstd).reshape(bs)
    if training:
        dx = A * (dy - db.reshape(bs) / M - xhat * dw.reshape(bs) / M)
        dx_mag = np.abs(A) * (np.abs(dy) + np.abs(dy).sum(axis=ax).reshape(bs) / M
                              + np.abs(xhat) * np.abs(dy * xhat).sum(axis=ax).reshape(bs) / M)
    else:
        dx = A * dy
        dx_mag = np.abs(dx)
    y_mag = np.abs(xhat * w.reshape(bs)) + np.abs(b.reshape(bs))
    return dict(y=y, dx=dx, dw=dw, db=db, rm=new_rm, rv=new_rv, y_mag=y_mag, dx_mag=dx_mag,
                dw_mag=np.abs(dy * xhat).sum(axis=ax), db_mag=np.abs(dy).sum(axis=ax), invstd=invstd)


def _tol(dtype):
    return 3e-5 if np.dtype(dtype) == np.float32 else 1e-11


def _close(actual, expected, mag, dtype, what, extra=0.0):
    """|actual - expected| <= tol * (|expected| + magnitude of the terms that produced it + 1)."""
    a = np.asarray(actual.detach()._data if isinstance(actual, tl.Tensor) else actual, dtype=F64)
    e = np.asarray(expected, dtype=F64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    tol = _tol(dtype) * (np.abs(e) + np.asarray(mag) + 1.0) + extra
    bad = ~(np.abs(a - e) <= tol)
    assert not bad.any(), (f"{what}: {int(bad.sum())} of {bad.size} differ; worst at "
                           f"{np.unravel_index(np.argmax(np.abs(a - e) - tol), a.shape)}: got "
                           f"{a[bad][:5]} expected {e[bad][:5]}")


# ================================================================== strategies
@st.composite
def bn_case(draw, allow_single=False):
    N = draw(st.integers(1, 4))
    C = draw(st.integers(1, 3))
    spatial = draw(st.lists(st.integers(1, 4), min_size=0, max_size=2))
    shape = (N, C) + tuple(spatial)
    dtype = draw(float_dtypes)
    x = draw(hard_arrays(shape, dtype))
    M = x.size // C
    # Zero-variance channels are drawn on purpose (and come up anyway from repeated fills).
    if draw(st.booleans()):
        c = draw(st.integers(0, C - 1))
        x[:, c] = draw(st.sampled_from([0.0, 1.5, -2.0, 1e4]))
    if draw(st.integers(0, 4)) == 0:                 # a large channel mean relative to its spread
        x = (x + dtype(1000.0)).astype(dtype)
    layout = draw(st.sampled_from(["contiguous", "channels_last", "strided", "transposed", "flipped"]))
    if layout == "channels_last":
        x_l = np.ascontiguousarray(np.moveaxis(x, 1, -1)) if x.ndim > 2 else x.copy()
        x_l = np.moveaxis(x_l, -1, 1) if x.ndim > 2 else x_l
    else:
        x_l = to_layout(x, layout)
    w = draw(st.one_of(st.none(), hard_arrays((C,), dtype)))
    b = draw(st.one_of(st.none(), hard_arrays((C,), dtype)))
    rm = draw(hard_arrays((C,), dtype))
    rv = draw(hard_arrays((C,), dtype, 0.0, 3.0))
    training = draw(st.booleans())
    momentum = draw(st.sampled_from([0.1, 0.0, 1.0, 0.37]))
    eps = draw(st.sampled_from([1e-5, 1e-3, 0.1]))
    dy = draw(hard_arrays(shape, dtype))
    return dict(x=x, x_l=x_l, w=w, b=b, rm=rm, rv=rv, training=training, momentum=momentum, eps=eps,
                dy=dy, M=M, dtype=dtype, layout=layout)


# ================================================================== batch_norm vs the oracle
@given(bn_case())
@settings(max_examples=_examples(60))
def test_batch_norm_matches_numpy_oracle(case):
    x_l, dtype = case["x_l"], case["dtype"]
    training = case["training"]
    if training and case["M"] == 1:
        with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
            batch_norm(tl.from_numpy(x_l), None, None, training=True)
        return
    x = tl_tensor(x_l)
    w = None if case["w"] is None else tl_tensor(case["w"].copy())
    b = None if case["b"] is None else tl_tensor(case["b"].copy())
    rm, rv = tl.from_numpy(case["rm"].copy()), tl.from_numpy(case["rv"].copy())
    v0 = rm._version
    out = batch_norm(x, rm, rv, w, b, training, case["momentum"], case["eps"])
    out.backward(tl.from_numpy(case["dy"]))
    ref = np_batch_norm(case["x"], case["rm"], case["rv"], case["w"], case["b"], training,
                        case["momentum"], case["eps"], case["dy"])
    assert out.dtype == x.dtype and tuple(out.shape) == case["x"].shape
    assert np.isfinite(out._data).all() and np.isfinite(x.grad._data).all()
    # Inputs around 1000 lose their low bits in float32 before anything is computed: allow that.
    xerr = np.abs(case["x"]).max() * (1e-7 if dtype == np.float32 else 2e-16)
    big = xerr * np.abs(ref["invstd"]).max() * (1 if case["w"] is None else max(1, np.abs(case["w"]).max()))
    _close(out, ref["y"], ref["y_mag"], dtype, "y", extra=4 * big)
    _close(x.grad, ref["dx"], ref["dx_mag"], dtype, "dx",
           extra=4 * big * np.abs(case["dy"]).max() * np.abs(ref["invstd"]).max())
    if w is not None:
        _close(w.grad, ref["dw"], ref["dw_mag"], dtype, "dweight", extra=4 * big * np.abs(case["dy"]).sum())
    if b is not None:
        _close(b.grad, ref["db"], ref["db_mag"], dtype, "dbias")
    if training:
        assert rm._version > v0
        _close(rm, ref["rm"], np.abs(ref["rm"]), dtype, "running_mean")
        _close(rv, ref["rv"], np.abs(ref["rv"]), dtype, "running_var", extra=big * 1e-3)
    else:
        np.testing.assert_array_equal(rm._data, case["rm"])
        np.testing.assert_array_equal(rv._data, case["rv"])


@pytest.fixture(params=["serial", "parallel"])
def drivers(request, monkeypatch):
    """Run batch_norm through the serial or the parallel=True kernel drivers."""
    if request.param == "parallel":
        monkeypatch.setattr(nb_norm, "PARALLEL_MIN_SIZE", 0)
        monkeypatch.setattr(nb_norm, "_threads", lambda x: 3)      # 3 chunks even on fewer cores
    else:
        monkeypatch.setattr(nb_norm, "PARALLEL_MIN_SIZE", 1 << 62)
    return request.param


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(16, 8, 9, 11), (300, 5), (40, 3, 70), (2, 4, 33, 32)])
@pytest.mark.parametrize("layout", ["contiguous", "channels_last"])
def test_batch_norm_kernels_large_mean_multi_block(shape, dtype, layout, drivers):
    """Shapes large enough for several row blocks / planes; mean 1e3 with spread 1 must keep
    its variance (no E[x^2] - E[x]^2 cancellation).  Serial and parallel drivers."""
    rng = np.random.default_rng(sum(shape))
    x = (rng.standard_normal(shape) + 1e3).astype(dtype)
    if layout == "channels_last" and x.ndim > 2:
        xl = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    else:
        xl = x
    C = shape[1]
    w, b = rng.standard_normal(C).astype(dtype), rng.standard_normal(C).astype(dtype)
    dy = rng.standard_normal(shape).astype(dtype)
    tx, tw, tb = tl_tensor(xl), tl_tensor(w), tl_tensor(b)
    rm, rv = tl.zeros(C, dtype=dtype), tl.ones(C, dtype=dtype)
    out = batch_norm(tx, rm, rv, tw, tb, True, 0.5)
    out.backward(tl.from_numpy(dy))
    ref = np_batch_norm(x, np.zeros(C), np.ones(C), w, b, True, 0.5, 1e-5, dy)
    big = (1e3 * (1e-7 if dtype == np.float32 else 2e-16)) * np.abs(w).max() * np.abs(ref["invstd"]).max()
    _close(out, ref["y"], ref["y_mag"], dtype, "y", extra=4 * big)
    _close(tx.grad, ref["dx"], ref["dx_mag"], dtype, "dx", extra=8 * big * np.abs(dy).max())
    _close(tw.grad, ref["dw"], ref["dw_mag"], dtype, "dweight", extra=4 * big * np.abs(dy).sum())
    _close(tb.grad, ref["db"], ref["db_mag"], dtype, "dbias")
    _close(rm, ref["rm"], np.abs(ref["rm"]), dtype, "running_mean")
    np.testing.assert_allclose(rv._data, ref["rv"], rtol=2e-3 if dtype == np.float32 else 1e-10)
    if layout == "channels_last" and x.ndim > 2:     # the output keeps the input's memory format
        assert out._data.strides == xl.strides


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(130, 7), (4, 6, 65)])
def test_batch_norm_parallel_eval_and_weightless_paths(shape, training, drivers):
    rng = np.random.default_rng(7)
    x = rng.standard_normal(shape)
    C = shape[1]
    dy = rng.standard_normal(shape)
    rm, rv = rng.standard_normal(C), rng.random(C) + 0.5
    for w in (None, rng.standard_normal(C)):
        tx = tl_tensor(x.copy())
        tw = None if w is None else tl_tensor(w.copy())
        out = batch_norm(tx, tl.tensor(rm), tl.tensor(rv), tw, None, training, 0.1, 1e-5)
        out.backward(tl.from_numpy(dy))
        ref = np_batch_norm(x, rm, rv, w, None, training, 0.1, 1e-5, dy)
        _close(out, ref["y"], ref["y_mag"], F64, "y")
        _close(tx.grad, ref["dx"], ref["dx_mag"], F64, "dx")
        if w is not None:
            _close(tw.grad, ref["dw"], ref["dw_mag"], F64, "dweight")
    # only the parameters need gradients: the kernels skip dx
    tw = tl_tensor(rng.standard_normal(C))
    out = batch_norm(tl.from_numpy(x), tl.tensor(rm), tl.tensor(rv), tw, None, training, 0.1, 1e-5)
    out.backward(tl.from_numpy(dy))
    ref = np_batch_norm(x, rm, rv, tw._data, None, training, 0.1, 1e-5, dy)
    _close(tw.grad, ref["dw"], ref["dw_mag"], F64, "dweight")


def test_batch_norm_kernel_layout_views_do_not_copy():
    x = np.zeros((2, 3, 4, 5), np.float32)
    kind, v = nb_norm.layout(x)
    assert kind == "ncl" and np.shares_memory(v, x)
    xcl = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    kind, v = nb_norm.layout(xcl)
    assert kind == "nc" and np.shares_memory(v, xcl) and v.shape == (40, 3)
    kind, v = nb_norm.layout(np.zeros((7, 3)))
    assert kind == "nc" and v.shape == (7, 3)


# ================================================================== zero variance, running stats
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_zero_variance_channel_is_finite(dtype):
    x = np.random.default_rng(0).standard_normal((4, 3, 2, 2)).astype(dtype)
    x[:, 1] = 2.5
    tx = tl_tensor(x)
    w, b = tl.ones(3, dtype=dtype, requires_grad=True), tl.zeros(3, dtype=dtype, requires_grad=True)
    out = batch_norm(tx, None, None, w, b, training=True)
    (out * out).sum().backward()
    for arr in (out._data, tx.grad._data, w.grad._data, b.grad._data):
        assert np.isfinite(arr).all()
    np.testing.assert_array_equal(out._data[:, 1], 0.0)      # (x - mean) is exactly 0
    np.testing.assert_array_equal(tx.grad._data[:, 1], 0.0)


def test_batch_norm_running_stats_after_several_training_calls():
    rng = np.random.default_rng(1)
    C = 3
    rm, rv = tl.zeros(C), tl.ones(C)
    ref_m, ref_v = np.zeros(C), np.ones(C)
    for step in range(5):
        x = (rng.standard_normal((6, C, 3)) * (step + 1) + step).astype(np.float32)
        batch_norm(tl.from_numpy(x), rm, rv, training=True, momentum=0.2)
        M = x.size // C
        ref_m = 0.8 * ref_m + 0.2 * x.astype(F64).mean(axis=(0, 2))
        ref_v = 0.8 * ref_v + 0.2 * x.astype(F64).var(axis=(0, 2)) * M / (M - 1)
    np.testing.assert_allclose(rm._data, ref_m, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(rv._data, ref_v, rtol=1e-5)
    # eval mode then uses exactly those statistics
    x = rng.standard_normal((2, C, 3)).astype(np.float32)
    out = batch_norm(tl.from_numpy(x), rm, rv, training=False)
    ref = (x - ref_m[:, None]) / np.sqrt(ref_v[:, None] + 1e-5)
    np.testing.assert_allclose(out._data, ref, rtol=1e-5, atol=1e-5)


def test_batch_norm_training_without_running_buffers_and_empty_batch():
    x = tl.randn(4, 2, requires_grad=True)
    out = batch_norm(x, None, None, training=True)
    np.testing.assert_allclose(out._data.mean(0), 0, atol=1e-6)
    out = batch_norm(tl.zeros(0, 3, 2, requires_grad=True), tl.zeros(3), tl.ones(3), training=True)
    assert tuple(out.shape) == (0, 3, 2)


# ================================================================== finite differences
def draw_gradcheck_inputs(data):
    """Small smooth float64 inputs for batch-norm gradchecks: x (unique values: no ties), weight, bias,
    training or not, and running statistics for evaluation mode."""
    N = data.draw(st.integers(2, 3))
    C = data.draw(st.integers(1, 2))
    spatial = data.draw(st.lists(st.integers(1, 3), max_size=2))
    shape = (N, C) + tuple(spatial)
    x = tl_tensor(data.draw(smooth_arrays(shape, unique=True)))
    w = tl_tensor(data.draw(smooth_arrays((C,))))
    b = tl_tensor(data.draw(smooth_arrays((C,))))
    training = data.draw(st.booleans())
    rm, rv = tl.tensor(np.linspace(-1, 1, C)), tl.tensor(np.linspace(0.5, 2, C))
    return x, w, b, training, rm, rv


@given(st.data())
@settings(max_examples=_examples(12))
def test_batch_norm_gradcheck(data):
    x, w, b, training, rm, rv = draw_gradcheck_inputs(data)
    affine = data.draw(st.booleans())

    def f(x, *wb):
        w, b = wb if affine else (None, None)
        return batch_norm(x, None if training else rm, None if training else rv, w, b, training, 0.1, 1e-3)
    assert tl.autograd.gradcheck(f, (x, w, b) if affine else (x,), atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(3, 2), (2, 2, 3)])
def test_batch_norm_gradgradcheck(training, shape):
    rng = np.random.default_rng(2)
    x = tl.tensor(rng.standard_normal(shape), requires_grad=True)
    w = tl.tensor(rng.standard_normal(shape[1]), requires_grad=True)
    b = tl.tensor(rng.standard_normal(shape[1]), requires_grad=True)
    rm, rv = tl.zeros(shape[1], dtype=tl.float64), tl.ones(shape[1], dtype=tl.float64) * 1.5

    def f(x, w, b):
        return batch_norm(x, rm, rv, w, b, training, 0.0, 1e-3)
    assert tl.autograd.gradgradcheck(f, (x, w, b), atol=1e-5, rtol=1e-3)


# ================================================================== torch
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 7), (4, 3, 5, 6), (2, 2, 2, 3, 2)])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("channels_last", [False, True])
def test_batch_norm_matches_torch(torch, shape, training, channels_last):
    rng = np.random.default_rng(len(shape) * 10 + training)
    C = shape[1]
    x = (rng.standard_normal(shape) * 2 + 3).astype(np.float32)
    x[:, 0] = 0.75                                                    # a zero-variance channel
    w, b = rng.standard_normal(C).astype(np.float32), rng.standard_normal(C).astype(np.float32)
    rm0, rv0 = rng.standard_normal(C).astype(np.float32), (rng.random(C) + 0.5).astype(np.float32)
    dy = rng.standard_normal(shape).astype(np.float32)
    xl = x
    if channels_last and x.ndim == 4:
        xl = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1)
    tx, tw, tb = tl_tensor(xl), tl_tensor(w.copy()), tl_tensor(b.copy())
    rm, rv = tl.tensor(rm0), tl.tensor(rv0)
    px = torch.tensor(x, requires_grad=True)
    pw, pb = torch.tensor(w, requires_grad=True), torch.tensor(b, requires_grad=True)
    prm, prv = torch.tensor(rm0), torch.tensor(rv0)
    if channels_last and x.ndim == 4:
        px = px.detach().contiguous(memory_format=torch.channels_last).requires_grad_()
    for _ in range(3):                       # several calls: running stats keep moving
        for t in (tx, tw, tb):
            t.grad = None
        for t in (px, pw, pb):
            t.grad = None
        out = batch_norm(tx, rm, rv, tw, tb, training, 0.3, 1e-5)
        out.backward(tl.from_numpy(dy))
        pout = torch.nn.functional.batch_norm(px, prm, prv, pw, pb, training, 0.3, 1e-5)
        pout.backward(torch.from_numpy(dy))
        assert_close(out, pout.detach().numpy(), rtol=1e-4, atol=1e-4)
        assert_close(tx.grad, px.grad.numpy(), rtol=1e-4, atol=2e-3)
        assert_close(tw.grad, pw.grad.numpy(), rtol=1e-4, atol=1e-3)
        assert_close(tb.grad, pb.grad.numpy(), rtol=1e-4, atol=1e-4)
        assert_close(rm, prm.numpy(), rtol=1e-5, atol=1e-6)
        assert_close(rv, prv.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_norm_float16_runs_in_float32():
    x = tl.randn(4, 3, 2).half()
    out = batch_norm(x, None, None, training=True)
    assert out.dtype is tl.float16
    np.testing.assert_allclose(out._data.astype(F64).mean(axis=(0, 2)), 0, atol=2e-3)


# ================================================================== batch_norm errors
def test_batch_norm_bad_inputs():
    x = tl.randn(4, 3)
    with pytest.raises(tl.ShapeError, match=r"batch_norm.*\(3,\)"):
        batch_norm(tl.randn(3), None, None, training=True)
    with pytest.raises(tl.ShapeError, match=r"batch_norm.*weight.*\(4,\).*\(4, 3\)"):
        batch_norm(x, None, None, weight=tl.ones(4), training=True)
    with pytest.raises(tl.ShapeError, match=r"batch_norm.*running_mean"):
        batch_norm(x, tl.zeros(2), tl.ones(3))
    with pytest.raises(TypeError, match="batch_norm"):
        batch_norm(tl.ones(4, 3, dtype=tl.int64), None, None, training=True)
    with pytest.raises(TypeError, match="batch_norm.*weight.*float64"):
        batch_norm(x, None, None, weight=tl.ones(3, dtype=tl.float64), training=True)
    with pytest.raises(ValueError, match="batch_norm.*Expected more than 1 value per channel when training"):
        batch_norm(tl.randn(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match="batch_norm.*Expected more than 1 value per channel"):
        batch_norm(tl.randn(1, 3, 1, 1), tl.zeros(3), tl.ones(3), training=True)
    with pytest.raises(ValueError, match="batch_norm.*running_mean"):
        batch_norm(x, None, None, training=False)
    with pytest.raises(TypeError, match="batch_norm.*momentum"):
        batch_norm(x, tl.zeros(3), tl.ones(3), training=True, momentum=None)
    batch_norm(tl.randn(1, 3), tl.zeros(3), tl.ones(3), training=False)     # one sample is fine in eval


# ================================================================== layer_norm / group_norm
@given(st.data())
@settings(max_examples=_examples(15))
def test_layer_norm_matches_oracle_and_gradcheck(data):
    shape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3)))
    k = data.draw(st.integers(1, len(shape)))
    ns = shape[len(shape) - k:]
    x = data.draw(hard_arrays(shape))
    w = data.draw(st.one_of(st.none(), smooth_arrays(ns)))
    b = data.draw(st.one_of(st.none(), smooth_arrays(ns)))
    ax = tuple(range(len(shape) - k, len(shape)))
    ref = (x - x.mean(axis=ax, keepdims=True)) / np.sqrt(x.var(axis=ax, keepdims=True) + 1e-5)
    ref = ref * (1 if w is None else w) + (0 if b is None else b)
    tw = None if w is None else tl.tensor(w)
    tb = None if b is None else tl.tensor(b)
    out = layer_norm(tl.tensor(x), ns, tw, tb)
    assert_close(out, ref, rtol=1e-8, atol=1e-8)
    xs = tl_tensor(data.draw(smooth_arrays(shape, unique=True)))
    assert tl.autograd.gradcheck(lambda t: layer_norm(t, ns, tw, tb, eps=1e-3), (xs,), atol=1e-6)


def test_layer_and_group_norm_match_torch(torch):
    rng = np.random.default_rng(3)
    x = rng.standard_normal((3, 6, 4, 5))
    x[0, :2] = 1.0                     # a constant group
    w, b = rng.standard_normal(6), rng.standard_normal(6)
    dy = rng.standard_normal(x.shape)
    for ours, theirs in [
        (lambda t, w_, b_: layer_norm(t, (4, 5)),
         lambda t, w_, b_: torch.nn.functional.layer_norm(t, (4, 5))),
        (lambda t, w_, b_: group_norm(t, 3, w_, b_),
         lambda t, w_, b_: torch.nn.functional.group_norm(t, 3, w_, b_)),
        (lambda t, w_, b_: group_norm(t, 6, w_, b_, eps=1e-3),
         lambda t, w_, b_: torch.nn.functional.group_norm(t, 6, w_, b_, eps=1e-3)),
    ]:
        tx, tw, tb = (tl.tensor(a, requires_grad=True) for a in (x, w, b))
        px, pw, pb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
        out, pout = ours(tx, tw, tb), theirs(px, pw, pb)
        out.backward(tl.tensor(dy))
        pout.backward(torch.tensor(dy))
        assert_close(out, pout.detach().numpy(), rtol=1e-9, atol=1e-9)
        assert_close(tx.grad, px.grad.numpy(), rtol=1e-7, atol=1e-7)
        if pw.grad is not None:
            assert_close(tw.grad, pw.grad.numpy(), rtol=1e-9, atol=1e-9)
            assert_close(tb.grad, pb.grad.numpy(), rtol=1e-9, atol=1e-9)
    lw, lb = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    out = layer_norm(tl.tensor(x), [4, 5], tl.tensor(lw), tl.tensor(lb))
    pout = torch.nn.functional.layer_norm(torch.tensor(x), [4, 5], torch.tensor(lw), torch.tensor(lb))
    assert_close(out, pout.numpy(), rtol=1e-9, atol=1e-9)


def test_group_norm_gradcheck():
    rng = np.random.default_rng(4)
    x = tl.tensor(rng.standard_normal((2, 4, 3)), requires_grad=True)
    w = tl.tensor(rng.standard_normal(4), requires_grad=True)
    b = tl.tensor(rng.standard_normal(4), requires_grad=True)
    assert tl.autograd.gradcheck(lambda x, w, b: group_norm(x, 2, w, b), (x, w, b), atol=1e-6)


def test_layer_and_group_norm_bad_inputs():
    with pytest.raises(tl.ShapeError, match=r"layer_norm.*\(2, 3\).*\[4\]"):
        layer_norm(tl.randn(2, 3), (4,))
    with pytest.raises(tl.ShapeError, match="layer_norm.*weight"):
        layer_norm(tl.randn(2, 3), 3, weight=tl.ones(2))
    with pytest.raises(TypeError, match="layer_norm"):
        layer_norm(tl.ones(2, 3, dtype=tl.int64), 3)
    with pytest.raises(ValueError, match=r"group_norm.*\(6\).*\(4\)"):
        group_norm(tl.randn(2, 6, 3), 4)
    with pytest.raises(tl.ShapeError, match="group_norm.*weight"):
        group_norm(tl.randn(2, 6, 3), 3, weight=tl.ones(3))


# ================================================================== local_response_norm
def np_lrn(x, size, alpha, beta, k):
    C = x.shape[1]
    sq = np.moveaxis(x.astype(F64) ** 2, 1, 0)
    padded = np.concatenate([np.zeros((size // 2,) + sq.shape[1:]), sq,
                             np.zeros(((size - 1) // 2,) + sq.shape[1:])])
    s = sum(padded[j:j + C] for j in range(size))
    div = (k + alpha / size * np.moveaxis(s, 0, 1)) ** beta
    return x / div


@given(st.data())
@settings(max_examples=_examples(15))
def test_local_response_norm_oracle_and_gradcheck(data):
    ndim = data.draw(st.integers(3, 5))
    shape = (data.draw(st.integers(1, 2)), data.draw(st.integers(1, 6))) + \
        tuple(data.draw(st.lists(st.integers(1, 2), min_size=ndim - 2, max_size=ndim - 2)))
    size = data.draw(st.integers(1, 6))
    alpha = data.draw(st.sampled_from([1e-4, 0.5, 2.0]))
    beta = data.draw(st.sampled_from([0.75, 0.5, 1.0]))
    k = data.draw(st.sampled_from([1.0, 2.0, 0.5]))
    x = data.draw(hard_arrays(shape))
    assert_close(local_response_norm(tl.tensor(x), size, alpha, beta, k), np_lrn(x, size, alpha, beta, k),
                 rtol=1e-10, atol=1e-12)
    xs = tl_tensor(data.draw(smooth_arrays(shape)))
    assert tl.autograd.gradcheck(lambda t: local_response_norm(t, size, alpha, beta, k), (xs,), atol=1e-6)


@pytest.mark.parametrize("shape,size", [((2, 7, 3, 3), 5), ((2, 4, 5), 2), ((1, 5, 2, 2, 2), 3),
                                        ((2, 96, 5, 5), 5)])
def test_local_response_norm_matches_torch(torch, shape, size):
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(shape) * 3).astype(np.float32)
    dy = rng.standard_normal(shape).astype(np.float32)
    tx, px = tl_tensor(x), torch.tensor(x, requires_grad=True)
    out = local_response_norm(tx, size, alpha=0.1, beta=0.75, k=2.0)
    pout = torch.nn.functional.local_response_norm(px, size, alpha=0.1, beta=0.75, k=2.0)
    out.backward(tl.from_numpy(dy))
    pout.backward(torch.from_numpy(dy))
    assert_close(out, pout.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert_close(tx.grad, px.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_local_response_norm_bad_inputs():
    with pytest.raises(tl.ShapeError, match=r"local_response_norm.*2 dimensions"):
        local_response_norm(tl.randn(2, 3), 2)
    with pytest.raises(ValueError, match="local_response_norm.*size"):
        local_response_norm(tl.randn(2, 3, 4), 0)
    with pytest.raises(TypeError, match="local_response_norm"):
        local_response_norm(tl.ones(2, 3, 4, dtype=tl.int64), 2)


# ================================================================== dropout
@given(p=st.one_of(st.sampled_from([0.0, 1.0, 0.5]), st.floats(0.0, 1.0)), dtype=float_dtypes,
       shape=st.lists(st.integers(1, 5), min_size=0, max_size=3).map(tuple))
def test_dropout_mask_values_and_gradient(p, dtype, shape):
    x = np.asarray(np.random.default_rng(6).standard_normal(shape) + 3, dtype=dtype)   # never 0
    tx = tl_tensor(x.copy())
    tl.manual_seed(7)
    out = dropout(tx, p, training=True)
    out.sum().backward()
    o, g = out._data, tx.grad._data
    assert o.dtype == dtype and o.shape == x.shape
    kept = o != 0
    if p == 1.0:
        assert not kept.any() and (g == 0).all()
        return
    scale = dtype(1.0 / (1.0 - p)) if p > 0 else dtype(1.0)
    np.testing.assert_allclose(o[kept], x[kept] * scale, rtol=1e-6)
    np.testing.assert_array_equal(g, np.where(kept, scale, 0).astype(dtype))
    if p == 0.0:
        np.testing.assert_array_equal(o, x)


def test_dropout_reproducible_under_manual_seed_and_generator():
    x = tl.randn(50, 40)
    tl.manual_seed(123)
    a = dropout(x, 0.3)
    tl.manual_seed(123)
    b = dropout(x, 0.3)
    np.testing.assert_array_equal(a._data, b._data)
    c = dropout(x, 0.3)
    assert not np.array_equal(a._data, c._data)
    g1, g2 = tl.Generator().manual_seed(5), tl.Generator().manual_seed(5)
    np.testing.assert_array_equal(dropout(x, 0.5, generator=g1)._data, dropout(x, 0.5, generator=g2)._data)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_preserves_mean_and_drops_fraction_p(p):
    tl.manual_seed(0)
    x = tl.ones(400_000)
    out = dropout(x, p)._data
    n = out.size
    frac = (out == 0).mean()
    assert abs(frac - p) < 5 * np.sqrt(p * (1 - p) / n)
    assert abs(out.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / n)


def test_dropout_eval_mode_and_inplace():
    x = tl.randn(3, 4, requires_grad=True)
    assert dropout(x, 0.5, training=False) is x
    assert dropout2d(x.reshape(3, 4, 1), 0.5, training=False) is not None
    y = tl.randn(6, 7)
    before = y._data.copy()
    tl.manual_seed(1)
    r = dropout(y, 0.5, inplace=True)
    assert r is y
    assert ((y._data == 0) | np.isclose(y._data, 2 * before)).all() and (y._data == 0).any()
    # in-place in a graph: the gradient still flows through the mask
    a = tl.randn(5, 5, requires_grad=True)
    h = a * 1.0
    tl.manual_seed(2)
    dropout(h, 0.5, inplace=True)
    h.sum().backward()
    np.testing.assert_array_equal(a.grad._data, np.where(h._data != 0, 2.0, 0.0))


def test_dropout_matches_torch_statistics(torch):
    # Different generators, so only the distribution can match: survivors scaled by 1/(1-p).
    x = np.full((1000, 100), 2.0, np.float32)
    tl.manual_seed(0)
    out = dropout(tl.from_numpy(x), 0.25)._data
    pout = torch.nn.functional.dropout(torch.from_numpy(x), 0.25).numpy()
    assert set(np.unique(out)) == set(np.unique(pout))
    assert abs((out == 0).mean() - (pout == 0).mean()) < 0.01


@pytest.mark.parametrize("shape", [(4, 6, 3, 5), (6, 3, 5)])
def test_dropout2d_drops_whole_channels(shape):
    tl.manual_seed(3)
    x = tl.tensor(np.random.default_rng(0).random(shape) + 1.0, requires_grad=True)
    out = dropout2d(x, 0.5)
    out.sum().backward()
    o = out._data.reshape(-1, shape[-2] * shape[-1]) if len(shape) == 4 else out._data.reshape(shape[0], -1)
    zero_rows = (o == 0).all(axis=1)
    kept_rows = (o != 0).all(axis=1)
    assert (zero_rows | kept_rows).all() and zero_rows.any() and kept_rows.any()
    xr = x._data.reshape(o.shape)
    np.testing.assert_allclose(o[kept_rows], 2 * xr[kept_rows])
    np.testing.assert_array_equal(x.grad._data.reshape(o.shape), np.where(kept_rows[:, None], 2.0, 0.0) + 0 * o)
    tl.manual_seed(3)
    again = dropout2d(x.detach(), 0.5)
    np.testing.assert_array_equal(again._data, out._data)
    np.testing.assert_array_equal(dropout2d(x.detach(), 1.0)._data, 0)
    np.testing.assert_array_equal(dropout2d(x.detach(), 0.0)._data, x._data)


def test_dropout_bad_inputs():
    for bad in (-0.1, 1.5, float("nan"), "0.5", True):
        with pytest.raises(ValueError, match="dropout.*between 0 and 1"):
            dropout(tl.randn(3), bad)
        with pytest.raises(ValueError, match="dropout2d.*between 0 and 1"):
            dropout2d(tl.randn(2, 3, 4), bad)
    with pytest.raises(TypeError, match="dropout"):
        dropout(tl.ones(3, dtype=tl.int64), 0.5)
    with pytest.raises(tl.ShapeError, match=r"dropout2d.*\(3,\)"):
        dropout2d(tl.randn(3), 0.5)
