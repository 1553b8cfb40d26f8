"""Fold an eval-mode BatchNorm into the preceding convolution or linear layer
(torch.nn.utils.fuse_conv_bn_eval / fuse_conv_bn_weights / fuse_linear_bn_eval / _weights)."""
import copy

from ...autograd.grad_mode import no_grad
from ... import creation
from ..parameter import Parameter

__all__ = ["fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]


def _eval_only(a, b, fname):
    if a.training or b.training:
        raise AssertionError(f"{fname}(): Fusion only for eval! (call .eval() on both modules first)")
    if b.running_mean is None or b.running_var is None:
        raise AssertionError(f"{fname}(): the batch norm needs running statistics (track_running_stats=True)")


def fuse_conv_bn_eval(conv, bn, transpose=False):
    """A copy of conv whose weight and bias apply bn's eval-mode affine map too."""
    _eval_only(conv, bn, "fuse_conv_bn_eval")
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                    bn.eps, bn.weight, bn.bias, transpose)
    return fused


def fuse_conv_bn_weights(conv_w, conv_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b, transpose=False):
    """(weight, bias) Parameters of the convolution followed by the batch norm."""
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
    _eval_only(linear, bn, "fuse_linear_bn_eval")
    if not (linear.out_features == bn.num_features or bn.num_features == 1):
        raise AssertionError("fuse_linear_bn_eval(): to fuse, linear.out_features == bn.num_features or "
                             f"bn.num_features == 1 (got {linear.out_features} and {bn.num_features})")
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(fused.weight, fused.bias, bn.running_mean, bn.running_var,
                                                      bn.eps, bn.weight, bn.bias)
    return fused


def fuse_linear_bn_weights(linear_w, linear_b, bn_rm, bn_rv, bn_eps, bn_w, bn_b):
    w_dtype = linear_w.dtype
    b_dtype = linear_b.dtype if linear_b is not None else w_dtype
    b_grad = linear_b.requires_grad if linear_b is not None else False
    with no_grad():
        linear_b = linear_b if linear_b is not None else creation.zeros_like(bn_rm)
        scale = bn_w * (bn_rv + bn_eps).rsqrt()
        w = linear_w * scale.unsqueeze(-1).to(w_dtype)
        b = ((linear_b - bn_rm) * scale + bn_b).to(b_dtype)
    return Parameter(w, linear_w.requires_grad), Parameter(b, b_grad)
