"""tensorlite.nn.functional: stateless layer functions (PyTorch's names and signatures)."""
from ..ops.elementwise import relu, leaky_relu, gelu, sigmoid, tanh  # noqa: F401
from ..ops.reduction import softmax, log_softmax  # noqa: F401
from ..ops.movement import pad  # noqa: F401
from ..ops.linalg import linear  # noqa: F401
from ..ops.conv import conv1d, conv2d, conv_transpose2d  # noqa: F401
from ..ops.upsample import interpolate  # noqa: F401
from ..ops.pool import (max_pool1d, avg_pool1d, max_pool2d, avg_pool2d, adaptive_avg_pool2d,  # noqa: F401
                       adaptive_max_pool2d)
from ..ops.normalization import (batch_norm, batch_norm_relu, instance_norm, layer_norm, group_norm,  # noqa: F401
                                 local_response_norm, dropout, dropout2d)
from ..ops.activation import (elu, selu, celu, mish, softsign, hardswish, hardsigmoid,  # noqa: F401
                              logsigmoid, softmin, glu, prelu, threshold, tanhshrink)
from ..ops.distance import normalize, cosine_similarity, pairwise_distance  # noqa: F401
from ..ops.vision import pixel_shuffle, unfold  # noqa: F401
from ..ops.sparse import embedding  # noqa: F401
from ..ops.loss import (cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss, huber_loss,  # noqa: F401
                        binary_cross_entropy_with_logits, binary_cross_entropy, kl_div)


def _input(input, fname):
    from ..ops._helpers import as_tensor
    return as_tensor(input, fname)


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """clamp whose gradient is 0 at the bounds, as PyTorch's hardtanh/relu6."""
    return _hardtanh(_input(input, "hardtanh"), min_val, max_val, "hardtanh")


def _hardtanh(input, min_val, max_val, fname):
    from ..ops.elementwise import clamp, where
    if min_val > max_val:
        raise ValueError(f"{fname}(): argument 'min_val' ({min_val}) cannot be greater than argument 'max_val' "
                         f"({max_val})")
    inside = (input > min_val) & (input < max_val)
    return where(inside, input, clamp(input, min_val, max_val).detach())


def relu6(input):
    return _hardtanh(_input(input, "relu6"), 0.0, 6.0, "relu6")


def silu(input):
    x = _input(input, "silu")
    return x * sigmoid(x)


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
