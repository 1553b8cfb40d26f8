"""Fold an eval-mode BatchNorm into the preceding convolution or linear layer
(torch.nn.utils.fuse_conv_bn_eval / fuse_conv_bn_weights / fuse_linear_bn_eval / _weights)."""
import copy

from ...autograd.grad_mode import no_grad
from ... import creation
from ...errors import ShapeError
from ...tensor import Tensor
from ..module import Module
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


def _eval_only(a, b, fname, names):
    for arg, m in zip(names, (a, b)):
        if not isinstance(m, Module):
            raise TypeError(f"{fname}(): argument '{arg}' must be a Module, got {type(m).__name__}")
    if a.training or b.training:
        raise AssertionError(f"{fname}(): Fusion only for eval! (call .eval() on both modules first)")
    if b.running_mean is None or b.running_var is None:
        raise AssertionError(f"{fname}(): the batch norm needs running statistics (track_running_stats=True)")


def _check_stats(fname, wname, w, dim, one_ok=(), **stats):
    """w's out-channel count (its size at `dim`) must match every per-channel bn tensor (those in
    one_ok may also have a single element: a BatchNorm1d(1) after a Linear broadcasts)."""
    if not isinstance(w, Tensor):
        raise TypeError(f"{fname}(): argument '{wname}' must be a Tensor, got {type(w).__name__}")
    if w.ndim < 2:
        raise ShapeError(f"{fname}(): argument '{wname}' must have at least 2 dims, got shape {tuple(w.shape)}")
    n = w.shape[dim]
    for name, t in stats.items():
        if t is None and name in ("bn_rm", "bn_rv"):
            raise TypeError(f"{fname}(): argument '{name}' must be a Tensor, got None")
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(f"{fname}(): argument '{name}' must be a Tensor or None, got {type(t).__name__}")
        if t is not None and tuple(t.shape) not in (((n,), (1,)) if name in one_ok else ((n,),)):
            got = tuple(t.shape)
            raise ShapeError(f"{fname}(): argument '{name}' must have shape ({n},) to match argument "
                             f"'{wname}' of shape {tuple(w.shape)}, got {got}")


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of conv whose weight and bias apply bn's eval-mode affine map too."""
    _eval_only(conv, bn, "fuse_conv_bn_eval", ("conv", "bn"))
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """(weight, bias) Parameters of the convolution followed by the batch norm."""
    _check_stats("fuse_conv_bn_weights", "conv_w", conv_w, 1 if transpose else 0, conv_b=conv_b, bn_rm=bn_rm,
                 bn_rv=bn_rv, bn_w=bn_w, bn_b=bn_b)
    w_dtype = conv_w.dtype
    b_dtype = conv_b.dtype if conv_b is not None else w_dtype
    b_grad = conv_b.requires_grad if conv_b is not None else False
    with no_grad():
        conv_b = conv_b if conv_b is not None else creation.zeros_like(bn_rm)
        bn_w = bn_w if bn_w is not None else creation.ones_like(bn_rm)
        bn_b = bn_b if bn_b is not None else creation.zeros_like(bn_rm)
        rsqrt = (bn_rv + bn_eps).rsqrt()
        shape = ([1, -1] if transpose else [-1, 1]) + [1] * (conv_w.ndim - 2)
        w = (conv_w * (bn_w * rsqrt).reshape(shape)).to(w_dtype)
        b = ((conv_b - bn_rm) * rsqrt * bn_w + bn_b).to(b_dtype)
    return Parameter(w, conv_w.requires_grad), Parameter(b, b_grad)


def fuse_linear_bn_eval(linear, bn):
    """A copy of linear whose weight and bias apply bn's eval-mode affine map too."""
    _eval_only(linear, bn, "fuse_linear_bn_eval", ("linear", "bn"))
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise AssertionError("fuse_linear_bn_eval(): to fuse, linear.out_features == bn.num_features or "
                             f"bn.num_features == 1 (got {linear.out_features} and {bn.num_features})")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                      bn.eps, bn.weight, bn.bias)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    _check_stats("fuse_linear_bn_weights", "linear_w", linear_w, 0, ("bn_rm", "bn_rv", "bn_w", "bn_b"),
                 linear_b=linear_b, bn_rm=bn_rm, bn_rv=bn_rv, bn_w=bn_w, bn_b=bn_b)
    w_dtype = linear_w.dtype
    b_dtype = linear_b.dtype if linear_b is not None else w_dtype
    b_grad = linear_b.requires_grad if linear_b is not None else False
    with no_grad():
        linear_b = linear_b if linear_b is not None else creation.zeros_like(bn_rm)
        scale = bn_w * (bn_rv + bn_eps).rsqrt()
        w = linear_w * scale.unsqueeze(-1).to(w_dtype)
        b = ((linear_b - bn_rm) * scale + bn_b).to(b_dtype)
    return Parameter(w, linear_w.requires_grad), Parameter(b, b_grad)
