"""The training command's settings: its flags, the rules between them, and the `Plan` they resolve
to (a new run, a resume, or a new run from weights), all checked before any data is read.
`python -m tensorlite.train --help` and the docstring of tensorlite/train.py describe the flags."""
import argparse
import json
import os

import tensorlite as tl
from tensorlite.evaluate import (CIFAR10_TRAIN_IMAGES, add, add_data_flags, data_location, existing_file, float_in,
                                 int_in, is_training_checkpoint, read_checkpoint, resolve_model)

DESCRIPTION = "Train a model on CIFAR-10."


# Flags that define a run: a resume may not change them (without --override).
IDENTITY = ("model", "batch_size", "optimizer", "lr", "momentum", "nesterov", "weight_decay", "schedule",
            "milestones", "warmup_epochs", "label_smoothing", "augment", "crop_padding", "seed", "subset",
            "val_split")
# Flags of one invocation: never taken from a checkpoint.
INVOCATION = ("resume", "override", "init_from", "out", "download", "no_download", "max_steps", "time_limit",
              "no_progress", "dry_run")

EPILOG = """examples:
  python -m tensorlite.train --model lenet5 --epochs 80 --weight-decay 5e-5 --crop-padding 2
  python -m tensorlite.train --model resnet20 --epochs 60 --lr 0.1 --warmup-epochs 3 --label-smoothing 0.1
  python -m tensorlite.train --resume runs/lenet5/last.safetensors                # continue where it stopped
  python -m tensorlite.train --resume runs/lenet5/last.safetensors --epochs 100   # extend the schedule
  python -m tensorlite.train --init-from runs/lenet5/lenet5_final.safetensors --lr 0.005 --epochs 5 --out runs/ft
  python -m tensorlite.train --model resnet20 --dry-run                           # check flags, print the plan

resume: --resume continues the stored run with its settings; a run-defining flag (model, batch size,
optimizer and its settings, schedule, warm-up, label smoothing, augmentation, seed, subset, val split)
passed with another value is an error unless --override, which starts a new run from the weights.
--epochs N extends the run (the schedule is re-planned for N epochs). Output goes to --out, else the
checkpoint's directory.

data directory: the default (~/.cache/tensorlite/cifar10) is created and CIFAR-10 fetched into it
when missing; any other --data-dir must exist unless --download is given."""


def _milestones(text):
    try:
        marks = [float(f) for f in text.split(",")]
    except ValueError:
        marks = []
    if not marks or any(not 0 < m < 1 for m in marks) or marks != sorted(set(marks)):
        raise argparse.ArgumentTypeError(f"must be comma-separated increasing fractions in (0, 1), got {text!r}")
    return ",".join(f"{m:g}" for m in marks)


def build_parser():
    p = argparse.ArgumentParser(prog="python -m tensorlite.train", description=DESCRIPTION,
                                epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    models = tl.models.available_models()
    g = p.add_argument_group("model")
    add(g, "--model", default="lenet5", choices=models, metavar="NAME",
        help="network to train (one of: " + ", ".join(models) + ")")
    add(g, "--init-from", type=existing_file, metavar="PATH",
        help="start a new run from these model weights (strict; a weights file or a training checkpoint)")
    g = p.add_argument_group("optimisation")
    add(g, "--epochs", type=int_in(1), default=30, metavar="N", help="epochs to train")
    add(g, "--batch-size", type=int_in(1), default=128, metavar="N", help="images per optimizer step")
    add(g, "--optimizer", default="sgd", choices=["sgd", "adam", "adamw"], help="optimizer")
    add(g, "--lr", type=float_in(0, 10, lo_open=True), metavar="LR", show="0.05 for sgd, 1e-3 for adam/adamw",
        help="peak learning rate")
    add(g, "--momentum", type=float_in(0, 1, hi_open=True), default=0.9, metavar="M", help="SGD momentum")
    add(g, "--nesterov", action=argparse.BooleanOptionalAction, default=True, show="on", help="Nesterov momentum (SGD)")
    add(g, "--weight-decay", type=float_in(0, 1), default=5e-4, metavar="WD", help="L2 weight decay")
    add(g, "--schedule", default="cosine", choices=["cosine", "step", "constant", "onecycle"],
        help="learning-rate schedule, stepped every batch")
    add(g, "--milestones", type=_milestones, default="0.5,0.75", metavar="F,F",
        help="for --schedule step: fractions of training where the lr drops 10x")
    add(g, "--warmup-epochs", type=float_in(0), default=0.0, metavar="E", help="linear warm-up before the schedule")
    add(g, "--label-smoothing", type=float_in(0, 1, hi_open=True), default=0.0, metavar="S",
        help="cross-entropy label smoothing")
    add(g, "--seed", type=int_in(0, 2 ** 64 - 1), default=0, metavar="N", help="seed of every random draw")
    add(g, "--patience", type=int_in(0), default=0, metavar="N",
        help="early stopping after N epochs without validation improvement (needs --val-split; 0: off)")
    g = add_data_flags(p)
    add(g, "--subset", type=int_in(1, CIFAR10_TRAIN_IMAGES), metavar="N", show="all 50000",
        help="train on the first N training images only")
    add(g, "--val-split", type=int_in(0, CIFAR10_TRAIN_IMAGES - 1), default=0, metavar="N",
        help="hold out the last N training images for validation")
    add(g, "--augment", action=argparse.BooleanOptionalAction, default=True, show="on",
        help="random crop (see --crop-padding) and horizontal flip")
    add(g, "--crop-padding", type=int_in(0, 16), default=4, metavar="P",
        help="zero padding of the random crop; smaller is milder augmentation")
    g = p.add_argument_group("output")
    add(g, "--out", metavar="DIR", show="runs/<model>; with --resume: the checkpoint's directory",
        help="output directory")
    add(g, "--resume", type=existing_file, metavar="CKPT", help="continue the run in this last.safetensors")
    g.add_argument("--override", action="store_true",
                   help="with --resume: start a new run from the checkpoint's weights with the flags given")
    g.add_argument("--no-progress", action="store_true", help="plain log lines instead of a progress bar")
    g.add_argument("--dry-run", action="store_true", help="check the flags, print the plan and exit")
    g = p.add_argument_group("speed")
    add(g, "--threads", type=int_in(1), metavar="N", show="all cores; under MPI: cores / ranks",
        help="compute threads")
    add(g, "--max-steps", type=int_in(1), metavar="N",
        help="pause after N optimizer steps in this invocation (saves a resumable checkpoint)")
    add(g, "--time-limit", type=float_in(0, lo_open=True), metavar="MIN",
        help="pause after MIN minutes (saves a resumable checkpoint at a step boundary)")
    p.add_argument_group("distributed", "  no flags: under `mpirun -np N` each rank trains on 1/N of every\n"
                         "  --batch-size batch (which must divide by N); rank 0 alone logs and writes files")
    return p


def _flag(dest, value=None):
    """'--batch-size', '--batch-size 64', or '--no-augment' for a switched-off boolean flag."""
    name = "--" + dest.replace("_", "-")
    if isinstance(value, bool):
        return name if value else "--no-" + name[2:]
    return name if value is None else f"{name} {value}"


def _same(a, b):
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def _show(dest, value):
    if isinstance(value, bool):
        return _flag(dest, value)
    return "none" if value is None else str(value)


class Plan:
    """Everything a run needs, resolved and checked before any data is read."""

    def __init__(self, args, mode, source=None, ckpt=None, weights=None, out=None, root=None, download=False,
                 extended_from=None, changes=()):
        self.args, self.mode, self.source, self.ckpt, self.weights = args, mode, source, ckpt, weights
        self.out, self.root, self.download, self.extended_from = out, root, download, extended_from
        self.changes = list(changes)     # with --override: the settings changed from the checkpoint's


def _default_lr(ns):
    if ns.get("lr") is None:
        ns["lr"] = 0.05 if ns.get("optimizer", "sgd") == "sgd" else 1e-3


def prepare(parser, args, explicit, world):
    """Resolve --resume / --override / --init-from and check every cross-flag rule; parser.error
    (exit code 2, one line) on a user mistake."""
    if args.override and not args.resume:
        parser.error("argument --override: only used with --resume")
    if args.init_from and args.resume:
        parser.error("argument --init-from: not allowed with argument --resume (use --resume --override)")
    given = {k: getattr(args, k) for k in explicit}
    mode, source, ckpt, weights, extended, changes = "new", None, None, None, None, []
    ns = dict(vars(args))
    if args.resume:
        source = args.resume
        obj, state, meta = read_checkpoint(parser, "--resume", source)
        if not is_training_checkpoint(obj):
            if not args.override:
                parser.error(f"argument --resume: {source} holds model weights only, not a training checkpoint "
                             f"(no optimizer, schedule or epoch to continue); to fine-tune from it use --init-from "
                             f"{source} (or --resume {source} --override)")
            mode, weights = "override", (obj, state, meta)
        else:
            try:
                saved = json.loads(obj["args"])
            except (TypeError, ValueError):
                parser.error(f"argument --resume: {source}: the stored settings are unreadable")
            defaults = vars(build_parser().parse_args([]))          # flags added after it was written
            base = {**defaults, **{k: v for k, v in saved.items() if k in defaults}}
            _default_lr(base)
            conflicts = [f"{_flag(k, given[k])} conflicts with the checkpoint's {_show(k, base[k])}"
                         for k in IDENTITY if k in given and not _same(given[k], base[k])]
            ns = {**base, **given, **{k: getattr(args, k) for k in INVOCATION}}
            if args.override:
                mode, weights = "override", (obj, state, meta)
                changes = [c.replace(" conflicts with the checkpoint's ", " instead of ") for c in conflicts]
                if "epochs" in given and given["epochs"] != base["epochs"]:
                    changes.append(f"--epochs {given['epochs']} instead of {base['epochs']}")
            else:
                if conflicts:
                    parser.error("argument --resume: " + "; ".join(conflicts) + " (a resume continues the "
                                 "checkpoint's run: pass --override to start a new run from its weights instead)")
                done = int(obj["epoch"])
                if ns["epochs"] <= done:
                    if "epochs" in given:
                        parser.error(f"argument --epochs: the checkpoint already completed {done} epochs; pass "
                                     f"more than {done} to train further (or --override for a new run)")
                    parser.error(f"argument --resume: the run in {source} already finished its {done} epochs; "
                                 f"pass --epochs N with N > {done} to extend it, or --override to start a new run "
                                 f"from its weights")
                if ns["epochs"] != base["epochs"]:
                    extended = base["epochs"]
                mode, ckpt = "resume", obj
                ns["out"] = args.out or os.path.dirname(source) or "."
    elif args.init_from:
        source = args.init_from
        mode, weights = "init", read_checkpoint(parser, "--init-from", source)
    args = argparse.Namespace(**ns)
    _default_lr(vars(args))
    flag = "--resume" if args.resume else "--init-from"
    if weights is not None:
        obj, state, meta = weights
        args.model = resolve_model(parser, flag, source, obj, state, meta,
                                   given.get("model") or (args.model if mode == "override" and
                                                          is_training_checkpoint(obj) else None),
                                   say=world.print)
        weights = state
    out = args.out or os.path.join("runs", args.model)
    args.out = out
    _check_out_dir(parser, out)
    if weights is not None and os.path.abspath(out) == os.path.abspath(os.path.dirname(source) or "."):
        parser.error(f"argument --out: {out} holds the run the weights in {source} come from; a new run "
                     f"({flag}{' --override' if mode == 'override' else ''}) needs another --out")
    _check(parser, args, explicit, world)
    root, download = data_location(parser, args)
    return Plan(args, mode, source, ckpt, weights, out, root, download, extended, changes)


def _check_out_dir(parser, out):
    """--out must be a directory we can create or write, found out before any training."""
    probe = os.path.abspath(out)
    while not os.path.exists(probe):
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    if not os.path.isdir(probe):
        if probe == os.path.abspath(out):
            parser.error(f"argument --out: {out} is a file, not a directory")
        parser.error(f"argument --out: {out} cannot be created: {probe} is a file, not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        parser.error(f"argument --out: {out} cannot be written: no write permission in {probe}")


def _check(parser, args, explicit, world):
    """Rules between flags, on the final settings."""
    if args.out and os.path.exists(args.out) and not os.path.isdir(args.out):
        parser.error(f"argument --out: {args.out} is a file, not a directory")
    if args.schedule != "onecycle" and args.warmup_epochs >= args.epochs:
        parser.error(f"argument --warmup-epochs: must be less than --epochs ({args.epochs}), "
                     f"got {args.warmup_epochs:g}")
    if "milestones" in explicit and args.schedule != "step":
        parser.error(f"argument --milestones: only used with --schedule step (got --schedule {args.schedule})")
    for k in ("momentum", "nesterov"):
        if k in explicit and args.optimizer != "sgd":
            parser.error(f"argument {_flag(k)}: only used with --optimizer sgd (got --optimizer {args.optimizer})")
    if "crop_padding" in explicit and not args.augment:
        parser.error("argument --crop-padding: has no effect with --no-augment")
    if args.patience and not args.val_split:
        parser.error("argument --patience: needs --val-split N (early stopping watches the validation accuracy)")
    n = args.subset or CIFAR10_TRAIN_IMAGES
    if args.val_split >= n:
        parser.error(f"argument --val-split: must be less than the {n} training images, got {args.val_split}")
    if args.batch_size > n - args.val_split:
        parser.error(f"argument --batch-size: {args.batch_size} is larger than the {n - args.val_split} training "
                     f"images")
    if args.batch_size % world.size:
        parser.error(f"argument --batch-size: {args.batch_size} must be divisible by the number of MPI ranks "
                     f"({world.size}): each rank trains on an equal slice of every batch")


def describe(plan, steps, params):
    """The lines --dry-run prints: what the run would do."""
    a = plan.args
    opt = f"{a.optimizer} lr {a.lr:g}" + (f" momentum {a.momentum:g}{' nesterov' if a.nesterov else ''}"
                                           if a.optimizer == "sgd" else "") + f" weight decay {a.weight_decay:g}"
    sched = a.schedule + (f" (milestones {a.milestones})" if a.schedule == "step" else "") + (
        f" after {a.warmup_epochs:g} warm-up epochs" if a.warmup_epochs else "")
    data = ("present" if os.path.exists(os.path.join(plan.root, "cifar10-cache.json")) else
            "not there yet: " + ("would be downloaded" if plan.download else "missing (pass --download)"))
    lines = [f"model      {a.model} ({params:,} parameters)",
             f"training   {a.epochs} epochs x {steps} steps of {a.batch_size} images "
             f"({a.subset or CIFAR10_TRAIN_IMAGES} training images"
             + (f", {a.val_split} held out" if a.val_split else "") + f"), seed {a.seed}",
             f"optimizer  {opt}; {sched} schedule; label smoothing {a.label_smoothing:g}",
             f"augment    " + (f"crop (padding {a.crop_padding}) + flip" if a.augment else "off"),
             f"data       {plan.root} ({data})",
             f"output     {plan.out}"]
    if plan.mode == "resume":
        ck = plan.ckpt
        lines.append(f"resume     {plan.source}: epoch {ck['epoch'] + 1}, step {ck['step']}/{steps}"
                     + (f"; schedule re-planned from {plan.extended_from} to {a.epochs} epochs"
                        if plan.extended_from else ""))
    elif plan.mode in ("override", "init"):
        lines.append(f"weights    {plan.source} (model weights only; fresh optimizer, schedule and epochs)")
    return lines
