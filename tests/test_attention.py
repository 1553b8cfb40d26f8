"""scaled_dot_product_attention, MultiheadAttention and the Transformer layers.

Oracles: torch 2.13 (values and gradients in float64, with torch's weights copied in through
state_dict; dropout 0 or eval mode), finite differences (tl.autograd.gradcheck / gradgradcheck in
float64), and torch's own modules for state-dict keys, shapes, init and warnings."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
import tensorlite.nn as nn
import tensorlite.nn.functional as F

from tensorlite.testing.strategies import smooth_arrays, assert_close

torch = pytest.importorskip("torch")
TF = torch.nn.functional
F64 = np.float64
TOL = dict(rtol=1e-9, atol=1e-11)
# torch warns for these too (bool padding masks next to float attention masks; its nested tensors)
pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")]


def _np(t):
    return t.detach()._data if isinstance(t, tl.Tensor) else t.detach().numpy()


def _close(a, b, msg=""):
    assert_close(_np(a), _np(b), F64, err_msg=msg, **TOL)


def _pair(arr, grad=True):
    """(tensorlite, torch) float64 leaves holding arr."""
    arr = np.ascontiguousarray(arr, dtype=F64)
    return tl.tensor(arr, requires_grad=grad), torch.tensor(arr, requires_grad=grad)


def _copy_weights(tm, m):
    """Copy torch module tm's state into tensorlite module m; the keys must be identical."""
    sd = tm.state_dict()
    assert list(sd) == list(m.state_dict())
    assert [tuple(v.shape) for v in sd.values()] == [tuple(v.shape) for v in m.state_dict().values()]
    m.load_state_dict({k: tl.from_numpy(v.detach().numpy().copy()) for k, v in sd.items()})


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def _check_grads(m, tm, inputs):
    for (n, p), (tn, tp) in zip(m.named_parameters(), tm.named_parameters()):
        assert n == tn
        _close(p.grad, tp.grad, n)
    for x, tx in inputs:
        _close(x.grad, tx.grad)


# ================================================================== scaled_dot_product_attention
@st.composite
def sdpa_case(draw):
    batch = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    L, S, E, Ev = (draw(st.integers(1, 4)) for _ in range(4))
    mask = draw(st.sampled_from(["none", "bool", "float", "causal"]))
    mshape = None
    if mask in ("bool", "float"):
        # broadcast: leading dims dropped or kept at size 1 / full size
        full = batch + (L, S)
        lead = draw(st.integers(0, len(batch)))
        mshape = tuple(1 if draw(st.booleans()) else n for n in full[lead:-2]) + tuple(
            1 if draw(st.booleans()) else n for n in full[-2:])
    scale = draw(st.one_of(st.none(), st.sampled_from([0.25, 1.0, -0.5, 2.0])))
    return batch, L, S, E, Ev, mask, mshape, scale, draw(st.integers(0, 2 ** 31))


@settings(max_examples=30, deadline=None)
@given(sdpa_case())
def test_sdpa_matches_torch_values_and_grads(case):
    batch, L, S, E, Ev, mask, mshape, scale, seed = case
    rng = np.random.default_rng(seed)
    q, tq = _pair(rng.standard_normal(batch + (L, E)))
    k, tk = _pair(rng.standard_normal(batch + (S, E)))
    v, tv = _pair(rng.standard_normal(batch + (S, Ev)))
    kw, tkw, extra = {}, {}, []
    if mask == "bool":
        m = rng.random(mshape) > 0.3
        kw["attn_mask"], tkw["attn_mask"] = tl.tensor(m), torch.tensor(m)
    elif mask == "float":
        m, tm = _pair(rng.standard_normal(mshape))
        kw["attn_mask"], tkw["attn_mask"] = m, tm
        extra.append((m, tm))
    elif mask == "causal":
        # torch's reference gets the explicit top-left causal mask that is_causal means: torch 2.13's
        # 4-D flash kernel returns nan for is_causal with a negative scale (its math path does not)
        kw["is_causal"] = True
        tkw["attn_mask"] = torch.ones(L, S, dtype=torch.bool).tril()
    out = F.scaled_dot_product_attention(q, k, v, scale=scale, **kw)
    tout = TF.scaled_dot_product_attention(tq, tk, tv, scale=scale, **tkw)
    _close(out, tout)
    g = rng.standard_normal(tuple(tout.shape))
    out.backward(tl.tensor(g))
    tout.backward(torch.tensor(g))
    for x, tx in [(q, tq), (k, tk), (v, tv)] + extra:
        _close(x.grad, tx.grad)


def test_sdpa_fully_masked_rows_are_zero_with_zero_grad():
    rng = np.random.default_rng(1)
    q, tq = _pair(rng.standard_normal((2, 3, 4)))
    k, tk = _pair(rng.standard_normal((2, 5, 4)))
    v, tv = _pair(rng.standard_normal((2, 5, 3)))
    bm = np.ones((3, 5), bool)
    bm[1] = False
    fm = np.where(bm, 0.0, -np.inf)
    fm[2, 0] = -np.inf
    for mask, tmask in ((tl.tensor(bm), torch.tensor(bm)), (tl.tensor(fm), torch.tensor(fm))):
        for t in (q, k, v, tq, tk, tv):
            t.grad = None
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        tout = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=tmask)
        _close(out, tout)
        assert np.all(_np(out)[:, 1] == 0) and not np.isnan(_np(out)).any()
        out.sum().backward()
        tout.sum().backward()
        for x, tx in ((q, tq), (k, tk), (v, tv)):
            _close(x.grad, tx.grad)
            assert not np.isnan(_np(x.grad)).any()


@pytest.mark.parametrize("hq,hk,hv", [(4, 2, 1), (4, 4, 2), (3, 1, 3)])
def test_sdpa_enable_gqa_matches_torch(hq, hk, hv):
    rng = np.random.default_rng(hq * 10 + hk)
    q, tq = _pair(rng.standard_normal((2, hq, 3, 4)))
    k, tk = _pair(rng.standard_normal((2, hk, 5, 4)))
    v, tv = _pair(rng.standard_normal((2, hv, 5, 2)))
    out = F.scaled_dot_product_attention(q, k, v, enable_gqa=True, is_causal=True)
    tout = TF.scaled_dot_product_attention(tq, tk, tv, enable_gqa=True, is_causal=True)
    _close(out, tout)
    out.sum().backward()
    tout.sum().backward()
    for x, tx in ((q, tq), (k, tk), (v, tv)):
        _close(x.grad, tx.grad)


def test_sdpa_causal_is_top_left_for_rectangular_shapes():
    rng = np.random.default_rng(2)
    for L, S in ((5, 3), (2, 4)):
        q, k, v = rng.standard_normal((L, 4)), rng.standard_normal((S, 4)), rng.standard_normal((S, 2))
        out = F.scaled_dot_product_attention(tl.tensor(q), tl.tensor(k), tl.tensor(v), is_causal=True)
        keep = np.tril(np.ones((L, S), bool))
        ref = F.scaled_dot_product_attention(tl.tensor(q), tl.tensor(k), tl.tensor(v), attn_mask=tl.tensor(keep))
        _close(out, ref)
        _close(out, TF.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v),
                                                    is_causal=True))


def test_sdpa_dropout():
    rng = np.random.default_rng(3)
    q, k = tl.tensor(rng.standard_normal((4, 8, 6))), tl.tensor(rng.standard_normal((4, 16, 6)))
    v = tl.ones(4, 16, 1, dtype=tl.float64)
    base = F.scaled_dot_product_attention(q, k, v)
    _close(F.scaled_dot_product_attention(q, k, v, dropout_p=0.0), base)
    tl.manual_seed(7)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    tl.manual_seed(7)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    assert a.shape == base.shape
    _close(a, b)                                   # reproducible from tl.manual_seed
    assert not np.allclose(_np(a), _np(base))
    # with value = 1 the output is the sum of the kept (rescaled) weights: 1 in expectation
    tl.manual_seed(0)
    big = F.scaled_dot_product_attention(tl.zeros(64, 32, 4, dtype=tl.float64), tl.zeros(64, 32, 4, dtype=tl.float64),
                                         tl.ones(64, 32, 1, dtype=tl.float64), dropout_p=0.25)
    vals = _np(big)
    assert abs(vals.mean() - 1.0) < 0.02
    # each weight is 1/32 kept with probability 0.75 and scaled by 4/3
    assert np.allclose(np.round(vals * 32 * 0.75), vals * 32 * 0.75)
    assert np.all(_np(F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)) == 0)


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(["none", "bool", "float", "causal"]), st.data())
def test_sdpa_gradcheck(mask, data):
    q = data.draw(smooth_arrays((2, 2, 3)))
    k = data.draw(smooth_arrays((2, 3, 3)))
    v = data.draw(smooth_arrays((2, 3, 2)))
    ins = [tl.tensor(a, requires_grad=True) for a in (q, k, v)]
    kw = {}
    if mask == "bool":
        kw["attn_mask"] = tl.tensor(np.array([[True, False, True], [True, True, False]]))
    elif mask == "causal":
        kw["is_causal"] = True
    if mask == "float":
        ins.append(tl.tensor(data.draw(smooth_arrays((1, 2, 3))), requires_grad=True))

        def fn(q, k, v, m):
            return F.scaled_dot_product_attention(q, k, v, attn_mask=m)
    else:
        def fn(q, k, v):
            return F.scaled_dot_product_attention(q, k, v, scale=0.7, **kw)
    assert tl.autograd.gradcheck(fn, ins)
    assert tl.autograd.gradgradcheck(fn, ins)


def test_sdpa_errors():
    q, k, v = tl.randn(2, 3, 4), tl.randn(2, 5, 4), tl.randn(2, 5, 6)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=tl.ones(3, 5, dtype=tl.bool), is_causal=True)
    with pytest.raises(RuntimeError, match="attn_mask"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=tl.ones(3, 5, dtype=tl.int64))
    with pytest.raises(RuntimeError, match="attn_mask"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=tl.ones(3, 5, dtype=tl.float64))
    with pytest.raises(RuntimeError, match=r"attn_mask.*\(4, 5\)"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=tl.ones(4, 5, dtype=tl.bool))
    with pytest.raises(RuntimeError, match="does not broadcast"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=tl.ones(2, 1, 1, 3, 5, dtype=tl.bool))
    with pytest.raises(RuntimeError, match=r"key \(2, 5, 3\)"):
        F.scaled_dot_product_attention(q, tl.randn(2, 5, 3), v)
    with pytest.raises(RuntimeError, match=r"value \(2, 4, 6\)"):
        F.scaled_dot_product_attention(q, k, tl.randn(2, 4, 6))
    with pytest.raises(RuntimeError, match="at least 2-D"):
        F.scaled_dot_product_attention(tl.randn(4), tl.randn(4), tl.randn(4))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.scaled_dot_product_attention(q.double(), k, v)
    with pytest.raises(ValueError, match="dropout_p"):
        F.scaled_dot_product_attention(q, k, v, dropout_p=1.5)
    with pytest.raises(RuntimeError, match="divide the number of heads"):
        F.scaled_dot_product_attention(tl.randn(1, 4, 3, 4), tl.randn(1, 3, 5, 4), tl.randn(1, 3, 5, 4),
                                       enable_gqa=True)
    with pytest.raises(RuntimeError, match="batch dims"):
        F.scaled_dot_product_attention(tl.randn(1, 4, 3, 4), tl.randn(1, 2, 5, 4), tl.randn(1, 2, 5, 4))


# ================================================================== MultiheadAttention
@st.composite
def mha_case(draw):
    cfg = dict(batch_first=draw(st.booleans()), bias=draw(st.booleans()), add_bias_kv=draw(st.booleans()),
               add_zero_attn=draw(st.booleans()))
    if draw(st.booleans()):
        cfg["kdim"], cfg["vdim"] = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    heads = draw(st.sampled_from([1, 2]))
    call = dict(need_weights=draw(st.booleans()), average_attn_weights=draw(st.booleans()))
    masks = dict(kpm=draw(st.sampled_from([None, "bool", "float"])),
                 am=draw(st.sampled_from([None, "bool2", "float2", "bool3", "float3"])))
    batched = draw(st.booleans())
    L, S, N = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(1, 3))
    return cfg, heads, call, masks, batched, (L, S, N), draw(st.integers(0, 2 ** 31))


def _mha_inputs(rng, cfg, heads, masks, batched, dims):
    L, S, N = dims
    E = 4
    kd, vd = cfg.get("kdim", E), cfg.get("vdim", E)

    def seq(n, e):
        shape = ((N, n, e) if cfg["batch_first"] else (n, N, e)) if batched else (n, e)
        return _pair(rng.standard_normal(shape))
    q, k, v = seq(L, E), seq(S, kd), seq(S, vd)
    kw = [{}, {}]
    if masks["kpm"] is not None:
        pad = rng.random((N, S) if batched else (S,)) > 0.6
        pad[..., 0] = False                        # no fully masked row (NaN on every side)
        m = pad if masks["kpm"] == "bool" else np.where(pad, -np.inf, rng.standard_normal(pad.shape))
        kw[0]["key_padding_mask"], kw[1]["key_padding_mask"] = tl.tensor(m), torch.tensor(m)
    if masks["am"] is not None:
        shape = (L, S) if masks["am"].endswith("2") else ((N if batched else 1) * heads, L, S)
        bad = rng.random(shape) > 0.7
        bad[..., 0] = False
        m = bad if masks["am"].startswith("bool") else rng.standard_normal(shape)
        kw[0]["attn_mask"], kw[1]["attn_mask"] = tl.tensor(m), torch.tensor(m)
    return q, k, v, kw


@settings(max_examples=30, deadline=None)
@given(mha_case())
def test_multihead_attention_matches_torch(case):
    cfg, heads, call, masks, batched, dims, seed = case
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed % 1000)
    tm = torch.nn.MultiheadAttention(4, heads, **cfg).double()
    m = nn.MultiheadAttention(4, heads, **cfg).double()
    _copy_weights(tm, m)
    (q, tq), (k, tk), (v, tv), (kw, tkw) = _mha_inputs(rng, cfg, heads, masks, batched, dims)
    out, w = _quiet(m, q, k, v, **call, **kw)
    tout, tw = _quiet(tm, tq, tk, tv, **call, **tkw)
    _close(out, tout)
    if call["need_weights"]:
        _close(w, tw)
    else:
        assert w is None and tw is None
    loss = (out * tl.tensor(np.cos(np.arange(out.numel())).reshape(out.shape))).sum()
    tloss = (tout * torch.tensor(np.cos(np.arange(tout.numel())).reshape(tout.shape))).sum()
    if call["need_weights"]:
        loss = loss + (w * w).sum()
        tloss = tloss + (tw * tw).sum()
    loss.backward()
    tloss.backward()
    _check_grads(m, tm, [(q, tq), (k, tk), (v, tv)])


@pytest.mark.parametrize("cfg", [dict(), dict(bias=False), dict(kdim=3, vdim=5), dict(add_bias_kv=True),
                                 dict(kdim=2, add_bias_kv=True, bias=False, batch_first=True)])
def test_multihead_attention_state_dict_and_init(cfg):
    tm = torch.nn.MultiheadAttention(6, 3, **cfg)
    tl.manual_seed(0)
    m = nn.MultiheadAttention(6, 3, **cfg)
    assert list(m.state_dict()) == list(tm.state_dict())
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in tm.named_parameters()]
    for (n, p), tp in zip(m.state_dict().items(), tm.state_dict().values()):
        assert tuple(p.shape) == tuple(tp.shape), n
    assert repr(m) == repr(tm)
    assert m.head_dim == 2 and m._qkv_same_embed_dim == tm._qkv_same_embed_dim
    sd = m.state_dict()
    for name in ("in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight"):
        if name in sd:
            fan_out, fan_in = sd[name].shape
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            vals = _np(sd[name])
            assert np.abs(vals).max() <= bound and np.abs(vals).max() > 0.5 * bound    # xavier_uniform_
    if "in_proj_bias" in sd:
        assert np.all(_np(sd["in_proj_bias"]) == 0) and np.all(_np(sd["out_proj.bias"]) == 0)
    if m.bias_k is None:
        assert tm.bias_k is None
    out_w = _np(sd["out_proj.weight"])
    assert np.abs(out_w).max() <= 1 / math.sqrt(6)      # Linear's default init on out_proj


def test_multihead_attention_bias_kv_init_is_xavier_normal():
    tl.manual_seed(1)
    m = nn.MultiheadAttention(2000, 1, add_bias_kv=True)
    std = math.sqrt(2.0 / (2000 + 2000))
    for p in (m.bias_k, m.bias_v):
        assert abs(_np(p).std() / std - 1) < 0.1 and abs(_np(p).mean()) < 0.1 * std


def test_multihead_attention_gradcheck_and_double_backward():
    rng = np.random.default_rng(4)
    m = nn.MultiheadAttention(4, 2, kdim=3, add_bias_kv=True).double()
    q = tl.tensor(rng.standard_normal((2, 1, 4)), requires_grad=True)
    k = tl.tensor(rng.standard_normal((3, 1, 3)), requires_grad=True)
    v = tl.tensor(rng.standard_normal((3, 1, 4)), requires_grad=True)
    mask = tl.tensor(np.array([[False, True, False], [False, False, False]]))

    def fn(q, k, v):
        return m(q, k, v, attn_mask=mask)[0]
    assert tl.autograd.gradcheck(fn, [q, k, v])
    assert tl.autograd.gradgradcheck(fn, [q, k, v])

    def fn_weights(q, k, v):
        return m(q, k, v, need_weights=True, average_attn_weights=False)[1]
    assert tl.autograd.gradcheck(fn_weights, [q, k, v])


def test_multihead_attention_fully_masked_rows_as_torch():
    """Fully padded keys: NaN from the weights path; 0 from the SDPA path (need_weights=False);
    NaN from torch's fused inference path (eval, no grad, batch_first self-attention)."""
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(4, 2, batch_first=True).double()
    m = nn.MultiheadAttention(4, 2, batch_first=True).double()
    _copy_weights(tm, m)
    x, tx = _pair(np.random.default_rng(5).standard_normal((2, 3, 4)), grad=False)
    kpm = np.zeros((2, 3), bool)
    kpm[1] = True
    for train in (True, False):
        m.train(train)
        tm.train(train)
        for nw in (True, False):
            for grad in (True, False):
                with torch.set_grad_enabled(grad), tl.set_grad_enabled(grad):
                    out, w = m(x, x, x, key_padding_mask=tl.tensor(kpm), need_weights=nw)
                    tout, tw = tm(tx, tx, tx, key_padding_mask=torch.tensor(kpm), need_weights=nw)
                _close(out, tout, f"train={train} need_weights={nw} grad={grad}")
                assert (w is None) == (tw is None)
                if w is not None:
                    _close(w, tw)


def test_multihead_attention_is_causal_hint():
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(4, 2).double()
    m = nn.MultiheadAttention(4, 2).double()
    _copy_weights(tm, m)
    x, tx = _pair(np.random.default_rng(6).standard_normal((3, 2, 4)))
    causal = nn.Transformer.generate_square_subsequent_mask(3, dtype=tl.float64)
    tcausal = torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64)
    for nw in (True, False):
        out = m(x, x, x, attn_mask=causal, is_causal=True, need_weights=nw)[0]
        _close(out, tm(tx, tx, tx, attn_mask=tcausal, is_causal=True, need_weights=nw)[0])
    with pytest.raises(RuntimeError, match="Need attn_mask"):
        m(x, x, x, is_causal=True)


def test_multihead_attention_errors():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="embed_dim=5"):
        nn.MultiheadAttention(5, 2)
    with pytest.raises(ValueError, match="greater than 0"):
        nn.MultiheadAttention(0, 2)
    m = nn.MultiheadAttention(4, 2)
    q = tl.randn(3, 2, 4)
    with pytest.raises(AssertionError, match="does not match value shape"):
        m(q, q[:2], q)
    with pytest.raises(RuntimeError, match=r"2D attn_mask is \(2, 2\), but should be \(3, 3\)"):
        m(q, q, q, attn_mask=tl.ones(2, 2))
    with pytest.raises(RuntimeError, match=r"3D attn_mask is \(1, 3, 3\), but should be \(4, 3, 3\)"):
        m(q, q, q, attn_mask=tl.ones(1, 3, 3))
    with pytest.raises(AssertionError, match="only bool and floating types of key_padding_mask"):
        m(q, q, q, key_padding_mask=tl.ones(2, 3, dtype=tl.int64))
    with pytest.raises(AssertionError, match=r"key_padded_mask.shape\[0\] to be 2, but got 3"):
        m(q, q, q, key_padding_mask=tl.ones(3, 3, dtype=tl.bool))
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 2-D"):
        m(q[0], q, q)
    with pytest.raises(AssertionError, match="received 1-D query"):
        m(q[0, 0], q[0, 0], q[0, 0])
    with pytest.raises(AssertionError, match="embedding dimension of 4, but got 5"):
        m(tl.randn(3, 2, 5), q, q)
    with pytest.raises(AssertionError, match=r"Expected `attn_mask` shape to be \(2, 3, 3\)"):
        m(q[:, 0], q[:, 0], q[:, 0], attn_mask=tl.ones(1, 3, 3))
    with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
        m(q, q, q, key_padding_mask=tl.zeros(2, 3, dtype=tl.bool), attn_mask=tl.zeros(3, 3))


# ================================================================== Transformer layers
ACTS = {"relu": ("relu", "relu"), "gelu": ("gelu", "gelu"),
        "callable": (lambda x: F.tanh(x) * 2, lambda x: torch.tanh(x) * 2),
        "module": (nn.GELU(), torch.nn.GELU())}


def _layer_pair(kind, act, **cfg):
    a, ta = ACTS[act]
    torch.manual_seed(0)
    T = getattr(torch.nn, kind)
    L = getattr(nn, kind)
    tm = T(8, 2, 16, dropout=0.0, activation=ta, **cfg).double()
    m = L(8, 2, 16, dropout=0.0, activation=a, **cfg).double()
    _copy_weights(tm, m)
    return m, tm


def _seq(rng, n, N, batch_first, d=8):
    return _pair(rng.standard_normal((N, n, d) if batch_first else (n, N, d)))


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("act", list(ACTS))
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_matches_torch(norm_first, act, batch_first):
    m, tm = _layer_pair("TransformerEncoderLayer", act, norm_first=norm_first, batch_first=batch_first)
    rng = np.random.default_rng(7)
    x, tx = _seq(rng, 5, 2, batch_first)
    pad = np.zeros((2, 5), bool)
    pad[1, 3:] = True
    mask = rng.standard_normal((5, 5))
    out = m(x, src_mask=tl.tensor(mask), src_key_padding_mask=tl.tensor(pad))
    tout = tm(tx, src_mask=torch.tensor(mask), src_key_padding_mask=torch.tensor(pad))
    _close(out, tout)
    out.pow(2).sum().backward()
    tout.pow(2).sum().backward()
    _check_grads(m, tm, [(x, tx)])
    assert m.activation_relu_or_gelu == tm.activation_relu_or_gelu


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("act", ["relu", "gelu", "callable"])
def test_decoder_layer_matches_torch(norm_first, act):
    m, tm = _layer_pair("TransformerDecoderLayer", act, norm_first=norm_first)
    rng = np.random.default_rng(8)
    y, ty = _seq(rng, 4, 2, False)
    mem, tmem = _seq(rng, 5, 2, False)
    causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=tl.float64)
    tcausal = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    mpad = np.zeros((2, 5), bool)
    mpad[0, 4] = True
    out = m(y, mem, tgt_mask=causal, memory_key_padding_mask=tl.tensor(mpad), tgt_is_causal=True)
    tout = tm(ty, tmem, tgt_mask=tcausal, memory_key_padding_mask=torch.tensor(mpad), tgt_is_causal=True)
    _close(out, tout)
    out.pow(2).sum().backward()
    tout.pow(2).sum().backward()
    _check_grads(m, tm, [(y, ty), (mem, tmem)])
    assert list(m.state_dict()) == list(tm.state_dict())


def test_encoder_with_final_norm_matches_torch():
    torch.manual_seed(0)
    tlayer = _quiet(torch.nn.TransformerEncoderLayer, 8, 2, 16, dropout=0.0)
    tm = _quiet(torch.nn.TransformerEncoder, tlayer, 2, norm=torch.nn.LayerNorm(8)).double()
    m = _quiet(nn.TransformerEncoder, nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2,
               norm=nn.LayerNorm(8)).double()
    _copy_weights(tm, m)
    assert m.layers[0] is not m.layers[1] and m.layers[0].linear1.weight is not m.layers[1].linear1.weight
    rng = np.random.default_rng(9)
    x, tx = _seq(rng, 5, 3, False)
    causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=tl.float64)
    tcausal = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    pad = np.zeros((3, 5), bool)
    pad[2, 2:] = True
    for kw, tkw in (({}, {}), (dict(mask=causal), dict(mask=tcausal)),
                    (dict(mask=causal, src_key_padding_mask=tl.tensor(pad)),
                     dict(mask=tcausal, src_key_padding_mask=torch.tensor(pad))),
                    (dict(mask=causal, is_causal=True), dict(mask=tcausal, is_causal=True))):
        m.zero_grad()
        tm.zero_grad()
        out, tout = m(x, **kw), tm(tx, **tkw)
        _close(out, tout)
        out.sum().backward()
        (tout.sum()).backward()
        _check_grads(m, tm, [])
    # unbatched (S, E)
    _close(m(x[:, 0], mask=causal), tm(tx[:, 0], mask=tcausal))


def test_encoder_inference_with_padding_as_torch():
    """In eval mode without grad, torch runs a batch-first encoder on nested tensors: padded
    positions come out as 0 (then through the final norm), and fully padded rows stay finite."""
    torch.manual_seed(0)
    tm = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2,
                                     norm=torch.nn.LayerNorm(8)).double().eval()
    m = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2,
                              norm=nn.LayerNorm(8)).double().eval()
    assert m.use_nested_tensor and tm.use_nested_tensor
    _copy_weights(tm, m)
    x, tx = _pair(np.random.default_rng(10).standard_normal((3, 5, 8)), grad=False)
    pad = np.zeros((3, 5), bool)
    pad[0, 3:] = True
    pad[2, 1:] = True
    for grad in (False, True):
        with torch.set_grad_enabled(grad), tl.set_grad_enabled(grad):
            out = m(x, src_key_padding_mask=tl.tensor(pad))
            tout = tm(tx, src_key_padding_mask=torch.tensor(pad))
        _close(out, tout, f"grad={grad}")
    # a single layer's fused path: fully padded sequences give NaN, as torch
    pad[1] = True
    with torch.no_grad(), tl.no_grad():
        _close(m.layers[0](x, src_key_padding_mask=tl.tensor(pad)),
               tm.layers[0](tx, src_key_padding_mask=torch.tensor(pad)))


def test_encoder_nested_tensor_warning_as_torch():
    for kw in (dict(), dict(batch_first=True, norm_first=True), dict(batch_first=True, bias=False),
               dict(batch_first=True, activation=lambda x: x), dict(batch_first=True)):
        nhead = 2 if kw != dict(batch_first=True) else 1
        with warnings.catch_warnings(record=True) as got:
            warnings.simplefilter("always")
            m = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, nhead, 8, **kw), 1)
        with warnings.catch_warnings(record=True) as want:
            warnings.simplefilter("always")
            tm = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(4, nhead, 8, **kw), 1)
        assert [str(w.message) for w in got] == [str(w.message) for w in want]
        assert m.use_nested_tensor == tm.use_nested_tensor


@pytest.mark.parametrize("cfg", [dict(), dict(norm_first=True, batch_first=True, activation="gelu")])
def test_transformer_matches_torch(cfg):
    torch.manual_seed(0)
    tm = _quiet(torch.nn.Transformer, 8, 2, 1, 1, 16, dropout=0.0, **cfg).double()
    m = _quiet(nn.Transformer, 8, 2, 1, 1, 16, dropout=0.0, **cfg).double()
    _copy_weights(tm, m)
    bf = cfg.get("batch_first", False)
    rng = np.random.default_rng(11)
    src, tsrc = _seq(rng, 5, 2, bf)
    tgt, ttgt = _seq(rng, 4, 2, bf)
    tmask = nn.Transformer.generate_square_subsequent_mask(4, dtype=tl.float64)
    ttmask = torch.nn.Transformer.generate_square_subsequent_mask(4, dtype=torch.float64)
    spad = np.zeros((2, 5), bool)
    spad[1, 4] = True
    tpad = np.zeros((2, 4), bool)
    tpad[0, 3] = True
    out = m(src, tgt, tgt_mask=tmask, src_key_padding_mask=tl.tensor(spad), tgt_key_padding_mask=tl.tensor(tpad),
            memory_key_padding_mask=tl.tensor(spad), memory_mask=tl.zeros(4, 5, dtype=tl.float64))
    tout = tm(tsrc, ttgt, tgt_mask=ttmask, src_key_padding_mask=torch.tensor(spad),
              tgt_key_padding_mask=torch.tensor(tpad), memory_key_padding_mask=torch.tensor(spad),
              memory_mask=torch.zeros(4, 5, dtype=torch.float64))
    _close(out, tout)
    out.pow(2).sum().backward()
    tout.pow(2).sum().backward()
    _check_grads(m, tm, [(src, tsrc), (tgt, ttgt)])
    # causal flags
    _close(m(src, tgt, tgt_mask=tmask, tgt_is_causal=True), tm(tsrc, ttgt, tgt_mask=ttmask, tgt_is_causal=True))


def test_transformer_state_dict_init_and_mask():
    torch.manual_seed(0)
    tm = _quiet(torch.nn.Transformer, 8, 2, 2, 1, 16)
    m = _quiet(nn.Transformer, 8, 2, 2, 1, 16)
    assert list(m.state_dict()) == list(tm.state_dict())
    # (one layer each: torch's ModuleList repr folds repeated layers into "(0-1): 2 x ...")
    assert repr(_quiet(nn.Transformer, 8, 2, 1, 1, 16)) == repr(_quiet(torch.nn.Transformer, 8, 2, 1, 1, 16))
    for (n, p), tp in zip(m.named_parameters(), tm.parameters()):
        assert tuple(p.shape) == tuple(tp.shape), n
        vals = _np(p)
        if p.ndim > 1:                         # xavier_uniform_ on every matrix
            bound = math.sqrt(6.0 / (p.shape[0] + p.shape[1]))
            assert np.abs(vals).max() <= bound and np.abs(vals).max() > 0.5 * bound, n
        elif n.endswith("norm1.weight") or n.endswith("norm.weight"):
            assert np.all(vals == 1)
    assert m.d_model == 8 and m.nhead == 2 and m.batch_first is False
    for sz in (1, 4):
        _close(nn.Transformer.generate_square_subsequent_mask(sz),
               torch.nn.Transformer.generate_square_subsequent_mask(sz))
    assert nn.Transformer.generate_square_subsequent_mask(3).dtype is tl.float32
    # bias=False everywhere (LayerNorm's bias too)
    tb = _quiet(torch.nn.Transformer, 8, 2, 1, 1, 16, bias=False)
    assert list(_quiet(nn.Transformer, 8, 2, 1, 1, 16, bias=False).state_dict()) == list(tb.state_dict())


def test_transformer_dropout_in_training_mode():
    m = _quiet(nn.Transformer, 8, 2, 1, 1, 16, dropout=0.5).double()
    src, tgt = tl.randn(5, 2, 8, dtype=tl.float64), tl.randn(4, 2, 8, dtype=tl.float64)
    tl.manual_seed(3)
    a = m(src, tgt)
    tl.manual_seed(3)
    b = m(src, tgt)
    _close(a, b)
    m.eval()
    c, d = m(src, tgt), m(src, tgt)
    _close(c, d)
    assert not np.allclose(_np(a), _np(c))


def test_transformer_errors():
    m = _quiet(nn.Transformer, 8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="batch number of src and tgt must be equal"):
        m(tl.randn(5, 2, 8), tl.randn(4, 3, 8))
    with pytest.raises(RuntimeError, match="feature number of src and tgt must be equal to d_model"):
        m(tl.randn(5, 2, 8), tl.randn(4, 2, 6))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.TransformerDecoderLayer(8, 3)


def test_decoder_stack_with_bool_causal_mask_matches_torch():
    torch.manual_seed(0)
    tm = torch.nn.TransformerDecoder(torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2,
                                     norm=torch.nn.LayerNorm(8)).double()
    m = nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2, norm=nn.LayerNorm(8)).double()
    _copy_weights(tm, m)
    rng = np.random.default_rng(12)
    y, ty = _seq(rng, 4, 2, False)
    mem, tmem = _seq(rng, 5, 2, False)
    upper = np.triu(np.ones((4, 4), bool), 1)            # True = masked: detected as causal
    out = m(y, mem, tgt_mask=tl.tensor(upper))
    tout = tm(ty, tmem, tgt_mask=torch.tensor(upper))
    _close(out, tout)
    out.sum().backward()
    tout.sum().backward()
    _check_grads(m, tm, [(y, ty), (mem, tmem)])


def test_functional_multi_head_attention_forward_static_kv():
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(4, 2).double()
    m = nn.MultiheadAttention(4, 2).double()
    _copy_weights(tm, m)
    rng = np.random.default_rng(13)
    q, tq = _pair(rng.standard_normal((3, 2, 4)))
    sk, tsk = _pair(rng.standard_normal((4, 5, 2)))
    sv, tsv = _pair(rng.standard_normal((4, 5, 2)))

    def call(fn, mod, q, sk, sv):
        return fn(q, q, q, 4, 2, mod.in_proj_weight, mod.in_proj_bias, None, None, False, 0.0, mod.out_proj.weight,
                  mod.out_proj.bias, static_k=sk, static_v=sv)
    out, w = call(F.multi_head_attention_forward, m, q, sk, sv)
    tout, tw = call(TF.multi_head_attention_forward, tm, tq, tsk, tsv)
    _close(out, tout)
    _close(w, tw)
    (out.sum() + w.pow(2).sum()).backward()
    (tout.sum() + tw.pow(2).sum()).backward()
    _check_grads(m, tm, [(q, tq), (sk, tsk), (sv, tsv)])
