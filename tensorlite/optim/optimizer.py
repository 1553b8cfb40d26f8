"""Optimizer base class: torch.optim.Optimizer's param groups, per-parameter state, state_dict,
zero_grad and step API.

``optimizer.state[p]`` is a plain dict of tensors per parameter, created lazily on the first step
that sees a gradient for ``p`` and named as torch names them (``momentum_buffer``, ``step``,
``exp_avg``, ...). Parameters keep their own storage, so ``p.data = ...`` and replacing
``optimizer.state`` just work. A step hands each param group to ``_step_group``; the fused
optimizers (SGD, Adam, RMSprop) gather the group's parameters, gradients and state into lists
and run one backend kernel over them (``tensorlite.backend.optim``, torch's ``foreach`` idea).
"""
import copy
import functools
import math
from collections import defaultdict
from itertools import chain

import numpy as np

from ..tensor import Tensor
from ..autograd.grad_mode import enable_grad

__all__ = ["Optimizer", "required"]

# The running profile's recorder while tensorlite.profiler records (else None): every optimizer's
# step() and zero_grad() call is reported to it as `Optimizer.step#<Class>.step` (category
# "optimizer") through `_profiler.timed(name, category, fn, *args, **kwargs)`.
_profiler = None


class _RequiredParameter:
    """Marks a hyper-parameter that every param group must specify (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _hook_point(fn):
    """Wrap an optimizer's `step` / `zero_grad` (done once, when the class is created): a step
    marks the optimizer as stepped (LR schedulers warn when stepped first), and while the
    profiler records, the call is timed. Off, the cost is one check of `_profiler`."""
    attr = fn.__name__
    is_step = attr == "step"

    @functools.wraps(fn)
    def method(self, *args, **kwargs):
        if is_step:
            self._opt_called = True
        if _profiler is None:
            return fn(self, *args, **kwargs)
        return _profiler.timed(f"Optimizer.{attr}#{type(self).__name__}.{attr}", "optimizer", fn, self,
                               *args, **kwargs)
    method._hook_point = True
    return method


def _typename(obj):
    if isinstance(obj, Tensor):
        return f"tensorlite.{type(obj).__name__}"
    return type(obj).__name__


def _snapshot(v):
    if isinstance(v, Tensor):
        return Tensor._wrap(np.array(v._data, copy=True))
    if isinstance(v, np.ndarray):
        return v.copy()
    return copy.deepcopy(v)


class Optimizer:
    """Base class of all optimizers (``torch.optim.Optimizer``'s API).

    params: an iterable of tensors, of ``(name, tensor)`` pairs, or of dicts (param groups, each
    with ``'params'`` and optionally its own hyper-parameters); defaults: the hyper-parameters a
    group gets when it does not specify them.

    A subclass either overrides ``step(closure)`` (torch style, using ``self.state[p]``) or
    implements ``_step_group(group)``, which the base ``step`` calls for every param group.
    ``_state_buffers`` names its per-element state (tensors shaped like the parameter, checked
    by ``load_state_dict``), ``_counts_steps`` says whether its state has a ``'step'``;
    hyper-parameter checks go in ``_validate_group(group)``.
    """

    _state_buffers = ()
    _counts_steps = False
    _opt_called = False      # set by step(); LR schedulers warn when stepped before the optimizer

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for attr in ("step", "zero_grad"):
            fn = cls.__dict__.get(attr)
            if fn is not None and not getattr(fn, "_hook_point", False):
                setattr(cls, attr, _hook_point(fn))

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self._validate_group(self.defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: argument 'params' given to the optimizer should be an iterable of Tensors or "
                            f"dicts, but got {_typename(params)}")
        if isinstance(params, dict):
            params = [params]
        try:
            param_groups = list(params)
        except TypeError:
            raise TypeError(f"{name}: argument 'params' given to the optimizer should be an iterable of Tensors or "
                            f"dicts, but got {_typename(params)}") from None
        if len(param_groups) == 0:
            raise ValueError(f"{name}: optimizer got an empty parameter list (argument 'params' is empty)")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ param groups
    def _validate_group(self, group):
        """Raise ValueError for bad hyper-parameters (subclasses); `required` values are skipped."""

    def add_param_group(self, param_group):
        """Add a param group (a dict with 'params' and optional hyper-parameters)."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: param_group must be a dict, but got {_typename(param_group)}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a param_group needs a 'params' entry, got keys {sorted(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: optimizer parameters need to be organized in ordered collections, but the "
                            f"ordering of tensors in sets will change between runs (argument 'params' is a "
                            f"{_typename(params)}). Please use a list instead.")
        else:
            try:
                params = list(params)
            except TypeError:
                raise TypeError(f"{name}: argument 'params' of a param group should be an iterable of Tensors, but "
                                f"got {_typename(params)}") from None
        if params and any(isinstance(p, tuple) for p in params):
            if not all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in params):
                raise ValueError(f"{name}: all optimizer params should be with/without names. Some param names are "
                                 f"missing (argument 'params')")
            param_group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: optimizer can only optimize Tensors, but one of the params (argument "
                                f"'params') is {_typename(p)}")
            if not p.is_leaf:
                raise ValueError(f"{name}: can't optimize a non-leaf Tensor (one of argument 'params' has shape "
                                 f"{tuple(p.shape)} and was computed by {type(p.grad_fn).__name__})")
        param_group["params"] = params
        for key, default in self.defaults.items():
            if default is required and key not in param_group:
                raise ValueError(f"{name}: parameter group didn't specify a value of required optimization "
                                 f"parameter {key}")
            param_group.setdefault(key, default)
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{name}: a parameter group contains the same parameter more than once (argument "
                             f"'params' has {len(ids)} entries, {len(set(ids))} distinct)")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if not seen.isdisjoint(ids):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group (argument 'params')")
        self._validate_group(param_group)
        self.param_groups.append(param_group)

    # ------------------------------------------------------------------ zero_grad / step
    @_hook_point
    def zero_grad(self, set_to_none=True):
        """Reset the gradients: to None (default), or to zero in place (set_to_none=False: the
        gradient tensors stay, detached, and the next backward accumulates into them)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
                g._data[...] = 0
                g._vc.value += 1

    @_hook_point
    def step(self, closure=None):
        """One optimization step over every param group; `closure` (optional) re-evaluates the
        model and returns the loss, which step() returns."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss

    def _step_group(self, group):
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    # ------------------------------------------------------------------ helpers for _step_group
    @staticmethod
    def _with_grad(group):
        """(param, its array, its gradient's array) for each parameter of `group` that has a
        gradient. Each one's version counter is bumped: the step writes it in place."""
        out = []
        for p in group["params"]:
            g = p.grad
            if g is not None:
                pd, gd = p._data, g._data
                if gd.shape != pd.shape:
                    raise RuntimeError(f"optimizer step: a gradient has shape {tuple(gd.shape)} but its parameter "
                                       f"has shape {tuple(pd.shape)}")
                p._vc.value += 1
                out.append((p, pd, gd))
        return out

    def _state_of(self, p):
        """self.state[p], created empty when missing (also when `state` was replaced by a plain dict)."""
        st = self.state.get(p)
        if st is None:
            st = self.state[p] = {}
        return st

    def _buffer(self, st, name, like, fill=0.0):
        """The array of state tensor `name` (shaped like the parameter array `like`), created
        filled with `fill` (None: uninitialised) when missing."""
        t = st.get(name)
        if t is None:
            a = np.empty(like.shape, like.dtype) if fill is None else np.full(like.shape, fill, like.dtype)
            st[name] = Tensor._wrap(a)
            return a
        a = t._data
        if a.shape != like.shape or a.dtype != like.dtype:
            a = self._follow_param(st, name, a, like)
        return a

    def _follow_param(self, st, name, a, like):
        """The parameter's array was replaced (``p.data = ...``) by one of another shape or dtype:
        its state follows when the element count still fits."""
        if a.size != like.size:
            raise RuntimeError(f"{type(self).__name__}: a parameter now has {like.size} elements but its "
                               f"optimizer state '{name}' has {a.size}; its state no longer fits")
        a = np.array(a.reshape(like.shape), dtype=like.dtype, order="C")
        st[name] = Tensor._wrap(a)
        return a

    def _step_count(self, st):
        """The parameter's 'step' array (a 0-d float32 tensor, as PyTorch's), created as 0 first."""
        t = st.get("step")
        if t is None:
            t = st["step"] = Tensor._wrap(np.zeros((), dtype=np.float32))
        return t._data

    def _next_step(self, st):
        """step += 1 (float32 arithmetic, as PyTorch); returns the new count as a float."""
        s = self._step_count(st)
        s[...] = s + np.float32(1)
        return float(s)

    # ------------------------------------------------------------------ state dict
    def state_dict(self):
        """{'state': {index: {name: tensor or number}}, 'param_groups': [{..., 'params': [index]}]}
        with parameters numbered across groups in order, as PyTorch.  The tensors are copies."""
        groups, index, start = [], {}, 0
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for j, p in enumerate(group["params"]):
                index.setdefault(id(p), start + j)
            packed["params"] = list(range(start, start + len(group["params"])))
            start += len(group["params"])
            groups.append(packed)
        state = {}
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state.get(p)
                if st:
                    state[index[id(p)]] = {k: _snapshot(v) for k, v in st.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a state_dict() (from this or an identically built optimizer)."""
        where = f"{type(self).__name__}.load_state_dict(): argument 'state_dict'"
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            got = sorted(map(str, state_dict)) if isinstance(state_dict, dict) else _typename(state_dict)
            raise ValueError(f"{where}: optimizer state_dict must be a dict with 'state' and 'param_groups', got "
                             f"{got}")
        groups = self.param_groups
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if not all(isinstance(s, dict) and "params" in s for s in saved_groups):
            raise ValueError(f"{where}: every entry of 'param_groups' must be a dict with 'params'")
        if len(groups) != len(saved_groups):
            raise ValueError(f"{where}: loaded state dict has a different number of parameter groups "
                             f"({len(saved_groups)} vs {len(groups)})")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError(f"{where}: loaded state dict contains a parameter group that doesn't match the size of "
                             f"optimizer's group ({[len(s['params']) for s in saved_groups]} params vs "
                             f"{[len(g['params']) for g in groups]})")
        id_map = dict(zip(chain.from_iterable(s["params"] for s in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        buffers = set(self._state_buffers)
        new_state = defaultdict(dict)
        for k, st in state_dict["state"].items():
            if k not in id_map:
                new_state[k] = copy.deepcopy(st)
                continue
            p = id_map[k]
            entry = {}
            for name, val in st.items():
                if isinstance(val, Tensor):
                    if name in buffers and val.numel() != p.numel():
                        raise ValueError(f"{where}: loaded state dict has '{name}' with {val.numel()} elements "
                                         f"for a parameter with {p.numel()} elements (parameter index {k})")
                    arr = np.array(val._data, copy=True)
                    if name != "step" and arr.dtype.kind == "f" and p._data.dtype.kind == "f":
                        arr = arr.astype(p._data.dtype, copy=False)
                    entry[name] = Tensor._wrap(arr)
                else:
                    entry[name] = copy.deepcopy(val)
            if self._counts_steps and "step" in entry:    # the step count is a 0-d float32 tensor, as torch's
                entry["step"] = Tensor._wrap(np.array(float(entry["step"]), dtype=np.float32))
            new_state[p] = entry
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.param_groups = new_groups
        self.state = new_state

    # ------------------------------------------------------------------ misc
    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


# ---------------------------------------------------------------------- validation helpers
def _number(v):
    return float(v) if isinstance(v, Tensor) else v


def check_nonneg(opt, value, what, arg):
    """ValueError '<Opt>: Invalid <what>: <value> (<arg> must be >= 0)' unless value >= 0."""
    if value is required:
        return
    v = _number(value)
    try:
        ok = v >= 0 and not math.isnan(float(v))
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ValueError(f"{type(opt).__name__}: Invalid {what}: {value} ({arg} must be a number >= 0)")
