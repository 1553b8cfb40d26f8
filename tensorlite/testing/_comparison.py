"""assert_close: torch.testing.assert_close's semantics and messages for tensorlite values.

Pairs are compared recursively: tensors with tensors, numpy arrays with numpy arrays, numbers
with numbers, sequences and mappings element by element. Tensor-likes first agree on shape,
then dtype (`check_dtype`) and strides (`check_stride`); values are close where
|actual - expected| <= atol + rtol * |expected|, with torch's default tolerances per dtype."""
import collections.abc
import math
import numbers

import numpy as np

from ..tensor import Tensor

# (rtol, atol) when both are omitted: torch's table
_DEFAULT_TOLS = {np.dtype(np.float16): (1e-3, 1e-5), np.dtype(np.float32): (1.3e-6, 1e-5),
                 np.dtype(np.float64): (1e-7, 1e-7), np.dtype(np.complex64): (1.3e-6, 1e-5),
                 np.dtype(np.complex128): (1e-7, 1e-7)}


class _Mismatch(AssertionError):
    pass


def _fail(msg, user_msg, path):
    if path:
        msg += "\n\nThe failure occurred for item " + "".join(f"[{k!r}]" for k in path)
    if user_msg is not None:
        msg = user_msg(msg) if callable(user_msg) else user_msg
    raise AssertionError(msg)


def _kind(x, allow_subclasses):
    if isinstance(x, Tensor):
        return "tensor"
    if isinstance(x, np.ndarray):
        return "ndarray"
    if isinstance(x, (bool, np.bool_)):
        return "bool"
    if isinstance(x, (numbers.Number, np.number)):
        return "number"
    if isinstance(x, collections.abc.Mapping):
        return "mapping"
    if isinstance(x, collections.abc.Sequence) and not isinstance(x, (str, bytes)):
        return "sequence"
    return None


def _tolerances(dts, rtol, atol):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
                         f"{'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    pairs = [_DEFAULT_TOLS.get(np.dtype(d), (0.0, 0.0)) for d in dts]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _diff_line(kind, value, index, tol, equality):
    line = f"{kind.title()} difference: {value}" if index is None else \
        f"Greatest {kind} difference: {value} at index {index}"
    return line if equality else f"{line} (up to {tol} allowed)"


def _message(identifier, extra, abs_diff, abs_idx, rel_diff, rel_idx, rtol, atol):
    equality = rtol == 0 and atol == 0
    return (f"{identifier} are not {'equal' if equality else 'close'}!\n\n{extra}\n"
            f"{_diff_line('absolute', abs_diff, abs_idx, atol, equality)}\n"
            f"{_diff_line('relative', rel_diff, rel_idx, rtol, equality)}")


def _close_mask(a, e, rtol, atol, equal_nan):
    if a.dtype.kind in "biu":
        return a == e
    with np.errstate(all="ignore"):
        close = (np.abs(a - e) <= atol + rtol * np.abs(e)) & np.isfinite(e)
        close |= a == e                                  # equal infinities
    if equal_nan:
        close |= np.isnan(a) & np.isnan(e)
    return close


def _scalar_message(actual, expected, rtol, atol):
    with np.errstate(all="ignore"):
        abs_diff = abs(actual - expected)
        rel_diff = abs_diff / abs(expected) if expected != 0 else (math.inf if abs_diff else math.nan)
    return _message("Scalars", f"Expected {expected} but got {actual}.", abs_diff, None, rel_diff, None,
                    rtol, atol)


def _first_max(v):
    """max and flat index of v, nan winning (torch.max propagates nan)."""
    nan = np.isnan(v)
    k = int(np.argmax(nan)) if nan.any() else int(np.argmax(v))
    return v[k], k


def _array_message(a, e, close, rtol, atol):
    n = close.size
    bad = n - int(close.sum())
    extra = f"Mismatched elements: {bad} / {n} ({bad / n:.1%})"
    af, ef, cf = a.reshape(-1), e.reshape(-1), close.reshape(-1)
    if a.dtype.kind in "biu":
        af, ef = af.astype(np.int64), ef.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(af - ef)
        abs_diff[cf] = 0
        rel_diff = abs_diff / np.abs(ef)
        if rel_diff.dtype == np.float64 and af.dtype.kind in "iu":
            rel_diff = rel_diff.astype(np.float32)       # int / int is float32 (the default dtype)
    rel_diff[cf] = 0
    if rel_diff.dtype.kind != "f":
        rel_diff = rel_diff.astype(np.float64)
    max_abs, ia = _first_max(abs_diff)
    max_rel, ir = _first_max(rel_diff)
    shape = a.shape

    def idx(k):
        return tuple(int(v) for v in np.unravel_index(k, shape))

    return _message("Tensor-likes", extra, max_abs.item(), idx(ia), max_rel.item(), idx(ir), rtol, atol)


def _promote(a, b):
    """torch's promotion: a float meets an int or bool in the float's own dtype."""
    fa, fb = a.kind in "fc", b.kind in "fc"
    if fa != fb:
        return a if fa else b
    return np.result_type(a, b)


def _attr_mismatch(name, a, b):
    return f"The values for attribute '{name}' do not match: {a} != {b}."


def _compare_arrays(actual, expected, kind, rtol, atol, equal_nan, check_dtype, check_stride, msg, path):
    if kind == "tensor":
        a_np, e_np = actual._data, expected._data
        a_shape, e_shape = actual.shape, expected.shape
        a_dt, e_dt = actual.dtype, expected.dtype
    else:
        a_np, e_np = actual, expected
        a_shape, e_shape = a_np.shape, e_np.shape
        a_dt, e_dt = a_np.dtype, e_np.dtype
    if tuple(a_shape) != tuple(e_shape):
        _fail(_attr_mismatch("shape", a_shape, e_shape), msg, path)
    if check_dtype and a_np.dtype != e_np.dtype:
        _fail(_attr_mismatch("dtype", a_dt, e_dt), msg, path)
    if check_stride and kind == "tensor" and actual.stride() != expected.stride() and a_np.size > 1:
        _fail(_attr_mismatch("stride()", actual.stride(), expected.stride()), msg, path)
    rtol, atol = _tolerances((a_np.dtype, e_np.dtype), rtol, atol)
    if a_np.dtype != e_np.dtype:
        common = _promote(a_np.dtype, e_np.dtype)
        a_np, e_np = a_np.astype(common), e_np.astype(common)
    if a_np.dtype == np.bool_:
        a_np, e_np = a_np.astype(np.uint8), e_np.astype(np.uint8)
    close = _close_mask(a_np, e_np, rtol, atol, equal_nan)
    if close.all():
        return
    if a_np.ndim == 0:
        _fail(_scalar_message(a_np.item(), e_np.item(), rtol, atol), msg, path)
    _fail(_array_message(a_np, e_np, close, rtol, atol), msg, path)


def _compare(actual, expected, path, rtol, atol, equal_nan, check_dtype, check_stride, msg, allow_subclasses):
    ka, ke = _kind(actual, allow_subclasses), _kind(expected, allow_subclasses)
    if ka is None or ke is None or ka != ke:
        if ka == "number" and ke == "bool" or ka == "bool" and ke == "number":
            _fail(f"The (d)types do not match: {type(actual)} != {type(expected)}.", msg, path)
        raise TypeError(f"No comparison pair was able to handle inputs of type {type(actual)} and "
                        f"{type(expected)}.")
    if ka == "mapping":
        ak, ek = list(actual.keys()), list(expected.keys())
        if set(ak) != set(ek):
            missing = sorted(set(ek) - set(ak), key=repr)
            extra = sorted(set(ak) - set(ek), key=repr)
            _fail(f"The keys of the mappings do not match:\nMissing keys in the actual mapping: {missing}\n"
                  f"Additional keys in the actual mapping: {extra}", msg, path)
        for k in ek:
            _compare(actual[k], expected[k], path + (k,), rtol, atol, equal_nan, check_dtype, check_stride, msg,
                     allow_subclasses)
        return
    if ka == "sequence":
        if len(actual) != len(expected):
            _fail(f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", msg, path)
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, path + (i,), rtol, atol, equal_nan, check_dtype, check_stride, msg, allow_subclasses)
        return
    if ka == "bool":
        if bool(actual) != bool(expected):
            _fail(f"Booleans mismatch: {actual} is not {expected}", msg, path)
        return
    if ka == "number":
        if check_dtype and type(actual) is not type(expected):
            _fail(f"The (d)types do not match: {type(actual)} != {type(expected)}.", msg, path)
        if isinstance(actual, complex) or isinstance(expected, complex):
            dt = np.complex128
        elif isinstance(actual, (float, np.floating)) or isinstance(expected, (float, np.floating)):
            dt = np.float64
        else:
            dt = np.int64
        r, a = _tolerances((dt,), rtol, atol)
        close = _close_mask(np.asarray(actual, dt), np.asarray(expected, dt), r, a, equal_nan)
        if not bool(close):
            _fail(_scalar_message(actual, expected, r, a), msg, path)
        return
    _compare_arrays(actual, expected, ka, rtol, atol, equal_nan, check_dtype, check_stride, msg, path)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise AssertionError unless `actual` and `expected` are close (torch.testing.assert_close).

    `msg` replaces the message (a str) or transforms it (a callable taking the default message)."""
    _compare(actual, expected, (), rtol, atol, equal_nan, check_dtype, check_stride, msg, allow_subclasses)
