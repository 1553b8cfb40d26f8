"""Collectives on tensors, in place, with torch.distributed's signatures.

Every call is issued as a non-blocking MPI operation and completed by a polling wait with the
world's timeout (see _backend.wait).  Reductions run in the tensor's dtype, float16 in float32;
broadcast and all_gather move raw bytes, so every dtype arrives bit for bit.
"""
import enum
import numbers

import numpy as np

from ..tensor import Tensor
from ._backend import _require, test, wait

__all__ = ["ReduceOp", "Work", "all_reduce", "broadcast", "all_gather", "barrier"]


class ReduceOp(enum.Enum):
    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"
    BAND = "band"
    BOR = "bor"
    BXOR = "bxor"


_FLOAT_ONLY = {ReduceOp.AVG}
_INT_ONLY = {ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR}
_BOOL_OPS = {ReduceOp.MIN: "LAND", ReduceOp.MAX: "LOR", ReduceOp.BAND: "LAND", ReduceOp.BOR: "LOR",
             ReduceOp.BXOR: "LXOR"}
_MPI_OPS = {ReduceOp.SUM: "SUM", ReduceOp.AVG: "SUM", ReduceOp.PRODUCT: "PROD", ReduceOp.MIN: "MIN",
            ReduceOp.MAX: "MAX", ReduceOp.BAND: "BAND", ReduceOp.BOR: "BOR", ReduceOp.BXOR: "BXOR"}


class Work:
    """A collective in flight (what async_op=True returns): wait() completes it and writes the
    result into the tensors."""

    def __init__(self, request, finish, what):
        self._request, self._finish, self._what = request, finish, what
        self._done = False

    def is_completed(self):
        """Whether it has finished (a non-blocking check that also lets MPI make progress)."""
        if not self._done and test(self._request, self._what):
            self._finish()
            self._done = True
        return self._done

    def wait(self):
        if not self._done:
            wait(self._request, self._what)
            self._finish()
            self._done = True
        return True


def _check_group(group, fname):
    if group is not None:
        raise ValueError(f"tensorlite.distributed.{fname}(): only the default group (group=None) is supported, "
                         f"got group={group!r}")


def _array(t, fname, arg):
    if not isinstance(t, Tensor):
        raise TypeError(f"tensorlite.distributed.{fname}(): argument '{arg}' must be a tensorlite.Tensor, "
                        f"got {type(t).__name__}")
    return t._data


def _start(fname, async_op, request, finish):
    work = Work(request, finish, f"{fname}()")
    if async_op:
        return work
    work.wait()
    return None


def _mpi_op(MPI, op, dtype, fname):
    if not isinstance(op, ReduceOp):
        raise TypeError(f"tensorlite.distributed.{fname}(): op must be a tensorlite.distributed.ReduceOp, "
                        f"got {op!r}")
    if dtype == np.bool_:
        if op not in _BOOL_OPS:
            raise TypeError(f"tensorlite.distributed.{fname}(): ReduceOp.{op.name} is not defined for bool "
                            f"tensors (use MIN/MAX/BAND/BOR/BXOR)")
        return getattr(MPI, _BOOL_OPS[op]), np.dtype(np.uint8)
    if op in _FLOAT_ONLY and dtype.kind != "f":
        raise TypeError(f"tensorlite.distributed.{fname}(): ReduceOp.{op.name} needs a floating-point tensor, "
                        f"got dtype {dtype}")
    if op in _INT_ONLY and dtype.kind == "f":
        raise TypeError(f"tensorlite.distributed.{fname}(): ReduceOp.{op.name} needs an integer or bool tensor, "
                        f"got dtype {dtype}")
    wire = np.dtype(np.float32) if dtype == np.float16 else dtype
    return getattr(MPI, _MPI_OPS[op]), wire


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce `tensor` across every rank with `op`; every rank gets the result in place.
    AVG (floating point only) is the SUM divided by the world size."""
    fname = "all_reduce"
    world = _require(fname)
    _check_group(group, fname)
    arr = _array(tensor, fname, "tensor")
    mop, wire = _mpi_op(world.MPI, op, arr.dtype, fname)
    if arr.dtype == np.bool_ and arr.flags.c_contiguous:
        buf = arr.view(np.uint8)
    elif arr.dtype == wire and arr.flags.c_contiguous:
        buf = arr
    else:
        buf = np.ascontiguousarray(arr, dtype=wire)
    request = world.comm.Iallreduce(world.MPI.IN_PLACE, buf.reshape(-1), op=mop)

    def finish():
        if op is ReduceOp.AVG:
            np.multiply(buf, 1.0 / world.size, out=buf, casting="unsafe")
        if not np.may_share_memory(buf, arr):
            np.copyto(arr, buf, casting="unsafe")
        tensor._bump()
    return _start(fname, async_op, request, finish)


def _bytes(arr):
    """A contiguous byte view of arr (a copy when arr is not contiguous)."""
    return np.ascontiguousarray(arr).reshape(-1).view(np.uint8)


def broadcast(tensor, src, group=None, async_op=False):
    """Overwrite `tensor` on every rank with rank `src`'s (same shape and dtype on every rank)."""
    fname = "broadcast"
    world = _require(fname)
    _check_group(group, fname)
    arr = _array(tensor, fname, "tensor")
    if isinstance(src, bool) or not isinstance(src, numbers.Integral) or not 0 <= src < world.size:
        raise ValueError(f"tensorlite.distributed.{fname}(): src must be a rank in [0, {world.size - 1}], "
                         f"got src={src!r}")
    buf = _bytes(arr)
    request = world.comm.Ibcast(buf, root=int(src))

    def finish():
        if not np.may_share_memory(buf, arr):
            np.copyto(arr, buf.view(arr.dtype).reshape(arr.shape))
        tensor._bump()
    return _start(fname, async_op, request, finish)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Gather every rank's `tensor` into `tensor_list` (world_size tensors of tensor's shape and
    dtype): afterwards tensor_list[r] holds rank r's tensor, on every rank."""
    fname = "all_gather"
    world = _require(fname)
    _check_group(group, fname)
    arr = _array(tensor, fname, "tensor")
    if not isinstance(tensor_list, (list, tuple)) or len(tensor_list) != world.size:
        got = len(tensor_list) if isinstance(tensor_list, (list, tuple)) else type(tensor_list).__name__
        raise ValueError(f"tensorlite.distributed.{fname}(): tensor_list must be a list of world_size={world.size} "
                         f"tensors, got {got}")
    for i, t in enumerate(tensor_list):
        out = _array(t, fname, f"tensor_list[{i}]")
        if out.shape != arr.shape or out.dtype != arr.dtype:
            raise ValueError(f"tensorlite.distributed.{fname}(): tensor_list[{i}] has shape {out.shape} and dtype "
                             f"{out.dtype} but tensor has shape {arr.shape} and dtype {arr.dtype}; they must match")
    send = _bytes(arr)
    recv = np.empty((world.size, send.size), np.uint8)
    request = world.comm.Iallgather(send, recv)

    def finish():
        for t, row in zip(tensor_list, recv):
            np.copyto(t._data, row.view(arr.dtype).reshape(arr.shape))
            t._bump()
    return _start(fname, async_op, request, finish)


def barrier(group=None, async_op=False):
    """Return once every rank has called barrier()."""
    fname = "barrier"
    world = _require(fname)
    _check_group(group, fname)
    return _start(fname, async_op, world.comm.Ibarrier(), lambda: None)
