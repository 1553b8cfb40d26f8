"""Module.summary(): a Keras-style table of layers, output shapes and parameter counts.

Like Keras, non-trainable parameters count frozen parameters and floating-point buffers
(BatchNorm's moving mean and variance), not integer bookkeeping such as num_batches_tracked."""
import numpy as np

from ..autograd.grad_mode import no_grad
from ..creation import zeros


def _count(tensors):
    return sum(int(np.prod(t.shape)) for t in tensors)


def summary(model, input_shape, dtype=None, print_fn=print):
    """Run one zero batch of `input_shape` (without the batch dim) through `model` and print the table.
    Returns a dict with the rows and the totals."""
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
            model(zeros(1, *tuple(input_shape), dtype=dtype))
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
    if print_fn is not None:
        print_fn("\n".join(out))
    return {"rows": rows, "total_params": total, "trainable_params": trainable,
            "non_trainable_params": frozen + float_buffers}
