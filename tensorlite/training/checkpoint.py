"""What a training run stores, and how a run starts from what is stored.

  last.safetensors          the resumable checkpoint: model, optimizer, scheduler, rng state, epoch,
                            step inside the epoch and that epoch's order of the images, history,
                            best score, the run's settings (written at every epoch end and on a pause)
  <model>_best.safetensors  the weights of the best epoch so far
  <model>_final.safetensors the weights after the last epoch
  metrics.json              settings, history and the last test confusion matrix
Every file is written atomically (tensorlite._io), so an interrupted run leaves whole files.
"""
import json
import os

import numpy as np

import tensorlite as tl
from tensorlite._io import atomic_write
from tensorlite.training.schedule import advance

__all__ = ["RunState", "start", "save_checkpoint", "save_best", "save_final", "save_metrics"]


class RunState:
    """Where a run is: `epoch` epochs done, `step` steps done in the current one, `perm` that epoch's
    order of the training images, `history` one record per epoch, the `best` score so far and the
    epochs since it last improved (`stale`)."""

    def __init__(self):
        self.epoch, self.step, self.perm, self.history, self.best, self.stale = 0, 0, None, [], -1.0, 0


def start(plan, net, optimizer, scheduler, steps, say):
    """The RunState of a new run, or of the checkpoint's run (its model, optimizer, scheduler and
    rng restored); a new run from weights loads them into `net`."""
    args, state = plan.args, RunState()
    if plan.mode == "resume":
        ck = plan.ckpt
        net.load_state_dict(ck["model"])
        state.history, state.epoch, state.step = ck["history"], ck["epoch"], ck["step"]
        if plan.extended_from:       # re-plan: the schedule of a run started with the new --epochs
            advance(scheduler, state.epoch * steps + state.step)
            lrs = [g["lr"] for g in optimizer.param_groups]
            optimizer.load_state_dict(ck["optimizer"])
            for g, lr in zip(optimizer.param_groups, lrs):
                g["lr"] = lr
        else:
            optimizer.load_state_dict(ck["optimizer"])
            scheduler.load_state_dict(ck["scheduler"])
        tl.set_rng_state(ck["rng"])
        state.perm = ck["perm"].numpy() if state.step else None
        state.best, state.stale = ck["best"], ck["stale"]
        say(f"resumed {args.model} from {plan.source} at epoch {state.epoch + 1}, step {state.step}/{steps}"
            + (f"; schedule re-planned from {plan.extended_from} to {args.epochs} epochs"
               if plan.extended_from else "") + f"; writing to {plan.out}", flush=True)
    elif plan.weights is not None:
        net.load_state_dict(plan.weights)
        say(f"new run from the weights in {plan.source} ({args.model}; fresh optimizer, schedule and epoch "
            f"counter)" + (f" with the checkpoint's settings changed: {', '.join(plan.changes)}"
                           if plan.changes else "") + f"; writing to {plan.out}", flush=True)
    return state


def save_checkpoint(path, args, net, optimizer, scheduler, state):
    perm = state.perm if state.perm is not None else np.zeros(0, np.int64)
    tl.save({"model": net.state_dict(), "optimizer": optimizer.state_dict(),
             "scheduler": scheduler.state_dict(), "rng": tl.get_rng_state(), "epoch": state.epoch,
             "step": state.step, "perm": tl.from_numpy(perm), "history": state.history, "best": state.best,
             "stale": state.stale, "args": json.dumps(vars(args))},
            path, metadata={"model": args.model})


def save_best(out, args, net, epoch, score):
    tl.save(net.state_dict(), os.path.join(out, f"{args.model}_best.safetensors"),
            metadata={"model": args.model, "epoch": str(epoch), "accuracy": f"{score:.4f}"})


def save_final(path, args, net, state):
    tl.save(net.state_dict(), path, metadata={
        "model": args.model, "epochs": str(state.epoch),
        "test_accuracy": f"{state.history[-1]['test_acc']:.4f}" if state.history else ""})


def save_metrics(out, args, history, confusion, classes):
    record = {"model": args.model, "args": vars(args), "history": history, "test_confusion": confusion.tolist(),
              "classes": list(classes)}
    atomic_write(os.path.join(out, "metrics.json"), json.dumps(record, indent=2).encode())
