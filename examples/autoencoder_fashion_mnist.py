"""A convolutional autoencoder on Fashion-MNIST, and its denoising variant (the lecture's example).

    python examples/autoencoder_fashion_mnist.py                 # both variants, 5 epochs each
    python examples/autoencoder_fashion_mnist.py --epochs 1 --subset 5000

Encoder: conv 3x3 (32) -> ReLU -> max-pool 2 -> conv 3x3 (16) -> ReLU -> max-pool 2   (28 -> 7)
Decoder: ConvTranspose2d 3x3 stride 2 (16) -> ReLU -> Upsample x2 -> conv 3x3 (1) -> sigmoid
The plain variant learns x -> x; the denoising variant learns x + N(0, sigma^2) (clipped) -> x.
Both are trained with MSE and Adam. Reports test MSE, and for the denoising variant also the MSE
of the noisy input itself (what "doing nothing" scores). Writes examples/results/autoencoder/
{autoencoder.json, autoencoder.png, denoising.png}: rows of inputs, (noisy inputs,) reconstructions.
"""
import argparse
import os
import sys
import time

import numpy as np

import tensorlite as tl
import tensorlite.nn as nn
import tensorlite.nn.functional as F
from tensorlite import plots

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import write_json  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "autoencoder")


class ConvAutoencoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),      # 32 x 14 x 14
            nn.Conv2d(32, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))     # 16 x 7 x 7
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),  # 16 x 14 x 14
            nn.Upsample(scale_factor=2, mode="nearest"),                      # 16 x 28 x 28
            nn.Conv2d(16, 1, 3, padding=1), nn.Sigmoid())                     # 1 x 28 x 28

    def forward(self, x):
        return self.decoder(self.encoder(x))


def add_noise(x, sigma, rng):
    return np.clip(x + sigma * rng.standard_normal(x.shape).astype(np.float32), 0.0, 1.0)


def test_mse(model, x_in, x_target, batch=1000):
    model.eval()
    total = 0.0
    with tl.no_grad():
        for i in range(0, len(x_in), batch):
            out = model(tl.from_numpy(x_in[i:i + batch]))
            total += F.mse_loss(out, tl.from_numpy(x_target[i:i + batch]), reduction="sum").item()
    model.train()
    return total / x_target.size


def train(x_train, x_test, epochs, noise, seed, batch_size=128, lr=2e-3):
    tl.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = ConvAutoencoder()
    opt = tl.optim.Adam(model.parameters(), lr=lr)
    test_in = add_noise(x_test, noise, np.random.default_rng(seed + 1)) if noise else x_test
    history = []
    for epoch in range(1, epochs + 1):
        t0, perm, loss_sum = time.perf_counter(), rng.permutation(len(x_train)), 0.0
        for i in range(0, len(x_train), batch_size):
            clean = x_train[perm[i:i + batch_size]]
            inp = add_noise(clean, noise, rng) if noise else clean
            loss = F.mse_loss(model(tl.from_numpy(inp)), tl.from_numpy(clean))
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(clean)
        rec = {"epoch": epoch, "train_mse": loss_sum / len(x_train), "test_mse": test_mse(model, test_in, x_test),
               "seconds": time.perf_counter() - t0}
        history.append(rec)
        print(f"  {'denoising' if noise else 'plain'} epoch {epoch}/{epochs}: train MSE {rec['train_mse']:.5f}  "
              f"test MSE {rec['test_mse']:.5f}  ({rec['seconds']:.0f} s)", flush=True)
    return model, test_in, history


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--noise", type=float, default=0.3, help="std of the Gaussian noise (denoising variant)")
    p.add_argument("--subset", type=int, default=None, help="train on the first N training images")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", default=OUT)
    args = p.parse_args(argv)

    prep = lambda d: d.data.astype(np.float32)[:, None] / 255.0   # noqa: E731  (N, 1, 28, 28) in [0, 1]
    x_train = prep(tl.data.FashionMNIST(train=True, download=True))[:args.subset]
    x_test = prep(tl.data.FashionMNIST(train=False, download=True))
    print(f"Fashion-MNIST: {len(x_train)} training, {len(x_test)} test images; "
          f"{sum(p.numel() for p in ConvAutoencoder().parameters()):,} parameters")

    results = {"epochs": args.epochs, "noise_std": args.noise, "train_images": len(x_train), "runs": {}}
    show = x_test[:10]
    for name, noise in (("autoencoder", 0.0), ("denoising", args.noise)):
        model, test_in, history = train(x_train, x_test, args.epochs, noise, args.seed)
        run = {"test_mse": history[-1]["test_mse"], "history": history}
        rows, labels = [show[:, 0]], ["input"]
        if noise:
            run["noisy_input_mse"] = float(np.mean((test_in - x_test) ** 2))
            rows.append(test_in[:10, 0])
            labels.append("noisy")
        with tl.no_grad():
            rows.append(model.eval()(tl.from_numpy(test_in[:10])).numpy()[:, 0])
        labels.append("output")
        plots.image_rows(rows, os.path.join(args.out, f"{name}.png"), labels=labels)
        results["runs"][name] = run
        extra = f" (noisy input itself: {run['noisy_input_mse']:.5f})" if noise else ""
        print(f"{name}: test reconstruction MSE {run['test_mse']:.5f}{extra}")
    write_json(results, os.path.join(args.out, "autoencoder.json"))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
