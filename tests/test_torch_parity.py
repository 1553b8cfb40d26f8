"""Parity with PyTorch (the spec): random programs and every op individually compute the same
forward values and the same input gradients in tensorlite and torch, on the same data."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
from tensorlite.testing.strategies import (float_dtypes, shapes, broadcastable_shapes, hard_arrays, smooth_arrays,
                        layouts, to_layout, dims, dim_int, keepdims, tl_tensor, torch_tensor, index_case,
                        numel)

F64 = np.float64


def _np(t):
    """numpy values of a tensorlite or torch tensor."""
    if isinstance(t, tl.Tensor):
        return np.asarray(t.detach()._data)
    return t.detach().numpy(force=True)      # force: torch's second-order grads may be ZeroTensors


def _tols(dtype, scale=1.0):
    if np.dtype(dtype) == np.float32:
        return dict(rtol=2e-4, atol=2e-4 * max(scale, 1.0))
    return dict(rtol=1e-9, atol=1e-9 * max(scale, 1.0))


def assert_same(a_tl, a_th, dtype, scale=1.0, what=""):
    x, y = _np(a_tl), _np(a_th)
    assert x.shape == y.shape, f"{what}: shape {x.shape} vs torch {y.shape}"
    if y.dtype.kind in "biu":
        assert x.dtype == y.dtype, f"{what}: dtype {x.dtype} vs torch {y.dtype}"
        np.testing.assert_array_equal(x, y, err_msg=what)
        return
    assert x.dtype == y.dtype, f"{what}: dtype {x.dtype} vs torch {y.dtype}"
    np.testing.assert_allclose(x.astype(F64), y.astype(F64), equal_nan=True, err_msg=what, **_tols(dtype, scale))


def _as_tuple(out):
    return tuple(out) if isinstance(out, (tuple, list)) else (out,)


def _torch_index(torch, idx):
    return tuple(torch.from_numpy(np.array(i.numpy())) if isinstance(i, tl.Tensor) else
                 torch.from_numpy(np.array(i)) if isinstance(i, np.ndarray) else i for i in idx)


def check_parity(torch, fn, arrays, dtype, data, scale=None, grad=True):
    """fn(m, *tensors) with m = tensorlite or torch: outputs and input gradients must agree.
    tensorlite inputs are drawn in a non-contiguous layout; the upstream gradient is random."""
    xs_tl = [tl_tensor(to_layout(a, data.draw(layouts)), grad) for a in arrays]
    xs_th = [torch_tensor(torch, a, grad) for a in arrays]
    out_tl, out_th = _as_tuple(fn(tl, *xs_tl)), _as_tuple(fn(torch, *xs_th))
    assert len(out_tl) == len(out_th)
    if scale is None:
        scale = max([np.abs(a).max(initial=1.0) for a in arrays])
    loss_tl, loss_th = 0, 0
    for i, (o_tl, o_th) in enumerate(zip(out_tl, out_th)):
        assert_same(o_tl, o_th, dtype, scale, f"output {i}")
        if grad and o_th.dtype.is_floating_point and o_th.requires_grad:
            w = data.draw(hard_arrays(tuple(o_th.shape), F64, -2, 2)).astype(np.dtype(dtype))
            loss_tl = loss_tl + (o_tl * tl.tensor(w)).sum()
            loss_th = loss_th + (o_th * torch.from_numpy(w)).sum()
    if grad and isinstance(loss_th, torch.Tensor):
        loss_th.backward()
        loss_tl.backward()
        for i, (x_tl, x_th) in enumerate(zip(xs_tl, xs_th)):
            if x_th.grad is None:
                assert x_tl.grad is None or not np.any(_np(x_tl.grad)), f"input {i}: torch has no grad"
            else:
                assert x_tl.grad is not None, f"input {i}: no gradient"
                assert_same(x_tl.grad, x_th.grad, dtype, 2 * scale, f"grad of input {i}")
    return out_tl, out_th


# ====================================================================== per-op parity
F = "nn.functional"


def _fn(m, name):
    obj = m
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


UNARY = {
    "neg": lambda m, x: -x, "exp": lambda m, x: x.exp(), "log": lambda m, x: x.log(),
    "log1p": lambda m, x: x.log1p(), "sqrt": lambda m, x: x.sqrt(), "rsqrt": lambda m, x: x.rsqrt(),
    "abs": lambda m, x: x.abs(), "sign": lambda m, x: x.sign(), "sin": lambda m, x: x.sin(),
    "cos": lambda m, x: x.cos(), "tanh": lambda m, x: x.tanh(), "sigmoid": lambda m, x: x.sigmoid(),
    "relu": lambda m, x: x.relu(), "leaky_relu": lambda m, x: _fn(m, F + ".leaky_relu")(x, 0.2),
    "gelu": lambda m, x: _fn(m, F + ".gelu")(x), "square": lambda m, x: x.square(),
    "gelu_tanh": lambda m, x: _fn(m, F + ".gelu")(x, approximate="tanh"),
    "reciprocal": lambda m, x: x.reciprocal(), "clamp": lambda m, x: x.clamp(-0.5, 1.0),
    "clamp_min": lambda m, x: m.clamp(x, min=0.5), "clamp_max": lambda m, x: m.clamp(x, max=-0.5),
    "clip": lambda m, x: x.clip(-1, 1), "floor": lambda m, x: x.floor(), "ceil": lambda m, x: x.ceil(),
    "round": lambda m, x: x.round(), "trunc": lambda m, x: x.trunc(), "erf": lambda m, x: x.erf(),
    "silu": lambda m, x: _fn(m, F + ".silu")(x), "softplus": lambda m, x: _fn(m, F + ".softplus")(x),
    "pow_int": lambda m, x: x ** 3, "pow_half": lambda m, x: x.abs() ** 0.5, "rpow": lambda m, x: 2 ** x,
    "rsub": lambda m, x: 1.5 - x, "rdiv": lambda m, x: 1.5 / x, "rmul": lambda m, x: 2 * x,
    "scalar_pow0": lambda m, x: x ** 0,
}
POSITIVE_DOMAIN = {"log", "log1p", "sqrt", "rsqrt"}        # includes 0 (inf gradients)
NONZERO_DOMAIN = {"reciprocal", "rdiv"}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data(), dtype=float_dtypes)
def test_unary_parity(torch, name, data, dtype):
    lo, hi = (0.0, 3.0) if name in POSITIVE_DOMAIN else (0.25, 3.0) if name in NONZERO_DOMAIN else (-3.0, 3.0)
    arr = data.draw(hard_arrays(data.draw(shapes(max_dims=3, allow_zero=True)), dtype, lo, hi))
    check_parity(torch, UNARY[name], [arr], dtype, data)


@given(data=st.data(), dtype=float_dtypes)
def test_relu6_parity_off_the_kinks(torch, data, dtype):
    # Off 0 and 6 only: at them torch's relu6 (hardtanh) has gradient 0, tensorlite's
    # (clamp, in tensorlite/nn, not covered here) has 1. Reported as a divergence.
    arr = data.draw(smooth_arrays(data.draw(shapes(max_dims=3)), dtype, -3, 3))
    check_parity(torch, lambda m, x: _fn(m, F + ".relu6")(x * 3), [arr], dtype, data)


BINARY = {
    "add": lambda m, a, b: a + b, "sub": lambda m, a, b: a - b, "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / b, "pow": lambda m, a, b: a ** b, "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b), "add_alpha": lambda m, a, b: m.add(a, b, alpha=-2),
    "clamp_tensor_min": lambda m, a, b: a.clamp(min=b), "clamp_tensor_max": lambda m, a, b: m.clamp(a, max=b),
    "where": lambda m, a, b: m.where(a > b, a, b), "where_eq": lambda m, a, b: m.where(a == b, a * 2, b),
    "eq": lambda m, a, b: a == b, "lt": lambda m, a, b: a < b, "ge": lambda m, a, b: a >= b,
    "masked_fill": lambda m, a, b: (a.masked_fill(b > 0, 0.5) if _fits(b, a) else
                                         b.masked_fill(a > 0, 0.5) if _fits(a, b) else a + b),
}


def _fits(small, big):
    """small broadcasts to big's shape (as a masked_fill mask must)."""
    return np.broadcast_shapes(tuple(small.shape), tuple(big.shape)) == tuple(big.shape)


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data(), dtype=float_dtypes)
def test_binary_parity(torch, name, data, dtype):
    sa, sb = data.draw(broadcastable_shapes(2, max_dims=4, max_side=3))
    lo = 0.0 if name == "pow" else -2.0
    a = data.draw(hard_arrays(sa, dtype, lo, 2.0))
    b = data.draw(hard_arrays(sb, dtype, -2.0, 2.0))
    if name == "div":           # the 0/0 and x/0 cases too, but not so many that all is inf
        b = np.where(b == 0, np.asarray(0.5, dtype), b) if data.draw(st.booleans()) else b
    check_parity(torch, BINARY[name], [a, b], dtype, data, scale=30)


@given(data=st.data())
def test_dtype_promotion_parity(torch, data):
    kinds = ["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64"]

    def operand(kind_strategy):
        kind = data.draw(kind_strategy)
        if kind == "py_int":
            return 3, 3
        if kind == "py_float":
            return 1.5, 1.5
        if kind == "py_bool":
            return True, True
        shape = data.draw(st.sampled_from([(), (2,), (1, 2)]))
        arr = np.asarray(np.arange(numel(shape)).reshape(shape) % 2 + 1).astype(kind)
        return tl.tensor(arr), torch.from_numpy(arr.copy())

    a_tl, a_th = operand(st.sampled_from(kinds))
    b_tl, b_th = operand(st.sampled_from(kinds + ["py_int", "py_float", "py_bool"]))
    for name, op in (("add", lambda a, b: a + b), ("mul", lambda a, b: a * b), ("div", lambda a, b: a / b),
                     ("maximum", lambda a, b: tl.maximum(a, b) if isinstance(a, tl.Tensor) else None),
                     ("radd", lambda a, b: b + a), ("lt", lambda a, b: a < b)):
        if name == "maximum":
            if not isinstance(b_tl, tl.Tensor):
                continue
            out_tl, out_th = tl.maximum(a_tl, b_tl), torch.maximum(a_th, b_th)
        else:
            try:
                out_th = op(a_th, b_th)
            except RuntimeError:       # e.g. bool - bool: torch refuses, so must we
                with pytest.raises((RuntimeError, TypeError)):
                    op(a_tl, b_tl)
                continue
            out_tl = op(a_tl, b_tl)
        assert str(out_tl.dtype).split(".")[-1] == str(out_th.dtype).split(".")[-1], (name, a_th, b_th)
        np.testing.assert_allclose(_np(out_tl).astype(F64), _np(out_th).astype(F64), rtol=1e-6)


# ---------------------------------------------------------------- reductions
REDUCTIONS = {
    "sum": lambda m, x, d, k: x.sum(d, keepdim=k) if d is not None else x.sum(),
    "mean": lambda m, x, d, k: x.mean(d, keepdim=k) if d is not None else x.mean(),
    "var": lambda m, x, d, k: x.var(d, keepdim=k, correction=0),
    "var_unbiased": lambda m, x, d, k: x.var(d, keepdim=k),
    "std": lambda m, x, d, k: x.std(d, keepdim=k, correction=0),
    "std_unbiased": lambda m, x, d, k: x.std(d, keepdim=k),
    "amax": lambda m, x, d, k: x.amax(() if d is None else d, keepdim=k),
    "amin": lambda m, x, d, k: m.amin(x, () if d is None else d, keepdim=k),
    "logsumexp": lambda m, x, d, k: m.logsumexp(x, 0 if d is None else d, keepdim=k),
    "max_full": lambda m, x, d, k: x.max(),
    "min_full": lambda m, x, d, k: x.min(),
    "max_dim": lambda m, x, d, k: tuple(x.max(d if isinstance(d, int) else 0, keepdim=k)),
    "min_dim": lambda m, x, d, k: tuple(m.min(x, d if isinstance(d, int) else -1, k)),
    "argmax": lambda m, x, d, k: x.argmax(d if isinstance(d, int) else None, keepdim=k),
    "argmin": lambda m, x, d, k: x.argmin(d if isinstance(d, int) else None, keepdim=k),
    "prod": lambda m, x, d, k: x.prod(d, keepdim=k) if isinstance(d, int) else x.prod(),
    "softmax": lambda m, x, d, k: x.softmax(d if isinstance(d, int) else -1),
    "log_softmax": lambda m, x, d, k: _fn(m, F + ".log_softmax")(x, d if isinstance(d, int) else 0),
    "cumsum": lambda m, x, d, k: x.cumsum(d if isinstance(d, int) else 0),
}
LARGE_OK = {"sum", "mean", "amax", "amin", "logsumexp", "max_full", "min_full", "max_dim", "min_dim", "argmax",
            "argmin", "softmax", "log_softmax", "cumsum"}


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")     # torch warns on 1-sample var/std
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data(), dtype=float_dtypes)
def test_reduction_parity(torch, name, data, dtype):
    shape = data.draw(shapes(max_dims=3))
    arr = data.draw(hard_arrays(shape, dtype, -2, 2, large=name in LARGE_OK))
    d, k = data.draw(dims(len(shape))), data.draw(keepdims)
    scale = np.abs(arr).sum(initial=1.0) if name in ("sum", "cumsum") else None
    check_parity(torch, lambda m, x: REDUCTIONS[name](m, x, d, k), [arr], dtype, data, scale=scale)


def test_max_dim_returns_values_and_indices(torch):
    arr = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, -1.0], [0.0, 0.0, 0.0]])
    x_tl, x_th = tl.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
    r_tl, r_th = x_tl.max(dim=1), x_th.max(dim=1)
    v_tl, i_tl = r_tl
    assert r_tl.values is v_tl or np.array_equal(_np(r_tl.values), _np(v_tl))
    np.testing.assert_array_equal(_np(r_tl.values), _np(r_th.values))
    np.testing.assert_array_equal(_np(r_tl.indices), _np(r_th.indices))
    assert r_tl.indices.dtype is tl.int64 and r_tl.indices.tolist() == [1, 0, 0]
    (r_tl.values * tl.tensor([1.0, 2.0, 3.0], dtype=tl.float64)).sum().backward()
    (r_th.values * torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(_np(x_tl.grad), _np(x_th.grad))
    k_tl, k_th = tl.tensor(arr).min(0, keepdim=True), torch.tensor(arr).min(0, keepdim=True)
    np.testing.assert_array_equal(_np(k_tl.values), _np(k_th.values))
    np.testing.assert_array_equal(_np(k_tl.indices), _np(k_th.indices))


# ---------------------------------------------------------------- matmul
@st.composite
def matmul_shapes(draw, allow_zero=False):
    lo = 0 if allow_zero else 1
    m, k, n = (draw(st.integers(lo, 3)) for _ in range(3))
    ba, bb = draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    kind_a, kind_b = draw(st.sampled_from(["1d", "2d", "nd"])), draw(st.sampled_from(["1d", "2d", "nd"]))
    sa = {"1d": (k,), "2d": (m, k), "nd": ba + (m, k)}[kind_a]
    sb = {"1d": (k,), "2d": (k, n), "nd": bb + (k, n)}[kind_b]
    return sa, sb


@given(data=st.data(), dtype=float_dtypes, sh=matmul_shapes(allow_zero=True))
def test_matmul_parity(torch, data, dtype, sh):
    a, b = (data.draw(hard_arrays(s, dtype, -2, 2)) for s in sh)
    check_parity(torch, lambda m, x, y: x @ y, [a, b], dtype, data, scale=4 * max(sh[0][-1], 1))


@given(data=st.data(), dtype=float_dtypes)
def test_linear_parity(torch, data, dtype):
    in_f, out_f = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    lead = data.draw(shapes(max_dims=2, max_side=3))
    x = data.draw(hard_arrays(lead + (in_f,), dtype, -2, 2))
    w = data.draw(hard_arrays((out_f, in_f), dtype, -2, 2))
    b = data.draw(hard_arrays((out_f,), dtype, -2, 2))
    check_parity(torch, lambda m, *t: _fn(m, F + ".linear")(*t), [x, w, b], dtype, data, scale=4 * in_f)


# ---------------------------------------------------------------- movement and indexing
def _movement_ops(data, shape):
    nd = len(shape)
    ops = {"reshape": lambda m, x: x.reshape(-1), "reshape_rev": lambda m, x: x.reshape(shape[::-1]),
           "flatten": lambda m, x: x.flatten(), "squeeze": lambda m, x: x.squeeze(),
           "contiguous": lambda m, x: x.contiguous(), "clone": lambda m, x: x.clone()}
    u = data.draw(st.integers(-nd - 1, nd))
    ops["unsqueeze"] = lambda m, x: x.unsqueeze(u)
    target = (2,) * data.draw(st.integers(0, 2)) + tuple(data.draw(st.sampled_from([1, 3])) if s == 1 else s
                                                       for s in shape)
    ops["expand"] = lambda m, x: x.expand(target)
    ops["expand_varargs"] = lambda m, x: x.expand(*target) if target else x.expand(target)
    ops["broadcast_to"] = lambda m, x: m.broadcast_to(x, target)
    reps = tuple(data.draw(st.integers(0, 2)) for _ in range(nd + data.draw(st.integers(0, 1))))
    if reps:
        ops["repeat"] = lambda m, x: x.repeat(*reps)
    if nd:
        d0, d1, d = data.draw(dim_int(nd)), data.draw(dim_int(nd)), data.draw(dim_int(nd))
        perm = data.draw(st.permutations(range(nd)))
        fd = tuple(data.draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=1)))
        size = data.draw(st.integers(1, 3))
        chunks = data.draw(st.integers(1, 4))
        pad = tuple(data.draw(st.integers(-1 if shape[-1] > 2 else 0, 2)) for _ in range(2))
        ops.update({
            "transpose": lambda m, x: x.transpose(d0, d1), "permute": lambda m, x: x.permute(*perm),
            "T": lambda m, x: x.permute(*reversed(range(nd))), "flip": lambda m, x: x.flip(fd),
            "squeeze_dim": lambda m, x: x.squeeze(d), "split": lambda m, x: x.split(size, d),
            "chunk": lambda m, x: x.chunk(chunks, d), "cat": lambda m, x: m.cat([x, x * 2, x[:0] if nd == 1
                                                                                else x], d),
            "stack": lambda m, x: m.stack([x, -x], d), "narrow": lambda m, x: x.narrow(d, 0, shape[d] // 2),
            "select": lambda m, x: x.select(d, -1), "unbind": lambda m, x: x.unbind(d),
            "pad": lambda m, x: _fn(m, F + ".pad")(x, pad, value=0.25),
            "flatten_range": lambda m, x: x.flatten(min(d0 % nd, d1 % nd), max(d0 % nd, d1 % nd)),
            "roll": lambda m, x: x.roll(1, d), "tile": lambda m, x: x.tile((2,)),
        })
        if nd >= 2:
            ops["mT"] = lambda m, x: x.mT
            ops["t"] = lambda m, x: x[0].t() if nd == 3 else x.t()
    return ops


@given(data=st.data(), dtype=float_dtypes)
def test_movement_parity(torch, data, dtype):
    shape = data.draw(shapes(max_dims=3, max_side=3))
    arr = data.draw(hard_arrays(shape, dtype, -2, 2))
    for name, fn in sorted(_movement_ops(data, shape).items()):
        try:
            check_parity(torch, fn, [arr], dtype, data)
        except AssertionError as e:
            raise AssertionError(f"{name}: {e}") from None


@given(data=st.data(), dtype=float_dtypes)
def test_indexing_parity(torch, data, dtype):
    shape = data.draw(shapes(max_dims=4, max_side=4, allow_zero=True))
    arr = data.draw(hard_arrays(shape, dtype, -2, 2))
    idx = data.draw(index_case(shape, allow_negative_step=False))
    check_parity(torch, lambda m, x: x[idx if m is tl else _torch_index(torch, idx)], [arr], dtype, data)


@given(data=st.data())
def test_setitem_parity(torch, data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=4))
    arr = data.draw(hard_arrays(shape, F64, -2, 2))
    idx = data.draw(index_case(shape, allow_negative_step=False, unique_arrays=True))
    t_tl, t_th = tl.tensor(arr), torch.tensor(arr)
    target = tuple(t_th[_torch_index(torch, idx)].shape)
    value = data.draw(st.one_of(st.just(-7.5), hard_arrays(target, F64, -2, 2), hard_arrays(target[-1:], F64)))
    t_tl[idx] = value if isinstance(value, float) else tl.tensor(value)
    t_th[_torch_index(torch, idx)] = value if isinstance(value, float) else torch.from_numpy(value)
    np.testing.assert_array_equal(_np(t_tl), _np(t_th))


@given(data=st.data())
def test_gather_index_select_parity(torch, data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
    arr = data.draw(hard_arrays(shape, F64, -2, 2))
    d = data.draw(dim_int(len(shape))) % len(shape)
    ishape = list(shape)
    ishape[d] = data.draw(st.integers(0, 4))
    ishape = [data.draw(st.integers(1, s)) if i != d else s for i, s in enumerate(ishape)]
    index = np.asarray(data.draw(st.lists(st.integers(0, shape[d] - 1), min_size=numel(ishape),
                                          max_size=numel(ishape))), np.int64).reshape(ishape)
    check_parity(torch, lambda m, x: m.gather(x, d, m.tensor(index) if m is tl else torch.from_numpy(index)),
                 [arr], F64, data)
    sel = index.reshape(-1)
    check_parity(torch, lambda m, x: m.index_select(x, d, m.tensor(sel) if m is tl else torch.from_numpy(sel)),
                 [arr], F64, data)


# ====================================================================== random programs
def _bcast(a, b):
    try:
        np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
        return True
    except ValueError:
        return False


UNARY_STEPS = {
    "exp_tanh": lambda m, x: x.tanh().exp(), "sin": lambda m, x: x.sin(), "sigmoid": lambda m, x: x.sigmoid(),
    "relu": lambda m, x: x.relu(), "abs": lambda m, x: x.abs(), "square": lambda m, x: x * x,
    "sqrt1": lambda m, x: (x * x + 1).sqrt(), "log1": lambda m, x: (x.abs() + 1).log(),
    "clamp": lambda m, x: x.clamp(-1, 1), "neg_scale": lambda m, x: -0.5 * x + 0.25,
    "gelu": lambda m, x: _fn(m, F + ".gelu")(x), "leaky": lambda m, x: _fn(m, F + ".leaky_relu")(x, 0.1),
    "rdiv": lambda m, x: 1 / (x * x + 1), "pow": lambda m, x: (x.abs() + 0.5) ** 1.5,
}
BINARY_STEPS = {
    "add": lambda m, a, b: a + b, "sub": lambda m, a, b: a - b, "mul": lambda m, a, b: a * b,
    "div": lambda m, a, b: a / (b * b + 1), "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b), "where": lambda m, a, b: m.where(a > b, a, b * 2),
}


def _reduction_steps(data, nd):
    d = data.draw(dim_int(nd))
    return {
        "sum": lambda m, x: x.sum(d, keepdim=True), "mean": lambda m, x: x.mean(d, keepdim=True),
        "amax": lambda m, x: x.amax(d, keepdim=True), "lse": lambda m, x: m.logsumexp(x, d, keepdim=True),
        "softmax": lambda m, x: x.softmax(d), "log_softmax": lambda m, x: x.log_softmax(d),
        "var": lambda m, x: x.var(d, keepdim=True, correction=0), "max_dim": lambda m, x: x.max(d)[0],
        "sum_all": lambda m, x: x.sum(), "prod": lambda m, x: x.prod(d, keepdim=True),
    }


def _program(torch, data, dtype, n_inputs, n_steps, value_strategy):
    """Run one random program in both libraries. Returns the input leaves and final losses."""
    sh = data.draw(broadcastable_shapes(n_inputs, min_dims=1, max_dims=3, max_side=3))
    arrays = [data.draw(value_strategy(s)) for s in sh]
    ins_tl = [tl_tensor(to_layout(a, data.draw(layouts))) for a in arrays]
    ins_th = [torch_tensor(torch, a) for a in arrays]
    pool_tl, pool_th = list(ins_tl), list(ins_th)
    trace = []
    for _ in range(n_steps):
        kind = data.draw(st.sampled_from(["unary", "binary", "binary", "reduce", "matmul", "move"]))
        i = data.draw(st.integers(0, len(pool_tl) - 1))
        x_tl, x_th = pool_tl[i], pool_th[i]
        if kind == "binary":
            partners = [j for j in range(len(pool_tl)) if _bcast(pool_tl[j], x_tl)]
            j = data.draw(st.sampled_from(partners))
            name = data.draw(st.sampled_from(sorted(BINARY_STEPS)))
            y_tl, y_th = BINARY_STEPS[name](tl, x_tl, pool_tl[j]), BINARY_STEPS[name](torch, x_th, pool_th[j])
        elif kind == "reduce" and x_tl.ndim:
            ops = _reduction_steps(data, x_tl.ndim)
            name = data.draw(st.sampled_from(sorted(ops)))
            y_tl, y_th = ops[name](tl, x_tl), ops[name](torch, x_th)
        elif kind == "matmul" and x_tl.ndim >= 1:
            partners = [j for j in range(len(pool_tl)) if pool_tl[j].ndim >= 1
                        and pool_tl[j].shape[-1] == x_tl.shape[-1]
                        and (pool_tl[j].ndim < 3 or x_tl.ndim < 3 or
                             _bcast(pool_tl[j][..., 0, 0], x_tl[..., 0, 0]))]
            j = data.draw(st.sampled_from(partners))
            name = "matmul"
            other_tl = pool_tl[j].mT if pool_tl[j].ndim >= 2 else pool_tl[j]
            other_th = pool_th[j].mT if pool_th[j].ndim >= 2 else pool_th[j]
            y_tl, y_th = x_tl @ other_tl, x_th @ other_th
        elif kind == "move" and x_tl.ndim:
            name = data.draw(st.sampled_from(["transpose", "flip", "reshape", "unsqueeze", "index"]))
            if name == "transpose":
                y_tl, y_th = x_tl.transpose(0, -1), x_th.transpose(0, -1)
            elif name == "flip":
                y_tl, y_th = x_tl.flip(-1), x_th.flip(-1)
            elif name == "reshape":
                y_tl, y_th = x_tl.reshape(-1), x_th.reshape(-1)
            elif name == "unsqueeze":
                y_tl, y_th = x_tl.unsqueeze(0), x_th.unsqueeze(0)
            else:
                n = x_tl.shape[0]
                idx = np.asarray(data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4)), np.int64)
                y_tl, y_th = x_tl[tl.tensor(idx)], x_th[torch.from_numpy(idx)]
        else:
            name = data.draw(st.sampled_from(sorted(UNARY_STEPS)))
            y_tl, y_th = UNARY_STEPS[name](tl, x_tl), UNARY_STEPS[name](torch, x_th)
        trace.append(f"v{len(pool_tl)} = {name}(v{i}) {tuple(y_th.shape)}")
        pool_tl.append(y_tl)
        pool_th.append(y_th)
    # every value feeds the loss (with its own weight), so every input has a gradient
    loss_tl = sum((v * (1 + 0.25 * k)).sum() for k, v in enumerate(pool_tl))
    loss_th = sum((v * (1 + 0.25 * k)).sum() for k, v in enumerate(pool_th))
    return ins_tl, ins_th, pool_tl, pool_th, loss_tl, loss_th, "\n".join(trace)


@given(data=st.data(), dtype=float_dtypes, n_inputs=st.integers(1, 3), n_steps=st.integers(1, 8))
def test_random_programs(torch, data, dtype, n_inputs, n_steps):
    values = (lambda s: hard_arrays(s, dtype, -2, 2)) if dtype == F64 else \
        (lambda s: smooth_arrays(s, dtype, -2, 2, unique=True))      # float32: no exact ties to round apart
    ins_tl, ins_th, pool_tl, pool_th, loss_tl, loss_th, trace = _program(torch, data, dtype, n_inputs, n_steps,
                                                                        values)
    scale = 10.0 * (1 + n_steps)
    for k, (v_tl, v_th) in enumerate(zip(pool_tl, pool_th)):
        assert_same(v_tl, v_th, dtype, scale, f"value v{k} of program\n{trace}")
    assert_same(loss_tl, loss_th, dtype, scale * 10, f"loss of program\n{trace}")
    loss_tl.backward()
    loss_th.backward()
    for k, (x_tl, x_th) in enumerate(zip(ins_tl, ins_th)):
        assert_same(x_tl.grad, x_th.grad, dtype, scale * 10, f"grad of input {k} of program\n{trace}")


@settings(max_examples=max(5, settings.default.max_examples // 2))
@given(data=st.data(), n_inputs=st.integers(1, 2), n_steps=st.integers(1, 6))
def test_random_programs_second_derivatives(torch, data, n_inputs, n_steps):
    """autograd.grad(create_graph=True), then the gradient of <grad, v>: Hessian-vector products."""
    ins_tl, ins_th, _, _, loss_tl, loss_th, trace = _program(
        torch, data, F64, n_inputs, n_steps, lambda s: smooth_arrays(s, F64, -2, 2, unique=True))
    g_tl = tl.autograd.grad(loss_tl, ins_tl, create_graph=True)
    g_th = torch.autograd.grad(loss_th, ins_th, create_graph=True)
    vs = [data.draw(smooth_arrays(tuple(x.shape), F64, -1, 1)) for x in ins_th]
    for k, (a, b) in enumerate(zip(g_tl, g_th)):
        assert_same(a, b, F64, 100, f"grad {k} of program\n{trace}")
    hv_tl = sum((g * tl.tensor(v)).sum() for g, v in zip(g_tl, vs))
    hv_th = sum((g * torch.from_numpy(v)).sum() for g, v in zip(g_th, vs))
    if not hv_th.requires_grad:            # piecewise-linear program: no second-order graph in torch
        assert not hv_tl.requires_grad or all(
            h is None or not np.any(_np(h)) for h in tl.autograd.grad(hv_tl, ins_tl, allow_unused=True))
        return
    h_th = torch.autograd.grad(hv_th, ins_th, allow_unused=True)
    h_tl = tl.autograd.grad(hv_tl, ins_tl, allow_unused=True) if hv_tl.requires_grad else [None] * len(ins_tl)
    for k, (a, b) in enumerate(zip(h_tl, h_th)):
        if b is None:
            assert a is None or not np.any(_np(a)), f"second derivative {k}: torch has none\n{trace}"
        elif a is None:
            assert not np.any(_np(b)), f"second derivative {k}: tensorlite has none\n{trace}"
        else:
            assert_same(a, b, F64, 1000, f"second derivative {k} of program\n{trace}")


def test_autograd_grad_create_graph_hand_made(torch):
    def f(m, x, y):
        return (x ** 3).sum() + (x.sin() * y).sum() + (x * y).prod()

    arr_x, arr_y = np.array([0.5, -1.25, 2.0]), np.array([1.5, 0.75, -0.5])
    res = []
    for m in (tl, torch):
        x = (tl.tensor if m is tl else torch.tensor)(arr_x, requires_grad=True)
        y = (tl.tensor if m is tl else torch.tensor)(arr_y, requires_grad=True)
        gx, gy = m.autograd.grad(f(m, x, y), [x, y], create_graph=True)
        assert gx.requires_grad and gy.requires_grad
        hxx, hxy = m.autograd.grad(gx.sum(), [x, y], retain_graph=True)
        (third,) = m.autograd.grad((gx * gx).sum(), [y])
        res.append([_np(t) for t in (gx, gy, hxx, hxy, third)])
    for a, b in zip(*res):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)
    x = tl.tensor(arr_x, requires_grad=True)
    (g,) = tl.autograd.grad((x ** 3).sum(), x, create_graph=True)
    (h,) = tl.autograd.grad(g.sum(), x, create_graph=True)
    (t,) = tl.autograd.grad(h.sum(), x)
    np.testing.assert_allclose(_np(g), 3 * arr_x ** 2, rtol=1e-14)
    np.testing.assert_allclose(_np(h), 6 * arr_x, rtol=1e-14)
    np.testing.assert_allclose(_np(t), [6.0, 6.0, 6.0], rtol=1e-14)


# ====================================================================== in-place ops
@given(data=st.data())
def test_inplace_ops_without_grad_parity(torch, data):
    sa, sb = data.draw(broadcastable_shapes(2, max_dims=3))
    out_shape = np.broadcast_shapes(sa, sb)
    a = data.draw(hard_arrays(out_shape, F64, -2, 2))          # the target keeps its shape
    b = data.draw(hard_arrays(sb, F64, -2, 2))
    t_tl, t_th = tl.tensor(a), torch.tensor(a)
    o_tl, o_th = tl.tensor(b), torch.tensor(b)
    v0 = t_tl._version
    ops = [("add_", lambda t, o: t.add_(o)), ("add_alpha", lambda t, o: t.add_(o, alpha=2)),
           ("mul_", lambda t, o: t.mul_(o)), ("mul_scalar", lambda t, o: t.mul_(1.5)),
           ("clamp_", lambda t, o: t.clamp_(-1, 0.5)), ("clamp_min", lambda t, o: t.clamp_(min=0.0)),
           ("sub_", lambda t, o: t.sub_(o)), ("div_", lambda t, o: t.div_(2.0)),
           ("iadd", lambda t, o: t.__iadd__(o)), ("imul", lambda t, o: t.__imul__(o)),
           ("copy_", lambda t, o: t.copy_(o)), ("zero_", lambda t, o: t.zero_()),
           ("fill_", lambda t, o: t.fill_(0.25))]
    seq = data.draw(st.lists(st.sampled_from(ops), min_size=1, max_size=5))
    for k, (name, op) in enumerate(seq):
        r_tl = op(t_tl, o_tl)
        op(t_th, o_th)
        assert r_tl is t_tl, name                                # in-place ops return self
        np.testing.assert_allclose(_np(t_tl), _np(t_th), rtol=1e-12, err_msg=name)
        assert t_tl._version == v0 + k + 1                       # every write bumps the version
        assert t_tl.dtype is tl.float64 and tuple(t_tl.shape) == out_shape


def test_setitem_with_a_value_requiring_grad(torch):
    res = []
    for m in (tl, torch):
        t = m.zeros(2, 4, dtype=m.float64)
        v = m.tensor([1.0, 2.0], dtype=m.float64, requires_grad=True)
        t[1, [0, 2]] = v * 2
        t[0] = v.sum()
        assert t.requires_grad
        (t * m.arange(8.0, dtype=m.float64).reshape(2, 4)).sum().backward()
        res.append((_np(t).copy(), _np(v.grad).copy()))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    np.testing.assert_array_equal(res[0][1], res[1][1])


def test_inplace_on_views_writes_base(torch):
    for m in (tl, torch):
        x = m.zeros(3, 4, dtype=m.float64)
        x[1].add_(2.0)
        x[:, 0].mul_(3.0)
        x.T[2].copy_(m.arange(3.0, dtype=m.float64))
        x[0, 1:3].clamp_(min=5.0)
        x[2].zero_()
        if m is tl:
            got = _np(x)
        else:
            np.testing.assert_array_equal(got, _np(x))
    assert got.tolist() == [[0.0, 5.0, 5.0, 0.0], [6.0, 2.0, 1.0, 2.0], [0.0, 0.0, 0.0, 0.0]]


def test_inplace_integer_rules(torch):
    t_tl, t_th = tl.tensor([1, 2, 3]), torch.tensor([1, 2, 3])
    t_tl.add_(2)
    t_th.add_(2)
    assert t_tl.tolist() == t_th.tolist() and t_tl.dtype is tl.int64
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2]).add_(1.5)          # float result can't be cast to long in place
    with pytest.raises(RuntimeError):
        tl.tensor([1, 2]).add_(1.5)
    f = tl.tensor([1.0, 2.0])
    f.add_(tl.tensor([1, 1]))                    # int into float is fine
    assert f.tolist() == [2.0, 3.0] and f.dtype is tl.float32


def test_inplace_on_leaf_requiring_grad_raises(torch):
    for m in (tl, torch):
        for op in (lambda t: t.add_(1.0), lambda t: t.mul_(2.0), lambda t: t.zero_(), lambda t: t.clamp_(0, 1),
                   lambda t: t.copy_(m.ones(3, dtype=m.float64))):
            x = m.ones(3, dtype=m.float64, requires_grad=True)
            with pytest.raises(RuntimeError, match="leaf"):
                op(x)
            with m.no_grad():                   # allowed without grad mode (optimizer updates)
                op(x)
            assert x.requires_grad and x.is_leaf
    with pytest.raises(RuntimeError):
        x = tl.ones(3, requires_grad=True)
        x[0] = 5.0
    with tl.no_grad():
        x = tl.ones(3, requires_grad=True)
        x.sub_(tl.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [0.0, -1.0, -2.0] and x.grad_fn is None


def test_modified_saved_tensor_raises(torch):
    for m in (tl, torch):
        x = m.tensor([0.5, 1.0, 2.0], dtype=m.float64, requires_grad=True)
        y = x.exp()              # exp saves its output
        y.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
        x = m.tensor([0.5, 1.0, 2.0], dtype=m.float64, requires_grad=True)
        a = x * 2
        b = a * a                # mul saves its inputs
        a.mul_(3.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            b.sum().backward()
        w = m.tensor([1.0, 2.0, 3.0], dtype=m.float64)
        x = m.tensor([0.5, 1.0, 2.0], dtype=m.float64, requires_grad=True)
        z = x * w                # w is saved for x's gradient
        w.zero_()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()


def test_inplace_on_non_leaf_is_differentiable(torch):
    grads = []
    for m in (tl, torch):
        x = m.tensor([0.5, -1.0, 2.0], dtype=m.float64, requires_grad=True)
        y = x * 2                # add and mul by a constant don't need y's old value
        y.add_(1.0)
        y.mul_(3.0)
        y.clamp_(-1.0, 8.0)
        z = (y * y).sum()
        z.backward()
        grads.append((_np(x.grad).copy(), _np(y).copy(), z.item()))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12)
    assert grads[0][2] == pytest.approx(grads[1][2])
    # y = clamp(3 (2x + 1), -1, 8) = [6, -1 (clamped), 8 (clamped)]; dz/dx = 2y * 6 where not clamped
    assert grads[0][0].tolist() == [72.0, 0.0, 0.0]
