"""Loss modules: thin wrappers over tensorlite.nn.functional."""
import warnings

from . import functional as F
from ..tensor import Tensor
from .module import Module


def _legacy_reduction(size_average, reduce):
    """PyTorch's mapping of the deprecated size_average / reduce flags onto reduction."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    return "mean" if size_average and reduce else ("sum" if reduce else "none")


class _Loss(Module):
    """PyTorch's base of the losses: stores self.reduction. The built-in losses list the reductions
    they accept in _reductions and reject others when built; a user subclass (_reductions None)
    may use any value, as with PyTorch."""
    _reductions = None

    def __init__(self, size_average=None, reduce=None, reduction="mean"):
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _legacy_reduction(size_average, reduce)
            warnings.warn("size_average and reduce args will be deprecated, please use "
                          f"reduction='{reduction}' instead.", UserWarning, stacklevel=2)
        ok = self._reductions
        if ok is not None and reduction not in ok:
            raise ValueError(f"{type(self).__name__}: reduction must be "
                             f"{', '.join(repr(r) for r in ok[:-1])} or {ok[-1]!r}, got {reduction!r}")
        self.reduction = reduction

    def _register_weight(self, name, value):
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"{type(self).__name__}: argument '{name}' must be a Tensor or None, got "
                            f"{type(value).__name__}")
        self.register_buffer(name, value)


class _WeightedLoss(_Loss):
    """A _Loss with an optional per-class `weight` buffer."""

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(size_average, reduce, reduction)
        self._register_weight("weight", weight)


_STANDARD = ("none", "mean", "sum")


class CrossEntropyLoss(_WeightedLoss):
    _reductions = _STANDARD

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                 label_smoothing=0.0):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    _reductions = _STANDARD

    def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MSELoss(_Loss):
    _reductions = _STANDARD

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    _reductions = _STANDARD

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    _reductions = _STANDARD

    def __init__(self, size_average=None, reduce=None, reduction="mean", beta=1.0):
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCEWithLogitsLoss(_Loss):
    _reductions = _STANDARD

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean", pos_weight=None):
        super().__init__(size_average, reduce, reduction)
        self._register_weight("weight", weight)
        self._register_weight("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, weight=self.weight, reduction=self.reduction,
                                                  pos_weight=self.pos_weight)


class BCELoss(_WeightedLoss):
    _reductions = _STANDARD

    def __init__(self, weight=None, size_average=None, reduce=None, reduction="mean"):
        super().__init__(weight, size_average, reduce, reduction)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class HuberLoss(_Loss):
    _reductions = _STANDARD

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class KLDivLoss(_Loss):
    """Pointwise KL divergence with log-probability `input`; reduction='batchmean' is the
    mathematically correct KL (sum / batch size); 'mean' averages over all elements, as PyTorch."""
    _reductions = ("none", "mean", "sum", "batchmean")

    def __init__(self, size_average=None, reduce=None, reduction="mean", log_target=False):
        super().__init__(size_average, reduce, reduction)
        self.log_target = log_target

    def forward(self, input, target):
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)
