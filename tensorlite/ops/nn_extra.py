"""bilinear, rms_norm, the channel-wise and alpha dropouts, pdist and gumbel_softmax, as
torch.nn.functional; composed from differentiable ops. Random draws come from tensorlite's
generator (tl.manual_seed makes them reproducible)."""
import math
import numbers
import warnings

import numpy as np

from ..errors import ShapeError, ArgumentError
from ..random import rng
from ..tensor import Tensor
from ._helpers import as_tensor, check_float
from .normalization import _check_p, _dropout_mask, _apply_mask, _MaskMul

__all__ = ["bilinear", "rms_norm", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout3d", "pdist",
           "gumbel_softmax"]


def bilinear(input1, input2, weight, bias=None):
    """y[..., o] = sum_ij x1[..., i] * weight[o, i, j] * x2[..., j] + bias[o]."""
    fname = "bilinear"
    x1, x2 = as_tensor(input1, fname, "input1"), as_tensor(input2, fname, "input2")
    w = as_tensor(weight, fname, "weight")
    if w.ndim != 3:
        raise ShapeError(f"{fname}(): argument 'weight' must be 3-D (out_features, in1_features, in2_features), got "
                         f"shape {tuple(w.shape)}")
    if x1.ndim != x2.ndim:
        raise ShapeError(f"{fname}(): input dimensions do not match: got {x1.ndim} and {x2.ndim} (shapes "
                         f"{tuple(x1.shape)} and {tuple(x2.shape)})")
    for i in range(x1.ndim - 1):
        if x1.shape[i] != x2.shape[i]:
            raise ShapeError(f"{fname}(): input batch dimensions do not match at dim {i}: got {x1.shape[i]} and "
                             f"{x2.shape[i]}")
    O, I1, I2 = w.shape
    if x1.shape[-1] != I1:
        raise ShapeError(f"{fname}(): input1 size does not match weight size: got {x1.shape[-1]} but expected {I1}")
    if x2.shape[-1] != I2:
        raise ShapeError(f"{fname}(): input2 size does not match weight size: got {x2.shape[-1]} but expected {I2}")
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != O):
        raise ShapeError(f"{fname}(): bias size does not match weight size: got {bias.shape[-1] if bias.ndim else 0} "
                         f"but expected {O}")
    lead = tuple(x1.shape[:-1])
    t = x1.reshape(-1, I1).matmul(w.permute(1, 0, 2).reshape(I1, O * I2)).reshape(-1, O, I2)
    y = (t * x2.reshape(-1, 1, I2)).sum(-1).reshape(lead + (O,))
    return y if bias is None else y + bias


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """x / sqrt(mean(x^2 over the last len(normalized_shape) dims) + eps) * weight; eps=None is the
    machine epsilon of input's dtype, as torch."""
    fname = "rms_norm"
    x = as_tensor(input, fname)
    check_float(x, fname)
    shape = (normalized_shape,) if isinstance(normalized_shape, numbers.Integral) else tuple(normalized_shape)
    k = len(shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != tuple(shape):
        raise ShapeError(f"{fname}(): given normalized_shape={list(shape)}, expected input with shape "
                         f"[*{', '.join(str(s) for s in shape)}], but got input of size {list(x.shape)}")
    if weight is not None and tuple(weight.shape) != tuple(shape):
        raise ShapeError(f"{fname}(): expected weight to be of same shape as normalized_shape, but got weight of "
                         f"shape {list(weight.shape)} and normalized_shape = {list(shape)}")
    if eps is None:
        eps = float(np.finfo(x._data.dtype).eps)
    dims = tuple(range(x.ndim - k, x.ndim))
    y = x * ((x * x).mean(dims, keepdim=True) + eps).rsqrt()
    return y if weight is None else y * weight


# ------------------------------------------------------------------ dropouts
def _feature_mask_shape(x):
    return tuple(x.shape[:2]) + (1,) * (x.ndim - 2)


def _feature_dropout(x, p, training, inplace, batched_ndim, fname):
    if not training or p == 0.0:
        return x
    batched = x.ndim == batched_ndim
    mask = _dropout_mask(_feature_mask_shape(x) if batched else (x.shape[0],) + (1,) * (x.ndim - 1), p,
                         x._data.dtype, None)
    return _apply_mask(x, mask, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, L) or (C, L) input with probability p (survivors scaled)."""
    fname = "dropout1d"
    p = _check_p(p, fname)
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim not in (2, 3):
        raise ShapeError(f"{fname}(): expected 2D or 3D input, but received a {x.ndim}D input (shape "
                         f"{tuple(x.shape)}); dropout1d is channel-wise dropout for (N, C, L) or (C, L) inputs")
    return _feature_dropout(x, p, training, inplace, 3, fname)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of an (N, C, D, H, W) or (C, D, H, W) input with probability p."""
    fname = "dropout3d"
    p = _check_p(p, fname)
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim not in (4, 5):
        warnings.warn(f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated and will result in "
                      f"an error in a future release. To retain the behavior and silence this warning, please use "
                      f"dropout instead.", stacklevel=2)
    return _feature_dropout(x, p, training, inplace, 5, fname)


_ALPHA = 1.7580993408473766          # -SELU scale * SELU alpha: SELU's negative saturation value


def _alpha_dropout(input, p, training, inplace, feature, fname):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{fname}(): dropout probability has to be between 0 and 1, but got {p!r}")
    p = float(p)
    x = as_tensor(input, fname)
    check_float(x, fname)
    if p == 0.0 or not training or x.numel() == 0:
        return x
    if feature and x.ndim < 2:
        raise ShapeError(f"{fname}(): feature dropout requires at least 2 dimensions in the input, got shape "
                         f"{tuple(x.shape)}")
    dt = x._data.dtype
    if p == 1.0:
        zero = np.zeros((), dt)
        fn = lambda t: _MaskMul.apply(t, zero)  # noqa: E731
        return x._inplace(fn) if inplace else fn(x)
    shape = _feature_mask_shape(x) if feature else tuple(x.shape)
    keep = (rng().random(shape) >= p).astype(dt)
    a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
    b = Tensor._wrap(((keep - 1) * (_ALPHA * a) + _ALPHA * a * p).astype(dt))
    scale = (keep * a).astype(dt)
    fn = lambda t: _MaskMul.apply(t, scale) + b  # noqa: E731
    return x._inplace(fn) if inplace else fn(x)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's zero mean and unit variance: dropped elements become SELU's negative
    saturation value, then an affine correction a * x + b restores the statistics."""
    return _alpha_dropout(input, p, training, inplace, False, "alpha_dropout")


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels (dim 1) at once."""
    return _alpha_dropout(input, p, training, inplace, True, "feature_alpha_dropout")


# ------------------------------------------------------------------ pdist, gumbel_softmax
def pdist(input, p=2):
    """p-norm distances between every pair of rows i < j of an (N, M) input, as a 1-D tensor of
    N * (N - 1) / 2 (row-major upper triangle)."""
    from .distance import _vector_norm
    from .indexing import index_select
    fname = "pdist"
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim != 2:
        raise ShapeError(f"{fname}(): pdist only supports 2D tensors, got: {x.ndim}D (shape {tuple(x.shape)})")
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"{fname}(): argument 'p' must be a number, got {p!r:.40}")
    if p < 0:
        raise ArgumentError(f"{fname}(): pdist only supports non-negative p values, got p={p}")
    i, j = np.triu_indices(x.shape[0], 1)
    diff = index_select(x, 0, Tensor._wrap(i.astype(np.int64))) - index_select(x, 0, Tensor._wrap(j.astype(np.int64)))
    if p == 0:          # the number of differing coordinates; gradient 0, as torch
        count = Tensor._wrap((diff._data != 0).sum(1).astype(x._data.dtype))
        return (diff * 0.0).sum(1) + count
    return _vector_norm(diff, float(p), (1,), False)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """softmax((logits + g) / tau) with g ~ Gumbel(0, 1) drawn from tensorlite's generator; hard=True
    returns the one-hot argmax in the forward pass with the soft sample's gradient (straight through)."""
    from .reduction import softmax
    fname = "gumbel_softmax"
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    x = as_tensor(logits, fname, "logits")
    check_float(x, fname, "logits")
    gumbels = Tensor._wrap(-np.log(rng().exponential(size=tuple(x.shape))).astype(x._data.dtype))
    y_soft = softmax((x + gumbels) / tau, dim)
    if not hard:
        return y_soft
    from ..tensor import _wrap_dim
    d = _wrap_dim(dim, x.ndim, fname)
    index = np.argmax(y_soft._data, axis=d)
    y_hard = np.zeros(x.shape, dtype=x._data.dtype)
    np.put_along_axis(y_hard, np.expand_dims(index, d), 1.0, axis=d)
    return Tensor._wrap(y_hard) - y_soft.detach() + y_soft

