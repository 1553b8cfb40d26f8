"""SGD with momentum, dampening, Nesterov, weight decay, maximize (torch.optim.SGD)."""
from ..backend import optim as kernels
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
    updated by one fused kernel call over its lists of parameters, gradients and buffers.
    ``foreach`` / ``fused`` are accepted for compatibility and ignored (always fused).
    """

    _state_buffers = ("momentum_buffer",)

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

    def _step_group(self, group):
        use_momentum = float(group["momentum"]) != 0
        params, grads, bufs, fresh = [], [], [], []
        for p, pd, gd in self._with_grad(group):
            params.append(pd)
            grads.append(gd)
            if use_momentum:
                st = self._state_of(p)
                fresh.append(st.get("momentum_buffer") is None)     # first step: buf = grad
                bufs.append(self._buffer(st, "momentum_buffer", pd, fill=None))
        if not use_momentum:
            bufs, fresh = grads, [False] * len(params)             # no state
        kernels.sgd_update(params, grads, bufs, fresh, group["lr"], group["momentum"], group["dampening"],
                           group["weight_decay"], group["nesterov"], group["maximize"])
