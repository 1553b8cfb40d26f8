"""Train a small MLP on the two-spirals problem: a first real training run with tensorlite.

    python examples/train_spirals.py

Everything here is the PyTorch idiom with `tl` in place of `torch`: tensors that require grad,
a forward pass, log_softmax + negative log-likelihood, backward, and a manual SGD step.
"""
import argparse
import time

import numpy as np

import tensorlite as tl


def spirals(n, noise, seed):
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.random(n)) * 3 * np.pi
    cls = rng.integers(0, 2, n)
    r = t / (3 * np.pi)
    angle = t + np.pi * cls
    xy = np.stack([r * np.cos(angle), r * np.sin(angle)], 1) + noise * rng.standard_normal((n, 2))
    return xy.astype(np.float32), cls.astype(np.int64)


def init(fan_in, fan_out):
    bound = 1 / np.sqrt(fan_in)
    return (tl.rand(fan_in, fan_out) * 2 - 1).mul_(bound).requires_grad_(), tl.zeros(fan_out, requires_grad=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--lr", type=float, default=0.1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    tl.manual_seed(args.seed)
    x_train, y_train = spirals(2000, 0.02, seed=1)
    x_test, y_test = spirals(1000, 0.02, seed=2)
    xs, ys = tl.from_numpy(x_train), tl.from_numpy(y_train)
    params = [*init(2, 64), *init(64, 64), *init(64, 2)]
    velocity = [tl.zeros_like(p) for p in params]

    def forward(x):
        w1, b1, w2, b2, w3, b3 = params
        h = (x @ w1 + b1).tanh()
        h = (h @ w2 + b2).tanh()
        return h @ w3 + b3

    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        idx = tl.randint(0, len(x_train), (128,))
        logits = forward(xs[idx])
        loss = -logits.log_softmax(dim=1)[tl.arange(128), ys[idx]].mean()
        for p in params:
            p.grad = None
        loss.backward()
        with tl.no_grad():                       # SGD with momentum 0.9
            for p, v in zip(params, velocity):
                v.mul_(0.9).add_(p.grad)
                p.sub_(args.lr * v)
        if step % 250 == 0 or step == args.steps:
            with tl.no_grad():
                acc = (forward(tl.from_numpy(x_test)).argmax(dim=1) == tl.from_numpy(y_test)).float().mean()
            print(f"step {step:5d}  loss {loss.item():.4f}  test accuracy {acc.item():.3f}  "
                  f"({time.perf_counter() - start:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
