"""PolynomialLR, CosineAnnealingWarmRestarts, CyclicLR and ChainedScheduler with
torch.optim.lr_scheduler's semantics (re-exported by :mod:`tensorlite.optim.lr_scheduler`)."""
import math
import numbers
import types

from ._lr_base import LRScheduler, _check_number, _check_optimizer, _set_lr, _nested_state_dict, _load_nested_state_dict
from ._lr_plateau import ReduceLROnPlateau

__all__ = ["PolynomialLR", "CosineAnnealingWarmRestarts", "CyclicLR", "ChainedScheduler"]


class PolynomialLR(LRScheduler):
    """Decay the lr by ``(1 - last_epoch / total_iters) ** power`` over `total_iters` steps, then
    keep it (the final value is 0)."""

    def __init__(self, optimizer, total_iters=5, power=1.0, last_epoch=-1):
        _check_optimizer(self, optimizer)
        _check_number(self, total_iters, "total_iters", lo=0, lo_open=True, integer=True)
        _check_number(self, power, "power")
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial or self.last_epoch > self.total_iters:
            return self._lrs()
        decay_factor = ((1.0 - self.last_epoch / self.total_iters)
                        / (1.0 - (self.last_epoch - 1) / self.total_iters)) ** self.power
        return [lr * decay_factor for lr in self._lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters) ** self.power
                for base_lr in self.base_lrs]


class CosineAnnealingWarmRestarts(LRScheduler):
    """SGDR: cosine annealing from the base lr to `eta_min` over `T_0` steps, then restart; each
    period is `T_mult` times the previous one.  ``step(epoch)`` accepts a fractional epoch (e.g.
    ``epoch + i / iters_per_epoch`` once per batch) and uses the closed form, as PyTorch."""

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1):
        _check_optimizer(self, optimizer)
        if isinstance(T_0, bool) or not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected positive integer T_0, but got {T_0!r:.40} "
                             f"(argument 'T_0')")
        if isinstance(T_mult, bool) or not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected integer T_mult >= 1, but got {T_mult!r:.40} "
                             f"(argument 'T_mult')")
        if isinstance(eta_min, bool) or not isinstance(eta_min, (float, int)) or not math.isfinite(eta_min):
            raise ValueError(f"CosineAnnealingWarmRestarts: Expected float or int eta_min, but got {eta_min!r:.40} "
                             f"of type {type(eta_min).__name__} (argument 'eta_min')")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]

    def step(self, epoch=None):
        """Advance one step, or jump to `epoch` (int or float, >= 0); no deprecation warning here,
        as in PyTorch, since a fractional epoch is this scheduler's documented per-batch use."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            if isinstance(epoch, bool) or not isinstance(epoch, numbers.Real) or not math.isfinite(epoch):
                raise TypeError(f"CosineAnnealingWarmRestarts.step(): argument 'epoch' must be a finite number, "
                                f"got {epoch!r:.40}")
            if epoch < 0:
                raise ValueError(f"CosineAnnealingWarmRestarts.step(): Expected non-negative epoch, but got {epoch} "
                                 f"(argument 'epoch')")
            if epoch >= self.T_0:
                if self.T_mult == 1:
                    self.T_cur = epoch % self.T_0
                else:
                    n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                    self.T_cur = epoch - self.T_0 * (self.T_mult ** n - 1) / (self.T_mult - 1)
                    self.T_i = self.T_0 * self.T_mult ** n
            else:
                self.T_i = self.T_0
                self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            _set_lr(group, lr)
        self._last_lr = self._lrs()


def _format_param(owner, name, optimizer, param):
    if isinstance(param, (list, tuple)):
        if len(param) != len(optimizer.param_groups):
            raise ValueError(f"{owner}: expected {len(optimizer.param_groups)} values for {name}, got "
                             f"{len(param)} (argument '{name}')")
        values = list(param)
    else:
        values = [param] * len(optimizer.param_groups)
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"{owner}: argument '{name}' must be a finite number or a list of them, got {v!r:.40}")
    return values


class CyclicLR(LRScheduler):
    """Cyclical learning rate (Smith 2017): the lr goes from `base_lr` up to `max_lr` in
    `step_size_up` steps and back down in `step_size_down`; the amplitude is scaled per cycle
    ('triangular': 1, 'triangular2': halved every cycle) or per iteration ('exp_range':
    gamma**iterations), or by `scale_fn`.  With `cycle_momentum` the momentum (SGD) or beta1
    (Adam-like) cycles inversely between `max_momentum` and `base_momentum`.  Step it per batch."""

    def __init__(self, optimizer, base_lr, max_lr, step_size_up=2000, step_size_down=None, mode="triangular",
                 gamma=1.0, scale_fn=None, scale_mode="cycle", cycle_momentum=True, base_momentum=0.8,
                 max_momentum=0.9, last_epoch=-1):
        _check_optimizer(self, optimizer)
        self.optimizer = optimizer
        base_lrs = _format_param("CyclicLR", "base_lr", optimizer, base_lr)
        max_lrs = _format_param("CyclicLR", "max_lr", optimizer, max_lr)
        _check_number(self, step_size_up, "step_size_up", lo=0, lo_open=True)
        if step_size_down is not None:
            _check_number(self, step_size_down, "step_size_down", lo=0, lo_open=True)
        if mode not in ("triangular", "triangular2", "exp_range") and scale_fn is None:
            raise ValueError(f"CyclicLR: mode is invalid and scale_fn is None (argument 'mode' must be "
                             f"'triangular', 'triangular2' or 'exp_range', got {mode!r:.40})")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"CyclicLR: argument 'scale_fn' must be a callable or None, got {scale_fn!r:.40}")
        if scale_mode not in ("cycle", "iterations"):
            raise ValueError(f"CyclicLR: argument 'scale_mode' must be 'cycle' or 'iterations', got "
                             f"{scale_mode!r:.40}")
        _check_number(self, gamma, "gamma")
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups):
                _set_lr(group, lr)
        self.max_lrs = max_lrs
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError(f"CyclicLR: optimizer must support momentum or beta1 with `cycle_momentum` option "
                                 f"enabled ({type(optimizer).__name__} has neither; argument 'cycle_momentum')")
            self.use_beta1 = "betas" in optimizer.defaults
            self.base_momentums = _format_param("CyclicLR", "base_momentum", optimizer, base_momentum)
            self.max_momentums = _format_param("CyclicLR", "max_momentum", optimizer, max_momentum)
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(self.max_momentums, self.base_momentums,
                                                         optimizer.param_groups):
                    if self.use_beta1:
                        group["betas"] = (m_momentum, *group["betas"][1:])
                    else:
                        group["momentum"] = m_momentum
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self):
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x):
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma ** x

    def get_lr(self):
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle) if self.scale_mode == "cycle" else self.scale_fn(self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs)]
        if self.cycle_momentum:
            for group, base_m, max_m in zip(self.optimizer.param_groups, self.base_momentums, self.max_momentums):
                momentum = max_m - (max_m - base_m) * scale_factor * scale
                if self.use_beta1:
                    group["betas"] = (momentum, *group["betas"][1:])
                else:
                    group["momentum"] = momentum
        return lrs

    def state_dict(self):
        """As PyTorch: a custom scale_fn is saved only as its __dict__ (None for a function)."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "_scale_fn_custom")}
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = None
        if fn is not None and not isinstance(fn, types.FunctionType):
            state["_scale_fn_custom"] = dict(fn.__dict__)
        return state

    def load_state_dict(self, state_dict):
        state_dict = dict(state_dict)
        fn = state_dict.pop("_scale_fn_custom", None)
        self.__dict__.update(state_dict)
        if fn is not None and self._scale_fn_custom is not None:
            self._scale_fn_custom.__dict__.update(fn)
        self._init_scale_fn()


class ChainedScheduler(LRScheduler):
    """Step several schedulers of one optimizer together on every step() (their multiplicative
    effects compose, e.g. ConstantLR warm-up times ExponentialLR decay)."""

    def __init__(self, schedulers, optimizer=None):
        name = type(self).__name__
        if isinstance(schedulers, (str, bytes)) or not hasattr(schedulers, "__len__"):
            raise TypeError(f"{name}: argument 'schedulers' must be a list of schedulers, got "
                            f"{type(schedulers).__name__}")
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler to be chained, but got no scheduler "
                             f"(argument 'schedulers' is empty).")
        for idx, sched in enumerate(schedulers):
            if not hasattr(sched, "optimizer"):
                raise TypeError(f"{name} at index {idx} should have `optimizer` as its attribute (argument "
                                f"'schedulers' holds {type(sched).__name__}).")
        if optimizer is None:
            optimizer = schedulers[0].optimizer
        else:
            _check_optimizer(self, optimizer)
        for idx, sched in enumerate(schedulers):
            if isinstance(sched, ReduceLROnPlateau):
                raise ValueError(f"{name} does not support `ReduceLROnPlateau` scheduler as it requires additional "
                                 f"kwargs to be specified when calling `step`, but got one at index {idx} in the "
                                 f"given schedulers sequence.")
            if sched.optimizer is not optimizer:
                raise ValueError(f"{name} expects all schedulers to belong to the same optimizer, but got scheduler "
                                 f"{type(sched).__name__} at index {idx} has {sched.optimizer}, which is different "
                                 f"from {type(optimizer).__name__} (argument 'optimizer').")
        self._schedulers = schedulers
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def step(self):
        for sched in self._schedulers:
            sched.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def state_dict(self):
        return _nested_state_dict(self)

    def load_state_dict(self, state_dict):
        _load_nested_state_dict(self, state_dict)
