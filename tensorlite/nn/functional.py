"""tensorlite.nn.functional: stateless layer functions (PyTorch's names and signatures)."""
from ..ops.elementwise import relu, leaky_relu, gelu, sigmoid, tanh  # noqa: F401
from ..ops.reduction import softmax, log_softmax  # noqa: F401
from ..ops.movement import pad  # noqa: F401
from ..ops.linalg import linear  # noqa: F401


def relu6(input):
    from ..ops.elementwise import clamp
    return clamp(input, 0.0, 6.0)


def silu(input):
    return input * sigmoid(input)


def softplus(input, beta=1.0, threshold=20.0):
    from ..ops.elementwise import where, log1p, exp
    scaled = input * beta
    return where(scaled > threshold, input, log1p(exp(where(scaled > threshold, 0.0, scaled))) / beta)
