"""Optimizer base class: PyTorch's param groups / state / state_dict API over flat buffers.

Layout
------
Every param group is split by dtype into :class:`FlatBucket` s.  A bucket owns ONE contiguous
array holding all its parameters (each parameter's ``_data`` is re-pointed at a view into it when
the group is added, values copied in), one flat gradient array, and one flat array per state
buffer (``exp_avg``, ``momentum_buffer``, ...).  A step gathers the gradients into the flat
gradient array (a copy per parameter, skipped for gradients that already are views into it; see
:meth:`Optimizer.flat_grads` and ``zero_grad(set_to_none=False)``) and runs one fused Numba
kernel over the bucket (``_kernels.py``).  Parameters without a gradient are skipped: the kernel
only visits the element ranges of the others, and their state stays untouched.

``optimizer.state[p]`` holds tensors that are *views* into the flat state arrays, so reading
or writing them in place reads / writes the optimizer's state; ``state_dict()`` exports copies of
those per-parameter slices in PyTorch's layout and ``load_state_dict()`` copies them back in.

Each step checks (by identity, cheaply) that ``p._data`` still is the bucket's view; a parameter
whose storage was replaced (``p.data = ...``) is re-adopted: same shape and dtype -> its values
are copied into its slice; otherwise the group's buckets are rebuilt (state carried over).
After re-adoption ``p`` no longer shares storage with the array that was assigned to it.
Replacing ``optimizer.state`` (e.g. ``opt.state = collections.defaultdict(dict)`` to reset it)
is detected too; assigning new tensors into an existing ``opt.state[p]`` dict is not -- write
into them in place instead.

Subclasses that are not fused can override ``step()`` and use ``self.state[p]`` like any
PyTorch optimizer; the flat layout then only serves :meth:`flat_params` / :meth:`flat_grads`.
"""
import copy
import functools
import math
from collections import defaultdict
from itertools import chain

import numpy as np

from ..tensor import Tensor
from ..autograd.grad_mode import enable_grad

__all__ = ["Optimizer", "FlatBucket", "required"]


class _RequiredParameter:
    """Marks a hyper-parameter that every param group must specify (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_ALL = "all"          # "every parameter of the bucket has a gradient this step"


class FlatBucket:
    """The parameters of one param group that share a dtype, stored in one flat array.

    Attributes (read-only by convention):
      params     -- the parameters, in group order
      positions  -- their positions in ``group['params']``
      dtype      -- numpy dtype of the flat arrays
      shapes     -- each parameter's shape
      offsets    -- ``[(start, end), ...]``: each parameter's element range in the flat arrays
      numel      -- total number of elements
      data       -- the flat parameter array (every ``p._data`` is a view into it)
      grad       -- the flat gradient array (filled by a step / :meth:`Optimizer.flat_grads`)
      buffers    -- ``{state name: flat array}``
    """

    def __init__(self, params, positions, dtype):
        self.params = list(params)
        self.positions = list(positions)
        self.dtype = np.dtype(dtype)
        self.shapes = [tuple(p._data.shape) for p in self.params]
        numels = [int(p._data.size) for p in self.params]
        bounds = np.zeros(len(numels) + 1, dtype=np.int64)
        np.cumsum(numels, out=bounds[1:])
        self.bounds = bounds
        self.offsets = [(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
        self.numel = int(bounds[-1])
        self.data = np.empty(self.numel, dtype=self.dtype)
        self.views = [self._view(self.data, i) for i in range(len(self.params))]
        for p, v in zip(self.params, self.views):
            np.copyto(v, p._data, casting="unsafe")
            p._data = v
        self.grad = np.zeros(self.numel, dtype=self.dtype)
        self.grad_views = [self._view(self.grad, i) for i in range(len(self.params))]
        self.buffers = {}
        self.buffer_views = {}
        n = len(self.params)
        self.steps = np.zeros(n, dtype=np.float32)      # per-parameter step counts (PyTorch: float32)
        self.step_views = [self.steps[i:i + 1].reshape(()) for i in range(n)]
        self.initialized = np.zeros(n, dtype=bool)       # the parameter has optimizer state
        self.all_init = n == 0
        self.uniform_steps = True                        # every parameter has the same step count
        self.exported = None                             # state names present in initialized dicts
        self.full_starts = np.zeros(1, dtype=np.int64)
        self.full_ends = np.full(1, self.numel, dtype=np.int64)
        # the math runs in float32 for half-precision buckets (numba has no float16 arithmetic)
        self.compute_dtype = self.dtype if self.dtype in (np.float32, np.float64) else np.dtype(np.float32)

    def _view(self, flat, i):
        a, b = self.offsets[i]
        return flat[a:b].reshape(self.shapes[i])

    def __len__(self):
        return len(self.params)

    def __repr__(self):
        return f"FlatBucket(dtype={self.dtype}, params={len(self.params)}, numel={self.numel})"

    def buffer(self, name):
        """The flat state array `name` (allocated as zeros on first use)."""
        buf = self.buffers.get(name)
        if buf is None:
            buf = np.zeros(self.numel, dtype=self.dtype)
            self.buffers[name] = buf
            self.buffer_views[name] = [self._view(buf, i) for i in range(len(self.params))]
        return buf

    def runs(self, active, keys=None, uniform=False):
        """Element ranges of the active parameters, adjacent ones with equal `keys` merged.

        active: _ALL or a sorted int64 array of parameter indices; keys: None or a per-parameter
        array; uniform: the caller knows keys are all equal.  Returns (starts, ends, run_keys)."""
        if active is _ALL and (keys is None or uniform):
            return self.full_starts, self.full_ends, (None if keys is None else keys[:1])
        idx = np.arange(len(self.params)) if active is _ALL else active
        brk = np.diff(idx) != 1
        if keys is not None:
            k = keys[idx]
            brk |= np.diff(k) != 0
        brk = np.flatnonzero(brk)
        first = np.concatenate(([0], brk + 1))
        last = np.concatenate((brk, [idx.size - 1]))
        starts = self.bounds[idx[first]]
        ends = self.bounds[idx[last] + 1]
        return starts, ends, (None if keys is None else k[first])


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

    Fused subclasses set ``_flat_state`` (the names of their per-element state buffers),
    ``_counts_steps`` (whether state has a ``'step'``) and implement ``_update(group, bucket,
    active)``; hyper-parameter checks go in ``_validate_group(group)``.
    """

    _flat_state = ()
    _counts_steps = False
    _opt_called = False      # set by step(); LR schedulers warn when stepped before the optimizer

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_marks_opt_called", False):
            @functools.wraps(step)
            def wrapper(self, *args, **kw):
                self._opt_called = True
                return step(self, *args, **kw)
            wrapper._marks_opt_called = True
            cls.step = wrapper

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self._validate_group(self.defaults)
        self.state = defaultdict(dict)
        self._state_seen = self.state
        self.param_groups = []
        self._buckets = []      # per group: [FlatBucket, ...]
        self._layouts = []      # per group: (the params list the buckets were built from, its length)
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
        self._buckets.append(self._build_buckets(param_group))
        self._layouts.append((param_group["params"], len(param_group["params"])))

    # ------------------------------------------------------------------ flat layout
    @staticmethod
    def _build_buckets(group):
        by_dtype = {}
        for pos, p in enumerate(group["params"]):
            by_dtype.setdefault(p._data.dtype, []).append(pos)
        plist = group["params"]
        return [FlatBucket([plist[i] for i in pos], pos, dt) for dt, pos in by_dtype.items()]

    def _rebuild(self, gi):
        """Re-lay out group gi (its params list changed, or a parameter's shape/dtype did)."""
        group = self.param_groups[gi]
        for p in group["params"]:           # check before changing anything
            st = self.state.get(p)
            for name in (self._flat_state if st else ()):
                val = st.get(name)
                if isinstance(val, Tensor) and val.numel() != p._data.size:
                    raise RuntimeError(f"{type(self).__name__}: a parameter now has {p._data.size} elements but its "
                                       f"optimizer state '{name}' has {val.numel()}; its state no longer fits")
        # the state dicts still hold views into the old buffers: adopt copies them into the new ones
        self._buckets[gi] = self._build_buckets(group)
        self._layouts[gi] = (group["params"], len(group["params"]))
        for b in self._buckets[gi]:
            self._adopt_state(b, RuntimeError)

    def _synced_buckets(self, gi):
        """Group gi's buckets, after checking that every parameter still lives in its bucket."""
        while len(self._buckets) < len(self.param_groups):      # groups appended to param_groups by hand
            self._buckets.append([])
            self._layouts.append((None, -1))
        group = self.param_groups[gi]
        plist, n = self._layouts[gi]
        if group["params"] is not plist or len(plist) != n:
            self._rebuild(gi)
        buckets = self._buckets[gi]
        for b in buckets:
            views = b.views
            for i, p in enumerate(b.params):
                if p._data is not views[i]:
                    arr = p._data
                    if arr.shape == views[i].shape and arr.dtype == b.dtype:
                        np.copyto(views[i], arr)
                        p._data = views[i]
                    else:
                        self._rebuild(gi)
                        return self._buckets[gi]
        return buckets

    def _check_state_object(self):
        if self.state is not self._state_seen:          # the user replaced optimizer.state
            if not isinstance(self.state, defaultdict):
                self.state = defaultdict(dict, self.state)
            for gi in range(len(self.param_groups)):
                for b in self._synced_buckets(gi):
                    self._adopt_state(b, RuntimeError)
            self._state_seen = self.state

    def _adopt_state(self, b, error):
        """Make bucket b's flat state agree with self.state: copy every flat-state tensor found in
        the per-parameter dicts into the bucket's buffers and replace it by a view; zero the slices
        of parameters without state."""
        names = self._flat_state
        state = self.state
        for i, p in enumerate(b.params):
            st = state.get(p)
            if not st:
                b.initialized[i] = False
                b.steps[i] = 0
                for views in b.buffer_views.values():
                    views[i][...] = 0
                continue
            b.initialized[i] = True
            if self._counts_steps:
                b.steps[i] = float(st["step"]) if "step" in st else 0.0
                st["step"] = Tensor._wrap(b.step_views[i])
            for name in names:
                val = st.get(name)
                if val is None:
                    if name in b.buffer_views:
                        b.buffer_views[name][i][...] = 0
                    continue
                arr = val._data if isinstance(val, Tensor) else np.asarray(val)
                if arr.size != b.views[i].size:
                    raise error(f"{type(self).__name__}: state '{name}' of a parameter has {arr.size} elements but "
                                f"the parameter has {b.views[i].size}")
                b.buffer(name)
                view = b.buffer_views[name][i]
                if arr is not view:
                    np.copyto(view, arr.reshape(view.shape), casting="unsafe")
                    st[name] = Tensor._wrap(view)
        b.all_init = bool(b.initialized.all())
        b.uniform_steps = bool(b.steps.size == 0 or b.steps.min() == b.steps.max())
        b.exported = None

    # ------------------------------------------------------------------ public flat API
    def flat_buckets(self, group=None):
        """The FlatBuckets of param group `group` (index), or of every group when None."""
        self._check_state_object()
        if group is None:
            return [b for gi in range(len(self.param_groups)) for b in self._synced_buckets(gi)]
        return list(self._synced_buckets(self._group_index(group)))

    def flat_params(self, group=0):
        """One flat tensor per dtype of param group `group`, sharing storage with its parameters
        (writing into it writes the parameters)."""
        return [Tensor._wrap(b.data) for b in self.flat_buckets(group)]

    def flat_grads(self, group=0):
        """Gather group `group`'s gradients into its flat gradient buffers and return them (one
        tensor per dtype).  Afterwards every gradient is a view into its buffer, so in-place work on
        the returned tensors (e.g. an all-reduce) is what the next step() uses, with no copy.
        Slices of parameters whose .grad is None are zero (their .grad stays None)."""
        out = []
        for b in self.flat_buckets(group):
            self._adopt_grads(b, zero=False)
            out.append(Tensor._wrap(b.grad))
        return out

    def _group_index(self, group):
        if isinstance(group, dict):
            for gi, g in enumerate(self.param_groups):
                if g is group:
                    return gi
            raise ValueError("the given param group is not one of this optimizer's param_groups")
        gi = int(group)
        if not -len(self.param_groups) <= gi < len(self.param_groups):
            raise IndexError(f"param group index {group} out of range ({len(self.param_groups)} groups)")
        return gi % len(self.param_groups)

    def _adopt_grads(self, b, zero):
        """Re-point every gradient of bucket b at its slice of b.grad, copying its values in
        (zero=False) or zeroing it (zero=True, which also detaches it as PyTorch's zero_grad does).
        Slices of parameters whose .grad is None are zeroed; a gradient that cannot be adopted
        (requires grad, or one tensor shared by several parameters) is copied / zeroed in place."""
        seen = set()
        gviews = b.grad_views
        missing, odd = [], []
        for i, p in enumerate(b.params):
            g = p.grad
            if g is None:
                missing.append(i)
                continue
            if zero:
                if g.grad_fn is not None:
                    g.detach_()
                else:
                    g.requires_grad_(False)
            gd = g._data
            if gd is not gviews[i]:
                if gd.shape == gviews[i].shape and id(g) not in seen and not g.requires_grad:
                    if not zero:
                        np.copyto(gviews[i], gd, casting="unsafe")
                    g._data = gviews[i]
                else:
                    odd.append(i)
                    if zero:
                        gd[...] = 0
                    else:
                        np.copyto(gviews[i], gd.reshape(gviews[i].shape), casting="unsafe")
            seen.add(id(g))
            g._vc.value += 1
        if zero:
            b.grad[...] = 0                 # one memset for every adopted gradient
        else:
            for i in missing:
                gviews[i][...] = 0

    # ------------------------------------------------------------------ zero_grad / step
    def zero_grad(self, set_to_none=True):
        """Reset the gradients: to None (default), or to zero in place (set_to_none=False; the
        gradients then live in the flat gradient buffers and the next step gathers nothing)."""
        if set_to_none:
            for group in self.param_groups:
                for p in group["params"]:
                    p.grad = None
            return
        for gi in range(len(self.param_groups)):
            for b in self._synced_buckets(gi):
                self._adopt_grads(b, zero=True)

    def _gather(self, b):
        """Copy the gradients of bucket b into b.grad; return _ALL, the active indices, or None."""
        gviews = b.grad_views
        missing = None
        for i, p in enumerate(b.params):
            g = p.grad
            if g is None:
                if missing is None:
                    missing = [i]
                else:
                    missing.append(i)
                continue
            gd = g._data
            if gd is not gviews[i]:
                if gd.shape != gviews[i].shape:
                    raise RuntimeError(f"{type(self).__name__}: a gradient has shape {tuple(gd.shape)} but its "
                                       f"parameter has shape {tuple(gviews[i].shape)}")
                np.copyto(gviews[i], gd, casting="unsafe")
            p._vc.value += 1                # the step writes the parameter in place
        if missing is None:
            return _ALL
        if len(missing) == len(b.params):
            return None
        mask = np.ones(len(b.params), dtype=bool)
        mask[missing] = False
        return np.flatnonzero(mask)

    def step(self, closure=None):
        """One optimization step over every param group; `closure` (optional) re-evaluates the
        model and returns the loss, which step() returns."""
        self._opt_called = True
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_state_object()
        for gi, group in enumerate(self.param_groups):
            for b in self._synced_buckets(gi):
                active = self._gather(b)
                if active is not None:
                    self._update(group, b, active)
        return loss

    def _update(self, group, b, active):
        raise NotImplementedError(f"{type(self).__name__} does not implement step()")

    # helpers for fused subclasses
    def _count_steps(self, b, active):
        """step += 1 for the active parameters (PyTorch increments a float32 tensor)."""
        if active is _ALL:
            b.steps += 1
        else:
            b.steps[active] += 1
            b.uniform_steps = bool(b.steps.min() == b.steps.max())

    def _export_state(self, b, active, names):
        """Mark the active parameters as having state and give their state dicts views into the
        flat buffers `names` (plus 'step' when the optimizer counts steps)."""
        if b.all_init and b.exported == names:
            return
        state = self.state
        idx = range(len(b.params)) if active is _ALL else active.tolist()
        for i in idx:
            if not b.initialized[i]:
                st = state[b.params[i]]
                if self._counts_steps:
                    st["step"] = Tensor._wrap(b.step_views[i])
                for name in names:
                    st[name] = Tensor._wrap(b.buffer_views[name][i])
                b.initialized[i] = True
        if b.exported != names:
            for i in np.flatnonzero(b.initialized).tolist():
                st = state[b.params[i]]
                for name in names:
                    if name not in st:
                        st[name] = Tensor._wrap(b.buffer_views[name][i])
            b.exported = names
        b.all_init = bool(b.initialized.all())

    @staticmethod
    def _launch(kernel, b, arrays, *scalars):
        """kernel(*arrays, *scalars), through float32 copies for half-precision buckets."""
        if b.compute_dtype == b.dtype:
            kernel(*arrays, *scalars)
            return
        work = [a.astype(b.compute_dtype) if a.dtype == b.dtype else a for a in arrays]
        kernel(*work, *scalars)
        for a, w in zip(arrays, work):
            if a is not w:
                np.copyto(a, w, casting="unsafe")

    # ------------------------------------------------------------------ state dict
    def state_dict(self):
        """{'state': {index: {name: tensor or number}}, 'param_groups': [{..., 'params': [index]}]}
        with parameters numbered across groups in order, as PyTorch.  The tensors are copies."""
        self._check_state_object()
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
        flat = set(self._flat_state)
        new_state = defaultdict(dict)
        for k, st in state_dict["state"].items():
            if k not in id_map:
                new_state[k] = copy.deepcopy(st)
                continue
            p = id_map[k]
            entry = {}
            for name, val in st.items():
                if isinstance(val, Tensor):
                    if name in flat and val.numel() != p.numel():
                        raise ValueError(f"{where}: loaded state dict has '{name}' with {val.numel()} elements "
                                         f"for a parameter with {p.numel()} elements (parameter index {k})")
                    arr = np.array(val._data, copy=True)
                    if name != "step" and arr.dtype.kind == "f" and p._data.dtype.kind == "f":
                        arr = arr.astype(p._data.dtype, copy=False)
                    entry[name] = Tensor._wrap(arr)
                else:
                    entry[name] = copy.deepcopy(val)
            new_state[p] = entry
        new_groups = []
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            new_groups.append(s)
        self.param_groups = new_groups
        self.state = new_state
        self._state_seen = new_state
        for gi in range(len(self.param_groups)):
            for b in self._synced_buckets(gi):
                self._adopt_state(b, ValueError)

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

    # pickling / deepcopy: the copies of the parameters and state no longer alias a flat buffer,
    # so the copy lays its buckets out afresh
    def __getstate__(self):
        d = self.__dict__.copy()
        for k in ("_buckets", "_layouts", "_state_seen"):
            d.pop(k, None)
        return d

    def __setstate__(self, d):
        self.__dict__.update(d)
        self._state_seen = self.state
        self._buckets = [self._build_buckets(g) for g in self.param_groups]
        self._layouts = [(g["params"], len(g["params"])) for g in self.param_groups]
        for buckets in self._buckets:
            for b in buckets:
                self._adopt_state(b, RuntimeError)


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
