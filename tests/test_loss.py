"""Loss functions: cross_entropy, nll_loss, mse/l1/smooth_l1/huber, binary_cross_entropy(_with_logits),
kl_div.

Oracles: float64 numpy references written from the definitions (forward and analytic gradient),
finite differences (gradcheck / gradgradcheck in float64), and torch where it imports.  Hard
regions are drawn: logits of +-1e4, all-equal logits, ignore_index rows (all rows ignored too),
label smoothing with class weights, zero class weights.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tensorlite as tl
from tensorlite.ops.loss import (cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss, huber_loss,
                                 binary_cross_entropy, binary_cross_entropy_with_logits, kl_div)

from tensorlite.testing.strategies import (hard_arrays, smooth_arrays, float_dtypes, assert_close, tl_tensor, to_layout,
                        layouts, broadcastable_shapes)

F64 = np.float64
REDUCTIONS = ("none", "mean", "sum")


def _examples(n):
    """n examples, or more when the hypothesis profile asks for more (HYPOTHESIS_PROFILE=dev)."""
    return max(n, settings.default.max_examples)


# ================================================================== numpy oracle for cross_entropy
def np_log_softmax(x):
    m = x.max(axis=1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))


def np_cross_entropy(x, y, w, ignore_index, reduction, eps, gout):
    """Class-index targets on (N, C) logits: (loss, dloss/dx given upstream gradient gout)."""
    x = x.astype(F64)
    N, C = x.shape
    w = np.ones(C) if w is None else w.astype(F64)
    logp = np_log_softmax(x)
    p = np.exp(logp)
    valid = y != ignore_index
    ys = np.where(valid, y, 0)
    wy = np.where(valid, w[ys], 0.0)
    nll = -wy * logp[np.arange(N), ys]
    smooth = np.where(valid, -(logp * w).sum(axis=1), 0.0)
    rows = (1 - eps) * nll + eps / C * smooth
    onehot = np.zeros((N, C))
    onehot[np.arange(N), ys] = 1
    drow = ((1 - eps) * wy[:, None] * (p - onehot) + eps / C * (w.sum() * p - w)) * valid[:, None]
    with np.errstate(all="ignore"):
        if reduction == "none":
            return rows, drow * np.asarray(gout, F64)[:, None]
        denom = wy.sum()
        if reduction == "sum":
            return rows.sum(), drow * gout
        if denom == 0:          # torch: 0/0 loss; non-ignored rows get nan gradients, ignored rows 0
            return np.float64(np.nan), np.where(valid[:, None], np.nan, 0.0) * np.ones((N, C))
        return rows.sum() / denom, drow * gout / denom


def np_cross_entropy_prob(x, t, w, reduction, eps, gout):
    x = x.astype(F64)
    N, C = x.shape
    w = np.ones(C) if w is None else w.astype(F64)
    logp = np_log_softmax(x)
    tp = (1 - eps) * t + eps / C
    rows = -(w * tp * logp).sum(axis=1)
    drow = np.exp(logp) * (w * tp).sum(axis=1, keepdims=True) - w * tp
    if reduction == "none":
        return rows, drow * np.asarray(gout, F64)[:, None]
    if reduction == "sum":
        return rows.sum(), drow * gout
    return rows.sum() / N, drow * gout / N


# ================================================================== strategies
@st.composite
def ce_case(draw):
    N = draw(st.integers(1, 6))
    C = draw(st.integers(1, 6))
    dtype = draw(float_dtypes)
    kind = draw(st.sampled_from(["hard", "large", "equal"]))
    if kind == "equal":                                # every logit of a row equal (some rows huge)
        x = np.repeat(draw(hard_arrays((N, 1), dtype, large=True)), C, axis=1)
    else:
        x = draw(hard_arrays((N, C), dtype, large=kind == "large"))
    ignore_index = draw(st.sampled_from([-100, 0, C - 1, 7]))
    y = np.array(draw(st.lists(st.one_of(st.integers(0, C - 1), st.just(ignore_index)), min_size=N,
                               max_size=N)), np.int64)
    w = draw(st.one_of(st.none(), hard_arrays((C,), dtype, 0.0, 3.0)))
    eps = draw(st.one_of(st.sampled_from([0.0, 0.1, 1.0]), st.floats(0.0, 1.0)))
    reduction = draw(st.sampled_from(REDUCTIONS))
    layout = draw(layouts)
    return dict(x=x, y=y, w=w, ignore_index=ignore_index, eps=eps, reduction=reduction, dtype=dtype,
                layout=layout, N=N, C=C)


def _scale(x):
    return max(1.0, float(np.abs(x).max())) if x.size else 1.0


# ================================================================== cross_entropy vs the oracle
@given(ce_case(), st.data())
@settings(max_examples=_examples(80))
def test_cross_entropy_matches_numpy_oracle(case, data):
    x, y, w, dtype = case["x"], case["y"], case["w"], case["dtype"]
    red = case["reduction"]
    gout = data.draw(hard_arrays((case["N"],) if red == "none" else (), F64, 0.25, 2.0)) + 0.5
    tx = tl_tensor(to_layout(x, case["layout"]))
    out = cross_entropy(tx, tl.from_numpy(y), weight=None if w is None else tl.from_numpy(w),
                        ignore_index=case["ignore_index"], reduction=red, label_smoothing=case["eps"])
    out.backward(tl.from_numpy(np.asarray(gout, dtype=dtype)))
    gout = np.asarray(gout, dtype=dtype)
    ref, dref = np_cross_entropy(x, y, w, case["ignore_index"], red, case["eps"], gout)
    assert out.dtype == tx.dtype and tuple(out.shape) == np.shape(ref)
    # Logits up to 3e4: their float32 rounding is part of the input, lse differences scale with them.
    s = _scale(x) * (np.abs(w).max() if w is not None and w.size else 1.0) * max(1, case["N"])
    rtol = 2e-6 if dtype == np.float32 else 1e-12
    assert_close(out, ref, rtol=rtol, atol=rtol * s * 4)
    assert_close(tx.grad, dref, rtol=rtol, atol=rtol * 4 * _scale(dref))
    valid = y != case["ignore_index"]
    if (w is None and valid.any()) or red != "mean":
        assert np.isfinite(out._data).all() and np.isfinite(tx.grad._data).all()


@given(st.data())
@settings(max_examples=_examples(40))
def test_cross_entropy_probability_targets_match_oracle(data):
    N, C = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    dtype = data.draw(float_dtypes)
    x = data.draw(hard_arrays((N, C), dtype, large=True))
    t = data.draw(hard_arrays((N, C), dtype, 0.0, 1.0))
    w = data.draw(st.one_of(st.none(), hard_arrays((C,), dtype, 0.0, 3.0)))
    eps = data.draw(st.sampled_from([0.0, 0.2, 1.0]))
    red = data.draw(st.sampled_from(REDUCTIONS))
    gout = np.full((N,) if red == "none" else (), 1.5)
    tx = tl_tensor(x.copy())
    out = cross_entropy(tx, tl.from_numpy(t), None if w is None else tl.from_numpy(w), reduction=red,
                        label_smoothing=eps)
    out.backward(tl.from_numpy(np.asarray(gout, dtype=dtype)))
    ref, dref = np_cross_entropy_prob(x, t.astype(F64), w, red, eps, gout)
    rtol = 2e-6 if dtype == np.float32 else 1e-12
    s = _scale(x) * (np.abs(w).max() if w is not None else 1.0) * C * max(N, 1)
    assert_close(out, ref, rtol=rtol, atol=rtol * s * 4)
    assert_close(tx.grad, dref, rtol=rtol, atol=rtol * 4 * C * _scale(dref))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_extreme_logits_are_finite_and_exact(dtype):
    x = np.array([[1e4, -1e4, 0.0], [5.0, 5.0, 5.0], [-1e4, 1e4, 1e4], [-1e4, -1e4, -1e4]], dtype)
    y = np.array([1, 0, 2, 1])
    tx = tl_tensor(x)
    out = cross_entropy(tx, tl.from_numpy(y), reduction="none", label_smoothing=0.1)
    out.sum().backward()
    assert np.isfinite(out._data).all() and np.isfinite(tx.grad._data).all()
    ref, dref = np_cross_entropy(x, y, None, -100, "none", 0.1, np.ones(4))
    np.testing.assert_allclose(out._data, ref, rtol=1e-6)
    np.testing.assert_allclose(tx.grad._data, dref, atol=1e-6)
    np.testing.assert_allclose(out._data[1], np.log(3), rtol=1e-6)    # all-equal logits: log C


def test_cross_entropy_all_ignored_and_zero_weights_follow_torch_semantics():
    x = tl.randn(3, 4, requires_grad=True)
    out = cross_entropy(x, tl.tensor([-100, -100, -100]))
    assert np.isnan(out.item())                        # 0 / 0, as torch
    out.backward()
    np.testing.assert_array_equal(x.grad._data, 0)     # ignored rows get no gradient
    assert cross_entropy(x, tl.tensor([-100, -100, -100]), reduction="sum").item() == 0
    w = tl.tensor([0.0, 0.0, 1.0, 1.0])
    x.grad = None
    out = cross_entropy(x, tl.tensor([0, 1, -100]), weight=w)
    out.backward()
    assert np.isnan(out.item()) and np.isnan(x.grad._data[:2]).all() and (x.grad._data[2] == 0).all()


@pytest.mark.parametrize("shape", [(2, 3, 4), (2, 4, 2, 3), (3,)])
def test_cross_entropy_spatial_and_unbatched_match_flattened(shape):
    rng = np.random.default_rng(0)
    C = shape[1] if len(shape) > 1 else shape[0]
    x = rng.standard_normal(shape)
    tshape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    y = rng.integers(0, C, tshape)
    if y.ndim:
        y.reshape(-1)[0] = -100
    w = rng.random(C) + 0.5
    for red in REDUCTIONS:
        tx = tl.tensor(x, requires_grad=True)
        out = cross_entropy(tx, tl.tensor(y), tl.tensor(w), reduction=red, label_smoothing=0.2)
        x2 = np.moveaxis(x, 1, -1).reshape(-1, C) if len(shape) > 1 else x.reshape(1, C)
        ref, _ = np_cross_entropy(x2, y.reshape(-1), w, -100, red, 0.2, np.ones(x2.shape[0]) if red == "none" else 1.0)
        assert_close(out, np.reshape(ref, tshape) if red == "none" else ref, rtol=1e-12, atol=1e-12)
        assert tl.autograd.gradcheck(
            lambda t: cross_entropy(t, tl.tensor(y), tl.tensor(w), reduction=red, label_smoothing=0.2), (tx,))


@given(st.data())
@settings(max_examples=_examples(15))
def test_cross_entropy_gradcheck(data):
    N, C = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x = tl_tensor(data.draw(smooth_arrays((N, C))))
    y = tl.tensor(np.array(data.draw(st.lists(st.sampled_from(list(range(C)) + [-100]), min_size=N,
                                              max_size=N)), np.int64))
    w = data.draw(st.one_of(st.none(), smooth_arrays((C,), min_value=0.1, max_value=2.0)))
    w = None if w is None else tl.tensor(w)
    eps = data.draw(st.sampled_from([0.0, 0.3]))
    red = data.draw(st.sampled_from(["none", "sum", "mean"]))
    if red == "mean" and (y._data == -100).all():
        red = "sum"
    f = lambda t: cross_entropy(t, y, w, reduction=red, label_smoothing=eps)   # noqa: E731
    assert tl.autograd.gradcheck(f, (x,))
    tp = tl_tensor(data.draw(smooth_arrays((N, C), min_value=0.0, max_value=1.0)))
    g = lambda a, b: cross_entropy(a, b, w, reduction=red, label_smoothing=eps)   # noqa: E731
    assert tl.autograd.gradcheck(g, (x, tp))


@pytest.mark.parametrize("eps", [0.0, 0.25])
def test_cross_entropy_gradgradcheck(eps):
    rng = np.random.default_rng(1)
    x = tl.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = tl.tensor([1, -100, 3])
    w = tl.tensor(rng.random(4) + 0.5)
    for red in REDUCTIONS:
        assert tl.autograd.gradgradcheck(lambda t: cross_entropy(t, y, w, reduction=red, label_smoothing=eps),
                                         (x,))
    t = tl.tensor(rng.random((3, 4)), requires_grad=True)
    assert tl.autograd.gradgradcheck(lambda a, b: cross_entropy(a, b, w, label_smoothing=eps), (x, t))


# ================================================================== cross_entropy / nll vs torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("eps", [0.0, 0.15])
def test_cross_entropy_and_nll_match_torch(torch, reduction, weighted, eps):
    rng = np.random.default_rng(2)
    F = torch.nn.functional
    N, C = 7, 5
    x = rng.standard_normal((N, C)).astype(np.float32) * 3
    x[0] = [1e4, -1e4, 0, 1e4, 3]
    x[1] = 2.0
    y = rng.integers(0, C, N)
    y[2] = -100
    w = (rng.random(C) + 0.2).astype(np.float32) if weighted else None
    dy = rng.standard_normal(N if reduction == "none" else ()).astype(np.float32)
    cases = [
        (lambda a, **k: cross_entropy(a, tl.tensor(y), **k), lambda a, **k: F.cross_entropy(a, torch.tensor(y), **k),
         dict(label_smoothing=eps)),
        (lambda a, **k: nll_loss(a, tl.tensor(y), **k), lambda a, **k: F.nll_loss(a, torch.tensor(y), **k), {}),
    ]
    xs = rng.standard_normal((3, C, 2, 2)).astype(np.float32)
    ys = rng.integers(0, C, (3, 2, 2))
    ys[0, 0, 1] = -100
    dys = rng.standard_normal((3, 2, 2) if reduction == "none" else ()).astype(np.float32)
    pt = rng.random((N, C)).astype(np.float32)
    for ours, theirs, kw in cases:
        tx, px = tl_tensor(x.copy()), torch.tensor(x, requires_grad=True)
        out = ours(tx, weight=None if w is None else tl.tensor(w), reduction=reduction, **kw)
        pout = theirs(px, weight=None if w is None else torch.tensor(w), reduction=reduction, **kw)
        out.backward(tl.from_numpy(dy))
        pout.backward(torch.from_numpy(dy))
        assert_close(out, pout.detach().numpy(), rtol=2e-5, atol=2e-3)
        assert_close(tx.grad, px.grad.numpy(), rtol=1e-5, atol=1e-6)
    # spatial
    tx, px = tl_tensor(xs.copy()), torch.tensor(xs, requires_grad=True)
    tw, pw = (None, None) if w is None else (tl.tensor(w), torch.tensor(w))
    out = cross_entropy(tx, tl.tensor(ys), tw, reduction=reduction, label_smoothing=eps)
    pout = F.cross_entropy(px, torch.tensor(ys), pw, reduction=reduction, label_smoothing=eps)
    out.backward(tl.from_numpy(dys))
    pout.backward(torch.from_numpy(dys))
    assert_close(out, pout.detach().numpy(), rtol=1e-5, atol=1e-5)
    assert_close(tx.grad, px.grad.numpy(), rtol=1e-5, atol=1e-6)
    # probability targets, gradient w.r.t. both
    tx, px = tl_tensor(x.copy()), torch.tensor(x, requires_grad=True)
    tt, ptt = tl_tensor(pt.copy()), torch.tensor(pt, requires_grad=True)
    out = cross_entropy(tx, tt, tw, reduction=reduction, label_smoothing=eps)
    pout = F.cross_entropy(px, ptt, pw, reduction=reduction, label_smoothing=eps)
    out.backward(tl.from_numpy(dy))
    pout.backward(torch.from_numpy(dy))
    assert_close(out, pout.detach().numpy(), rtol=2e-5, atol=2e-3)
    assert_close(tx.grad, px.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert_close(tt.grad, ptt.grad.numpy(), rtol=1e-5, atol=2e-3)


def test_nll_loss_gradcheck_and_oracle():
    rng = np.random.default_rng(3)
    x = tl.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    y = tl.tensor([0, 2, -1, 1])
    w = tl.tensor([0.5, 2.0, 1.5])
    for red in REDUCTIONS:
        out = nll_loss(x, y, w, ignore_index=-1, reduction=red)
        rows = np.array([-0.5 * x._data[0, 0], -1.5 * x._data[1, 2], 0.0, -2.0 * x._data[3, 1]])
        ref = {"none": rows, "sum": rows.sum(), "mean": rows.sum() / 4.0}[red]
        assert_close(out, ref, rtol=1e-12, atol=1e-12)
        assert tl.autograd.gradcheck(lambda t: nll_loss(t, y, w, ignore_index=-1, reduction=red), (x,))


# ================================================================== class-target errors
def test_cross_entropy_and_nll_bad_inputs():
    x = tl.randn(4, 3)
    for fn in (cross_entropy, nll_loss):
        name = fn.__name__
        with pytest.raises(IndexError, match=rf"{name}.*Target 3 .*C = 3"):
            fn(x, tl.tensor([0, 1, 3, 2]))
        with pytest.raises(IndexError, match=rf"{name}.*Target -2 "):
            fn(x, tl.tensor([0, -2, 1, 2]))
        with pytest.raises(tl.ShapeError, match=rf"{name}.*\(4, 3\).*\(5,\)"):
            fn(x, tl.tensor([0, 1, 2, 0, 1]))
        with pytest.raises(ValueError, match=rf"{name}.*reduction"):
            fn(x, tl.tensor([0, 1, 2, 0]), reduction="avg")
        with pytest.raises(tl.ShapeError, match=rf"{name}.*weight.*\(2,\)"):
            fn(x, tl.tensor([0, 1, 2, 0]), weight=tl.ones(2))
        with pytest.raises(TypeError, match=name):
            fn(tl.ones(4, 3, dtype=tl.int64), tl.tensor([0, 1, 2, 0]))
    fn(x, tl.tensor([0, 1, -100, 2]))                         # ignore_index is not out of range
    with pytest.raises(tl.ShapeError, match=r"cross_entropy.*\(4, 3\).*\(4, 2\)"):
        cross_entropy(x, tl.rand(4, 2))
    with pytest.raises(ValueError, match="cross_entropy.*label_smoothing"):
        cross_entropy(x, tl.tensor([0, 1, 2, 0]), label_smoothing=1.5)
    with pytest.raises(TypeError, match="nll_loss.*target"):
        nll_loss(x, tl.rand(4))


# ================================================================== regression losses
def _np_regression(name, d, beta):
    a = np.abs(d)
    if name == "mse_loss":
        return d * d
    if name == "l1_loss":
        return a
    if name == "smooth_l1_loss":
        return a if beta == 0 else np.where(a < beta, 0.5 * d * d / beta, a - 0.5 * beta)
    return np.where(a < beta, 0.5 * d * d, beta * (a - 0.5 * beta))


REGRESSION = {"mse_loss": mse_loss, "l1_loss": l1_loss, "smooth_l1_loss": smooth_l1_loss,
              "huber_loss": huber_loss}


@given(st.sampled_from(sorted(REGRESSION)), broadcastable_shapes(2, max_dims=3), st.sampled_from(REDUCTIONS),
       st.data())
@settings(max_examples=_examples(60))
def test_regression_losses_match_oracle_and_gradcheck(name, shapes, reduction, data):
    fn = REGRESSION[name]
    s1, s2 = shapes
    x = data.draw(hard_arrays(s1))
    t = data.draw(hard_arrays(s2))
    kw, beta = {}, 1.0
    if name == "smooth_l1_loss":
        beta = data.draw(st.sampled_from([1.0, 0.5, 0.0]))
        kw = {"beta": beta}
    elif name == "huber_loss":
        beta = data.draw(st.sampled_from([1.0, 0.5, 2.0]))
        kw = {"delta": beta}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = fn(tl.tensor(x), tl.tensor(t), reduction=reduction, **kw)
    d = np.broadcast_arrays(x, t)
    ref = _np_regression(name, d[0] - d[1], beta)
    ref = {"none": ref, "mean": ref.mean() if ref.size else np.nan, "sum": ref.sum()}[reduction]
    assert_close(out, ref, rtol=1e-12, atol=1e-12)
    # gradients away from the kinks (|d| = 0, beta): x off the 1/32 grid by 1/128, target on it
    xs = data.draw(smooth_arrays(s1))
    ts = data.draw(hnp.arrays(F64, s2, elements=st.integers(-64, 64).map(lambda k: k / 32)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert tl.autograd.gradcheck(lambda a, b: fn(a, b, reduction=reduction, **kw),
                                     (tl_tensor(xs), tl_tensor(ts)))


@pytest.mark.parametrize("name", sorted(REGRESSION))
def test_regression_losses_match_torch_including_broadcast(torch, name):
    rng = np.random.default_rng(4)
    F = torch.nn.functional
    kw = {"smooth_l1_loss": {"beta": 0.5}, "huber_loss": {"delta": 0.7}}.get(name, {})
    for sx, st_ in [((4, 3), (4, 3)), ((4, 3), (3,)), ((4, 1), (1, 5))]:
        x = rng.standard_normal(sx)
        t = rng.standard_normal(st_)
        x.reshape(-1)[0] = t.reshape(-1)[0]                     # a tie: l1's kink at d = 0
        for red in REDUCTIONS:
            tx, tt = tl.tensor(x, requires_grad=True), tl.tensor(t, requires_grad=True)
            px, pt = torch.tensor(x, requires_grad=True), torch.tensor(t, requires_grad=True)
            with warnings.catch_warnings(record=True) as rec:
                warnings.simplefilter("always")
                out = REGRESSION[name](tx, tt, reduction=red, **kw)
                pout = getattr(F, name)(px, pt, reduction=red, **kw)
            if sx != st_:
                assert any(name in str(r.message) for r in rec)
            g = rng.standard_normal(pout.shape)
            out.backward(tl.tensor(g))
            pout.backward(torch.tensor(g))
            assert_close(out, pout.detach().numpy(), rtol=1e-12, atol=1e-12)
            assert_close(tx.grad, px.grad.numpy(), rtol=1e-12, atol=1e-12)
            assert_close(tt.grad, pt.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_regression_losses_bad_inputs():
    for name, fn in REGRESSION.items():
        with pytest.raises(tl.ShapeError, match=rf"{name}.*\(4, 3\).*\(2,\)"):
            fn(tl.randn(4, 3), tl.randn(2))
        with pytest.raises(ValueError, match=rf"{name}.*reduction"):
            fn(tl.randn(4, 3), tl.randn(4, 3), reduction="batchmean")
        with pytest.raises(TypeError, match=name):
            fn(tl.ones(3, dtype=tl.int64), tl.ones(3, dtype=tl.int64))
    with pytest.raises(ValueError, match="smooth_l1_loss.*beta"):
        smooth_l1_loss(tl.randn(3), tl.randn(3), beta=-1.0)
    with pytest.raises(ValueError, match="huber_loss.*delta"):
        huber_loss(tl.randn(3), tl.randn(3), delta=0.0)


# ================================================================== binary cross entropy
def np_bce_logits(x, t, w, pw):
    lw = 1 if pw is None else 1 + (pw - 1) * t
    sp = np.logaddexp(0, -x)                       # log(1 + exp(-x)), exact in float64
    loss = (1 - t) * x + lw * sp
    return loss if w is None else loss * w


@given(st.data())
@settings(max_examples=_examples(40))
def test_bce_with_logits_matches_oracle_and_gradcheck(data):
    shape = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    dtype = data.draw(float_dtypes)
    x = data.draw(hard_arrays(shape, dtype, large=True))        # logits of +-1e4: must stay finite
    t = data.draw(hard_arrays(shape, dtype, 0.0, 1.0))
    w = data.draw(st.one_of(st.none(), hard_arrays(shape[-1:], dtype, 0.0, 2.0)))
    pw = data.draw(st.one_of(st.none(), hard_arrays(shape[-1:], dtype, 0.0, 3.0)))
    red = data.draw(st.sampled_from(REDUCTIONS))
    tx = tl_tensor(x.copy())
    out = binary_cross_entropy_with_logits(tx, tl.from_numpy(t), None if w is None else tl.from_numpy(w),
                                           red, None if pw is None else tl.from_numpy(pw))
    out.sum().backward()
    ref = np_bce_logits(x.astype(F64), t.astype(F64), w, pw)
    ref = {"none": ref, "mean": ref.mean(), "sum": ref.sum()}[red]
    assert np.isfinite(out._data).all() and np.isfinite(tx.grad._data).all()
    rtol = 3e-6 if dtype == np.float32 else 1e-12
    assert_close(out, ref, rtol=rtol, atol=rtol * 3e4 * (1 + 3) * (np.size(x) if red == "sum" else 1))
    xs = tl_tensor(data.draw(smooth_arrays(shape)))
    ts = tl_tensor(data.draw(smooth_arrays(shape, min_value=0.0, max_value=1.0)))
    ws = tl_tensor(data.draw(smooth_arrays(shape[-1:], min_value=0.1, max_value=2.0)))
    pws = tl_tensor(data.draw(smooth_arrays(shape[-1:], min_value=0.1, max_value=3.0)))
    assert tl.autograd.gradcheck(
        lambda a, b, c, d: binary_cross_entropy_with_logits(a, b, c, red, d), (xs, ts, ws, pws))


def test_bce_with_logits_gradient_at_zero_logit():
    x = tl.zeros(3, dtype=tl.float64, requires_grad=True)
    binary_cross_entropy_with_logits(x, tl.tensor([0.0, 1.0, 0.25], dtype=tl.float64), reduction="sum").backward()
    np.testing.assert_allclose(x.grad._data, [0.5, -0.5, 0.25])     # sigmoid(0) - t


@given(st.data())
@settings(max_examples=_examples(30))
def test_bce_matches_oracle_and_gradcheck(data):
    shape = data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=3).map(tuple))
    p = data.draw(hard_arrays(shape, F64, 0.0, 1.0))                 # includes exact 0 and 1
    t = data.draw(hard_arrays(shape, F64, 0.0, 1.0))
    w = data.draw(st.one_of(st.none(), hard_arrays(shape, F64, 0.0, 2.0)))
    red = data.draw(st.sampled_from(REDUCTIONS))
    out = binary_cross_entropy(tl.tensor(p), tl.tensor(t), None if w is None else tl.tensor(w), red)
    with np.errstate(divide="ignore"):
        ref = -(t * np.maximum(np.log(p), -100) + (1 - t) * np.maximum(np.log(1 - p), -100))
    ref = ref if w is None else ref * w
    ref = {"none": ref, "mean": ref.mean(), "sum": ref.sum()}[red]
    assert_close(out, ref, rtol=1e-12, atol=1e-12)
    ps = tl_tensor(data.draw(smooth_arrays(shape, min_value=0.05, max_value=0.95)))
    ts = tl_tensor(data.draw(smooth_arrays(shape, min_value=0.0, max_value=1.0)))
    ws = tl_tensor(data.draw(smooth_arrays(shape, min_value=0.1, max_value=2.0)))
    assert tl.autograd.gradcheck(lambda a, b, c: binary_cross_entropy(a, b, c, red), (ps, ts, ws))


def test_bce_losses_match_torch(torch):
    rng = np.random.default_rng(5)
    F = torch.nn.functional
    x = (rng.standard_normal((5, 4)) * 4).astype(np.float32)
    x[0] = [1e4, -1e4, 0, 30]
    p = rng.random((5, 4)).astype(np.float32)
    p[0] = [0, 1, 0.5, 1e-30]
    t = rng.random((5, 4)).astype(np.float32)
    t[0] = [0, 1, 1, 1]
    w = rng.random((5, 4)).astype(np.float32)
    pw = (rng.random(4) * 3).astype(np.float32)
    for red in REDUCTIONS:
        for use_w, use_pw in [(False, False), (True, True), (False, True)]:
            tx, tt = tl_tensor(x.copy()), tl_tensor(t.copy())
            px, ptt = torch.tensor(x, requires_grad=True), torch.tensor(t, requires_grad=True)
            out = binary_cross_entropy_with_logits(tx, tt, tl.tensor(w) if use_w else None, red,
                                                   tl.tensor(pw) if use_pw else None)
            pout = F.binary_cross_entropy_with_logits(px, ptt, torch.tensor(w) if use_w else None, reduction=red,
                                                      pos_weight=torch.tensor(pw) if use_pw else None)
            out.sum().backward()
            pout.sum().backward()
            assert_close(out, pout.detach().numpy(), rtol=1e-5, atol=1e-3)
            assert_close(tx.grad, px.grad.numpy(), rtol=1e-5, atol=1e-6)
            assert_close(tt.grad, ptt.grad.numpy(), rtol=1e-5, atol=1e-2)
        tp, tt = tl_tensor(p.copy()), tl_tensor(t.copy())
        pp, ptt = torch.tensor(p, requires_grad=True), torch.tensor(t, requires_grad=True)
        out = binary_cross_entropy(tp, tt, tl.tensor(w), red)
        pout = F.binary_cross_entropy(pp, ptt, torch.tensor(w), reduction=red)
        out.sum().backward()
        pout.sum().backward()
        assert_close(out, pout.detach().numpy(), rtol=1e-5, atol=1e-4)
        assert_close(tp.grad, pp.grad.numpy(), rtol=1e-4, atol=1e-4)
        # d/dtarget: ours is the derivative of the clamped loss (finite at p = 0 or 1), torch's is the
        # unclamped -logit(p) (+-inf there); they agree everywhere else.
        inner = (p > 0) & (p < 1)
        assert_close(tt.grad._data[inner], ptt.grad.numpy()[inner], rtol=1e-5, atol=1e-4)
        assert np.isfinite(tt.grad._data).all()


def test_bce_bad_inputs():
    for fn in (binary_cross_entropy, binary_cross_entropy_with_logits):
        name = fn.__name__
        with pytest.raises(tl.ShapeError, match=rf"{name}.*\(3,\).*\(4, 3\)"):
            fn(tl.rand(4, 3), tl.rand(3))
        with pytest.raises(ValueError, match=rf"{name}.*reduction"):
            fn(tl.rand(3), tl.rand(3), reduction="all")
        with pytest.raises(tl.ShapeError, match=rf"{name}.*weight"):
            fn(tl.rand(4, 3), tl.rand(4, 3), weight=tl.rand(2))
        with pytest.raises(TypeError, match=name):
            fn(tl.ones(3, dtype=tl.int64), tl.rand(3))
    with pytest.raises(ValueError, match=r"binary_cross_entropy.*between 0 and 1.*1\.5"):
        binary_cross_entropy(tl.tensor([0.5, 1.5]), tl.tensor([0.0, 1.0]))
    with pytest.raises(tl.ShapeError, match="binary_cross_entropy_with_logits.*pos_weight"):
        binary_cross_entropy_with_logits(tl.rand(4, 3), tl.rand(4, 3), pos_weight=tl.rand(4))


# ================================================================== kl_div
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_matches_torch_and_gradcheck(torch, log_target):
    rng = np.random.default_rng(6)
    x = np.log(rng.random((3, 4)))
    t = rng.random((3, 4))
    t[0, 0] = 0.0                                                   # 0 * log 0 = 0
    if log_target:
        t = np.log(rng.random((3, 4)))
    for red in ("none", "sum", "batchmean", "mean"):
        tx, px = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        out = kl_div(tx, tl.tensor(t), reduction=red, log_target=log_target)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pout = torch.nn.functional.kl_div(px, torch.tensor(t), reduction=red, log_target=log_target)
        assert_close(out, pout.detach().numpy(), rtol=1e-12, atol=1e-12)
        out.sum().backward()
        pout.sum().backward()
        assert_close(tx.grad, px.grad.numpy(), rtol=1e-12, atol=1e-12)
        tt = tl.tensor(np.where(t == 0, 0.3, t) if not log_target else t, requires_grad=True)
        assert tl.autograd.gradcheck(lambda a, b: kl_div(a, b, reduction=red, log_target=log_target), (tx, tt))
    with pytest.raises(ValueError, match="kl_div.*reduction"):
        kl_div(tl.tensor(x), tl.tensor(t), reduction="avg")
