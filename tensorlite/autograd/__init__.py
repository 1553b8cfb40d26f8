"""Reverse-mode automatic differentiation: the graph, the engine, gradcheck, and
torch.autograd.functional's jacobian / hessian / vjp / jvp / hvp / vhp (`functional`)."""

from .._legacy import Variable  # noqa: F401  (torch.autograd.Variable)
from .anomaly import detect_anomaly, set_detect_anomaly, is_enabled as is_anomaly_enabled
from .function import Function as _Node
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from .gradcheck import gradcheck, gradgradcheck, GradcheckError
from .backward import backward, grad


def __getattr__(name):
    # tl.autograd.functional on first use: it is built on grad() below, so importing it here would be a circle
    if name == "functional":
        import importlib
        return importlib.import_module(f"{__name__}.functional")
    raise AttributeError(f"module 'tensorlite.autograd' has no attribute '{name}'")


class Function(_Node):
    """Base for user-defined differentiable functions, as torch.autograd.Function:

        class Square(tl.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x
            @staticmethod
            def backward(ctx, g):
                (x,) = ctx.saved_tensors
                return 2 * x * g

    forward receives and returns Tensors (it runs without recording a graph); call it with
    `Square.apply(x)`. A single output tensor is supported."""
    _tensor_io = True

    def mark_non_differentiable(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        pass


__all__ = ["Function", "backward", "grad", "gradcheck", "gradgradcheck", "GradcheckError", "no_grad",
           "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode", "detect_anomaly",
           "set_detect_anomaly"]
