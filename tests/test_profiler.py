"""tl.profiler: what a LeNet-5 training step records, self-time arithmetic, and that every patch
the profiler makes is undone (after a normal exit, an exception, or a refused nested profile)."""
import importlib
import json
import os
import sys
import threading
import time

import numpy as np
import pytest

import tensorlite as tl
import tensorlite.optim  # noqa: F401  (the optimizer hooks are part of what must be restored)
from tensorlite import profiler
from tensorlite.autograd import engine
from tensorlite.autograd.function import Function
from tensorlite.optim.optimizer import Optimizer

F = tl.nn.functional


@pytest.fixture(scope="module")
def lenet_step():
    tl.manual_seed(0)
    model = tl.models.lenet5()
    opt = tl.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x, y = tl.randn(16, 3, 32, 32), tl.randint(0, 10, (16,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    step()                      # JIT compilation and first touch happen outside the profiles
    return model, step


def _profiled(step):
    with profiler.profile() as prof:
        step()
    return prof


def _snapshot():
    """Every binding a profiler could leave behind: all tensorlite module globals and the methods
    of Function and Optimizer subclasses."""
    snap = {}
    for name, mod in list(sys.modules.items()):
        if mod is not None and (name == "tensorlite" or name.startswith("tensorlite.")):
            for attr, value in vars(mod).items():
                snap[(name, attr)] = value
    for base, attrs in ((Function, ("apply", "forward", "backward")), (Optimizer, ("step", "zero_grad"))):
        for cls in _subclasses(base):
            for attr in attrs:
                if attr in cls.__dict__:
                    snap[(cls, attr)] = cls.__dict__[attr]
    return snap


def _subclasses(base):
    seen, todo = [], [base]
    while todo:
        cls = todo.pop()
        if cls not in seen:
            seen.append(cls)
            todo.extend(cls.__subclasses__())
    return seen


def _assert_same(before, after):
    changed = [k for k, v in before.items() if after.get(k, object()) is not v]
    assert not changed, f"bindings not restored: {changed[:10]}"


# ------------------------------------------------------------------ what gets recorded
def test_lenet_step_records_ops_backward_nodes_and_kernels(lenet_step):
    model, step = lenet_step
    n_conv = sum(isinstance(m, tl.nn.Conv2d) for m in model.modules())
    n_params = len(list(model.parameters()))
    assert n_conv == 2
    avg = {e.key: e for e in _profiled(step).key_averages()}
    assert avg["Convolution"].count == n_conv
    assert avg["ConvolutionBackward0"].count == n_conv
    assert avg["kernel:conv2d_forward"].count == n_conv
    assert avg["kernel:conv2d_backward_weight"].count == n_conv
    assert avg["kernel:conv2d_backward_input"].count == n_conv - 1      # the image needs no gradient
    assert avg["kernel:max_pool2d_forward"].count == 2
    assert avg["kernel:max_pool2d_backward"].count == 2
    assert avg["kernel:matmul"].count >= 3                                # three Linear layers forward
    assert avg["kernel:ce_fwd_idx"].count == 1 and avg["kernel:ce_bwd_idx"].count == 1
    assert avg["AccumulateGrad"].count == n_params
    assert avg["Optimizer.step#SGD.step"].count == 1
    assert avg["Optimizer.zero_grad#SGD.zero_grad"].count == 1
    assert avg["kernel:sgd_update"].count >= 1


def test_kernels_nest_inside_their_ops(lenet_step):
    _, step = lenet_step
    events = _profiled(step).events()

    def parent_names(e):
        return {p.name for p in events if p.thread == e.thread and p.depth == e.depth - 1
                and p.start_ns <= e.start_ns and e.end_ns <= p.end_ns}
    for e in events:
        if e.name == "kernel:conv2d_forward":
            assert parent_names(e) == {"Convolution"}
        elif e.name in ("kernel:conv2d_backward_input", "kernel:conv2d_backward_weight"):
            assert parent_names(e) == {"ConvolutionBackward0"}
        elif e.name == "kernel:sgd_update":
            assert parent_names(e) == {"Optimizer.step#SGD.step"}


def test_self_time_is_total_minus_children_and_fits_in_wall_time(lenet_step):
    _, step = lenet_step
    t0 = time.perf_counter_ns()
    prof = _profiled(step)
    wall_ns = time.perf_counter_ns() - t0
    events = prof.events()
    assert events
    for e in events:
        assert 0 <= e.self_ns <= e.end_ns - e.start_ns
        children = [c for c in events if c.thread == e.thread and c.depth == e.depth + 1
                    and e.start_ns <= c.start_ns and c.end_ns <= e.end_ns]
        assert e.self_ns == (e.end_ns - e.start_ns) - sum(c.end_ns - c.start_ns for c in children)
    # every nanosecond is someone's self time exactly once: the self times add up to the top level
    top = sum(e.end_ns - e.start_ns for e in events if e.depth == 0)
    assert sum(e.self_ns for e in events) == top <= wall_ns
    for a in prof.key_averages():
        assert 0 <= a.self_cpu_time_total <= a.cpu_time_total + 1e-6
        assert a.cpu_time_total <= wall_ns / 1e3
        assert a.cpu_time == pytest.approx(a.cpu_time_total / a.count)


def test_table_sorts_limits_and_checks_its_arguments(lenet_step):
    _, step = lenet_step
    avgs = _profiled(step).key_averages()
    text = avgs.table(sort_by="self_cpu_time_total", row_limit=5)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("-")]
    assert "Self CPU %" in lines[0] and "# of Calls" in lines[0]
    rows = lines[1:-1]
    assert len(rows) == 5 and lines[-1].startswith("Self CPU time total:")
    best = sorted(avgs, key=lambda a: a.self_cpu_time_total, reverse=True)[:5]
    assert [r.split()[0] for r in rows] == [a.key for a in best]
    assert "kernel:conv2d_forward" in avgs.table(sort_by="count", row_limit=0)
    with pytest.raises(ValueError, match="table\\(\\): argument 'sort_by'"):
        avgs.table(sort_by="cuda_time_total")


# ------------------------------------------------------------------ patches come and go
def test_hooks_are_set_only_while_profiling_and_nothing_is_rewritten(lenet_step):
    # the profiler works through explicit hook points (a module-level `_profiler` in each hooked
    # module); it never replaces a function or method, so the snapshot is the same inside and after
    _, step = lenet_step
    before = _snapshot()
    hooked = profiler._HOOKED
    assert {m.__name__ for m in hooked} >= {"tensorlite.autograd.function", "tensorlite.autograd.engine",
                                            "tensorlite.backend", "tensorlite.optim.optimizer"}
    assert all(m._profiler is None for m in hooked)
    plain_apply, plain_backward = Function.__dict__["apply"], engine._call_backward
    with profiler.profile() as prof:
        assert all(m._profiler is not None for m in hooked)
        assert Function.__dict__["apply"] is plain_apply and engine._call_backward is plain_backward
        step()
        during = _snapshot()
    assert all(m._profiler is None for m in hooked)
    state = ("_profiler", "_current")       # the hook points and the running profile: all that changes
    _assert_same({k: v for k, v in before.items() if k[1] not in state},
                 {k: v for k, v in during.items() if k[1] not in state})
    _assert_same(before, _snapshot())
    assert profiler._current is None
    assert any(e.key == "ConvolutionBackward0" for e in prof.key_averages())


def test_exception_inside_the_block_restores_everything(lenet_step):
    _, step = lenet_step
    before = _snapshot()
    with pytest.raises(ZeroDivisionError):
        with profiler.profile() as prof:
            step()
            1 / 0
    _assert_same(before, _snapshot())
    assert profiler._current is None
    assert any(e.key == "Convolution" for e in prof.key_averages())    # what ran is still reported
    with profiler.profile():                                           # and a new profile can start
        pass


def test_nested_profile_raises_and_the_outer_one_keeps_working(lenet_step):
    _, step = lenet_step
    before = _snapshot()
    with profiler.profile() as outer:
        inner = profiler.profile()
        with pytest.raises(RuntimeError, match="nested"):
            with inner:
                pass
        step()
    assert any(e.key == "ConvolutionBackward0" for e in outer.key_averages())
    _assert_same(before, _snapshot())
    with pytest.raises(RuntimeError, match="already started"):
        outer.start()


# ------------------------------------------------------------------ user ranges, threads, trace file
def test_record_function_ranges_appear_and_contain_their_ops(lenet_step):
    _, step = lenet_step

    @profiler.record_function("decorated")
    def forward_only(x):
        return (x * 2).sum()

    with profiler.record_function("ignored without a profile"):     # no profile running: no-op
        forward_only(tl.ones(3))
    with profiler.profile() as prof:
        with profiler.record_function("my_step"):
            step()
        forward_only(tl.ones(3))
    events = prof.events()
    mine = [e for e in events if e.name == "my_step"]
    assert len(mine) == 1 and mine[0].depth == 0 and mine[0].category == "user_annotation"
    inside = {e.name for e in events if mine[0].start_ns <= e.start_ns and e.end_ns <= mine[0].end_ns}
    assert {"Convolution", "ConvolutionBackward0", "Optimizer.step#SGD.step"} <= inside
    deco = [e for e in events if e.name == "decorated"]
    assert len(deco) == 1
    assert {"Mul", "Sum"} <= {e.name for e in events if e.depth == 1 and deco[0].start_ns <= e.start_ns
                              and e.end_ns <= deco[0].end_ns}
    assert "ignored without a profile" not in {e.name for e in events}
    with pytest.raises(TypeError, match="record_function\\(\\): argument 'name' must be str"):
        profiler.record_function(3)


def test_ops_in_other_threads_are_recorded_on_their_own_stack():
    def work():
        with profiler.record_function("worker"):
            tl.ones(4) + 1
    with profiler.profile() as prof:
        t = threading.Thread(target=work)
        t.start()
        t.join()
        tl.ones(4) * 2
    by_name = {e.name: e for e in prof.events()}
    assert by_name["worker"].depth == 0 and by_name["Add"].depth == 1
    assert by_name["Add"].thread == by_name["worker"].thread != by_name["Mul"].thread
    assert by_name["Mul"].depth == 0


def test_chrome_trace_is_valid_json_written_atomically(lenet_step, tmp_path):
    _, step = lenet_step
    with profiler.profile() as prof:
        with profiler.record_function("step"):
            step()
    path = tmp_path / "trace.json"
    path.write_text("old contents")
    assert prof.export_chrome_trace(path) == str(path)
    trace = json.loads(path.read_text())
    events = trace["traceEvents"]
    assert len(events) == len(prof.events())
    assert {"step", "Convolution", "ConvolutionBackward0", "kernel:conv2d_forward"} <= {e["name"] for e in events}
    for e in events:
        assert e["ph"] == "X" and e["ts"] >= 0 and e["dur"] >= 0 and e["pid"] == os.getpid()
    assert os.listdir(tmp_path) == ["trace.json"]                   # no temporary file left behind
    with pytest.raises(TypeError, match="export_chrome_trace\\(\\): argument 'path'"):
        prof.export_chrome_trace(3)


def test_activities_argument():
    with profiler.profile(activities=[profiler.ProfilerActivity.CPU]):
        pass
    with pytest.raises(ValueError, match="profile\\(\\): argument 'activities'"):
        profiler.profile(activities=["cuda"])
    with pytest.raises(TypeError, match="profile\\(\\): argument 'activities'"):
        profiler.profile(activities=3)


def test_a_module_imported_while_profiling_binds_the_kernel_itself(monkeypatch):
    # what `from ..backend.conv import conv2d_forward` binds in a module first imported during a
    # profile is the kernel itself (no wrapper to leak), and calls through it are still recorded
    from tensorlite.backend import conv
    original = conv.conv2d_forward
    x, w = np.ones((1, 1, 4, 4), np.float32), np.ones((1, 1, 3, 3), np.float32)
    with profiler.profile() as prof:
        late = type(sys)("tensorlite._profiler_test_late_import")
        late.conv2d_forward = conv.conv2d_forward
        assert late.conv2d_forward is original
        monkeypatch.setitem(sys.modules, late.__name__, late)
        late.conv2d_forward(x, w)
    assert late.conv2d_forward is original and conv.conv2d_forward is original
    assert [e.key for e in prof.key_averages()] == ["kernel:conv2d_forward"]


