"""RMSprop (torch.optim.RMSprop): centred variant, momentum, weight decay, maximize."""

from . import _kernels
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

    _flat_state = ("square_avg", "momentum_buffer", "grad_avg")
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

    def _update(self, group, b, active):
        ct = b.compute_dtype.type
        momentum = float(group["momentum"])
        centered = bool(group["centered"])
        alpha = float(group["alpha"])
        names = ("square_avg",) + (("momentum_buffer",) if momentum > 0 else ()) + (("grad_avg",) if centered else ())
        sq = b.buffer("square_avg")
        mbuf = b.buffer("momentum_buffer") if momentum > 0 else sq
        gavg = b.buffer("grad_avg") if centered else sq
        self._count_steps(b, active)
        starts, ends, _ = b.runs(active)
        w = ct(1 - alpha)
        self._launch(_kernels.rmsprop_update, b, (b.data, b.grad, sq, gavg, mbuf), starts, ends,
                     ct(-float(group["lr"])), ct(alpha), w, ct(1) - w, ct(float(group["eps"])),
                     ct(float(group["weight_decay"])), ct(momentum), centered, bool(group["maximize"]))
        self._export_state(b, active, names)
