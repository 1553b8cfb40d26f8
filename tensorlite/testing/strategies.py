"""Hypothesis strategies for property-testing tensor code (tensorlite's own test suite uses them).

Needs hypothesis: `pip install tensorlite[testing]`.

    from hypothesis import given, strategies as st
    from tensorlite.testing.strategies import smooth_arrays, small_shapes, laid_out, tl_tensor

    @given(st.data())
    def test_my_op(data):
        arr = data.draw(laid_out(smooth_arrays(data.draw(small_shapes()))))
        x = tl_tensor(arr)                 # keeps the drawn (possibly non-contiguous) layout
        assert tl.autograd.gradcheck(my_op, (x,), fast_mode=True)

Conventions
-----------
* Arrays are numpy arrays; build tensorlite tensors from them with :func:`tl_tensor`
  (which keeps a non-contiguous layout) and torch tensors with :func:`torch_tensor`.
* "hard" arrays deliberately contain exact ties, zeros and (on request) huge magnitudes:
  they are for forward checks and for ops whose rule at a tie/kink is itself under test.
* "smooth" arrays are for finite-difference gradient checks: values lie on a grid of
  spacing 1/32 offset by 1/128, so they never sit on 0, +-0.5, +-1, ... (kinks of relu,
  abs, clamp bounds chosen on the 1/32 grid) and, with ``unique=True``, never tie.
* `assert_close` here compares against a numpy reference with tolerances scaled to the input
  magnitude; `tensorlite.testing.assert_close` is torch.testing's comparison.
"""
import math

import numpy as np
try:
    from hypothesis import strategies as st
    from hypothesis.extra import numpy as hnp
except ImportError as e:              # pragma: no cover - exercised without the extra installed
    raise ImportError("tensorlite.testing.strategies needs hypothesis: pip install 'tensorlite[testing]'") from e

import tensorlite as tl

__all__ = [
    "FLOAT_DTYPES", "LAYOUTS", "float_dtypes", "shapes", "small_shapes", "broadcastable_shapes",
    "hard_floats", "hard_arrays", "smooth_floats", "smooth_arrays", "positive_arrays", "layouts",
    "to_layout", "laid_out", "dims", "dim_int", "keepdims", "tl_tensor", "torch_tensor",
    "tolerances", "assert_close", "numel", "GRID", "KINK_SAFE_OFFSET", "index_case",
]

FLOAT_DTYPES = (np.float32, np.float64)
float_dtypes = st.sampled_from(FLOAT_DTYPES)


def numel(shape):
    return int(math.prod(shape))


# ---------------------------------------------------------------- shapes
def shapes(min_dims=0, max_dims=4, min_side=1, max_side=4, allow_zero=False, max_numel=None):
    """Array shapes including 0-d and size-1 dims; zero-size dims only with allow_zero=True
    (then roughly one shape in four has a 0 somewhere)."""
    s = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    if allow_zero:
        s = st.one_of(s, s, s, hnp.array_shapes(min_dims=max(min_dims, 1), max_dims=max_dims, min_side=0,
                                               max_side=max_side))
    if max_numel is not None:
        s = s.filter(lambda sh: numel(sh) <= max_numel)
    return s


def small_shapes(min_dims=0, max_dims=3, max_side=3, max_numel=12):
    """Shapes small enough for finite-difference gradient checks (O(numel) forwards)."""
    return shapes(min_dims=min_dims, max_dims=max_dims, max_side=max_side, max_numel=max_numel)


def broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3, max_numel=None):
    """A tuple of `num_shapes` mutually broadcastable shapes: size-1 dims and missing leading
    dims are drawn on every side."""
    s = hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=min_dims, max_dims=max_dims,
                                          min_side=1, max_side=max_side)
    if max_numel is not None:
        s = s.filter(lambda b: numel(b.result_shape) <= max_numel)
    return s.map(lambda b: tuple(b.input_shapes))


# ---------------------------------------------------------------- values
_SPECIALS = (0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0)
_LARGE = (1e4, -1e4, 3e4, -3e4, 1e4 + 1.0)


TINY = 2.0 ** -10


def _no_tiny(v):
    # Magnitudes far below 1 only exercise float32 under/overflow in the order an
    # implementation happens to multiply (g * b * a**(b-1) vs g * (b * a**(b-1))), which is
    # not what these tests are about: they become exact zeros, which are.
    return v if abs(v) >= TINY else 0.0


def hard_floats(min_value=-3.0, max_value=3.0, large=False):
    """Float elements (exactly representable in float32) biased to exact special values
    (0, -0, +-0.5, +-1, +-2) and, with large=True, to +-1e4 / +-3e4 magnitudes. Nonzero
    magnitudes are at least 2**-10."""
    specials = [v for v in _SPECIALS if min_value <= v <= max_value]
    parts = [st.floats(min_value, max_value, width=32, allow_subnormal=False).map(_no_tiny)]
    if specials:
        parts.append(st.sampled_from(specials))
    if large:
        parts.append(st.sampled_from(_LARGE))
    return st.one_of(*parts)


def hard_arrays(shape, dtype=np.float64, min_value=-3.0, max_value=3.0, large=False):
    """Arrays with hard values. Hypothesis fills arrays with one repeated value and sprinkles
    others, so exact ties along any axis are common; zeros and (large=True) 1e4 magnitudes
    are never filtered out."""
    return hnp.arrays(dtype, shape, elements=hard_floats(min_value, max_value, large))


GRID = 1 / 32                 # smooth values are k * GRID + KINK_SAFE_OFFSET
KINK_SAFE_OFFSET = 1 / 128


def smooth_floats(min_value=-3.0, max_value=3.0):
    lo, hi = math.ceil(min_value / GRID), math.floor(max_value / GRID) - 1
    return st.integers(lo, hi).map(lambda k: k * GRID + KINK_SAFE_OFFSET)


def smooth_arrays(shape, dtype=np.float64, min_value=-3.0, max_value=3.0, unique=False):
    """Arrays for gradient checks: off every multiple of 1/32 by >= 1/128 (so away from the
    kinks of relu/abs/sign/clamp) and, with unique=True, without ties."""
    return hnp.arrays(dtype, shape, elements=smooth_floats(min_value, max_value), unique=unique)


def positive_arrays(shape, dtype=np.float64, min_value=0.25, max_value=4.0, smooth=True):
    """Strictly positive arrays (log, sqrt, rsqrt, pow bases, divisors)."""
    if smooth:
        return smooth_arrays(shape, dtype, min_value, max_value)
    return hnp.arrays(dtype, shape, elements=st.one_of(
        st.floats(min_value, max_value, width=32, allow_subnormal=False),
        st.sampled_from([v for v in (0.5, 1.0, 2.0, 4.0) if min_value <= v <= max_value] or [min_value])))


# ---------------------------------------------------------------- layouts
LAYOUTS = ("contiguous", "transposed", "strided", "flipped")
layouts = st.sampled_from(LAYOUTS)


def to_layout(arr, layout):
    """A view with arr's values (and dtype) but the given memory layout:

    * contiguous -- a C-contiguous copy;
    * transposed -- a Fortran-ordered copy seen through .T (transposed copy back via .T);
    * strided    -- every other element of a larger buffer (the gaps hold a loud sentinel);
    * flipped    -- a negative-stride view of a flipped copy.
    """
    arr = np.asarray(arr)
    if layout == "contiguous" or arr.ndim == 0:
        return np.array(arr, copy=True)
    if layout == "transposed":
        return np.ascontiguousarray(arr.T).T
    if layout == "strided":
        big = np.full(tuple(2 * s for s in arr.shape), 7.77e7, dtype=arr.dtype)
        view = big[tuple(slice(1, None, 2) for _ in arr.shape)]
        view[...] = arr
        return view
    if layout == "flipped":
        return np.flip(np.flip(arr).copy())
    raise ValueError(f"unknown layout {layout!r}")


@st.composite
def laid_out(draw, arrays):
    """Draw an array from `arrays` and return it in a drawn layout."""
    return to_layout(draw(arrays), draw(layouts))


# ---------------------------------------------------------------- dims
def dim_int(ndim):
    """One dim for an ndim-D tensor, negative forms included (0-d tensors accept 0 and -1)."""
    n = max(ndim, 1)
    return st.integers(-n, n - 1)


@st.composite
def dims(draw, ndim, allow_none=True, allow_tuple=True):
    """A `dim` argument for a reduction: None, an int, or a tuple of distinct dims (each in
    positive or negative form, in any order)."""
    kinds = ["int"] + (["none"] if allow_none else []) + (["tuple"] if allow_tuple and ndim > 0 else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    if kind == "int":
        return draw(dim_int(ndim))
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(d - ndim if draw(st.booleans()) else d for d in chosen)


keepdims = st.booleans()


# ---------------------------------------------------------------- indices
@st.composite
def index_case(draw, shape, allow_negative_step=True, unique_arrays=False):
    """A PyTorch-style index for `shape` (as a tuple): ints, slices with any step (negative
    steps only with allow_negative_step), None, Ellipsis, and either up to two integer
    arrays / tensors / lists of one length (repeats allowed unless unique_arrays) or one bool
    mask (on one dim, or over the whole tensor)."""
    ndim = len(shape)
    mode = draw(st.sampled_from(["basic", "arrays", "mask", "full_mask"]))
    wrap = draw(st.sampled_from(["tensor", "array", "list"]))
    if mode == "full_mask":
        mask = draw(hnp.arrays(np.bool_, shape))
        return (tl.tensor(mask) if wrap == "tensor" else mask,)
    adv = {}
    candidates = [d for d in range(ndim) if shape[d] > 0]
    if mode == "arrays" and candidates:
        chosen = draw(st.lists(st.sampled_from(candidates), min_size=1, max_size=min(2, len(candidates)),
                               unique=True))
        length = draw(st.integers(0, min(shape[d] for d in chosen) if unique_arrays else 4))
        for d in chosen:
            if unique_arrays:
                vals = draw(st.permutations(range(shape[d])))[:length]
                vals = [v - shape[d] if draw(st.booleans()) else v for v in vals]
            else:
                vals = draw(st.lists(st.integers(-shape[d], shape[d] - 1), min_size=length, max_size=length))
            arr = np.asarray(vals, dtype=np.int64)
            adv[d] = tl.tensor(arr) if wrap == "tensor" else arr if wrap == "array" or not vals else vals
    elif mode == "mask" and ndim:
        d = draw(st.integers(0, ndim - 1))
        mask = np.asarray(draw(st.lists(st.booleans(), min_size=shape[d], max_size=shape[d])), dtype=bool)
        adv[d] = tl.tensor(mask) if wrap == "tensor" else mask
    # an Ellipsis may stand for a run of dims without advanced indices
    e0, e1 = sorted(draw(st.lists(st.integers(0, ndim), min_size=2, max_size=2)))
    use_ellipsis = draw(st.booleans()) and not any(e0 <= d < e1 for d in adv)
    idx, d = [], 0
    while d < ndim:
        if use_ellipsis and d == e0:
            idx.append(Ellipsis)
            d = e1
            if d >= ndim:
                break
            if d == e0:
                use_ellipsis = False
                continue
        size = shape[d]
        if d in adv:
            idx.append(adv[d])
        else:
            kind = draw(st.sampled_from(["slice", "full"] + (["int"] if size else [])))
            if kind == "int":
                idx.append(draw(st.integers(-size, size - 1)))
            elif kind == "full":
                idx.append(slice(None))
            else:
                step = draw(st.sampled_from([1, 2, 3] + ([-1, -2] if allow_negative_step else [])))
                start = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
                stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
                idx.append(slice(start, stop, step))
        d += 1
    if use_ellipsis and e0 == ndim:
        idx.append(Ellipsis)
    for _ in range(draw(st.integers(0, 2))):
        idx.insert(draw(st.integers(0, len(idx))), None)
    return tuple(idx)


# ---------------------------------------------------------------- tensors
def tl_tensor(arr, requires_grad=True):
    """A tensorlite tensor sharing arr's memory (so a non-contiguous layout is kept)."""
    t = tl.from_numpy(arr)
    if requires_grad:
        t.requires_grad_()
    return t


def torch_tensor(torch, arr, requires_grad=True):
    """A torch tensor with arr's values (torch.from_numpy rejects negative strides, so copy)."""
    t = torch.from_numpy(np.array(arr, copy=True, order="C"))
    if requires_grad:
        t.requires_grad_()
    return t


# ---------------------------------------------------------------- comparison
def tolerances(dtype, scale=1.0):
    """(rtol, atol) for comparing a result of `dtype` against a float64 reference whose inputs
    have magnitude about `scale`."""
    if np.dtype(dtype) == np.float32:
        return 2e-5, 2e-5 * max(scale, 1.0)
    return 1e-10, 1e-11 * max(scale, 1.0)


def assert_close(actual, expected, dtype=None, scale=1.0, rtol=None, atol=None, err_msg=""):
    """allclose on values (Tensor or array) with dtype-aware tolerances; NaNs must match."""
    a = np.asarray(actual.detach()._data if isinstance(actual, tl.Tensor) else actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, f"shape {a.shape} != expected {e.shape} {err_msg}"
    if dtype is None:
        dtype = a.dtype if a.dtype.kind == "f" else np.float64
    r, t = tolerances(dtype, scale)
    np.testing.assert_allclose(a.astype(np.float64) if a.dtype.kind == "f" else a,
                               e.astype(np.float64) if e.dtype.kind == "f" else e,
                               rtol=r if rtol is None else rtol, atol=t if atol is None else atol,
                               equal_nan=True, err_msg=err_msg)
