"""RMSprop (torch.optim.RMSprop): centred variant, momentum, weight decay, maximize."""

from ..backend import optim as kernels
from .optimizer import Optimizer, check_nonneg

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, PyTorch's update rule::

        g = -grad if maximize else grad;  g = g + weight_decay * p   (weight_decay != 0)
        v = alpha * v + (1 - alpha) * g * g
        centered: g_avg = lerp(g_avg, g, 1 - alpha); avg = sqrt(v - g_avg**2) + eps
        else:     avg = sqrt(v) + eps
        momentum > 0: buf = momentum * buf + g / avg; p = p - lr * buf
        else:         p = p - lr * g / avg

    State per parameter: 'step', 'square_avg' (+ 'momentum_buffer' when momentum > 0, 'grad_avg'
    when centered).  ``foreach`` is accepted and ignored (always fused).
    """

    _state_buffers = ("square_avg", "momentum_buffer", "grad_avg")
    _counts_steps = True

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False, *,
                 maximize=False, foreach=None):
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay, momentum=momentum,
                        centered=centered, maximize=maximize)
        super().__init__(params, defaults)

    def _validate_group(self, group):
        check_nonneg(self, group.get("lr", 0), "learning rate", "lr")
        check_nonneg(self, group.get("eps", 0), "epsilon value", "eps")
        check_nonneg(self, group.get("momentum", 0), "momentum value", "momentum")
        check_nonneg(self, group.get("weight_decay", 0), "weight_decay value", "weight_decay")
        check_nonneg(self, group.get("alpha", 0), "alpha value", "alpha")

    def _step_group(self, group):
        use_momentum = float(group["momentum"]) > 0
        centered = bool(group["centered"])
        params, grads, square_avgs, grad_avgs, momentum_buffers, steps = [], [], [], [], [], []
        for p, pd, gd in self._with_grad(group):
            st = self._state_of(p)
            steps.append(self._step_count(st))             # first, so the state's keys are in torch's order
            params.append(pd)
            grads.append(gd)
            square_avgs.append(self._buffer(st, "square_avg", pd))
            if use_momentum:
                momentum_buffers.append(self._buffer(st, "momentum_buffer", pd))
            if centered:
                grad_avgs.append(self._buffer(st, "grad_avg", pd))
        kernels.rmsprop_update(params, grads, square_avgs, grad_avgs if centered else square_avgs,
                               momentum_buffers if use_momentum else square_avgs, steps, group["lr"], group["alpha"],
                               group["eps"], group["weight_decay"], group["momentum"], centered, group["maximize"])
