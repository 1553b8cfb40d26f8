"""Where a training step spends its time: per op, per backward node, per kernel.

    with tl.profiler.profile() as prof:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))
    prof.export_chrome_trace("trace.json")       # open in chrome://tracing or ui.perfetto.dev

Recorded, as in torch.profiler (times in microseconds, wall clock):

* forward ops: every autograd Function's ``apply``, named after the class ("Convolution", "Add");
* backward nodes: every node the engine runs ("ConvolutionBackward") and the leaf accumulations
  ("AccumulateGrad");
* kernels: the C / Numba entry points of ``tensorlite.backend`` and the fused optimizer kernels
  ("kernel:conv2d_forward", "kernel:matmul", "kernel:sgd_update");
* optimizer calls ("Optimizer.step#SGD.step", "Optimizer.zero_grad#SGD.zero_grad");
* user ranges: ``with tl.profiler.record_function("data"): ...``.

An event's self time is its total time minus the total time of the events recorded inside it.

Hook points, not patching: `Function.apply`, the engine's per-node backward call and leaf
accumulation, the backend's kernel entry points (``@backend.kernel``) and ``Optimizer.step`` /
``zero_grad`` each check one module-level ``_profiler`` (None when not profiling: zero cost
beyond that check). ``profile()`` sets those to its recorder on entry and back to None on exit,
exceptions included. Profiles do not nest: a second ``profile()`` while one runs raises
RuntimeError.
"""
import enum
import json
import os
import threading
import time

from ._io import atomic_write
from . import backend
from .autograd import engine, function
from .autograd.grad_mode import is_grad_enabled
from .optim import optimizer

__all__ = ["profile", "record_function", "ProfilerActivity", "EventList", "FunctionEvent", "FunctionEventAvg"]

_current = None          # the running profile, or None


class ProfilerActivity(enum.Enum):
    """What to profile; tensorlite runs on the CPU only (torch.profiler.ProfilerActivity)."""
    CPU = "cpu"


# ------------------------------------------------------------------ events
class FunctionEvent:
    """One recorded call. Times in microseconds; start and end are relative to the profile's start."""
    __slots__ = ("name", "category", "thread", "depth", "start_ns", "end_ns", "self_ns")

    def __init__(self, name, category, thread, depth, start_ns, end_ns, self_ns):
        self.name, self.category, self.thread, self.depth = name, category, thread, depth
        self.start_ns, self.end_ns, self.self_ns = start_ns, end_ns, self_ns

    key = property(lambda self: self.name)
    count = property(lambda self: 1)
    cpu_time_total = property(lambda self: (self.end_ns - self.start_ns) / 1e3)
    self_cpu_time_total = property(lambda self: self.self_ns / 1e3)
    start_us = property(lambda self: self.start_ns / 1e3)
    end_us = property(lambda self: self.end_ns / 1e3)

    def __repr__(self):
        return (f"<FunctionEvent {self.name!r} cpu_time_total={self.cpu_time_total:.3f}us "
                f"self_cpu_time_total={self.self_cpu_time_total:.3f}us thread={self.thread}>")


class FunctionEventAvg:
    """All events of one name added up (torch's FunctionEventAvg). Times in microseconds."""

    def __init__(self, key):
        self.key = key
        self.count = 0
        self.cpu_time_total = 0.0
        self.self_cpu_time_total = 0.0

    def add(self, event):
        self.count += event.count
        self.cpu_time_total += event.cpu_time_total
        self.self_cpu_time_total += event.self_cpu_time_total
        return self

    @property
    def cpu_time(self):
        """Average total time per call."""
        return self.cpu_time_total / max(self.count, 1)

    @property
    def self_cpu_time(self):
        """Average self time per call."""
        return self.self_cpu_time_total / max(self.count, 1)

    def __repr__(self):
        return (f"<FunctionEventAvg key={self.key!r} count={self.count} cpu_time_total={self.cpu_time_total:.3f}us "
                f"self_cpu_time_total={self.self_cpu_time_total:.3f}us>")


_SORT_KEYS = ("self_cpu_time_total", "cpu_time_total", "self_cpu_time", "cpu_time", "count")


class EventList(list):
    """A list of FunctionEvent or FunctionEventAvg with torch's table()."""

    def key_averages(self):
        groups = {}
        for e in self:
            (groups.get(e.key) or groups.setdefault(e.key, FunctionEventAvg(e.key))).add(e)
        return EventList(groups.values())

    @property
    def self_cpu_time_total(self):
        return sum(e.self_cpu_time_total for e in self)

    def table(self, sort_by=None, row_limit=100, max_name_column_width=55):
        """The events as a text table like torch's: sort_by one of 'self_cpu_time_total',
        'cpu_time_total', 'self_cpu_time', 'cpu_time', 'count' (descending), or None to keep the
        order; row_limit rows at most (<= 0: all). Percentages are of the summed self time."""
        if sort_by is not None and sort_by not in _SORT_KEYS:
            raise ValueError(f"table(): argument 'sort_by' must be None or one of {', '.join(_SORT_KEYS)}; "
                             f"got {sort_by!r}")
        rows = sorted(self, key=lambda e: getattr(e, sort_by), reverse=True) if sort_by else list(self)
        if row_limit is not None and row_limit > 0:
            rows = rows[:row_limit]
        total = self.self_cpu_time_total
        pct = (lambda us: f"{100.0 * us / total:.2f}%") if total > 0 else (lambda us: "-")
        width = max([len("Name")] + [min(len(e.key), max_name_column_width) for e in rows])
        heads = ("Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg", "# of Calls")
        rule = "-" * width + "  " + "  ".join("-" * 12 for _ in heads)
        lines = [rule, f"{'Name':>{width}}  " + "  ".join(f"{h:>12}" for h in heads), rule]
        for e in rows:
            name = e.key if len(e.key) <= width else e.key[:width - 3] + "..."
            cells = (pct(e.self_cpu_time_total), _fmt_us(e.self_cpu_time_total), pct(e.cpu_time_total),
                     _fmt_us(e.cpu_time_total), _fmt_us(e.cpu_time_total / max(e.count, 1)), str(e.count))
            lines.append(f"{name:>{width}}  " + "  ".join(f"{c:>12}" for c in cells))
        lines += [rule, f"Self CPU time total: {_fmt_us(total)}", ""]
        return "\n".join(lines)

    def __str__(self):
        return self.table()


def _fmt_us(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


# ------------------------------------------------------------------ recording
_clock = time.perf_counter_ns


class _Recorder:
    """Open ranges per thread and the finished ones. A range's frame is
    [name, category, thread, depth, start_ns, ns of the ranges finished inside it]; a finished
    range is the frame with its end appended (FunctionEvents are made when someone asks)."""

    def __init__(self):
        self.finished = []
        self.t0 = _clock()
        self._local = threading.local()

    def push(self, name, category):
        try:
            stack = self._local.stack
        except AttributeError:               # first range of this thread
            stack = self._local.stack = [[None, None, threading.get_native_id(), -1, 0, 0]]
        frame = [name, category, stack[0][2], len(stack) - 1, _clock(), 0]
        stack.append(frame)
        return frame

    def pop(self, frame):
        end = _clock()
        stack = self._local.stack
        if stack[-1] is frame:
            stack.pop()
        else:                        # only a record_function exited by hand out of order gets here
            stack.remove(frame)
        stack[-1][5] += end - frame[4]       # (the bottom entry is a sentinel: no parent check needed)
        frame.append(end)
        self.finished.append(frame)

    def timed(self, name, category, fn, *args, **kwargs):
        """fn(*args, **kwargs), recorded as one range `name` (the hook points call this)."""
        frame = self.push(name, category)
        try:
            return fn(*args, **kwargs)
        finally:
            self.pop(frame)

    def enter_op(self, cls):
        """Function.apply's hook: open the op's range, or return None for a backward kernel that a
        backward node runs with no graph (it is that node's work, as torch shows it)."""
        if cls.backward_kernel and not is_grad_enabled():
            stack = getattr(self._local, "stack", None)
            if stack and stack[-1][1] == "backward":
                return None
        return self.push(cls.__name__, "cpu_op")

    def events(self):
        t0 = self.t0
        evs = [FunctionEvent(name, cat, tid, depth, start - t0, end - t0, end - start - inner)
               for name, cat, tid, depth, start, inner, end in self.finished]
        evs.sort(key=lambda e: (e.start_ns, e.depth))
        return EventList(evs)


# Every hook point: a module whose `_profiler` the running profile sets to its recorder.
_HOOKED = (function, engine, backend, optimizer)


def _set_hooks(rec):
    for mod in _HOOKED:
        mod._profiler = rec


# ------------------------------------------------------------------ public API
class profile:
    """Context manager that records ops, backward nodes, kernels and user ranges (torch.profiler.profile).

    activities: None or an iterable of ProfilerActivity (only CPU exists here).
    Use as ``with profile() as prof: ...`` or ``prof.start() ... prof.stop()``; then
    ``prof.key_averages().table(...)``, ``prof.events()``, ``prof.export_chrome_trace(path)``.
    """

    def __init__(self, activities=None):
        if activities is not None:
            try:
                acts = set(activities)
            except TypeError:
                raise TypeError(f"profile(): argument 'activities' must be None or an iterable of ProfilerActivity, "
                                f"not {type(activities).__name__}") from None
            if not acts <= {ProfilerActivity.CPU}:
                raise ValueError(f"profile(): argument 'activities' may only contain ProfilerActivity.CPU "
                                 f"(tensorlite runs on the CPU), got {sorted(map(str, acts))}")
        self._rec = None
        self._events = EventList()
        self._state = "new"

    def start(self):
        global _current
        if _current is not None:
            raise RuntimeError("profile(): another tensorlite profiler is already running; profiles cannot be "
                               "nested (use record_function() to label ranges inside one profile)")
        if self._state != "new":
            raise RuntimeError("profile.start(): this profiler was already started; create a new profile()")
        rec = _Recorder()
        self._rec, self._state = rec, "running"
        _current = self
        _set_hooks(rec)
        return self

    def stop(self):
        global _current
        if self._state != "running":
            raise RuntimeError(f"profile.stop(): the profiler is not running (it is {self._state})")
        try:
            _set_hooks(None)
        finally:
            _current = None
            self._state = "stopped"
            self._events = self._rec.events()

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        return False

    def events(self):
        """Every recorded call (FunctionEvent), in start order. Complete once the profile stopped."""
        return self._rec.events() if self._state == "running" else self._events

    def key_averages(self):
        """One FunctionEventAvg per event name: key, count, cpu_time_total, self_cpu_time_total (us)."""
        return self.events().key_averages()

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON, 'X' events; open in chrome://tracing or Perfetto).
        The file is written to a temporary name first and renamed, so a reader never sees half of it."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"export_chrome_trace(): argument 'path' must be a str or os.PathLike, "
                            f"not {type(path).__name__}")
        path = os.fspath(path)
        pid = os.getpid()
        trace = {"displayTimeUnit": "ms", "traceEvents": [
            {"name": e.name, "cat": e.category, "ph": "X", "pid": pid, "tid": e.thread,
             "ts": e.start_ns / 1e3, "dur": (e.end_ns - e.start_ns) / 1e3,
             "args": {"self_us": e.self_ns / 1e3, "depth": e.depth}} for e in self.events()]}
        atomic_write(path, json.dumps(trace).encode())
        return path


class record_function:
    """Label a range of code in the running profile (torch.profiler.record_function); a context
    manager or a decorator. Without a running profile it does nothing."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise TypeError(f"record_function(): argument 'name' must be str, not {type(name).__name__}")
        self.name = name
        self._open = []            # (profile or None, frame) per __enter__ not yet exited

    def __enter__(self):
        prof = _current
        self._open.append((prof, prof._rec.push(self.name, "user_annotation") if prof is not None else None))
        return self

    def __exit__(self, exc_type, exc, tb):
        prof, frame = self._open.pop()
        if prof is not None and prof is _current:     # the profile may have stopped inside the range
            prof._rec.pop(frame)
        return False

    def __call__(self, fn):
        name = self.name

        def wrapped(*args, **kwargs):
            with record_function(name):
                return fn(*args, **kwargs)
        wrapped.__name__ = getattr(fn, "__name__", name)
        wrapped.__doc__ = getattr(fn, "__doc__", None)
        wrapped.__wrapped__ = fn
        return wrapped
