"""Convolutions with PyTorch's semantics: conv1d, conv2d, conv_transpose2d (NCHW / NCL).

The arithmetic runs in tensorlite's C kernels (tensorlite.backend.conv: direct, register-blocked
convolutions, OpenMP over the batch). float32 and float64 are computed natively; float16 is
computed in float32 and rounded back. Integer tensors are rejected (TypeError).

Three Functions form a closed family, so gradients of any order are available
(``create_graph=True``):

* ``Convolution(x, w, b)``          y  = conv(x, w) + b
* ``ConvolutionInputGrad(dy, w)``    dx = conv^T(dy, w)    (also conv_transpose2d's forward)
* ``ConvolutionWeightGrad(x, dy)``   dw = corr(x, dy)

and the backward of each is written with the other two (the bias gradient is a sum of dy).
"""
import numbers

import numpy as np

from .. import dtypes
from ..autograd.function import Function
from ..backend import MAX_PLANE, conv as backend
from ..errors import ShapeError, DTypeError
from ..tensor import Tensor
from ._helpers import as_tensor

__all__ = ["conv1d", "conv2d", "conv_transpose2d"]

# ---------------------------------------------------------------- geometry
class _Geom:
    """Everything that fixes a convolution besides its tensors. x: (N, C, H, W),
    w: (K, C // groups, KH, KW), y: (N, K, OH, OW)."""
    __slots__ = ("stride", "padding", "dilation", "groups", "in_hw", "out_hw", "k_hw")

    def __init__(self, stride, padding, dilation, groups, in_hw, out_hw, k_hw):
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups
        self.in_hw, self.out_hw, self.k_hw = in_hw, out_hw, k_hw

    def kw(self):
        return dict(stride=self.stride, padding=self.padding, dilation=self.dilation,
                    groups=self.groups)


def _fwd(x, w, b, gm):
    """y = conv(x, w) + b on arrays (handles the empty cases C cannot)."""
    N, C = x.shape[:2]
    K = w.shape[0]
    if N == 0 or C == 0:
        y = np.zeros((N, K) + gm.out_hw, dtype=x.dtype)
        if b is not None:
            y += b.reshape(1, -1, 1, 1)
        return y
    return backend.conv2d_forward(x, w, b, out_hw=gm.out_hw, **gm.kw())


def _bwd_input(dy, w, gm):
    N, K = dy.shape[:2]
    C = w.shape[1] * gm.groups
    if N == 0 or C == 0:
        return np.zeros((N, C) + gm.in_hw, dtype=dy.dtype)
    return backend.conv2d_backward_input(dy, w, gm.in_hw, **gm.kw())


def _bwd_weight(x, dy, gm):
    N, C = x.shape[:2]
    K = dy.shape[1]
    if C == 0:
        return np.zeros((K, 0) + gm.k_hw, dtype=x.dtype)
    return backend.conv2d_backward_weight(x, dy, gm.k_hw, **gm.kw())[0]


class Convolution(Function):
    @staticmethod
    def forward(ctx, x, w, b, gm):
        ctx.gm = gm
        ctx.save_for_backward(x, w)
        return _fwd(x, w, b, gm)

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        gm, need = ctx.gm, ctx.needs_input_grad
        gx = ConvolutionInputGrad.apply(g, w, gm) if need[0] else None
        gw = ConvolutionWeightGrad.apply(x, g, gm) if need[1] else None
        gb = g.sum(dim=(0, 2, 3)) if need[2] else None
        return gx, gw, gb, None


class ConvolutionInputGrad(Function):
    backward_kernel = True

    @staticmethod
    def forward(ctx, dy, w, gm):
        ctx.gm = gm
        ctx.save_for_backward(dy, w)
        return _bwd_input(dy, w, gm)

    @staticmethod
    def backward(ctx, g):
        dy, w = ctx.saved_tensors
        gm, need = ctx.gm, ctx.needs_input_grad
        gdy = Convolution.apply(g, w, None, gm) if need[0] else None
        gw = ConvolutionWeightGrad.apply(g, dy, gm) if need[1] else None
        return gdy, gw, None


class ConvolutionWeightGrad(Function):
    backward_kernel = True

    @staticmethod
    def forward(ctx, x, dy, gm):
        ctx.gm = gm
        ctx.save_for_backward(x, dy)
        return _bwd_weight(x, dy, gm)

    @staticmethod
    def backward(ctx, g):
        x, dy = ctx.saved_tensors
        gm, need = ctx.gm, ctx.needs_input_grad
        gx = ConvolutionInputGrad.apply(dy, g, gm) if need[0] else None
        gdy = Convolution.apply(x, g, None, gm) if need[1] else None
        return gx, gdy, None


# ---------------------------------------------------------------- argument checking
def _is_int(v):
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _tuple_arg(fname, name, v, n, lo):
    """An int or a sequence of n ints, each >= lo -> tuple of n Python ints."""
    if isinstance(v, Tensor):
        v = v.tolist()
    if _is_int(v):
        vals = (int(v),) * n
    elif isinstance(v, (tuple, list)) and len(v) == n and all(_is_int(e) for e in v):
        vals = tuple(int(e) for e in v)
    elif isinstance(v, (tuple, list)) and len(v) == 1 and _is_int(v[0]):
        vals = (int(v[0]),) * n
    else:
        raise TypeError(f"{fname}(): argument '{name}' must be an int or a tuple of {n} ints, "
                        f"got {v!r}")
    for e in vals:
        if e < lo:
            what = {1: "positive", 0: "non-negative"}[lo]
            raise ValueError(f"{fname}(): argument '{name}' must be {what}, got {v!r}")
        if e > 2 ** 31:
            raise ValueError(f"{fname}(): argument '{name}' = {v!r} is too large")
    return vals


def _groups_arg(fname, groups):
    if not _is_int(groups):
        raise TypeError(f"{fname}(): argument 'groups' must be an int, got {groups!r}")
    if groups < 1:
        raise ValueError(f"{fname}(): argument 'groups' must be positive, got {groups}")
    return int(groups)


def _float_tensors(fname, pairs):
    """Tensors from (name, value) pairs, all floating point and of one dtype."""
    out = []
    for name, v in pairs:
        t = as_tensor(v, fname, name)
        if not t.is_floating_point():
            raise DTypeError(f"{fname}(): argument '{name}' must be a floating point tensor, "
                             f"got {t.dtype}")
        out.append(t)
    dts = {t.dtype for t in out}
    if len(dts) > 1:
        desc = ", ".join(f"'{n}' {t.dtype}" for (n, _), t in zip(pairs, out))
        raise DTypeError(f"{fname}(): input, weight and bias must have the same dtype, got {desc}")
    return out


def _check_bias(fname, bias, n):
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != n):
        raise ShapeError(f"{fname}(): argument 'bias' must have shape ({n},), got {tuple(bias.shape)}")


def _prepare(fname, input, weight, bias, nsp):
    """Validated (x, w, b, batched) with x batched: (N, C, *spatial)."""
    pairs = [("input", input), ("weight", weight)] + ([("bias", bias)] if bias is not None else [])
    ts = _float_tensors(fname, pairs)
    x, w = ts[0], ts[1]
    b = ts[2] if bias is not None else None
    if x.ndim not in (nsp + 1, nsp + 2):
        raise ShapeError(f"{fname}(): expected {nsp + 1}-D (unbatched) or {nsp + 2}-D (batched) "
                         f"input, got input of shape {tuple(x.shape)}")
    if w.ndim != nsp + 2:
        raise ShapeError(f"{fname}(): expected a {nsp + 2}-D weight, got weight of shape "
                         f"{tuple(w.shape)}")
    batched = x.ndim == nsp + 2
    if not batched:
        x = x.unsqueeze(0)
    return x, w, b, batched


def _half_in(ts):
    """float16 is computed in float32."""
    half = ts[0].dtype is dtypes.float16
    if half:
        ts = [t.float() if t is not None else None for t in ts]
    return half, ts


def _check_spatial(fname, x, shown=None):
    if x.shape[0] > 0 and x.shape[1] > 0 and any(s == 0 for s in x.shape[2:]):
        raise ShapeError(f"{fname}(): only zero batch or zero channel inputs are supported, got "
                         f"input of shape {shown or tuple(x.shape)}")


def _conv_nd(fname, x, w, b, stride, pad4, dilation, groups, shown=None):
    """Batched 4-D conv after argument parsing; x (N, C, H, W), w (K, C/g, KH, KW). `shown`: the
    (input, weight) shapes the caller was given, for error messages (conv1d's are 3-D)."""
    N, C, H, W = x.shape
    K, Cg, KH, KW = w.shape
    xs, ws = shown or (tuple(x.shape), tuple(w.shape))
    if K == 0 or K % groups:
        raise ShapeError(f"{fname}(): given groups={groups}, expected weight {ws} to have "
                         f"a positive number of output channels divisible by {groups}")
    if Cg * groups != C:
        raise ShapeError(f"{fname}(): given groups={groups}, weight of shape {ws} expects "
                         f"input with {Cg * groups} channels, but got input of shape "
                         f"{xs} ({C} channels)")
    _check_bias(fname, b, K)
    _check_spatial(fname, x, xs)
    (sh, sw), (dh, dw) = stride, dilation
    pt, pb, pl, pr = pad4
    hp, wp = H + pt + pb, W + pl + pr
    eh, ew = dh * (KH - 1) + 1, dw * (KW - 1) + 1
    if hp * wp > MAX_PLANE:
        raise ShapeError(f"{fname}(): argument 'padding' makes the padded input plane ({hp} x {wp}) too large "
                         f"(more than {MAX_PLANE} elements); input {xs}, padding (top, bottom, left, right) = "
                         f"{pad4}")
    if KH == 0 or KW == 0 or hp < eh or wp < ew:
        raise ShapeError(f"{fname}(): calculated padded input size per channel ({hp} x {wp}) is "
                         f"smaller than the (dilated) kernel size ({eh} x {ew}); input "
                         f"{xs}, weight {ws}")
    gm = _Geom(stride, pad4, dilation, groups, (H, W), ((hp - eh) // sh + 1, (wp - ew) // sw + 1),
               (KH, KW))
    half, (x, w, b) = _half_in([x, w, b])
    y = Convolution.apply(x, w, b, gm)
    return y.half() if half else y


def _padding_arg(fname, padding, k_eff, stride, n):
    """padding -> ((before, after) per spatial dim); k_eff: dilated kernel extents."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * n
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{fname}(): padding='same' is not supported for strided "
                                 f"convolutions (stride={stride})")
            return tuple(((k - 1) // 2, (k - 1) - (k - 1) // 2) for k in k_eff)
        raise ValueError(f"{fname}(): invalid padding string {padding!r} (expected 'same' or 'valid')")
    p = _tuple_arg(fname, "padding", padding, n, 0)
    return tuple((e, e) for e in p)


# ---------------------------------------------------------------- public functions
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) over an (N, C_in, H, W) or unbatched (C_in, H, W) input
    with weight (C_out, C_in / groups, kH, kW), as torch.nn.functional.conv2d.

    padding: int, (pad_h, pad_w), 'valid' or 'same' (stride 1 only; an odd total padding puts the
    extra row / column at the bottom / right, as PyTorch)."""
    fname = "conv2d"
    x, w, b, batched = _prepare(fname, input, weight, bias, 2)
    stride = _tuple_arg(fname, "stride", stride, 2, 1)
    dilation = _tuple_arg(fname, "dilation", dilation, 2, 1)
    groups = _groups_arg(fname, groups)
    k_eff = tuple(d * (k - 1) + 1 for d, k in zip(dilation, w.shape[2:]))
    (pt, pb), (pl, pr) = _padding_arg(fname, padding, k_eff, stride, 2)
    y = _conv_nd(fname, x, w, b, stride, (pt, pb, pl, pr), dilation, groups)
    return y if batched else y.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution over an (N, C_in, L) or unbatched (C_in, L) input with weight
    (C_out, C_in / groups, k), as torch.nn.functional.conv1d (computed as a conv2d of height 1)."""
    fname = "conv1d"
    x, w, b, batched = _prepare(fname, input, weight, bias, 1)
    (s,) = _tuple_arg(fname, "stride", stride, 1, 1)
    (d,) = _tuple_arg(fname, "dilation", dilation, 1, 1)
    groups = _groups_arg(fname, groups)
    ((pl, pr),) = _padding_arg(fname, padding, (d * (w.shape[2] - 1) + 1,), (s,), 1)
    y = _conv_nd(fname, x.unsqueeze(2), w.unsqueeze(2), b, (1, s), (0, 0, pl, pr), (1, d), groups,
                 shown=(tuple(x.shape), tuple(w.shape)))
    y = y.squeeze(2)
    return y if batched else y.squeeze(0)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution ("deconvolution") of an (N, C_in, H, W) or (C_in, H, W) input with
    weight (C_in, C_out / groups, kH, kW), as torch.nn.functional.conv_transpose2d: the gradient of
    conv2d with respect to its input. Output size per dim:
    (H - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""
    fname = "conv_transpose2d"
    x, w, b, batched = _prepare(fname, input, weight, bias, 2)
    stride = _tuple_arg(fname, "stride", stride, 2, 1)
    dilation = _tuple_arg(fname, "dilation", dilation, 2, 1)
    if isinstance(padding, str):
        raise TypeError(f"{fname}(): argument 'padding' must be an int or a tuple of 2 ints, got "
                        f"{padding!r}")
    pad = _tuple_arg(fname, "padding", padding, 2, 0)
    opad = _tuple_arg(fname, "output_padding", output_padding, 2, 0)
    groups = _groups_arg(fname, groups)
    for o, s, d in zip(opad, stride, dilation):
        if o >= s and o >= d:
            raise ValueError(f"{fname}(): output padding must be smaller than either stride or "
                             f"dilation, got output_padding={opad}, stride={stride}, "
                             f"dilation={dilation}")
    N, Cin, H, W = x.shape
    Cin_w, Cog, KH, KW = w.shape
    if Cin_w == 0 or Cin_w % groups:
        raise ShapeError(f"{fname}(): given groups={groups}, expected weight {tuple(w.shape)} to have "
                         f"a positive number of input channels divisible by {groups}")
    if Cin_w != Cin:
        raise ShapeError(f"{fname}(): weight of shape {tuple(w.shape)} expects input with {Cin_w} "
                         f"channels, but got input of shape {tuple(x.shape)} ({Cin} channels)")
    Cout = Cog * groups
    _check_bias(fname, b, Cout)
    _check_spatial(fname, x)
    out_hw = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1
                   for i, s, p, d, k, o in zip((H, W), stride, pad, dilation, (KH, KW), opad))
    if any(o < 1 for o in out_hw) or KH == 0 or KW == 0:
        raise ShapeError(f"{fname}(): given input of shape {tuple(x.shape)} and weight "
                         f"{tuple(w.shape)} with stride={stride}, padding={pad}, dilation={dilation}, "
                         f"output_padding={opad}, the calculated output size {out_hw} is too small")
    if Cout == 0:
        raise ShapeError(f"{fname}(): weight of shape {tuple(w.shape)} has no output channels")
    if out_hw[0] * out_hw[1] > MAX_PLANE:
        raise ShapeError(f"{fname}(): the output plane {out_hw} given by stride={stride}, padding={pad}, "
                         f"dilation={dilation}, output_padding={opad} is too large (more than {MAX_PLANE} "
                         f"elements)")
    gm = _Geom(stride, (pad[0], pad[0], pad[1], pad[1]), dilation, groups, out_hw, (H, W), (KH, KW))
    half, (x, w, b) = _half_in([x, w, b])
    y = ConvolutionInputGrad.apply(x, w, gm)
    if b is not None:
        y = y + b.reshape(1, -1, 1, 1)
    if half:
        y = y.half()
    return y if batched else y.squeeze(0)
