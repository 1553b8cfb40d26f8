"""The nn-level functions and modules added after the first release: activations (elu, selu, celu,
mish, softsign, hardswish, hardsigmoid, logsigmoid, softmin, glu, prelu, threshold, tanhshrink,
softplus, hardtanh), normalize / cosine_similarity / pairwise_distance / pixel_shuffle, embedding,
instance_norm, 1-D pools, and the modules LayerNorm, GroupNorm, InstanceNorm2d, Embedding, Conv1d,
MaxPool1d, AvgPool1d, AdaptiveMaxPool2d, ZeroPad2d, ConstantPad2d, ParameterList, ParameterDict,
HuberLoss, KLDivLoss and the activation modules.

Oracles: torch (forward and backward, at the kinks included), finite differences
(tl.autograd.gradcheck in float64), and torch's own modules for init, state_dict keys and extra_repr.
"""
import math

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st

import tensorlite as tl
import tensorlite.nn as nn
import tensorlite.nn.functional as F

from tensorlite.testing.strategies import (hard_arrays, smooth_arrays, shapes, small_shapes, layouts, to_layout, tl_tensor,
                        torch_tensor, assert_close)

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F64 = np.float64
FAST = settings(max_examples=15, deadline=None)


# torch's hardsigmoid backward multiplies by a float32 1/6 even for float64 tensors (relative error 3e-8)
RTOL64 = {"hardsigmoid": 1e-7}


def _grad_parity(tl_fn, torch_fn, arrays, dtype, rtol=None, atol=None, seed=0):
    """Forward values and gradients (for a random upstream gradient) of tl_fn and torch_fn agree."""
    xs = [tl_tensor(a.astype(dtype)) for a in arrays]
    ts = [torch_tensor(torch, a.astype(dtype)) for a in arrays]
    y, ty = tl_fn(*xs), torch_fn(*ts)
    assert_close(y, ty.detach().numpy(), dtype, rtol=rtol, atol=atol)
    g = np.random.default_rng(seed).standard_normal(y.shape).astype(dtype)
    y.backward(tl.from_numpy(g))
    ty.backward(torch.from_numpy(g))
    for x, t in zip(xs, ts):
        assert_close(x.grad, t.grad.numpy(), dtype, rtol=rtol, atol=atol)


def _gradcheck(fn, arrays):
    xs = [tl.tensor(np.ascontiguousarray(a, dtype=F64), requires_grad=True) for a in arrays]
    assert tl.autograd.gradcheck(fn, xs)


# ================================================================== elementwise activations
# (tensorlite function, torch function); every one is checked at the kinks and at large |x|
ACTS = {
    "elu": (lambda x: F.elu(x), lambda x: TF.elu(x)),
    "elu_alpha": (lambda x: F.elu(x, 0.5), lambda x: TF.elu(x, 0.5)),
    "selu": (F.selu, TF.selu),
    "celu": (lambda x: F.celu(x, 2.0), lambda x: TF.celu(x, 2.0)),
    "mish": (F.mish, TF.mish),
    "softsign": (F.softsign, TF.softsign),
    "hardswish": (F.hardswish, TF.hardswish),
    "hardsigmoid": (F.hardsigmoid, TF.hardsigmoid),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "tanhshrink": (F.tanhshrink, TF.tanhshrink),
    "threshold": (lambda x: F.threshold(x, 0.5, -2.0), lambda x: TF.threshold(x, 0.5, -2.0)),
    "softplus": (lambda x: F.softplus(x, 2.0, 5.0), lambda x: TF.softplus(x, 2.0, 5.0)),
    "hardtanh": (lambda x: F.hardtanh(x, -0.5, 2.0), lambda x: TF.hardtanh(x, -0.5, 2.0)),
    "prelu_scalar": (lambda x: F.prelu(x, tl.tensor([0.25], dtype=x.dtype)),
                     lambda x: TF.prelu(x, torch.tensor([0.25], dtype=x.dtype))),
}
KINKS = np.array([0.0, -0.0, 3.0, -3.0, 0.5, -0.5, 2.0, -2.0, 1.0, -1.0, 20.0, -20.0, 2.5, 10.0, 25.0, -30.0,
                  1e4, -1e4, 3e4, -3e4, 80.0, -80.0, 1e-3, -1e-3])


@pytest.mark.parametrize("name", sorted(ACTS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activation_at_kinks_and_large_values_matches_torch(name, dtype):
    tl_fn, torch_fn = ACTS[name]
    rtol = RTOL64.get(name) if dtype == np.float64 else None
    _grad_parity(tl_fn, torch_fn, [KINKS], dtype, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", sorted(ACTS))
@FAST
@given(data=st.data())
def test_activation_matches_torch_on_hard_arrays_and_layouts(name, data):
    tl_fn, torch_fn = ACTS[name]
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    arr = data.draw(hard_arrays(data.draw(shapes(max_dims=3)), dtype, -4.0, 4.0, large=True))
    rtol = RTOL64.get(name) if dtype == np.float64 else None
    _grad_parity(tl_fn, torch_fn, [to_layout(arr, data.draw(layouts))], dtype, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("name", sorted(ACTS))
@FAST
@given(data=st.data())
def test_activation_gradcheck(name, data):
    arr = data.draw(smooth_arrays(data.draw(small_shapes()), F64, -4.0, 4.0))
    _gradcheck(ACTS[name][0], [arr])


def test_logsigmoid_and_mish_are_finite_at_huge_inputs():
    x = tl.tensor([-1e30, -1e4, 1e4, 1e30], dtype=tl.float64, requires_grad=True)
    for fn in (F.logsigmoid, F.mish, F.elu, F.selu, F.softplus):
        y = fn(x)
        y.sum().backward()
        assert np.isfinite(x.grad.numpy()).all(), fn.__name__
        x.grad = None
    assert F.logsigmoid(tl.tensor([-1e4]))._data[0] == -1e4


def test_integer_inputs_promote_like_torch():
    for tl_fn, torch_fn in (ACTS["elu"], ACTS["mish"], ACTS["logsigmoid"], ACTS["hardswish"]):
        y = tl_fn(tl.tensor([-2, 0, 3]))
        ty = torch_fn(torch.tensor([-2, 0, 3]).float())
        assert y.dtype == tl.float32
        assert_close(y, ty.numpy())


# ================================================================== dim-wise activations
@FAST
@given(data=st.data())
def test_softmin_and_glu(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=4))
    arr = to_layout(data.draw(hard_arrays(shape, F64)), data.draw(layouts))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    _grad_parity(lambda x: F.softmin(x, dim), lambda x: TF.softmin(x, dim), [arr], F64)
    _gradcheck(lambda x: F.softmin(x, dim), [data.draw(smooth_arrays(shape))])
    gshape = shape[:dim % len(shape)] + (2 * shape[dim],) + shape[dim % len(shape) + 1:]
    garr = data.draw(hard_arrays(gshape, F64))
    _grad_parity(lambda x: F.glu(x, dim), lambda x: TF.glu(x, dim), [garr], F64)
    _gradcheck(lambda x: F.glu(x, dim), [data.draw(smooth_arrays(gshape))])


@FAST
@given(data=st.data())
def test_prelu_per_channel(data):
    shape = data.draw(shapes(min_dims=1, max_dims=4, max_side=3))
    C = data.draw(st.sampled_from([1, shape[1]])) if len(shape) >= 2 else 1
    arr = to_layout(data.draw(hard_arrays(shape, F64)), data.draw(layouts))
    w = data.draw(smooth_arrays((C,), F64, -1.0, 1.0))
    _grad_parity(F.prelu, TF.prelu, [arr, w], F64)
    _gradcheck(F.prelu, [data.draw(smooth_arrays(shape)), w])


# ================================================================== distances, pixel_shuffle
@FAST
@given(data=st.data())
def test_normalize(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=4))
    arr = to_layout(data.draw(hard_arrays(shape, F64)), data.draw(layouts))   # zero rows are common
    p = data.draw(st.sampled_from([1.0, 2.0, 3.0, math.inf]))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    _grad_parity(lambda x: F.normalize(x, p, dim), lambda x: TF.normalize(x, p, dim), [arr], F64)
    _gradcheck(lambda x: F.normalize(x, p, dim), [data.draw(smooth_arrays(shape, unique=True))])


@FAST
@given(data=st.data())
def test_cosine_similarity_and_pairwise_distance(data):
    s1, s2 = data.draw(st.sampled_from([((2, 3), (2, 3)), ((4, 3), (1, 3)), ((2, 1, 3), (4, 3)), ((3,), (3,))]))
    a = to_layout(data.draw(hard_arrays(s1, F64)), data.draw(layouts))
    b = data.draw(hard_arrays(s2, F64))
    dim = data.draw(st.integers(-1, 0))
    _grad_parity(lambda x, y: F.cosine_similarity(x, y, dim), lambda x, y: TF.cosine_similarity(x, y, dim),
                 [a, b], F64, rtol=1e-9, atol=1e-9)
    _gradcheck(lambda x, y: F.cosine_similarity(x, y, dim), [data.draw(smooth_arrays(s1)),
                                                             data.draw(smooth_arrays(s2))])
    p = data.draw(st.sampled_from([1.0, 2.0, 3.0, math.inf]))
    _grad_parity(lambda x, y: F.pairwise_distance(x, y, p), lambda x, y: TF.pairwise_distance(x, y, p),
                 [a, b], F64, rtol=1e-9, atol=1e-9)
    a2, b2 = data.draw(smooth_arrays(s1)), data.draw(smooth_arrays(s2))
    assume(np.abs(a2 - b2).max() > 0.1)        # finite differences need the norm away from its kink at 0
    _gradcheck(lambda x, y: F.pairwise_distance(x, y, p), [a2, b2])


def test_cosine_similarity_eps_clamps_each_norm_like_torch():
    a = np.array([[1e-9, 0.0], [0.0, 0.0], [3.0, 4.0]])
    b = np.array([[1e-9, 1e-9], [1.0, 1.0], [1e-10, 0.0]])
    _grad_parity(lambda x, y: F.cosine_similarity(x, y, 1, 1e-8),
                 lambda x, y: TF.cosine_similarity(x, y, 1, 1e-8), [a, b], F64)


@pytest.mark.parametrize("shape,r", [((1, 4, 2, 3), 2), ((9, 1, 2), 3), ((2, 1, 8, 1, 1), 2)])
def test_pixel_shuffle(shape, r):
    arr = np.random.default_rng(0).standard_normal(shape)
    _grad_parity(lambda x: F.pixel_shuffle(x, r), lambda x: TF.pixel_shuffle(x, r), [arr], F64)
    m, tm = nn.PixelShuffle(r), torch.nn.PixelShuffle(r)
    assert m.extra_repr() == tm.extra_repr()


@FAST
@given(data=st.data())
def test_unfold_matches_torch(data):
    shape = data.draw(st.sampled_from([(2, 2, 5, 4), (1, 3, 4), (1, 1, 3, 6)]))
    arr = to_layout(data.draw(hard_arrays(shape, F64)), data.draw(layouts))
    k = data.draw(st.sampled_from([1, 2, (2, 3), (3, 1)]))
    d = data.draw(st.sampled_from([1, (1, 2)]))
    p = data.draw(st.sampled_from([0, 1, (1, 0)]))
    st_ = data.draw(st.sampled_from([1, 2, (2, 1)]))
    try:
        expected = TF.unfold(torch.tensor(np.array(arr)), k, d, p, st_)
    except RuntimeError:
        with pytest.raises(ValueError, match="unfold"):
            F.unfold(tl.tensor(arr), k, d, p, st_)
        return
    _grad_parity(lambda x: F.unfold(x, k, d, p, st_), lambda x: TF.unfold(x, k, d, p, st_), [arr], F64)
    assert tuple(expected.shape) == tuple(F.unfold(tl.tensor(arr), k, d, p, st_).shape)
    _gradcheck(lambda x: F.unfold(x, k, d, p, st_), [data.draw(smooth_arrays(shape))])
    m, tm = nn.Unfold(k, d, p, st_), torch.nn.Unfold(k, d, p, st_)
    assert m.extra_repr() == tm.extra_repr()


def test_pixel_shuffle_and_embedding_gradcheck():
    _gradcheck(lambda x: F.pixel_shuffle(x, 2), [np.arange(16.0).reshape(1, 4, 2, 2) / 7])
    idx = tl.tensor([[0, 2], [2, 1]])
    _gradcheck(lambda w: F.embedding(idx, w, scale_grad_by_freq=False), [np.arange(12.0).reshape(4, 3) / 5])


# ================================================================== embedding
@pytest.mark.parametrize("padding_idx", [None, 1, -1])
def test_embedding_matches_torch_and_padding_row_gets_no_gradient(padding_idx):
    w = np.random.default_rng(1).standard_normal((5, 3))
    idx = np.array([[1, 4, 1], [0, 1, 4]])
    y = F.embedding(tl.tensor(idx), wt := tl_tensor(w.copy()), padding_idx=padding_idx)
    ty = TF.embedding(torch.tensor(idx), tw := torch_tensor(torch, w), padding_idx=padding_idx)
    assert_close(y, ty.detach().numpy())
    g = np.random.default_rng(2).standard_normal(y.shape)
    y.backward(tl.from_numpy(g))
    ty.backward(torch.from_numpy(g))
    assert_close(wt.grad, tw.grad.numpy())
    if padding_idx is not None:
        assert (wt.grad.numpy()[padding_idx] == 0).all()


def test_embedding_max_norm_and_scale_grad_by_freq_match_torch():
    w = np.random.default_rng(3).standard_normal((6, 4)) * 3
    idx = np.array([2, 2, 5, 0, 2])
    wt, tw = tl_tensor(w.copy()), torch_tensor(torch, w)
    y = F.embedding(tl.tensor(idx), wt, max_norm=1.5, norm_type=3.0, scale_grad_by_freq=True)
    ty = TF.embedding(torch.tensor(idx), tw, max_norm=1.5, norm_type=3.0, scale_grad_by_freq=True)
    assert_close(y, ty.detach().numpy())
    assert_close(wt.detach(), tw.detach().numpy())          # rows renormalized in place
    y.backward(tl.ones(*y.shape, dtype=tl.float64))
    ty.backward(torch.ones(ty.shape, dtype=torch.float64))
    assert_close(wt.grad, tw.grad.numpy())


def test_embedding_module():
    tl.manual_seed(0)
    m = nn.Embedding(1000, 16, padding_idx=3)
    assert tuple(m.weight.shape) == (1000, 16) and list(m.state_dict()) == ["weight"]
    w = m.weight.detach().numpy()
    assert (w[3] == 0).all() and abs(w.mean()) < 0.02 and abs(w.std() - 1) < 0.02
    tm = torch.nn.Embedding(1000, 16, padding_idx=3)
    assert m.extra_repr() == tm.extra_repr()
    assert nn.Embedding(5, 2, max_norm=1.0).extra_repr() == torch.nn.Embedding(5, 2, max_norm=1.0).extra_repr()
    pre = nn.Embedding.from_pretrained(tl.ones(3, 2))
    assert not pre.weight.requires_grad and pre(tl.tensor([2])).shape == (1, 2)
    out = m(tl.tensor([[3, 5]]))
    out.sum().backward()
    assert (m.weight.grad.numpy()[3] == 0).all() and (m.weight.grad.numpy()[5] == 1).all()


# ================================================================== instance_norm, 1-D pools
@FAST
@given(data=st.data())
def test_instance_norm_matches_torch(data):
    shape = data.draw(st.sampled_from([(2, 3, 4), (1, 2, 3, 2), (3, 1, 2, 2)]))
    arr = to_layout(data.draw(hard_arrays(shape, F64)), data.draw(layouts))
    C = shape[1]
    w, b = np.linspace(0.5, 1.5, C), np.linspace(-1, 1, C)
    rm, rv = np.zeros(C), np.ones(C)
    trm, trv = torch.zeros(C, dtype=torch.float64), torch.ones(C, dtype=torch.float64)
    lrm, lrv = tl.tensor(rm), tl.tensor(rv)
    _grad_parity(lambda x, w_, b_: F.instance_norm(x, lrm, lrv, w_, b_, momentum=0.3),
                 lambda x, w_, b_: TF.instance_norm(x, trm, trv, w_, b_, momentum=0.3),
                 [arr, w, b], F64, rtol=1e-7, atol=1e-7)
    assert_close(lrm, trm.numpy())
    assert_close(lrv, trv.numpy())
    _gradcheck(lambda x: F.instance_norm(x), [data.draw(smooth_arrays(shape, unique=True))])


def test_instance_norm_eval_uses_running_stats():
    x = np.random.default_rng(4).standard_normal((2, 3, 4, 4))
    m, tm = nn.InstanceNorm2d(3, affine=True, track_running_stats=True), torch.nn.InstanceNorm2d(
        3, affine=True, track_running_stats=True).double()
    assert m.extra_repr() == tm.extra_repr()
    assert list(m.state_dict()) == list(tm.state_dict())
    m.double()
    for _ in range(2):
        m(tl.tensor(x)), tm(torch.tensor(x))
    assert_close(m.running_var, tm.running_var.numpy())
    m.eval(), tm.eval()
    assert_close(m(tl.tensor(x)), tm(torch.tensor(x)).detach().numpy())
    assert_close(nn.InstanceNorm2d(3)(tl.tensor(x[0])), torch.nn.InstanceNorm2d(3)(torch.tensor(x[0])).numpy())


@FAST
@given(data=st.data())
def test_pool1d_matches_torch(data):
    shape = data.draw(st.sampled_from([(2, 3, 7), (3, 5), (1, 1, 4)]))
    arr = to_layout(data.draw(hard_arrays(shape, F64)), data.draw(layouts))
    k = data.draw(st.integers(1, 3))
    s = data.draw(st.sampled_from([None, 1, 2]))
    p = data.draw(st.integers(0, k // 2))
    ceil = data.draw(st.booleans())
    _grad_parity(lambda x: F.max_pool1d(x, k, s, p, ceil_mode=ceil),
                 lambda x: TF.max_pool1d(x, k, s, p, ceil_mode=ceil), [arr], F64)
    _grad_parity(lambda x: F.avg_pool1d(x, k, s, p, ceil, False),
                 lambda x: TF.avg_pool1d(x, k, s, p, ceil, False), [arr], F64)
    y, i = F.max_pool1d(tl.tensor(arr), k, s, p, return_indices=True)
    ty, ti = TF.max_pool1d(torch.tensor(np.array(arr)), k, s, p, return_indices=True)
    np.testing.assert_array_equal(i.numpy(), ti.numpy())
    _gradcheck(lambda x: F.avg_pool1d(x, k, s, p), [data.draw(smooth_arrays(shape))])


# ================================================================== modules vs torch's
def _copy_params(m, tm):
    for (k, v), (tk, tv) in zip(m.state_dict().items(), tm.state_dict().items()):
        assert k == tk
        with tl.no_grad():
            v._data[...] = tv.detach().numpy()


MODULES = [
    (lambda M: M.LayerNorm((3, 4)), (2, 3, 4)),
    (lambda M: M.LayerNorm(4, elementwise_affine=False), (2, 4)),
    (lambda M: M.LayerNorm(4, bias=False), (2, 4)),
    (lambda M: M.GroupNorm(2, 4), (2, 4, 3)),
    (lambda M: M.GroupNorm(1, 4, affine=False), (2, 4, 3, 2)),
    (lambda M: M.GroupNorm(2, 4, bias=False), (2, 4, 3, 2)),
    (lambda M: M.InstanceNorm2d(3, affine=True, bias=False), (3, 4, 4)),
    (lambda M: M.InstanceNorm2d(3), (2, 3, 4, 4)),
    (lambda M: M.Conv1d(4, 6, 3, stride=2, padding=1, bias=False), (2, 4, 9)),
    (lambda M: M.Conv1d(4, 6, 2, groups=2, dilation=2), (4, 7)),
    (lambda M: M.Conv2d(2, 3, 3, padding="same"), (1, 2, 5, 5)),
    (lambda M: M.MaxPool1d(3, 2, 1), (2, 3, 8)),
    (lambda M: M.AvgPool1d(3, 2, 1, count_include_pad=False), (2, 3, 8)),
    (lambda M: M.AdaptiveMaxPool2d((2, 3)), (2, 3, 5, 7)),
    (lambda M: M.Softplus(beta=2.0), (3, 4)),
    (lambda M: M.Hardtanh(-2.0, 2.0), (3, 4)),
    (lambda M: M.ZeroPad2d((1, 0, 2, 1)), (2, 3, 4)),
    (lambda M: M.ConstantPad2d(1, 3.5), (1, 2, 3, 4)),
    (lambda M: M.ELU(alpha=0.5), (3, 4)),
    (lambda M: M.CELU(alpha=1.5), (3, 4)),
    (lambda M: M.SELU(), (3, 4)),
    (lambda M: M.Mish(), (3, 4)),
    (lambda M: M.Hardswish(), (3, 4)),
    (lambda M: M.Hardsigmoid(), (3, 4)),
    (lambda M: M.Softsign(), (3, 4)),
    (lambda M: M.LogSigmoid(), (3, 4)),
    (lambda M: M.Tanhshrink(), (3, 4)),
    (lambda M: M.Softmin(dim=1), (3, 4)),
    (lambda M: M.GLU(dim=1), (3, 4)),
    (lambda M: M.Threshold(0.1, 20.0), (3, 4)),
    (lambda M: M.PReLU(3, init=0.1), (2, 3, 4)),
    (lambda M: M.PReLU(), (2, 3)),
    (lambda M: M.PixelShuffle(2), (1, 8, 2, 3)),
    (lambda M: M.Unfold((2, 3), padding=1, stride=2), (2, 2, 5, 4)),
    (lambda M: M.BatchNorm3d(3), (2, 3, 4, 2, 3)),
    (lambda M: M.BatchNorm3d(2, momentum=None, affine=False), (3, 2, 2, 2, 2)),
]


@pytest.mark.parametrize("case", range(len(MODULES)))
def test_module_matches_torch(case):
    make, shape = MODULES[case]
    m, tm = make(nn), make(torch.nn).double()
    assert m.extra_repr() == tm.extra_repr(), (m.extra_repr(), tm.extra_repr())
    assert list(m.state_dict()) == list(tm.state_dict())
    for (k, v), tv in zip(m.state_dict().items(), tm.state_dict().values()):
        assert tuple(v.shape) == tuple(tv.shape), k
        if k in ("weight", "bias") and not isinstance(m, (nn.Conv1d, nn.Conv2d)):
            assert_close(v, tv.detach().numpy(), np.float32)      # deterministic default init
    m.double()
    _copy_params(m, tm)
    _grad_parity(lambda x: m(x), lambda x: tm(x), [np.random.default_rng(case).standard_normal(shape)], F64,
                 rtol=1e-8, atol=1e-8)


def test_distance_modules():
    a, b = np.random.default_rng(6).standard_normal((2, 4, 3))
    for make in (lambda M: M.CosineSimilarity(dim=0, eps=1e-3), lambda M: M.PairwiseDistance(p=1.0, keepdim=True)):
        m, tm = make(nn), make(torch.nn)
        _grad_parity(m, tm, [a, b], F64)


def test_conv1d_default_init_bounds():
    tl.manual_seed(0)
    m = nn.Conv1d(8, 64, 5)
    bound = 1 / math.sqrt(8 * 5)
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound and abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound


def test_prelu_weight_learns_and_conv1d_trains():
    m = nn.Sequential(nn.Conv1d(2, 3, 3, padding=1), nn.PReLU(3), nn.LayerNorm(5))
    out = m(tl.randn(4, 2, 5))
    out.pow(2).sum().backward()
    assert all(p.grad is not None for p in m.parameters())


def test_parameter_list_and_dict():
    pl = nn.ParameterList([nn.Parameter(tl.randn(2)), tl.zeros(3)])
    pl.append(tl.ones(1))
    assert len(pl) == 3 and isinstance(pl[1], nn.Parameter) and pl[-1].shape == (1,)
    assert list(pl.state_dict()) == ["0", "1", "2"] and len(list(pl.parameters())) == 3
    pd = nn.ParameterDict({"a": tl.zeros(2), "b": nn.Parameter(tl.ones(1))})
    pd["c"] = tl.ones(4)
    assert list(pd.state_dict()) == ["a", "b", "c"] and "c" in pd and len(pd) == 3
    del pd["a"]
    assert list(pd.keys()) == ["b", "c"]

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.ws = nn.ParameterList([tl.ones(2) for _ in range(2)])
            self.d = nn.ParameterDict({"s": tl.ones(1)})
    net = Net()
    assert sorted(net.state_dict()) == ["d.s", "ws.0", "ws.1"]
    torch_pl = torch.nn.ParameterList([torch.zeros(3)])
    assert isinstance(torch_pl[0], torch.nn.Parameter) and isinstance(nn.ParameterList([tl.zeros(3)])[0],
                                                                        nn.Parameter)


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")      # torch's note on KLDivLoss('mean')
@pytest.mark.parametrize("reduction", ["mean", "sum", "none", "batchmean"])
def test_kldiv_and_huber_loss_modules(reduction):
    rng = np.random.default_rng(5)
    x = np.log(rng.dirichlet(np.ones(4), size=3))
    t = rng.dirichlet(np.ones(4), size=3)
    _grad_parity(lambda a, b: nn.KLDivLoss(reduction=reduction)(a, b),
                 lambda a, b: torch.nn.KLDivLoss(reduction=reduction)(a, b), [x, t], F64)
    _grad_parity(lambda a, b: nn.KLDivLoss(reduction=reduction, log_target=True)(a, b),
                 lambda a, b: torch.nn.KLDivLoss(reduction=reduction, log_target=True)(a, b), [x, np.log(t)], F64)
    if reduction != "batchmean":
        _grad_parity(lambda a, b: nn.HuberLoss(reduction, delta=0.3)(a, b),
                     lambda a, b: torch.nn.HuberLoss(reduction, delta=0.3)(a, b), [x, t], F64)
    else:
        with pytest.raises(ValueError, match="HuberLoss"):
            nn.HuberLoss(reduction)
