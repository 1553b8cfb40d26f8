"""Reverse-mode automatic differentiation: the graph, the engine, gradcheck, and
torch.autograd.functional's jacobian / hessian / vjp / jvp / hvp / vhp (`functional`)."""
import numpy as np

from .anomaly import detect_anomaly, set_detect_anomaly, is_enabled as is_anomaly_enabled
from .function import Function as _Node
from .grad_mode import no_grad, enable_grad, set_grad_enabled, is_grad_enabled, inference_mode
from .gradcheck import gradcheck, gradgradcheck, GradcheckError


def __getattr__(name):
    # tl.autograd.functional without an import (it needs Tensor, which imports this package first)
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


def _as_list(x):
    from ..tensor import Tensor
    if x is None:
        return None
    return [x] if isinstance(x, Tensor) else list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    from .engine import run_backward
    tensors = _as_list(tensors)
    grad_tensors = _as_list(grad_tensors) or [None] * len(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, grad_tensors, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """Gradients of `outputs` with respect to `inputs`, returned (not accumulated into .grad)."""
    from ..tensor import Tensor
    from .engine import run_backward
    outputs, inputs = _as_list(outputs), _as_list(inputs)
    grad_outputs = _as_list(grad_outputs) or [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad(): got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs")
    if retain_graph is None:
        retain_graph = create_graph
    res = run_backward(outputs, grad_outputs, retain_graph, create_graph, inputs=inputs,
                       allow_unused=bool(allow_unused) or materialize_grads)
    out = []
    for x, g in zip(inputs, res):
        if g is None and materialize_grads:
            g = Tensor._wrap(np.zeros(x.shape, dtype=x._data.dtype))
        elif g is not None and not create_graph and not g._data.flags.writeable:
            g = Tensor._wrap(np.array(g._data))        # callers own what they get back
        out.append(g)
    return tuple(out)


__all__ = ["Function", "backward", "grad", "gradcheck", "gradgradcheck", "GradcheckError", "no_grad",
           "enable_grad", "set_grad_enabled", "is_grad_enabled", "inference_mode", "detect_anomaly",
           "set_detect_anomaly"]
