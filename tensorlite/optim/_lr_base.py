"""The base of the learning-rate schedulers: :class:`LRScheduler` and the argument / state helpers
every scheduler module uses (tensorlite.optim.lr_scheduler re-exports it; imports go one way:
lr_scheduler -> lr_scheduler_extra -> _lr_plateau -> _lr_base)."""
import math
import numbers
import warnings

from ..tensor import Tensor
from .optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where possible. "
    "Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch is different from None, "
    "the closed form is used instead of the new chainable form, where available."
)


def _check_optimizer(sched, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(sched).__name__}: argument 'optimizer' must be an Optimizer: "
                        f"{type(optimizer).__name__} is not an Optimizer")


def _check_number(sched, value, argname, lo=None, hi=None, integer=False, lo_open=False):
    """TypeError / ValueError naming the scheduler and argument unless `value` is a finite number
    (an int if `integer`) within [lo, hi] (lo excluded if lo_open)."""
    name = type(sched).__name__
    kind = "an int" if integer else "a number"
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral if integer else numbers.Real)):
        raise TypeError(f"{name}: argument '{argname}' must be {kind}, got {value!r:.40}")
    bad = not math.isfinite(value) or (lo is not None and (value <= lo if lo_open else value < lo)) or (
        hi is not None and value > hi)
    if bad:
        rng = f"{'(' if lo_open else '['}{lo if lo is not None else '-inf'}, {hi if hi is not None else 'inf'}]"
        raise ValueError(f"{name}: argument '{argname}' must be {kind} in {rng}, got {value!r}")


def _set_lr(group, lr):
    if isinstance(group.get("lr"), Tensor) and not isinstance(lr, Tensor):
        group["lr"]._data[...] = lr
    else:
        group["lr"] = lr


class LRScheduler:
    """Base class: ``last_epoch`` counts the step() calls (-1 before the first, which the
    constructor makes); ``base_lrs`` are the groups' ``initial_lr``."""

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(self, optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                initial_lr = group["lr"]
                if isinstance(initial_lr, Tensor):
                    initial_lr = initial_lr.clone()
                group.setdefault("initial_lr", initial_lr)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{i}] when resuming an "
                                   "optimizer")
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        self._is_initial = True        # chainable schedulers keep the current lr on this step when
        try:                           # resuming (last_epoch >= 0), as PyTorch 2.x
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self):
        """Every attribute except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """The learning rates the last step() set, one per param group."""
        return self._last_lr

    def get_lr(self):
        raise NotImplementedError

    def step(self, epoch=None):
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", True):
            warnings.warn("Detected call of `lr_scheduler.step()` before `optimizer.step()`. You should call them in "
                          "this order: `optimizer.step()` before `lr_scheduler.step()` (as in PyTorch >= 1.1.0). "
                          "Otherwise the first value of the learning rate schedule is skipped.", UserWarning,
                          stacklevel=2)
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
            self.last_epoch = epoch
            values = self._get_closed_form_lr() if hasattr(self, "_get_closed_form_lr") else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            _set_lr(group, lr)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    _is_initial = False

    def _lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


_LRScheduler = LRScheduler


def _nested_state_dict(sched):
    """State of a scheduler that drives others (SequentialLR, ChainedScheduler): its own attributes
    plus each child's state_dict, as PyTorch stores them."""
    state = {k: v for k, v in sched.__dict__.items() if k not in ("optimizer", "_schedulers")}
    state["_schedulers"] = [s.state_dict() for s in sched._schedulers]
    return state


def _load_nested_state_dict(sched, state_dict):
    state_dict = dict(state_dict)
    children = state_dict.pop("_schedulers")
    sched.__dict__.update(state_dict)
    for s, st in zip(sched._schedulers, children):
        s.load_state_dict(st)
