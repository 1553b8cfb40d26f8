"""Backward of every differentiable op: gradcheck / gradgradcheck in float64 over broadcast shapes
and non-contiguous inputs, plus explicit rules where finite differences can't decide (ties,
non-differentiable points) or can't be trusted (1e4 logits)."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite.autograd import gradcheck, gradgradcheck
from tensorlite.testing.strategies import (small_shapes, broadcastable_shapes, smooth_arrays, hard_arrays, layouts, to_layout,
                        dims, dim_int, keepdims, tl_tensor, numel, GRID, index_case)

F64 = np.float64
# gradgradcheck is several times the work of gradcheck: draw half as many examples.
fewer = settings(max_examples=max(5, settings.default.max_examples // 2))


@st.composite
def smooth_input(draw, shape, lo=-3.0, hi=3.0, unique=False, offset=0.0):
    """A float64 tensor (requires_grad) on the kink-free grid, in a drawn memory layout."""
    arr = draw(smooth_arrays(shape, F64, lo, hi, unique=unique)) + offset
    return tl_tensor(to_layout(arr, draw(layouts)))


def grad_of(fn, *values, upstream=None):
    """Gradients of fn(*inputs) (summed, or weighted by `upstream`) w.r.t. float64 inputs."""
    xs = [tl.tensor(np.asarray(v, dtype=F64), requires_grad=True) for v in values]
    out = fn(*xs)
    out = (out * tl.tensor(upstream)).sum() if upstream is not None else out.sum()
    out.backward()
    return [x.grad.numpy() for x in xs] if len(xs) > 1 else xs[0].grad.numpy()


# ====================================================================== elementwise
# name: (fn, (lo, hi) of the inputs)
UNARY = {
    "neg": (lambda x: -x, (-3, 3)),
    "exp": (tl.exp, (-3, 3)),
    "log": (tl.log, (0.25, 3)),
    "log1p": (tl.log1p, (-0.75, 3)),
    "sqrt": (tl.sqrt, (0.25, 3)),
    "rsqrt": (tl.rsqrt, (0.25, 3)),
    "abs": (tl.abs, (-3, 3)),
    "sign": (tl.sign, (-3, 3)),
    "sin": (tl.sin, (-3, 3)),
    "cos": (tl.cos, (-3, 3)),
    "tanh": (tl.tanh, (-3, 3)),
    "sigmoid": (tl.sigmoid, (-3, 3)),
    "relu": (tl.relu, (-3, 3)),
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), (-3, 3)),
    "gelu": (F.gelu, (-3, 3)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), (-3, 3)),
    "square": (tl.square, (-3, 3)),
    "reciprocal": (tl.reciprocal, (0.25, 3)),
    "pow_scalar": (lambda x: x ** 3, (-3, 3)),
    "pow_frac": (lambda x: x ** 1.5, (0.25, 3)),
    "rpow": (lambda x: 2.0 ** x, (-3, 3)),
    "rsub": (lambda x: 1 - x, (-3, 3)),
    "rdiv": (lambda x: 2 / x, (0.25, 3)),
    "clamp": (lambda x: x.clamp(-0.5, 1.0), (-3, 3)),
    "clamp_min": (lambda x: tl.clamp(x, min=0.25), (-3, 3)),
    "clamp_max": (lambda x: tl.clamp(x, max=-0.75), (-3, 3)),
    "floor": (tl.floor, (-3, 3)),
    "round": (tl.round, (-3, 3)),
    "silu": (F.silu, (-3, 3)),
    "softplus": (F.softplus, (-3, 3)),
    "erf": (tl.erf, (-3, 3)),
}
SECOND_ORDER_TRIVIAL = {"sign", "floor", "round", "neg", "abs", "relu", "leaky_relu", "clamp", "clamp_min",
                        "clamp_max", "rsub"}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data())
def test_unary_gradcheck(name, data):
    fn, (lo, hi) = UNARY[name]
    x = data.draw(smooth_input(data.draw(small_shapes()), lo, hi))
    assert gradcheck(fn, (x,))


@pytest.mark.parametrize("name", sorted(set(UNARY) - SECOND_ORDER_TRIVIAL))
@fewer
@given(data=st.data())
def test_unary_gradgradcheck(name, data):
    fn, (lo, hi) = UNARY[name]
    x = data.draw(smooth_input(data.draw(small_shapes(max_numel=6)), lo, hi))
    assert gradgradcheck(fn, (x,))


BINARY = {
    "add": (lambda a, b: a + b, None),
    "add_alpha": (lambda a, b: tl.add(a, b, alpha=-1.5), None),
    "sub": (lambda a, b: a - b, None),
    "mul": (lambda a, b: a * b, None),
    "div": (lambda a, b: a / b, (0.25, 3)),
    "pow": (lambda a, b: a ** b, "pow"),
    "maximum": (tl.maximum, "apart"),
    "minimum": (tl.minimum, "apart"),
    "where": (lambda a, b: tl.where(a > b, a * 2, b - 1), "apart"),
}


def _binary_inputs(data, kind, max_numel=12):
    sa, sb = data.draw(broadcastable_shapes(2, max_dims=3, max_side=3, max_numel=max_numel))
    if kind == "pow":
        return data.draw(smooth_input(sa, 0.25, 3)), data.draw(smooth_input(sb, -2, 2))
    if kind == "apart":      # b is off a's grid by 1/64: never a tie, never within eps of one
        return data.draw(smooth_input(sa)), data.draw(smooth_input(sb, offset=GRID / 2))
    if kind is None:
        return data.draw(smooth_input(sa)), data.draw(smooth_input(sb))
    return data.draw(smooth_input(sa)), data.draw(smooth_input(sb, *kind))


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_gradcheck_broadcast(name, data):
    fn, kind = BINARY[name]
    a, b = _binary_inputs(data, kind)
    assert gradcheck(fn, (a, b))
    # and with one side a constant (no grad): the other side's gradient alone
    assert gradcheck(lambda x: fn(x, b.detach()), (a,))


@pytest.mark.parametrize("name", ["mul", "div", "pow", "maximum", "where", "sub"])
@fewer
@given(data=st.data())
def test_binary_gradgradcheck(name, data):
    fn, kind = BINARY[name]
    a, b = _binary_inputs(data, kind, max_numel=6)
    assert gradgradcheck(fn, (a, b))


@given(data=st.data())
def test_mixed_dtype_grad_dtypes(data):
    """A float32 operand meeting a float64 one: each leaf's gradient has the leaf's own dtype."""
    sa, sb = data.draw(broadcastable_shapes(2, max_dims=3))
    a = tl.tensor(data.draw(smooth_arrays(sa, np.float32)), requires_grad=True)
    b = tl.tensor(data.draw(smooth_arrays(sb, F64)), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.dtype is tl.float32 and b.grad.dtype is tl.float64
    assert a.grad.shape == sa and b.grad.shape == sb
    expected_a = np.broadcast_to(b.detach().numpy(), np.broadcast_shapes(sa, sb))
    lead = len(expected_a.shape) - len(sa)
    expected_a = expected_a.sum(axis=tuple(range(lead))) if lead else expected_a
    expected_a = expected_a.sum(axis=tuple(i for i, s in enumerate(sa) if s == 1), keepdims=True)
    np.testing.assert_allclose(a.grad.numpy(), expected_a.reshape(sa), rtol=1e-5, atol=1e-5)


# ====================================================================== non-differentiable points
def test_values_at_nondifferentiable_points():
    """PyTorch's conventions where the derivative doesn't exist (asserted, not gradchecked)."""
    assert grad_of(tl.relu, [0.0, -0.0, 1.0, -1.0]).tolist() == [0, 0, 1, 0]
    assert grad_of(F.relu, [0.0]).tolist() == [0]
    assert grad_of(tl.abs, [0.0, -0.0, 2.0, -2.0]).tolist() == [0, 0, 1, -1]
    assert grad_of(lambda x: F.leaky_relu(x, 0.1), [0.0, 1.0]).tolist() == pytest.approx([0.1, 1.0])
    # clamp passes the gradient at the boundary (inclusive) and blocks it outside
    assert grad_of(lambda x: x.clamp(-1.0, 1.0), [-1.0, 1.0, 0.0, 1.5, -1.5]).tolist() == [1, 1, 1, 0, 0]
    assert grad_of(lambda x: x.clamp(min=0.5), [0.5, 0.25]).tolist() == [1, 0]
    assert grad_of(lambda x: x.clamp(max=0.5), [0.5, 0.75]).tolist() == [1, 0]
    assert grad_of(tl.sqrt, [0.0]).tolist() == [np.inf]
    assert grad_of(tl.log, [0.0]).tolist() == [np.inf]
    assert grad_of(tl.rsqrt, [0.0]).tolist() == [-np.inf]
    assert grad_of(lambda x: x ** 0.5, [0.0]).tolist() == [np.inf]
    assert grad_of(lambda x: x ** 2, [0.0]).tolist() == [0]
    assert grad_of(lambda x: x ** 0, [0.0, 2.0]).tolist() == [0, 0]       # 0 where the exponent is 0
    gb = grad_of(lambda b: tl.tensor(0.0, dtype=tl.float64) ** b, [0.0, 2.0])
    assert gb.tolist() == [0, 0]                                           # d/db 0^b = 0 for b >= 0
    for fn in (tl.sign, tl.floor, tl.ceil, tl.round, tl.trunc):
        assert grad_of(fn, [0.0, 0.5, -1.0, 2.0, np.inf]).tolist() == [0, 0, 0, 0, 0]
    assert grad_of(F.gelu, [0.0]).tolist() == [0.5]
    assert grad_of(lambda x: F.gelu(x, approximate="tanh"), [0.0]).tolist() == [0.5]
    # maximum/minimum at a tie: half to each side
    ga, gb = grad_of(tl.maximum, [1.0, 2.0, 3.0], [1.0, 5.0, 0.0])
    assert ga.tolist() == [0.5, 0, 1] and gb.tolist() == [0.5, 1, 0]
    ga, gb = grad_of(tl.minimum, [1.0, 2.0, 3.0], [1.0, 5.0, 0.0])
    assert ga.tolist() == [0.5, 1, 0] and gb.tolist() == [0.5, 0, 1]
    # std of constant data: 0 (not nan), as PyTorch
    assert grad_of(lambda x: x.std(), [1.5, 1.5, 1.5]).tolist() == [0, 0, 0]
    np.testing.assert_allclose(grad_of(lambda x: x.std(dim=1), [[1.0, 1.0], [1.0, 3.0]]),
                               [[0, 0], [-np.sqrt(0.5), np.sqrt(0.5)]], rtol=1e-12)


def test_sigmoid_tanh_saturation_gradients_are_finite():
    for fn in (tl.sigmoid, tl.tanh, F.softplus, F.silu, F.gelu):
        g = grad_of(fn, [-1e4, -50.0, 50.0, 1e4])
        assert np.isfinite(g).all(), fn
    np.testing.assert_allclose(grad_of(tl.sigmoid, [-1e4, 1e4]), [0, 0], atol=1e-300)


# ====================================================================== reductions
@st.composite
def reduction_input(draw, unique=False, max_numel=12, lo=-3.0, hi=3.0):
    shape = draw(small_shapes(max_numel=max_numel))
    return draw(smooth_input(shape, lo, hi, unique=unique)), draw(dims(len(shape))), draw(keepdims)


REDUCTIONS = {
    "sum": (lambda x, d, k: x.sum(d, keepdim=k), {}),
    "mean": (lambda x, d, k: x.mean(d, keepdim=k), {}),
    "var": (lambda x, d, k: x.var(d, keepdim=k, correction=0), {}),
    "var_unbiased": (lambda x, d, k: x.var(d, keepdim=k), {"unique": True}),
    "std": (lambda x, d, k: x.std(d, keepdim=k), {"unique": True}),
    "logsumexp": (lambda x, d, k: tl.logsumexp(x, 0 if d is None else d, keepdim=k), {}),
    "amax": (lambda x, d, k: x.amax(() if d is None else d, keepdim=k), {"unique": True}),
    "amin": (lambda x, d, k: x.amin(() if d is None else d, keepdim=k), {"unique": True}),
    "max_full": (lambda x, d, k: x.max(), {"unique": True}),
    "min_full": (lambda x, d, k: x.min(), {"unique": True}),
    "max_dim": (lambda x, d, k: x.max(d if isinstance(d, int) else -1, keepdim=k).values, {"unique": True}),
    "min_dim": (lambda x, d, k: tl.min(x, d if isinstance(d, int) else 0, k)[0], {"unique": True}),
    "prod": (lambda x, d, k: x.prod(d, keepdim=k) if isinstance(d, int) else x.prod(), {}),
    "softmax": (lambda x, d, k: x.softmax(d if isinstance(d, int) else -1), {}),
    "log_softmax": (lambda x, d, k: F.log_softmax(x, d if isinstance(d, int) else 0), {}),
    "cumsum": (lambda x, d, k: x.cumsum(d if isinstance(d, int) else 0), {}),
}


def _std_degenerate(x, d):
    """std with one sample per slice is nan: not a point to gradcheck."""
    n = x.numel() if d is None else numel([x.shape[i] for i in ((d,) if isinstance(d, int) else d)]) \
        if x.ndim else 1
    return n <= 1


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@given(data=st.data())
def test_reduction_gradcheck(name, data):
    fn, kw = REDUCTIONS[name]
    x, d, k = data.draw(reduction_input(**kw))
    if name in ("std", "var_unbiased") and _std_degenerate(x, d):
        d = None
        if x.numel() <= 1:
            return
    assert gradcheck(lambda t: fn(t, d, k), (x,))


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@fewer
@given(data=st.data())
def test_reduction_gradgradcheck(name, data):
    fn, kw = REDUCTIONS[name]
    x, d, k = data.draw(reduction_input(max_numel=6, **kw))
    if name in ("std", "var_unbiased") and _std_degenerate(x, d):
        d = None
        if x.numel() <= 1:
            return
    assert gradgradcheck(lambda t: fn(t, d, k), (x,))


@given(data=st.data())
def test_prod_gradcheck_with_zeros(data):
    """prod is a polynomial, so gradcheck holds even at (several) zeros."""
    shape = data.draw(small_shapes(min_dims=1))
    arr = data.draw(hard_arrays(shape, F64, -2, 2))
    x = tl_tensor(to_layout(arr, data.draw(layouts)))
    d = data.draw(st.one_of(st.none(), dim_int(len(shape))))
    assert gradcheck(lambda t: t.prod() if d is None else t.prod(d), (x,))
    g = grad_of(lambda t: t.prod(), arr.reshape(-1))
    flat = arr.reshape(-1)
    expected = np.array([np.prod(np.delete(flat, i)) for i in range(flat.size)])
    np.testing.assert_allclose(g, expected, rtol=1e-12, atol=1e-12)


@fewer
@given(data=st.data())
def test_prod_gradgradcheck_with_zeros(data):
    """The gradient of prod at zeros is itself differentiable (create_graph), as in PyTorch."""
    shape = data.draw(small_shapes(min_dims=1, max_numel=6))
    arr = data.draw(hard_arrays(shape, F64, -2, 2))
    zeros = data.draw(st.lists(st.integers(0, arr.size - 1), min_size=1, max_size=3))
    arr.reshape(-1)[zeros] = 0.0
    x = tl_tensor(to_layout(arr, data.draw(layouts)))
    d = data.draw(st.one_of(st.none(), dim_int(len(shape))))
    assert gradgradcheck(lambda t: t.prod() if d is None else t.prod(d), (x,))


# ---------------------------------------------------------------- ties
def test_tie_rules_hand_made():
    assert grad_of(lambda x: x.max(), [[1.0, 3.0], [3.0, 2.0]]).tolist() == [[0, 0.5], [0.5, 0]]
    np.testing.assert_allclose(grad_of(lambda x: x.min(), [0.0, 0.0, 0.0]), [1 / 3] * 3)
    assert grad_of(lambda x: x.amax(1), [[2.0, 2.0, 1.0], [0.0, 5.0, 5.0]]).tolist() == \
        [[0.5, 0.5, 0], [0, 0.5, 0.5]]
    np.testing.assert_allclose(grad_of(lambda x: x.amin((0, 1)), [[2.0, 1.0], [1.0, 1.0]]),
                               [[0, 1 / 3], [1 / 3, 1 / 3]], rtol=1e-15)
    x = tl.tensor([[2.0, 2.0, 1.0], [5.0, 0.0, 5.0]], dtype=tl.float64, requires_grad=True)
    values, indices = x.max(dim=1)
    assert indices.tolist() == [0, 0]                              # the first maximum is returned
    values.sum().backward()
    assert x.grad.tolist() == [[1, 0, 0], [1, 0, 0]]              # ...and gets all of the gradient
    x = tl.tensor([[1.0, 1.0], [1.0, 0.0]], dtype=tl.float64, requires_grad=True)
    x.min(dim=0, keepdim=True).values.sum().backward()
    assert x.grad.tolist() == [[1, 0], [0, 1]]
    # maximum/minimum: ties split 0.5 / 0.5, also when broadcast
    ga, gb = grad_of(tl.maximum, [1.0, 1.0, 0.0], [1.0])
    assert ga.tolist() == [0.5, 0.5, 0] and gb.tolist() == [2.0]
    ga, gb = grad_of(lambda a, b: tl.max(a, b), [[2.0], [0.0]], [2.0, 2.0])
    assert ga.tolist() == [[1.0], [0.0]] and gb.tolist() == [1.5, 1.5]


@given(data=st.data())
def test_max_min_full_reduction_ties_split_evenly(data):
    arr = data.draw(hard_arrays(data.draw(small_shapes(min_dims=1, max_numel=24)), F64))
    for fn, ref in ((lambda t: t.max(), np.max), (lambda t: t.min(), np.min), (lambda t: t.amax(), np.max)):
        g = grad_of(fn, arr, upstream=2.0)
        mask = arr == ref(arr)
        np.testing.assert_allclose(g, 2.0 * mask / mask.sum(), rtol=1e-15)


@given(data=st.data())
def test_max_dim_ties_pick_returned_index(data):
    shape = data.draw(small_shapes(min_dims=1, max_numel=24))
    arr = data.draw(hard_arrays(shape, F64))
    d = data.draw(dim_int(len(shape)))
    k = data.draw(keepdims)
    for name, argref in (("max", np.argmax), ("min", np.argmin)):
        x = tl.tensor(arr, requires_grad=True)
        values, idx = getattr(x, name)(d, keepdim=k)
        up = np.arange(1.0, values.numel() + 1).reshape(values.shape)
        (values * tl.tensor(up)).sum().backward()
        np.testing.assert_array_equal(idx.numpy(), argref(arr, axis=d, keepdims=k))
        expected = np.zeros_like(arr)
        np.put_along_axis(expected, argref(arr, axis=d, keepdims=True), up.reshape(
            np.expand_dims(argref(arr, axis=d), d).shape), axis=d)
        np.testing.assert_array_equal(x.grad.numpy(), expected)
        # amax over the same dim splits ties instead
        x = tl.tensor(arr, requires_grad=True)
        getattr(x, "a" + name)(d, keepdim=True).sum().backward()
        mask = arr == (np.max if name == "max" else np.min)(arr, axis=d, keepdims=True)
        np.testing.assert_allclose(x.grad.numpy(), mask / mask.sum(axis=d, keepdims=True), rtol=1e-15)


@given(data=st.data())
def test_maximum_minimum_ties_split_half(data):
    sa, sb = data.draw(broadcastable_shapes(2, max_dims=3))
    a = data.draw(hard_arrays(sa, F64, -1, 1))
    b = data.draw(hard_arrays(sb, F64, -1, 1))
    out_shape = np.broadcast_shapes(sa, sb)
    up = np.arange(1.0, numel(out_shape) + 1).reshape(out_shape)

    def unbroadcast(g, shape):
        g = g.sum(axis=tuple(range(g.ndim - len(shape)))) if g.ndim > len(shape) else g
        return g.sum(axis=tuple(i for i, s in enumerate(shape) if s == 1), keepdims=True).reshape(shape)

    for fn, wins in ((tl.maximum, np.greater), (tl.minimum, np.less)):
        ga, gb = grad_of(fn, a, b, upstream=up)
        share = np.where(wins(a, b), 1.0, np.where(a == b, 0.5, 0.0))
        np.testing.assert_allclose(ga, unbroadcast(up * share, sa), rtol=1e-15)
        np.testing.assert_allclose(gb, unbroadcast(up * (1 - share), sb), rtol=1e-15)


# ---------------------------------------------------------------- large logits
def _softmax_ref(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


@given(data=st.data())
def test_large_logits_softmax_family_gradients(data):
    shape = data.draw(small_shapes(min_dims=1, max_numel=24))
    arr = data.draw(hard_arrays(shape, F64, large=True))
    d = data.draw(dim_int(len(shape)))
    up = data.draw(hard_arrays(shape, F64))
    s = _softmax_ref(arr, d)
    gs = grad_of(lambda t: t.softmax(d), arr, upstream=up)
    gl = grad_of(lambda t: t.log_softmax(d), arr, upstream=up)
    gx = grad_of(lambda t: tl.logsumexp(t, d, keepdim=True), arr, upstream=up.sum(axis=d, keepdims=True))
    for g in (gs, gl, gx):
        assert np.isfinite(g).all()
    np.testing.assert_allclose(gs, s * (up - (up * s).sum(axis=d, keepdims=True)), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(gl, up - s * up.sum(axis=d, keepdims=True), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(gx, s * up.sum(axis=d, keepdims=True), rtol=1e-9, atol=1e-9)


@given(data=st.data(), dtype=st.sampled_from([np.float32, F64]))
def test_cross_entropy_like_with_huge_logits(data, dtype):
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 5))
    logits = data.draw(hard_arrays((n, c), dtype, large=True))
    target = np.asarray(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)), dtype=np.int64)
    x = tl_tensor(to_layout(logits, data.draw(layouts)))
    loss = -F.log_softmax(x, dim=1)[tl.arange(n), tl.tensor(target)].mean()
    loss.backward()
    z = logits.astype(F64) - logits.astype(F64).max(1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(1, keepdims=True))
    expected_loss = -np.mean(log_p[np.arange(n), target])
    ref = np.exp(log_p)
    onehot = np.eye(c)[target]
    assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()
    tol = 1e-4 if dtype == np.float32 else 1e-10
    np.testing.assert_allclose(loss.item(), expected_loss, rtol=tol, atol=tol * max(1, abs(expected_loss)))
    np.testing.assert_allclose(x.grad.numpy(), (ref - onehot) / n, rtol=tol, atol=tol)


@given(data=st.data())
def test_large_logits_gradcheck(data):
    shape = data.draw(small_shapes(min_dims=1, max_numel=8))
    base = data.draw(smooth_arrays(shape, F64, -1, 1))
    big = np.asarray(data.draw(st.lists(st.sampled_from([-1e4, 0.0, 1e4]), min_size=numel(shape),
                                        max_size=numel(shape)))).reshape(shape)
    x = tl_tensor(to_layout(base + big, data.draw(layouts)))
    d = data.draw(dim_int(len(shape)))
    assert gradcheck(lambda t: t.softmax(d), (x,))
    assert gradcheck(lambda t: t.log_softmax(d), (x,))
    assert gradcheck(lambda t: tl.logsumexp(t, d), (x,))


# ====================================================================== matmul
@st.composite
def matmul_shapes(draw):
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    ba, bb = draw(broadcastable_shapes(2, max_dims=2, max_side=2))
    kind_a, kind_b = draw(st.sampled_from(["1d", "2d", "nd"])), draw(st.sampled_from(["1d", "2d", "nd"]))
    sa = {"1d": (k,), "2d": (m, k), "nd": ba + (m, k)}[kind_a]
    sb = {"1d": (k,), "2d": (k, n), "nd": bb + (k, n)}[kind_b]
    return sa, sb


@given(data=st.data(), shapes_=matmul_shapes())
def test_matmul_gradcheck(data, shapes_):
    a, b = (data.draw(smooth_input(s)) for s in shapes_)
    assert gradcheck(lambda x, y: x @ y, (a, b))


@fewer
@given(data=st.data(), shapes_=matmul_shapes())
def test_matmul_gradgradcheck(data, shapes_):
    a, b = (data.draw(smooth_input(s)) for s in shapes_)
    assert gradgradcheck(tl.matmul, (a, b))


@given(data=st.data())
def test_linear_gradcheck(data):
    in_f, out_f = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 3))
    lead = data.draw(small_shapes(max_dims=2, max_numel=4))
    x = data.draw(smooth_input(lead + (in_f,)))
    w = data.draw(smooth_input((out_f, in_f)))
    b = data.draw(smooth_input((out_f,)))
    assert gradcheck(F.linear, (x, w, b))
    assert gradcheck(lambda x, w: F.linear(x, w), (x, w))


@fewer
@given(data=st.data())
def test_linear_gradgradcheck(data):
    x = data.draw(smooth_input((2, 3)))
    w = data.draw(smooth_input((2, 3)))
    b = data.draw(smooth_input((2,)))
    assert gradgradcheck(F.linear, (x, w, b))


@given(data=st.data())
def test_bmm_mv_dot_outer_gradcheck(data):
    b, m, k, n = (data.draw(st.integers(1, 2)) for _ in range(4))
    P, Q = data.draw(smooth_input((b, m, k))), data.draw(smooth_input((b, k, n)))
    A, v, w = data.draw(smooth_input((m, k))), data.draw(smooth_input((k,))), data.draw(smooth_input((k,)))
    assert gradcheck(tl.bmm, (P, Q))
    assert gradcheck(tl.mv, (A, v))
    assert gradcheck(tl.dot, (v, w))
    assert gradcheck(tl.outer, (v, w))


# ====================================================================== movement
@st.composite
def movement_case(draw, max_numel=12):
    shape = draw(small_shapes(max_numel=max_numel))
    return draw(smooth_input(shape)), shape


def _movement_fns(data, shape):
    """(name, fn) pairs for the movement ops, with arguments drawn for `shape`."""
    nd = len(shape)
    fns = [("reshape", lambda t: t.reshape(-1)), ("reshape_rev", lambda t: t.reshape(shape[::-1])),
           ("flatten", lambda t: t.flatten()), ("T", lambda t: t.T), ("contiguous", lambda t: t.T.contiguous()),
           ("squeeze", lambda t: t.squeeze()), ("clone", lambda t: t.clone())]
    u = data.draw(st.integers(-nd - 1, nd))
    fns.append(("unsqueeze", lambda t: t.unsqueeze(u)))
    lead = data.draw(st.integers(0, 2))
    target = (2,) * lead + tuple(data.draw(st.sampled_from([s, 2])) if s == 1 else s for s in shape)
    fns.append(("expand", lambda t: t.expand(*target)))
    fns.append(("broadcast_to", lambda t: tl.broadcast_to(t, target)))
    reps = tuple(data.draw(st.integers(1, 2)) for _ in range(nd + data.draw(st.integers(0, 1))))
    if reps:
        fns.append(("repeat", lambda t: t.repeat(*reps)))
    if nd:
        d0, d1 = data.draw(dim_int(nd)), data.draw(dim_int(nd))
        perm = data.draw(st.permutations(range(nd)))
        fd = tuple(data.draw(st.lists(st.integers(0, nd - 1), unique=True, min_size=1)))
        d = data.draw(dim_int(nd))
        fns += [("transpose", lambda t: t.transpose(d0, d1)), ("permute", lambda t: t.permute(*perm)),
                ("flip", lambda t: t.flip(fd)), ("squeeze_dim", lambda t: t.squeeze(d)),
                ("split", lambda t: t.split(2, d)), ("chunk", lambda t: t.chunk(2, d)),
                ("cat_self", lambda t: tl.cat([t, t * 2], d)), ("stack_self", lambda t: tl.stack([t, -t], d)),
                ("flatten_range", lambda t: t.flatten(min(d0 % nd, d1 % nd), max(d0 % nd, d1 % nd))),
                ("pad", lambda t: F.pad(t, (1, 2) + ((0, 1) if nd > 1 else ()), value=0.5)),
                ("pad_crop", lambda t: F.pad(t, (-1, 1) if shape[-1] > 1 else (1, 0))),
                ("narrow", lambda t: t.narrow(d, 0, max(shape[d] - 1, 0))),
                ("select", lambda t: t.select(d, -1)), ("roll", lambda t: t.roll(1, d)),
                ("unbind", lambda t: t.unbind(d))]
    return fns


@given(data=st.data())
def test_movement_gradcheck(data):
    x, shape = data.draw(movement_case())
    for name, fn in _movement_fns(data, shape):
        assert gradcheck(fn, (x,)), name


@given(data=st.data())
def test_cat_stack_gradcheck_many_inputs(data):
    shape = data.draw(small_shapes(min_dims=1, max_numel=6))
    d = data.draw(dim_int(len(shape)))
    parts = []
    for _ in range(data.draw(st.integers(1, 3))):
        s = list(shape)
        s[d] = data.draw(st.integers(1, 2))
        parts.append(data.draw(smooth_input(tuple(s))))
    assert gradcheck(lambda *ts: tl.cat(ts, d), tuple(parts))
    same = tuple(data.draw(smooth_input(shape)) for _ in range(2))
    assert gradcheck(lambda *ts: tl.stack(ts, d), same)


@fewer
@given(data=st.data())
def test_movement_gradgradcheck(data):
    x, shape = data.draw(movement_case(max_numel=6))
    fns = _movement_fns(data, shape)
    name, fn = data.draw(st.sampled_from(fns))
    def squared(t):           # square the outputs so the second derivative isn't identically zero
        out = fn(t)
        return tuple(o * o for o in (out if isinstance(out, tuple) else (out,)))

    assert gradgradcheck(squared, (x,)), name


# ====================================================================== indexing
@given(data=st.data())
def test_getitem_gradcheck(data):
    shape = data.draw(small_shapes(max_numel=12))
    x = data.draw(smooth_input(shape))
    idx = data.draw(index_case(shape))
    assert gradcheck(lambda t: t[idx], (x,))


@fewer
@given(data=st.data())
def test_getitem_gradgradcheck(data):
    shape = data.draw(small_shapes(max_numel=6))
    x = data.draw(smooth_input(shape))
    idx = data.draw(index_case(shape))
    assert gradgradcheck(lambda t: t[idx] * t[idx], (x,))


@given(data=st.data())
def test_repeated_integer_indices_accumulate(data):
    n = data.draw(st.integers(1, 5))
    idx = data.draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=8))
    w = np.asarray(data.draw(st.lists(st.integers(-3, 3), min_size=len(idx), max_size=len(idx))), F64)
    wrap = data.draw(st.sampled_from([tl.tensor, np.asarray, list]))
    g = grad_of(lambda t: t[wrap(idx)] * tl.tensor(w), np.zeros(n))
    expected = np.zeros(n)
    np.add.at(expected, np.asarray(idx), w)
    np.testing.assert_array_equal(g, expected)
    # two index arrays into a matrix, with repeated (row, col) pairs
    m = data.draw(st.integers(1, 3))
    rows = [i % m for i in idx]
    g = grad_of(lambda t: t[tl.tensor(rows), tl.tensor(idx)] * tl.tensor(w), np.zeros((m, n)))
    expected = np.zeros((m, n))
    np.add.at(expected, (np.asarray(rows), np.asarray(idx)), w)
    np.testing.assert_array_equal(g, expected)
    # index_select and gather accumulate the same way
    g = grad_of(lambda t: tl.index_select(t, 0, tl.tensor(np.asarray(idx) % n)) * tl.tensor(w), np.zeros(n))
    np.testing.assert_array_equal(g, np.bincount(np.asarray(idx) % n, weights=w, minlength=n))
    g = grad_of(lambda t: tl.gather(t, 0, tl.tensor(np.asarray(idx) % n)) * tl.tensor(w), np.zeros(n))
    np.testing.assert_array_equal(g, np.bincount(np.asarray(idx) % n, weights=w, minlength=n))


def test_repeated_index_hand_made():
    assert grad_of(lambda t: t[tl.tensor([0, 0, 2, 0])], [1.0, 2.0, 3.0]).tolist() == [3, 0, 1]
    assert grad_of(lambda t: t[[1, 1], [0, 0]], [[1.0, 2.0], [3.0, 4.0]]).tolist() == [[0, 0], [2, 0]]
    assert grad_of(lambda t: t[t > 1.5], [1.0, 2.0, 3.0]).tolist() == [0, 1, 1]


@given(data=st.data())
def test_gather_index_put_masked_fill_gradcheck(data):
    shape = data.draw(small_shapes(min_dims=1, max_numel=8))
    x = data.draw(smooth_input(shape))
    d = data.draw(dim_int(len(shape)))
    ishape = list(shape)
    ishape[d] = data.draw(st.integers(1, 3))
    index = np.asarray(data.draw(st.lists(st.integers(0, shape[d] - 1), min_size=numel(ishape),
                                          max_size=numel(ishape))), np.int64).reshape(ishape)
    assert gradcheck(lambda t: tl.gather(t, d, tl.tensor(index)), (x,))
    mask = tl.tensor(data.draw(hard_arrays(shape, F64)) > 0)
    assert gradcheck(lambda t: t.masked_fill(mask, 0.5), (x,))
    rows = sorted(set(data.draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=3))))
    v = data.draw(smooth_input((len(rows),) + tuple(shape[1:])))
    assert gradcheck(lambda t, val: tl.index_put(t, (tl.tensor(rows),), val), (x, v))


# ====================================================================== misc differentiable ops
@given(data=st.data())
def test_cast_and_where_scalar_gradcheck(data):
    x = data.draw(smooth_input(data.draw(small_shapes())))
    assert gradcheck(lambda t: tl.where(t > 0, t, 0.0) * 3, (x,))
    assert gradcheck(lambda t: (t.to(tl.float32).to(tl.float64) * 0 + t).sum(), (x,))


def test_grad_dtypes_follow_inputs():
    x = tl.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * 2).sum().backward()
    assert x.grad.dtype is tl.float32 and x.grad.tolist() == [2.0, 2.0]
    y = tl.tensor([1.0, 2.0], dtype=tl.float64, requires_grad=True)
    (y.float() * 3).sum().backward()
    assert y.grad.dtype is tl.float64 and y.grad.tolist() == [3.0, 3.0]
    z = tl.tensor([1.0, 2.0], requires_grad=True)
    assert not z.argmax().requires_grad and not (z > 1).requires_grad
    assert not z.max(0).indices.requires_grad
