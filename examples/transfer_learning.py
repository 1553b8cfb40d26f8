"""Transfer learning as the lecture describes it, on CIFAR-10 with LeNet-5.

    python examples/transfer_learning.py            # about 10 minutes on 2 cores

1. Pre-train LeNet-5 on five classes (airplane, automobile, bird, cat, deer), all 25,000 images.
2. Transfer: freeze it, replace the last layer (fc3) with a new 5-way layer, and train only that
   head on the other five classes (dog, frog, horse, ship, truck) with 100 images per class.
3. Fine-tune: unfreeze everything and train on the same 500 images with a 10x lower learning rate.
4. Baseline: the same network trained from scratch on those 500 images for as many epochs as 2+3.
Accuracies are on all 5,000 test images of the new classes; results go to
examples/results/transfer_learning/.
"""
import argparse
import os
import sys

import numpy as np

import tensorlite as tl
from tensorlite import plots

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import accuracy, cifar10_arrays, fit, write_json  # noqa: E402

SOURCE, TARGET = [0, 1, 2, 3, 4], [5, 6, 7, 8, 9]
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "transfer_learning")


def sgd(params, lr, epochs, steps_per_epoch):
    opt = tl.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
    return opt, tl.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--source-epochs", type=int, default=15)
    p.add_argument("--head-epochs", type=int, default=30)
    p.add_argument("--finetune-epochs", type=int, default=30)
    p.add_argument("--per-class", type=int, default=100)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=OUT)
    args = p.parse_args(argv)
    tl.manual_seed(args.seed)

    (xs, ys), (xs_test, ys_test) = cifar10_arrays(SOURCE)
    (xt_all, yt_all), target_test = cifar10_arrays(TARGET)
    few = np.concatenate([np.flatnonzero(yt_all == c)[:args.per_class] for c in range(len(TARGET))])
    xt, yt = xt_all[few], yt_all[few]
    small_batch = 50
    steps = len(xt) // small_batch

    # 1. pre-train on the source classes
    net = tl.models.lenet5(num_classes=len(SOURCE))
    opt, sched = sgd(net.parameters(), 0.05, args.source_epochs, len(xs) // 128)
    hist_source = fit(net, xs, ys, args.source_epochs, opt, sched, test=(xs_test, ys_test), label="pre-train")
    source_acc = hist_source[-1]["test_acc"]

    # 2. freeze the feature extractor, new last layer, train only the head
    for param in net.parameters():
        param.requires_grad_(False)
    net.fc3 = tl.nn.Linear(84, len(TARGET))
    head = [q for q in net.parameters() if q.requires_grad]
    opt, sched = sgd(head, 0.05, args.head_epochs, steps)
    hist_head = fit(net, xt, yt, args.head_epochs, opt, sched, batch_size=small_batch, test=target_test,
                    label="head only")
    head_acc = accuracy(net, *target_test)

    # 3. unfreeze and fine-tune everything with a 10x lower learning rate
    for param in net.parameters():
        param.requires_grad_(True)
    opt, sched = sgd(net.parameters(), 0.005, args.finetune_epochs, steps)
    hist_ft = fit(net, xt, yt, args.finetune_epochs, opt, sched, batch_size=small_batch, test=target_test,
                  label="fine-tune")
    finetune_acc = accuracy(net, *target_test)

    # 4. baseline: from scratch on the 500 images, same number of epochs as 2 + 3
    tl.manual_seed(args.seed + 1)
    scratch = tl.models.lenet5(num_classes=len(TARGET))
    epochs = args.head_epochs + args.finetune_epochs
    opt, sched = sgd(scratch.parameters(), 0.05, epochs, steps)
    hist_scratch = fit(scratch, xt, yt, epochs, opt, sched, batch_size=small_batch, test=target_test,
                       label="from scratch")
    scratch_acc = accuracy(scratch, *target_test)

    results = {"source_classes_test_acc": source_acc, "transfer_head_only": head_acc,
               "transfer_fine_tuned": finetune_acc, "from_scratch": scratch_acc,
               "images_per_new_class": args.per_class, "args": vars(args),
               "history": {"source": hist_source, "head": hist_head, "finetune": hist_ft, "scratch": hist_scratch}}
    os.makedirs(args.out, exist_ok=True)
    write_json(results, os.path.join(args.out, "results.json"))
    curves = {"transfer (head, then fine-tune)": [h["test_acc"] for h in hist_head + hist_ft],
              "from scratch": [h["test_acc"] for h in hist_scratch]}
    plots.overlaid_curves(curves, os.path.join(args.out, "curves.png"), ylabel="test accuracy (new classes)",
                          title=f"LeNet-5, {args.per_class} images per new class")
    print(f"\npre-trained on 5 source classes: {100 * source_acc:.2f}% on their test images")
    print(f"new 5 classes, {args.per_class} images each ({len(target_test[1])} test images):")
    print(f"  transfer, head only:     {100 * head_acc:.2f}%")
    print(f"  transfer, fine-tuned:    {100 * finetune_acc:.2f}%")
    print(f"  from scratch:            {100 * scratch_acc:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
