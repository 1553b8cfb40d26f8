"""tensorlite.nn.functional: stateless layer functions (PyTorch's names and signatures)."""
from ..ops.elementwise import gelu, sigmoid, tanh  # noqa: F401
from ..ops import elementwise as _ew, activation as _act
from ..ops.reduction import softmax, log_softmax  # noqa: F401
from ..ops.padding import pad  # noqa: F401
from ..ops.products import linear  # noqa: F401
from ..ops.conv import conv1d, conv2d, conv_transpose2d  # noqa: F401
from ..ops.upsample import interpolate  # noqa: F401
from ..ops.pool import (max_pool1d, avg_pool1d, max_pool2d, avg_pool2d, adaptive_avg_pool2d,  # noqa: F401
                       adaptive_max_pool2d)
from ..ops.pool_extra import (adaptive_avg_pool1d, adaptive_max_pool1d, adaptive_max_pool1d_with_indices,  # noqa: F401
                             adaptive_max_pool2d_with_indices, max_pool1d_with_indices, max_pool2d_with_indices,
                             lp_pool1d, lp_pool2d, max_unpool1d, max_unpool2d)
from ..ops.normalization import (batch_norm, batch_norm_relu, instance_norm, layer_norm, group_norm,  # noqa: F401
                                 local_response_norm, dropout, dropout2d)
from ..ops.activation import (softsign, logsigmoid, softmin, glu, prelu, tanhshrink,  # noqa: F401
                              hardshrink, softshrink)
from ..ops.distance import normalize, cosine_similarity, pairwise_distance  # noqa: F401
from ..ops.vision import pixel_shuffle, unfold  # noqa: F401
from ..ops.sparse import embedding  # noqa: F401
from ..ops.embedding_bag import embedding_bag  # noqa: F401
from ..ops.vision_extra import pixel_unshuffle, channel_shuffle, fold  # noqa: F401
from ..ops.nn_extra import (bilinear, rms_norm, alpha_dropout, feature_alpha_dropout, dropout1d,  # noqa: F401
                            dropout3d, pdist, gumbel_softmax)
from ..ops.loss import (cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss, huber_loss,  # noqa: F401
                        binary_cross_entropy_with_logits, binary_cross_entropy, kl_div)
from ..ops.loss_extra import (cosine_embedding_loss, margin_ranking_loss, hinge_embedding_loss,  # noqa: F401
                              soft_margin_loss, multilabel_soft_margin_loss, multilabel_margin_loss,
                              multi_margin_loss, triplet_margin_loss, triplet_margin_with_distance_loss,
                              poisson_nll_loss, gaussian_nll_loss)


def _maybe_inplace(fn, x, inplace):
    """fn(x), written into x's storage when inplace (torch's inplace=True: the input is returned)."""
    return x._inplace(fn) if inplace else fn(x)


def _tensor_arg(input, fname):
    from ..tensor import Tensor
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' must be a Tensor, not {type(input).__name__}")
    return input


# ------------------------------------------------------------------ activations with inplace=
def relu(input, inplace=False):
    return _maybe_inplace(_ew.relu, _input(input, "relu"), inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _maybe_inplace(lambda t: _ew.leaky_relu(t, negative_slope), _input(input, "leaky_relu"), inplace)


def elu(input, alpha=1.0, inplace=False):
    return _maybe_inplace(lambda t: _act.elu(t, alpha), _input(input, "elu"), inplace)


def selu(input, inplace=False):
    return _maybe_inplace(_act.selu, _input(input, "selu"), inplace)


def celu(input, alpha=1.0, inplace=False):
    return _maybe_inplace(lambda t: _act.celu(t, alpha), _input(input, "celu"), inplace)


def mish(input, inplace=False):
    return _maybe_inplace(_act.mish, _input(input, "mish"), inplace)


def hardswish(input, inplace=False):
    return _maybe_inplace(_act.hardswish, _input(input, "hardswish"), inplace)


def hardsigmoid(input, inplace=False):
    return _maybe_inplace(_act.hardsigmoid, _input(input, "hardsigmoid"), inplace)


def threshold(input, threshold, value, inplace=False):
    return _maybe_inplace(lambda t: _act.threshold(t, threshold, value), _input(input, "threshold"), inplace)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    return _act.rrelu(_input(input, "rrelu"), lower, upper, training, inplace)


# torch's in-place spellings: the input tensor itself, overwritten
def relu_(input):
    return relu(_tensor_arg(input, "relu_"), inplace=True)


def elu_(input, alpha=1.0):
    return elu(_tensor_arg(input, "elu_"), alpha, inplace=True)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(_tensor_arg(input, "leaky_relu_"), negative_slope, inplace=True)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(_tensor_arg(input, "hardtanh_"), min_val, max_val, inplace=True)


def selu_(input):
    return selu(_tensor_arg(input, "selu_"), inplace=True)


def celu_(input, alpha=1.0):
    return celu(_tensor_arg(input, "celu_"), alpha, inplace=True)


def threshold_(input, threshold, value):
    return _maybe_inplace(lambda t: _act.threshold(t, threshold, value), _tensor_arg(input, "threshold_"), True)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(_tensor_arg(input, "rrelu_"), lower, upper, training, inplace=True)


def _input(input, fname):
    from ..ops._helpers import as_tensor
    return as_tensor(input, fname)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp whose gradient is 0 at the bounds, as PyTorch's hardtanh/relu6."""
    return _maybe_inplace(lambda t: _hardtanh(t, min_val, max_val, "hardtanh"), _input(input, "hardtanh"), inplace)


def _hardtanh(input, min_val, max_val, fname):
    from ..ops.elementwise import clamp, where
    if min_val > max_val:
        raise ValueError(f"{fname}(): argument 'min_val' ({min_val}) cannot be greater than argument 'max_val' "
                         f"({max_val})")
    inside = (input > min_val) & (input < max_val)
    return where(inside, input, clamp(input, min_val, max_val).detach())


def relu6(input, inplace=False):
    return _maybe_inplace(lambda t: _hardtanh(t, 0.0, 6.0, "relu6"), _input(input, "relu6"), inplace)


def silu(input, inplace=False):
    return _maybe_inplace(lambda x: x * sigmoid(x), _input(input, "silu"), inplace)


def softplus(input, beta=1.0, threshold=20.0):
    from ..ops.elementwise import where, log1p, exp
    input = _input(input, "softplus")
    scaled = input * beta
    return where(scaled > threshold, input, log1p(exp(where(scaled > threshold, 0.0, scaled))) / beta)


def one_hot(tensor, num_classes=-1):
    """int64 tensor of shape (*tensor.shape, num_classes) with a 1 at each class index (PyTorch's
    one_hot); num_classes=-1 means max(tensor) + 1. Not differentiable (integer output)."""
    import numpy as np
    from ..tensor import Tensor
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'tensor' must be a Tensor, not {type(tensor).__name__}")
    if tensor.dtype.is_floating_point or tensor.dtype.name == "bool":
        raise TypeError(f"one_hot(): argument 'tensor' must have an integer dtype (class indices), got {tensor.dtype}")
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"one_hot(): argument 'num_classes' must be an int, not {type(num_classes).__name__}")
    idx = tensor._data.astype(np.int64)
    if num_classes == -1:
        if idx.size == 0:
            raise ValueError("one_hot(): can not infer total number of classes from empty tensor "
                             f"(shape {tuple(idx.shape)}); pass num_classes")
        num_classes = int(idx.max()) + 1
    if num_classes < 0:
        raise ValueError(f"one_hot(): argument 'num_classes' must be -1 or >= 0, got {num_classes}")
    if idx.size and (idx.min() < 0 or idx.max() >= num_classes):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise ValueError(f"one_hot(): class index {int(bad)} in argument 'tensor' (shape {tuple(idx.shape)}) "
                         f"is out of range [0, {num_classes})")
    out = np.zeros(idx.shape + (int(num_classes),), dtype=np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return Tensor._wrap(out)


from ..ops.attention import scaled_dot_product_attention, multi_head_attention_forward  # noqa: E402,F401
