"""Seeded reproducibility checks a project keeps around: every common random API, drawn after manual_seed,
summarised; plus the init functions a model uses, and weighted / subset sampling for a DataLoader."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, SubsetRandomSampler, TensorDataset, WeightedRandomSampler


def summary(name, t):
    t = t.double()
    print(f"{name:<14} shape {str(tuple(t.shape)):<10} mean {t.mean().item():+.6f} "
          f"std {t.std().item() if t.numel() > 1 else 0.0:.6f} first {t.flatten()[0].item():+.6f}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    results = {}

    draws = {
        "rand": torch.rand(3, 4),
        "randn": torch.randn(2, 5),
        "randint": torch.randint(0, 10, (6,)),
        "randint_high": torch.randint(5, (2, 2)),
        "randperm": torch.randperm(7),
        "normal": torch.normal(2.0, 3.0, size=(4,)),
        "normal_t": torch.normal(torch.zeros(3), torch.ones(3) * 0.5),
        "bernoulli": torch.bernoulli(torch.full((8,), 0.3)),
        "multinomial": torch.multinomial(torch.tensor([0.1, 0.2, 0.7]), 5, replacement=True),
        "rand_like": torch.rand_like(torch.zeros(2, 3)),
        "randn_like": torch.randn_like(torch.zeros(4)),
        "uniform_": torch.empty(3, 3).uniform_(-2, 2),
        "normal_": torch.empty(5).normal_(1.0, 0.1),
        "bernoulli_": torch.empty(6).bernoulli_(0.5),
    }
    for name, t in draws.items():
        summary(name, t)
        results[name] = t.numpy()

    g = torch.Generator().manual_seed(7)
    a = torch.randn(3, generator=g)
    b = torch.randn(3, generator=torch.Generator().manual_seed(7))
    print("same generator seed, same draws:", torch.equal(a, b))
    torch.manual_seed(args.seed)
    print("reseeded rand matches:", torch.allclose(torch.rand(3, 4), draws["rand"]))

    inits = {}
    w = torch.empty(4, 6)
    for fn in ("xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_"):
        getattr(nn.init, fn)(w)
        inits[fn] = w.clone()
        summary(fn, w)
    nn.init.uniform_(w, -0.1, 0.1)
    summary("uniform", w)
    nn.init.normal_(w, std=0.02)
    summary("normal", w)
    print(f"orthogonal rows: {torch.allclose(inits['orthogonal_'] @ inits['orthogonal_'].T, torch.eye(4), atol=1e-5)}")

    layers = [nn.Linear(5, 3), nn.Conv2d(2, 4, 3), nn.Conv1d(3, 2, 2, bias=False), nn.Embedding(6, 2),
              nn.ConvTranspose2d(2, 3, 2), nn.PReLU(), nn.Bilinear(2, 3, 4), nn.LayerNorm(3), nn.BatchNorm1d(2)]
    for layer in layers:
        for name, p in layer.named_parameters():
            summary(f"{type(layer).__name__}.{name}"[:14], p.detach())
            results[f"{type(layer).__name__}.{name}"] = p.detach().numpy()

    data = TensorDataset(torch.arange(10).float())
    weights = torch.tensor([0.1] * 5 + [1.0] * 5)
    sampler = WeightedRandomSampler(weights, num_samples=8, replacement=True)
    picked = [int(x) for (batch,) in DataLoader(data, batch_size=4, sampler=sampler) for x in batch]
    print("weighted picks:", picked)
    subset = list(SubsetRandomSampler([1, 3, 5, 7, 9]))
    print("subset order:", subset)
    shuffled = [int(x) for (batch,) in DataLoader(data, batch_size=5, shuffle=True) for x in batch]
    print("shuffled:", shuffled)
    results["picks"] = np.array(picked + subset + shuffled)

    if os.environ.get("PROGRAM_OUT"):
        np.savez(os.environ["PROGRAM_OUT"], **results)


if __name__ == "__main__":
    main()
