"""The optimizer and the per-step learning-rate schedule of a training run (from its settings)."""
import warnings

import tensorlite as tl


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


def advance(scheduler, n):
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
