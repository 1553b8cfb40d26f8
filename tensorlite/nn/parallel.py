"""DistributedDataParallel: one model replica per MPI rank, gradients averaged in buckets.

Design
------
* Wrapping broadcasts rank 0's parameters and buffers (one message per dtype), after checking
  that every rank built a model with the same parameter shapes.
* Gradients go through DDP's own flat buffers, one per bucket.  Buckets take the parameters in
  reverse registration order -- about the order backward produces their gradients -- the first
  one capped at 1 MiB so that it fills early, the others at ``bucket_cap_mb`` (PyTorch's scheme).
  A hook on every parameter copies its gradient (plus what ``.grad`` already held, so gradients
  accumulated under ``no_sync()`` are included) into its bucket slot.  A full bucket starts a
  non-blocking MPI_Iallreduce at once -- always in bucket order, so every rank issues the same
  sequence -- and the following hooks poll the open ones, which lets MPI progress while backward
  goes on.  The last parameter's hook waits for every bucket, divides by the world size and
  writes the averages into each ``.grad``.
* Why not reduce the optimizer's flat gradient buffers in place?  DDP wraps a module before an
  optimizer exists, and those buffers are laid out in forward order per param group: the wrong
  order for starting early.  The price is two copies of the gradients per step (1.09 MB for
  ResNet-20: well under a millisecond).
* Buffers (BatchNorm running statistics) follow rank 0: they are broadcast before a forward that
  follows a training forward (PyTorch's ``broadcast_buffers=True``), so evaluation and
  checkpoints see the same statistics on every rank.  ``SyncBatchNorm`` instead makes the batch
  statistics themselves global.
"""
import contextlib
import functools
import numbers

import numpy as np

from ..autograd.function import AccumulateGrad
from ..autograd.grad_mode import is_grad_enabled
from ..tensor import Tensor
from .module import Module

__all__ = ["DataParallel", "DistributedDataParallel", "data_parallel"]

_FIRST_BUCKET_BYTES = 1 << 20        # PyTorch's dist._DEFAULT_FIRST_BUCKET_BYTES


def _dist():
    from .. import distributed
    return distributed


class DataParallel(Module):
    """torch.nn.DataParallel as PyTorch runs it without accelerators: a pass-through wrapper.
    forward calls ``self.module``; ``state_dict()`` keys carry the ``module.`` prefix, so
    checkpoints saved from a DataParallel model load into one here (and back). device_ids is
    ignored on the CPU (PyTorch keeps it as []), as PyTorch does there."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DataParallel(): argument 'module' must be a tensorlite.nn.Module, got "
                            f"{type(module).__name__}")
        self.module = module
        self.device_ids = []
        self.output_device = None
        self.dim = dim

    def forward(self, *inputs, **kwargs):
        return self.module(*inputs, **kwargs)


def data_parallel(module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None):
    """torch.nn.parallel.data_parallel on the CPU: module(*inputs, **module_kwargs)."""
    if not isinstance(inputs, tuple):
        inputs = (inputs,) if inputs is not None else ()
    return module(*inputs, **(module_kwargs or {}))


class _Bucket:
    """Parameters of one dtype whose gradients are reduced in one message."""

    def __init__(self, params):
        dtype = params[0]._data.dtype
        wire = np.dtype(np.float32) if dtype == np.float16 else dtype     # MPI has no float16 sum
        bounds = np.cumsum([0] + [p._data.size for p in params])
        self.params = params
        self.buf = np.zeros(int(bounds[-1]), wire)
        self.slots = [self.buf[a:b].reshape(p._data.shape) for p, a, b in zip(params, bounds[:-1], bounds[1:])]
        self.left = len(params)
        self.work = None


def _flat_broadcast(tensors):
    """Broadcast `tensors` from rank 0, one message per dtype, writing in place."""
    dist = _dist()
    by_dtype = {}
    for t in tensors:
        by_dtype.setdefault(t._data.dtype, []).append(t)
    for group in by_dtype.values():
        flat = np.concatenate([t._data.reshape(-1) for t in group])
        dist.broadcast(Tensor._wrap(flat), 0)
        start = 0
        for t in group:
            n = t._data.size
            np.copyto(t._data, flat[start:start + n].reshape(t._data.shape))
            t._bump()
            start += n


def _output_tensors(out):
    if isinstance(out, Tensor):
        yield out
    elif isinstance(out, (list, tuple)):
        for o in out:
            yield from _output_tensors(o)
    elif isinstance(out, dict):
        for o in out.values():
            yield from _output_tensors(o)


def _reachable_leaves(out):
    """ids of the leaf tensors the autograd graph of `out` reaches."""
    found, stack, seen = set(), [], set()
    for t in _output_tensors(out):
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
        elif t.requires_grad:
            found.add(id(t))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, AccumulateGrad):
            found.add(id(node.variable))
            continue
        stack.extend(n for n in node.next_functions if n is not None)
    return found


class DistributedDataParallel(Module):
    """Data parallelism over the MPI world (``torch.nn.parallel.DistributedDataParallel``).

    Every rank wraps the same model and feeds it its own share of each batch; after
    ``loss.backward()`` every parameter's ``.grad`` holds the average over the ranks, so an
    optimizer step keeps the replicas identical.  Needs ``tensorlite.distributed.init()``.

    module: the model; broadcast_buffers: sync buffers from rank 0 before forward (see the module
    docstring); bucket_cap_mb: the size bound of a gradient bucket in MiB; find_unused_parameters:
    look for parameters the forward did not use (a graph walk per forward) so that backward does
    not wait for them.  device_ids / output_device / process_group exist for PyTorch
    compatibility and must be left at None (CPU, default group).

    ``ddp.module`` is the wrapped model; ``state_dict()`` keys carry PyTorch's ``module.`` prefix.
    """

    def __init__(self, module, device_ids=None, output_device=None, broadcast_buffers=True, process_group=None,
                 bucket_cap_mb=25, find_unused_parameters=False):
        super().__init__()
        fname = "DistributedDataParallel()"
        if not isinstance(module, Module):
            raise TypeError(f"{fname}: module must be a tensorlite.nn.Module, got {type(module).__name__}")
        if device_ids not in (None, []) or output_device is not None:
            raise ValueError(f"{fname}: tensorlite runs on the CPU; device_ids and output_device must be None, got "
                             f"device_ids={device_ids!r}, output_device={output_device!r}")
        if process_group is not None:
            raise ValueError(f"{fname}: only the default group (process_group=None) is supported, got "
                             f"process_group={process_group!r}")
        if bucket_cap_mb is None:
            bucket_cap_mb = 25
        if isinstance(bucket_cap_mb, bool) or not isinstance(bucket_cap_mb, numbers.Real) or not bucket_cap_mb > 0:
            raise ValueError(f"{fname}: bucket_cap_mb must be a positive number, got {bucket_cap_mb!r}")
        dist = _dist()
        if not dist.is_initialized():
            raise RuntimeError(f"{fname}: the process group is not initialized; call tensorlite.distributed.init() "
                               f"first (and launch with `mpirun -np N python ...`)")
        self.module = module
        self.broadcast_buffers = bool(broadcast_buffers)
        self.bucket_bytes_cap = int(bucket_cap_mb * (1 << 20))
        self.find_unused_parameters = bool(find_unused_parameters)
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self._world = dist.world_size()
        self._names = {id(p): n for n, p in module.named_parameters()}
        self._params = [p for p in module.parameters() if p.requires_grad]
        self._check_same_model(fname)
        _flat_broadcast(list(module.parameters()) + list(module.buffers()))
        self._buckets = self._build_buckets()
        self._where = {id(p): (b, s) for b in self._buckets for p, s in zip(b.params, b.slots)}
        self._hooks = [p.register_hook(functools.partial(self._grad_hook, p)) for p in self._params]
        self._expecting = False      # a synced forward ran; its backward has not finished reducing
        self._ready = set()          # ids of the parameters whose gradient is in its bucket
        self._next = 0               # the next bucket to launch
        self._used = None            # find_unused_parameters: Work of the all-reduced "used" flags
        self._used_flags = None

    # ------------------------------------------------------------------ setup
    def _check_same_model(self, fname):
        dist = _dist()
        sizes = [p._data.size for p in self._params]
        sig = np.array([len(sizes), sum(sizes), sum((i + 1) * n for i, n in enumerate(sizes)) % (1 << 61)], np.int64)
        rows = [Tensor._wrap(np.zeros(3, np.int64)) for _ in range(self._world)]
        dist.all_gather(rows, Tensor._wrap(sig))
        for r, row in enumerate(rows):
            if not np.array_equal(row._data, sig):
                raise RuntimeError(f"{fname}: the model differs between ranks: rank {dist.rank()} has {sig[0]} "
                                   f"trainable parameters with {sig[1]} elements, rank {r} has {row._data[0]} with "
                                   f"{row._data[1]} (or the same counts in different shapes)")

    def _build_buckets(self):
        buckets, open_ = [], {}             # open_: dtype -> [params, bytes, limit]
        for p in reversed(self._params):
            entry = open_.setdefault(p._data.dtype, [[], 0, min(_FIRST_BUCKET_BYTES, self.bucket_bytes_cap)])
            entry[0].append(p)
            entry[1] += p._data.nbytes
            if entry[1] >= entry[2]:
                buckets.append(_Bucket(entry[0]))
                open_[p._data.dtype] = [[], 0, self.bucket_bytes_cap]
        buckets.extend(_Bucket(entry[0]) for entry in open_.values() if entry[0])
        return buckets

    # ------------------------------------------------------------------ forward
    def forward(self, *inputs, **kwargs):
        if self._expecting and (self._ready or self._next):
            raise RuntimeError(self._unfinished_message())
        if self.require_forward_param_sync and self.broadcast_buffers and self._world > 1:
            buffers = list(self.module.buffers())
            if buffers:
                _flat_broadcast(buffers)
        out = self.module(*inputs, **kwargs)
        if is_grad_enabled() and self.require_backward_grad_sync:
            self.require_forward_param_sync = True
            self._prepare(out)
        else:
            self.require_forward_param_sync = False
        return out

    @contextlib.contextmanager
    def no_sync(self):
        """Forward/backward passes inside accumulate gradients locally; the first synced backward
        after it averages the accumulated gradients."""
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def _prepare(self, out):
        for b in self._buckets:
            b.left, b.work = len(b.params), None
        self._ready, self._next, self._used = set(), 0, None
        self._expecting = True
        if not self.find_unused_parameters:
            return
        used = _reachable_leaves(out)
        flags = np.array([id(p) in used for p in self._params], np.uint8)
        self._used = _dist().all_reduce(Tensor._wrap(flags), op=_dist().ReduceOp.MAX, async_op=True)
        self._used_flags = flags
        for p in self._params:
            if id(p) not in used:
                self._stage(p, None)
        if len(self._ready) == len(self._params):       # nothing used here: only the others' gradients
            self._finish(None)

    # ------------------------------------------------------------------ backward
    def _stage(self, p, grad):
        """Put p's gradient (.grad so far plus `grad`) into its bucket slot; launch full buckets."""
        bucket, slot = self._where[id(p)]
        have = p.grad._data if p.grad is not None else None
        if grad is None:
            np.copyto(slot, have if have is not None else 0, casting="unsafe")
        elif have is None:
            np.copyto(slot, grad._data, casting="unsafe")
        else:
            np.add(have, grad._data, out=slot, casting="unsafe")
        self._ready.add(id(p))
        bucket.left -= 1
        buckets = self._buckets
        while self._next < len(buckets) and buckets[self._next].left == 0:
            b = buckets[self._next]
            b.work = _dist().all_reduce(Tensor._wrap(b.buf), op=_dist().ReduceOp.AVG, async_op=True)
            self._next += 1

    def _grad_hook(self, p, grad):
        if not self._expecting or id(p) in self._ready:
            return None
        self._stage(p, grad)
        if len(self._ready) == len(self._params):
            return self._finish(p)
        for b in self._buckets[:self._next]:
            b.work.is_completed()            # progress for the reductions in flight
        return None

    def _finish(self, current):
        """Wait for every bucket and write the averages into .grad.  Returns what the hook of
        `current` (whose .grad the engine updates after the hook) hands back to the engine."""
        for b in self._buckets:
            b.work.wait()
        used = None
        if self._used is not None:
            self._used.wait()
            used = {id(p) for p, f in zip(self._params, self._used_flags) if f}
        self._expecting, self._ready, self._next = False, set(), 0
        result = None
        for b in self._buckets:
            for p, slot in zip(b.params, b.slots):
                if used is not None and id(p) not in used:
                    continue                  # no rank used it: .grad stays as it was (PyTorch)
                if p is current:
                    if p.grad is None:
                        result = Tensor._wrap(slot)          # the engine stores a copy
                    else:
                        np.copyto(p.grad._data, slot, casting="unsafe")
                        result = Tensor._wrap(np.zeros_like(p.grad._data))
                elif p.grad is None:
                    p.grad = Tensor._wrap(slot.astype(p._data.dtype, copy=True))
                else:
                    np.copyto(p.grad._data, slot, casting="unsafe")
        return result

    def _unfinished_message(self):
        missing = [self._names.get(id(p), "?") for p in self._params if id(p) not in self._ready]
        shown = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        return ("DistributedDataParallel: expected to have finished reduction in the prior iteration before "
                "starting a new one; these parameters received no gradient in the last backward: "
                f"{shown}.  Their gradients (and that step's) were not averaged across ranks.  If the "
                "model does not use every parameter in every forward, pass find_unused_parameters=True.")
