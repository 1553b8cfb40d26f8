"""tensorlite.utils.benchmark against torch.utils.benchmark: the same statistics from the same
times, and Timer/Compare driving tensorlite and torch code side by side."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
from tensorlite.utils.benchmark import Timer, Measurement, TaskSpec, Compare


@settings(max_examples=40)
@given(st.lists(st.floats(1e-7, 1e-2), min_size=1, max_size=40), st.integers(1, 1000))
def test_measurement_statistics_equal_torchs(torch, raw, number):
    from torch.utils import benchmark as tb
    mine = Measurement(number, raw, TaskSpec("f()", "pass"))
    theirs = tb.Measurement(number, raw, tb.utils.common.TaskSpec("f()", "pass"))
    assert mine.times == pytest.approx(theirs.times)
    assert mine.median == pytest.approx(theirs.median, rel=1e-12)
    assert mine.mean == pytest.approx(theirs.mean, rel=1e-12)
    assert mine.iqr == pytest.approx(theirs.iqr, rel=1e-9, abs=1e-18)
    assert mine.significant_figures == theirs.significant_figures
    assert mine.has_warnings == theirs.has_warnings


def test_timer_times_tensorlite_and_torch_with_one_tool(torch):
    x, xt = tl.ones(256), torch.ones(256)
    results = []
    for lib, v in (("tensorlite", x), ("torch", xt)):
        t = Timer("x * 2 + x", globals={"x": v}, label="axpy", sub_label="256", description=lib)
        m = t.blocked_autorange(min_run_time=0.05)
        assert m.number_per_run >= 1 and len(m.times) >= 1 and m.median > 0
        assert m.title == "axpy: 256" and m.description == lib
        results.append(m)
    table = str(Compare(results))
    assert "axpy" in table and "tensorlite" in table and "torch" in table and "256" in table
    assert "Times are in" in table


def test_timeit_callable_adaptive_and_threads():
    calls = [0]

    def f():
        calls[0] += 1

    m = Timer(f).timeit(50)
    assert calls[0] == 51 and m.number_per_run == 50 and len(m.raw_times) == 1
    a = Timer("sum(range(100))").adaptive_autorange(threshold=0.5, max_run_time=0.5)
    assert len(a.times) >= 1
    before = tl.get_num_threads()
    seen = []
    Timer(lambda: seen.append(tl.get_num_threads()), num_threads=1).timeit(1)
    assert seen == [1, 1] and tl.get_num_threads() == before
    with pytest.raises(ValueError, match="num_threads"):
        Timer("pass", num_threads=0)
    with pytest.raises(TypeError, match="stmt"):
        Timer(3)


def test_measurement_merge_pools_times():
    spec = TaskSpec("f()", "pass", label="l")
    m = Measurement.merge([Measurement(2, [2.0, 4.0], spec), Measurement(1, [3.0], spec)])
    assert len(m) == 1 and sorted(m[0].times) == [1.0, 2.0, 3.0]
