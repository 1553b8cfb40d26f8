"""Train a model on CIFAR-10.

    python -m tensorlite.train --model lenet5 --epochs 30
    python -m tensorlite.train --model resnet20 --epochs 60 --lr 0.1 --label-smoothing 0.1
    python -m tensorlite.train --resume runs/resnet20/last.safetensors

Each epoch it evaluates on the test set and writes, under --out: metrics.json, last.safetensors (a
full checkpoint: model, optimizer, scheduler, RNG, epoch and position inside the epoch), best and
final model weights (<model>_best.safetensors, <model>_final.safetensors, the model's name in
their metadata) and PNG plots (curves.png: loss, accuracy and learning rate). Ctrl-C (or SIGTERM)
finishes the current step, saves a checkpoint and exits.

Resuming. `--resume CKPT` continues the run stored in CKPT with the checkpoint's settings:
  * a flag that defines the run (model, batch size, optimizer, lr, momentum, nesterov, weight
    decay, schedule, milestones, warm-up, label smoothing, augmentation, crop padding, seed,
    subset, val split) passed with a value other than the checkpoint's is an error listing every
    conflict, unless --override is given: then a NEW run starts from the checkpoint's model weights
    (fresh optimizer, schedule and epoch counter) with the checkpoint's settings changed by the
    flags passed;
  * --epochs N with N larger than the epochs already completed extends (or shortens) the run to N
    epochs: the schedule is re-planned for N epochs, so from the resume point on the learning rate
    is what a run started with --epochs N has at that step (for cosine: T_max becomes N epochs);
    N not above the completed epochs is an error, and so is resuming a finished run without a
    larger --epochs;
  * --out is honoured; without it the run continues in the checkpoint's own directory. Nothing is
    written anywhere else. --threads, --data-dir and --patience keep the checkpoint's values unless
    passed (the same --threads keeps a resumed run bit-identical to an uninterrupted one);
    --max-steps, --time-limit and --no-progress apply to this invocation only.
A weights-only file (e.g. lenet5_final.safetensors) is not a run: fine-tune from it with
`--init-from PATH` (model weights only, strict) or `--resume PATH --override`. A new run from
weights (--init-from, --override) must not write into the directory the weights came from.

Under MPI (`mpirun -np N python -m tensorlite.train ...`) each rank trains on 1/N of every batch
of --batch-size images (the global batch) with DistributedDataParallel; rank 0 alone logs and
writes files, and every rank resumes from the same --resume checkpoint."""
import argparse
import json
import os
import signal
import sys
import time
import warnings

import numpy as np

import tensorlite as tl
from tensorlite.distributed.training import TrainingWorld
from tensorlite.evaluate import (CIFAR10_TRAIN_IMAGES, add, add_data_flags, attach_negative_values, data_location,
                                 existing_file, explicit_flags, float_in, int_in, is_training_checkpoint, load_cifar10,
                                 metrics_from_logits, normalize_batch, read_checkpoint, resolve_model)
from tensorlite.nn import functional as F

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
    p = argparse.ArgumentParser(prog="python -m tensorlite.train", description=__doc__.splitlines()[0],
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
                 extended_from=None):
        self.args, self.mode, self.source, self.ckpt, self.weights = args, mode, source, ckpt, weights
        self.out, self.root, self.download, self.extended_from = out, root, download, extended_from


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
    plan = Plan(args, mode, source, ckpt, weights, out, root, download, extended)
    plan.changes = changes
    return plan


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


def make_optimizer(args, model):
    params = model.parameters()
    if args.optimizer == "sgd":
        return tl.optim.SGD(params, lr=args.lr, momentum=args.momentum, nesterov=args.nesterov and args.momentum > 0,
                            weight_decay=args.weight_decay)
    cls = tl.optim.Adam if args.optimizer == "adam" else tl.optim.AdamW
    return cls(params, lr=args.lr, weight_decay=args.weight_decay)


def make_scheduler(args, optimizer, steps_per_epoch):
    """A per-step schedule: optional linear warm-up, then cosine / step / constant."""
    S = tl.optim.lr_scheduler
    total = args.epochs * steps_per_epoch
    warm = int(round(args.warmup_epochs * steps_per_epoch))
    if args.schedule == "onecycle":
        return S.OneCycleLR(optimizer, max_lr=args.lr, total_steps=total)
    rest = max(total - warm, 1)
    if args.schedule == "cosine":
        main = S.CosineAnnealingLR(optimizer, T_max=rest)
    elif args.schedule == "step":
        marks = [int(float(f) * total) - warm for f in args.milestones.split(",")]
        main = S.MultiStepLR(optimizer, milestones=[m for m in marks if m > 0], gamma=0.1)
    else:
        main = S.LambdaLR(optimizer, lambda step: 1.0)
    if warm <= 0:
        return main
    warmup = S.LinearLR(optimizer, start_factor=1.0 / max(warm, 1), end_factor=1.0, total_iters=warm)
    return S.SequentialLR(optimizer, [warmup, main], milestones=[warm])


def _advance(scheduler, n):
    """Step a fresh scheduler n times without optimizer steps (re-planning an extended run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for _ in range(n):
            scheduler.step()


def planned_lrs(args, steps_per_epoch, points=2000):
    """(epoch positions, lr) of the whole schedule, at most `points` samples, for the lr panel."""
    opt = tl.optim.SGD([tl.nn.Parameter(tl.zeros(1))], lr=args.lr)
    sched = make_scheduler(args, opt, steps_per_epoch)
    total = args.epochs * steps_per_epoch
    every = max(total // points, 1)
    xs, ys = [0.0], [opt.param_groups[0]["lr"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        for i in range(1, total + 1):
            sched.step()
            if i % every == 0 or i == total:
                xs.append(i / steps_per_epoch)
                ys.append(opt.param_groups[0]["lr"])
    return xs, ys


def augment(images, rng, padding=4):
    """Random crop with `padding`-pixel zero padding and horizontal flip, one draw per image (NHWC uint8)."""
    n, p = len(images), padding
    padded = np.zeros((n, 32 + 2 * p, 32 + 2 * p, 3), dtype=np.uint8)
    padded[:, p:p + 32, p:p + 32] = images
    dy, dx = rng.integers(0, 2 * p + 1, n), rng.integers(0, 2 * p + 1, n)
    rows = dy[:, None] + np.arange(32)[None, :]
    cols = dx[:, None] + np.arange(32)[None, :]
    flip = rng.random(n) < 0.5
    cols = np.where(flip[:, None], cols[:, ::-1], cols)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def _atomic_json(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "w") as fh:
        json.dump(obj, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def _load_data(parser, plan, say):
    args = plan.args
    train, test = load_cifar10(parser, plan.root, plan.download, say=say)
    x, y = train.data, np.asarray(train.targets, dtype=np.int64)
    if args.subset:
        x, y = x[:args.subset], y[:args.subset]
    val = None
    if args.val_split:
        if args.val_split >= len(x):
            parser.error(f"argument --val-split: must be less than the {len(x)} training images, got {args.val_split}")
        val = (x[-args.val_split:], y[-args.val_split:])
        x, y = x[:-args.val_split], y[:-args.val_split]
    if len(x) < args.batch_size:
        parser.error(f"argument --batch-size: {args.batch_size} is larger than the {len(x)} training images")
    return (x, y), val, (test.data, np.asarray(test.targets, dtype=np.int64)), test.classes


def _hms(seconds):
    s = int(round(max(seconds, 0)))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60:02d}:{s % 60:02d}"


class _Clock:
    """ETA of the whole run: measured seconds per step and per end-of-epoch evaluation."""

    def __init__(self, epochs, steps):
        self.epochs, self.steps = epochs, steps
        self.step_s, self.n_steps, self.eval_s, self.n_evals = 0.0, 0, 0.0, 0

    def eta(self, epoch, step):
        """Seconds left when `step` steps of epoch `epoch` (0-based) are done."""
        if not self.n_steps:
            return None
        left = (self.steps - step) + (self.epochs - epoch - 1) * self.steps
        per_eval = self.eval_s / self.n_evals if self.n_evals else 0.0     # this epoch's evaluation included
        return left * self.step_s / self.n_steps + max(self.epochs - epoch, 0) * per_eval


def _describe(plan, steps, params):
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


def main(argv=None):
    parser = build_parser()
    argv = attach_negative_values(parser, sys.argv[1:] if argv is None else [str(a) for a in argv])
    args = parser.parse_args(argv)
    explicit = explicit_flags(build_parser, argv)
    world = TrainingWorld()
    plan = prepare(parser, args, explicit, world)
    if args.dry_run:
        a = plan.args
        steps = ((a.subset or CIFAR10_TRAIN_IMAGES) - a.val_split) // a.batch_size
        params = sum(p.numel() for p in tl.models.get_model(a.model).parameters())
        world.print("\n".join(["dry run: nothing is trained or written", *_describe(plan, steps, params)]))
        return 0
    try:
        return run(parser, plan, world)
    except OSError as e:
        # the machine, not the code: a full disk, a vanished directory. Files already written are whole
        # (every write is atomic), so say what happened and how to continue, in one line.
        last = os.path.join(plan.out, "last.safetensors")
        hint = f"; continue with --resume {last} once it is fixed" if os.path.exists(last) else ""
        print(f"tensorlite.train: error: {e}{hint}", file=sys.stderr)
        return 1


def run(parser, plan, world):
    args = plan.args
    if args.threads:
        tl.set_num_threads(args.threads)
    elif world.size > 1:
        tl.set_num_threads(world.threads_per_rank())
    out = plan.out
    tl.manual_seed(args.seed)

    (x_train, y_train), val, (x_test, y_test), classes = _load_data(parser, plan, world.print)
    os.makedirs(out, exist_ok=True)
    net = tl.models.get_model(args.model)
    optimizer = make_optimizer(args, net)
    steps = len(x_train) // args.batch_size
    scheduler = make_scheduler(args, optimizer, steps)
    history, epoch, step, perm, best = [], 0, 0, None, -1.0
    stale = 0
    if plan.mode == "resume":
        ck = plan.ckpt
        net.load_state_dict(ck["model"])
        history, epoch, step = ck["history"], ck["epoch"], ck["step"]
        if plan.extended_from:       # re-plan: the schedule of a run started with the new --epochs
            _advance(scheduler, epoch * steps + step)
            lrs = [g["lr"] for g in optimizer.param_groups]
            optimizer.load_state_dict(ck["optimizer"])
            for g, lr in zip(optimizer.param_groups, lrs):
                g["lr"] = lr
        else:
            optimizer.load_state_dict(ck["optimizer"])
            scheduler.load_state_dict(ck["scheduler"])
        tl.set_rng_state(ck["rng"])
        perm = ck["perm"].numpy() if step else None
        best, stale = ck["best"], ck["stale"]
        world.print(f"resumed {args.model} from {plan.source} at epoch {epoch + 1}, step {step}/{steps}"
                    + (f"; schedule re-planned from {plan.extended_from} to {args.epochs} epochs"
                       if plan.extended_from else "") + f"; writing to {out}", flush=True)
    elif plan.weights is not None:
        net.load_state_dict(plan.weights)
        world.print(f"new run from the weights in {plan.source} ({args.model}; fresh optimizer, schedule and epoch "
                    f"counter)" + (f" with the checkpoint's settings changed: {', '.join(plan.changes)}"
                                   if plan.changes else "") + f"; writing to {out}", flush=True)
    model = world.wrap(net)         # under MPI: DistributedDataParallel, rank 0's weights
    schedule = None                 # the planned lr curve, computed at the first plot

    def checkpoint(path):
        tl.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(),
                 "scheduler": scheduler.state_dict(), "rng": tl.get_rng_state(), "epoch": epoch, "step": step,
                 "perm": tl.from_numpy(perm if perm is not None else np.zeros(0, np.int64)),
                 "history": history, "best": best, "stale": stale, "args": json.dumps(vars(args))},
                path, metadata={"model": args.model})

    stop = _StopFlag()
    clock = _Clock(args.epochs, steps)
    started, done_steps, pause = time.perf_counter(), 0, False
    old_int, old_term = signal.signal(signal.SIGINT, stop), signal.signal(signal.SIGTERM, stop)
    rng = tl.random.default_generator
    try:
        while epoch < args.epochs:
            if step == 0:
                perm = rng.rng.permutation(len(x_train))
            model.train()
            t0, seen, loss_sum, correct = time.perf_counter(), 0, 0.0, 0
            bar = _progress(args, epoch, steps, step, quiet=not world.main)
            while step < steps:
                ts = time.perf_counter()
                idx = perm[step * args.batch_size:(step + 1) * args.batch_size]
                imgs = augment(x_train[idx], rng.rng, args.crop_padding) if args.augment else x_train[idx]
                mine = world.shard(len(idx))          # this rank's slice of the global batch
                imgs, labels = imgs[mine], y_train[idx][mine]
                inputs, targets = normalize_batch(imgs), tl.from_numpy(labels)
                logits = model(inputs)
                loss = F.cross_entropy(logits, targets, label_smoothing=args.label_smoothing)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                scheduler.step()
                step += 1
                seen += len(labels)
                loss_sum += loss.item() * len(labels)
                correct += int((logits.detach().numpy().argmax(1) == labels).sum())
                rate = world.size * seen / (time.perf_counter() - t0)
                clock.step_s += time.perf_counter() - ts
                clock.n_steps += 1
                bar.update(loss_sum / seen, correct / seen, rate, optimizer.param_groups[0]["lr"],
                           clock.eta(epoch, step))
                done_steps += 1
                pause = (args.max_steps and done_steps >= args.max_steps) or (
                    args.time_limit and time.perf_counter() - started > 60 * args.time_limit)
                stop.requested, pause = world.agree(stop.requested, pause)
                if stop.requested or (pause and step < steps):
                    break
            bar.close()
            if stop.requested or (pause and step < steps):
                if world.main:
                    checkpoint(os.path.join(out, "last.safetensors"))
                world.print(f"paused at epoch {epoch + 1}, step {step}/{steps}: saved "
                            f"{os.path.join(out, 'last.safetensors')}; continue with --resume", flush=True)
                return 130 if stop.requested else 0
            te = time.perf_counter()
            loss_sum, correct, seen = world.sum(loss_sum, correct, seen)
            test_logits = world.predict(model, x_test)
            m = metrics_from_logits(test_logits, y_test)
            test_loss = float(F.cross_entropy(tl.from_numpy(test_logits), tl.from_numpy(y_test)).item())
            record = {"epoch": epoch + 1, "train_loss": loss_sum / max(seen, 1), "train_acc": correct / max(seen, 1),
                      "test_loss": test_loss, "test_acc": m["accuracy"], "test_top5": m["top5"],
                      "lr": optimizer.param_groups[0]["lr"], "seconds": time.perf_counter() - t0}
            score = m["accuracy"]
            if val is not None:
                vm = metrics_from_logits(world.predict(model, val[0]), val[1])
                record["val_acc"] = score = vm["accuracy"]
            history.append(record)
            epoch, step = epoch + 1, 0
            if score > best:
                best, stale = score, 0
                if world.main:
                    tl.save(net.state_dict(), os.path.join(out, f"{args.model}_best.safetensors"),
                            metadata={"model": args.model, "epoch": str(epoch), "accuracy": f"{score:.4f}"})
            else:
                stale += 1
            if world.main:
                _atomic_json({"model": args.model, "args": vars(args), "history": history,
                              "test_confusion": m["confusion"].tolist(), "classes": list(classes)},
                             os.path.join(out, "metrics.json"))
                checkpoint(os.path.join(out, "last.safetensors"))
                if schedule is None:
                    schedule = planned_lrs(args, steps)
                _plots(out, history, m["confusion"], classes, net, schedule)
            clock.eval_s += time.perf_counter() - te
            clock.n_evals += 1
            eta = clock.eta(epoch, 0) if epoch < args.epochs else None
            world.print(f"epoch {epoch}/{args.epochs}  train loss {record['train_loss']:.4f} "
                        f"acc {100 * record['train_acc']:.2f}%  test loss {test_loss:.4f} acc {100 * m['accuracy']:.2f}%"
                        + (f"  val acc {100 * record['val_acc']:.2f}%" if val is not None else "")
                        + f"  ({record['seconds']:.0f} s" + (f"; run ETA {_hms(eta)})" if eta is not None else ")"),
                        flush=True)
            if args.patience and val is not None and stale >= args.patience:
                world.print(f"early stopping: no validation improvement for {stale} epochs", flush=True)
                break
            if pause and epoch < args.epochs:
                world.print(f"paused after epoch {epoch}: continue with --resume "
                            f"{os.path.join(out, 'last.safetensors')}", flush=True)
                return 0
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
    final = os.path.join(out, f"{args.model}_final.safetensors")
    if world.main:
        tl.save(net.state_dict(), final, metadata={
            "model": args.model, "epochs": str(epoch),
            "test_accuracy": f"{history[-1]['test_acc']:.4f}" if history else ""})
    world.print(f"done: final test accuracy {100 * history[-1]['test_acc']:.2f}%; weights in {final}" if history else
                "done", flush=True)
    return 0


class _StopFlag:
    """First Ctrl-C/SIGTERM: stop after this step and save; second: stop at once."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        print("\nstopping: finishing this step and saving a checkpoint (press Ctrl-C again to abort)",
              file=sys.stderr, flush=True)


def _plots(out, history, cm, classes, model, schedule=None):
    from tensorlite import plots
    plots.learning_curves(history, os.path.join(out, "curves.png"), schedule=schedule)
    plots.confusion_matrix_plot(np.asarray(cm), classes, os.path.join(out, "confusion.png"))
    first = next((m for m in model.modules() if isinstance(m, tl.nn.Conv2d)), None)
    if first is not None:                      # an MLP has no filters to show
        plots.filter_grid(first.weight.detach().numpy(), os.path.join(out, "filters.png"),
                          title=f"{type(model).__name__} first-layer filters")


class _progress:
    """tqdm bar with loss, accuracy, images/s, lr, the epoch's ETA and the whole run's ETA (or a log
    line per 10% with --no-progress)."""

    def __init__(self, args, epoch, total, initial, quiet=False):
        self.plain, self.quiet = args.no_progress or quiet, quiet
        self.total, self.n, self.epoch, self.epochs = total, initial, epoch, args.epochs
        if not self.plain:
            from tqdm import tqdm
            self.bar = tqdm(total=total, initial=initial, desc=f"epoch {epoch + 1}/{args.epochs}", unit="batch",
                            dynamic_ncols=True, leave=False)

    def update(self, loss, acc, rate, lr, run_eta=None):
        self.n += 1
        if self.quiet:
            return
        eta = "" if run_eta is None else _hms(run_eta)
        if self.plain:
            if self.n % max(self.total // 10, 1) == 0 or self.n == self.total:
                print(f"  epoch {self.epoch + 1} step {self.n}/{self.total} loss {loss:.4f} acc {100 * acc:.1f}% "
                      f"{rate:.0f} img/s lr {lr:.4g}" + (f"  run ETA {eta}" if eta else ""), flush=True)
            return
        self.bar.set_postfix(loss=f"{loss:.3f}", acc=f"{100 * acc:.1f}%", img_s=f"{rate:.0f}", lr=f"{lr:.3g}",
                             run_eta=eta or "?", refresh=False)
        self.bar.update(1)

    def close(self):
        if not self.plain:
            self.bar.close()


if __name__ == "__main__":
    sys.exit(main())
