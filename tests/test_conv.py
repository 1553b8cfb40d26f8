"""conv1d / conv2d / conv_transpose2d: a numpy reference (the oracle), torch parity, gradcheck,
every kernel family of the C core, determinism, and bad inputs."""
import os

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import tensorlite as tl
from tensorlite.backend import conv as backend
from tensorlite.errors import ShapeError
from tensorlite.ops.conv import conv1d, conv2d, conv_transpose2d

from tensorlite.testing.strategies import to_layout, LAYOUTS

ARCHS = ("generic", "avx2", "avx512")


# ---------------------------------------------------------------- numpy reference
def ref_out_size(n, k, s, p0, p1, d):
    return (n + p0 + p1 - d * (k - 1) - 1) // s + 1


def ref_windows(xp, i, j, stride, dilation, out_hw):
    """xp[..., oh*sh + i*dh, ow*sw + j*dw] for all (oh, ow): the input seen by tap (i, j)."""
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out_hw
    return xp[:, :, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dw: j * dw + sw * (ow - 1) + 1: sw]


def ref_conv2d(x, w, b, stride, pad4, dilation, groups, out_hw=None):
    """y = conv2d(x, w) + b, tap by tap (float64)."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    N, C, H, W = x.shape
    K, Cg, KH, KW = w.shape
    pt, pb, pl, pr = pad4
    if out_hw is None:
        out_hw = (ref_out_size(H, KH, stride[0], pt, pb, dilation[0]),
                  ref_out_size(W, KW, stride[1], pl, pr, dilation[1]))
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    y = np.zeros((N, K) + tuple(out_hw))
    Kg = K // groups
    for g in range(groups):
        xs = xp[:, g * Cg:(g + 1) * Cg]
        for i in range(KH):
            for j in range(KW):
                patch = ref_windows(xs, i, j, stride, dilation, out_hw)
                y[:, g * Kg:(g + 1) * Kg] += np.einsum("nchw,kc->nkhw", patch,
                                                       w[g * Kg:(g + 1) * Kg, :, i, j])
    if b is not None:
        y += b.astype(np.float64).reshape(1, -1, 1, 1)
    return y


def ref_conv2d_grads(x, w, dy, stride, pad4, dilation, groups):
    """(dx, dw, db) of sum(conv2d(x, w, b) * dy), tap by tap (float64)."""
    x, w, dy = x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64)
    N, C, H, W = x.shape
    K, Cg, KH, KW = w.shape
    pt, pb, pl, pr = pad4
    out_hw = dy.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    dxp = np.zeros_like(xp)
    dw = np.zeros(w.shape)
    Kg = K // groups
    (sh, sw), (dh, dwl) = stride, dilation
    oh, ow = out_hw
    for g in range(groups):
        cs, ks = slice(g * Cg, (g + 1) * Cg), slice(g * Kg, (g + 1) * Kg)
        for i in range(KH):
            for j in range(KW):
                patch = ref_windows(xp[:, cs], i, j, stride, dilation, out_hw)
                dw[ks, :, i, j] = np.einsum("nchw,nkhw->kc", patch, dy[:, ks])
                dxp[:, cs, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dwl: j * dwl + sw * (ow - 1) + 1: sw] += \
                    np.einsum("nkhw,kc->nchw", dy[:, ks], w[ks, :, i, j])
    dx = dxp[:, :, pt:pt + H, pl:pl + W]
    return dx, dw, dy.sum(axis=(0, 2, 3))


def same_pad(k, d):
    total = d * (k - 1)
    return total // 2, total - total // 2


def pad4_of(padding, ksize, dilation):
    if padding == "valid":
        return (0, 0, 0, 0)
    if padding == "same":
        (pt, pb), (pl, pr) = same_pad(ksize[0], dilation[0]), same_pad(ksize[1], dilation[1])
        return (pt, pb, pl, pr)
    p = (padding, padding) if isinstance(padding, int) else padding
    return (p[0], p[0], p[1], p[1])


def tol(dtype):
    return dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)


def tensor(arr, requires_grad=True):
    t = tl.from_numpy(arr)
    return t.requires_grad_() if requires_grad else t


# ---------------------------------------------------------------- hypothesis strategy
@st.composite
def conv_cases(draw, max_hw=9, allow_same=True):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    depthwise = draw(st.booleans()) and groups > 1
    cg = 1 if depthwise else draw(st.integers(1, 3))
    kg = draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    kinds = ["int", "pair", "valid"] + (["same"] if allow_same and stride == (1, 1) else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "int":
        padding = draw(st.integers(0, 3))
    elif kind == "pair":
        padding = (draw(st.integers(0, 3)), draw(st.integers(0, 3)))
    else:
        padding = kind
    pad4 = pad4_of(padding, (kh, kw), dilation)
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    # exactly-fitting kernels (kernel == padded input) are drawn on purpose
    h = draw(st.one_of(st.just(max(1, eh - pad4[0] - pad4[1])), st.integers(1, max_hw)))
    w = draw(st.one_of(st.just(max(1, ew - pad4[2] - pad4[3])), st.integers(1, max_hw)))
    assume(h + pad4[0] + pad4[1] >= eh and w + pad4[2] + pad4[3] >= ew)
    n = draw(st.integers(1, 3))
    return dict(n=n, c=cg * groups, h=h, w=w, k=kg * groups, kh=kh, kw=kw, stride=stride,
                padding=padding, pad4=pad4, dilation=dilation, groups=groups,
                bias=draw(st.booleans()), dtype=draw(st.sampled_from([np.float32, np.float64])),
                layout=draw(st.sampled_from(LAYOUTS)), seed=draw(st.integers(0, 2 ** 16)))


def make_arrays(case):
    rng = np.random.default_rng(case["seed"])
    dt = case["dtype"]
    x = rng.standard_normal((case["n"], case["c"], case["h"], case["w"])).astype(dt)
    w = rng.standard_normal((case["k"], case["c"] // case["groups"], case["kh"], case["kw"])).astype(dt)
    b = rng.standard_normal(case["k"]).astype(dt) if case["bias"] else None
    return rng, to_layout(x, case["layout"]), to_layout(w, case["layout"]), b


# ---------------------------------------------------------------- against the numpy reference
@settings(max_examples=120, deadline=None)
@given(conv_cases())
def test_conv2d_forward_and_grads_match_numpy_reference(case):
    rng, x, w, b = make_arrays(case)
    X, Wt = tensor(x), tensor(w)
    B = tensor(b.copy()) if b is not None else None
    y = conv2d(X, Wt, B, stride=case["stride"], padding=case["padding"],
               dilation=case["dilation"], groups=case["groups"])
    args = (case["stride"], case["pad4"], case["dilation"], case["groups"])
    ref = ref_conv2d(x, w, b, *args)
    assert y.shape == ref.shape and y.dtype == X.dtype
    np.testing.assert_allclose(y.detach().numpy(), ref, **tol(case["dtype"]))
    dy = rng.standard_normal(ref.shape).astype(case["dtype"])
    y.backward(tl.from_numpy(dy))
    rdx, rdw, rdb = ref_conv2d_grads(x, w, dy, *args)
    np.testing.assert_allclose(X.grad.numpy(), rdx, **tol(case["dtype"]))
    np.testing.assert_allclose(Wt.grad.numpy(), rdw, **tol(case["dtype"]))
    if B is not None:
        np.testing.assert_allclose(B.grad.numpy(), rdb, **tol(case["dtype"]))


@settings(max_examples=25, deadline=None)
@given(conv_cases(max_hw=7, allow_same=False), st.data(), st.sampled_from(["auto", "pixel", "channel"]))
def test_backend_partial_output_geometry(case, data, tiles):
    """Outputs smaller than the largest one (conv_transpose2d's output_padding relies on it), with
    each forward tile family."""
    old = os.environ.pop("TENSORLITE_CONV_TILES", None)
    if tiles != "auto":
        os.environ["TENSORLITE_CONV_TILES"] = tiles
    try:
        _check_partial_output_geometry(case, data)
    finally:
        os.environ.pop("TENSORLITE_CONV_TILES", None)
        if old is not None:
            os.environ["TENSORLITE_CONV_TILES"] = old


def _check_partial_output_geometry(case, data):
    rng, x, w, b = make_arrays(case)
    args = (case["stride"], case["pad4"], case["dilation"], case["groups"])
    full = ref_conv2d(x, w, b, *args)
    oh = data.draw(st.integers(1, full.shape[2]))
    ow = data.draw(st.integers(1, full.shape[3]))
    y = backend.conv2d_forward(x, w, b, *args, out_hw=(oh, ow))
    np.testing.assert_allclose(y, full[:, :, :oh, :ow], **tol(case["dtype"]))
    dy = rng.standard_normal(y.shape).astype(case["dtype"])
    dyf = np.zeros(full.shape, dtype=dy.dtype)
    dyf[:, :, :oh, :ow] = dy
    rdx, rdw, rdb = ref_conv2d_grads(x, w, dyf, *args)
    dx = backend.conv2d_backward_input(dy, w, x.shape[2:], *args)
    dw, db = backend.conv2d_backward_weight(x, dy, w.shape[2:], *args, bias_grad=True)
    np.testing.assert_allclose(dx, rdx, **tol(case["dtype"]))
    np.testing.assert_allclose(dw, rdw, **tol(case["dtype"]))
    np.testing.assert_allclose(db, rdb, **tol(case["dtype"]))


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [
    # (N, C, H, W, K, KH, KW, stride, pad4, dilation, groups)
    (2, 16, 12, 12, 16, 3, 3, (1, 1), (1, 1, 1, 1), (1, 1), 1),     # ResNet-like block
    (2, 16, 11, 13, 32, 3, 3, (2, 2), (1, 1, 1, 1), (1, 1), 1),     # downsampling
    (3, 3, 13, 12, 6, 5, 5, (1, 1), (0, 0, 0, 0), (1, 1), 1),       # LeNet conv1
    (2, 12, 9, 9, 12, 3, 3, (1, 2), (2, 0, 1, 3), (2, 1), 12),      # depthwise, asymmetric pad
    (2, 8, 7, 10, 16, 3, 2, (2, 1), (1, 1, 0, 0), (1, 2), 4),       # grouped, multiplier 4
    (1, 5, 6, 6, 7, 1, 1, (3, 2), (0, 0, 0, 0), (1, 1), 1),         # 1x1, stride 3
    (2, 4, 5, 5, 3, 5, 5, (1, 1), (0, 0, 0, 0), (1, 1), 1),         # kernel == input
    (1, 70, 4, 5, 3, 2, 2, (1, 1), (0, 0, 1, 1), (1, 1), 1),        # long reduction, tail tiles
    (2, 64, 8, 8, 64, 3, 3, (1, 1), (1, 1, 1, 1), (1, 1), 1),       # ResNet stage 3: channel tiles
    (2, 24, 9, 7, 40, 3, 3, (2, 2), (1, 1, 1, 1), (1, 1), 1),       # stride 2, odd maps, channel tail
    (1, 12, 6, 7, 20, 3, 2, (2, 1), (0, 1, 2, 0), (2, 1), 2),       # grouped, dilated, 2 phases
])
@pytest.mark.parametrize("tiles", ["pixel", "channel", "auto"])
def test_every_kernel_family_matches_reference(monkeypatch, arch, dtype, shape, tiles):
    """Every architecture x both forward tile families (pixel- and channel-vectorized, forced with
    TENSORLITE_CONV_TILES, and the cost model's pick) against the numpy reference."""
    monkeypatch.setenv("TENSORLITE_CONV_ARCH", arch)
    if tiles != "auto":
        monkeypatch.setenv("TENSORLITE_CONV_TILES", tiles)
    N, C, H, W, K, KH, KW, stride, pad4, dilation, groups = shape
    rng = np.random.default_rng(7)
    x = rng.standard_normal((N, C, H, W)).astype(dtype)
    w = rng.standard_normal((K, C // groups, KH, KW)).astype(dtype)
    b = rng.standard_normal(K).astype(dtype)
    args = (stride, pad4, dilation, groups)
    y = backend.conv2d_forward(x, w, b, *args)
    ref = ref_conv2d(x, w, b, *args)
    t = dict(rtol=1e-4, atol=2e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(y, ref, **t)
    dy = rng.standard_normal(y.shape).astype(dtype)
    rdx, rdw, rdb = ref_conv2d_grads(x, w, dy, *args)
    np.testing.assert_allclose(backend.conv2d_backward_input(dy, w, (H, W), *args), rdx, **t)
    dw, db = backend.conv2d_backward_weight(x, dy, (KH, KW), *args, bias_grad=True)
    np.testing.assert_allclose(dw, rdw, **t)
    np.testing.assert_allclose(db, rdb, **t)


def test_arch_override_caps_the_kernel_family(monkeypatch):
    monkeypatch.setenv("TENSORLITE_CONV_ARCH", "generic")
    assert backend.arch() == "generic"
    monkeypatch.delenv("TENSORLITE_CONV_ARCH")
    assert backend.arch() in ARCHS


def test_weight_grad_is_deterministic_for_a_fixed_thread_count():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((9, 8, 10, 10)).astype(np.float32)
    dy = rng.standard_normal((9, 8, 10, 10)).astype(np.float32)
    old = tl.get_num_threads()
    try:
        for n in (1, 2, 3):
            tl.set_num_threads(n)
            runs = [backend.conv2d_backward_weight(x, dy, (3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1, True)
                    for _ in range(3)]
            for dw, db in runs[1:]:
                assert np.array_equal(dw, runs[0][0]) and np.array_equal(db, runs[0][1])
            ref = ref_conv2d_grads(x, np.zeros((8, 8, 3, 3)), dy, (1, 1), (1, 1, 1, 1), (1, 1), 1)
            np.testing.assert_allclose(runs[0][0], ref[1], rtol=1e-4, atol=1e-3)
    finally:
        tl.set_num_threads(old)


def test_batch_larger_than_threads_and_odd_batch():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((5, 3, 8, 8))
    w = rng.standard_normal((4, 3, 3, 3))
    y = conv2d(tl.from_numpy(x), tl.from_numpy(w), padding=1)
    np.testing.assert_allclose(y.numpy(), ref_conv2d(x, w, None, (1, 1), (1, 1, 1, 1), (1, 1), 1),
                               rtol=1e-10, atol=1e-10)


def test_unbatched_input_and_conv1d():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 6, 7))
    w = rng.standard_normal((4, 3, 3, 2))
    y = conv2d(tl.from_numpy(x), tl.from_numpy(w), stride=(1, 2), padding=(1, 0))
    ref = ref_conv2d(x[None], w, None, (1, 2), (1, 1, 0, 0), (1, 1), 1)[0]
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-10)
    x1 = rng.standard_normal((2, 4, 11))
    w1 = rng.standard_normal((6, 2, 3))
    y1 = conv1d(tl.from_numpy(x1), tl.from_numpy(w1), stride=2, padding=2, dilation=2, groups=2)
    ref1 = ref_conv2d(x1[:, :, None], w1[:, :, None], None, (1, 2), (0, 0, 2, 2), (1, 2), 2)[:, :, 0]
    np.testing.assert_allclose(y1.numpy(), ref1, rtol=1e-10, atol=1e-10)
    y1u = conv1d(tl.from_numpy(x1[0]), tl.from_numpy(w1), padding="same", groups=2)
    assert y1u.shape == (6, 11)


def test_zero_batch_and_zero_channels():
    x = tl.zeros(0, 3, 5, 5, requires_grad=True)
    w = tl.randn(4, 3, 3, 3, requires_grad=True)
    y = conv2d(x, w, padding=1)
    assert y.shape == (0, 4, 5, 5)
    y.sum().backward()
    assert x.grad.shape == (0, 3, 5, 5) and np.all(w.grad.numpy() == 0)
    x0 = tl.zeros(2, 0, 5, 5, requires_grad=True)
    w0 = tl.zeros(4, 0, 3, 3, requires_grad=True)
    b0 = tl.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    y0 = conv2d(x0, w0, b0)
    assert y0.shape == (2, 4, 3, 3)
    np.testing.assert_array_equal(y0.detach().numpy()[:, :, 0, 0], [[1, 2, 3, 4]] * 2)
    y0.sum().backward()
    np.testing.assert_array_equal(b0.grad.numpy(), [18.0] * 4)


def test_float16_is_computed_in_float32():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float16)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float16)
    y = conv2d(tl.from_numpy(x), tl.from_numpy(w), padding=1)
    assert y.dtype == tl.float16
    ref = ref_conv2d(x.astype(np.float32), w.astype(np.float32), None, (1, 1), (1, 1, 1, 1), (1, 1), 1)
    np.testing.assert_allclose(y.numpy().astype(np.float64), ref, rtol=2e-3, atol=2e-2)


def test_gradient_of_only_some_inputs():
    rng = np.random.default_rng(8)
    x = tl.from_numpy(rng.standard_normal((2, 2, 5, 5)))
    w = tl.from_numpy(rng.standard_normal((3, 2, 3, 3))).requires_grad_()
    b = tl.from_numpy(rng.standard_normal(3))
    conv2d(x, w, b).sum().backward()
    assert x.grad is None and b.grad is None and w.grad.shape == (3, 2, 3, 3)
    x.requires_grad_()
    w.grad = None
    (gx,) = tl.autograd.grad(conv2d(x, w.detach(), b).sum(), [x])
    assert gx.shape == (2, 2, 5, 5)


# ---------------------------------------------------------------- gradcheck (float64)
@pytest.mark.parametrize("kw", [
    dict(stride=1, padding=1, dilation=1, groups=1),
    dict(stride=2, padding=(1, 0), dilation=1, groups=2),
    dict(stride=(1, 2), padding="same", dilation=1, groups=1),
    dict(stride=1, padding="same", dilation=(2, 1), groups=4),
    dict(stride=3, padding=2, dilation=2, groups=1),
])
def test_conv2d_gradcheck(kw):
    if kw["padding"] == "same" and kw["stride"] != 1:
        kw = dict(kw, stride=1)
    rng = np.random.default_rng(9)
    g = kw["groups"]
    x = tensor(rng.standard_normal((2, 4, 4, 4)))
    w = tensor(rng.standard_normal((4, 4 // g, 2, 3)))
    b = tensor(rng.standard_normal(4))
    assert tl.autograd.gradcheck(lambda a, c, d: conv2d(a, c, d, **kw), (x, w, b))


def test_conv2d_gradgradcheck():
    rng = np.random.default_rng(10)
    x = tensor(rng.standard_normal((1, 2, 4, 4)))
    w = tensor(rng.standard_normal((2, 1, 2, 2)))
    b = tensor(rng.standard_normal(2))
    f = lambda a, c, d: conv2d(a, c, d, stride=2, padding=1, groups=2)  # noqa: E731
    assert tl.autograd.gradgradcheck(f, (x, w, b))


@pytest.mark.parametrize("kw", [
    dict(stride=2, padding=1, output_padding=1, groups=1, dilation=1),
    dict(stride=1, padding=0, output_padding=1, groups=2, dilation=2),
    dict(stride=(3, 2), padding=(2, 0), output_padding=(2, 1), groups=1, dilation=(1, 1)),
])
def test_conv_transpose2d_gradcheck(kw):
    rng = np.random.default_rng(11)
    g = kw["groups"]
    x = tensor(rng.standard_normal((2, 2, 3, 2)))
    w = tensor(rng.standard_normal((2, 4 // g, 3, 2)))
    b = tensor(rng.standard_normal(4))
    f = lambda a, c, d: conv_transpose2d(a, c, d, **kw)  # noqa: E731
    assert tl.autograd.gradcheck(f, (x, w, b))


def test_conv_transpose2d_gradgradcheck():
    rng = np.random.default_rng(14)
    x = tensor(rng.standard_normal((1, 2, 2, 2)))
    w = tensor(rng.standard_normal((2, 2, 2, 2)))
    b = tensor(rng.standard_normal(2))
    f = lambda a, c, d: conv_transpose2d(a, c, d, stride=2, padding=1, output_padding=1)  # noqa: E731
    assert tl.autograd.gradgradcheck(f, (x, w, b))


def test_conv1d_gradcheck():
    rng = np.random.default_rng(12)
    x = tensor(rng.standard_normal((2, 2, 7)))
    w = tensor(rng.standard_normal((3, 2, 3)))
    b = tensor(rng.standard_normal(3))
    assert tl.autograd.gradcheck(lambda a, c, d: conv1d(a, c, d, stride=2, padding=1, dilation=2),
                                 (x, w, b))


# ---------------------------------------------------------------- against torch
def _torch_grads(torch, fn, arrays, dy, **kw):
    ts = [torch.from_numpy(np.array(a, copy=True)).requires_grad_() if a is not None else None
          for a in arrays]
    y = fn(*ts, **kw)
    y.backward(torch.from_numpy(dy))
    return y.detach().numpy(), [t.grad.numpy() if t is not None else None for t in ts]


def _tl_grads(fn, arrays, dy, **kw):
    ts = [tensor(a) if a is not None else None for a in arrays]
    y = fn(*ts, **kw)
    y.backward(tl.from_numpy(dy))
    return y.detach().numpy(), [t.grad.numpy() if t is not None else None for t in ts]


def _compare(got, want, dtype):
    t = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-9, atol=1e-9)
    (y, gs), (ty, tgs) = got, want
    np.testing.assert_allclose(y, ty, **t)
    for g, tg in zip(gs, tgs):
        if tg is not None:
            np.testing.assert_allclose(g, tg, **t)


@settings(max_examples=60, deadline=None)
@given(conv_cases())
def test_conv2d_matches_torch(torch, case):
    rng, x, w, b = make_arrays(case)
    kw = dict(stride=case["stride"], padding=case["padding"], dilation=case["dilation"],
              groups=case["groups"])
    ty = torch.nn.functional.conv2d(torch.from_numpy(np.array(x)), torch.from_numpy(np.array(w)),
                                    None if b is None else torch.from_numpy(b), **kw)
    dy = rng.standard_normal(tuple(ty.shape)).astype(case["dtype"])
    _compare(_tl_grads(conv2d, (x, w, b), dy, **kw),
             _torch_grads(torch, torch.nn.functional.conv2d, (x, w, b), dy, **kw), case["dtype"])


@st.composite
def transpose_cases(draw):
    groups = draw(st.sampled_from([1, 2]))
    cin, cog = groups * draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    opad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    out = [(i - 1) * s - 2 * p + d * (k - 1) + o + 1
           for i, s, p, d, k, o in zip((h, w), stride, padding, dilation, (kh, kw), opad)]
    assume(min(out) >= 1)
    return dict(n=draw(st.integers(1, 2)), cin=cin, cout=cog * groups, h=h, w=w, kh=kh, kw=kw,
                stride=stride, padding=padding, output_padding=opad, dilation=dilation,
                groups=groups, bias=draw(st.booleans()),
                dtype=draw(st.sampled_from([np.float32, np.float64])), seed=draw(st.integers(0, 999)))


@settings(max_examples=50, deadline=None)
@given(transpose_cases())
def test_conv_transpose2d_matches_torch(torch, case):
    rng = np.random.default_rng(case["seed"])
    dt = case["dtype"]
    x = rng.standard_normal((case["n"], case["cin"], case["h"], case["w"])).astype(dt)
    w = rng.standard_normal((case["cin"], case["cout"] // case["groups"], case["kh"],
                             case["kw"])).astype(dt)
    b = rng.standard_normal(case["cout"]).astype(dt) if case["bias"] else None
    kw = dict(stride=case["stride"], padding=case["padding"], output_padding=case["output_padding"],
              groups=case["groups"], dilation=case["dilation"])
    ty = torch.nn.functional.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(w),
                                              None if b is None else torch.from_numpy(b), **kw)
    dy = rng.standard_normal(tuple(ty.shape)).astype(dt)
    _compare(_tl_grads(conv_transpose2d, (x, w, b), dy, **kw),
             _torch_grads(torch, torch.nn.functional.conv_transpose2d, (x, w, b), dy, **kw), dt)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.integers(1, 12), st.integers(1, 4),
       st.integers(1, 3), st.sampled_from([0, 1, 2, "same", "valid"]), st.integers(1, 2),
       st.integers(0, 999))
def test_conv1d_matches_torch(torch, n, c, length, k, s, padding, d, seed):
    if padding == "same":
        s = 1
    p = 0 if isinstance(padding, str) else padding
    assume(length + 2 * p >= d * (k - 1) + 1)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, length))
    w = rng.standard_normal((2, c, k))
    b = rng.standard_normal(2)
    kw = dict(stride=s, padding=padding, dilation=d)
    ty = torch.nn.functional.conv1d(torch.from_numpy(x), torch.from_numpy(w), **kw)
    dy = rng.standard_normal(tuple(ty.shape))
    _compare(_tl_grads(conv1d, (x, w, b), dy, **kw),
             _torch_grads(torch, torch.nn.functional.conv1d, (x, w, b), dy, **kw), np.float64)


@pytest.mark.parametrize("cfg", [
    # (N, Cin, HW, Cout, k, stride, pad): LeNet-5 and ResNet-20 layers at a small batch
    (4, 3, 32, 6, 5, 1, 0), (4, 6, 14, 16, 5, 1, 0), (4, 3, 32, 16, 3, 1, 1),
    (4, 16, 32, 16, 3, 1, 1), (4, 32, 16, 32, 3, 1, 1), (4, 64, 8, 64, 3, 1, 1),
    (4, 16, 32, 32, 3, 2, 1), (4, 32, 16, 64, 3, 2, 1), (4, 16, 32, 32, 1, 2, 0),
])
def test_network_layer_shapes_match_torch_float32(torch, cfg):
    N, cin, hw, cout, k, s, p = cfg
    rng = np.random.default_rng(13)
    x = rng.standard_normal((N, cin, hw, hw)).astype(np.float32)
    w = (rng.standard_normal((cout, cin, k, k)) / np.sqrt(cin * k * k)).astype(np.float32)
    b = rng.standard_normal(cout).astype(np.float32)
    ty = torch.nn.functional.conv2d(torch.from_numpy(x), torch.from_numpy(w), stride=s, padding=p)
    dy = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
    got = _tl_grads(conv2d, (x, w, b), dy, stride=s, padding=p)
    want = _torch_grads(torch, torch.nn.functional.conv2d, (x, w, b), dy, stride=s, padding=p)
    (y, gs), (tyy, tgs) = got, want
    np.testing.assert_allclose(y, tyy, rtol=1e-4, atol=1e-4)
    for g, tg in zip(gs, tgs):
        scale = max(1.0, float(np.abs(tg).max()))
        np.testing.assert_allclose(g, tg, rtol=1e-4, atol=1e-5 * scale)


# ---------------------------------------------------------------- bad inputs
def _raises(exc, fname, fn, *args, **kw):
    with pytest.raises(exc) as info:
        fn(*args, **kw)
    assert fname in str(info.value), str(info.value)
    return info.value


X4 = lambda *s: tl.zeros(*s)  # noqa: E731


@pytest.mark.parametrize("args,kw,exc", [
    ((X4(2, 3, 5), X4(4, 3, 3, 3)), {}, ShapeError),                       # channels mismatch (unbatched)
    ((X4(5, 5), X4(4, 3, 3, 3)), {}, ShapeError),                          # rank 2
    ((X4(1, 2, 3, 5, 5), X4(4, 3, 3, 3)), {}, ShapeError),                 # rank 5
    ((X4(2, 3, 5, 5), X4(4, 3, 3)), {}, ShapeError),                       # weight rank
    ((X4(2, 3, 5, 5), X4(4, 2, 3, 3)), {}, ShapeError),                    # C_in mismatch
    ((X4(2, 4, 5, 5), X4(3, 2, 3, 3)), dict(groups=2), ShapeError),        # C_out % groups
    ((X4(2, 4, 5, 5), X4(4, 4, 3, 3)), dict(groups=2), ShapeError),        # C_in / groups mismatch
    ((X4(2, 3, 5, 5), X4(0, 3, 3, 3)), {}, ShapeError),                    # no output channels
    ((X4(2, 3, 5, 5), X4(4, 3, 7, 7)), {}, ShapeError),                    # kernel > input
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(padding=1, dilation=4), ShapeError),  # dilated kernel
    ((X4(2, 3, 0, 5), X4(4, 3, 1, 1)), dict(padding=1), ShapeError),       # empty spatial dim
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3), X4(3)), {}, ShapeError),             # bias shape
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3), X4(4, 1)), {}, ShapeError),          # bias rank
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(stride=0), ValueError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(stride=(1, -1)), ValueError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(dilation=0), ValueError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(padding=-1), ValueError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(padding=(0, -2)), ValueError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(groups=0), ValueError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(stride=2, padding="same"), ValueError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(padding="full"), ValueError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(stride=1.5), TypeError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(stride=2.0), TypeError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(stride=True), TypeError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(padding=float("nan")), TypeError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(dilation=(1, 2, 3)), TypeError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(groups=1.0), TypeError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(groups=None), TypeError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3)), dict(stride=2 ** 40), ValueError),
    ((tl.zeros(2, 3, 5, 5, dtype=tl.int64), tl.zeros(4, 3, 3, 3, dtype=tl.int64)), {}, TypeError),
    ((X4(2, 3, 5, 5), tl.zeros(4, 3, 3, 3, dtype=tl.float64)), {}, TypeError),
    ((X4(2, 3, 5, 5), X4(4, 3, 3, 3), tl.zeros(4, dtype=tl.float64)), {}, TypeError),
    ((X4(2, 3, 5, 5), "weight"), {}, TypeError),
])
def test_conv2d_bad_inputs(args, kw, exc):
    _raises(exc, "conv2d", conv2d, *args, **kw)


@pytest.mark.parametrize("args,kw,exc", [
    ((X4(2, 3, 5, 5), X4(4, 3, 3)), {}, ShapeError),                       # 4-D input
    ((X4(5,), X4(4, 3, 3)), {}, ShapeError),
    ((X4(2, 3, 5), X4(4, 2, 3)), {}, ShapeError),
    ((X4(2, 3, 5), X4(4, 3, 9)), {}, ShapeError),
    ((X4(2, 3, 5), X4(4, 3, 3)), dict(stride=0), ValueError),
    ((X4(2, 3, 5), X4(4, 3, 3)), dict(padding=-1), ValueError),
    ((X4(2, 3, 5), X4(4, 3, 3)), dict(stride=2, padding="same"), ValueError),
    ((X4(2, 3, 5), X4(4, 3, 3)), dict(dilation=(1, 1)), TypeError),
    ((tl.zeros(2, 3, 5, dtype=tl.int32), tl.zeros(4, 3, 3, dtype=tl.int32)), {}, TypeError),
])
def test_conv1d_bad_inputs(args, kw, exc):
    _raises(exc, "conv1d", conv1d, *args, **kw)


@pytest.mark.parametrize("args,kw,exc", [
    ((X4(2, 3, 5, 5), X4(4, 2, 3, 3)), {}, ShapeError),                    # C_in mismatch
    ((X4(2, 4, 5, 5), X4(4, 2, 3, 3)), dict(groups=3), ShapeError),        # C_in % groups
    ((X4(5, 5), X4(5, 2, 3, 3)), {}, ShapeError),
    ((X4(2, 3, 1, 1), X4(3, 4, 3, 3)), dict(padding=2), ShapeError),       # output too small
    ((X4(2, 3, 5, 5), X4(3, 4, 3, 3), X4(3)), {}, ShapeError),             # bias shape
    ((X4(2, 3, 5, 5), X4(3, 4, 3, 3)), dict(stride=2, output_padding=2), ValueError),
    ((X4(2, 3, 5, 5), X4(3, 4, 3, 3)), dict(output_padding=-1), ValueError),
    ((X4(2, 3, 5, 5), X4(3, 4, 3, 3)), dict(stride=0), ValueError),
    ((X4(2, 3, 5, 5), X4(3, 4, 3, 3)), dict(dilation=0), ValueError),
    ((X4(2, 3, 5, 5), X4(3, 4, 3, 3)), dict(padding="same"), TypeError),
    ((X4(2, 3, 5, 5), X4(3, 4, 3, 3)), dict(stride=0.5), TypeError),
    ((tl.zeros(2, 3, 5, 5, dtype=tl.int64), tl.zeros(3, 4, 3, 3, dtype=tl.int64)), {}, TypeError),
    ((X4(2, 3, 5, 5), tl.zeros(3, 4, 3, 3, dtype=tl.float64)), {}, TypeError),
])
def test_conv_transpose2d_bad_inputs(args, kw, exc):
    _raises(exc, "conv_transpose2d", conv_transpose2d, *args, **kw)


def test_backend_rejects_bad_arrays_and_geometry():
    x = np.zeros((2, 3, 5, 5), np.float32)
    w = np.zeros((4, 3, 3, 3), np.float32)
    g = ((1, 1), (0, 0, 0, 0), (1, 1), 1)
    _raises(TypeError, "conv2d_forward", backend.conv2d_forward, x.astype(np.int32), w, None, *g)
    _raises(TypeError, "conv2d_forward", backend.conv2d_forward, x, w.astype(np.float64), None, *g)
    _raises(TypeError, "conv2d_forward", backend.conv2d_forward, [1.0], w, None, *g)
    _raises(ValueError, "conv2d_forward", backend.conv2d_forward, x[0], w, None, *g)
    _raises(ValueError, "conv2d_forward", backend.conv2d_forward, x, w, np.zeros(3, np.float32), *g)
    _raises(ValueError, "conv2d_forward", backend.conv2d_forward, x, w[:, :2], None, *g)
    _raises(ValueError, "conv2d_forward", backend.conv2d_forward, x, w, None, (0, 1), (0,) * 4, (1, 1), 1)
    _raises(ValueError, "conv2d_forward", backend.conv2d_forward, x, w, None, (1, 1), (0, 0, -1, 0),
            (1, 1), 1)
    _raises(TypeError, "conv2d_forward", backend.conv2d_forward, x, w, None, (1,), (0,) * 4, (1, 1), 1)
    _raises(TypeError, "conv2d_forward", backend.conv2d_forward, x, w, None, (1, True), (0,) * 4, (1, 1), 1)
    _raises(ValueError, "conv2d_forward", backend.conv2d_forward, x, w, None, (1, 1), (0,) * 4, (9, 1), 1)
    _raises(ValueError, "conv2d_forward", backend.conv2d_forward, x, w, None, *g, out_hw=(4, 3))
    _raises(ValueError, "conv2d_forward", backend.conv2d_forward, x, w, None, (1, 1),
            (2 ** 31, 0, 0, 0), (1, 1), 1)
    dy = np.zeros((2, 4, 3, 3), np.float32)
    _raises(ValueError, "conv2d_backward_input", backend.conv2d_backward_input, dy, w, (2, 2), *g)
    _raises(ValueError, "conv2d_backward_input", backend.conv2d_backward_input, dy[:, :3], w, (5, 5), *g)
    _raises(ValueError, "conv2d_backward_weight", backend.conv2d_backward_weight, x[:1], dy, (3, 3), *g)
    _raises(ValueError, "conv2d_backward_weight", backend.conv2d_backward_weight, x, dy, (0, 3), *g)


def test_huge_stride_and_dilation_that_do_not_matter():
    rng = np.random.default_rng(15)
    x = rng.standard_normal((2, 3, 5, 6))
    w = rng.standard_normal((4, 3, 2, 1))
    y = conv2d(tensor(x), tensor(w), stride=2 ** 31, dilation=(1, 2 ** 31))
    ref = ref_conv2d(x, w, None, (1, 1), (0, 0, 0, 0), (1, 1), 1)[:, :, :1, :1]
    np.testing.assert_allclose(y.detach().numpy(), ref, rtol=1e-10, atol=1e-10)
    y.sum().backward()


def test_backend_accepts_misaligned_and_readonly_arrays():
    rng = np.random.default_rng(16)
    x = rng.standard_normal((2, 3, 6, 5)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    buf = bytearray(x.nbytes + 1)
    xm = np.frombuffer(buf, dtype=np.float32, offset=1, count=x.size).reshape(x.shape)
    xm[...] = x
    assert not xm.flags.aligned
    x.setflags(write=False)
    g = ((1, 2), (1, 0, 2, 1), (1, 1), 1)
    np.testing.assert_array_equal(backend.conv2d_forward(xm, w, None, *g),
                                  backend.conv2d_forward(x, w, None, *g))
