"""SGD with momentum, dampening, Nesterov, weight decay, maximize (torch.optim.SGD)."""
import numpy as np

from . import _kernels
from .optimizer import Optimizer, check_nonneg, _number

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, PyTorch's update rule::

        g = -grad if maximize else grad
        g = g + weight_decay * p                                  (weight_decay != 0)
        buf = g (first step)  |  buf = momentum * buf + (1 - dampening) * g
        g = g + momentum * buf (nesterov)  |  g = buf               (momentum != 0)
        p = p - lr * g

    State per parameter: 'momentum_buffer' (only when momentum != 0).  The whole param group is
    updated by one fused kernel over its flat buffers.  ``foreach`` / ``fused`` are accepted for
    compatibility and ignored (always fused).
    """

    _flat_state = ("momentum_buffer",)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, fused=None):
        if nesterov and (_number(momentum) <= 0 or _number(dampening) != 0):
            # checked on the constructor's arguments only, as PyTorch (a group may set momentum=0)
            raise ValueError(f"{type(self).__name__}: Nesterov momentum requires a momentum and zero dampening "
                             f"(got momentum={momentum}, dampening={dampening})")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        check_nonneg(self, group.get("lr", 0), "learning rate", "lr")
        check_nonneg(self, group.get("momentum", 0), "momentum value", "momentum")
        check_nonneg(self, group.get("weight_decay", 0), "weight_decay value", "weight_decay")

    def _update(self, group, b, active):
        ct = b.compute_dtype.type
        momentum = float(group["momentum"])
        use_m = momentum != 0
        if use_m:
            buf = b.buffer("momentum_buffer")
            fresh = ~b.initialized
            starts, ends, run_fresh = b.runs(active, fresh, uniform=b.all_init)
            run_fresh = run_fresh.astype(np.uint8)
        else:
            buf = b.grad                    # unused by the kernel
            starts, ends, _ = b.runs(active)
            run_fresh = np.zeros(starts.shape[0], dtype=np.uint8)
        self._launch(_kernels.sgd_update, b, (b.data, b.grad, buf), starts, ends, run_fresh,
                     ct(-float(group["lr"])), ct(momentum), ct(1 - float(group["dampening"])),
                     ct(float(group["weight_decay"])), use_m, bool(group["nesterov"]), bool(group["maximize"]))
        if use_m:
            self._export_state(b, active, self._flat_state)
