"""Weight initialisation (tensorlite.nn.init), PyTorch's formulas; every draw uses tl.manual_seed's generator."""
import math

import numpy as np

from ..autograd.grad_mode import no_grad
from ..random import rng
from ..tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "zeros_", "ones_", "eye_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "dirac_",
           "sparse_", "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
           "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"]


def _tensor(tensor, fname):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fname}(): argument 'tensor' must be a Tensor, not {type(tensor).__name__}")
    return tensor


def _num(v, fname, argname):
    if isinstance(v, Tensor) and v.ndim == 0:
        v = v.item()
    if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
        raise TypeError(f"{fname}(): argument '{argname}' must be a number, got {v!r:.40}")
    return float(v)


def calculate_gain(nonlinearity, param=None):
    linear = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid"}
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain(): argument 'param' (negative_slope) {param!r} is not a number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"calculate_gain(): unsupported nonlinearity {nonlinearity!r} (argument 'nonlinearity')")


def _calculate_fan_in_and_fan_out(tensor, fname="init"):
    if tensor.ndim < 2:
        raise ValueError(f"{fname}(): Fan in and fan out can not be computed for tensor with fewer than 2 "
                         f"dimensions (argument 'tensor' has shape {tuple(tensor.shape)})")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.ndim > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode, fname):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{fname}(): argument 'mode' {mode!r} not supported, use 'fan_in' or 'fan_out'")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, fname)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor, values):
    with no_grad():
        tensor._data[...] = values
        tensor._bump()
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    _tensor(tensor, "uniform_")
    a, b = _num(a, "uniform_", "a"), _num(b, "uniform_", "b")
    if not (a <= b and math.isfinite(a) and math.isfinite(b)):
        raise ValueError(f"uniform_(): expects a finite range with a <= b, got a={a}, b={b}")
    return _fill(tensor, rng(generator).uniform(a, b, tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    _tensor(tensor, "normal_")
    mean, std = _num(mean, "normal_", "mean"), _num(std, "normal_", "std")
    if not std >= 0:
        raise ValueError(f"normal_(): argument 'std' must be >= 0 (and not NaN), got std={std}")
    return _fill(tensor, rng(generator).normal(mean, std, tensor.shape))


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    fname = "trunc_normal_"
    _tensor(tensor, fname)
    mean, std, a, b = (_num(v, fname, n) for v, n in ((mean, "mean"), (std, "std"), (a, "a"), (b, "b")))
    if not (a < b and std >= 0 and all(map(math.isfinite, (mean, std, a, b)))):
        raise ValueError(f"{fname}(): expects finite arguments with a < b and std >= 0, got mean={mean}, "
                         f"std={std}, a={a}, b={b}")
    # Redrawing out-of-range values ends quickly only if [a, b] holds a fair share of N(mean, std).
    mass = (a <= mean <= b) if std == 0 else 0.5 * (math.erf((b - mean) / (std * math.sqrt(2)))
                                                    - math.erf((a - mean) / (std * math.sqrt(2))))
    if mass < 1e-4:
        raise ValueError(f"{fname}(): the interval [a, b] = [{a}, {b}] holds almost none of the normal "
                         f"distribution (mean={mean}, std={std}); move the arguments 'mean' or 'a' and 'b'")
    g = rng(generator)
    out = g.normal(mean, std, tensor.shape)
    bad = (out < a) | (out > b)
    while bad.any():                    # redraw the out-of-range values
        out[bad] = g.normal(mean, std, int(bad.sum()))
        bad = (out < a) | (out > b)
    return _fill(tensor, out)


def constant_(tensor, val):
    _tensor(tensor, "constant_")
    return _fill(tensor, _num(val, "constant_", "val"))


def zeros_(tensor):
    return _fill(_tensor(tensor, "zeros_"), 0)


def ones_(tensor):
    return _fill(_tensor(tensor, "ones_"), 1)


def eye_(tensor):
    _tensor(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError(f"eye_(): only 2-D tensors are supported, got argument 'tensor' of shape "
                         f"{tuple(tensor.shape)}")
    return _fill(tensor, np.eye(*tensor.shape))


def xavier_uniform_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(_tensor(tensor, "xavier_uniform_"), "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    fan_in, fan_out = _calculate_fan_in_and_fan_out(_tensor(tensor, "xavier_normal_"), "xavier_normal_")
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tuple(_tensor(tensor, "kaiming_uniform_").shape):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_uniform_"))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    if 0 in tuple(_tensor(tensor, "kaiming_normal_").shape):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_normal_"))
    return normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor, gain=1.0, generator=None):
    if _tensor(tensor, "orthogonal_").ndim < 2:
        raise ValueError(f"orthogonal_(): only tensors with 2 or more dimensions are supported, got argument "
                         f"'tensor' of shape {tuple(tensor.shape)}")
    if tensor.numel() == 0:             # nothing to fill (torch: a no-op)
        return tensor
    rows, cols = tensor.shape[0], tensor.numel() // tensor.shape[0]
    flat = rng(generator).normal(0, 1, (rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _fill(tensor, gain * q.reshape(tensor.shape))


def dirac_(tensor, groups=1):
    """Zeros with a 1 at the centre tap of kernel [g * out_per_group + d, d] for each group g and
    d < min(out_per_group, in_channels): a convolution that passes its inputs through."""
    _tensor(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_(): only tensors with 3, 4, or 5 dimensions are supported, got argument 'tensor' "
                         f"of shape {tuple(tensor.shape)}")
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError(f"dirac_(): dim 0 must be divisible by groups, got size {sizes[0]} and groups={groups}")
    out_per_group = sizes[0] // groups
    values = np.zeros(sizes, dtype=tensor._data.dtype)
    centre = tuple(n // 2 for n in sizes[2:])
    for g in range(groups):
        for d in range(min(out_per_group, sizes[1])):
            values[(g * out_per_group + d, d) + centre] = 1
    return _fill(tensor, values)


def sparse_(tensor, sparsity, std=0.01, generator=None):
    """N(0, std) entries with ceil(sparsity * rows) of each column set to zero (rows drawn at random)."""
    _tensor(tensor, "sparse_")
    if tensor.ndim != 2:
        raise ValueError(f"sparse_(): only tensors with 2 dimensions are supported, got argument 'tensor' of shape "
                         f"{tuple(tensor.shape)}")
    rows, cols = tensor.shape
    num_zeros = math.ceil(sparsity * rows)
    g = rng(generator)
    values = g.normal(0.0, std, (rows, cols))
    for c in range(cols):
        values[g.permutation(rows)[:num_zeros], c] = 0
    return _fill(tensor, values)


def _make_deprecate(meth):
    """nn.init.<name> (no underscore): the in-place initializer with torch's FutureWarning."""
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        import warnings
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning,
                      stacklevel=2)
        return meth(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old_name
    deprecated_init.__doc__ = f"{old_name}(...): deprecated, use tensorlite.nn.init.{new_name}."
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
