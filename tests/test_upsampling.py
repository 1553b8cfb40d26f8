"""Decoder layers: F.interpolate / nn.Upsample and nn.ConvTranspose2d.

gradcheck against float64 central differences (first and second order), forward + backward parity
with torch over shapes with size-1 dims, scale factors above and below 1, every mode, strides,
padding, output_padding, groups and dilation; PyTorch's default init; argument errors."""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import tensorlite as tl
from tensorlite import nn
from tensorlite.nn import functional as F
from tensorlite.autograd import gradcheck, gradgradcheck
from tensorlite.testing.strategies import smooth_arrays, laid_out, tl_tensor, torch_tensor, assert_close

MODES = {"nearest": (3, 4, 5), "nearest-exact": (3, 4, 5), "linear": (3,), "bilinear": (4,), "trilinear": (5,)}


# ---------------------------------------------------------------- interpolate: cases
@st.composite
def interp_cases(draw, max_side=4, max_out=5, max_numel=24):
    mode = draw(st.sampled_from(sorted(MODES)))
    ndim = draw(st.sampled_from(MODES[mode]))
    nsp = ndim - 2
    spatial = [draw(st.integers(1, max_side if nsp < 3 else 2)) for _ in range(nsp)]
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *spatial)
    assume(math.prod(shape) <= max_numel)
    kw = {"mode": mode}
    if draw(st.booleans()):
        out = [draw(st.integers(1, max_out if nsp < 3 else 3)) for _ in range(nsp)]
        kw["size"] = out[0] if nsp == 1 or (draw(st.booleans()) and len(set(out)) == 1) else tuple(out)
    else:
        factors = [draw(st.sampled_from([0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0])) for _ in range(nsp)]
        assume(all(math.floor(i * f) >= 1 for i, f in zip(spatial, factors)))
        kw["scale_factor"] = factors[0] if draw(st.booleans()) else tuple(factors)
        if isinstance(kw["scale_factor"], float):
            assume(all(math.floor(i * kw["scale_factor"]) >= 1 for i in spatial))
        if draw(st.booleans()):
            kw["recompute_scale_factor"] = True
    if mode not in ("nearest", "nearest-exact") and draw(st.booleans()):
        kw["align_corners"] = draw(st.booleans())
    return shape, kw


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_interpolate_gradcheck(data):
    shape, kw = data.draw(interp_cases())
    x = tl_tensor(data.draw(laid_out(smooth_arrays(shape))))
    assert gradcheck(lambda a: F.interpolate(a, **kw), (x,))


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_interpolate_gradgradcheck(data):
    shape, kw = data.draw(interp_cases(max_numel=12))
    x = tl_tensor(data.draw(smooth_arrays(shape)))
    # The map is linear, so its second derivative is zero; squaring makes the check non-trivial.
    assert gradgradcheck(lambda a: F.interpolate(a, **kw) ** 2, (x,))


@settings(max_examples=80, deadline=None)
@given(st.data(), st.sampled_from([np.float32, np.float64]))
def test_interpolate_matches_torch(torch, data, dtype):
    shape, kw = data.draw(interp_cases(max_side=7, max_out=11, max_numel=200))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    x = data.draw(laid_out(st.just(rng.standard_normal(shape).astype(dtype))))
    tx = torch_tensor(torch, x)
    ty = torch.nn.functional.interpolate(tx, **kw)
    lx = tl_tensor(x)
    ly = F.interpolate(lx, **kw)
    assert tuple(ly.shape) == tuple(ty.shape), (shape, kw)
    assert_close(ly, ty.detach().numpy(), dtype, err_msg=str(kw))
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ty.backward(torch.from_numpy(g))
    ly.backward(tl.from_numpy(g))
    assert_close(lx.grad, tx.grad.numpy(), dtype, scale=4.0, err_msg=str(kw))


def test_interpolate_nearest_is_exact_and_keeps_integer_dtype(torch):
    x = np.arange(2 * 3 * 5 * 4).reshape(2, 3, 5, 4).astype(np.uint8)     # torch's integer kernels: uint8
    for kw in (dict(scale_factor=2), dict(size=(7, 3)), dict(scale_factor=(0.6, 1.75))):
        for mode in ("nearest", "nearest-exact"):
            y = F.interpolate(tl.tensor(x), mode=mode, **kw)
            assert y.dtype is tl.uint8
            np.testing.assert_array_equal(
                y.numpy(), torch.nn.functional.interpolate(torch.from_numpy(x), mode=mode, **kw).numpy())


def test_interpolate_nearest_2x_values():
    x = tl.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    np.testing.assert_array_equal(F.interpolate(x, scale_factor=2).numpy()[0, 0],
                                  [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]])
    y = F.interpolate(x, size=3, mode="bilinear", align_corners=True)
    np.testing.assert_allclose(y.numpy()[0, 0], [[1, 1.5, 2], [2, 2.5, 3], [3, 3.5, 4]])


def test_interpolate_same_size_is_a_copy_with_identity_gradient():
    x = tl.randn(1, 2, 3, 3, requires_grad=True)
    y = F.interpolate(x, size=(3, 3))
    assert y is not x
    np.testing.assert_array_equal(y.detach().numpy(), x.detach().numpy())
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((1, 2, 3, 3)))


def test_interpolate_float16_computes_in_float32():
    x = tl.randn(1, 2, 3, 5)
    y = F.interpolate(x.half(), scale_factor=1.5, mode="bilinear")
    assert y.dtype is tl.float16
    np.testing.assert_allclose(y.float().numpy(), F.interpolate(x, scale_factor=1.5, mode="bilinear").numpy(),
                               rtol=2e-3, atol=2e-3)


@pytest.mark.parametrize("args, kw, exc, words", [
    ((1, 1, 4, 4), dict(size=2, scale_factor=2), ValueError, ["interpolate", "size", "scale_factor"]),
    ((1, 1, 4, 4), dict(), ValueError, ["interpolate", "size", "scale_factor"]),
    ((1, 1, 4, 4), dict(size=2, align_corners=True), ValueError, ["interpolate", "align_corners", "nearest"]),
    ((1, 1, 4, 4), dict(size=2, mode="linear"), Exception, ["interpolate", "linear", "(1, 1, 4, 4)"]),
    ((1, 1, 4), dict(size=2, mode="bilinear"), Exception, ["interpolate", "bilinear", "(1, 1, 4)"]),
    ((1, 1, 4, 4), dict(size=(2, 2, 2)), ValueError, ["interpolate", "size", "(1, 1, 4, 4)"]),
    ((1, 1, 4, 4), dict(scale_factor=0.1), Exception, ["interpolate", "output size", "(1, 1, 4, 4)"]),
    ((1, 1, 4, 4), dict(size=2, mode="bicubic"), ValueError, ["interpolate", "bicubic"]),
    ((4, 4), dict(size=2), Exception, ["interpolate", "(4, 4)"]),
    ((1, 1, 4, 4), dict(size=2.5), TypeError, ["interpolate", "size", "2.5"]),
    ((1, 1, 4, 4), dict(size=2, recompute_scale_factor=True), ValueError, ["interpolate", "recompute_scale_factor"]),
])
def test_interpolate_errors_name_function_argument_and_shape(args, kw, exc, words):
    with pytest.raises(exc) as info:
        F.interpolate(tl.zeros(*args), **kw)
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_interpolate_linear_mode_rejects_integer_input():
    with pytest.raises(TypeError, match="interpolate.*bilinear.*floating point"):
        F.interpolate(tl.zeros(1, 1, 2, 2, dtype=tl.int64), size=3, mode="bilinear")


# ---------------------------------------------------------------- Upsample modules
@pytest.mark.parametrize("cls, kw", [
    ("Upsample", dict(scale_factor=2)), ("Upsample", dict(size=(5, 3), mode="bilinear")),
    ("Upsample", dict(scale_factor=(1.5, 0.5), mode="bilinear", align_corners=True)),
    ("Upsample", dict(size=7, mode="nearest-exact")),
    ("UpsamplingNearest2d", dict(scale_factor=3)), ("UpsamplingBilinear2d", dict(size=(6, 5))),
])
def test_upsample_modules_match_torch(torch, cls, kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 4)).astype(np.float32)
    ours, theirs = getattr(nn, cls)(**kw), getattr(torch.nn, cls)(**kw)
    assert repr(ours) == repr(theirs)
    assert list(ours.parameters()) == [] and ours.state_dict() == {}
    lx, tx = tl_tensor(x), torch_tensor(torch, x)
    ly, ty = ours(lx), theirs(tx)
    assert_close(ly, ty.detach().numpy(), np.float32)
    ly.sum().backward()
    ty.sum().backward()
    assert_close(lx.grad, tx.grad.numpy(), np.float32, scale=8.0)


# ---------------------------------------------------------------- ConvTranspose2d
@st.composite
def convt_cases(draw, max_side=4):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    cin, cout = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    padding = (draw(st.integers(0, 2)), draw(st.integers(0, 2)))
    opad = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    hw = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    out = [(i - 1) * s - 2 * p + d * (kk - 1) + o + 1
           for i, s, p, d, kk, o in zip(hw, stride, padding, dilation, k, opad)]
    assume(min(out) >= 1)
    kw = dict(stride=stride, padding=padding, output_padding=opad, groups=groups,
              bias=draw(st.booleans()), dilation=dilation)
    # Plain ints where both dims agree, as most callers write them.
    for name in ("stride", "padding", "output_padding", "dilation"):
        if kw[name][0] == kw[name][1] and draw(st.booleans()):
            kw[name] = kw[name][0]
    return (draw(st.integers(1, 2)), cin, *hw), cin, cout, (k[0] if k[0] == k[1] else k), kw


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_conv_transpose2d_module_gradcheck(data):
    shape, cin, cout, k, kw = data.draw(convt_cases(max_side=3))
    assume(math.prod(shape) <= 18)
    tl.manual_seed(data.draw(st.integers(0, 999)))
    m = nn.ConvTranspose2d(cin, cout, k, **kw).double()
    x = tl_tensor(data.draw(smooth_arrays(shape)))
    params = (m.weight,) + ((m.bias,) if m.bias is not None else ())
    # gradcheck perturbs the parameters in place, so m's forward sees every perturbation.
    assert gradcheck(lambda a, *p: m(a), (x, *params))


@settings(max_examples=60, deadline=None)
@given(st.data(), st.sampled_from([np.float32, np.float64]))
def test_conv_transpose2d_module_matches_torch(torch, data, dtype):
    shape, cin, cout, k, kw = data.draw(convt_cases(max_side=5))
    rng = np.random.default_rng(data.draw(st.integers(0, 2 ** 16)))
    theirs = torch.nn.ConvTranspose2d(cin, cout, k, **kw).to(getattr(torch, np.dtype(dtype).name))
    ours = nn.ConvTranspose2d(cin, cout, k, **kw, dtype=tl.float32 if dtype == np.float32 else tl.float64)
    assert repr(ours) == repr(theirs)
    assert {n: tuple(p.shape) for n, p in ours.named_parameters()} == \
        {n: tuple(p.shape) for n, p in theirs.named_parameters()}
    ours.load_state_dict({n: tl.from_numpy(p.detach().numpy().copy()) for n, p in theirs.state_dict().items()})
    x = rng.standard_normal(shape).astype(dtype)
    lx, tx = tl_tensor(x), torch_tensor(torch, x)
    ly, ty = ours(lx), theirs(tx)
    assert tuple(ly.shape) == tuple(ty.shape)
    assert_close(ly, ty.detach().numpy(), dtype, scale=4.0)
    g = rng.standard_normal(tuple(ty.shape)).astype(dtype)
    ly.backward(tl.from_numpy(g))
    ty.backward(torch.from_numpy(g))
    assert_close(lx.grad, tx.grad.numpy(), dtype, scale=8.0)
    for (name, p), tp in zip(ours.named_parameters(), theirs.parameters()):
        assert_close(p.grad, tp.grad.numpy(), dtype, scale=16.0, err_msg=name)


@pytest.mark.parametrize("cin, cout, k, groups", [(64, 32, 3, 1), (16, 48, (2, 4), 4), (8, 8, 5, 8)])
def test_conv_transpose2d_default_init_matches_pytorch(torch, cin, cout, k, groups):
    tl.manual_seed(0)
    torch.manual_seed(0)
    ours = nn.ConvTranspose2d(cin, cout, k, groups=groups)
    theirs = torch.nn.ConvTranspose2d(cin, cout, k, groups=groups)
    kh, kw = (k, k) if isinstance(k, int) else k
    assert tuple(ours.weight.shape) == (cin, cout // groups, kh, kw) == tuple(theirs.weight.shape)
    bound = 1 / math.sqrt(cout // groups * kh * kw)     # fan_in of the (in, out/groups, kH, kW) layout
    for w in (ours.weight.detach().numpy(), theirs.weight.detach().numpy()):
        assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
        assert abs(w.std() - bound / math.sqrt(3)) < 0.15 * bound / math.sqrt(3)
    assert np.abs(ours.bias.detach().numpy()).max() <= bound


def test_conv_transpose2d_output_size_picks_output_padding(torch):
    ours = nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1)
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=3, padding=1)
    ours.load_state_dict({n: tl.from_numpy(p.detach().numpy().copy()) for n, p in theirs.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((1, 2, 4, 5)).astype(np.float32)
    for size in [(10, 13), (12, 15), (1, 3, 11, 14)]:
        ly, ty = ours(tl.from_numpy(x), output_size=size), theirs(torch.from_numpy(x), output_size=size)
        assert tuple(ly.shape) == tuple(ty.shape) == (1, 3) + tuple(size[-2:])
        assert_close(ly, ty.detach().numpy(), np.float32)
    with pytest.raises(ValueError, match=r"ConvTranspose2d.*\(9, 13\).*\(10, 13\) to \(12, 15\)"):
        ours(tl.from_numpy(x), output_size=(9, 13))
    with pytest.raises(ValueError, match="ConvTranspose2d.*output_size must have 2 or 4"):
        ours(tl.from_numpy(x), output_size=(10, 13, 1))


def test_conv_transpose2d_unbatched_input():
    m = nn.ConvTranspose2d(2, 4, 2, stride=2)
    x = tl.randn(2, 3, 3)
    y = m(x)
    assert tuple(y.shape) == (4, 6, 6)
    np.testing.assert_allclose(y.detach().numpy(), m(x.unsqueeze(0)).detach().numpy()[0], rtol=1e-6)


@pytest.mark.parametrize("args, kw, words", [
    ((3, 4, 3), dict(groups=2), ["ConvTranspose2d", "in_channels (3)", "groups (2)"]),
    ((2, 4, 3), dict(stride=2, output_padding=2), ["ConvTranspose2d", "output_padding", "stride"]),
    ((2, 4, 3), dict(padding="same"), ["ConvTranspose2d", "padding", "same"]),
    ((0, 4, 3), dict(), ["ConvTranspose2d", "in_channels"]),
    ((2, 4, 3), dict(padding_mode="reflect"), ["ConvTranspose2d", "padding_mode", "reflect"]),
])
def test_conv_transpose2d_constructor_errors(args, kw, words):
    with pytest.raises(ValueError) as info:
        nn.ConvTranspose2d(*args, **kw)
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_conv_transpose2d_wrong_input_channels_names_shapes():
    with pytest.raises(Exception, match=r"conv_transpose2d.*\(2, 4, 3, 3\).*\(1, 3, 5, 5\)"):
        nn.ConvTranspose2d(2, 4, 3)(tl.zeros(1, 3, 5, 5))


def test_small_conv_autoencoder_learns_to_reconstruct():
    """Encoder Conv2d(stride 2) -> decoder ConvTranspose2d + Upsample: the autoencoder experiment's
    layers train together (reconstruction error falls well below the input variance)."""
    tl.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(),                        # 8x8 -> 4x4
        nn.Conv2d(8, 8, 3, stride=2, padding=1), nn.ReLU(),                        # 4x4 -> 2x2
        nn.ConvTranspose2d(8, 8, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),  # -> 4x4
        nn.Upsample(scale_factor=2), nn.Conv2d(8, 1, 3, padding=1))                 # -> 8x8
    x = tl.from_numpy(np.kron(np.random.default_rng(0).standard_normal((16, 1, 4, 4)),
                              np.ones((2, 2))).astype(np.float32))                  # smooth images
    opt = tl.optim.Adam(model.parameters(), lr=1e-2)
    first = None
    for _ in range(150):
        opt.zero_grad()
        loss = F.mse_loss(model(x), x)
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert tuple(model(x).shape) == (16, 1, 8, 8)
    assert loss.item() < 0.3 * first
