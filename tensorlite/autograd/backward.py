"""torch.autograd.backward and torch.autograd.grad: the user's entry points into the engine."""
import numpy as np

from ..tensor import Tensor
from .engine import run_backward


def _as_list(x):
    if x is None:
        return None
    return [x] if isinstance(x, Tensor) else list(x)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    tensors = _as_list(tensors)
    grad_tensors = _as_list(grad_tensors) or [None] * len(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, grad_tensors, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """Gradients of `outputs` with respect to `inputs`, returned (not accumulated into .grad)."""
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
