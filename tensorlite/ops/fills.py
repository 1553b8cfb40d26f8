"""The values Tensor's in-place fills write: x.zero_(), x.fill_(v), and torch's "in-place random
sampling" (x.normal_(), x.uniform_(), x.bernoulli_(), x.random_(), x.exponential_(), ...).

Each takes the tensor being filled and the method's arguments, checks them as torch does, and returns
an array (or a scalar) that `Tensor._fill` broadcasts into the tensor. Not part of tl's namespace."""
import numpy as np

from .. import creation
from ..errors import ShapeError
from ..random import rng
from ..tensor import Tensor

__all__ = []


def zeros(s):
    return np.zeros((), s._data.dtype)


def constant(s, value):
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise ShapeError(f"fill_(): argument 'value' must be a number or a 0-dimension tensor, got a tensor "
                             f"of shape {tuple(value.shape)}")
        return np.asarray(value._data)
    if not creation._is_number(value):
        raise TypeError(f"fill_(): argument 'value' must be a number, got {value!r:.40}")
    return np.asarray(value)


def normal(s, mean, std, generator):
    mean = creation._number_arg(mean, "normal_", "mean")
    std = creation._number_arg(std, "normal_", "std")
    if not std >= 0:
        raise ValueError(f"normal_(): argument 'std' must be >= 0 (and not NaN), got std={std}")
    return rng(generator).normal(mean, std, s.shape)


def uniform(s, a, b, generator):
    a = creation._number_arg(a, "uniform_", "from")
    b = creation._number_arg(b, "uniform_", "to")
    if not a <= b or not (np.isfinite(a) and np.isfinite(b)):
        raise ValueError(f"uniform_(): expects a finite [from, to) range, but found from={a} > to={b}"
                         if a > b else f"uniform_(): expects a finite [from, to) range, got from={a}, to={b}")
    return rng(generator).uniform(a, b, s.shape)


def bernoulli(s, p, generator):
    p = creation._number_arg(p, "bernoulli_", "p")
    if not 0 <= p <= 1:
        raise ValueError(f"bernoulli_(): argument 'p' must be a probability in [0, 1], got {p}")
    return rng(generator).random(s.shape) < p


def random(s, low, high, generator):
    if high is None:
        low, high = 0, (low or 2 ** 24)
    low, high = creation._int_arg(low, "random_", "from"), creation._int_arg(high, "random_", "to")
    if high <= low:
        raise ValueError(f"random_(): expects 'from' < 'to', got from={low}, to={high}")
    return rng(generator).integers(low, high, s.shape)


def exponential(s, lambd, generator):
    lambd = creation._number_arg(lambd, "exponential_", "lambd")
    if not lambd > 0:
        raise RuntimeError(f"exponential_(): expects lambda > 0.0, but found lambda={lambd}")
    return rng(generator).exponential(1.0 / lambd, s.shape)


def geometric(s, p, generator):
    p = creation._number_arg(p, "geometric_", "p")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_(): expects p to be in (0, 1), but got p={p}")
    return rng(generator).geometric(p, s.shape)


def log_normal(s, mean, std, generator):
    if not std > 0:
        raise RuntimeError(f"log_normal_(): expects std > 0.0, but found std={std}")
    return rng(generator).lognormal(mean, std, s.shape)


def cauchy(s, median, sigma, generator):
    return median + sigma * rng(generator).standard_cauchy(s.shape)
