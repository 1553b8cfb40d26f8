"""python -m tensorlite.bench: one PyTorch source file, timed in both libraries after an output check."""
import json
import subprocess
import sys
import textwrap

MODEL = textwrap.dedent("""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 4, 3, padding=1, bias=False)
            self.bn = nn.BatchNorm2d(4)
            self.fc = nn.Linear(4 * 4 * 4, 5)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 2)
            return self.fc(torch.flatten(x, 1))


    def make():
        return Net()
    """)


def _run(*args):
    return subprocess.run([sys.executable, "-m", "tensorlite.bench", *args], capture_output=True, text=True,
                          timeout=300)


def test_bench_times_both_libraries_and_checks_outputs(tmp_path, torch):
    path = tmp_path / "net.py"
    path.write_text(MODEL)
    out = tmp_path / "r.json"
    r = _run(f"{path}:make", "--input-shape", "4,3,8,8", "--steps", "2", "--warmup", "1", "--threads", "1",
             "--json", str(out))
    assert r.returncode == 0, r.stderr
    assert "outputs agree" in r.stdout and "CPU: AVX" in r.stdout
    for lib in ("tensorlite", "torch", "torch-channels_last"):
        assert any(line.startswith(lib) for line in r.stdout.splitlines()), r.stdout
    data = json.loads(out.read_text())
    assert [d["library"] for d in data["results"]] == ["tensorlite", "torch", "torch-channels_last"]
    assert all(len(d["times"]) == 2 and d["peak_mib"] > 0 for d in data["results"])
    assert data["max_rel_diff"] < 1e-3


def test_bench_rejects_bad_arguments_in_one_line(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(MODEL)
    r = _run(f"{path}:nothing_here", "--input-shape", "4,3,8,8")
    assert r.returncode != 0 and "has no callable 'nothing_here'" in r.stderr
    r = _run(f"{path}:make", "--input-shape", "4,a,8")
    assert r.returncode == 2 and "--input-shape" in r.stderr
    r = _run(f"{path}:make", "--input-shape", "4,3,8,8", "--steps", "0")
    assert r.returncode == 2 and "--steps: must be at least 1" in r.stderr
    r = _run("missing.py:make", "--input-shape", "4")
    assert r.returncode != 0 and "no such model file" in r.stderr


def test_bench_reports_a_model_error_in_one_line(tmp_path):
    path = tmp_path / "net.py"
    path.write_text(MODEL)
    r = _run(f"{path}:make", "--input-shape", "4,8")
    assert r.returncode == 1 and "the model failed in torch" in r.stderr and "Traceback" not in r.stderr
