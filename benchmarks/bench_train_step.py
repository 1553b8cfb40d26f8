"""Full training step (forward, cross-entropy, backward, SGD momentum + weight decay) of LeNet-5 and
ResNet-20 at batch 128, float32: tensorlite vs PyTorch NCHW and channels_last, side by side in one
process, same thread count. Warm-up steps are excluded; medians of --reps steps are reported.

    python benchmarks/bench_train_step.py [--threads N] [--reps 10] [--json out.json]
"""
import argparse
import json
import os
import platform
import statistics
import time

import numpy as np


def tl_step_fn(name):
    import tensorlite as tl
    F = tl.nn.functional
    model = tl.models.get_model(name)
    opt = tl.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4, nesterov=True)
    x = tl.randn(128, 3, 32, 32)
    y = tl.randint(0, 10, (128,))

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step


def torch_model(name):
    """LeNet-5 or ResNet-20 in PyTorch, the architectures of tl.models."""
    import torch.nn as nn
    import torch.nn.functional as F
    if name == "lenet5":
        class LeNet(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1, self.conv2 = nn.Conv2d(3, 6, 5), nn.Conv2d(6, 16, 5)
                self.fc1, self.fc2, self.fc3 = nn.Linear(400, 120), nn.Linear(120, 84), nn.Linear(84, 10)

            def forward(self, x):
                x = F.max_pool2d(F.relu(self.conv1(x)), 2)
                x = F.max_pool2d(F.relu(self.conv2(x)), 2).flatten(1)
                return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))
        model = LeNet()
    else:
        class Block(nn.Module):
            def __init__(self, i, o, s):
                super().__init__()
                self.conv1, self.bn1 = nn.Conv2d(i, o, 3, s, 1, bias=False), nn.BatchNorm2d(o)
                self.conv2, self.bn2 = nn.Conv2d(o, o, 3, 1, 1, bias=False), nn.BatchNorm2d(o)
                self.s, self.extra = s, o - i

            def forward(self, x):
                out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
                sc = x if self.s == 1 and self.extra == 0 else F.pad(
                    x[:, :, ::self.s, ::self.s], (0, 0, 0, 0, self.extra // 2, self.extra - self.extra // 2))
                return F.relu(out + sc)

        class ResNet20(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1, self.bn1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16)
                layers, i = [], 16
                for o, s in ((16, 1), (32, 2), (64, 2)):
                    layers += [Block(i, o, s), Block(o, o, 1), Block(o, o, 1)]
                    i = o
                self.layers, self.fc = nn.Sequential(*layers), nn.Linear(64, 10)

            def forward(self, x):
                x = self.layers(F.relu(self.bn1(self.conv1(x))))
                return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))
        model = ResNet20()
    return model


def torch_step_fn(name, channels_last):
    import torch
    import torch.nn.functional as F
    model = torch_model(name)
    x = torch.randn(128, 3, 32, 32)
    y = torch.randint(0, 10, (128,))
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4, nesterov=True)

    def step():
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()
    return step


def measure(step, warmup, reps):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--reps", type=int, default=10)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--models", default="lenet5,resnet20")
    p.add_argument("--json", default=None)
    p.add_argument("--quick", action="store_true", help="smoke test: 1 warm-up and 3 timed steps")
    args = p.parse_args()
    if args.quick:
        args.reps, args.warmup = 3, 1
    import torch
    import tensorlite as tl
    torch.set_num_threads(args.threads)
    tl.set_num_threads(args.threads)
    rows = []
    for name in args.models.split(","):
        # Interleave the frameworks so machine noise hits all of them alike.
        fns = {"tensorlite": tl_step_fn(name), "torch NCHW": torch_step_fn(name, False),
               "torch channels_last": torch_step_fn(name, True)}
        for fn in fns.values():
            measure(fn, args.warmup, 1)
        res = {k: [] for k in fns}
        for _ in range(3):
            for k, fn in fns.items():
                res[k].append(measure(fn, 0, max(args.reps // 3, 1)))
        ms = {k: statistics.median(v) for k, v in res.items()}
        best_torch = min(ms["torch NCHW"], ms["torch channels_last"])
        rows.append({"model": name, **{k: round(v, 2) for k, v in ms.items()},
                     "ratio_vs_fastest_torch": round(ms["tensorlite"] / best_torch, 3),
                     "tensorlite_images_per_s": round(128 / ms["tensorlite"] * 1000, 1)})
    print(f"# Training step, batch 128, float32, {args.threads} threads, {platform.processor() or platform.machine()}")
    print("| model | tensorlite ms | torch NCHW ms | torch channels_last ms | tl / fastest torch | tl images/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['model']} | {r['tensorlite']:.1f} | {r['torch NCHW']:.1f} | {r['torch channels_last']:.1f} | "
              f"{r['ratio_vs_fastest_torch']:.2f} | {r['tensorlite_images_per_s']:.0f} |")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"threads": args.threads, "rows": rows}, fh, indent=2)


if __name__ == "__main__":
    main()
