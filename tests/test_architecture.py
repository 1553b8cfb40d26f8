"""ARCHITECTURE.md stays true: the import graph follows its layer table, and its worked example
(adding an op end to end) runs, gradchecks and matches torch."""
import os
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tensorlite as tl
from tensorlite.autograd import gradcheck
from tensorlite.testing.strategies import hard_arrays, laid_out, small_shapes

import import_layers

ROOT = import_layers.ROOT


def test_the_import_graph_follows_the_layer_table():
    found = import_layers.violations()
    assert found == [], "\n".join(found)


def test_the_layer_check_runs_as_a_script():
    # the form CI and a maintainer run by hand: `python tests/import_layers.py`
    r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "import_layers.py")],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no violations" in r.stdout


def test_the_layer_check_catches_an_upward_import_and_a_cycle(tmp_path):
    # a tiny package laid out like tensorlite: a kernel module importing a layer above it, two ops
    # modules importing each other
    pkg = tmp_path / "tensorlite"
    (pkg / "backend").mkdir(parents=True)
    (pkg / "ops").mkdir()
    for f in ("__init__.py", "backend/__init__.py", "ops/__init__.py"):
        (pkg / f).write_text("")
    (pkg / "backend" / "conv.py").write_text("def f():\n    from ..ops import a\n")
    (pkg / "ops" / "a.py").write_text("from . import b\n")
    (pkg / "ops" / "b.py").write_text("from .a import x\n")
    (tmp_path / "ARCHITECTURE.md").write_text(
        "## Layers\n| # | layer | modules |\n|---|---|---|\n| 0 | kernels | `tensorlite.backend` |\n"
        "| 1 | ops | `tensorlite.ops`, `tensorlite` |\n")
    found = import_layers.violations(str(tmp_path))
    assert any(v.startswith("upward import: tensorlite.backend.conv (layer 0 kernels) imports tensorlite.ops")
               and "(lazy)" in v for v in found), found
    assert "import cycle: tensorlite.ops.a -> tensorlite.ops.b -> tensorlite.ops.a" in found, found
    assert len(found) == 2, found


def test_every_layer_module_named_in_the_table_exists():
    layers, back = import_layers.read_layers()
    mods = import_layers.modules()
    named = [m for _, _, ms in layers for m in ms] + [m for edge in back for m in edge]
    missing = [m for m in named if m not in mods]
    assert missing == [], f"ARCHITECTURE.md names modules that do not exist: {missing}"


def _worked_example():
    """The ```python blocks of ARCHITECTURE.md's worked example, run in one namespace."""
    text = open(os.path.join(ROOT, "ARCHITECTURE.md"), encoding="utf-8").read()
    section = text.split("## Adding an op, end to end", 1)[1]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2
    ns = {}
    exec(compile(blocks[0], "ARCHITECTURE.md (the op)", "exec"), ns)
    return ns, blocks[1]


def test_the_worked_example_runs_as_written():
    ns, usage = _worked_example()
    exec(compile(usage, "ARCHITECTURE.md (the test)", "exec"), dict(ns))
    with pytest.raises(ValueError, match=r"smooth_abs\(\): argument 'eps' must be a positive number, got 0"):
        ns["smooth_abs"](tl.ones(2), 0)
    y = ns["smooth_abs"](tl.zeros(3, requires_grad=True), 0.5)
    assert type(y.grad_fn).__name__ == "SmoothAbsBackward0"


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_the_worked_example_against_finite_differences_and_torch(data):
    smooth_abs = _worked_example()[0]["smooth_abs"]
    shape = data.draw(small_shapes())
    arr = data.draw(laid_out(hard_arrays(shape)))
    eps = data.draw(st.sampled_from([1e-3, 0.1, 2.0]))
    x = tl.from_numpy(arr).requires_grad_()     # the drawn memory layout, not a copy
    assert gradcheck(lambda t: smooth_abs(t, eps), (x,))
    torch = pytest.importorskip("torch")
    tx = torch.tensor(arr.copy(), requires_grad=True)
    ty = torch.sqrt(tx * tx + eps * eps)
    ty.sum().backward()
    y = smooth_abs(x, eps)
    y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-15)
