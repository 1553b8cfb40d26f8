"""Train the same small MLP with each optimizer (and a scheduler each) and compare the final losses."""
import argparse
import copy
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.optim import lr_scheduler


def make_optimizer(name, params):
    if name == "SGD":
        return optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
    if name == "Adam":
        return optim.Adam(params, lr=1e-2, amsgrad=True)
    if name == "AdamW":
        return optim.AdamW(params, lr=1e-2, weight_decay=0.05)
    if name == "RMSprop":
        return optim.RMSprop(params, lr=1e-2, alpha=0.9, momentum=0.5, centered=True)
    if name == "Adagrad":
        return optim.Adagrad(params, lr=0.1, lr_decay=1e-3)
    if name == "Adadelta":
        return optim.Adadelta(params, lr=1.0, rho=0.9)
    if name == "Adamax":
        return optim.Adamax(params, lr=2e-2)
    if name == "NAdam":
        return optim.NAdam(params, lr=1e-2)
    if name == "RAdam":
        return optim.RAdam(params, lr=1e-2)
    if name == "Rprop":
        return optim.Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 1.0))
    if name == "ASGD":
        return optim.ASGD(params, lr=0.05, t0=3)
    raise ValueError(name)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument("--optimizers", default="SGD,Adam,AdamW,RMSprop,Adagrad,Adadelta,Adamax,NAdam,RAdam,"
                                                "Rprop,ASGD")
    args = parser.parse_args()
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    x = torch.randn(64, 5, device=device)
    y = (x[:, :1] * 2 - x[:, 1:2] ** 2 + 0.1 * torch.randn(64, 1, device=device))
    base = nn.Sequential(nn.Linear(5, 16), nn.SiLU(), nn.Linear(16, 1)).to(device)

    results = {}
    for name in args.optimizers.split(","):
        model = copy.deepcopy(base)
        optimizer = make_optimizer(name, model.parameters())
        scheduler = lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (1.0 + 0.1 * step))
        losses = []
        for step in range(args.steps):
            optimizer.zero_grad()
            loss = F.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
        with torch.no_grad():
            final = F.mse_loss(model(x), y).item()
        n_state = sum(len(s) for s in optimizer.state.values())
        print(f"{name:<9} first {losses[0]:.5f} final {final:.5f} lr {scheduler.get_last_lr()[0]:.5f} "
              f"state entries {n_state}")
        results[f"{name}/losses"] = np.array(losses + [final])
        for k, v in model.state_dict().items():
            results[f"{name}/{k}"] = v.cpu().numpy()

    best = min((v[-1], k.split("/")[0]) for k, v in results.items() if k.endswith("/losses"))
    print(f"best: {best[1]} ({best[0]:.5f})")
    if os.environ.get("PROGRAM_OUT"):
        np.savez(os.environ["PROGRAM_OUT"], **results)


if __name__ == "__main__":
    main()
