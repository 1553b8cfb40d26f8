"""Reverse-mode graph walk: iterative (no recursion limit), frees saved values as it goes.

Thread safety (as PyTorch's): backward() may run concurrently in several threads, on disjoint
graphs or on graphs that share leaves; accumulation into a leaf's .grad holds one lock, because
numpy releases the GIL inside the in-place add and updates would otherwise be lost."""
import threading

import numpy as np

from . import anomaly
from .function import AccumulateGrad
from .grad_mode import set_grad_enabled, is_grad_enabled
from ..errors import ShapeError
from ..backend import numba_math

from ..tensor import Tensor

# The running profile's recorder while tensorlite.profiler records (else None): each node's
# backward call and each leaf accumulation is reported to it.
_profiler = None


def _root_grad(t, g):
    if g is None:
        if t.numel() != 1:
            raise ShapeError(f"backward(): grad can be implicitly created only for scalar outputs; got an "
                             f"output of shape {tuple(t.shape)}: pass `gradient=` to backward()")
        return Tensor._wrap(np.ones(t.shape, dtype=t._data.dtype))
    if not isinstance(g, Tensor):
        g = Tensor._wrap(np.asarray(g, dtype=t._data.dtype))
    if tuple(g.shape) != tuple(t.shape):
        raise ShapeError(f"backward(): argument 'gradient' has shape {tuple(g.shape)} but the output has shape "
                         f"{tuple(t.shape)}")
    return g


def _root_node(t):
    from .function import _edge
    if not t.requires_grad:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    return _edge(t)


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, allow_unused=False):
    """Backpropagate from `tensors`. With `inputs`, return their gradients instead of accumulating
    into leaves' .grad (autograd.grad); otherwise accumulate into .grad of the reached leaves."""
    from .function import _edge
    roots = [(_root_node(t), _root_grad(t, g)) for t, g in zip(tensors, grad_tensors)]
    capture = None
    if inputs is not None:
        capture = {}
        for i, x in enumerate(inputs):
            if not x.requires_grad:
                raise RuntimeError(f"autograd.grad: input {i} does not require grad")
            capture.setdefault(_edge(x), []).append(i)

    # Count, for every reachable node, how many edges point at it.
    deps = {}
    stack = [n for n, _ in roots]
    seen = set(stack)
    while stack:
        node = stack.pop()
        for nxt in node.next_functions:
            if nxt is None:
                continue
            deps[nxt] = deps.get(nxt, 0) + 1
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)

    with set_grad_enabled(create_graph), np.errstate(all="ignore"):
        buffers = {}
        for node, g in roots:
            buffers[node] = _add(buffers.get(node), g)
        ready = [n for n in dict.fromkeys(n for n, _ in roots) if deps.get(n, 0) == 0]
        captured = {}
        while ready:
            node = ready.pop()
            g = buffers.pop(node, None)
            if capture is not None and node in capture:
                captured[node] = g
            if isinstance(node, AccumulateGrad):
                if capture is None and g is not None:
                    if _profiler is None:
                        _accumulate_leaf(node.variable, g, create_graph)
                    else:                   # hook point: the profiler times the call
                        _profiler.timed("AccumulateGrad", "backward", _accumulate_leaf, node.variable, g,
                                        create_graph)
                continue
            grads = ()
            if g is not None:
                g = _run_tensor_hooks(node, g, create_graph)
                if _profiler is None:
                    grads = _call_backward(node, g)
                else:                       # hook point: the profiler times the call
                    grads = _profiler.timed(node.name(), "backward", _call_backward, node, g)
                if not retain_graph:
                    node._release()
            n_grads = len(grads)
            for i, nxt in enumerate(node.next_functions):
                if nxt is None:
                    continue
                gi = grads[i] if i < n_grads else None
                if gi is not None:
                    buffers[nxt] = _add(buffers.get(nxt), gi)
                left = deps[nxt] - 1
                deps[nxt] = left
                if left == 0:
                    ready.append(nxt)

    if capture is None:
        return None
    result = [None] * len(inputs)
    for node, idxs in capture.items():
        for i in idxs:
            result[i] = captured.get(node)
            if result[i] is None and not allow_unused:
                raise RuntimeError(f"autograd.grad: input {i} was not used in the graph of the outputs; "
                                   f"pass allow_unused=True to get None for it")
    return tuple(result)


def _add(acc, g):
    if acc is None:
        return g
    if is_grad_enabled():
        return acc + g
    return Tensor._wrap(numba_math.add(acc._data, g._data))


def _call_backward(node, g):
    out = node.backward(node, g)     # (run_backward holds np.errstate(all="ignore"))
    if not isinstance(out, tuple):
        out = (out,)
    grads = []
    for gi, nxt, shape in zip(out, node.next_functions, node._in_shapes):
        if gi is None or nxt is None:
            grads.append(None)
            continue
        if not isinstance(gi, Tensor):
            gi = Tensor._wrap(np.asarray(gi))
        if gi._data.shape != shape:
            raise RuntimeError(f"{node.name()} returned a gradient of shape {gi._data.shape} for input "
                               f"{len(grads)} of shape {shape} (a bug in that op's backward)")
        grads.append(gi)
    if anomaly._enabled:
        _check_finite(node, grads)
    return grads


def _check_finite(node, grads):
    for i, gi in enumerate(grads):
        if gi is not None and gi._data.dtype.kind == "f" and not np.isfinite(gi._data).all():
            where = node._trace or "(the op was recorded before anomaly detection was turned on)\n"
            raise RuntimeError(f"Function '{node.name()}' returned nan or inf values in its {i}th output "
                               f"gradient. The forward op was created at:\n{where}")


def _apply_hooks(hooks, g):
    """g after every hook; a hook may return None (keep g) or a tensor of g's shape and dtype."""
    for hook in list(hooks.values()):
        r = hook(g)
        if r is None:
            continue
        name = getattr(hook, "__name__", type(hook).__name__)
        if not isinstance(r, Tensor):
            raise TypeError(f"expected Tensor, but hook '{name}' returned '{type(r).__name__}'")
        if tuple(r.shape) != tuple(g.shape):
            raise RuntimeError(f"hook '{name}' has changed the size of value (was {tuple(g.shape)}, got "
                               f"{tuple(r.shape)})")
        if r.dtype != g.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was {g.dtype} got {r.dtype})")
        g = r
    return g


def _run_tensor_hooks(node, g, create_graph):
    if node._hooks:
        g = _apply_hooks(node._hooks, g)
    if node._retained is not None:
        t = node._retained()
        if t is not None:
            _set_grad(t, g, create_graph)
    return g


def _accumulate_leaf(t, g, create_graph):
    if t._hooks:
        g = _apply_hooks(t._hooks, g)
    _set_grad(t, g, create_graph)


_grad_lock = threading.Lock()


def _set_grad(t, g, create_graph):
    if g._data.dtype != t._data.dtype:
        g = g.to(t.dtype)
    with _grad_lock:
        _store_grad(t, g, create_graph)


def _store_grad(t, g, create_graph):
    if t.grad is None:
        t.grad = g if create_graph else Tensor._wrap(np.array(g._data, copy=True))
    elif create_graph or t.grad.requires_grad:
        t.grad = t.grad + g
    else:
        t.grad._data += g._data
