"""The training loop: epochs of optimizer steps on DataLoader batches; at every epoch end an
evaluation, the saves and a log line; the exits for --max-steps / --time-limit (a pause), Ctrl-C or
SIGTERM (a stop) and --patience (early stopping)."""
import os
import signal
import sys
import time

import numpy as np

import tensorlite as tl
from tensorlite.evaluate import metrics_from_logits, normalize_batch
from tensorlite.nn import functional as F
from tensorlite.training import checkpoint
from tensorlite.training.data import epoch_loader, load_training_data
from tensorlite.training.schedule import make_optimizer, make_scheduler, planned_lrs

__all__ = ["run"]


def run(parser, plan, world):
    """Train the planned run. The exit status: 0 when done or paused, 130 when stopped by a signal."""
    args = plan.args
    if args.threads:
        tl.set_num_threads(args.threads)
    elif world.size > 1:
        tl.set_num_threads(world.threads_per_rank())
    tl.manual_seed(args.seed)
    data = load_training_data(parser, plan, world.print)
    os.makedirs(plan.out, exist_ok=True)
    net = tl.models.get_model(args.model)
    optimizer = make_optimizer(args, net)
    steps = len(data.train) // args.batch_size
    scheduler = make_scheduler(args, optimizer, steps)
    state = checkpoint.start(plan, net, optimizer, scheduler, steps, world.print)
    loop = _Loop(plan, world, data, net, optimizer, scheduler, steps, state)
    old_int, old_term = signal.signal(signal.SIGINT, loop.stop), signal.signal(signal.SIGTERM, loop.stop)
    try:
        code = loop.epochs()
    finally:
        signal.signal(signal.SIGINT, old_int)
        signal.signal(signal.SIGTERM, old_term)
    if code is not None:
        return code
    final = os.path.join(plan.out, f"{args.model}_final.safetensors")
    if world.main:
        checkpoint.save_final(final, args, net, state)
    history = state.history
    world.print(f"done: final test accuracy {100 * history[-1]['test_acc']:.2f}%; weights in {final}" if history else
                "done", flush=True)
    return 0


class _Loop:
    """One invocation's training: `epochs()` runs until the last epoch, an early stop, a pause or a stop."""

    def __init__(self, plan, world, data, net, optimizer, scheduler, steps, state):
        self.args, self.out, self.world, self.data = plan.args, plan.out, world, data
        self.net, self.optimizer, self.scheduler, self.steps, self.state = net, optimizer, scheduler, steps, state
        self.model = world.wrap(net)         # under MPI: DistributedDataParallel, rank 0's weights
        self.last = os.path.join(plan.out, "last.safetensors")
        self.stop = _StopFlag()
        self.clock = _Clock(self.args.epochs, steps)
        self.started, self.done_steps, self.pause = time.perf_counter(), 0, False
        self.schedule = None                 # the planned lr curve, computed at the first plot

    def epochs(self):
        """None when the run is over (last epoch or early stop), else the exit status of a pause or stop."""
        args, s, world = self.args, self.state, self.world
        while s.epoch < args.epochs:
            if s.step == 0:                  # the epoch's order of the images, drawn as RandomSampler does
                s.perm = tl.random.default_generator.rng.permutation(len(self.data.train))
            self.model.train()
            t0 = time.perf_counter()
            totals = self._steps(t0)
            if self.stop.requested or (self.pause and s.step < self.steps):
                if world.main:
                    self._save_checkpoint()
                world.print(f"paused at epoch {s.epoch + 1}, step {s.step}/{self.steps}: saved {self.last}; "
                            f"continue with --resume", flush=True)
                return 130 if self.stop.requested else 0
            self._end_epoch(t0, *totals)
            if args.patience and self.data.val is not None and s.stale >= args.patience:
                world.print(f"early stopping: no validation improvement for {s.stale} epochs", flush=True)
                return None
            if self.pause and s.epoch < args.epochs:
                world.print(f"paused after epoch {s.epoch}: continue with --resume {self.last}", flush=True)
                return 0
        return None

    def _steps(self, t0):
        """The optimizer steps of the current epoch from `state.step` on, until its end, a pause or a
        stop; returns this rank's (loss sum, correct predictions, images seen)."""
        args, s, world, clock = self.args, self.state, self.world, self.clock
        model, optimizer, scheduler = self.model, self.optimizer, self.scheduler
        seen, loss_sum, correct = 0, 0.0, 0
        bar = _progress(args, s.epoch, self.steps, s.step, quiet=not world.main)
        batches = iter(epoch_loader(self.data.train, s.perm, s.step, args.batch_size))
        while s.step < self.steps:
            ts = time.perf_counter()
            images, labels = next(batches)                # augmented (the whole global batch)
            mine = world.shard(len(labels))               # this rank's slice of it
            images, labels = images.numpy()[mine], labels.numpy()[mine]
            inputs, targets = normalize_batch(images), tl.from_numpy(labels)
            logits = model(inputs)
            loss = F.cross_entropy(logits, targets, label_smoothing=args.label_smoothing)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            s.step += 1
            seen += len(labels)
            loss_sum += loss.item() * len(labels)
            correct += int((logits.detach().numpy().argmax(1) == labels).sum())
            rate = world.size * seen / (time.perf_counter() - t0)
            clock.step_s += time.perf_counter() - ts
            clock.n_steps += 1
            bar.update(loss_sum / seen, correct / seen, rate, optimizer.param_groups[0]["lr"], clock.eta(s.epoch, s.step))
            self.done_steps += 1
            self.pause = (args.max_steps and self.done_steps >= args.max_steps) or (
                args.time_limit and time.perf_counter() - self.started > 60 * args.time_limit)
            self.stop.requested, self.pause = world.agree(self.stop.requested, self.pause)
            if self.stop.requested or (self.pause and s.step < self.steps):
                break
        bar.close()
        return loss_sum, correct, seen

    def _end_epoch(self, t0, loss_sum, correct, seen):
        """Evaluate, record the epoch, save (checkpoint, metrics, best weights, plots) and log it."""
        args, s, world, data = self.args, self.state, self.world, self.data
        te = time.perf_counter()
        loss_sum, correct, seen = world.sum(loss_sum, correct, seen)
        x_test, y_test = data.test
        test_logits = world.predict(self.model, x_test)
        m = metrics_from_logits(test_logits, y_test)
        test_loss = float(F.cross_entropy(tl.from_numpy(test_logits), tl.from_numpy(y_test)).item())
        record = {"epoch": s.epoch + 1, "train_loss": loss_sum / max(seen, 1), "train_acc": correct / max(seen, 1),
                  "test_loss": test_loss, "test_acc": m["accuracy"], "test_top5": m["top5"],
                  "lr": self.optimizer.param_groups[0]["lr"], "seconds": time.perf_counter() - t0}
        score = m["accuracy"]
        if data.val is not None:
            vm = metrics_from_logits(world.predict(self.model, data.val[0]), data.val[1])
            record["val_acc"] = score = vm["accuracy"]
        s.history.append(record)
        s.epoch, s.step = s.epoch + 1, 0
        if score > s.best:
            s.best, s.stale = score, 0
            if world.main:
                checkpoint.save_best(self.out, args, self.net, s.epoch, score)
        else:
            s.stale += 1
        if world.main:
            checkpoint.save_metrics(self.out, args, s.history, m["confusion"], data.classes)
            self._save_checkpoint()
            if self.schedule is None:
                self.schedule = planned_lrs(args, self.steps)
            _plots(self.out, s.history, m["confusion"], data.classes, self.net, self.schedule)
        self.clock.eval_s += time.perf_counter() - te
        self.clock.n_evals += 1
        eta = self.clock.eta(s.epoch, 0) if s.epoch < args.epochs else None
        world.print(f"epoch {s.epoch}/{args.epochs}  train loss {record['train_loss']:.4f} "
                    f"acc {100 * record['train_acc']:.2f}%  test loss {test_loss:.4f} acc {100 * m['accuracy']:.2f}%"
                    + (f"  val acc {100 * record['val_acc']:.2f}%" if data.val is not None else "")
                    + f"  ({record['seconds']:.0f} s" + (f"; run ETA {_hms(eta)})" if eta is not None else ")"),
                    flush=True)

    def _save_checkpoint(self):
        checkpoint.save_checkpoint(self.last, self.args, self.net, self.optimizer, self.scheduler, self.state)


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
