"""Learning-rate schedules and regularization from the lecture, on CIFAR-10 with LeNet-5.

    python examples/schedules_regularization.py          # six runs, about 15-20 minutes on 2 cores

The same network and data, changing one thing at a time from the reference run
(cosine schedule, crop+flip augmentation, weight decay 5e-4, no dropout):
constant and step (piecewise: /10 at 50% and 75% of training) schedules instead of cosine;
no augmentation; dropout 0.5 before the fully connected layers; no weight decay.
Test-accuracy curves are overlaid in examples/results/schedules_regularization/curves.png.
"""
import argparse
import os
import sys

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite import nn, plots

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import cifar10_arrays, fit, write_json  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "schedules_regularization")


class LeNet5Dropout(tl.models.LeNet5):
    """LeNet-5 with dropout on the inputs of its three fully connected layers."""

    def __init__(self, p=0.5):
        super().__init__()
        self.drop = nn.Dropout(p)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2).flatten(1)
        x = F.relu(self.fc1(self.drop(x)))
        x = F.relu(self.fc2(self.drop(x)))
        return self.fc3(self.drop(x))


RUNS = {  # name: (schedule, augment, dropout, weight decay)
    "cosine (reference)": ("cosine", True, False, 5e-4),
    "constant lr": ("constant", True, False, 5e-4),
    "step lr (/10 at 50%, 75%)": ("step", True, False, 5e-4),
    "no augmentation": ("cosine", False, False, 5e-4),
    "dropout 0.5": ("cosine", True, True, 5e-4),
    "no weight decay": ("cosine", True, False, 0.0),
}


def scheduler(kind, opt, total):
    S = tl.optim.lr_scheduler
    if kind == "cosine":
        return S.CosineAnnealingLR(opt, T_max=total)
    if kind == "step":
        return S.MultiStepLR(opt, milestones=[total // 2, 3 * total // 4], gamma=0.1)
    return S.LambdaLR(opt, lambda step: 1.0)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--subset", type=int, default=None, help="first N training images only (a quick look)")
    p.add_argument("--out", default=OUT)
    args = p.parse_args(argv)
    train, test = cifar10_arrays()
    train = (train[0][:args.subset], train[1][:args.subset])
    steps = len(train[0]) // 128
    results = {}
    for name, (kind, augment, dropout, wd) in RUNS.items():
        tl.manual_seed(args.seed)
        model = LeNet5Dropout() if dropout else tl.models.lenet5()
        opt = tl.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True, weight_decay=wd)
        hist = fit(model, *train, args.epochs, opt, scheduler(kind, opt, args.epochs * steps), augment=augment,
                   test=test, label=name, seed=args.seed)
        results[name] = {"final_test_acc": hist[-1]["test_acc"], "best_test_acc": max(h["test_acc"] for h in hist),
                         "final_train_acc": hist[-1]["train_acc"], "history": hist}
    os.makedirs(args.out, exist_ok=True)
    write_json({"args": vars(args), "runs": results}, os.path.join(args.out, "results.json"))
    plots.overlaid_curves({k: [h["test_acc"] for h in v["history"]] for k, v in results.items()},
                          os.path.join(args.out, "curves.png"), title=f"LeNet-5 on CIFAR-10, {args.epochs} epochs")
    print(f"\n{'run':28s} final test  best test  final train")
    for name, r in results.items():
        print(f"{name:28s} {100 * r['final_test_acc']:9.2f}% {100 * r['best_test_acc']:9.2f}% "
              f"{100 * r['final_train_acc']:10.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
