"""benchmarks/run.py's report naming: a second run on the same day must not overwrite the first."""
import importlib.util
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _run_module():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_reports_of_the_same_day_get_numbered_names(tmp_path):
    run = _run_module()
    assert run.free_stem(str(tmp_path), "2026-12-03") == str(tmp_path / "2026-12-03")
    (tmp_path / "2026-12-03.md").write_text("first run")
    assert run.free_stem(str(tmp_path), "2026-12-03") == str(tmp_path / "2026-12-03-2")
    (tmp_path / "2026-12-03-2.json").write_text("{}")        # either file of a pair marks it taken
    assert run.free_stem(str(tmp_path), "2026-12-03") == str(tmp_path / "2026-12-03-3")
    assert run.free_stem(str(tmp_path), "2026-12-03-quick") == str(tmp_path / "2026-12-03-quick")
