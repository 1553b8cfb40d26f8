"""Timer and Measurement with torch.utils.benchmark's names, arguments and statistics.

The same Timer times tensorlite code and torch code (pass either in `globals`), so a user
compares the two libraries with one tool. `num_threads` applies to tensorlite and, when torch is
already imported, to torch too, and both are restored afterwards."""
import math
import statistics
import sys
import textwrap
import time
import timeit as _timeit


class TaskSpec:
    """What was timed: the statement and its labels (torch's TaskSpec fields)."""

    def __init__(self, stmt, setup, global_setup="", label=None, sub_label=None, description=None, env=None,
                 num_threads=1):
        self.stmt, self.setup, self.global_setup = stmt, setup, global_setup
        self.label, self.sub_label, self.description = label, sub_label, description
        self.env, self.num_threads = env, num_threads

    @property
    def title(self):
        if self.label is not None:
            return self.label + (f": {self.sub_label}" if self.sub_label else "")
        return f"stmt: {self.stmt}" if isinstance(self.stmt, str) else f"stmt: {getattr(self.stmt, '__name__', self.stmt)}"


def _unit(seconds):
    for scale, name in ((1.0, "s"), (1e-3, "ms"), (1e-6, "us"), (1e-9, "ns")):
        if seconds >= scale:
            return scale, name
    return 1e-9, "ns"


class Measurement:
    """Times of one statement: `raw_times[i]` is the time of `number_per_run` runs; `times` per run."""

    def __init__(self, number_per_run, raw_times, task_spec, metadata=None):
        self.number_per_run = int(number_per_run)
        self.raw_times = list(raw_times)
        self.task_spec = task_spec
        self.metadata = metadata

    def __getattr__(self, name):
        if name in ("stmt", "setup", "label", "sub_label", "description", "env", "num_threads", "title",
                    "global_setup"):
            return getattr(self.__dict__["task_spec"], name)
        raise AttributeError(f"'Measurement' object has no attribute '{name}'")

    @property
    def times(self):
        return [t / self.number_per_run for t in self.raw_times]

    @property
    def median(self):
        return statistics.median(self.times)

    @property
    def mean(self):
        return statistics.fmean(self.times)

    def _quartiles(self):
        ts = sorted(self.times)
        if len(ts) < 2:
            return ts[0], ts[0]
        q = statistics.quantiles(ts, n=4, method="inclusive")
        return q[0], q[2]

    @property
    def iqr(self):
        lo, hi = self._quartiles()
        return hi - lo

    @property
    def significant_figures(self):
        """Figures of the median the spread supports (1 to 4): a rough 90% confidence interval
        from the interquartile points, as torch estimates it."""
        ts = sorted(self.times)
        n = len(ts)
        mid = ts[n // 4:math.ceil(3 * n / 4)]
        std = statistics.pstdev(mid) if len(mid) > 1 else 0.0
        ci = max(1.645 * std / math.sqrt(len(mid)), 25e-9)
        return min(max(int(math.floor(math.log10(self.median / ci))), 1), 4) if self.median > 0 else 1

    @property
    def has_warnings(self):
        return len(self.times) > 1 and self.median > 0 and self.iqr / self.median > 0.1

    def meets_confidence(self, threshold=0.1):
        return self.median > 0 and self.iqr / self.median < threshold

    @property
    def as_row_name(self):
        return self.sub_label or self.stmt if isinstance(self.stmt, str) else self.sub_label or "[callable]"

    @staticmethod
    def merge(measurements):
        """One Measurement per task, pooling the times of repeated measurements of it."""
        groups = {}
        for m in measurements:
            key = (m.stmt if isinstance(m.stmt, str) else id(m.stmt), m.label, m.sub_label, m.description,
                   m.env, m.num_threads)
            groups.setdefault(key, []).append(m)
        out = []
        for ms in groups.values():
            times = [t for m in ms for t in m.times]
            out.append(Measurement(1, times, ms[0].task_spec, ms[0].metadata))
        return out

    def __repr__(self):
        scale, unit = _unit(self.median)
        lines = [f"<tensorlite.utils.benchmark.Measurement object at {hex(id(self))}>", self.title]
        if self.description:
            lines.append(self.description)
        n = len(self.times)
        threads = f"{self.num_threads} thread{'s' if self.num_threads != 1 else ''}"
        if n == 1:
            lines.append(f"  {self.median / scale:.2f} {unit}")
            lines.append(f"  1 measurement, {self.number_per_run} runs , {threads}")
        else:
            lo, hi = self._quartiles()
            lines.append(f"  Median: {self.median / scale:.2f} {unit}")
            lines.append(f"  IQR:    {self.iqr / scale:.2f} {unit} ({lo / scale:.2f} to {hi / scale:.2f})")
            lines.append(f"  {n} measurements, {self.number_per_run} runs per measurement, {threads}")
            if self.has_warnings:
                lines.append(f"  WARNING: Interquartile range is {self.iqr / self.median:.1%} of the median "
                             f"measurement.\n           This suggests significant environmental influence.")
        return "\n".join(lines)


class _Threads:
    """Set tensorlite's (and an imported torch's) thread count for the duration of a timing."""

    def __init__(self, n):
        self.n = n

    def __enter__(self):
        from ...backend.threads import get_num_threads, set_num_threads
        self.prev = get_num_threads()
        set_num_threads(self.n)
        torch = sys.modules.get("torch")
        self.torch_prev = None
        if torch is not None and hasattr(torch, "get_num_threads") and not getattr(torch, "_is_tensorlite", False):
            self.torch_prev = torch.get_num_threads()
            torch.set_num_threads(self.n)
        return self

    def __exit__(self, *exc):
        from ...backend.threads import set_num_threads
        set_num_threads(self.prev)
        if self.torch_prev is not None:
            sys.modules["torch"].set_num_threads(self.torch_prev)
        return False


class Timer:
    """Time `stmt` (a string run with `globals`, or a callable taking no arguments).

        t = Timer("model(x)", globals={"model": model, "x": x}, label="resnet20", description="tensorlite")
        m = t.blocked_autorange(min_run_time=1.0)
        print(m.median, m.iqr)
    """

    def __init__(self, stmt="pass", setup="pass", global_setup="", timer=time.perf_counter, globals=None,
                 label=None, sub_label=None, description=None, env=None, num_threads=1, language="python"):
        if str(getattr(language, "name", language)).lower() not in ("python", "py"):
            raise ValueError(f"Timer: only language='python' is supported, got {language!r}")
        if not (isinstance(stmt, str) or callable(stmt)):
            raise TypeError(f"Timer: argument 'stmt' must be a str or a callable, got {type(stmt).__name__}")
        if isinstance(num_threads, bool) or not isinstance(num_threads, int) or num_threads < 1:
            raise ValueError(f"Timer: argument 'num_threads' must be a positive int, got {num_threads!r}")
        self._globals = dict(globals or {})
        if global_setup:
            exec(textwrap.dedent(global_setup), self._globals)          # noqa: S102 -- the user's own code
        stmt_code = textwrap.dedent(stmt) if isinstance(stmt, str) else stmt
        setup_code = textwrap.dedent(setup) if isinstance(setup, str) else setup
        self._timer = _timeit.Timer(stmt=stmt_code, setup=setup_code, timer=timer, globals=self._globals)
        self._task_spec = TaskSpec(stmt, setup, global_setup, label, sub_label, description, env, num_threads)
        self._clock = timer

    def _time(self, number):
        with _Threads(self._task_spec.num_threads):
            return self._timer.timeit(number)

    def timeit(self, number=1000000):
        """One measurement of `number` runs (after one warm-up run)."""
        self._time(1)
        return Measurement(number, [self._time(number)], self._task_spec)

    def repeat(self, repeat=-1, number=-1):
        raise NotImplementedError("Timer.repeat is not supported (as in torch): use blocked_autorange")

    def autorange(self, callback=None):
        """As timeit.Timer.autorange: the smallest number of runs (1, 2, 5, 10, 20, ...) that take
        at least 0.2 s, returned as one Measurement."""
        number, elapsed = self._estimate(0.2, callback)
        return Measurement(number, [elapsed], self._task_spec)

    def _estimate(self, target, callback=None):
        i = 1
        while True:
            for j in (1, 2, 5):
                number = i * j
                elapsed = self._time(number)
                if callback is not None:
                    callback(number, elapsed)
                if elapsed >= target:
                    return number, elapsed
            i *= 10

    def _block_size(self):
        # blocks of at least 1 ms keep the clock's resolution and call overhead negligible
        self._time(1)                                   # warm-up (JIT, caches)
        number, _ = self._estimate(1e-3)
        return number

    def blocked_autorange(self, callback=None, min_run_time=0.2):
        """Blocks of a fixed number of runs until `min_run_time` seconds have been spent timing."""
        number = self._block_size()
        times, total = [], 0.0
        while total < min_run_time or not times:
            t = self._time(number)
            if callback is not None:
                callback(number, t)
            times.append(t)
            total += t
        return Measurement(number, times, self._task_spec)

    def adaptive_autorange(self, threshold=0.1, *, min_run_time=0.01, max_run_time=10.0, callback=None):
        """Blocks until the IQR is below `threshold` times the median (at least 3 blocks and
        `min_run_time` seconds) or `max_run_time` seconds have passed."""
        number = self._block_size()
        times, total = [], 0.0
        while True:
            t = self._time(number)
            if callback is not None:
                callback(number, t)
            times.append(t)
            total += t
            m = Measurement(number, times, self._task_spec)
            if len(times) >= 3 and total >= min_run_time and m.meets_confidence(threshold):
                return m
            if total >= max_run_time:
                return m
