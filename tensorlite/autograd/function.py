"""The graph node.

A `Function` subclass defines `forward(ctx, *args)` on numpy arrays and
`backward(ctx, grad)` on Tensors, one gradient per positional argument. A forward may return a
tuple `(output, *extras)` (max pooling's indices, batch norm's statistics): apply then returns a
tuple of Tensors whose extras carry no gradient (torch's mark_non_differentiable).
Backward formulas are written in differentiable tensor ops, so running them
with grad mode on (create_graph=True) records the graph of the gradient itself.

`apply` runs forward, wraps the result, and, when grad mode is on and an input
requires grad, records the node: `next_functions` holds one edge per
positional argument (the input's grad_fn, its leaf accumulator, or None).
Like PyTorch, the node is also the `ctx` its forward and backward receive.
"""
import weakref

import numpy as np

from .grad_mode import is_grad_enabled
from . import anomaly, fp_errors

from ..tensor import Tensor

# The running profile's recorder while tensorlite.profiler records (else None): apply reports to it.
_profiler = None

FREED_MSG = ("Trying to backward through the graph a second time (or directly access saved tensors "
             "after they have already been freed). Saved intermediate values of the graph are freed "
             "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
             "backward through the graph a second time.")


class Function:
    is_view = False        # True when the output may share memory with input 0
    _tensor_io = False     # True for user-defined Functions: forward takes and returns Tensors
    # True for Functions that compute another op's backward (ConvolutionInputGrad, MaxPoolScatter):
    # a profile shows their no-graph runs inside a backward node as part of that node.
    backward_kernel = False

    # Per-node state. Class-level defaults (all immutable) rather than __init__ assignments: a node
    # is made for every op call, and only the attributes that change are then set on the instance.
    next_functions = ()
    needs_input_grad = ()
    _saved = None
    _freed = False
    _hooks = None            # hooks registered on the (non-leaf) output tensor
    _retained = None         # weakref to the output tensor when it called retain_grad()
    _trace = None            # creation stack, kept in anomaly mode

    def name(self):
        return type(self).__name__

    @classmethod
    def _node_class(cls):
        """The class of this op's graph nodes: a subclass named as PyTorch names the node
        (`SumBackward0`, `MulBackward0`, `MmBackward0`; `<Name>Backward` for user Functions), so
        `grad_fn=<...>` and `type(t.grad_fn).__name__` read as in PyTorch."""
        node_cls = cls.__dict__.get("_node_cls")
        if node_cls is None:
            name = f"{cls.__name__}Backward" if cls._tensor_io else \
                _TORCH_NODE_NAMES.get(cls.__name__, f"{cls.__name__.lstrip('_')}Backward0")
            node_cls = type(name, (cls,), {"__module__": cls.__module__, "__qualname__": name,
                                           "_node_cls": None})
            node_cls._node_cls = node_cls
            cls._node_cls = node_cls
        return node_cls

    def __repr__(self):
        return f"<{self.name()}>"

    # ---- used by forward ----
    def save_for_backward(self, *arrays):
        """Keep arrays for backward: inputs and the output come back as the Tensors they were."""
        self._saved = tuple([a._data if isinstance(a, Tensor) else a for a in arrays])

    # ---- used by backward ----
    @property
    def saved_tensors(self):
        return tuple(_unpack(self, s, Tensor) for s in self._check_saved())

    @property
    def saved_arrays(self):
        return tuple(_unpack(self, s, None) for s in self._check_saved())

    def _check_saved(self):
        if self._freed:
            raise RuntimeError(FREED_MSG)
        return self._saved or ()

    def _release(self):
        if self._saved is not None:
            self._saved = None
            self._freed = True

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError  # every subclass defines it

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError  # every subclass defines it

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward on arrays and wrap its result; record the node only when a graph is being
        recorded (grad mode on, a float output, an input that requires grad)."""
        prof = _profiler                 # hook point: tensorlite.profiler records the call while it runs
        frame = prof.enter_op(cls) if prof is not None else None
        try:
            node = (cls.__dict__.get("_node_cls") or cls._node_class())()
            raw = [a._data if isinstance(a, Tensor) else a for a in args]
            token = fp_errors.quiet()
            try:
                if cls._tensor_io:
                    from .grad_mode import no_grad
                    with no_grad():
                        out = cls.forward(node, *(Tensor._wrap(r) if isinstance(a, Tensor) else a
                                                  for a, r in zip(args, raw)), **kwargs)
                    out = getattr(out, "_data", out)
                else:
                    out = cls.forward(node, *raw, **kwargs)
            finally:
                fp_errors.restore(token)
            extras = None
            if type(out) is tuple:          # (output, extra outputs): the extras carry no gradient
                out, extras = out[0], out[1:]
            if not isinstance(out, np.ndarray):
                scalar, out = out, np.asarray(out)
                if node._saved:   # numpy ufuncs return 0-d results as scalars: a saved output is still the output
                    node._saved = tuple(out if a is scalar else a for a in node._saved)
            result = Tensor._wrap(out)
            if cls.is_view and args and isinstance(args[0], Tensor) and np.may_share_memory(out, raw[0]):
                first = args[0]
                result._base = first._base if first._base is not None else first
                result._vc = first._vc
            if out.dtype.kind == "f" and is_grad_enabled():
                needs = [isinstance(a, Tensor) and a.requires_grad for a in args]
                if True in needs:           # record the node: edges, shapes, saved-value records
                    node.needs_input_grad = tuple(needs)
                    node.next_functions = tuple([_edge(a) if n else None for a, n in zip(args, needs)])
                    node._in_shapes = tuple([r.shape if n else None for r, n in zip(raw, needs)])
                    node._saved = _bind_saved(node._saved, args, raw, out, result)
                    result.requires_grad = True
                    result.grad_fn = node
                    if anomaly._enabled:
                        node._trace = anomaly.creation_trace()
                    return result if extras is None else _with_extras(result, extras)
            node._saved = None              # no graph: the node was only forward's ctx
            return result if extras is None else _with_extras(result, extras)
        finally:
            if frame is not None:
                prof.pop(frame)


def _with_extras(result, extras):
    """apply's tuple for a forward that returned (output, *extras): the extras never require grad."""
    return (result,) + tuple([None if e is None else Tensor._wrap(np.asarray(e)) for e in extras])


class KernelFunction(Function):
    """A Function whose forward is an array kernel with no backward of its own (e.g. a fused
    backward kernel of another op), plus `formula`: the same values as a composition of
    differentiable tensor ops. When no graph is recorded (a plain backward(), no_grad) apply runs
    the kernel; when one is (create_graph=True), apply runs `formula`, so gradients of it exist.

    Subclasses define forward(ctx, *arrays) and formula(*args) (Tensors where apply got Tensors);
    forward returns a tuple of arrays whose first is never None, formula the same as Tensors."""
    backward_kernel = True

    @classmethod
    def apply(cls, *args):
        if is_grad_enabled() and any([isinstance(a, Tensor) and a.requires_grad for a in args]):
            return cls.formula(*args)
        return super().apply(*args)

    @staticmethod
    def formula(*args):
        raise NotImplementedError  # every subclass defines it


# tensorlite op -> PyTorch's name for its backward node, where the two names differ
_TORCH_NODE_NAMES = {
    "Cast": "ToCopyBackward0", "Log1p": "Log1PBackward0", "Getitem": "IndexBackward0", "Matmul": "MmBackward0",
    "CrossEntropyIdx": "NllLossBackward0", "CrossEntropyProb": "NllLossBackward0", "NLL": "NllLossBackward0",
    "BCEWithLogits": "BinaryCrossEntropyWithLogitsBackward0", "BCE": "BinaryCrossEntropyBackward0",
    "Reshape": "ViewBackward0", "Pad": "ConstantPadNdBackward0", "BatchNormTrain": "NativeBatchNormBackward0",
    "BatchNormEval": "NativeBatchNormBackward0", "MaxPool2d": "MaxPool2DWithIndicesBackward0",
    "AvgPool2d": "AvgPool2DBackward0", "StdSqrt": "StdBackward0", "PNorm": "NormBackward1",
}


class AccumulateGrad:
    """The graph node of a leaf: adds the incoming gradient to `variable.grad`."""
    __slots__ = ("variable", "next_functions", "__weakref__")

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()

    def name(self):
        return "AccumulateGrad"

    def __repr__(self):
        return "<AccumulateGrad>"


def _edge(t):
    if t.grad_fn is not None:
        return t.grad_fn
    acc = t._accum() if t._accum is not None else None
    if acc is None:
        acc = AccumulateGrad(t)
        t._accum = weakref.ref(acc)
    return acc


def _bind_saved(saved, args, raw, out, result):
    """Turn the arrays forward saved into records that remember which tensor and version they were."""
    if not saved:
        return None
    records = []
    for arr in saved:
        if arr is None:
            records.append(_NONE)
        elif arr is out:
            records.append(("out", arr, result._vc, result._vc.value))
        else:
            for a, r in zip(args, raw):
                if arr is r and isinstance(a, Tensor):
                    records.append(("in", a, a._vc.value))
                    break
            else:
                records.append(("const", arr))
    return tuple(records)


_NONE = ("none",)


def _unpack(node, rec, Tensor):
    kind = rec[0]
    if kind == "none":
        return None
    if kind == "const":
        arr = rec[1]
        return arr if Tensor is None else Tensor._wrap(arr)
    if kind == "in":
        t, version = rec[1], rec[2]
        _check_version(node, t._vc.value, version, t._data)
        return t._data if Tensor is None else t
    arr, vc, version = rec[1], rec[2], rec[3]
    _check_version(node, vc.value, version, arr)
    if Tensor is None:
        return arr
    t = Tensor._wrap(arr)
    t.requires_grad, t.grad_fn, t._vc = True, node, vc
    return t


def _check_version(node, now, saved, arr):
    if now != saved:
        raise RuntimeError(
            f"one of the variables needed for gradient computation has been modified by an inplace "
            f"operation: [{arr.dtype} {list(arr.shape)}] is at version {now}; expected version {saved} "
            f"instead (saved by {node.name()}). Use an out-of-place op, or .clone() the tensor first.")
