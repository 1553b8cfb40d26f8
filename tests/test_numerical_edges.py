"""Numerical edge cases, side by side with PyTorch: log_softmax / softmax / logsumexp /
cross_entropy at logits of +-1e4 and all-equal logits (finite, exact), batch_norm with a
zero-variance channel in training and evaluation, and the gradients of sqrt / rsqrt / log /
log1p / pow at and beyond the boundary of their domain (inf or nan exactly where PyTorch gives
them). test_loss.py, test_normalization.py and test_ops_grad.py hold the property-based versions;
these are the fixed points the reliability issue names."""
import numpy as np
import pytest

import tensorlite as tl
import tensorlite.nn.functional as F

LOGITS = [[1e4, -1e4, 0.0, 1.0],
          [5.0, 5.0, 5.0, 5.0],            # all equal
          [-1e4, -1e4, -1e4, -1e4],        # all equal and hugely negative
          [1e4, 1e4, -1e4, 3.0]]           # a tie at the top
TARGET = [1, 2, 0, 3]


def _pair(torch, values, dtype, ref64=False):
    """The same values as a tensorlite and a torch leaf; ref64: torch's in float64 (an exact
    reference: PyTorch's float32 kernels round differently, e.g. its vectorized exp)."""
    a = np.asarray(values, dtype=dtype)
    return (tl.tensor(a, requires_grad=True),
            torch.tensor(a, dtype=torch.float64 if ref64 else None, requires_grad=True))


def _same(t_out, p_out, rtol, atol=None):
    got, want = t_out.detach().numpy().astype(np.float64), p_out.detach().numpy().astype(np.float64)
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want))
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want))
    fin = np.isfinite(want)
    np.testing.assert_allclose(got[fin], want[fin], rtol=rtol, atol=rtol if atol is None else atol)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["log_softmax", "softmax", "logsumexp", "cross_entropy",
                                  "cross_entropy_smoothed"])
def test_extreme_and_equal_logits_are_finite_and_match_torch(torch, name, dtype):
    tx, px = _pair(torch, LOGITS, dtype, ref64=True)
    tt, pt = tl.tensor(TARGET), torch.tensor(TARGET)
    fns = {
        "log_softmax": (lambda x: F.log_softmax(x, 1), lambda x: torch.log_softmax(x, 1)),
        "softmax": (lambda x: F.softmax(x, 1), lambda x: torch.softmax(x, 1)),
        "logsumexp": (lambda x: tl.logsumexp(x, 1), lambda x: torch.logsumexp(x, 1)),
        "cross_entropy": (lambda x: F.cross_entropy(x, tt, reduction="none"),
                          lambda x: torch.nn.functional.cross_entropy(x, pt, reduction="none")),
        "cross_entropy_smoothed": (
            lambda x: F.cross_entropy(x, tt, reduction="none", label_smoothing=0.2),
            lambda x: torch.nn.functional.cross_entropy(x, pt, reduction="none", label_smoothing=0.2)),
    }
    tfn, pfn = fns[name]
    out, ref = tfn(tx), pfn(px)
    up = np.linspace(-1, 1, out.numel()).reshape(tuple(out.shape)).astype(dtype)
    (out * tl.tensor(up)).sum().backward()
    (ref * torch.tensor(up, dtype=torch.float64)).sum().backward()
    assert np.isfinite(out.detach().numpy()).all() and np.isfinite(tx.grad.numpy()).all()
    rtol = 1e-5 if dtype == np.float32 else 1e-12
    _same(out, ref, rtol)
    _same(tx.grad, px.grad, rtol)
    if name == "logsumexp":       # all-equal rows: c + log(n), exactly representable to rounding
        np.testing.assert_allclose(out.detach().numpy()[1:3], [5 + np.log(4), -1e4 + np.log(4)], rtol=rtol)
    if name == "log_softmax":
        np.testing.assert_allclose(out.detach().numpy()[1], -np.log(4), rtol=rtol)


@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_zero_variance_channel_matches_torch(torch, training, dtype):
    """The reference is PyTorch in float64: in float32 PyTorch's own mean of a constant channel
    carries rounding noise that 1 / sqrt(eps) amplifies, where tensorlite gets exactly 0."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 3, 2, 2)).astype(dtype)
    x[:, 1] = -7.25                                        # zero variance in channel 1
    rm0 = np.array([0.5, -7.25, 0.0], dtype)
    rv0 = np.array([1.0, 0.0, 2.0], dtype)                 # a zero running variance too (eval uses it)
    tx, px = tl.tensor(x, requires_grad=True), torch.tensor(x, dtype=torch.float64, requires_grad=True)
    w = np.array([1.0, 2.0, -1.0], dtype)
    tw, pw = tl.tensor(w, requires_grad=True), torch.tensor(w, dtype=torch.float64, requires_grad=True)
    trm, prm = tl.tensor(rm0), torch.tensor(rm0, dtype=torch.float64)
    trv, prv = tl.tensor(rv0), torch.tensor(rv0, dtype=torch.float64)
    out = F.batch_norm(tx, trm, trv, tw, None, training=training, momentum=0.3, eps=1e-5)
    ref = torch.nn.functional.batch_norm(px, prm, prv, pw, None, training=training, momentum=0.3, eps=1e-5)
    up = rng.standard_normal(x.shape).astype(dtype)
    (out * tl.tensor(up)).sum().backward()
    (ref * torch.tensor(up, dtype=torch.float64)).sum().backward()
    for t in (out, tx.grad, tw.grad, trm, trv):
        assert np.isfinite(t.detach().numpy()).all()
    # evaluation computes x * scale + shift with |shift| ~ |rm| * |w| / sqrt(eps) ~ 4600: float32
    # rounds that to ~5e-4 (PyTorch's float32 kernel does the same)
    rtol, atol = (2e-4, 1e-3) if dtype == np.float32 else (1e-10, 1e-9)
    for got, want in ((out, ref), (tx.grad, px.grad), (tw.grad, pw.grad), (trm, prm), (trv, prv)):
        _same(got, want, rtol, atol)
    if training:
        np.testing.assert_array_equal(out.detach().numpy()[:, 1], 0.0)   # (x - mean) is exactly 0


def test_batch_norm_module_on_a_constant_batch_stays_finite_in_eval():
    bn = tl.nn.BatchNorm2d(2)
    x = tl.full((8, 2, 3, 3), 4.0)
    for _ in range(3):
        assert np.array_equal(bn(x).detach().numpy(), np.zeros((8, 2, 3, 3), np.float32))
    bn.eval()
    y = bn(x).detach().numpy()
    assert np.isfinite(y).all() and abs(float(bn.running_var.numpy().max())) < 1.0


BOUNDARY = [0.0, -0.0, -1.0, 1e-30, np.inf, np.nan]
UNARY = {
    "sqrt": (tl.sqrt, "sqrt"),
    "rsqrt": (tl.rsqrt, "rsqrt"),
    "log": (tl.log, "log"),
    "log1p": (tl.log1p, "log1p"),
    "pow_half": (lambda x: x ** 0.5, lambda x: x ** 0.5),             # rsqrt in backward: -inf at -0.0
    "pow_half_tensor": (lambda x: x ** tl.tensor(0.5), None),          # general pow in backward: +inf
    "pow_neg": (lambda x: x ** -1.5, lambda x: x ** -1.5),
    "sqrt_times_zero": (lambda x: tl.sqrt(x) * 0.0, lambda x: x.sqrt() * 0.0),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_gradients_at_the_domain_boundary_follow_torch(torch, name, dtype):
    """d/dx sqrt(x) at 0 is +inf, log at 0 +inf, rsqrt at 0 -inf, sqrt at -1 nan, log at -1 -1
    (1/x: finite although log(-1) is nan), sqrt(x) * 0 at 0 nan (0 * inf): PyTorch's values."""
    values = BOUNDARY + ([-1.0 - 1e-3] if name == "log1p" else [])
    tfn, pfn = UNARY[name]
    pfn = getattr(torch, pfn) if isinstance(pfn, str) else pfn or (lambda x: x ** torch.tensor(0.5))
    tx, px = _pair(torch, values, dtype)
    with np.errstate(all="ignore"):
        out = tfn(tx)
        out.sum().backward()
    ref = pfn(px)
    ref.sum().backward()
    _same(out, ref, 1e-6)
    _same(tx.grad, px.grad, 1e-6)


@pytest.mark.parametrize("n", [7, 70_000])      # the serial and the parallel kernel
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_keeps_nan_and_negative_zero_like_torch_and_its_gradient_is_zero_there(n, dtype):
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(n).standard_normal(n).astype(dtype)
    x[::7], x[1::11], x[2::13] = -0.0, np.nan, 0.0
    t, tt = tl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, ty = t.relu(), torch.relu(tt)
    assert np.array_equal(y.detach().numpy(), ty.detach().numpy(), equal_nan=True)
    assert np.array_equal(np.signbit(y.detach().numpy()), np.signbit(ty.detach().numpy()))
    g = np.random.default_rng(1).standard_normal(n).astype(dtype)
    g[::5] = np.nan                                  # NaN upstream gradients are masked, not propagated
    y.backward(tl.from_numpy(g))
    ty.backward(torch.from_numpy(g))
    assert np.array_equal(t.grad.numpy(), tt.grad.numpy(), equal_nan=True)
