"""Train a model on CIFAR-10.

    python -m tensorlite.train --model lenet5 --epochs 30
    python -m tensorlite.train --model resnet20 --epochs 60 --lr 0.1 --label-smoothing 0.1
    python -m tensorlite.train --resume runs/resnet20/last.safetensors

Each epoch it evaluates on the test set and writes, under --out: metrics.json, last.safetensors (a
full checkpoint: model, optimizer, scheduler, RNG, epoch and position inside the epoch), best and
final model weights (<model>_best.safetensors, <model>_final.safetensors) and PNG plots. Ctrl-C (or
SIGTERM) finishes the current step, saves a checkpoint and exits; --resume continues exactly where
the run stopped.

Under MPI (`mpirun -np N python -m tensorlite.train ...`) each rank trains on 1/N of every batch
of --batch-size images (the global batch) with DistributedDataParallel; rank 0 alone logs and
writes files, and every rank resumes from the same --resume checkpoint."""
import argparse
import json
import os
import signal
import sys
import time

import numpy as np

import tensorlite as tl
from tensorlite.distributed.training import TrainingWorld
from tensorlite.evaluate import normalize_batch, metrics_from_logits
from tensorlite.nn import functional as F


def build_parser():
    p = argparse.ArgumentParser(prog="python -m tensorlite.train", description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--model", default="lenet5", choices=tl.models.available_models())
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--optimizer", default="sgd", choices=["sgd", "adam", "adamw"])
    p.add_argument("--lr", type=float, default=None, help="default: 0.05 for sgd, 1e-3 for adam/adamw")
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--nesterov", action=argparse.BooleanOptionalAction, default=True)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--schedule", default="cosine", choices=["cosine", "step", "constant", "onecycle"])
    p.add_argument("--milestones", default="0.5,0.75", help="for --schedule step: fractions of training")
    p.add_argument("--warmup-epochs", type=float, default=0.0)
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--augment", action=argparse.BooleanOptionalAction, default=True,
                   help="random crop (see --crop-padding) and horizontal flip")
    p.add_argument("--crop-padding", type=int, default=4,
                   help="zero padding of the random crop; smaller is milder augmentation")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="default: all cores")
    p.add_argument("--data-dir", default=None, help="CIFAR-10 root (default ~/.cache/tensorlite/cifar10)")
    p.add_argument("--no-download", action="store_true", help="fail instead of fetching CIFAR-10")
    p.add_argument("--subset", type=int, default=None, help="train on the first N training images only")
    p.add_argument("--val-split", type=int, default=0,
                   help="hold out N training images for validation (enables --patience)")
    p.add_argument("--patience", type=int, default=0, help="early stopping: epochs without val improvement")
    p.add_argument("--out", default=None, help="output directory (default runs/<model>)")
    p.add_argument("--resume", default=None, metavar="CHECKPOINT", help="continue from a last.safetensors")
    p.add_argument("--max-steps", type=int, default=None,
                   help="pause after this many optimizer steps in this invocation (saves a resumable checkpoint)")
    p.add_argument("--time-limit", type=float, default=None,
                   help="pause after this many minutes (saves a resumable checkpoint at a step boundary)")
    p.add_argument("--no-progress", action="store_true", help="plain log lines instead of a progress bar")
    return p


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


def _load_data(args):
    root = args.data_dir
    train = tl.data.CIFAR10(root, train=True, download=not args.no_download)
    test = tl.data.CIFAR10(root, train=False, download=not args.no_download)
    x, y = train.data, np.asarray(train.targets, dtype=np.int64)
    if args.subset:
        x, y = x[:args.subset], y[:args.subset]
    val = None
    if args.val_split:
        if args.val_split >= len(x):
            raise SystemExit(f"--val-split {args.val_split} leaves no training images")
        val = (x[-args.val_split:], y[-args.val_split:])
        x, y = x[:-args.val_split], y[:-args.val_split]
    return (x, y), val, (test.data, np.asarray(test.targets, dtype=np.int64)), test.classes


def run(args):
    world = TrainingWorld()
    if args.lr is None:
        args.lr = 0.05 if args.optimizer == "sgd" else 1e-3
    resume = tl.load(args.resume) if args.resume else None
    if resume is not None:
        saved = json.loads(resume["args"])
        keep = {"resume": args.resume, "no_progress": args.no_progress, "threads": args.threads,
                "max_steps": args.max_steps, "time_limit": args.time_limit}
        if args.epochs != build_parser().get_default("epochs"):
            keep["epochs"] = args.epochs           # allow extending a finished schedule explicitly
        defaults = vars(build_parser().parse_args([]))   # flags added after the checkpoint was written
        args = argparse.Namespace(**{**defaults, **saved, **keep})
    if args.threads:
        tl.set_num_threads(args.threads)
    elif world.size > 1:
        tl.set_num_threads(world.threads_per_rank())
    out = args.out or os.path.join("runs", args.model)
    os.makedirs(out, exist_ok=True)
    tl.manual_seed(args.seed)

    (x_train, y_train), val, (x_test, y_test), classes = _load_data(args)
    net = tl.models.get_model(args.model)
    optimizer = make_optimizer(args, net)
    steps = len(x_train) // args.batch_size
    if steps == 0:
        raise SystemExit(f"batch size {args.batch_size} is larger than the {len(x_train)} training images")
    world.check_batch_size(args.batch_size)
    scheduler = make_scheduler(args, optimizer, steps)
    history, epoch, step, perm, best = [], 0, 0, None, -1.0
    stale = 0
    if resume is not None:
        net.load_state_dict(resume["model"])
        optimizer.load_state_dict(resume["optimizer"])
        scheduler.load_state_dict(resume["scheduler"])
        tl.set_rng_state(resume["rng"])
        history, epoch, step = resume["history"], resume["epoch"], resume["step"]
        perm = resume["perm"].numpy() if step else None
        best, stale = resume["best"], resume["stale"]
        world.print(f"resumed {args.model} from {args.resume} at epoch {epoch + 1}, step {step}/{steps}")
    model = world.wrap(net)         # under MPI: DistributedDataParallel, rank 0's weights

    def checkpoint(path):
        tl.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(),
                 "scheduler": scheduler.state_dict(), "rng": tl.get_rng_state(), "epoch": epoch, "step": step,
                 "perm": tl.from_numpy(perm if perm is not None else np.zeros(0, np.int64)),
                 "history": history, "best": best, "stale": stale, "args": json.dumps(vars(args))},
                path, metadata={"model": args.model})

    stop = _StopFlag()
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
                bar.update(loss_sum / seen, correct / seen, rate, optimizer.param_groups[0]["lr"])
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
            world.print(f"epoch {epoch}/{args.epochs}  train loss {record['train_loss']:.4f} "
                        f"acc {100 * record['train_acc']:.2f}%  test loss {test_loss:.4f} acc {100 * m['accuracy']:.2f}%"
                        + (f"  val acc {100 * record['val_acc']:.2f}%" if val is not None else "")
                        + f"  ({record['seconds']:.0f} s)", flush=True)
            if score > best:
                best, stale = score, 0
                if world.main:
                    tl.save(net.state_dict(), os.path.join(out, f"{args.model}_best.safetensors"),
                            metadata={"epoch": str(epoch), "accuracy": f"{score:.4f}"})
            else:
                stale += 1
            if world.main:
                _atomic_json({"model": args.model, "args": vars(args), "history": history,
                              "test_confusion": m["confusion"].tolist(), "classes": list(classes)},
                             os.path.join(out, "metrics.json"))
                checkpoint(os.path.join(out, "last.safetensors"))
                _plots(out, history, m["confusion"], classes, net)
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
            "epochs": str(epoch), "test_accuracy": f"{history[-1]['test_acc']:.4f}" if history else ""})
    world.print(f"done: final test accuracy {100 * history[-1]['test_acc']:.2f}%; weights in {final}" if history else
                "done", flush=True)
    return 0


def _plots(out, history, cm, classes, model):
    from tensorlite import plots
    plots.learning_curves(history, os.path.join(out, "curves.png"))
    plots.confusion_matrix_plot(np.asarray(cm), classes, os.path.join(out, "confusion.png"))
    first = next((m for m in model.modules() if isinstance(m, tl.nn.Conv2d)), None)
    if first is not None:                      # an MLP has no filters to show
        plots.filter_grid(first.weight.detach().numpy(), os.path.join(out, "filters.png"))


class _progress:
    """tqdm bar with loss, accuracy, images/s and ETA (or a log line per 10% with --no-progress)."""

    def __init__(self, args, epoch, total, initial, quiet=False):
        self.plain, self.quiet = args.no_progress or quiet, quiet
        self.total, self.n, self.epoch, self.epochs = total, initial, epoch, args.epochs
        if not self.plain:
            from tqdm import tqdm
            self.bar = tqdm(total=total, initial=initial, desc=f"epoch {epoch + 1}/{args.epochs}", unit="batch",
                            dynamic_ncols=True, leave=False)

    def update(self, loss, acc, rate, lr):
        self.n += 1
        if self.quiet:
            return
        if self.plain:
            if self.n % max(self.total // 10, 1) == 0 or self.n == self.total:
                print(f"  epoch {self.epoch + 1} step {self.n}/{self.total} loss {loss:.4f} acc {100 * acc:.1f}% "
                      f"{rate:.0f} img/s lr {lr:.4g}", flush=True)
            return
        self.bar.set_postfix(loss=f"{loss:.3f}", acc=f"{100 * acc:.1f}%", img_s=f"{rate:.0f}", lr=f"{lr:.3g}",
                             refresh=False)
        self.bar.update(1)

    def close(self):
        if not self.plain:
            self.bar.close()


def main(argv=None):
    return run(build_parser().parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
