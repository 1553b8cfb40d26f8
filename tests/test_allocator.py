"""The malloc thresholds tensorlite sets at import (tensorlite/backend/allocator.py)."""
import os
import platform
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def _tuned_in_fresh_process(env_value):
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("TENSORLITE_MALLOC_TUNING", None)
    if env_value is not None:
        env["TENSORLITE_MALLOC_TUNING"] = env_value
    code = ("import tensorlite\nfrom tensorlite.backend import allocator as a\n"
            "print(a.tuned(), a.tune(), a.tuned())")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_import_sets_the_thresholds_on_glibc_and_only_once():
    assert _tuned_in_fresh_process(None) == [str(GLIBC)] * 3


def test_environment_opts_out():
    for value in ("0", "off"):
        assert _tuned_in_fresh_process(value) == ["False"] * 3


def test_big_arrays_are_reused_without_new_page_faults():
    """Freed and reallocated 8 MB arrays (a ResNet-20 activation) cost no new minor faults once the
    heap holds them: the point of the setting."""
    if not GLIBC:
        return
    code = """
import resource, numpy as np, tensorlite
def step():
    bufs = [np.ones(2 << 20, np.float32) for _ in range(6)]       # 6 x 8 MB, written (touched)
    del bufs
step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(5):
    step()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for value, expect_few in (("1", True), ("0", False)):
        env["TENSORLITE_MALLOC_TUNING"] = value
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
        faults = int(out.stdout.strip())
        # 5 steps x 48 MB = 60,000 pages if every buffer were faulted in anew; glibc's defaults
        # (dynamic mmap threshold, trim at 128 KB) fault in a good part of them again
        assert (faults < 2000) if expect_few else (faults > 5000), (value, faults)
