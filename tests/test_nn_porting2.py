"""torch.nn names real programs use, second batch: F.pad's reflect / replicate / circular modes and
the padding modules, Conv padding_mode, shrink / rrelu / Softmax2d activations and the in-place F
spellings, the margin / embedding / likelihood losses, 1-D adaptive pools, LP pools, max-unpooling,
Fold, PixelUnshuffle, Bilinear, RMSNorm, ChannelShuffle, the extra dropouts, init and utils additions.

Oracles: torch 2.13 (values and gradients in float64, reprs, state_dict keys, error types) and
finite differences (tl.autograd.gradcheck)."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
import tensorlite.nn as nn
import tensorlite.nn.functional as F

from tensorlite.testing.strategies import smooth_arrays, tl_tensor, torch_tensor, assert_close, to_layout

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F64 = np.float64
FAST = settings(max_examples=12, deadline=None)


def _parity(tl_fn, torch_fn, arrays, rtol=1e-10, atol=1e-10, seed=0, grad=True):
    """Values and gradients (for a random upstream gradient) of tl_fn and torch_fn agree in float64."""
    xs = [tl_tensor(np.asarray(a, F64), requires_grad=grad) for a in arrays]
    ts = [torch_tensor(torch, np.asarray(a, F64), requires_grad=grad) for a in arrays]
    y, ty = tl_fn(*xs), torch_fn(*ts)
    assert_close(y, ty.detach().numpy(), F64, rtol=rtol, atol=atol)
    if not grad:
        return y
    g = np.random.default_rng(seed).standard_normal(tuple(y.shape))
    y.backward(tl.from_numpy(g))
    ty.backward(torch.from_numpy(g))
    for x, t in zip(xs, ts):
        tg = t.grad.numpy() if t.grad is not None else np.zeros(t.shape)
        assert_close(x.grad if x.grad is not None else np.zeros(x.shape), tg, F64, rtol=rtol, atol=atol)
    return y


def _gradcheck(fn, arrays):
    xs = [tl.tensor(np.ascontiguousarray(a, dtype=F64), requires_grad=True) for a in arrays]
    assert tl.autograd.gradcheck(fn, xs)


def _raises_like_torch(tl_call, torch_call):
    """Both raise; tensorlite's error is an instance of torch's error type."""
    with pytest.raises(Exception) as te:
        torch_call()
    with pytest.raises(Exception) as le:
        tl_call()
    assert isinstance(le.value, te.type), (type(le.value), te.type, str(le.value))


def _modules_match(m, tm):
    assert repr(m) == repr(tm)
    assert list(m.state_dict().keys()) == list(tm.state_dict().keys())


# ================================================================== 1. padding
@st.composite
def _pad_case(draw):
    k = draw(st.integers(1, 3))
    batched = draw(st.booleans())
    spatial = [draw(st.integers(1, 4)) for _ in range(k)]
    shape = ([draw(st.integers(1, 2))] if batched else []) + [draw(st.integers(1, 2))] + spatial
    mode = draw(st.sampled_from(["reflect", "replicate", "circular", "constant"]))
    pad = []
    for n in reversed(spatial):
        hi = {"reflect": n - 1, "circular": n}.get(mode, 3)
        lo = -((n - 1) // 2) if mode != "constant" else 0
        pad += [draw(st.integers(lo, hi)), draw(st.integers(lo, hi))]
    arr = draw(smooth_arrays(tuple(shape)))
    layout = draw(st.sampled_from(["contiguous", "transposed", "strided"]))
    return arr, tuple(pad), mode, layout


@FAST
@given(_pad_case())
def test_pad_modes_match_torch(case):
    arr, pad, mode, layout = case
    value = 1.5 if mode == "constant" else None
    arr = to_layout(arr, layout) if arr.ndim >= 2 else arr
    try:
        TF.pad(torch.tensor(arr), pad, mode=mode, value=value)
    except RuntimeError:
        # circular padding wider than what negative padding leaves: torch's copy kernel may refuse
        # (memory overlap) or extend periodically; tensorlite always extends periodically
        assert mode == "circular"
        crop = tuple(slice(None) for _ in range(arr.ndim - len(pad) // 2)) + tuple(
            slice(max(-pad[2 * j], 0), arr.shape[arr.ndim - 1 - j] - max(-pad[2 * j + 1], 0))
            for j in reversed(range(len(pad) // 2)))
        widths = [(0, 0)] * (arr.ndim - len(pad) // 2) + [(max(pad[2 * j], 0), max(pad[2 * j + 1], 0))
                                                          for j in reversed(range(len(pad) // 2))]
        np.testing.assert_array_equal(F.pad(tl.tensor(arr), pad, mode=mode).numpy(),
                                      np.pad(arr[crop], widths, mode="wrap"))
        return
    _parity(lambda x: F.pad(x, pad, mode=mode, value=value), lambda x: TF.pad(x, pad, mode=mode, value=value), [arr])


def test_pad_modes_gradcheck_and_double_backward():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((1, 2, 3, 4))
    for mode in ("reflect", "replicate", "circular"):
        _gradcheck(lambda x: F.pad(x, (2, 1, 1, 2), mode=mode) ** 2, [a])
    a = a[0]
    x = tl.tensor(a, requires_grad=True)
    (g,) = tl.autograd.grad((F.pad(x, (2, 1), mode="reflect") ** 3).sum(), x, create_graph=True)
    g.sum().backward()
    tx = torch.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad((TF.pad(tx, (2, 1), mode="reflect") ** 3).sum(), tx, create_graph=True)
    tg.sum().backward()
    assert_close(x.grad, tx.grad.numpy(), F64)


@pytest.mark.parametrize("shape, pad, kw", [
    ((1, 2, 3), (1, 1), dict(mode="foo")),
    ((1, 2, 3), (1, 1), dict(mode="reflect", value=1.0)),
    ((1, 2, 3), (3, 3), dict(mode="reflect")),
    ((1, 2, 3), (1, 1, 1), dict(mode="reflect")),
    ((1, 2, 3), (4, 1), dict(mode="circular")),
    ((3,), (1, 1), dict(mode="replicate")),
    ((3, 4), (1, 1, 1, 1), dict(mode="circular")),
    ((1, 2, 3, 4), (1, 1), dict(mode="replicate")),
    ((2, 0, 3), (1, 1), dict(mode="replicate")),
])
def test_pad_errors_match_torch(shape, pad, kw):
    a = np.zeros(shape)
    _raises_like_torch(lambda: F.pad(tl.tensor(a), pad, **kw), lambda: TF.pad(torch.tensor(a), pad, **kw))


PAD_MODULES = [("ConstantPad1d", (2, 3.5)), ("ConstantPad2d", ((1, 2, 0, 1), -1.0)), ("ConstantPad3d", (1, 2.0)),
               ("ZeroPad1d", ((1, 2),)), ("ZeroPad2d", (1,)), ("ZeroPad3d", ((1, 0, 2, 1, 0, 1),)),
               ("ReflectionPad1d", (2,)), ("ReflectionPad2d", ((1, 0, 2, 1),)), ("ReflectionPad3d", (1,)),
               ("ReplicationPad1d", ((3, 1),)), ("ReplicationPad2d", (2,)), ("ReplicationPad3d", ((0, 1, 2, 1, 1, 0),)),
               ("CircularPad1d", (2,)), ("CircularPad2d", ((1, 2, 0, 3),)), ("CircularPad3d", (1,))]


@pytest.mark.parametrize("name, args", PAD_MODULES)
def test_pad_modules_match_torch(name, args):
    m, tm = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    _modules_match(m, tm)
    assert m.padding == tm.padding
    d = int(name[-2])
    for shape in [(2, 3) + (4,) * d, (3,) + (4,) * d]:
        a = np.random.default_rng(1).standard_normal(shape)
        _parity(m, tm, [a])


def test_circular_pad_module_rejects_wrong_dims_as_torch():
    _raises_like_torch(lambda: nn.CircularPad2d(1)(tl.zeros(3, 3)),
                       lambda: torch.nn.CircularPad2d(1)(torch.zeros(3, 3)))
    with pytest.raises(TypeError, match="padding"):
        nn.ReflectionPad2d((1, 2))


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("conv, kw", [("Conv2d", dict(padding=1)), ("Conv2d", dict(padding=(2, 1), stride=2)),
                                      ("Conv2d", dict(padding="same", dilation=2)), ("Conv1d", dict(padding=2)),
                                      ("Conv1d", dict(padding="valid"))])
def test_conv_padding_modes_match_torch(mode, conv, kw):
    tl.manual_seed(0)
    m = getattr(nn, conv)(2, 3, 3, padding_mode=mode, **kw).double()
    tm = getattr(torch.nn, conv)(2, 3, 3, padding_mode=mode, **kw).double()
    _modules_match(m, tm)
    assert m._reversed_padding_repeated_twice == tuple(tm._reversed_padding_repeated_twice)
    with torch.no_grad():
        tm.weight.copy_(torch.from_numpy(m.weight.detach().numpy()))
        tm.bias.copy_(torch.from_numpy(m.bias.detach().numpy()))
    shape = (2, 2, 5, 6) if conv == "Conv2d" else (2, 2, 7)
    a = np.random.default_rng(2).standard_normal(shape)
    _parity(m, tm, [a])
    assert_close(m.weight.grad, tm.weight.grad.numpy(), F64)


def test_conv_padding_mode_invalid_is_a_value_error():
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(2, 3, 3, padding_mode="wrap")
    with pytest.raises(ValueError):
        torch.nn.Conv2d(2, 3, 3, padding_mode="wrap")


# ================================================================== 2. activations
KINKS = np.array([0.0, -0.0, 0.5, -0.5, 0.3, -0.3, 1.0, -1.0, 2.5, -2.5, 0.25, -0.75])

SHRINK = {
    "hardshrink": (lambda x: F.hardshrink(x), lambda x: TF.hardshrink(x)),
    "hardshrink_l": (lambda x: F.hardshrink(x, 0.3), lambda x: TF.hardshrink(x, 0.3)),
    "hardshrink_neg": (lambda x: F.hardshrink(x, -1.0), lambda x: TF.hardshrink(x, -1.0)),
    "softshrink": (lambda x: F.softshrink(x), lambda x: TF.softshrink(x)),
    "softshrink_0": (lambda x: F.softshrink(x, 0.0), lambda x: TF.softshrink(x, 0.0)),
    "rrelu_eval": (lambda x: F.rrelu(x), lambda x: TF.rrelu(x)),
    "rrelu_eval_b": (lambda x: F.rrelu(x, 0.1, 0.5), lambda x: TF.rrelu(x, 0.1, 0.5)),
    "softmax2d": (lambda x: nn.Softmax2d()(x.reshape(2, 3, 2)), lambda x: torch.nn.Softmax2d()(x.reshape(2, 3, 2))),
}


@pytest.mark.parametrize("name", sorted(SHRINK))
def test_shrink_activations_match_torch_at_kinks(name):
    _parity(*SHRINK[name], [KINKS])


@FAST
@given(smooth_arrays((3, 4)))
def test_shrink_gradcheck(a):
    _gradcheck(lambda x: F.softshrink(x, 0.4) * F.hardshrink(x, 0.2), [a])


def test_rrelu_training_draws_slopes_in_range_from_tensorlite_rng():
    a = np.linspace(-2, 2, 41)
    tl.manual_seed(3)
    x = tl.tensor(a, requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    slope = x.grad.numpy()
    neg = a <= 0
    assert np.all(slope[~neg] == 1) and np.all((slope[neg] >= 0.1) & (slope[neg] <= 0.3))
    np.testing.assert_allclose(y.detach().numpy(), a * slope)
    tl.manual_seed(3)
    np.testing.assert_array_equal(F.rrelu(tl.tensor(a), 0.1, 0.3, training=True).numpy(), y.detach().numpy())
    m = nn.RReLU(0.1, 0.3)
    m.eval()
    np.testing.assert_allclose(m(tl.tensor(a)).numpy(), np.where(a >= 0, a, 0.2 * a))
    _raises_like_torch(lambda: F.rrelu(tl.tensor(a), 0.5, 0.1), lambda: TF.rrelu(torch.tensor(a), 0.5, 0.1))
    _raises_like_torch(lambda: F.softshrink(tl.tensor(a), -1.0), lambda: TF.softshrink(torch.tensor(a), -1.0))


@pytest.mark.parametrize("name, args", [("Hardshrink", ()), ("Hardshrink", (0.3,)), ("Softshrink", (0.2,)),
                                        ("RReLU", ()), ("RReLU", (0.1, 0.3, True)), ("Softmax2d", ())])
def test_activation_module_reprs_match_torch(name, args):
    _modules_match(getattr(nn, name)(*args), getattr(torch.nn, name)(*args))


def test_softmax2d_rejects_2d_as_torch():
    _raises_like_torch(lambda: nn.Softmax2d()(tl.zeros(3, 4)), lambda: torch.nn.Softmax2d()(torch.zeros(3, 4)))


INPLACE = [("relu_", ()), ("elu_", (0.5,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 0.7)), ("selu_", ()),
           ("celu_", (2.0,)), ("threshold_", (0.1, -3.0)), ("rrelu_", (0.1, 0.3))]


@pytest.mark.parametrize("name, args", INPLACE)
def test_inplace_functional_variants_write_into_the_input(name, args):
    a = np.linspace(-2, 2, 9)
    x, tx = tl.tensor(a), torch.tensor(a)
    out, tout = getattr(F, name)(x, *args), getattr(TF, name)(tx, *args)
    assert out is x and tout is tx
    assert_close(x, tx.numpy(), F64)
    # through autograd: the in-place result of a non-leaf carries the gradient
    leaf, tleaf = tl.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, ty = getattr(F, name)(leaf * 1.0, *args), getattr(TF, name)(tleaf * 1.0, *args)
    y.sum().backward()
    ty.sum().backward()
    assert_close(leaf.grad, tleaf.grad.numpy(), F64)


@pytest.mark.parametrize("name, args", [("relu", ()), ("elu", (0.5,)), ("leaky_relu", (0.2,)), ("selu", ()),
                                        ("celu", (2.0,)), ("hardtanh", (-0.5, 0.7)), ("relu6", ()), ("silu", ()),
                                        ("mish", ()), ("hardswish", ()), ("hardsigmoid", ()),
                                        ("threshold", (0.1, -3.0))])
def test_functional_inplace_flag(name, args):
    a = np.linspace(-4, 8, 13)
    x, tx = tl.tensor(a), torch.tensor(a)
    out, tout = getattr(F, name)(x, *args, inplace=True), getattr(TF, name)(tx, *args, inplace=True)
    assert out is x and tout is tx
    assert_close(x, tx.numpy(), F64, rtol=1e-7, atol=1e-7)
    y = getattr(F, name)(tl.tensor(a), *args)
    assert_close(y, tx.numpy(), F64, rtol=1e-7, atol=1e-7)


# ================================================================== 3. losses
def _rng(seed=0):
    return np.random.default_rng(seed)


@st.composite
def _loss_case(draw):
    N = draw(st.integers(1, 4))
    D = draw(st.integers(1, 4))
    reduction = draw(st.sampled_from(["none", "mean", "sum"]))
    seed = draw(st.integers(0, 1000))
    return N, D, reduction, seed


@FAST
@given(_loss_case())
def test_pairwise_losses_match_torch(case):
    N, D, red, seed = case
    r = _rng(seed)
    x1, x2 = r.standard_normal((N, D)), r.standard_normal((N, D))
    y = r.choice([-1.0, 1.0], size=N)
    yt = r.choice([-1.0, 1.0, 0.0, 2.0], size=(N, D))
    _parity(lambda a, b: F.cosine_embedding_loss(a, b, tl.tensor(y), margin=0.1, reduction=red),
            lambda a, b: TF.cosine_embedding_loss(a, b, torch.tensor(y), margin=0.1, reduction=red), [x1, x2])
    _parity(lambda a, b: F.cosine_embedding_loss(a, b, tl.tensor(y[0])),
            lambda a, b: TF.cosine_embedding_loss(a, b, torch.tensor(y[0])), [x1[0], x2[0]])
    _parity(lambda a, b: F.margin_ranking_loss(a, b, tl.tensor(yt), margin=0.3, reduction=red),
            lambda a, b: TF.margin_ranking_loss(a, b, torch.tensor(yt), margin=0.3, reduction=red), [x1, x2])
    _parity(lambda a: F.hinge_embedding_loss(a, tl.tensor(yt), margin=0.5, reduction=red),
            lambda a: TF.hinge_embedding_loss(a, torch.tensor(yt), margin=0.5, reduction=red), [x1])
    _parity(lambda a: F.soft_margin_loss(a, tl.tensor(yt), reduction=red),
            lambda a: TF.soft_margin_loss(a, torch.tensor(yt), reduction=red), [x1 * 3])
    w = r.random(D)
    _parity(lambda a, t: F.multilabel_soft_margin_loss(a, t, weight=tl.tensor(w), reduction=red),
            lambda a, t: TF.multilabel_soft_margin_loss(a, t, weight=torch.tensor(w), reduction=red),
            [x1, r.random((N, D))])


@FAST
@given(_loss_case(), st.sampled_from([1, 2]), st.booleans())
def test_multi_margin_losses_match_torch(case, p, weighted):
    N, C, red, seed = case
    r = _rng(seed)
    x = r.standard_normal((N, C))
    y = r.integers(0, C, N)
    w = r.random(C) if weighted else None
    wt = (lambda m: None) if w is None else (lambda m: m.tensor(w))
    _parity(lambda a: F.multi_margin_loss(a, tl.tensor(y), p=p, margin=0.7, weight=wt(tl), reduction=red),
            lambda a: TF.multi_margin_loss(a, torch.tensor(y), p=p, margin=0.7, weight=wt(torch), reduction=red), [x])
    _parity(lambda a: F.multi_margin_loss(a, tl.tensor(y[0]), reduction=red),
            lambda a: TF.multi_margin_loss(a, torch.tensor(y[0]), reduction=red), [x[0]])
    tg = np.full((N, C), -1)
    for i in range(N):
        k = r.integers(0, C + 1)
        tg[i, :k] = r.integers(0, C, k)              # repeats allowed; -1 ends the list
        tg[i, k:] = r.integers(-1, C, C - k)          # garbage after the first -1 is ignored
        if k < C:
            tg[i, k] = -1
    _parity(lambda a: F.multilabel_margin_loss(a, tl.tensor(tg), reduction=red),
            lambda a: TF.multilabel_margin_loss(a, torch.tensor(tg), reduction=red), [x])
    _parity(lambda a: F.multilabel_margin_loss(a, tl.tensor(tg[0]), reduction=red),
            lambda a: TF.multilabel_margin_loss(a, torch.tensor(tg[0]), reduction=red), [x[0]])


@FAST
@given(_loss_case(), st.sampled_from([1.0, 2.0, 3.0]), st.booleans())
def test_triplet_losses_match_torch(case, p, swap):
    N, D, red, seed = case
    r = _rng(seed)
    a, pos, neg = (r.standard_normal((N, D)) for _ in range(3))
    _parity(lambda x, y, z: F.triplet_margin_loss(x, y, z, margin=0.5, p=p, swap=swap, reduction=red),
            lambda x, y, z: TF.triplet_margin_loss(x, y, z, margin=0.5, p=p, swap=swap, reduction=red),
            [a, pos, neg])
    _parity(lambda x, y, z: F.triplet_margin_with_distance_loss(x, y, z, swap=swap, reduction=red),
            lambda x, y, z: TF.triplet_margin_with_distance_loss(x, y, z, swap=swap, reduction=red), [a, pos, neg])
    d, td = (lambda u, v: 1 - F.cosine_similarity(u, v)), (lambda u, v: 1 - TF.cosine_similarity(u, v))
    _parity(lambda x, y, z: nn.TripletMarginWithDistanceLoss(distance_function=d, margin=0.3)(x, y, z),
            lambda x, y, z: torch.nn.TripletMarginWithDistanceLoss(distance_function=td, margin=0.3)(x, y, z),
            [a, pos, neg])


@FAST
@given(_loss_case(), st.booleans(), st.booleans())
def test_likelihood_losses_match_torch(case, log_input, full):
    N, D, red, seed = case
    r = _rng(seed)
    x = r.standard_normal((N, D)) if log_input else r.random((N, D)) + 0.1
    t = r.integers(0, 5, (N, D)).astype(F64)
    _parity(lambda a: F.poisson_nll_loss(a, tl.tensor(t), log_input=log_input, full=full, reduction=red),
            lambda a: TF.poisson_nll_loss(a, torch.tensor(t), log_input=log_input, full=full, reduction=red), [x])
    var = r.random((N, D)) + 1e-7 * (r.random((N, D)) < 0.3)
    for v in (var, var[:, :1], var[:, 0]):
        _parity(lambda a, b, c: F.gaussian_nll_loss(a, b, c, full=full, eps=1e-3, reduction=red),
                lambda a, b, c: TF.gaussian_nll_loss(a, b, c, full=full, eps=1e-3, reduction=red),
                [x, r.standard_normal((N, D)), v])
    _parity(lambda a, b: F.gaussian_nll_loss(a, b, 0.5), lambda a, b: TF.gaussian_nll_loss(a, b, 0.5),
            [x, r.standard_normal((N, D))])


def test_losses_gradcheck():
    r = _rng(5)
    x1, x2 = r.standard_normal((3, 4)), r.standard_normal((3, 4))
    y = tl.tensor([1.0, -1.0, 1.0])
    _gradcheck(lambda a, b: F.cosine_embedding_loss(a, b, y, margin=-0.5), [x1, x2])
    _gradcheck(lambda a: F.multi_margin_loss(a, tl.tensor([0, 3, 1]), p=2, margin=2.0), [x1])
    _gradcheck(lambda a: F.multilabel_margin_loss(a, tl.tensor([[3, 0, -1, 1]] * 3)), [x1 * 0.1])
    _gradcheck(lambda a, b, c: F.triplet_margin_loss(a, b, c, margin=3.0, swap=True), [x1, x2, x1[::-1] * 2])
    _gradcheck(lambda a, v: F.gaussian_nll_loss(a, a * 0.5, v, full=True), [x1, r.random((3, 4)) + 0.5])


LOSS_MODULES = [("CosineEmbeddingLoss", dict(margin=0.2)), ("MarginRankingLoss", dict(margin=0.1)),
                ("HingeEmbeddingLoss", dict(margin=2.0, reduction="sum")), ("SoftMarginLoss", dict()),
                ("MultiLabelSoftMarginLoss", dict(weight="w")), ("MultiLabelMarginLoss", dict(reduction="none")),
                ("MultiMarginLoss", dict(p=2, weight="w")), ("TripletMarginLoss", dict(margin=0.5, swap=True)),
                ("TripletMarginWithDistanceLoss", dict()), ("PoissonNLLLoss", dict(log_input=False, full=True)),
                ("GaussianNLLLoss", dict(full=True))]


@pytest.mark.parametrize("name, kw", LOSS_MODULES)
def test_loss_modules_match_torch(name, kw):
    w = np.arange(1.0, 5.0)
    kt = {k: (torch.tensor(w) if v == "w" else v) for k, v in kw.items()}
    kl = {k: (tl.tensor(w) if v == "w" else v) for k, v in kw.items()}
    m, tm = getattr(nn, name)(**kl), getattr(torch.nn, name)(**kt)
    _modules_match(m, tm)
    for attr in ("margin", "p", "eps", "swap", "log_input", "full", "reduction"):
        assert getattr(m, attr, None) == getattr(tm, attr, None), attr
    r = _rng(7)
    x = r.random((3, 4)) + 0.1
    args = {"CosineEmbeddingLoss": [x, x[::-1], np.array([1.0, -1.0, 1.0])],
            "MarginRankingLoss": [x[0], x[1], np.array([1.0, -1.0, 1.0, 1.0])],
            "HingeEmbeddingLoss": [x, np.sign(x - 0.5)], "SoftMarginLoss": [x, np.sign(x - 0.5)],
            "MultiLabelSoftMarginLoss": [x, (x > 0.5) * 1.0],
            "MultiLabelMarginLoss": [x, np.array([[3, 0, -1, 1]] * 3)],
            "MultiMarginLoss": [x, np.array([0, 3, 1])], "TripletMarginLoss": [x, x ** 2, x[::-1]],
            "TripletMarginWithDistanceLoss": [x, x ** 2, x[::-1]], "PoissonNLLLoss": [x, np.floor(x * 4)],
            "GaussianNLLLoss": [x, x ** 2, x[:, :1]]}[name]
    # how many leading arguments are differentiated (the rest are targets)
    n_diff = {"CosineEmbeddingLoss": 2, "MarginRankingLoss": 2, "GaussianNLLLoss": 3, "TripletMarginLoss": 3,
              "TripletMarginWithDistanceLoss": 3}.get(name, 1)
    rest_tl = [tl.tensor(a) for a in args[n_diff:]]
    rest_t = [torch.tensor(a) for a in args[n_diff:]]
    _parity(lambda *xs: m(*xs, *rest_tl), lambda *xs: tm(*xs, *rest_t), args[:n_diff])


@pytest.mark.parametrize("call", [
    lambda M, x: M.multi_margin_loss(x(3, 4), x(2, dtype="int64")),
    lambda M, x: M.multi_margin_loss(x(3, 4), x(3, dtype="int64") + 4),
    lambda M, x: M.multi_margin_loss(x(3, 4), x(3)),
    lambda M, x: M.multi_margin_loss(x(2, 3, 4), x(3, dtype="int64")),
    lambda M, x: M.multi_margin_loss(x(3, 4), x(3, dtype="int64"), p=3),
    lambda M, x: M.multi_margin_loss(x(3, 4), x(3, dtype="int64"), weight=x(3)),
    lambda M, x: M.multilabel_margin_loss(x(3, 4), x(2, 4, dtype="int64")),
    lambda M, x: M.multilabel_margin_loss(x(3, 4), x(3, 4, dtype="int64") + 4),
    lambda M, x: M.cosine_embedding_loss(x(3, 4), x(3, 4), x(())),
    lambda M, x: M.cosine_embedding_loss(x(3, 4), x(3, 4), x(3, 1)),
    lambda M, x: M.margin_ranking_loss(x(3, 4), x(3, 4), x(4)),
    lambda M, x: M.triplet_margin_loss(x(3, 4), x(3, 4), x(4)),
    lambda M, x: M.triplet_margin_loss(x(3, 4), x(3, 4), x(3, 4), margin=0),
    lambda M, x: M.triplet_margin_with_distance_loss(x(3, 4), x(3, 4), x(4)),
    lambda M, x: M.gaussian_nll_loss(x(3, 4), x(3, 4), x(4)),
    lambda M, x: M.gaussian_nll_loss(x(3, 4), x(3, 4), -x(3, 4) - 1),
    lambda M, x: M.gaussian_nll_loss(x(3, 4), x(3, 4), x(3, 4), reduction="bad"),
    lambda M, x: M.poisson_nll_loss(x(3, 4), x(3, 4), reduction="bad"),
    lambda M, x: M.multilabel_soft_margin_loss(x(3, 4), x(3, 4), reduction="bad"),
])
def test_loss_errors_match_torch(call):
    def maker(M):
        def x(*shape, dtype="float64"):
            shape = shape[0] if shape and isinstance(shape[0], tuple) else shape
            return M.zeros(shape, dtype=getattr(M, dtype)) if shape else M.zeros((), dtype=getattr(M, dtype))
        return x
    _raises_like_torch(lambda: call(F, maker(tl)), lambda: call(TF, maker(torch)))


def test_loss_module_constructor_errors_and_legacy_reduction():
    for make in (lambda M: M.TripletMarginLoss(margin=0), lambda M: M.TripletMarginWithDistanceLoss(margin=-1),
                 lambda M: M.MultiMarginLoss(p=3)):
        with pytest.raises(ValueError):
            make(nn)
        with pytest.raises(ValueError):
            make(torch.nn)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        assert nn.SoftMarginLoss(size_average=False).reduction == "sum"
        assert nn.MultiMarginLoss(reduce=False).reduction == "none"
    assert len(w) == 2


# ================================================================== 4. pooling
@FAST
@given(st.integers(1, 2), st.integers(1, 3), st.integers(1, 9), st.integers(1, 5), st.booleans(), st.integers(0, 99))
def test_adaptive_1d_pools_match_torch(N, C, L, out, batched, seed):
    a = _rng(seed).standard_normal((N, C, L) if batched else (C, L))
    _parity(lambda x: F.adaptive_avg_pool1d(x, out), lambda x: TF.adaptive_avg_pool1d(x, out), [a])
    y = _parity(lambda x: F.adaptive_max_pool1d(x, (out,)), lambda x: TF.adaptive_max_pool1d(x, (out,)), [a])
    _, i = F.adaptive_max_pool1d(tl.tensor(a), out, return_indices=True)
    _, ti = TF.adaptive_max_pool1d(torch.tensor(a), out, return_indices=True)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    assert y.shape == tuple(ti.shape)


def test_with_indices_aliases_always_return_pairs():
    a = _rng(1).standard_normal((2, 3, 6, 6))
    for name, args in [("max_pool2d_with_indices", (2,)), ("adaptive_max_pool2d_with_indices", ((2, 3),)),
                       ("max_pool1d_with_indices", (3,)), ("adaptive_max_pool1d_with_indices", (4,))]:
        x = a[:, :, 0] if "1d" in name else a
        (y, i), (ty, ti) = getattr(F, name)(tl.tensor(x), *args), getattr(TF, name)(torch.tensor(x), *args)
        assert_close(y, ty.numpy(), F64)
        np.testing.assert_array_equal(i.numpy(), ti.numpy())


@FAST
@given(st.sampled_from([1.0, 2.0, 3.0, 1.5, float("inf")]), st.integers(1, 3), st.sampled_from([None, 1, 2]),
       st.booleans(), st.integers(0, 99))
def test_lp_pools_match_torch(p, k, stride, ceil_mode, seed):
    r = _rng(seed)
    a = r.random((2, 2, 5, 6)) + 0.1 if p == 1.5 else r.standard_normal((2, 2, 5, 6))
    _parity(lambda x: F.lp_pool2d(x, p, k, stride, ceil_mode), lambda x: TF.lp_pool2d(x, p, k, stride, ceil_mode), [a],
            rtol=1e-8, atol=1e-9)
    _parity(lambda x: nn.LPPool1d(p, k, stride, ceil_mode)(x), lambda x: torch.nn.LPPool1d(p, k, stride, ceil_mode)(x),
            [a[:, :, 0]], rtol=1e-8, atol=1e-9)


@FAST
@given(st.integers(1, 3), st.sampled_from([None, 1, 2, 3]), st.integers(0, 1), st.booleans(), st.integers(0, 99))
def test_max_unpool_matches_torch(k, stride, padding, give_size, seed):
    if padding * 2 > k:
        padding = 0
    a = _rng(seed).standard_normal((2, 3, 7, 8))
    ta = torch.tensor(a)
    y, i = TF.max_pool2d(ta, k, stride, padding, return_indices=True)
    tl_y, tl_i = tl.tensor(y.numpy()), tl.tensor(i.numpy())
    size = list(ta.shape[-2:]) if give_size else None
    try:
        TF.max_unpool2d(y, i, k, stride, padding, size)
    except (RuntimeError, ValueError):                  # default size too small for an index: both refuse
        _raises_like_torch(lambda: F.max_unpool2d(tl_y, tl_i, k, stride, padding, size),
                           lambda: TF.max_unpool2d(y, i, k, stride, padding, size))
        return
    _parity(lambda v: F.max_unpool2d(v, tl_i, k, stride, padding, size),
            lambda v: TF.max_unpool2d(v, i, k, stride, padding, size), [y.numpy()])
    m, tm = nn.MaxUnpool2d(k, stride, padding), torch.nn.MaxUnpool2d(k, stride, padding)
    _modules_match(m, tm)
    assert_close(m(tl_y, tl_i, size), tm(y, i, size).numpy(), F64)
    y1, i1 = TF.max_pool1d(ta[:, :, 0], k, stride, padding, return_indices=True)
    size1 = [8] if give_size else None
    try:
        torch.nn.MaxUnpool1d(k, stride, padding)(y1, i1, size1)
    except (RuntimeError, ValueError):
        return
    _parity(lambda v: nn.MaxUnpool1d(k, stride, padding)(v, tl.tensor(i1.numpy()), size1),
            lambda v: torch.nn.MaxUnpool1d(k, stride, padding)(v, i1, size1), [y1.numpy()])


def test_pool_module_reprs_and_errors_match_torch():
    for name, args in [("AdaptiveAvgPool1d", (3,)), ("AdaptiveMaxPool1d", (2, True)), ("LPPool1d", (2, 3)),
                       ("LPPool2d", (1.5, (2, 3), 1, True)), ("MaxUnpool1d", (2,)), ("MaxUnpool2d", ((2, 3), 1, 1))]:
        _modules_match(getattr(nn, name)(*args), getattr(torch.nn, name)(*args))
    y, i = TF.max_pool2d(torch.randn(1, 1, 4, 4), 2, return_indices=True)
    ly, li = tl.tensor(y.numpy()), tl.tensor(i.numpy())
    _raises_like_torch(lambda: F.max_unpool2d(ly, li, 2, output_size=(9, 9)),
                       lambda: TF.max_unpool2d(y, i, 2, output_size=(9, 9)))
    _raises_like_torch(lambda: F.max_unpool2d(ly, li + 100, 2), lambda: TF.max_unpool2d(y, i + 100, 2))
    _raises_like_torch(lambda: F.adaptive_avg_pool1d(tl.zeros(2, 3, 4, 5), 2),
                       lambda: TF.adaptive_avg_pool1d(torch.zeros(2, 3, 4, 5), 2))


# ================================================================== 5. other layers
@FAST
@given(st.integers(1, 3), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3), st.integers(0, 99))
def test_pixel_unshuffle_and_channel_shuffle_match_torch(r, C, H, W, seed):
    a = _rng(seed).standard_normal((2, C, H * r, W * r))
    _parity(lambda x: F.pixel_unshuffle(x, r), lambda x: TF.pixel_unshuffle(x, r), [a])
    y = F.pixel_shuffle(F.pixel_unshuffle(tl.tensor(a), r), r)
    np.testing.assert_array_equal(y.numpy(), a)
    g = C
    b = _rng(seed).standard_normal((2, C * 2, H, W))
    _parity(lambda x: nn.ChannelShuffle(g)(x), lambda x: torch.nn.ChannelShuffle(g)(x), [b])


@FAST
@given(st.integers(1, 3), st.integers(1, 3), st.integers(0, 1), st.integers(1, 2), st.integers(1, 2),
       st.booleans(), st.integers(0, 99))
def test_fold_matches_torch_and_is_unfolds_adjoint(kh, kw, p, s, d, batched, seed):
    H, W = 5, 6
    C = 2
    blocks = [(n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k in ((H, kh), (W, kw))]
    if min(blocks) < 1:
        return
    shape = (2, C * kh * kw, blocks[0] * blocks[1])
    a = _rng(seed).standard_normal(shape if batched else shape[1:])
    _parity(lambda x: F.fold(x, (H, W), (kh, kw), d, p, s), lambda x: TF.fold(x, (H, W), (kh, kw), d, p, s), [a])
    m, tm = nn.Fold((H, W), (kh, kw), d, p, s), torch.nn.Fold((H, W), (kh, kw), d, p, s)
    _modules_match(m, tm)


def test_fold_gradcheck_and_errors():
    a = _rng(3).standard_normal((1, 8, 6))
    _gradcheck(lambda x: F.fold(x, (3, 4), 2) ** 2, [a])
    for args in [((2, 12, 5), (3, 4), 2), ((2, 11, 6), (3, 4), 2), ((2, 2, 12, 6), (3, 4), 2)]:
        _raises_like_torch(lambda: F.fold(tl.zeros(*args[0]), *args[1:]),
                           lambda: TF.fold(torch.zeros(*args[0]), *args[1:]))
    for call in [lambda M, z: M.pixel_unshuffle(z(4, 3), 2), lambda M, z: M.pixel_unshuffle(z(1, 4, 3), 2),
                 lambda M, z: M.pixel_unshuffle(z(1, 4, 4), 0), lambda M, z: M.channel_shuffle(z(2, 4), 2),
                 lambda M, z: M.channel_shuffle(z(2, 4, 3), 3), lambda M, z: M.channel_shuffle(z(2, 4, 3), 0)]:
        _raises_like_torch(lambda: call(F, tl.zeros), lambda: call(TF, torch.zeros))


@FAST
@given(st.sampled_from([(), (2,), (3, 2)]), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.booleans(),
       st.integers(0, 99))
def test_bilinear_matches_torch(lead, i1, i2, o, bias, seed):
    r = _rng(seed)
    args = [r.standard_normal(lead + (i1,)), r.standard_normal(lead + (i2,)), r.standard_normal((o, i1, i2))]
    if bias:
        args.append(r.standard_normal(o))
    _parity(F.bilinear, TF.bilinear, args)


def test_bilinear_module_init_state_dict_and_errors():
    tl.manual_seed(0)
    m, tm = nn.Bilinear(4, 3, 5), torch.nn.Bilinear(4, 3, 5)
    _modules_match(m, tm)
    _modules_match(nn.Bilinear(2, 3, 4, bias=False), torch.nn.Bilinear(2, 3, 4, bias=False))
    w = m.weight.detach().numpy()
    assert w.shape == (5, 4, 3) and np.abs(w).max() <= 0.5 and np.abs(w).max() > 0.3
    for a, b, w_, bias in [((2, 3), (2, 4), (5, 3, 3), None), ((2, 3), (3, 4), (5, 3, 4), None),
                           ((2, 3), (2, 4), (5, 3, 4), (4,))]:
        _raises_like_torch(lambda: F.bilinear(tl.zeros(*a), tl.zeros(*b), tl.zeros(*w_), bias and tl.zeros(*bias)),
                           lambda: TF.bilinear(torch.zeros(*a), torch.zeros(*b), torch.zeros(*w_),
                                               bias and torch.zeros(*bias)))


@FAST
@given(st.sampled_from([(3,), (2, 3), (4,)]), st.sampled_from([None, 1e-3]), st.booleans(), st.integers(0, 99))
def test_rms_norm_matches_torch(shape, eps, weighted, seed):
    r = _rng(seed)
    lead = (2, 2, 3) if shape == (2, 3) else (3, 2)
    a = r.standard_normal(lead[:1] + shape) if len(shape) == 2 else r.standard_normal(lead + shape) * 0.01
    args = [a] + ([r.standard_normal(shape)] if weighted else [])
    _parity(lambda x, *w: F.rms_norm(x, shape, *w, eps=eps), lambda x, *w: TF.rms_norm(x, shape, *w, eps=eps), args,
            rtol=1e-9, atol=1e-9)
    for affine in (True, False):
        m, tm = nn.RMSNorm(list(shape), eps=eps, elementwise_affine=affine), \
            torch.nn.RMSNorm(list(shape), eps=eps, elementwise_affine=affine)
        _modules_match(m, tm)
    _modules_match(nn.RMSNorm(3), torch.nn.RMSNorm(3))


def test_rms_norm_errors_and_float32_eps():
    _raises_like_torch(lambda: F.rms_norm(tl.zeros(2, 3), (2,)), lambda: TF.rms_norm(torch.zeros(2, 3), (2,)))
    _raises_like_torch(lambda: F.rms_norm(tl.zeros(2, 3), (3,), tl.ones(2)),
                       lambda: TF.rms_norm(torch.zeros(2, 3), (3,), torch.ones(2)))
    a = (np.arange(6.0).reshape(2, 3) * 1e-4).astype(np.float32)
    assert_close(F.rms_norm(tl.tensor(a), (3,)), TF.rms_norm(torch.tensor(a), (3,)).numpy(), np.float32)


@pytest.mark.parametrize("name, shape", [("dropout1d", (4, 6, 5)), ("dropout1d", (6, 5)),
                                         ("dropout3d", (2, 6, 2, 2, 2)),
                                         ("feature_alpha_dropout", (4, 6, 3)), ("alpha_dropout", (40, 50))])
def test_extra_dropouts_statistics_and_shapes(name, shape):
    tl.manual_seed(0)
    a = np.random.default_rng(0).standard_normal(shape)
    x = tl.tensor(a, requires_grad=True)
    kw = dict(training=True)
    y = getattr(F, name)(x, 0.5, **kw)
    y.sum().backward()
    out = y.detach().numpy()
    if "alpha" not in name:
        # whole channels are zeroed, survivors scaled by 2
        batched = len(shape) == {"dropout1d": 3, "dropout3d": 5}[name]
        per = out.reshape(shape[:2] + (-1,)) if batched else out.reshape(shape[:1] + (-1,))
        src = a.reshape(per.shape)
        for row, s in zip(per.reshape(-1, per.shape[-1]), src.reshape(-1, per.shape[-1])):
            assert np.allclose(row, 0) or np.allclose(row, 2 * s)
    else:
        alpha = 1.7580993408473766
        p = 0.5
        ca = 1 / np.sqrt((alpha ** 2 * p + 1) * (1 - p))
        dropped = np.isclose(out, -alpha * ca + alpha * ca * p)
        np.testing.assert_allclose(out[~dropped], a[~dropped] * ca + alpha * ca * p)
        np.testing.assert_allclose(x.grad.numpy(), np.where(dropped, 0.0, ca))
        assert 0.3 < dropped.mean() < 0.7
    assert getattr(F, name)(x, 0.5, training=False) is x
    tname = {"dropout1d": "Dropout1d", "dropout3d": "Dropout3d", "alpha_dropout": "AlphaDropout",
             "feature_alpha_dropout": "FeatureAlphaDropout"}[name]
    _modules_match(getattr(nn, tname)(0.3), getattr(torch.nn, tname)(0.3))


def test_alpha_dropout_keeps_selu_statistics_and_errors():
    tl.manual_seed(1)
    x = tl.randn(200000, dtype=tl.float64)
    y = F.alpha_dropout(x, 0.2, training=True)
    assert abs(float(y.mean())) < 0.02 and abs(float(y.std()) - 1) < 0.02
    _raises_like_torch(lambda: F.alpha_dropout(x, 1.5, True), lambda: TF.alpha_dropout(torch.zeros(3), 1.5, True))
    _raises_like_torch(lambda: F.dropout1d(tl.zeros(2, 3, 4, 5)), lambda: TF.dropout1d(torch.zeros(2, 3, 4, 5)))
    with pytest.warns(UserWarning):
        F.dropout3d(tl.zeros(2, 3), training=True)


def test_instance_norm3d_matches_torch():
    a = _rng(4).standard_normal((2, 3, 2, 3, 2))
    for kw in (dict(), dict(affine=True), dict(affine=True, track_running_stats=True)):
        m, tm = nn.InstanceNorm3d(3, **kw).double(), torch.nn.InstanceNorm3d(3, **kw).double()
        _modules_match(m, tm)
        _parity(m, tm, [a], rtol=1e-9, atol=1e-9)
        _parity(m, tm, [a[0]], rtol=1e-9, atol=1e-9)


@FAST
@given(st.integers(1, 5), st.integers(1, 3), st.sampled_from([0.0, 1.0, 2.0, 3.0, 1.5]), st.integers(0, 99))
def test_pdist_matches_torch(N, M, p, seed):
    a = _rng(seed).standard_normal((N, M))
    _parity(lambda x: F.pdist(x, p), lambda x: TF.pdist(x, p), [a], rtol=1e-9, atol=1e-9, grad=True)
    _raises_like_torch(lambda: F.pdist(tl.zeros(2, 3, 4)), lambda: TF.pdist(torch.zeros(2, 3, 4)))
    _raises_like_torch(lambda: F.pdist(tl.zeros(3, 4), -1), lambda: TF.pdist(torch.zeros(3, 4), -1))


def test_gumbel_softmax_soft_hard_and_seeded():
    logits = tl.tensor(np.log(np.array([[0.7, 0.2, 0.1]] * 4000)), requires_grad=True)
    tl.manual_seed(5)
    y = F.gumbel_softmax(logits, tau=0.5, hard=True)
    out = y.detach().numpy()
    assert set(np.unique(out)) == {0.0, 1.0} and np.all(out.sum(1) == 1)
    np.testing.assert_allclose(out.mean(0), [0.7, 0.2, 0.1], atol=0.03)
    (y * tl.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert np.abs(logits.grad.numpy()).sum() > 0            # straight-through: the soft sample's gradient
    tl.manual_seed(5)
    np.testing.assert_array_equal(F.gumbel_softmax(logits, tau=0.5, hard=True).detach().numpy(), out)
    s = F.gumbel_softmax(logits, dim=0)
    np.testing.assert_allclose(s.detach().numpy().sum(0), 1.0)
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(logits, eps=1e-3)


def test_lazy_linear_infers_in_features_and_becomes_linear():
    m = nn.LazyLinear(3)
    tm = torch.nn.LazyLinear(3)
    assert repr(m) == repr(tm) and list(m.state_dict()) == list(tm.state_dict())
    assert m.has_uninitialized_params()
    tl.manual_seed(0)
    y = m(tl.randn(2, 5))
    assert type(m) is nn.Linear and m.in_features == 5 and tuple(m.weight.shape) == (3, 5)
    assert tuple(y.shape) == (2, 3) and tuple(m.bias.shape) == (3,)
    assert np.abs(m.weight.detach().numpy()).max() <= 1 / np.sqrt(5)
    tm(torch.randn(2, 5))
    assert repr(m) == repr(tm)


# ================================================================== 6. nn.init
def test_dirac_matches_torch_and_is_an_identity_conv():
    for shape, groups in [((3, 2, 3), 1), ((4, 4, 3, 3), 1), ((6, 2, 3, 3), 3), ((2, 3, 3, 3, 3), 2),
                          ((4, 2, 2, 4), 2)]:
        t, tt = tl.empty(*shape), torch.empty(*shape)
        nn.init.dirac_(t, groups)
        torch.nn.init.dirac_(tt, groups)
        np.testing.assert_array_equal(t.numpy(), tt.numpy())
    w = nn.init.dirac_(tl.empty(3, 3, 3, 3))
    x = tl.randn(1, 3, 5, 5)
    np.testing.assert_allclose(F.conv2d(x, w, padding=1).numpy(), x.numpy(), atol=1e-6)
    for bad in [lambda M, I: I.dirac_(M.empty(3, 3)), lambda M, I: I.dirac_(M.empty(3, 2, 3), 2)]:
        with pytest.raises(ValueError):
            bad(tl, nn.init)
        with pytest.raises(ValueError):
            bad(torch, torch.nn.init)


def test_sparse_and_orthogonal_init():
    tl.manual_seed(0)
    t = nn.init.sparse_(tl.empty(10, 6), 0.3, std=0.5)
    z = (t.numpy() == 0).sum(0)
    assert np.all(z == 3)                                    # ceil(0.3 * 10) zeros in every column
    assert 0.2 < t.numpy()[t.numpy() != 0].std() < 1.0
    for shape in [(3, 5), (5, 3), (4, 2, 3), (2, 2)]:
        w = nn.init.orthogonal_(tl.empty(*shape), gain=2.0).numpy().reshape(shape[0], -1)
        gram = w @ w.T if shape[0] <= w.shape[1] else w.T @ w
        np.testing.assert_allclose(gram, 4 * np.eye(gram.shape[0]), atol=1e-5)
    assert nn.init.orthogonal_(tl.empty(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError):
        nn.init.sparse_(tl.empty(2, 3, 4), 0.1)


@pytest.mark.parametrize("name, args", [("uniform", (-1.0, 1.0)), ("normal", ()), ("constant", (0.5,)), ("eye", ()),
                                        ("xavier_uniform", ()), ("xavier_normal", ()), ("kaiming_uniform", ()),
                                        ("kaiming_normal", ()), ("orthogonal", ()), ("sparse", (0.5,)),
                                        ("dirac", ())])
def test_deprecated_init_aliases_warn_like_torch(name, args):
    shape = (3, 2, 3) if name == "dirac" else (4, 3)
    with pytest.warns(FutureWarning) as tw:
        getattr(torch.nn.init, name)(torch.empty(*shape), *args)
    with pytest.warns(FutureWarning) as w:
        out = getattr(nn.init, name)(tl.empty(*shape), *args)
    assert str(w[0].message) == str(tw[0].message)
    assert tuple(out.shape) == shape and getattr(nn.init, name).__name__ == name


# ================================================================== 7. nn.utils
def test_hook_weight_norm_matches_torch():
    for make, kw in [(lambda M: M.Linear(3, 4), {}), (lambda M: M.Conv2d(2, 3, 3), dict(dim=None)),
                     (lambda M: M.Conv2d(2, 3, 3), dict(dim=1)), (lambda M: M.Conv1d(2, 3, 2), dict(dim=-2))]:
        tl.manual_seed(0)
        m, tm = make(nn).double(), make(torch.nn).double()
        tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})
        with pytest.warns(FutureWarning):
            nn.utils.weight_norm(m, **kw)
        with pytest.warns(FutureWarning):
            torch.nn.utils.weight_norm(tm, **kw)
        assert list(m.state_dict()) == list(tm.state_dict())
        for k, v in m.state_dict().items():
            assert_close(v, tm.state_dict()[k].numpy(), F64)
        shape = (2, 3) if isinstance(m, nn.Linear) else ((2, 2, 5, 5) if isinstance(m, nn.Conv2d) else (2, 2, 5))
        a = _rng(0).standard_normal(shape)
        _parity(m, tm, [a])
        assert_close(m.weight_g.grad, tm.weight_g.grad.numpy(), F64)
        assert_close(m.weight_v.grad, tm.weight_v.grad.numpy(), F64)
        with torch.no_grad():                                   # the weight follows g and v at every forward
            tm.weight_g.mul_(2)
        with tl.no_grad():
            m.weight_g.mul_(2)
        assert_close(m(tl.tensor(a)), tm(torch.tensor(a)).detach().numpy(), F64)
        with pytest.raises(RuntimeError), pytest.warns(FutureWarning):
            nn.utils.weight_norm(m)
        nn.utils.remove_weight_norm(m)
        torch.nn.utils.remove_weight_norm(tm)
        assert list(m.state_dict()) == list(tm.state_dict())
        assert_close(m.weight, tm.weight.detach().numpy(), F64)
        assert isinstance(m.weight, nn.Parameter)
        with pytest.raises(ValueError, match="weight_norm of 'weight' not found"):
            nn.utils.remove_weight_norm(m)


def _bn_with_stats(M, n, dims):
    bn = getattr(M, {1: "BatchNorm1d", 2: "BatchNorm2d"}[dims])(n).double()
    r = _rng(n)
    with (torch.no_grad() if M is torch.nn else tl.no_grad()):
        for name, v in [("running_mean", r.standard_normal(n)), ("running_var", r.random(n) + 0.5),
                        ("weight", r.standard_normal(n)), ("bias", r.standard_normal(n))]:
            getattr(bn, name).copy_(torch.tensor(v) if M is torch.nn else tl.tensor(v))
    return bn.eval()


@pytest.mark.parametrize("bias", [True, False])
def test_fuse_conv_bn_and_linear_bn_match_unfused(bias):
    tl.manual_seed(1)
    conv = nn.Conv2d(2, 3, 3, bias=bias).double().eval()
    bn = _bn_with_stats(nn, 3, 2)
    fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    x = tl.tensor(_rng(2).standard_normal((2, 2, 5, 5)))
    assert_close(fused(x), bn(conv(x)).detach().numpy(), F64)
    assert fused is not conv and isinstance(fused.bias, nn.Parameter) and fused.weight.requires_grad
    tconv = torch.nn.Conv2d(2, 3, 3, bias=bias).double().eval()
    tconv.load_state_dict({k: torch.tensor(v.numpy()) for k, v in conv.state_dict().items()})
    tf = torch.nn.utils.fuse_conv_bn_eval(tconv, _bn_with_stats(torch.nn, 3, 2))
    assert_close(fused.weight, tf.weight.detach().numpy(), F64)
    assert fused.bias.requires_grad == tf.bias.requires_grad
    lin = nn.Linear(4, 3, bias=bias).double().eval()
    bn1 = _bn_with_stats(nn, 3, 1)
    fl = nn.utils.fuse_linear_bn_eval(lin, bn1)
    x = tl.tensor(_rng(3).standard_normal((5, 4)))
    assert_close(fl(x), bn1(lin(x)).detach().numpy(), F64)
    conv.train()
    with pytest.raises(AssertionError):
        nn.utils.fuse_conv_bn_eval(conv, bn)


def test_total_norm_clip_with_norm_and_vector_helpers():
    r = _rng(4)
    arrays = [r.standard_normal((3, 4)), r.standard_normal(5)]
    ps, tps = [tl.tensor(a, requires_grad=True) for a in arrays], [torch.tensor(a, requires_grad=True) for a in arrays]
    for p, tp, a in zip(ps, tps, arrays):
        p.grad, tp.grad = tl.tensor(a * 3), torch.tensor(a * 3)
    for norm_type in (2.0, 1.0, float("inf")):
        t = nn.utils.get_total_norm([p.grad for p in ps], norm_type)
        tt = torch.nn.utils.get_total_norm([p.grad for p in tps], norm_type)
        assert_close(t, tt.numpy(), F64)
    total = nn.utils.get_total_norm([p.grad for p in ps])
    nn.utils.clip_grads_with_norm_(ps, 1.0, total)
    torch.nn.utils.clip_grads_with_norm_(tps, 1.0, torch.nn.utils.get_total_norm([p.grad for p in tps]))
    for p, tp in zip(ps, tps):
        assert_close(p.grad, tp.grad.numpy(), F64)
    v = nn.utils.parameters_to_vector(ps)
    assert v.requires_grad and tuple(v.shape) == (17,)
    (v * 2).sum().backward()
    assert_close(ps[1].grad, tps[1].grad.numpy() + 2, F64)
    m = nn.utils.skip_init(nn.Linear, 3, 2)
    assert isinstance(m, nn.Linear) and tuple(m.weight.shape) == (2, 3)
    with pytest.raises(RuntimeError):
        nn.utils.skip_init(nn.ReLU)


# ================================================================== EmbeddingBag
@FAST
@given(st.sampled_from(["sum", "mean", "max"]), st.booleans(), st.booleans(), st.sampled_from([None, 0, 3, -1]),
       st.booleans(), st.integers(0, 999))
def test_embedding_bag_matches_torch(mode, two_d, include_last, padding_idx, weighted, seed):
    r = _rng(seed)
    N, D = 6, 3
    w = r.standard_normal((N, D))
    psw = None
    if two_d:
        idx = r.integers(0, N, (3, 4))
        offsets, include_last = None, False
    else:
        idx = r.integers(0, N, 9)
        cuts = np.sort(r.integers(0, 10, 3))
        offsets = np.concatenate([[0], cuts])                # repeated cuts make empty bags
        if include_last:
            offsets = np.concatenate([offsets, [9]])
    if weighted and mode == "sum":
        psw = r.standard_normal(idx.shape)

    def run(M, Fm, wt, ps=None):
        return Fm.embedding_bag(M.tensor(idx), wt, None if offsets is None else M.tensor(offsets), mode=mode,
                                include_last_offset=include_last, padding_idx=padding_idx,
                                per_sample_weights=ps)
    args = [w] + ([psw] if psw is not None else [])
    _parity(lambda wt, *ps: run(tl, F, wt, *ps), lambda wt, *ps: run(torch, TF, wt, *ps), args)


def test_embedding_bag_module_and_errors_match_torch():
    tl.manual_seed(0)
    for kw in [dict(), dict(mode="sum", padding_idx=1), dict(mode="max", max_norm=1.0, norm_type=1.0),
               dict(scale_grad_by_freq=True, padding_idx=-1)]:
        m, tm = nn.EmbeddingBag(7, 3, **kw), torch.nn.EmbeddingBag(7, 3, **kw)
        _modules_match(m, tm)
        assert m.padding_idx == tm.padding_idx
    m = nn.EmbeddingBag(7, 3, padding_idx=2)
    assert np.all(m.weight.detach().numpy()[2] == 0)
    w = _rng(1).standard_normal((5, 2))
    pre, tpre = nn.EmbeddingBag.from_pretrained(tl.tensor(w), mode="sum"), \
        torch.nn.EmbeddingBag.from_pretrained(torch.tensor(w), mode="sum")
    assert_close(pre(tl.tensor([[0, 1], [4, 4]])), tpre(torch.tensor([[0, 1], [4, 4]])).numpy(), F64)
    assert not pre.weight.requires_grad
    W, tW = tl.zeros(5, 2), torch.zeros(5, 2)
    for call in [lambda Fm, M, W: Fm.embedding_bag(M.tensor([[0, 1]]), W, M.tensor([0])),
                 lambda Fm, M, W: Fm.embedding_bag(M.tensor([0, 1]), W),
                 lambda Fm, M, W: Fm.embedding_bag(M.tensor([0, 1]), W, M.tensor([1])),
                 lambda Fm, M, W: Fm.embedding_bag(M.tensor([0, 1]), W, M.tensor([0]), mode="foo"),
                 lambda Fm, M, W: Fm.embedding_bag(M.tensor([0, 1]), W, M.tensor([0]), mode="max",
                                                   scale_grad_by_freq=True),
                 lambda Fm, M, W: Fm.embedding_bag(M.tensor([0, 1]), W, M.tensor([0]), mode="mean",
                                                   per_sample_weights=M.ones(2)),
                 lambda Fm, M, W: Fm.embedding_bag(M.tensor([0, 1]), W, M.tensor([0]), per_sample_weights=M.ones(3)),
                 lambda Fm, M, W: Fm.embedding_bag(M.tensor([[[0]]]), W)]:
        _raises_like_torch(lambda: call(F, tl, W), lambda: call(TF, torch, tW))


def test_parametrize_weight_norm_matches_torch():
    from tensorlite.nn.utils import parametrize
    for make, kw in [(lambda M: M.Linear(3, 4), {}), (lambda M: M.Conv2d(2, 3, 3), dict(dim=None)),
                     (lambda M: M.Conv1d(2, 3, 2), dict(dim=1))]:
        tl.manual_seed(0)
        m, tm = make(nn).double(), make(torch.nn).double()
        tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in m.state_dict().items()})
        nn.utils.parametrizations.weight_norm(m, **kw)
        torch.nn.utils.parametrizations.weight_norm(tm, **kw)
        _modules_match(m, tm)
        for k, v in m.state_dict().items():
            assert_close(v, tm.state_dict()[k].numpy(), F64)
        assert parametrize.is_parametrized(m, "weight") and parametrize.type_before_parametrizations(m) is type(
            make(nn))
        shape = (2, 3) if isinstance(m, nn.Linear) else ((2, 2, 5, 5) if isinstance(m, nn.Conv2d) else (2, 2, 5))
        a = _rng(0).standard_normal(shape)
        _parity(m, tm, [a])
        for k in ("original0", "original1"):
            assert_close(getattr(m.parametrizations.weight, k).grad,
                         getattr(tm.parametrizations.weight, k).grad.numpy(), F64)
        # a torch state dict loads back, and assigning the weight goes through right_inverse
        m.load_state_dict({k: tl.tensor(v.detach().numpy() * 2) for k, v in tm.state_dict().items()})
        w = _rng(1).standard_normal(tuple(m.weight.shape))
        m.weight = tl.tensor(w)
        with torch.no_grad():
            tm.weight = torch.tensor(w)
        assert_close(m.weight, w, F64)
        assert_close(m.parametrizations.weight.original0, tm.parametrizations.weight.original0.detach().numpy(), F64)
        parametrize.remove_parametrizations(m, "weight")
        torch.nn.utils.parametrize.remove_parametrizations(tm, "weight")
        _modules_match(m, tm)
        assert type(m) is type(make(nn)) and isinstance(m.weight, nn.Parameter)
        assert_close(m.weight, w, F64)


def test_parametrize_weight_norm_loads_hook_weight_norm_checkpoint():
    tl.manual_seed(0)
    old = nn.Linear(3, 2)
    with pytest.warns(FutureWarning):
        nn.utils.weight_norm(old)
    sd = old.state_dict()
    new = nn.utils.parametrizations.weight_norm(nn.Linear(3, 2))
    new.load_state_dict(sd)
    x = tl.randn(4, 3)
    assert_close(new(x), old(x).detach().numpy(), np.float32)
    with nn.utils.parametrize.cached():
        assert new.weight is new.weight
    assert new.weight is not new.weight
