"""Forward values of every op against a numpy reference, over drawn shapes, dtypes and
memory layouts (contiguous, transposed, strided, flipped views)."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite.testing.strategies import (FLOAT_DTYPES, float_dtypes, shapes, broadcastable_shapes, hard_arrays,
                        layouts, to_layout, dims, dim_int, keepdims, tl_tensor, index_case,
                        assert_close, numel)

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _f64(a):
    return np.asarray(a, dtype=np.float64)


def _norm_dims(dim, ndim):
    """numpy `axis` for a torch `dim` (None -> all)."""
    if dim is None:
        return None
    if isinstance(dim, tuple):
        return tuple(d % max(ndim, 1) for d in dim) if ndim else ()
    return dim % max(ndim, 1) if ndim else None


@st.composite
def hard_input(draw, shape=None, dtype=None, large=False, lo=-3.0, hi=3.0, allow_zero=False):
    """(values as an array, same values in a drawn non-contiguous layout)."""
    shape = draw(shapes(allow_zero=allow_zero)) if shape is None else shape
    dtype = draw(float_dtypes) if dtype is None else dtype
    arr = draw(hard_arrays(shape, dtype, lo, hi, large=large))
    return arr, to_layout(arr, draw(layouts))


# ====================================================================== elementwise unary
def _sigmoid(x):
    with np.errstate(over="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


# name: (tensorlite fn, numpy reference on float64, value range, large magnitudes allowed)
UNARY = {
    "neg": (lambda t: -t, np.negative, (-3, 3), True),
    "neg_method": (lambda t: t.neg(), np.negative, (-3, 3), True),
    "exp": (tl.exp, np.exp, (-3, 3), False),
    "log": (tl.log, np.log, (0, 3), False),                 # log(0) = -inf
    "log1p": (tl.log1p, np.log1p, (0, 3), False),
    "sqrt": (tl.sqrt, np.sqrt, (0, 3), False),
    "rsqrt": (tl.rsqrt, lambda x: 1 / np.sqrt(x), (0, 3), False),   # rsqrt(0) = inf
    "abs": (tl.abs, np.abs, (-3, 3), True),
    "abs_builtin": (lambda t: abs(t), np.abs, (-3, 3), True),
    "sign": (tl.sign, np.sign, (-3, 3), True),
    "sin": (tl.sin, np.sin, (-3, 3), False),
    "cos": (tl.cos, np.cos, (-3, 3), False),
    "tanh": (tl.tanh, np.tanh, (-3, 3), True),
    "sigmoid": (tl.sigmoid, _sigmoid, (-3, 3), True),
    "relu": (tl.relu, lambda x: np.maximum(x, 0), (-3, 3), True),
    "relu_F": (F.relu, lambda x: np.maximum(x, 0), (-3, 3), True),
    "leaky_relu": (lambda t: F.leaky_relu(t, 0.1), lambda x: np.where(x > 0, x, 0.1 * x), (-3, 3), True),
    "leaky_relu_default": (F.leaky_relu, lambda x: np.where(x > 0, x, 0.01 * x), (-3, 3), True),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))), (-3, 3), False),
    "gelu_tanh": (lambda t: F.gelu(t, approximate="tanh"), _gelu_tanh, (-3, 3), False),
    "square": (tl.square, np.square, (-3, 3), False),
    "reciprocal": (tl.reciprocal, lambda x: 1 / x, (0.25, 3), False),
    "clamp": (lambda t: t.clamp(-0.5, 1.0), lambda x: np.clip(x, -0.5, 1.0), (-3, 3), True),
    "clamp_min": (lambda t: tl.clamp(t, min=0.5), lambda x: np.maximum(x, 0.5), (-3, 3), True),
    "clamp_max": (lambda t: tl.clamp(t, max=-0.5), lambda x: np.minimum(x, -0.5), (-3, 3), True),
    "clip": (lambda t: tl.clip(t, -1, 2), lambda x: np.clip(x, -1, 2), (-3, 3), True),
    "clamp_inverted": (lambda t: t.clamp(1.0, -1.0), lambda x: np.full_like(x, -1.0), (-3, 3), False),
    "floor": (tl.floor, np.floor, (-3, 3), True),
    "ceil": (tl.ceil, np.ceil, (-3, 3), True),
    "round": (tl.round, np.round, (-3, 3), True),
    "trunc": (tl.trunc, np.trunc, (-3, 3), True),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@given(data=st.data(), requires_grad=st.booleans())
def test_unary_forward(name, data, requires_grad):
    fn, ref, (lo, hi), large = UNARY[name]
    arr, view = data.draw(hard_input(lo=lo, hi=hi, large=large, allow_zero=True))
    out = fn(tl_tensor(view, requires_grad))
    assert out.dtype.np == arr.dtype
    with np.errstate(all="ignore"):
        expected = ref(_f64(arr))
    assert_close(out, expected, dtype=arr.dtype, scale=np.abs(arr).max(initial=1.0))
    assert out.requires_grad == requires_grad
    np.testing.assert_array_equal(view, arr)           # inputs are never written


def test_unary_hand_values():
    x = tl.tensor([-2.0, -0.0, 0.0, 0.5, 3.0])
    np.testing.assert_array_equal(tl.relu(x).numpy(), [0, 0, 0, 0.5, 3])
    np.testing.assert_array_equal(tl.sign(x).numpy(), [-1, 0, 0, 1, 1])
    np.testing.assert_array_equal(tl.abs(x).numpy(), [2, 0, 0, 0.5, 3])
    np.testing.assert_array_equal(x.clamp(-1, 1).numpy(), [-1, 0, 0, 0.5, 1])
    assert tl.sqrt(tl.tensor([0.0, 4.0])).tolist() == [0.0, 2.0]
    assert tl.log(tl.tensor([0.0])).item() == -np.inf
    np.testing.assert_allclose(tl.sigmoid(tl.tensor([-1e4, 0.0, 1e4])).numpy(), [0, 0.5, 1])
    np.testing.assert_allclose(F.gelu(tl.tensor([-1.0, 0.0, 1.0])).numpy(),
                               [-0.15865525, 0.0, 0.84134475], rtol=1e-6)
    np.testing.assert_allclose(F.gelu(tl.tensor([-1.0, 0.0, 1.0]), approximate="tanh").numpy(),
                               [-0.15880801, 0.0, 0.84119199], rtol=1e-6)
    with pytest.raises(ValueError):
        F.gelu(x, approximate="bogus")


@given(x=hard_arrays(shapes(max_dims=2), np.float32, large=True))
def test_sign_and_rounding_with_grad_keep_infinities(x):
    x = np.concatenate([x.reshape(-1), [np.inf, -np.inf]]).astype(np.float32)
    for fn, ref in ((tl.sign, np.sign), (tl.floor, np.floor), (tl.ceil, np.ceil), (tl.round, np.round),
                    (tl.trunc, np.trunc)):
        out = fn(tl.tensor(x, requires_grad=True))
        np.testing.assert_array_equal(out.detach().numpy(), ref(x))


@pytest.mark.parametrize("fn,dtype", [(tl.exp, tl.float32), (tl.sqrt, tl.float32), (tl.sigmoid, tl.float32),
                                      (tl.sin, tl.float32), (tl.log, tl.float32), (tl.abs, tl.int64),
                                      (tl.neg, tl.int64), (tl.relu, tl.int64), (tl.square, tl.int64)])
def test_unary_int_input_dtype(fn, dtype):
    out = fn(tl.tensor([1, 2, 4]))
    assert out.dtype is dtype
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(out.numpy().astype(np.float64),
                                   {"exp": np.exp, "sqrt": np.sqrt, "sigmoid": _sigmoid, "sin": np.sin,
                                    "log": np.log, "abs": np.abs, "neg": np.negative,
                                    "relu": lambda v: np.maximum(v, 0), "square": np.square}[fn.__name__](
                                       np.array([1.0, 2.0, 4.0])), rtol=1e-6)


# ====================================================================== elementwise binary
def _promoted(shape_a, da, shape_b, db):
    """PyTorch's result dtype for two float tensors: dimensioned operands outrank 0-dim ones."""
    if da == db:
        return np.dtype(da)
    if len(shape_a) == 0 and len(shape_b) > 0:
        return np.dtype(db)
    if len(shape_b) == 0 and len(shape_a) > 0:
        return np.dtype(da)
    return np.dtype(np.float64)


BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "add_fn": (tl.add, np.add),
    "add_alpha": (lambda a, b: tl.add(a, b, alpha=2), lambda a, b: a + 2 * b),
    "sub": (lambda a, b: a - b, np.subtract),
    "sub_alpha": (lambda a, b: a.sub(b, alpha=0.5), lambda a, b: a - 0.5 * b),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
    "div_fn": (tl.div, np.divide),
    "pow": (lambda a, b: a ** b, np.power),
    "maximum": (tl.maximum, np.maximum),
    "minimum": (tl.minimum, np.minimum),
    "max_other": (lambda a, b: tl.max(a, b), np.maximum),
    "min_other": (lambda a, b: a.min(b), np.minimum),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@given(data=st.data())
def test_binary_forward(name, data):
    fn, ref = BINARY[name]
    sa, sb = data.draw(broadcastable_shapes(2, max_dims=4, max_side=4))
    da, db = data.draw(float_dtypes), data.draw(float_dtypes)
    lo = 0.0 if name == "pow" else -3.0          # pow: negative bases give nan for fractional powers
    a, va = data.draw(hard_input(sa, da, lo=lo))
    b, vb = data.draw(hard_input(sb, db))
    out = fn(tl_tensor(va, data.draw(st.booleans())), tl_tensor(vb, False))
    dt = _promoted(sa, da, sb, db)
    assert out.dtype.np == dt
    assert tuple(out.shape) == np.broadcast_shapes(sa, sb)
    with np.errstate(all="ignore"):
        expected = ref(_f64(a), _f64(b))
    # Rounding the operands to the result dtype first is what the library (and PyTorch) does.
    with np.errstate(all="ignore"):
        expected_rounded = ref(_f64(a.astype(dt)), _f64(b.astype(dt)))
    assert_close(out, expected_rounded, dtype=dt, scale=np.abs(expected[np.isfinite(expected)]).max(initial=1))


COMPARISONS = {"eq": np.equal, "ne": np.not_equal, "lt": np.less, "le": np.less_equal, "gt": np.greater,
               "ge": np.greater_equal}
OPERATORS = {"eq": lambda a, b: a == b, "ne": lambda a, b: a != b, "lt": lambda a, b: a < b,
             "le": lambda a, b: a <= b, "gt": lambda a, b: a > b, "ge": lambda a, b: a >= b}


@pytest.mark.parametrize("name", sorted(COMPARISONS))
@given(data=st.data())
def test_comparison_forward(name, data):
    sa, sb = data.draw(broadcastable_shapes(2, max_dims=3, max_side=4))
    dt = data.draw(float_dtypes)
    a, va = data.draw(hard_input(sa, dt))
    b, vb = data.draw(hard_input(sb, dt))
    ta = tl_tensor(va, True)
    for out in (getattr(tl, name)(ta, tl_tensor(vb, False)), OPERATORS[name](ta, tl_tensor(vb, False)),
                getattr(ta, name)(tl_tensor(vb, False))):
        assert out.dtype is tl.bool
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out.numpy(), COMPARISONS[name](a, b))
    s = float(b.reshape(-1)[0]) if b.size else 0.5          # against a Python scalar, both sides
    np.testing.assert_array_equal(OPERATORS[name](ta, s).numpy(), COMPARISONS[name](a, np.float64(s)))


@given(data=st.data())
def test_where_forward(data):
    sc, sa, sb = data.draw(broadcastable_shapes(3, max_dims=3))
    dt = data.draw(float_dtypes)
    cond = data.draw(hard_arrays(sc, dt)) > 0
    a, va = data.draw(hard_input(sa, dt))
    b, vb = data.draw(hard_input(sb, dt))
    out = tl.where(tl.tensor(cond), tl_tensor(va), tl_tensor(vb, False))
    assert out.dtype.np == dt and out.requires_grad
    np.testing.assert_array_equal(out.detach().numpy(), np.where(cond, a, b))
    out = tl.where(tl.tensor(cond), tl_tensor(va), 0.25)           # scalar other keeps the dtype
    assert out.dtype.np == dt
    np.testing.assert_array_equal(out.detach().numpy(), np.where(cond, a, dt(0.25)))
    with pytest.raises(TypeError):
        tl.where(tl.tensor(cond.astype(np.float32)), tl_tensor(va), tl_tensor(vb))


# ---------------------------------------------------------------- scalars and numpy operands
SCALARS = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, -1.5, 2.0, 0.0, 3.25]))


@given(data=st.data(), s=SCALARS)
def test_reflected_ops_with_python_scalars(data, s):
    dt = data.draw(float_dtypes)
    a, va = data.draw(hard_input(None, dt, lo=0.25))
    t = tl_tensor(va)
    x = _f64(a.astype(dt))
    sd = dt(s)                         # Python scalars are weakly typed: they take the tensor's dtype
    cases = [(s + t, x + sd), (t + s, x + sd), (s - t, sd - x), (t - s, x - sd), (s * t, sd * x),
             (t * s, x * sd), (t / (s or 1), x / dt(s or 1)), (s / t, sd / x), (t ** s, x ** sd),
             (abs(s) ** t, dt(abs(s)) ** x)]
    for i, (out, expected) in enumerate(cases):
        assert out.dtype.np == dt, f"case {i}"
        with np.errstate(all="ignore"):
            assert_close(out, expected, dtype=dt, scale=np.abs(expected).max(initial=1), err_msg=f"case {i}")


@given(data=st.data())
def test_ops_with_numpy_arrays(data):
    sa, sb = data.draw(broadcastable_shapes(2, min_dims=1))
    da, db = data.draw(float_dtypes), data.draw(float_dtypes)
    a, va = data.draw(hard_input(sa, da))
    b, _ = data.draw(hard_input(sb, db))
    t = tl_tensor(va)
    dt = np.result_type(da, db)             # a numpy array operand is a dimensioned tensor
    for out, expected in ((t + b, a + b), (b + t, b + a), (t - b, a - b), (b - t, b - a), (b * t, b * a),
                          (t * b, a * b), (tl.maximum(t, b), np.maximum(a, b))):
        assert isinstance(out, tl.Tensor) and out.dtype.np == dt and out.requires_grad
        assert_close(out, _f64(expected), dtype=dt, scale=9)


def test_dtype_promotion_rules():
    i64, i32 = tl.tensor([1, 2, 3]), tl.tensor([1, 2, 3], dtype=tl.int32)
    f32, f64 = tl.tensor([1.0, 2.0]), tl.tensor([1.0, 2.0], dtype=tl.float64)
    assert (i64 + 1.5).dtype is tl.float32                 # int tensor + float scalar -> default float
    assert (i64 * 2.0).dtype is tl.float32
    assert (i32 + 1).dtype is tl.int32                     # int scalar keeps the tensor's int type
    assert (i64 / 2).dtype is tl.float32                   # true division of ints
    assert (f32 + f64).dtype is tl.float64
    assert (f32 + 2.5).dtype is tl.float32
    assert (f32 + tl.tensor(2.5, dtype=tl.float64)).dtype is tl.float32     # 0-dim ranks lower
    assert (tl.tensor(2.5, dtype=tl.float64) + f32).dtype is tl.float32
    assert (i64 + tl.tensor(2.5, dtype=tl.float64)).dtype is tl.float64    # ...unless higher category
    assert (tl.tensor(1.0) + tl.tensor(2.0, dtype=tl.float64)).dtype is tl.float64   # both 0-dim
    assert (i32 + i64).dtype is tl.int64
    assert (tl.tensor([True]) + tl.tensor([2])).dtype is tl.int64
    assert (tl.tensor([1], dtype=tl.uint8) + tl.tensor([1], dtype=tl.int8)).dtype is tl.int16
    assert (f32 + np.float64(1.5)).dtype is tl.float32     # numpy scalars are 0-dim
    assert (f32 + np.ones(2)).dtype is tl.float64          # numpy arrays are dimensioned
    assert (f32 + tl.tensor(3)).dtype is tl.float32
    assert (f32 > 1).dtype is tl.bool
    np.testing.assert_allclose((i64 + 1.5).numpy(), [2.5, 3.5, 4.5])
    assert tl.maximum(i64, f32[:1]).dtype is tl.float32


# ====================================================================== reductions
@st.composite
def reduction_case(draw, large=False, allow_zero=False, max_dims=4):
    shape = draw(shapes(max_dims=max_dims, allow_zero=allow_zero))
    arr, view = draw(hard_input(shape, large=large))
    return arr, view, draw(dims(len(shape))), draw(keepdims)


def _check_dims_nonempty(arr, dim):
    axis = _norm_dims(dim, arr.ndim)
    if axis is None:
        return arr.size > 0
    axes = axis if isinstance(axis, tuple) else (axis,)
    return all(arr.shape[d] > 0 for d in axes) if arr.ndim else True


@given(case=reduction_case(large=True, allow_zero=True))
def test_sum_forward(case):
    arr, view, dim, keepdim = case
    out = tl_tensor(view, False).sum(dim=dim, keepdim=keepdim)
    expected = np.sum(_f64(arr), axis=_norm_dims(dim, arr.ndim), keepdims=keepdim)
    assert out.dtype.np == arr.dtype
    assert_close(out, expected, dtype=arr.dtype, scale=np.abs(arr).sum(initial=1))
    out2 = tl.sum(tl_tensor(view), dim, keepdim)
    assert_close(out2, expected, dtype=arr.dtype, scale=np.abs(arr).sum(initial=1))


@given(case=reduction_case(allow_zero=True))
def test_mean_forward(case):
    arr, view, dim, keepdim = case
    out = tl_tensor(view).mean(dim=dim, keepdim=keepdim)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")             # numpy warns on the mean of an empty slice (nan)
        expected = np.mean(_f64(arr), axis=_norm_dims(dim, arr.ndim), keepdims=keepdim)
    assert out.dtype.np == arr.dtype
    assert_close(out, expected, dtype=arr.dtype, scale=3)


@given(case=reduction_case(), correction=st.sampled_from([0, 1, None]), use_unbiased=st.booleans())
def test_var_std_forward(case, correction, use_unbiased):
    arr, view, dim, keepdim = case
    t = tl_tensor(view)
    ddof = 1 if correction is None else correction
    if use_unbiased and correction is not None:
        v, s = t.var(dim, bool(correction), keepdim), t.std(dim, bool(correction), keepdim)
    else:
        v, s = t.var(dim, keepdim=keepdim, correction=correction), t.std(dim, keepdim=keepdim,
                                                                          correction=correction)
    axis = _norm_dims(dim, arr.ndim)
    n = arr.size if axis is None else (math.prod(arr.shape[d] for d in axis) if isinstance(axis, tuple)
                                       else arr.shape[axis])
    x = _f64(arr)
    ss = np.sum((x - np.mean(x, axis=axis, keepdims=True)) ** 2, axis=axis, keepdims=keepdim)
    with np.errstate(all="ignore"):
        expected = ss / max(n - ddof, 0)
    assert v.dtype.np == arr.dtype and s.dtype.np == arr.dtype
    assert_close(v, expected, dtype=arr.dtype, scale=9)
    with np.errstate(all="ignore"):
        assert_close(s, np.sqrt(expected), dtype=arr.dtype, scale=9)


def test_var_std_hand_values():
    x = tl.tensor([[1.0, 2.0, 3.0, 4.0], [2.0, 2.0, 2.0, 2.0]])
    np.testing.assert_allclose(x.var().item(), np.var(x.numpy(), ddof=1), rtol=1e-6)
    np.testing.assert_allclose(x.var(dim=1).numpy(), [5 / 3, 0.0], rtol=1e-6)
    np.testing.assert_allclose(x.var(dim=1, unbiased=False).numpy(), [1.25, 0.0], rtol=1e-6)
    np.testing.assert_allclose(tl.var(x, dim=(0, 1), keepdim=True).numpy(), [[np.var(x.numpy(), ddof=1)]],
                               rtol=1e-6)
    np.testing.assert_allclose(x.std(dim=-1, correction=0).numpy(), [np.sqrt(1.25), 0.0], rtol=1e-6)
    assert np.isnan(tl.tensor([3.0]).var().item())           # one sample, correction 1


@pytest.mark.parametrize("name", ["max", "min"])
@given(case=reduction_case())
def test_max_min_full_and_dim_forward(name, case):
    arr, view, dim, keepdim = case
    t = tl_tensor(view)
    ref, argref = (np.max, np.argmax) if name == "max" else (np.min, np.argmin)
    full = getattr(t, name)()
    assert full.shape == () and full.item() == ref(arr)
    d = dim if isinstance(dim, int) else 0
    values, indices = getattr(t, name)(dim=d, keepdim=keepdim)
    axis = d % max(arr.ndim, 1)
    if arr.ndim == 0:
        exp_v, exp_i = arr, np.zeros((), np.int64)
    else:
        exp_v = ref(arr, axis=axis, keepdims=keepdim)
        exp_i = argref(arr, axis=axis, keepdims=keepdim)       # ties: the first index, as PyTorch
    assert indices.dtype is tl.int64 and values.dtype.np == arr.dtype
    np.testing.assert_array_equal(values.detach().numpy(), exp_v)
    np.testing.assert_array_equal(indices.numpy(), exp_i)
    nt = getattr(tl, name)(t, d, keepdim)                      # namedtuple access
    np.testing.assert_array_equal(nt.values.detach().numpy(), exp_v)
    np.testing.assert_array_equal(nt.indices.numpy(), exp_i)


@pytest.mark.parametrize("name", ["amax", "amin"])
@given(case=reduction_case(large=True))
def test_amax_amin_forward(name, case):
    arr, view, dim, keepdim = case
    out = getattr(tl, name)(tl_tensor(view), () if dim is None else dim, keepdim)
    ref = np.max if name == "amax" else np.min
    np.testing.assert_array_equal(out.detach().numpy(), ref(arr, axis=_norm_dims(dim, arr.ndim),
                                                            keepdims=keepdim))


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@given(case=reduction_case())
def test_argmax_argmin_forward(name, case):
    arr, view, dim, keepdim = case
    d = dim if not isinstance(dim, tuple) else None
    out = getattr(tl_tensor(view), name)(dim=d, keepdim=keepdim)
    ref = np.argmax if name == "argmax" else np.argmin
    if d is None:
        expected = np.asarray(ref(arr.reshape(-1)))
        if keepdim:
            expected = expected.reshape((1,) * arr.ndim)
    elif arr.ndim == 0:
        expected = np.zeros((), np.int64)
    else:
        expected = ref(arr, axis=d, keepdims=keepdim)
    assert out.dtype is tl.int64 and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), expected)


@given(data=st.data())
def test_prod_forward(data):
    shape = data.draw(shapes(max_dims=3, allow_zero=True))
    arr, view = data.draw(hard_input(shape))
    dim = data.draw(st.one_of(st.none(), dim_int(len(shape))))
    keepdim = data.draw(keepdims) if dim is not None else False
    out = tl_tensor(view).prod(dim, keepdim) if dim is not None else tl_tensor(view).prod()
    expected = np.prod(_f64(arr), axis=_norm_dims(dim, arr.ndim), keepdims=keepdim)
    assert out.dtype.np == arr.dtype
    assert_close(out, expected, dtype=arr.dtype, scale=np.abs(expected).max(initial=1))


@given(case=reduction_case(large=True))
def test_logsumexp_forward(case):
    arr, view, dim, keepdim = case
    dim = 0 if dim is None else dim
    out = tl.logsumexp(tl_tensor(view), dim, keepdim)
    x, axis = _f64(arr), _norm_dims(dim, arr.ndim)
    m = np.max(x, axis=axis, keepdims=True)
    expected = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdim:
        expected = expected.reshape(np.max(x, axis=axis).shape)
    assert np.isfinite(out.detach().numpy()).all()           # 1e4 magnitudes must not overflow
    assert_close(out, expected, dtype=arr.dtype, scale=np.abs(arr).max(initial=1))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@given(data=st.data())
def test_softmax_forward(name, data):
    shape = data.draw(shapes(max_dims=3))
    arr, view = data.draw(hard_input(shape, large=True))
    dim = data.draw(dim_int(len(shape)))
    fn = data.draw(st.sampled_from([getattr(tl, name), getattr(F, name),
                                    lambda t, d: getattr(t, name)(d)]))
    out = fn(tl_tensor(view), dim)
    x, axis = _f64(arr), _norm_dims(dim, arr.ndim)
    z = x - np.max(x, axis=axis, keepdims=True)
    lse = np.log(np.sum(np.exp(z), axis=axis, keepdims=True))
    expected = np.exp(z - lse) if name == "softmax" else z - lse
    assert out.dtype.np == arr.dtype
    assert np.isfinite(out.detach().numpy()).all()
    assert_close(out, expected, dtype=arr.dtype, scale=np.abs(expected).max(initial=1))


# ====================================================================== matmul
@st.composite
def matmul_case(draw, allow_zero=False):
    """(shape_a, shape_b) covering 1-D / 2-D / batched operands with broadcast batch dims."""
    lo = 0 if allow_zero else 1
    m, k, n = (draw(st.integers(lo, 4)) for _ in range(3))
    ba, bb = draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    kind_a, kind_b = draw(st.sampled_from(["1d", "2d", "nd"])), draw(st.sampled_from(["1d", "2d", "nd"]))
    sa = {"1d": (k,), "2d": (m, k), "nd": ba + (m, k)}[kind_a]
    sb = {"1d": (k,), "2d": (k, n), "nd": bb + (k, n)}[kind_b]
    return sa, sb


@given(data=st.data(), case=matmul_case(allow_zero=True))
def test_matmul_forward(data, case):
    sa, sb = case
    dt = data.draw(float_dtypes)
    a, va = data.draw(hard_input(sa, dt))
    b, vb = data.draw(hard_input(sb, dt))
    expected = np.matmul(_f64(a), _f64(b))
    ta, tb = tl_tensor(va, data.draw(st.booleans())), tl_tensor(vb, data.draw(st.booleans()))
    for out in (ta @ tb, tl.matmul(ta, tb), ta.matmul(tb)):
        assert out.dtype.np == dt
        assert_close(out, expected, dtype=dt, scale=9 * max(sa[-1], 1))


@given(data=st.data())
def test_mm_bmm_mv_dot_outer_forward(data):
    dt = data.draw(float_dtypes)
    b, m, k, n = (data.draw(st.integers(1, 4)) for _ in range(4))
    A, vA = data.draw(hard_input((m, k), dt))
    B, vB = data.draw(hard_input((k, n), dt))
    v, vv = data.draw(hard_input((k,), dt))
    w, vw = data.draw(hard_input((k,), dt))
    P, vP = data.draw(hard_input((b, m, k), dt))
    Q, vQ = data.draw(hard_input((b, k, n), dt))
    tA, tB, tv, tw, tP, tQ = map(tl_tensor, (vA, vB, vv, vw, vP, vQ))
    sc = 9 * k
    assert_close(tl.mm(tA, tB), _f64(A) @ _f64(B), dtype=dt, scale=sc)
    assert_close(tA.mm(tB), _f64(A) @ _f64(B), dtype=dt, scale=sc)
    assert_close(tl.bmm(tP, tQ), _f64(P) @ _f64(Q), dtype=dt, scale=sc)
    assert_close(tl.mv(tA, tv), _f64(A) @ _f64(v), dtype=dt, scale=sc)
    assert_close(tl.dot(tv, tw), _f64(v) @ _f64(w), dtype=dt, scale=sc)
    assert_close(tl.outer(tv, tw), np.outer(_f64(v), _f64(w)), dtype=dt, scale=sc)
    with pytest.raises((RuntimeError, ValueError)):
        tl.mm(tP, tQ)
    with pytest.raises((RuntimeError, ValueError)):
        tl.matmul(tA, tl.ones(k + 1, n, dtype=tA.dtype))


@given(data=st.data())
def test_linear_forward(data):
    dt = data.draw(float_dtypes)
    in_f, out_f = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    lead = data.draw(shapes(max_dims=2))
    x, vx = data.draw(hard_input(lead + (in_f,), dt))
    w, vw = data.draw(hard_input((out_f, in_f), dt))
    b, vb = data.draw(hard_input((out_f,), dt))
    expected = _f64(x) @ _f64(w).T
    assert_close(F.linear(tl_tensor(vx), tl_tensor(vw)), expected, dtype=dt, scale=9 * in_f)
    assert_close(F.linear(tl_tensor(vx), tl_tensor(vw), tl_tensor(vb)), expected + _f64(b), dtype=dt,
                 scale=9 * in_f)
    assert_close(tl.linear(tl_tensor(vx), tl_tensor(vw)[0]), _f64(x) @ _f64(w)[0], dtype=dt, scale=9 * in_f)


def test_integer_matmul():
    a, b = tl.tensor([[1, 2], [3, 4]]), tl.tensor([5, 6])
    out = a @ b
    assert out.dtype is tl.int64
    assert out.tolist() == [17, 39]


# ====================================================================== movement
@st.composite
def movement_input(draw, min_dims=0, max_dims=4, allow_zero=True):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims, allow_zero=allow_zero))
    arr, view = draw(hard_input(shape))
    return arr, view, tl_tensor(view, draw(st.booleans()))


def _check(out, expected):
    np.testing.assert_array_equal(out.detach().numpy(), expected)
    assert out.shape == expected.shape


@given(data=st.data())
def test_reshape_view_flatten(data):
    arr, view, t = data.draw(movement_input())
    n, shape = arr.size, arr.shape
    targets = [(n,), (-1,), shape[::-1], (1,) + shape, shape + (1,)]
    if arr.ndim >= 1 and shape[0] != 0:
        targets.append((shape[0], -1))
    target = data.draw(st.sampled_from(targets))
    _check(t.reshape(target), arr.reshape(target))
    _check(t.reshape(*target), arr.reshape(target))
    _check(tl.reshape(t, target), arr.reshape(target))
    c = tl_tensor(np.ascontiguousarray(arr), False)
    v = c.view(target)
    _check(v, arr.reshape(target))
    if arr.size:
        assert np.shares_memory(v.numpy(), c.numpy())          # a view, as PyTorch
    s, e = sorted(data.draw(st.lists(dim_int(arr.ndim), min_size=2, max_size=2)),
                  key=lambda d: d % max(arr.ndim, 1))
    if arr.ndim:
        s, e = s % arr.ndim, e % arr.ndim
        flat_shape = shape[:s] + (numel(shape[s:e + 1]),) + shape[e + 1:]
    else:
        flat_shape = (1,)
    _check(t.flatten(s, e), arr.reshape(flat_shape))
    _check(t.flatten(), arr.reshape(-1))


def test_view_of_noncontiguous_raises():
    t = tl.arange(6.0).reshape(2, 3).T
    with pytest.raises(RuntimeError):
        t.view(6)
    np.testing.assert_array_equal(t.reshape(6).numpy(), [0, 3, 1, 4, 2, 5])


@given(data=st.data())
def test_transpose_permute_T(data):
    arr, view, t = data.draw(movement_input())
    if arr.ndim:
        d0, d1 = data.draw(dim_int(arr.ndim)), data.draw(dim_int(arr.ndim))
        _check(t.transpose(d0, d1), np.swapaxes(arr, d0, d1))
        _check(tl.transpose(t, d0, d1), np.swapaxes(arr, d0, d1))
        perm = data.draw(st.permutations(range(arr.ndim)))
        perm = [p - arr.ndim if data.draw(st.booleans()) else p for p in perm]
        _check(t.permute(*perm), np.transpose(arr, [p % arr.ndim for p in perm]))
        _check(t.permute(perm), np.transpose(arr, [p % arr.ndim for p in perm]))
    _check(t.T, arr.T)
    if arr.ndim == 2:
        _check(t.t(), arr.T)
        _check(t.mT, arr.T)


@given(data=st.data())
def test_squeeze_unsqueeze(data):
    arr, view, t = data.draw(movement_input())
    _check(t.squeeze(), np.squeeze(arr))
    d = data.draw(dim_int(arr.ndim))
    exp = np.squeeze(arr, d % arr.ndim) if arr.ndim and arr.shape[d] == 1 else arr
    _check(t.squeeze(d), exp)
    if arr.ndim:
        ds = tuple(data.draw(st.lists(st.integers(0, arr.ndim - 1), unique=True, min_size=1)))
        _check(t.squeeze(ds), np.squeeze(arr, tuple(x for x in ds if arr.shape[x] == 1)))
    u = data.draw(st.integers(-arr.ndim - 1, arr.ndim))
    _check(t.unsqueeze(u), np.expand_dims(arr, u))
    _check(tl.unsqueeze(t, u), np.expand_dims(arr, u))


@given(data=st.data())
def test_expand_broadcast_to_contiguous(data):
    src, other = data.draw(broadcastable_shapes(2, max_dims=4))
    result = np.broadcast_shapes(src, other)         # src expands to it: missing and size-1 dims grow
    arr, view = data.draw(hard_input(src))
    t = tl_tensor(view, data.draw(st.booleans()))
    expected = np.broadcast_to(arr, result)
    lead = len(result) - len(src)
    sizes = [-1 if i >= lead and src[i - lead] == result[i] and data.draw(st.booleans()) else s
             for i, s in enumerate(result)]                          # -1 keeps an existing size
    _check(t.expand(*sizes), expected)
    _check(t.expand(sizes), expected)
    _check(t.broadcast_to(result), expected)
    _check(tl.broadcast_to(t, result), expected)
    e = t.expand(*result)
    c = e.contiguous()
    assert c.is_contiguous()
    _check(c, expected)
    c2 = t.contiguous()
    assert c2.is_contiguous()
    _check(c2, arr)
    if view.flags.c_contiguous:
        assert c2 is t                       # already contiguous: returned as is, as PyTorch


@given(data=st.data())
def test_cat_stack(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, allow_zero=True))
    d = data.draw(dim_int(len(shape)))
    k = data.draw(st.integers(1, 3))
    arrs, ts = [], []
    dt = data.draw(float_dtypes)
    for _ in range(k):
        s = list(shape)
        s[d] = data.draw(st.integers(0, 3))
        a, v = data.draw(hard_input(tuple(s), dt))
        arrs.append(a)
        ts.append(tl_tensor(v, data.draw(st.booleans())))
    _check(tl.cat(ts, d), np.concatenate(arrs, d))
    _check(tl.cat(ts, dim=d), np.concatenate(arrs, d))
    same = [data.draw(hard_input(shape, dt)) for _ in range(k)]
    sd = data.draw(dim_int(len(shape) + 1))
    _check(tl.stack([tl_tensor(v) for _, v in same], sd), np.stack([a for a, _ in same], sd))


def test_cat_promotes_and_checks():
    out = tl.cat([tl.tensor([1.0]), tl.tensor([2.0], dtype=tl.float64), tl.tensor([3])])
    assert out.dtype is tl.float64 and out.tolist() == [1.0, 2.0, 3.0]
    with pytest.raises((RuntimeError, ValueError)):
        tl.cat([tl.ones(2, 3), tl.ones(3, 2)])
    with pytest.raises((RuntimeError, ValueError)):
        tl.stack([tl.ones(2), tl.ones(3)])


@given(data=st.data())
def test_split_chunk(data):
    arr, view, t = data.draw(movement_input(min_dims=1, allow_zero=True))
    d = data.draw(dim_int(arr.ndim))
    n = arr.shape[d]
    size = data.draw(st.integers(1, 4))
    parts = t.split(size, d)
    bounds = list(range(size, n, size))
    expected = np.split(arr, bounds, axis=d)
    assert len(parts) == len(expected)
    for p, e in zip(parts, expected):
        _check(p, e)
    if n:
        sections = data.draw(st.lists(st.integers(0, n), min_size=1, max_size=3))
        sections = sections[:-1] + [max(n - sum(sections[:-1]), 0)]
        if sum(sections) == n:
            parts = tl.split(t, sections, dim=d)
            expected = np.split(arr, np.cumsum(sections)[:-1], axis=d)
            assert [tuple(p.shape) for p in parts] == [e.shape for e in expected]
            for p, e in zip(parts, expected):
                _check(p, e)
    chunks = data.draw(st.integers(1, 5))
    per = -(-n // chunks) if n else 1
    expected = np.split(arr, list(range(per, n, per)), axis=d) if n else [arr]
    got = t.chunk(chunks, d)
    assert len(got) == len(expected)
    for p, e in zip(got, expected):
        _check(p, e)


@given(data=st.data())
def test_pad(data):
    arr, view, t = data.draw(movement_input(min_dims=1, max_dims=3, allow_zero=False))
    npairs = data.draw(st.integers(1, arr.ndim))
    pad, widths = [], [(0, 0)] * arr.ndim
    for i in range(npairs):
        dim = arr.ndim - 1 - i
        b = data.draw(st.integers(-arr.shape[dim] // 2, 2))
        a = data.draw(st.integers(-(arr.shape[dim] + min(b, 0)) // 2, 2))
        pad += [b, a]
        widths[dim] = (b, a)
    value = data.draw(st.sampled_from([None, 0.0, -1.5]))
    out = F.pad(t, tuple(pad)) if value is None else F.pad(t, tuple(pad), value=value)
    crop = arr[tuple(slice(max(-b, 0), s - max(-a, 0)) for (b, a), s in zip(widths, arr.shape))]
    expected = np.pad(crop, [(max(b, 0), max(a, 0)) for b, a in widths], constant_values=value or 0)
    _check(out, expected)


@given(data=st.data())
def test_flip_repeat(data):
    arr, view, t = data.draw(movement_input())
    if arr.ndim:
        fd = tuple(data.draw(st.lists(st.integers(0, arr.ndim - 1), unique=True, min_size=1)))
        _check(t.flip(fd), np.flip(arr, fd))
        _check(tl.flip(t, list(fd)), np.flip(arr, fd))
    else:
        _check(t.flip(0), arr)
    extra = data.draw(st.integers(0, 2))
    reps = tuple(data.draw(st.integers(0, 3)) for _ in range(arr.ndim + extra))
    if reps:
        _check(t.repeat(*reps), np.tile(arr, reps))
        _check(t.repeat(reps), np.tile(arr, reps))


def test_flip_is_a_copy():
    x = tl.arange(4.0)
    y = x.flip(0)
    x[0] = 100.0
    assert y.tolist() == [3.0, 2.0, 1.0, 0.0]


# ====================================================================== indexing
def _np_index(idx):
    return tuple(i.numpy() if isinstance(i, tl.Tensor) else np.asarray(i) if isinstance(i, list) else i
                 for i in idx)


def _torch_order(idx):
    """PyTorch applies integer indices as selects before advanced indexing (numpy, when arrays are
    present, treats them as advanced indices, which can move the result's dims). Returns the
    index as two numpy steps: (ints and full slices, the rest)."""
    idx = _np_index(idx)
    if not any(isinstance(i, np.ndarray) for i in idx):
        return (), idx
    first, rest = [], []
    for i in idx:
        if isinstance(i, int):
            first.append(i)
        elif i is Ellipsis:
            first.append(i)
            rest.append(i)
        else:
            if i is not None:
                first.extend([slice(None)] * (i.ndim if isinstance(i, np.ndarray) and i.dtype == bool else 1))
            rest.append(i)
    return tuple(first), tuple(rest)


def ref_getitem(arr, idx):
    first, rest = _torch_order(idx)
    return np.asarray(arr[first][rest])


def ref_setitem(arr, idx, value):
    first, rest = _torch_order(idx)
    arr[first][rest] = value        # arr[first] is a view


@given(data=st.data())
def test_getitem_forward(data):
    shape = data.draw(shapes(max_dims=4, allow_zero=True))
    arr, view = data.draw(hard_input(shape))
    t = tl_tensor(view, data.draw(st.booleans()))
    idx = data.draw(index_case(shape))
    out = t[idx]
    _check(out, ref_getitem(arr, idx))
    if len(idx) == 1:
        _check(t[idx[0]], ref_getitem(arr, idx))


def test_getitem_hand_values():
    x = tl.arange(24.0).reshape(2, 3, 4)
    assert x[1, -1, 2].item() == 22.0
    assert x[..., 1].tolist() == [[1, 5, 9], [13, 17, 21]]
    assert x[:, None, 0, ::-2].shape == (2, 1, 2)
    assert x[0, :, ::-1][0].tolist() == [3, 2, 1, 0]
    assert x[tl.tensor([1, 1, 0]), 0, 0].tolist() == [12, 12, 0]
    assert x[x > 20].tolist() == [21, 22, 23]
    assert x[tl.tensor(1), 2, 3].item() == 23.0               # 0-d integer tensor index
    # ints are selects applied before advanced indexing (PyTorch), not advanced indices (numpy)
    assert x[0, :, [1, 2]].tolist() == [[1, 2], [5, 6], [9, 10]]
    assert x[None, [1, 0], :, 3].tolist() == [[[15, 19, 23], [3, 7, 11]]]
    assert x[[1, 0], 1, [2, 3]].tolist() == [18, 7]
    b = x[0]
    assert np.shares_memory(b.numpy(), x.numpy())            # basic indexing returns a view
    with pytest.raises(IndexError):
        x[2]
    with pytest.raises(IndexError):
        x[0.5]
    with pytest.raises(IndexError):
        x[tl.tensor([0.0])]


@given(data=st.data())
def test_setitem_forward(data):
    shape = data.draw(shapes(min_dims=1, max_dims=3, allow_zero=True))
    dt = data.draw(float_dtypes)
    arr, view = data.draw(hard_input(shape, dt))
    t = tl_tensor(view, False)
    idx = data.draw(index_case(shape, unique_arrays=True))
    target = ref_getitem(arr, idx).shape
    expected = arr.copy()
    kind = data.draw(st.sampled_from(["scalar", "int", "tensor", "broadcast"]))
    if kind == "scalar":
        value = 1.25
        ref_setitem(expected, idx, value)
    elif kind == "int":
        value = 7
        ref_setitem(expected, idx, value)
    else:
        vshape = target if kind == "tensor" else tuple(target[-1:]) if target else ()
        vals = data.draw(hard_arrays(vshape, data.draw(float_dtypes)))
        value = tl.tensor(vals)
        ref_setitem(expected, idx, vals.astype(dt))
    version = t._version
    t[idx] = value
    np.testing.assert_array_equal(t.numpy(), expected)
    np.testing.assert_array_equal(view, expected)           # written in place, through the view
    assert t.dtype.np == dt
    assert t._version > version


def test_setitem_hand_values_and_views():
    x = tl.zeros(3, 4)
    row = x[1]
    x[1, ::2] = 5.0
    x[tl.tensor([0, 2]), -1] = tl.tensor([1.0, 2.0])
    x[x < 0] = 3.0
    assert x.tolist() == [[0, 0, 0, 1], [5, 0, 5, 0], [0, 0, 0, 2]]
    assert row.tolist() == [5, 0, 5, 0]                      # a view sees writes to its base
    row[0] = -1.0
    assert x[1, 0].item() == -1.0                            # ...and the base sees writes to a view
    m = tl.arange(6.0).reshape(2, 3)
    m[m > 2] = 0
    assert m.tolist() == [[0, 1, 2], [0, 0, 0]]
    with pytest.raises((ValueError, RuntimeError)):
        m[0] = tl.ones(4)


# ====================================================================== creation
@given(shape=shapes(max_dims=3, allow_zero=True), dtype=st.sampled_from([None, tl.float32, tl.float64, tl.int64,
                                                                          tl.int32, tl.bool]))
def test_zeros_ones_full_empty(shape, dtype):
    expected_dt = tl.float32 if dtype is None else dtype
    for fn, val in ((tl.zeros, 0), (tl.ones, 1)):
        for t in (fn(*shape, dtype=dtype), fn(shape, dtype=dtype), fn(list(shape), dtype=dtype)):
            assert t.shape == shape and t.dtype is expected_dt
            assert (t.numpy() == val).all()
    f = tl.full(shape, 3.5)
    assert f.dtype is tl.float32 and f.shape == shape and (f.numpy() == 3.5).all()
    assert tl.full(shape, 2).dtype is tl.int64
    assert tl.full(shape, True).dtype is tl.bool
    assert tl.full(shape, 2, dtype=tl.float64).dtype is tl.float64
    assert tl.empty(*shape, dtype=dtype).shape == shape
    z = tl.zeros_like(f)
    assert z.dtype is tl.float32 and z.shape == shape and (z.numpy() == 0).all()
    assert tl.ones_like(f, dtype=tl.int64).dtype is tl.int64
    assert (tl.full_like(f, 7).numpy() == 7).all()


def test_tensor_dtype_inference():
    assert tl.tensor(1.5).dtype is tl.float32 and tl.tensor(1.5).shape == ()
    assert tl.tensor([1, 2]).dtype is tl.int64
    assert tl.tensor([True, False]).dtype is tl.bool
    assert tl.tensor([1, 2.5]).dtype is tl.float32
    assert tl.tensor(np.array([1.0])).dtype is tl.float64            # numpy keeps its dtype
    assert tl.tensor(np.array([1], dtype=np.int32)).dtype is tl.int32
    assert tl.tensor([[1, 2]], dtype=tl.float64).dtype is tl.float64
    t = tl.tensor([1.0, 2.0], requires_grad=True)
    assert t.requires_grad and t.is_leaf
    src = np.array([1.0, 2.0])
    copy, shared = tl.tensor(src), tl.from_numpy(src)
    src[0] = 9.0
    assert copy.tolist() == [1.0, 2.0] and shared.tolist() == [9.0, 2.0]
    with pytest.raises(RuntimeError):
        tl.tensor([1, 2], requires_grad=True)                          # ints cannot require grad


@given(start=st.integers(-5, 5), length=st.integers(0, 6), step=st.integers(1, 3), neg=st.booleans())
def test_arange(start, length, step, neg):
    step = -step if neg else step
    end = start + length * step
    t = tl.arange(start, end, step)
    assert t.dtype is tl.int64
    np.testing.assert_array_equal(t.numpy(), np.arange(start, end, step))
    f = tl.arange(float(start), float(end), step / 2)
    assert f.dtype is tl.float32
    np.testing.assert_allclose(f.numpy(), np.arange(start, end, step / 2), rtol=1e-6, atol=1e-6)
    if length and not neg:
        np.testing.assert_array_equal(tl.arange(length).numpy(), np.arange(length))
    assert tl.arange(0, 1, 0.1).shape == (10,)
    assert tl.arange(5, dtype=tl.float64).dtype is tl.float64


@given(start=st.floats(-5, 5), end=st.floats(-5, 5), steps=st.integers(0, 7))
def test_linspace(start, end, steps):
    t = tl.linspace(start, end, steps)
    assert t.dtype is tl.float32 and t.shape == (steps,)
    np.testing.assert_allclose(t.numpy(), np.linspace(start, end, steps), rtol=1e-5, atol=1e-5)
    if steps >= 2:
        assert t.numpy()[0] == np.float32(start) and abs(t.numpy()[-1] - end) <= 1e-5


@given(n=st.integers(0, 5), m=st.one_of(st.none(), st.integers(0, 5)))
def test_eye(n, m):
    t = tl.eye(n, m)
    assert t.dtype is tl.float32
    np.testing.assert_array_equal(t.numpy(), np.eye(n, m))
    assert tl.eye(n, dtype=tl.int64).dtype is tl.int64


@given(shape=shapes(max_dims=3, allow_zero=True), seed=st.integers(0, 2 ** 31))
def test_random_creation_shapes_dtypes_and_seed(shape, seed):
    tl.manual_seed(seed)
    r, n = tl.rand(*shape), tl.randn(shape)
    i = tl.randint(2, 7, shape)
    tl.manual_seed(seed)
    r2, n2, i2 = tl.rand(*shape), tl.randn(shape), tl.randint(2, 7, shape)
    assert r.dtype is tl.float32 and n.dtype is tl.float32 and i.dtype is tl.int64
    assert r.shape == shape and n.shape == shape and i.shape == shape
    np.testing.assert_array_equal(r.numpy(), r2.numpy())           # manual_seed reproduces draws
    np.testing.assert_array_equal(n.numpy(), n2.numpy())
    np.testing.assert_array_equal(i.numpy(), i2.numpy())
    assert ((r.numpy() >= 0) & (r.numpy() < 1)).all()
    assert ((i.numpy() >= 2) & (i.numpy() < 7)).all()
    assert tl.rand(*shape, dtype=tl.float64).dtype is tl.float64
    assert tl.randn(*shape, dtype=tl.float64).dtype is tl.float64
    assert tl.randint(0, 3, shape, dtype=tl.int32).dtype is tl.int32


def test_random_statistics_and_signatures():
    tl.manual_seed(0)
    a = tl.rand(20000)
    b = tl.randn(20000)
    assert abs(a.mean().item() - 0.5) < 0.01 and abs(b.mean().item()) < 0.03
    assert abs(b.std().item() - 1) < 0.03
    tl.manual_seed(1)
    x = tl.randn(5)
    y = tl.randn(5)
    assert not np.array_equal(x.numpy(), y.numpy())                # the stream advances
    r = tl.randint(10, (3, 4))                                      # randint(high, size), as PyTorch
    assert r.shape == (3, 4) and r.dtype is tl.int64 and ((r.numpy() >= 0) & (r.numpy() < 10)).all()
    r = tl.randint(3, 5, size=(100,))
    assert set(np.unique(r.numpy())) <= {3, 4}
    assert tl.rand(2, 3, requires_grad=True).requires_grad
    tl.manual_seed(5)
    s = tl.get_rng_state()
    u = tl.rand(3)
    tl.set_rng_state(s)
    np.testing.assert_array_equal(tl.rand(3).numpy(), u.numpy())


def test_integer_reduction_dtypes():
    i32 = tl.tensor([1, 2, 3], dtype=tl.int32)
    assert i32.sum().dtype is tl.int64 and i32.sum().item() == 6          # ints accumulate in int64
    assert i32.prod().dtype is tl.int64 and i32.prod().item() == 6
    assert i32.cumsum(0).dtype is tl.int64 and i32.cumsum(0).tolist() == [1, 3, 6]
    assert tl.tensor([True, True, False]).sum().dtype is tl.int64
    assert i32.max().dtype is tl.int32 and i32.argmax().item() == 2
    assert i32.sum(dtype=tl.float64).dtype is tl.float64
    with pytest.raises((TypeError, RuntimeError)):
        i32.mean()                                    # mean needs a floating dtype, as PyTorch
    assert i32.mean(dtype=tl.float32).item() == 2.0


def test_zero_size_reductions():
    e = tl.zeros(0, 3)
    assert e.sum().item() == 0.0
    assert e.sum(0).tolist() == [0.0, 0.0, 0.0]
    assert e.prod(0).tolist() == [1.0, 1.0, 1.0]
    assert np.isnan(e.mean().item())
    assert e.amax(1).shape == (0,)
    with pytest.raises((IndexError, RuntimeError)):
        e.max()
    with pytest.raises((IndexError, RuntimeError)):
        e.max(0)


@pytest.mark.parametrize("dt", FLOAT_DTYPES)
def test_reductions_on_0d(dt):
    x = tl.tensor(np.asarray(2.5, dtype=dt))
    for fn in (lambda t: t.sum(0), lambda t: t.sum(-1, keepdim=True), lambda t: t.mean(0), lambda t: t.prod(0),
               lambda t: tl.logsumexp(t, 0), lambda t: t.amax(0), lambda t: t.max(0).values,
               lambda t: t.flip(0), lambda t: t.softmax(0).log() + 2.5, lambda t: t.squeeze(0),
               lambda t: t.cumsum(0)):
        out = fn(x)
        assert out.shape == () and out.item() == pytest.approx(2.5), fn
    assert x.argmax(0).item() == 0 and x.max(0).indices.item() == 0
    assert x.sum(dim=()).item() == 2.5
