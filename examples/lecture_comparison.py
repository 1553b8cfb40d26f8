"""The lecture's CIFAR-10 comparison, rebuilt: MLP, the MATLAB CNN without and with BatchNorm,
LeNet-5 and ResNet-20, in one table beside the lecture's figures.

    python examples/lecture_comparison.py                 # train what is missing, then the table
    python examples/lecture_comparison.py --only mlp_cifar10 --time-limit 30
    python examples/lecture_comparison.py --table-only    # just rebuild the table from results

Each network trains with the training command (`python -m tensorlite.train`) into
examples/results/<model>/; a run stopped by --time-limit or Ctrl-C resumes on the next call.
LeNet-5 and ResNet-20 come from their own scripts (train_lenet.py, train_resnet.py).
"""
import argparse
import json
import os
import sys

from tensorlite.train import main as train_main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = os.path.join("examples", "results")      # relative to ROOT, so checkpoints stay portable

# The lecture's reported test accuracies (%), and how it trained (MATLAB, CPU).
LECTURE = {
    "mlp_cifar10": (40.07, "MLP 3072-1000-512-10, tanh (MATLAB traingdx, lr 0.01, up to 200 epochs)"),
    "matlab_cnn": (71.08, "MATLAB CNN (sgdm lr 0.001, step /10 at epoch 8, L2 0.004, 10 epochs, batch 100)"),
    "matlab_cnn_bn": (74.94, "the same CNN with BatchNorm after each convolution"),
    "lenet5": (None, "LeNet-5"),
    "resnet20": (None, "ResNet-20 (He et al. 2015 report 91.25%)"),
}

# tensorlite's recipes. The CNNs use the project's standard one (SGD Nesterov, cosine, crop+flip);
# the MLP trains without augmentation, which a fully connected net cannot exploit in 20 epochs.
RECIPES = {
    "mlp_cifar10": ["--epochs", "20", "--lr", "0.01", "--weight-decay", "5e-4", "--no-augment"],
    "matlab_cnn": ["--epochs", "15", "--lr", "0.05", "--weight-decay", "5e-4"],
    "matlab_cnn_bn": ["--epochs", "15", "--lr", "0.1", "--weight-decay", "5e-4"],
}


def train(model, extra):
    out = os.path.join(RESULTS, model)
    if os.path.exists(os.path.join(out, f"{model}_final.safetensors")):
        print(f"{model}: finished run found in {out}; skipping (delete it to retrain)")
        return 0
    last = os.path.join(out, "last.safetensors")
    if os.path.exists(last):
        return train_main(["--resume", last] + extra)
    return train_main(["--model", model, "--out", out] + RECIPES[model] + extra)


def table():
    rows = ["| network | lecture | tensorlite | top-5 | epochs | wall time | recipe |",
            "|---|---:|---:|---:|---:|---:|---|"]
    data = {}
    for model, (lecture, what) in LECTURE.items():
        path = os.path.join(RESULTS, model, "metrics.json")
        if not os.path.exists(path):
            rows.append(f"| {what} | {lecture or '-'} | not run yet | | | | |")
            continue
        with open(path) as fh:
            m = json.load(fh)
        h, a = m["history"], m["args"]
        done = os.path.exists(os.path.join(RESULTS, model, f"{model}_final.safetensors"))
        acc, top5 = 100 * h[-1]["test_acc"], 100 * h[-1]["test_top5"]
        minutes = sum(r["seconds"] for r in h) / 60
        recipe = (f"{a['optimizer']} lr {a['lr']}, {a['schedule']}, wd {a['weight_decay']}, "
                  f"{_augmentation(a)}, batch {a['batch_size']}")
        epochs = f"{len(h)}" + ("" if done else f" of {a['epochs']} (running)")
        rows.append(f"| {what} | {lecture if lecture is not None else '-'} | {acc:.2f}% | {top5:.2f}% | {epochs} "
                    f"| {minutes:.1f} min | {recipe} |")
        data[model] = {"lecture": lecture, "test_acc": acc, "top5": top5, "epochs": len(h),
                       "finished": done, "minutes": minutes}
    text = "\n".join(rows) + "\n"
    _write_atomic(os.path.join(RESULTS, "lecture_comparison.md"), text)
    _write_atomic(os.path.join(RESULTS, "lecture_comparison.json"), json.dumps(data, indent=2))
    print(text)


def _augmentation(args):
    if not args["augment"]:
        return "no augmentation"
    pad = args.get("crop_padding", 4)     # runs from before --crop-padding existed used 4
    return "crop+flip" if pad == 4 else f"crop (padding {pad})+flip"


def _write_atomic(path, text):
    with open(path + ".tmp", "w") as fh:
        fh.write(text)
    os.replace(path + ".tmp", path)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", nargs="*", choices=sorted(RECIPES), help="train just these networks")
    p.add_argument("--table-only", action="store_true")
    p.add_argument("--time-limit", type=float, default=None, help="minutes per network before pausing")
    p.add_argument("--threads", type=int, default=None)
    p.add_argument("--no-progress", action="store_true")
    args = p.parse_args(argv)
    os.chdir(ROOT)
    extra = (["--time-limit", str(args.time_limit)] if args.time_limit else []) + \
            (["--threads", str(args.threads)] if args.threads else []) + \
            (["--no-progress"] if args.no_progress else [])
    if not args.table_only:
        for model in args.only or RECIPES:
            rc = train(model, extra)
            if rc:
                return rc
    table()
    return 0


if __name__ == "__main__":
    sys.exit(main())
