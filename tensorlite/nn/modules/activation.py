"""torch.nn.modules.activation (implemented in tensorlite.nn.layers, .activation and .attention)."""
from ..layers import ReLU, ReLU6, SiLU, LeakyReLU, GELU, Tanh, Sigmoid, Softmax, LogSoftmax  # noqa: F401
from ..activation import (ELU, CELU, SELU, Mish, Hardswish, Hardsigmoid, Softsign, LogSigmoid,  # noqa: F401
                          Tanhshrink, Softmin, GLU, Softplus, Hardtanh, Threshold, PReLU)
from ..activation import Hardshrink, Softshrink, RReLU, Softmax2d  # noqa: F401
from ..attention import MultiheadAttention  # noqa: F401

__all__ = ["ReLU", "ReLU6", "SiLU", "LeakyReLU", "GELU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax", "ELU", "CELU",
           "SELU", "Mish", "Hardswish", "Hardsigmoid", "Softsign", "LogSigmoid", "Tanhshrink", "Softmin", "GLU",
           "Softplus", "Hardtanh", "Threshold", "PReLU", "MultiheadAttention", "Hardshrink", "Softshrink", "RReLU", "Softmax2d"]
