"""Normalization and dropout: batch_norm, instance_norm, layer_norm, group_norm, local_response_norm,
dropout, dropout2d (PyTorch's torch.nn.functional semantics).

batch_norm runs fused Numba kernels (tensorlite/backend/norm.py): one kernel per direction. Its
backward is a KernelFunction: the fused kernel when no graph is recorded, and under
create_graph=True the same gradients in differentiable tensor ops, so double backward works.
"""
import numbers
import warnings

import numpy as np

from ..autograd.function import Function, KernelFunction
from ..backend import norm
from ..errors import ShapeError, DTypeError
from ..random import rng
from ..tensor import Tensor
from ._helpers import as_tensor, check_float
from .elementwise import ReluGrad, relu as relu_op

__all__ = ["batch_norm", "batch_norm_relu", "instance_norm", "layer_norm", "group_norm", "local_response_norm",
           "dropout", "dropout2d"]


def _const(arr):
    return Tensor._wrap(arr)


def _save(ctx, *arrays):
    """save_for_backward for arrays some of which may be None (restored by _saved)."""
    ctx.present = tuple(a is not None for a in arrays)
    ctx.save_for_backward(*(a for a in arrays if a is not None))


def _saved(ctx):
    it = iter(ctx.saved_tensors)
    return tuple(next(it) if p else None for p in ctx.present)


def _bshape(x_ndim, C):
    """Shape that broadcasts a per-channel (C,) vector over an (N, C, *spatial) input."""
    return (1, C) + (1,) * (x_ndim - 2)


def _red_dims(ndim):
    return (0,) + tuple(range(2, ndim))


def _channel_view(arr, kind, x_shape):
    """dy laid out like the kernel view picked for x (copying only when the layouts differ)."""
    N, C = x_shape[:2]
    if kind == "ncl":
        return np.ascontiguousarray(arr).reshape(N, C, -1)
    if len(x_shape) > 2:
        perm = (0,) + tuple(range(2, len(x_shape))) + (1,)
        return np.ascontiguousarray(arr.transpose(perm)).reshape(-1, C)
    return np.ascontiguousarray(arr).reshape(N, C)


# ------------------------------------------------------------------ batch_norm
class BatchNormTrain(Function):
    """y = (x - mean_b) / sqrt(var_b + eps) * weight + bias with the batch's statistics; the batch's
    mean and biased variance (float64) are extra outputs, for the running statistics.

    With relu=True, y = relu(that + residual) (residual may be None) in the same pass: the ReLU's mask
    (taken from the saved output, as torch's threshold_backward) is folded into the backward sums,
    so neither the pre-activation nor its gradient is ever written out."""

    @staticmethod
    def forward(ctx, x, weight, bias, residual, eps, relu=False):
        C = x.shape[1]
        dt = x.dtype
        gamma = np.ones(C, dt) if weight is None else np.ascontiguousarray(weight, dtype=dt)
        beta = np.zeros(C, dt) if bias is None else np.ascontiguousarray(bias, dtype=dt)
        mean, var, invstd = np.empty(C), np.empty(C), np.empty(C)
        kind, xv = norm.layout(x)
        y, yv = norm.empty_like_layout(x, kind)
        mode = norm.PLAIN if not relu else norm.RELU if residual is None else norm.RELU_ADD
        if x.size:
            res = None if residual is None else _channel_view(residual, kind, x.shape)
            norm.fwd_train(kind, xv, gamma, beta, eps, yv, mean, var, invstd, mode, res)
        else:
            mean[:], var[:], invstd[:] = np.nan, np.nan, np.nan
        _save(ctx, x, weight, y if relu else None)
        ctx.mean, ctx.invstd, ctx.eps, ctx.mode = mean, invstd, eps, mode
        return y, mean, var

    @staticmethod
    def backward(ctx, g):
        x, weight, y = _saved(ctx)
        need = ctx.needs_input_grad[:4]
        dw, db, dx, dres = BatchNormTrainGrad.apply(g, x, weight, y, ctx.mean, ctx.invstd, ctx.eps, ctx.mode,
                                                    need)
        return tuple(gi if n else None for gi, n in zip((dx, dw, db, dres), need))


class BatchNormTrainGrad(KernelFunction):
    """BatchNormTrain's (dweight, dbias, dx, dresidual) from its output gradient g: one fused kernel
    pass, or (when the gradient is itself differentiated) the formula in tensor ops."""

    @staticmethod
    def forward(ctx, g, x, weight, y, mean, invstd, eps, mode, need):
        need_x, _, _, need_r = need
        C = x.shape[1]
        if x.size == 0:
            z = np.zeros(C, x.dtype)
            return z, z, np.zeros_like(x), np.zeros_like(x) if need_r else None
        gamma = np.ones(C, x.dtype) if weight is None else np.ascontiguousarray(weight, dtype=x.dtype)
        kind, xv = norm.layout(x)
        dyv = _channel_view(g.astype(x.dtype, copy=False), kind, x.shape)
        dx, dxv = norm.empty_like_layout(x, kind) if need_x else (None, np.empty((0,) * xv.ndim, x.dtype))
        gres, gresv = norm.empty_like_layout(x, kind) if mode == norm.RELU_ADD else (None, None)
        yv = None if y is None else _channel_view(y, kind, x.shape)
        dgamma, dbeta = np.empty(C), np.empty(C)
        norm.bwd_train(kind, dyv, xv, mean, invstd, gamma, dxv, dgamma, dbeta, need_x, mode, yv, gresv)
        wdt = weight.dtype if weight is not None else x.dtype
        return dgamma.astype(wdt), dbeta.astype(wdt), dx, gres

    @staticmethod
    def formula(g, x, weight, y, mean, invstd, eps, mode, need):
        need_x, need_w, need_b, need_r = need
        if mode != norm.PLAIN:
            g = ReluGrad.apply(g, y)
        dims = _red_dims(x.ndim)
        C = x.shape[1]
        M = x.numel() // C
        mu = x.mean(dim=dims, keepdim=True)
        xc = x - mu
        var = (xc * xc).mean(dim=dims, keepdim=True)
        invstd = 1 / (var + eps).sqrt()
        xhat = xc * invstd
        gsum = g.sum(dim=dims, keepdim=True)
        gxhat = (g * xhat).sum(dim=dims, keepdim=True)
        dx = None
        if need_x:
            scale = invstd if weight is None else weight.reshape(_bshape(x.ndim, C)) * invstd
            dx = scale * (g - gsum / M - xhat * (gxhat / M))
        return (gxhat.reshape(C) if need_w else None, gsum.reshape(C) if need_b else None, dx,
                g if need_r else None)


class BatchNormEval(Function):
    """y = (x - running_mean) / sqrt(running_var + eps) * weight + bias (running stats are constants)."""

    @staticmethod
    def forward(ctx, x, weight, bias, rmean, rvar, eps):
        C = x.shape[1]
        dt = x.dtype
        mean = np.array(rmean, dtype=np.float64).reshape(C)      # a copy: the buffer may change later
        invstd = 1.0 / np.sqrt(np.asarray(rvar, dtype=np.float64).reshape(C) + eps)
        g64 = np.ones(C) if weight is None else np.asarray(weight, dtype=np.float64)
        b64 = np.zeros(C) if bias is None else np.asarray(bias, dtype=np.float64)
        scale = g64 * invstd
        shift = b64 - mean * scale
        kind, xv = norm.layout(x)
        y, yv = norm.empty_like_layout(x, kind)
        if x.size:
            norm.fwd_eval(kind, xv, scale.astype(dt), shift.astype(dt), yv)
        _save(ctx, x, weight)
        ctx.mean, ctx.invstd, ctx.scale = mean, invstd, scale
        return y

    @staticmethod
    def backward(ctx, g):
        x, weight = _saved(ctx)
        need = ctx.needs_input_grad[:3]
        dw, db, dx = BatchNormEvalGrad.apply(g, x, weight, ctx.mean, ctx.invstd, ctx.scale, need)
        return tuple(gi if n else None for gi, n in zip((dx, dw, db), need))


class BatchNormEvalGrad(KernelFunction):
    """BatchNormEval's (dweight, dbias, dx) from its output gradient g: one fused kernel pass, or
    (when the gradient is itself differentiated) the formula in tensor ops."""

    @staticmethod
    def forward(ctx, g, x, weight, mean, invstd, scale, need):
        C = x.shape[1]
        if x.size == 0:
            z = np.zeros(C, x.dtype)
            return z, z, np.zeros_like(x)
        kind, xv = norm.layout(x)
        dyv = _channel_view(g.astype(x.dtype, copy=False), kind, x.shape)
        dx, dxv = norm.empty_like_layout(x, kind) if need[0] else (None, np.empty((0,) * xv.ndim, x.dtype))
        dgamma, dbeta = np.empty(C), np.empty(C)
        norm.bwd_eval(kind, dyv, xv, mean, invstd, scale.astype(x.dtype), dxv, dgamma, dbeta, need[0])
        wdt = weight.dtype if weight is not None else x.dtype
        return dgamma.astype(wdt), dbeta.astype(wdt), dx

    @staticmethod
    def formula(g, x, weight, mean, invstd, scale, need):
        need_x, need_w, need_b = need
        bs = _bshape(x.ndim, x.shape[1])
        dims = _red_dims(x.ndim)
        invstd = _const(invstd.astype(x._data.dtype).reshape(bs))
        xhat = (x - _const(mean.astype(x._data.dtype).reshape(bs))) * invstd
        dx = None
        if need_x:
            dx = g * (invstd if weight is None else weight.reshape(bs) * invstd)
        return ((g * xhat).sum(dim=dims) if need_w else None, g.sum(dim=dims) if need_b else None, dx)


def _check_channel_vec(t, name, C, x, fname, float_only=True):
    if t is None:
        return None
    t = as_tensor(t, fname, name)
    if float_only and not t.is_floating_point():
        raise TypeError(f"{fname}(): argument '{name}' must be a floating point tensor, got {t.dtype}")
    if t.numel() != C:
        raise ShapeError(f"{fname}(): argument '{name}' has shape {tuple(t.shape)} but input of shape "
                         f"{tuple(x.shape)} has {C} channels: expected shape ({C},)")
    return t


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
               eps=1e-5):
    """Batch normalization over the channel dim 1 of an (N, C, *) input (torch.nn.functional.batch_norm).

    training=True normalizes with the batch's mean and biased variance and, when the running
    buffers are given, updates them in place: ``running = (1 - momentum) * running + momentum * stat``
    with the UNBIASED batch variance for running_var.  training=False uses the running buffers.

    momentum must be a number: the cumulative moving average of BatchNorm(momentum=None) is the
    caller's business (pass ``1 / num_batches_tracked``).
    """
    return _batch_norm("batch_norm", input, running_mean, running_var, weight, bias, training, momentum, eps)


def batch_norm_relu(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1,
                    eps=1e-5, residual=None):
    """relu(batch_norm(input, ...) + residual), residual optional (a tensorlite extension: PyTorch has
    no such function; its value and gradients equal that composition).

    This is the conv -> BN -> ReLU pattern and ResNet's BN -> add -> ReLU.  In training mode the
    ReLU (and the add) run in the normalization's own pass and the ReLU's mask is folded into its
    backward, saving two to four passes over the activation per use; elsewhere (evaluation mode,
    float16, a residual that broadcasts or has another dtype) it is that composition."""
    fname = "batch_norm_relu"
    return _batch_norm(fname, input, running_mean, running_var, weight, bias, training, momentum, eps,
                       relu=True, residual=residual)


def _batch_norm(fname, input, running_mean, running_var, weight, bias, training, momentum, eps, relu=False,
                residual=None):
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim < 2:
        raise ShapeError(f"{fname}(): expected a 2D or higher input of shape (N, C, *), got shape "
                         f"{tuple(x.shape)}")
    C = x.shape[1]
    if residual is not None:
        residual = as_tensor(residual, fname, "residual")
        try:
            ok = np.broadcast_shapes(tuple(residual.shape), tuple(x.shape)) == tuple(x.shape)
        except ValueError:
            ok = False
        if not ok:
            raise ShapeError(f"{fname}(): argument 'residual' of shape {tuple(residual.shape)} does not broadcast "
                             f"to the input's shape {tuple(x.shape)}")
    weight = _check_channel_vec(weight, "weight", C, x, fname)
    bias = _check_channel_vec(bias, "bias", C, x, fname)
    running_mean = _check_channel_vec(running_mean, "running_mean", C, x, fname)
    running_var = _check_channel_vec(running_var, "running_var", C, x, fname)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.dtype is not x.dtype:
            raise TypeError(f"{fname}(): argument '{name}' has dtype {t.dtype} but input has dtype "
                            f"{x.dtype}; they must match")
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        # float16 input may keep float32 running statistics (PyTorch's mixed precision rule)
        if t is not None and t.dtype is not x.dtype and not (x.dtype.name == "float16" and
                                                              t.dtype.name == "float32"):
            raise DTypeError(f"{fname}(): argument '{name}' has dtype {t.dtype.name} but input has dtype "
                             f"{x.dtype.name}; they must match")
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(f"{fname}(): argument 'momentum' must be a float, got {momentum!r} (for a cumulative "
                        f"moving average pass momentum=1/num_batches_tracked)")
    _check_eps(eps, fname)
    momentum, eps = float(momentum), float(eps)
    half = x.dtype.name == "float16"
    fused = relu and training and not half and (residual is None or (residual.shape == x.shape and
                                                                     residual.dtype is x.dtype))
    if relu and not fused:                          # the composition (its own checks and promotion)
        out = _batch_norm(fname, x, running_mean, running_var, weight, bias, training, momentum, eps)
        return relu_op(out if residual is None else out + residual)
    xin = x.float() if half else x
    w = weight.float() if (half and weight is not None) else weight
    b = bias.float() if (half and bias is not None) else bias
    if training:
        per_channel = x.numel() // C if C else 0
        if per_channel == 1:
            raise ValueError(f"{fname}(): Expected more than 1 value per channel when training, got input "
                             f"of shape {tuple(x.shape)}")
        out, mean, var = BatchNormTrain.apply(xin, w, b, residual, eps, relu)
        if per_channel > 1:
            mean, var = mean._data, var._data
            unbiased = var * (per_channel / (per_channel - 1))
            for buf, stat in ((running_mean, mean), (running_var, unbiased)):
                if buf is not None:
                    arr = buf._data
                    new = (1.0 - momentum) * arr.astype(np.float64) + momentum * stat.reshape(arr.shape)
                    np.copyto(arr, new, casting="unsafe")
                    buf._bump()
    else:
        if running_mean is None or running_var is None:
            raise ValueError(f"{fname}(): running_mean and running_var must be given when training=False "
                             f"(evaluation mode uses them)")
        out = BatchNormEval.apply(xin, w, b, running_mean._data, running_var._data, eps)
    return out.half() if half else out


# ------------------------------------------------------------------ layer_norm / group_norm
def _check_eps(eps, fname):
    if isinstance(eps, bool) or not isinstance(eps, numbers.Real) or not eps >= 0 or eps == float("inf"):
        raise ValueError(f"{fname}(): argument 'eps' must be a finite non-negative float, got {eps!r}")


def _normalize_last(x, k, eps):
    dims = tuple(range(x.ndim - k, x.ndim))
    mu = x.mean(dim=dims, keepdim=True)
    xc = x - mu
    var = (xc * xc).mean(dim=dims, keepdim=True)
    return xc / (var + eps).sqrt()


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalize over the trailing dims `normalized_shape` (biased variance), then weight * . + bias."""
    fname = "layer_norm"
    x = as_tensor(input, fname)
    check_float(x, fname)
    if isinstance(normalized_shape, numbers.Integral):
        normalized_shape = (int(normalized_shape),)
    if not hasattr(normalized_shape, "__iter__") or isinstance(normalized_shape, str) or not all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in normalized_shape):
        raise TypeError(f"{fname}(): argument 'normalized_shape' must be an int or a sequence of ints, got "
                        f"{normalized_shape!r:.40}")
    normalized_shape = tuple(int(s) for s in normalized_shape)
    _check_eps(eps, fname)
    k = len(normalized_shape)
    if k == 0 or x.ndim < k or tuple(x.shape[x.ndim - k:]) != normalized_shape:
        raise ShapeError(f"{fname}(): input of shape {tuple(x.shape)} does not end with normalized_shape "
                         f"{list(normalized_shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(as_tensor(t, fname, name).shape) != normalized_shape:
            raise ShapeError(f"{fname}(): argument '{name}' has shape {tuple(t.shape)}, expected "
                             f"normalized_shape {normalized_shape}")
    out = _normalize_last(x, k, float(eps))
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalize each sample's channels in `num_groups` groups, then per-channel weight and bias."""
    fname = "group_norm"
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim < 2:
        raise ShapeError(f"{fname}(): expected an input of shape (N, C, *), got shape {tuple(x.shape)}")
    N, C = x.shape[:2]
    if isinstance(num_groups, bool) or not isinstance(num_groups, numbers.Integral) or num_groups <= 0 \
            or C % num_groups:
        raise ValueError(f"{fname}(): expected number of channels in input ({C}) to be divisible by "
                         f"num_groups ({num_groups}); input shape {tuple(x.shape)}")
    weight = _check_channel_vec(weight, "weight", C, x, fname)
    bias = _check_channel_vec(bias, "bias", C, x, fname)
    _check_eps(eps, fname)
    out = _normalize_last(x.reshape(N, int(num_groups), -1), 1, float(eps)).reshape(*x.shape)
    bs = _bshape(x.ndim, C)
    if weight is not None:
        out = out * weight.reshape(bs)
    if bias is not None:
        out = out + bias.reshape(bs)
    return out



def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalize each (sample, channel) plane of an (N, C, *) input over its spatial dims
    (torch.nn.functional.instance_norm). With use_input_stats and running buffers given, the
    buffers move towards the batch average of the per-instance mean and UNBIASED variance;
    use_input_stats=False normalizes with the running buffers instead."""
    fname = "instance_norm"
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim < 3:
        raise ShapeError(f"{fname}(): expected an input of shape (N, C, *spatial) with at least one spatial "
                         f"dim, got shape {tuple(x.shape)}")
    N, C = x.shape[:2]
    weight = _check_channel_vec(weight, "weight", C, x, fname)
    bias = _check_channel_vec(bias, "bias", C, x, fname)
    running_mean = _check_channel_vec(running_mean, "running_mean", C, x, fname)
    running_var = _check_channel_vec(running_var, "running_var", C, x, fname)
    if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
        raise TypeError(f"{fname}(): argument 'momentum' must be a float, got {momentum!r:.40}")
    _check_eps(eps, fname)
    eps, bs = float(eps), _bshape(x.ndim, C)
    if use_input_stats:
        spatial = x.numel() // (N * C) if N * C else 0
        if spatial == 1:
            raise ValueError(f"{fname}(): expected more than 1 spatial element when training, got input of "
                             f"shape {tuple(x.shape)}")
        flat = x.reshape(N, C, -1)
        out = _normalize_last(flat, 1, eps).reshape(*x.shape)
        if spatial > 1 and N:
            arr = flat._data.astype(np.float64)
            stats = (arr.mean(axis=(0, 2)), arr.var(axis=2, ddof=1).mean(axis=0))
            for buf, stat in ((running_mean, stats[0]), (running_var, stats[1])):
                if buf is not None:
                    new = (1.0 - momentum) * buf._data.astype(np.float64) + momentum * stat
                    np.copyto(buf._data, new.reshape(buf._data.shape), casting="unsafe")
                    buf._bump()
    else:
        if running_mean is None or running_var is None:
            raise ValueError(f"{fname}(): running_mean and running_var must be given when "
                             f"use_input_stats=False, got running_mean={type(running_mean).__name__}, "
                             f"running_var={type(running_var).__name__}")
        mean = _const(running_mean._data.astype(x._data.dtype).reshape(bs))
        var = _const(running_var._data.astype(x._data.dtype).reshape(bs))
        out = (x - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(bs)
    if bias is not None:
        out = out + bias.reshape(bs)
    return out


# ------------------------------------------------------------------ local_response_norm
def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """AlexNet's LRN over channels, as torch: div = (k + alpha / size * sum_window x^2) ** beta with a
    window of `size` channels [c - size//2, c + (size-1)//2] (zero padded); returns input / div."""
    fname = "local_response_norm"
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim < 3:
        raise ShapeError(f"{fname}(): expected 3D or higher dimensionality input (got {x.ndim} dimensions, "
                         f"shape {tuple(x.shape)})")
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"{fname}(): size must be a positive int, got {size!r}")
    if x.numel() == 0:
        return x
    size = int(size)
    C = x.shape[1]
    sq = x * x
    before, after = size // 2, (size - 1) // 2
    widths = [0, 0] * (x.ndim - 2) + [before, after]
    from .movement import pad
    padded = pad(sq, widths)
    total = None
    for j in range(size):
        part = padded.narrow(1, j, C)
        total = part if total is None else total + part
    div = (total * (float(alpha) / size) + float(k)) ** float(beta)
    return x / div


# ------------------------------------------------------------------ dropout
class _MaskMul(Function):
    """x * mask with a constant mask (the mask already carries the 1 / (1 - p) scale)."""

    @staticmethod
    def forward(ctx, x, mask):
        ctx.mask = mask
        return x * mask

    @staticmethod
    def backward(ctx, g):
        return g * _const(ctx.mask), None


def _check_p(p, fname):
    if isinstance(p, bool) or not isinstance(p, numbers.Real) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{fname}(): argument 'p' (dropout probability) has to be between 0 and 1, but got "
                         f"{p!r}")
    return float(p)


def _dropout_mask(shape, p, dtype, generator):
    if p == 1.0:
        return np.zeros(shape, dtype)
    keep = rng(generator).random(shape, dtype=np.float32 if dtype == np.float32 else np.float64) >= p
    mask = keep.astype(dtype)
    if p > 0.0:
        mask *= dtype.type(1.0 / (1.0 - p))
    return mask


def _apply_mask(x, mask, inplace):
    if inplace:
        return x._inplace(lambda s: _MaskMul.apply(s, mask))
    return _MaskMul.apply(x, mask)


def dropout(input, p=0.5, training=True, inplace=False, generator=None):
    """Inverted dropout: zero each element with probability p and scale survivors by 1 / (1 - p).
    The mask is drawn from tensorlite's generator (tl.manual_seed makes it reproducible)."""
    fname = "dropout"
    p = _check_p(p, fname)
    x = as_tensor(input, fname)
    check_float(x, fname)
    if not training or p == 0.0:
        return x
    return _apply_mask(x, _dropout_mask(tuple(x.shape), p, x._data.dtype, generator), inplace)


def dropout2d(input, p=0.5, training=True, inplace=False, generator=None):
    """Channel-wise dropout: zero whole channels of an (N, C, H, W) (or unbatched (C, H, W)) input."""
    fname = "dropout2d"
    p = _check_p(p, fname)
    x = as_tensor(input, fname)
    check_float(x, fname)
    if x.ndim not in (3, 4):
        if x.ndim < 2:
            raise ShapeError(f"{fname}(): expected a 3D or 4D input, got argument 'input' of shape "
                             f"{tuple(x.shape)}")
        warnings.warn(f"{fname}: Received a {x.ndim}-D input; dropout2d expects (N, C, H, W) or (C, H, W). "
                      f"Whole (N, C) slices are dropped.", stacklevel=2)
    if not training or p == 0.0:
        return x
    lead = 1 if x.ndim == 3 else 2
    shape = tuple(x.shape[:lead]) + (1,) * (x.ndim - lead)
    return _apply_mask(x, _dropout_mask(shape, p, x._data.dtype, generator), inplace)
