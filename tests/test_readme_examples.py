"""The README's code blocks that claim to run do run, exactly as written."""
import os
import re
import subprocess
import sys

README = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md")


def _block_after(heading):
    text = open(README, encoding="utf-8").read()
    section = text[text.index(heading):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def _run(code):
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)


def test_testing_your_own_op_block_runs_and_catches_a_wrong_backward():
    code = _block_after("## Testing your own op")
    assert len([line for line in code.splitlines() if line.strip()]) <= 20     # "in under 20 lines"
    r = _run(code)
    assert r.returncode == 0, r.stderr
    wrong = code.replace("return 3 * x * x * g", "return 2 * x * x * g")
    assert wrong != code
    r = _run(wrong)
    assert r.returncode != 0 and "GradcheckError" in r.stderr


def test_a_taste_block_runs():
    r = _run(_block_after("## A taste"))
    assert r.returncode == 0, r.stderr
