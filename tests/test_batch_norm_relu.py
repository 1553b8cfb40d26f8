"""batch_norm_relu: relu(batch_norm(x) + residual) fused into the normalization's kernels, and
BatchNorm's forward_relu, which the ResNets use.

Oracles: the float64 numpy batch-norm reference of test_normalization with the ReLU applied on top
(the mask taken from the output, as torch's threshold_backward), finite differences in float64,
and torch's relu(batch_norm(x) + residual) where torch imports.  Ties are drawn on purpose:
zero-variance channels with zero shift put the ReLU's input exactly at 0.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
from tensorlite import nn
from tensorlite.nn import functional as F

from tensorlite.testing.strategies import hard_arrays, smooth_arrays, to_layout, assert_close, tl_tensor
from test_normalization import (np_batch_norm, bn_case, _close, _examples, drivers,  # noqa: F401 (fixture)
                                draw_gradcheck_inputs)


@st.composite
def bnr_case(draw):
    case = draw(bn_case())
    if draw(st.booleans()):
        res = draw(hard_arrays(case["x"].shape, case["dtype"]))
        case["res"] = res
        case["res_l"] = to_layout(res, draw(st.sampled_from(["contiguous", "strided", "flipped"])))
    else:
        case["res"] = case["res_l"] = None
    if draw(st.booleans()) and case["b"] is not None:
        x = case["x"]
        x[:, 0] = 0.5                                # zero variance + zero shift: exactly 0 into the ReLU
        case["b"][0] = 0
        lay = case["layout"]
        case["x_l"] = (np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1) if lay == "channels_last"
                       else to_layout(x, lay))
    return case


@given(bnr_case())
@settings(max_examples=_examples(60))
def test_batch_norm_relu_matches_oracle(case):
    x_l, dtype, training = case["x_l"], case["dtype"], case["training"]
    if training and case["M"] == 1:
        with pytest.raises(ValueError, match="batch_norm_relu.*Expected more than 1 value per channel"):
            F.batch_norm_relu(tl.from_numpy(x_l), None, None, training=True)
        return
    x = tl_tensor(x_l)
    w = None if case["w"] is None else tl_tensor(case["w"].copy())
    b = None if case["b"] is None else tl_tensor(case["b"].copy())
    r = None if case["res"] is None else tl_tensor(case["res_l"])
    rm, rv = tl.from_numpy(case["rm"].copy()), tl.from_numpy(case["rv"].copy())
    out = F.batch_norm_relu(x, rm, rv, w, b, training, case["momentum"], case["eps"], residual=r)
    out.backward(tl.from_numpy(case["dy"]))
    assert out.dtype == x.dtype and tuple(out.shape) == case["x"].shape

    res64 = 0.0 if case["res"] is None else case["res"].astype(np.float64)
    fwd = np_batch_norm(case["x"], case["rm"], case["rv"], case["w"], case["b"], training, case["momentum"],
                        case["eps"], case["dy"])
    xerr = np.abs(case["x"]).max() * (1e-7 if dtype == np.float32 else 2e-16)
    big = xerr * np.abs(fwd["invstd"]).max() * (1 if case["w"] is None else max(1, np.abs(case["w"]).max()))
    _close(out, np.maximum(fwd["y"] + res64, 0), fwd["y_mag"] + np.abs(res64), dtype, "y", extra=4 * big)
    # the gradient through the ReLU: 0 where the output is <= 0 (torch's threshold_backward)
    got = out.detach().numpy()
    dz = np.where(got <= 0, 0, case["dy"]).astype(dtype)
    ref = np_batch_norm(case["x"], case["rm"], case["rv"], case["w"], case["b"], training, case["momentum"],
                        case["eps"], dz)
    _close(x.grad, ref["dx"], ref["dx_mag"], dtype, "dx",
           extra=4 * big * np.abs(case["dy"]).max() * np.abs(ref["invstd"]).max())
    if w is not None:
        _close(w.grad, ref["dw"], ref["dw_mag"], dtype, "dweight", extra=4 * big * np.abs(case["dy"]).sum())
    if b is not None:
        _close(b.grad, ref["db"], ref["db_mag"], dtype, "dbias")
    if r is not None:
        np.testing.assert_array_equal(r.grad.numpy(), dz)
    if training:
        _close(rm, ref["rm"], np.abs(ref["rm"]), dtype, "running_mean")
        _close(rv, ref["rv"], np.abs(ref["rv"]), dtype, "running_var", extra=big * 1e-3)


def _composed(x, w, b, r, training, rm, rv):
    y = F.batch_norm(x, rm, rv, w, b, training, 0.1, 1e-5)
    return F.relu(y if r is None else y + r)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(16, 8, 9, 11), (300, 5), (2, 4, 33, 32)])
@pytest.mark.parametrize("layout", ["contiguous", "channels_last"])
@pytest.mark.parametrize("residual", [False, True])
def test_batch_norm_relu_equals_composition(shape, dtype, layout, residual, drivers):
    """Fused and composed agree to rounding, in both kernel layouts and both drivers."""
    rng = np.random.default_rng(sum(shape))
    x0 = rng.standard_normal(shape).astype(dtype)
    r0 = rng.standard_normal(shape).astype(dtype)
    dy = rng.standard_normal(shape).astype(dtype)
    C = shape[1]
    results = []
    for fused in (True, False):
        x = tl.tensor(x0, requires_grad=True)
        xl = x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) if layout == "channels_last" and x.ndim == 4 \
            else x
        w = tl.tensor(rng.standard_normal(C).astype(dtype) if not results else results[0][-1], requires_grad=True)
        b = tl.zeros(C, dtype=x.dtype, requires_grad=True)
        r = tl.tensor(r0, requires_grad=True) if residual else None
        rm, rv = tl.zeros(C, dtype=x.dtype), tl.ones(C, dtype=x.dtype)
        out = F.batch_norm_relu(xl, rm, rv, w, b, True, 0.1, 1e-5, residual=r) if fused else \
            _composed(xl, w, b, r, True, rm, rv)
        out.backward(tl.tensor(dy))
        results.append([out.detach().numpy(), x.grad.numpy(), w.grad.numpy(), b.grad.numpy(),
                        r.grad.numpy() if residual else np.zeros(1), rm.numpy(), rv.numpy(), w.detach().numpy()])
    tol = 2e-5 if dtype == np.float32 else 1e-12
    for got, want, what in zip(results[0], results[1], ["y", "dx", "dw", "db", "dres", "rm", "rv", "w"]):
        np.testing.assert_allclose(got, want, rtol=tol, atol=tol * max(1.0, np.abs(want).max()), err_msg=what)


@given(st.data())
@settings(max_examples=_examples(12))
def test_batch_norm_relu_gradcheck(data):
    x, w, b, training, rm, rv = draw_gradcheck_inputs(data)
    r = tl_tensor(data.draw(smooth_arrays(tuple(x.shape))))
    use_res = data.draw(st.booleans())

    def f(x, w, b, r):
        return F.batch_norm_relu(x, None if training else rm, None if training else rv, w, b, training, 0.1,
                                 1e-3, residual=r if use_res else None)
    assert tl.autograd.gradcheck(f, (x, w, b, r), atol=1e-6, rtol=1e-4)


def test_batch_norm_relu_gradgradcheck():
    rng = np.random.default_rng(3)
    x = tl.tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    r = tl.tensor(rng.standard_normal((3, 2, 2, 2)), requires_grad=True)
    w = tl.tensor(rng.standard_normal(2), requires_grad=True)

    def f(x, w, r):
        return F.batch_norm_relu(x, None, None, w, None, True, 0.0, 1e-3, residual=r)
    assert tl.autograd.gradgradcheck(f, (x, w, r), atol=1e-5, rtol=1e-3)


@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 7), (4, 3, 5, 6)])
@pytest.mark.parametrize("channels_last", [False, True])
@pytest.mark.parametrize("residual", [False, True])
def test_batch_norm_relu_matches_torch(torch, shape, channels_last, residual):
    rng = np.random.default_rng(len(shape) * 10 + residual)
    C = shape[1]
    x = (rng.standard_normal(shape) * 2 + 3).astype(np.float32)
    # A zero-variance channel (its exact-0 ReLU tie is in the oracle test: torch's float32 mean is not
    # exact there, so which side of 0 its pre-activations land on is rounding).
    x[:, 0] = 0.75
    w, b = rng.standard_normal(C).astype(np.float32), rng.standard_normal(C).astype(np.float32)
    b[0] = 0.5
    res = rng.standard_normal(shape).astype(np.float32)
    dy = rng.standard_normal(shape).astype(np.float32)
    xl = np.moveaxis(np.ascontiguousarray(np.moveaxis(x, 1, -1)), -1, 1) if channels_last and x.ndim == 4 else x
    tx, tw, tb, tr = tl_tensor(xl), tl_tensor(w.copy()), tl_tensor(b.copy()), tl_tensor(res)
    rm, rv = tl.zeros(C), tl.ones(C)
    px, pw, pb, pr = (torch.tensor(a, requires_grad=True) for a in (x, w, b, res))
    prm, prv = torch.zeros(C), torch.ones(C)
    for training in (True, True, False):
        for t in (tx, tw, tb, tr, px, pw, pb, pr):
            t.grad = None
        out = F.batch_norm_relu(tx, rm, rv, tw, tb, training, 0.3, 1e-5, residual=tr if residual else None)
        out.backward(tl.from_numpy(dy))
        py = torch.nn.functional.batch_norm(px, prm, prv, pw, pb, training, 0.3, 1e-5)
        pout = torch.relu(py + pr if residual else py)
        pout.backward(torch.from_numpy(dy))
        assert_close(out, pout.detach().numpy(), rtol=1e-4, atol=1e-4)
        assert_close(tx.grad, px.grad.numpy(), rtol=1e-4, atol=2e-3)
        assert_close(tw.grad, pw.grad.numpy(), rtol=1e-4, atol=1e-3)
        assert_close(tb.grad, pb.grad.numpy(), rtol=1e-4, atol=1e-3)
        if residual:
            assert_close(tr.grad, pr.grad.numpy(), rtol=0, atol=0)
        assert_close(rm, prm.numpy(), rtol=1e-5, atol=1e-6)
        assert_close(rv, prv.numpy(), rtol=1e-5, atol=1e-6)


def test_batch_norm_relu_residual_broadcasts_and_promotes_like_the_composition(torch):
    x = tl.randn(4, 3, 2, 2)
    r = tl.randn(3, 1, 1, dtype=tl.float64)                  # broadcast and another dtype: the composition
    out = F.batch_norm_relu(x, None, None, training=True, residual=r)
    ref = torch.relu(torch.nn.functional.batch_norm(torch.tensor(x.numpy()), None, None, training=True)
                     + torch.tensor(r.numpy()))
    assert out.dtype is tl.float64 and tuple(out.shape) == (4, 3, 2, 2)
    assert_close(out, ref.numpy(), rtol=1e-5, atol=1e-5)
    half = F.batch_norm_relu(x.half(), None, None, training=True)
    assert half.dtype is tl.float16 and (half.float().numpy() >= 0).all()


def test_batch_norm_relu_bad_inputs():
    x = tl.randn(4, 3, 2)
    with pytest.raises(Exception, match="batch_norm_relu.*weight"):
        F.batch_norm_relu(x, None, None, tl.ones(2), training=True)
    with pytest.raises(ValueError, match=r"batch_norm_relu\(\): argument 'residual' of shape \(5, 3, 2\)"):
        F.batch_norm_relu(x, None, None, training=True, residual=tl.randn(5, 3, 2))
    with pytest.raises(Exception, match="batch_norm_relu.*residual"):
        F.batch_norm_relu(x, None, None, training=True, residual="a")


def test_forward_relu_equals_module_then_relu_and_respects_hooks():
    tl.manual_seed(0)
    bn = nn.BatchNorm2d(3)
    x, r = tl.randn(4, 3, 5, 5, requires_grad=True), tl.randn(4, 3, 5, 5)
    a = bn.forward_relu(x, residual=r)
    assert int(bn.num_batches_tracked) == 1
    seen = []
    handle = bn.register_forward_hook(lambda m, inp, out: seen.append(tuple(out.shape)))
    b = bn.forward_relu(x, residual=r)                         # through __call__: the hook sees bn's output
    handle.remove()
    assert seen == [(4, 3, 5, 5)] and int(bn.num_batches_tracked) == 2
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-6)
    bn.eval()
    c = bn.forward_relu(x)
    np.testing.assert_allclose(c.detach().numpy(), F.relu(bn(x)).detach().numpy(), rtol=0, atol=0)
    with pytest.raises(ValueError, match="BatchNorm2d: expected 4D input"):
        bn.forward_relu(tl.randn(4, 3))


def test_resnet_block_matches_unfused_composition():
    """The fused BasicBlock computes exactly conv -> bn -> relu -> conv -> bn -> + shortcut -> relu."""
    from tensorlite.models.resnet_cifar import BasicBlock
    tl.manual_seed(1)
    block = BasicBlock(16, 32, stride=2)
    x = tl.randn(3, 16, 8, 8, requires_grad=True)
    out = block(x)
    out.sum().backward()
    g_fused = [p.grad.numpy().copy() for p in block.parameters()] + [x.grad.numpy().copy()]
    block.zero_grad()
    x.grad = None
    for m in (block.bn1, block.bn2):            # undo the running-stat updates of the first call
        m.reset_running_stats()
    h = F.relu(block.bn1(block.conv1(x)))
    ref = F.relu(block.bn2(block.conv2(h)) + block.shortcut(x))
    ref.sum().backward()
    g_ref = [p.grad.numpy() for p in block.parameters()] + [x.grad.numpy()]
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-5, atol=1e-6)
    for a, b in zip(g_fused, g_ref):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_forward_relu_goes_through_an_overridden_forward(monkeypatch):
    """Subclasses that change forward (SyncBatchNorm's cross-rank statistics) are not bypassed."""
    class Doubled(nn.BatchNorm2d):
        def forward(self, x):
            return super().forward(x) * 2
    tl.manual_seed(2)
    x = tl.randn(4, 3, 3, 3)
    got = Doubled(3).forward_relu(x, residual=-x)
    want = F.relu(nn.BatchNorm2d(3)(x) * 2 - x)
    np.testing.assert_allclose(got.detach().numpy(), want.detach().numpy(), rtol=1e-6, atol=1e-6)
    calls = []
    sync = nn.SyncBatchNorm(3)
    real = nn.SyncBatchNorm.forward
    monkeypatch.setattr(nn.SyncBatchNorm, "forward", lambda self, x: calls.append(1) or real(self, x))
    sync.forward_relu(x)
    assert calls == [1]
