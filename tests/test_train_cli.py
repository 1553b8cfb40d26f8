"""The training and evaluation commands as a user drives them: flag validation, resume semantics,
data-directory rules, model inference in evaluate, --help, and the README's commands.

Every command runs in its own process: one driver process imports tensorlite once, replaces
tl.data.CIFAR10 by a small synthetic data set (so nothing is downloaded and no real data is
needed), then forks a child per command that calls the module's main(argv) and exits with its
code, exactly as `python -m tensorlite.train ...` does; stdout and stderr are captured per child."""
import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import tensorlite as tl

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRAIN, EVAL = "tensorlite.train", "tensorlite.evaluate"

DRIVER = r'''
import importlib, json, os, sys, traceback
import numpy as np
import tensorlite as tl
import tensorlite.train, tensorlite.evaluate, tensorlite.plots
tensorlite.plots._plt()

class FakeCIFAR10:
    """n images per split (FAKE_N_TRAIN / FAKE_N_TEST), ten classes, each tinted by its class."""
    classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    def __init__(self, root=None, train=True, download=False, transform=None, target_transform=None):
        n = int(os.environ["FAKE_N_TRAIN" if train else "FAKE_N_TEST"])
        rng = np.random.default_rng(1 if train else 2)
        labels = rng.permutation(np.arange(n) % 10)
        img = rng.integers(0, 100, (n, 32, 32, 3))
        img[np.arange(n), :, :, labels % 3] += 15 * labels[:, None, None]
        self.data, self.targets, self.root = img.astype(np.uint8), labels.tolist(), root

if os.environ.get("FAKE_CIFAR", "1") == "1":
    tl.data.CIFAR10 = FakeCIFAR10
results = []
for i, case in enumerate(json.load(open(sys.argv[1]))):
    out, err = sys.argv[1] + f".{i}.out", sys.argv[1] + f".{i}.err"
    pid = os.fork()
    if pid == 0:
        fo, fe = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(fo, 1), os.dup2(fe, 2)
        code = 1
        try:
            os.chdir(case["cwd"])
            code = importlib.import_module(case["module"]).main(case["argv"])
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else (print(e.code, file=sys.stderr) or 1))
        except BaseException:
            traceback.print_exc()
        sys.stdout.flush(), sys.stderr.flush()
        os._exit(code or 0)
    _, status = os.waitpid(pid, 0)
    results.append({"rc": os.waitstatus_to_exitcode(status), "out": open(out).read(), "err": open(err).read()})
print(json.dumps(results))
'''


def run_commands(tmp_path, cases, fake=True, n_train=256, n_test=50):
    """cases: (module, argv[, cwd]); returns [{'rc', 'out', 'err'}] in order."""
    spec = [{"module": c[0], "argv": [str(a) for a in c[1]], "cwd": str(c[2] if len(c) > 2 else tmp_path)}
            for c in cases]
    path = tmp_path / f"cases-{len(list(tmp_path.glob('cases-*.json')))}.json"
    path.write_text(json.dumps(spec))
    env = dict(os.environ, FAKE_CIFAR="1" if fake else "0", FAKE_N_TRAIN=str(n_train), FAKE_N_TEST=str(n_test),
               PYTHONPATH=REPO)
    proc = subprocess.run([sys.executable, "-c", DRIVER, str(path)], capture_output=True, text=True, env=env,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def assert_usage_error(r, fragment, prog):
    """Exit code 2, no traceback, and the last stderr line is 'prog: error: ...fragment...'."""
    assert r["rc"] == 2, r
    assert "Traceback" not in r["err"], r["err"]
    lines = r["err"].strip().splitlines()
    assert lines[0].startswith(f"usage: python -m {prog}"), r["err"]
    assert lines[-1].startswith(f"python -m {prog}: error: "), r["err"]
    assert fragment in lines[-1], (fragment, lines[-1])


# ------------------------------------------------------------------------------------------ flags
BAD_TRAIN = [
    (["--batch-size", "0"], "argument --batch-size: must be a positive integer, got 0"),
    (["--batch-size", "-1"], "argument --batch-size: must be a positive integer, got -1"),
    (["--batch-size", "1.5"], "argument --batch-size: must be an integer, got '1.5'"),
    (["--batch-size", "200", "--subset", "100"], "argument --batch-size: 200 is larger than the 100 training"),
    (["--epochs", "0"], "argument --epochs: must be a positive integer, got 0"),
    (["--epochs", "-3"], "argument --epochs: must be a positive integer, got -3"),
    (["--lr", "-1"], "argument --lr: must be a number in (0, 10], got -1"),
    (["--lr", "0"], "argument --lr: must be a number in (0, 10], got 0"),
    (["--lr", "nan"], "argument --lr: must be a finite number, got 'nan'"),
    (["--lr", "inf"], "argument --lr: must be a finite number"),
    (["--lr", "abc"], "argument --lr: must be a number, got 'abc'"),
    (["--momentum", "1"], "argument --momentum: must be a number in [0, 1), got 1"),
    (["--momentum", "-0.1"], "argument --momentum: must be a number in [0, 1)"),
    (["--momentum", "0.5", "--optimizer", "adam"], "argument --momentum: only used with --optimizer sgd"),
    (["--no-nesterov", "--optimizer", "adamw"], "argument --nesterov: only used with --optimizer sgd"),
    (["--weight-decay", "-1e-4"], "argument --weight-decay: must be a number in [0, 1], got -1e-4"),
    (["--weight-decay", "2"], "argument --weight-decay: must be a number in [0, 1]"),
    (["--warmup-epochs", "-1"], "argument --warmup-epochs: must be a non-negative number, got -1"),
    (["--warmup-epochs", "5", "--epochs", "5"], "argument --warmup-epochs: must be less than --epochs (5), got 5"),
    (["--label-smoothing", "1"], "argument --label-smoothing: must be a number in [0, 1), got 1"),
    (["--label-smoothing", "-0.1"], "argument --label-smoothing: must be a number in [0, 1)"),
    (["--crop-padding", "-1"], "argument --crop-padding: must be an integer in [0, 16], got -1"),
    (["--crop-padding", "17"], "argument --crop-padding: must be an integer in [0, 16], got 17"),
    (["--crop-padding", "2", "--no-augment"], "argument --crop-padding: has no effect with --no-augment"),
    (["--subset", "0"], "argument --subset: must be an integer in [1, 50000], got 0"),
    (["--subset", "50001"], "argument --subset: must be an integer in [1, 50000], got 50001"),
    (["--val-split", "-1"], "argument --val-split: must be an integer in [0, 49999], got -1"),
    (["--val-split", "300", "--subset", "300"], "argument --val-split: must be less than the 300 training images"),
    (["--patience", "-1"], "argument --patience: must be a non-negative integer, got -1"),
    (["--patience", "3"], "argument --patience: needs --val-split N"),
    (["--seed", "-1"], "argument --seed: must be an integer in [0, 18446744073709551615], got -1"),
    (["--threads", "0"], "argument --threads: must be a positive integer, got 0"),
    (["--max-steps", "0"], "argument --max-steps: must be a positive integer, got 0"),
    (["--time-limit", "0"], "argument --time-limit: must be a positive number, got 0"),
    (["--time-limit", "-5"], "argument --time-limit: must be a positive number, got -5"),
    (["--milestones", "0.8,0.5", "--schedule", "step"], "argument --milestones: must be comma-separated increasing"),
    (["--milestones", "1.5", "--schedule", "step"], "argument --milestones: must be comma-separated increasing"),
    (["--milestones", "0.5"], "argument --milestones: only used with --schedule step"),
    (["--model", "nope"], "argument --model: invalid choice: 'nope'"),
    (["--optimizer", "rmsprop"], "argument --optimizer: invalid choice: 'rmsprop'"),
    (["--schedule", "linear"], "argument --schedule: invalid choice: 'linear'"),
    (["--download", "--no-download"], "argument --download: not allowed with argument --no-download"),
    (["--data-dir", "{tmp}/no/such/dir"], "argument --data-dir: {tmp}/no/such/dir does not exist; pass --download"),
    (["--data-dir", "{tmp}/a_file"], "argument --data-dir: {tmp}/a_file is a file, not a directory"),
    (["--out", "{tmp}/a_file"], "argument --out: {tmp}/a_file is a file, not a directory"),
    (["--resume", "{tmp}/missing.safetensors"], "argument --resume: no such file: {tmp}/missing.safetensors"),
    (["--init-from", "{tmp}/missing.safetensors"], "argument --init-from: no such file"),
    (["--override"], "argument --override: only used with --resume"),
    (["--resume", "{tmp}/a_file", "--init-from", "{tmp}/a_file"], "argument --init-from: not allowed with argument --resume"),
    (["--resume", "{tmp}/a_file"], "argument --resume: cannot read {tmp}/a_file"),
]
BAD_EVAL = [
    (["--checkpoint", "{tmp}/missing.safetensors"], "argument --checkpoint: no such file: {tmp}/missing.safetensors"),
    ([], "the following arguments are required: --checkpoint"),
    (["--checkpoint", "{lenet}", "--model", "nope"], "argument --model: invalid choice: 'nope'"),
    (["--checkpoint", "{lenet}", "--batch-size", "0"], "argument --batch-size: must be a positive integer, got 0"),
    (["--checkpoint", "{lenet}", "--threads", "-2"], "argument --threads: must be a positive integer, got -2"),
    (["--checkpoint", "{lenet}", "--data-dir", "{tmp}/nowhere"], "argument --data-dir: {tmp}/nowhere does not exist"),
    (["--checkpoint", "{lenet}", "--plots", "{tmp}/a_file"], "argument --plots: {tmp}/a_file is a file"),
]
LENET = os.path.join(REPO, "examples", "results", "lenet5", "lenet5_final.safetensors")
RESNET = os.path.join(REPO, "examples", "results", "resnet20", "resnet20_final.safetensors")


def test_every_bad_flag_value_is_a_one_line_usage_error_with_exit_code_2(tmp_path):
    (tmp_path / "a_file").write_text("not a checkpoint")
    fill = {"tmp": str(tmp_path), "lenet": LENET}
    cases = [(TRAIN, [a.format(**fill) for a in argv]) for argv, _ in BAD_TRAIN]
    cases += [(EVAL, [a.format(**fill) for a in argv]) for argv, _ in BAD_EVAL]
    results = run_commands(tmp_path, cases)
    for (argv, fragment), r in zip(BAD_TRAIN, results):
        assert_usage_error(r, fragment.format(**fill), TRAIN)
    for (argv, fragment), r in zip(BAD_EVAL, results[len(BAD_TRAIN):]):
        assert_usage_error(r, fragment.format(**fill), EVAL)
    assert not (tmp_path / "no").exists()                 # a mistyped --data-dir is not created
    assert not (tmp_path / "runs").exists()               # nothing was written by a rejected command


def test_bad_values_through_python_dash_m():
    for argv, line in [(["--batch-size", "0"], "error: argument --batch-size: must be a positive integer, got 0"),
                       (["--epochs", "-3"], "error: argument --epochs: must be a positive integer, got -3")]:
        proc = subprocess.run([sys.executable, "-m", TRAIN, *argv], capture_output=True, text=True, cwd=REPO)
        assert proc.returncode == 2 and proc.stdout == ""
        assert proc.stderr.startswith("usage: python -m tensorlite.train")
        assert proc.stderr.strip().splitlines()[-1] == f"python -m tensorlite.train: {line}"


def test_help_has_one_line_help_and_a_default_for_every_flag_in_groups():
    from tensorlite import evaluate, train
    for parser, groups in [(train.build_parser(), ["model", "optimisation", "data", "output", "speed", "distributed"]),
                           (evaluate.build_parser(), ["model", "data", "output", "speed"])]:
        text = parser.format_help()
        for g in groups:
            assert f"\n{g}:\n" in text, g
        assert "examples:\n  python -m tensorlite." in text
        for action in parser._actions:
            if action.dest == "help":
                continue
            assert action.help and "\n" not in action.help, action.dest
            if action.nargs != 0 or action.option_strings[0].startswith("--nesterov") \
                    or action.option_strings[0].startswith("--augment"):
                assert "(default: " in action.help or action.required, action.dest
    proc = subprocess.run([sys.executable, "-m", TRAIN, "--help"], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0 and "--resume CKPT" in proc.stdout and "(default: 30)" in proc.stdout


# ------------------------------------------------------------------------------------------ resume
def _weights(path):
    return {k: v.numpy() for k, v in tl.load(path).items()}


def test_resume_semantics(tmp_path):
    fake = tmp_path / "data"
    fake.mkdir()
    common = ["--data-dir", fake, "--no-progress", "--threads", "1", "--subset", "64", "--batch-size", "32",
              "--model", "lenet5"]
    A, B, C, D, E, F = (tmp_path / n for n in "ABCDEF")
    final = "lenet5_final.safetensors"
    r = run_commands(tmp_path, [
        (TRAIN, [*common, "--epochs", "2", "--out", A, "--max-steps", "3"]),                       # 0 pauses
        (TRAIN, ["--resume", A / "last.safetensors", "--batch-size", "16", "--lr", "0.3", "--no-augment"]),  # 1
        (TRAIN, ["--resume", A / "last.safetensors", "--epochs", "1"]),                            # 2
        (TRAIN, ["--resume", A / "last.safetensors", "--out", B, "--no-progress"]),                # 3 into B
        (TRAIN, [*common, "--epochs", "2", "--out", C]),                                           # 4 uninterrupted
        (TRAIN, ["--resume", B / "last.safetensors"]),                                             # 5 finished
        (TRAIN, ["--resume", B / "last.safetensors", "--epochs", "3", "--max-steps", "1"]),        # 6 extend
        (TRAIN, [*common, "--epochs", "3", "--out", D, "--max-steps", "5"]),                       # 7 reference
        (TRAIN, ["--resume", B / "last.safetensors", "--override", "--lr", "0.01", "--epochs", "1",
                 "--out", E]),                                                                      # 8 fine-tune
        (TRAIN, ["--resume", B / "last.safetensors", "--override", "--out", B]),                   # 9 refused
        (TRAIN, ["--resume", C / final]),                                                          # 10 weights
        (TRAIN, ["--init-from", C / final, *common, "--epochs", "1", "--out", F]),                 # 11
        (TRAIN, ["--init-from", C / final, "--model", "resnet8", "--out", tmp_path / "G"]),        # 12
    ])
    assert r[0]["rc"] == 0 and "paused at epoch 2, step 1/2" in r[0]["out"], r[0]
    assert_usage_error(r[1], "argument --resume: --batch-size 16 conflicts with the checkpoint's 32; --lr 0.3 "
                             "conflicts with the checkpoint's 0.05; --no-augment conflicts with the checkpoint's "
                             "--augment (a resume continues the checkpoint's run: pass --override", TRAIN)
    assert_usage_error(r[2], "argument --epochs: the checkpoint already completed 1 epochs", TRAIN)
    # --out is honoured; the checkpoint's own directory is left as it was
    assert r[3]["rc"] == 0 and f"writing to {B}" in r[3]["out"], r[3]
    assert not (A / final).exists() and tl.load(A / "last.safetensors")["step"] == 1
    a, b = _weights(C / final), _weights(B / final)              # resumed elsewhere == uninterrupted
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert_usage_error(r[5], f"argument --resume: the run in {B}/last.safetensors already finished its 2 epochs", TRAIN)
    # extending re-plans the schedule: the lr after the resume is that of a run started with --epochs 3
    assert r[6]["rc"] == 0 and "schedule re-planned from 2 to 3 epochs" in r[6]["out"], r[6]
    assert r[7]["rc"] == 0, r[7]
    ext, ref = tl.load(B / "last.safetensors"), tl.load(D / "last.safetensors")
    assert (ext["epoch"], ext["step"]) == (ref["epoch"], ref["step"]) == (2, 1)
    lr_ext, lr_ref = ext["optimizer"]["param_groups"][0]["lr"], ref["optimizer"]["param_groups"][0]["lr"]
    assert lr_ext == pytest.approx(lr_ref, rel=1e-9) and 0 < lr_ref < 0.05
    assert json.loads(ext["args"])["epochs"] == 3
    # --override: a new run from the weights, with the new settings, in --out
    assert r[8]["rc"] == 0 and "new run from the weights" in r[8]["out"], r[8]
    assert "settings changed: --lr 0.01 instead of 0.05, --epochs 1 instead of 3;" in r[8]["out"], r[8]["out"]
    m = json.loads((E / "metrics.json").read_text())
    assert m["args"]["lr"] == 0.01 and m["args"]["batch_size"] == 32 and len(m["history"]) == 1
    assert_usage_error(r[9], f"argument --out: {B} holds the run the weights in {B}/last.safetensors come from", TRAIN)
    assert_usage_error(r[10], "holds model weights only, not a training checkpoint", TRAIN)
    assert f"--init-from {C}/{final}" in r[10]["err"] and "--override" in r[10]["err"]
    assert r[11]["rc"] == 0 and (F / final).exists(), r[11]
    assert_usage_error(r[12], "argument --init-from: checkpoint is a lenet5, --model says resnet8", TRAIN)
    # the model's name travels in every file's metadata
    for path in (C / final, C / "lenet5_best.safetensors", C / "last.safetensors"):
        assert tl.serialization.read_metadata(path)["model"] == "lenet5"
    assert os.path.getsize(C / "curves.png") > 0


def test_init_from_weights_that_do_not_fit_is_one_line(tmp_path):
    state = tl.models.get_model("lenet5").state_dict()
    broken = {k: v for k, v in list(state.items())[:-1]}        # drop the last bias: no model matches
    tl.save(broken, tmp_path / "broken.safetensors")
    (tmp_path / "data").mkdir()
    r = run_commands(tmp_path, [
        (TRAIN, ["--init-from", tmp_path / "broken.safetensors", "--data-dir", tmp_path / "data"]),
        (TRAIN, ["--init-from", tmp_path / "broken.safetensors", "--model", "lenet5", "--data-dir", tmp_path / "data"]),
    ])
    assert_usage_error(r[0], "cannot tell which model", TRAIN)
    last = list(state)[-1]
    assert_usage_error(r[1], f"the weights do not fit lenet5: 1 missing keys ({last})", TRAIN)


# ------------------------------------------------------------------------------------------ evaluate, data
def test_evaluate_infers_the_model_and_writes_table_and_plot(tmp_path):
    r = run_commands(tmp_path, [
        (EVAL, ["--checkpoint", LENET, "--data-dir", tmp_path, "--plots", tmp_path / "plots",
                "--json", tmp_path / "ev.json"]),
        (EVAL, ["--model", "resnet20", "--checkpoint", LENET, "--data-dir", tmp_path]),
        (EVAL, ["--model", "lenet5", "--checkpoint", RESNET, "--data-dir", tmp_path]),
        (EVAL, ["--checkpoint", os.path.join(REPO, "examples", "results", "resnet20", "last.safetensors"),
                "--data-dir", tmp_path]),
    ], n_test=100)
    assert r[0]["rc"] == 0, r[0]
    assert "has no model metadata: inferred lenet5 from its keys and shapes" in r[0]["out"]
    table = r[0]["out"].split("per-class accuracy:\n")[1].splitlines()
    assert table[0].split()[:5] == ["class", "images", "correct", "accuracy", "precision"]
    assert [row.split()[0] for row in table[1:11]] == tl.data.CIFAR10.classes
    assert sum(int(row.split()[1]) for row in table[1:11]) == 100
    assert os.path.getsize(tmp_path / "plots" / "confusion.png") > 0
    assert json.loads((tmp_path / "ev.json").read_text())["model"] == "lenet5"
    assert_usage_error(r[1], "argument --checkpoint: checkpoint is a lenet5, --model says resnet20", EVAL)
    assert_usage_error(r[2], "argument --checkpoint: checkpoint is a resnet20, --model says lenet5", EVAL)
    assert len(r[2]["err"].splitlines()[-1]) < 200
    assert r[3]["rc"] == 0 and "resnet20 from" in r[3]["out"] and "inferred" not in r[3]["out"], r[3]


def test_missing_data_points_at_the_download_flag_and_download_announces_itself(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    r = run_commands(tmp_path, [
        (EVAL, ["--checkpoint", LENET, "--data-dir", empty]),
        (TRAIN, ["--data-dir", empty, "--no-download", "--epochs", "1"]),
    ], fake=False)
    for res, prog in zip(r, (EVAL, TRAIN)):
        assert res["rc"] == 2 and "Traceback" not in res["err"], res
        assert res["err"].startswith(f"python -m {prog}: error: CIFAR-10 is not available"), res["err"]
        assert "(pass --download)" in res["err"] and "download=True" not in res["err"]
    # with --download a new directory is announced before anything is fetched (the fake fetches nothing)
    r = run_commands(tmp_path, [(EVAL, ["--checkpoint", LENET, "--data-dir", tmp_path / "new", "--download"])])
    assert r[0]["rc"] == 0, r[0]
    lines = r[0]["out"].splitlines()
    at = lines.index(f"creating the data directory {tmp_path}/new")
    assert lines[at + 1].startswith(f"CIFAR-10 is not in {tmp_path}/new yet: fetching it (cifar-10-python.tar.gz")
    assert lines[at + 2].startswith(f"CIFAR-10 stored in {tmp_path}/new (decoded cache: 50 test images)")
    assert lines[at + 4].startswith("test accuracy:")


def test_fetch_url_says_what_and_where_and_shows_a_sized_progress_bar(tmp_path, capsys):
    from tensorlite.data import _download
    src = tmp_path / "src.bin"
    blob = os.urandom(3 << 20)
    src.write_bytes(blob)
    dest = tmp_path / "out" / "file.bin"
    _download.fetch_url(src.as_uri(), str(dest))
    assert dest.read_bytes() == blob
    err = capsys.readouterr().err
    assert f"downloading {src.as_uri()} (3.0 MiB) into {tmp_path}/out" in err
    assert "3.00M/3.00M" in err                            # tqdm bar, sized from Content-Length
    assert err.index("connecting to") < err.index("downloading") < err.index(f"received 3.0 MiB from {src.as_uri()}")
    with pytest.raises(_download.SourceError, match="download of .* failed"):
        _download.fetch_url((tmp_path / "nope").as_uri(), str(tmp_path / "x"))


# ------------------------------------------------------------------------------------------ README
def _readme_commands():
    text = re.sub(r"\s+", " ", open(os.path.join(REPO, "README.md")).read())
    quick = re.search(r"&& (python -m tensorlite\.train --model lenet5 [^`]*?) ?```", text).group(1)
    resume = re.search(r"`(--resume runs/lenet5/last\.safetensors)` continues", text).group(1)
    evals = re.findall(r"`(python -m tensorlite\.evaluate [^`]*)`", text)
    return quick.split()[3:], resume.split(), [e.split()[3:] for e in evals]


def test_readme_quick_start_resume_and_evaluate_commands_as_written(tmp_path):
    quick, resume, evals = _readme_commands()
    assert quick == ["--model", "lenet5", "--epochs", "80", "--weight-decay", "5e-5", "--crop-padding", "2"]
    assert resume == ["--resume", "runs/lenet5/last.safetensors"]
    assert ["--model", "lenet5", "--checkpoint", "runs/lenet5/lenet5_final.safetensors"] in evals
    assert len(evals) >= 3
    limit = ["--no-progress", "--threads", "1"]
    r = run_commands(tmp_path, [
        (TRAIN, [*quick, "--dry-run"]),
        (TRAIN, [*quick, "--subset", "256", "--max-steps", "3", *limit]),      # pauses inside epoch 2
        (TRAIN, [*resume, "--max-steps", "2", *limit]),                        # the README's resume
        (TRAIN, ["--model", "lenet5", "--epochs", "1", "--subset", "128", "--out", "runs/lenet5", *limit]),
        *[(EVAL, e, REPO if "examples/" in " ".join(e) else tmp_path) for e in evals],
    ])
    plan = r[0]["out"]
    assert r[0]["rc"] == 0 and "80 epochs x 390 steps of 128 images" in plan and "crop (padding 2)" in plan, r[0]
    assert "weight decay 5e-05" in plan and "output     runs/lenet5" in plan
    assert r[1]["rc"] == 0 and "paused at epoch 2, step 1/2" in r[1]["out"], r[1]
    assert re.search(r"run ETA \d\d:\d\d", r[1]["out"]), r[1]["out"]
    assert r[2]["rc"] == 0 and "resumed lenet5 from runs/lenet5/last.safetensors at epoch 2, step 1/2" in r[2]["out"]
    assert "paused at epoch 3, step 1/2" in r[2]["out"], r[2]
    hist = json.loads((tmp_path / "runs" / "lenet5" / "metrics.json").read_text())
    assert r[3]["rc"] == 0 and len(hist["history"]) == 1
    for res in r[4:]:
        assert res["rc"] == 0 and "test accuracy:" in res["out"] and "per-class accuracy:" in res["out"], res
