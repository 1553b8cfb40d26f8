"""Module.summary(): a Keras-style table of layers, output shapes and parameter counts.

Like Keras, non-trainable parameters count frozen parameters and floating-point buffers
(BatchNorm's moving mean and variance), not integer bookkeeping such as num_batches_tracked."""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import zeros


def _count(tensors):
    return sum(int(np.prod(t.shape)) for t in tensors)


class ModelSummary:
    """What Module.summary() returns: its repr and str are the table; the numbers are attributes
    (`rows`, `total_params`, `trainable_params`, `non_trainable_params`), also readable as
    `info["total_params"]`."""

    def __init__(self, table, rows, total, trainable, non_trainable, input_size):
        self.table, self.rows, self.input_size = table, rows, input_size
        self.total_params, self.trainable_params, self.non_trainable_params = total, trainable, non_trainable

    def __getitem__(self, key):
        if key not in ("rows", "total_params", "trainable_params", "non_trainable_params"):
            raise KeyError(key)
        return getattr(self, key)

    def __repr__(self):
        return self.table

    __str__ = __repr__


def summary(model, input_size, dtype=None, print_fn=print, batch_dim=None):
    """Run one zero batch of shape `input_size` through `model` (in eval mode, without a graph) and
    print a Keras-style table: each leaf layer's output shape and parameter count, then totals.

    `input_size` includes the batch dimension, as torchinfo's (`(1, 3, 32, 32)` for one CIFAR
    image); with `batch_dim=k` it is one sample's shape and a batch of one is inserted at k.
    Returns a ModelSummary (its repr is the table); `print_fn=None` prints nothing."""
    try:
        size = tuple(int(v) for v in input_size)
    except (TypeError, ValueError):
        raise TypeError(f"summary(): argument 'input_size' must be a sequence of ints, got {input_size!r:.60}") \
            from None
    if any(v < 0 for v in size):
        raise ValueError(f"summary(): argument 'input_size' must hold non-negative sizes, got {size}")
    if batch_dim is not None:
        if isinstance(batch_dim, bool) or not isinstance(batch_dim, int) or not 0 <= batch_dim <= len(size):
            raise ValueError(f"summary(): argument 'batch_dim' must be an int in [0, {len(size)}], got {batch_dim!r}")
        size = size[:batch_dim] + (1,) + size[batch_dim:]
    rows = []
    handles = []
    leaves = [(n, m) for n, m in model.named_modules() if not m._modules and m is not model] or [("", model)]

    def hook_for(name, mod):
        def hook(module, inputs, output):
            shape = tuple(output.shape) if hasattr(output, "shape") else tuple(
                tuple(o.shape) for o in output if hasattr(o, "shape"))
            own_params = [p for p in mod._parameters.values() if p is not None]
            rows.append((name or type(mod).__name__, type(mod).__name__, shape, _count(own_params)))
        return hook

    for name, mod in leaves:
        handles.append(mod.register_forward_hook(hook_for(name, mod)))
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(zeros(*size, dtype=dtype))
    except Exception as e:          # noqa: BLE001 -- re-raised with what summary() expects
        hint = (" input_size includes the batch dimension (e.g. (1, 3, 32, 32) for one 3x32x32 image), "
                "as torchinfo's; pass batch_dim=0 to give one sample's shape instead.") if batch_dim is None else ""
        msg = f"summary(): {type(model).__name__} failed on an input of shape {size}: {e}.{hint}"
        try:
            err = type(e)(msg)
        except Exception:           # noqa: BLE001 -- an exception type with another constructor
            err = RuntimeError(msg)
        raise err from e
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()

    params = list(model.parameters())
    trainable = _count(p for p in params if p.requires_grad)
    frozen = _count(p for p in params if not p.requires_grad)
    float_buffers = _count(b for b in model.buffers() if b.is_floating_point())
    total = trainable + frozen + float_buffers
    width = (max([len(f"{r[0]} ({r[1]})") for r in rows] + [26]) + 2, 24, 12)
    line = "=" * sum(width)
    out = [f"Model: {type(model).__name__}", "_" * sum(width),
           f"{'Layer (type)':<{width[0]}}{'Output Shape':<{width[1]}}{'Param #':>{width[2]}}", line]
    for name, kind, shape, n in rows:
        shown = "(None, " + ", ".join(str(s) for s in shape[1:]) + ")" if shape and isinstance(shape[0], int) \
            else str(shape)
        out.append(f"{name + ' (' + kind + ')':<{width[0]}}{shown:<{width[1]}}{n:>{width[2]},}")
    out += [line, f"Total params: {total:,}", f"Trainable params: {trainable:,}",
            f"Non-trainable params: {frozen + float_buffers:,}", "_" * sum(width)]
    table = "\n".join(out)
    if print_fn is not None:
        print_fn(table)
    return ModelSummary(table, rows, total, trainable, frozen + float_buffers, size)
