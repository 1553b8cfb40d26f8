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
import os
import sys

import tensorlite as tl
from tensorlite.evaluate import CIFAR10_TRAIN_IMAGES, attach_negative_values, explicit_flags
# The command is built from the pieces in tensorlite/training/; their names stay importable from here.
from tensorlite.training.config import IDENTITY, INVOCATION, Plan, build_parser, describe, prepare  # noqa: F401
from tensorlite.training.data import augment  # noqa: F401
from tensorlite.training.loop import run
from tensorlite.training.schedule import make_optimizer, make_scheduler, planned_lrs  # noqa: F401
from tensorlite.training.world import TrainingWorld


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
        world.print("\n".join(["dry run: nothing is trained or written", *describe(plan, steps, params)]))
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


if __name__ == "__main__":
    sys.exit(main())
