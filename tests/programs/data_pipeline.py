"""Custom Dataset + random_split + DataLoader(shuffle=True) + TensorDataset feeding a small MLP regressor."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import ConcatDataset, DataLoader, Dataset, Subset, TensorDataset, random_split


class WaveDataset(Dataset):
    """y = sin(a) + 0.5 * cos(b) - 0.25 * c, with features built on the fly in __getitem__."""

    def __init__(self, n, seed=0):
        rng = np.random.default_rng(seed)
        self.x = rng.uniform(-2, 2, size=(n, 3)).astype(np.float32)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        features = torch.from_numpy(self.x[idx])
        target = torch.sin(features[0]) + 0.5 * torch.cos(features[1]) - 0.25 * features[2]
        return features, target.unsqueeze(0)


class DictDataset(Dataset):
    """Items as dicts, the way many modern pipelines return them; default_collate batches each key."""

    def __init__(self, base):
        self.base = base

    def __len__(self):
        return len(self.base)

    def __getitem__(self, idx):
        x, y = self.base[idx]
        return {"features": x, "target": y, "index": idx}


def evaluate(model, loader, criterion, device):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for xb, yb in loader:
            xb, yb = xb.to(device), yb.to(device)
            total += criterion(model(xb), yb).item() * xb.size(0)
            count += xb.size(0)
    return total / count


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--num-workers", type=int, default=0)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    dataset = WaveDataset(100)
    train_set, val_set = random_split(dataset, [80, 20], generator=torch.Generator().manual_seed(42))
    print(f"train {len(train_set)} val {len(val_set)} first val index {val_set.indices[0]}")
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, num_workers=args.num_workers)
    val_loader = DataLoader(val_set, batch_size=8, shuffle=False, num_workers=args.num_workers)
    print(f"{len(train_loader)} train batches, {len(val_loader)} val batches")

    xb, yb = next(iter(train_loader))
    print("batch shapes:", xb.shape, yb.shape, xb.dtype)

    # a second, in-memory dataset built from tensors, as a held-out test set
    x_test = torch.rand(24, 3) * 4 - 2
    y_test = (torch.sin(x_test[:, 0]) + 0.5 * torch.cos(x_test[:, 1]) - 0.25 * x_test[:, 2]).unsqueeze(1)
    test_loader = DataLoader(TensorDataset(x_test, y_test), batch_size=12)

    model = nn.Sequential(nn.Linear(3, 32), nn.Tanh(), nn.Linear(32, 1)).to(device)
    criterion = nn.MSELoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True)

    train_losses = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        running = 0.0
        for i, (inputs, targets) in enumerate(train_loader):
            inputs, targets = inputs.to(device), targets.to(device)
            optimizer.zero_grad()
            loss = criterion(model(inputs), targets)
            loss.backward()
            optimizer.step()
            running += loss.item()
            train_losses.append(loss.item())
        val_loss = evaluate(model, val_loader, criterion, device)
        print(f"epoch {epoch}: train {running / len(train_loader):.5f} val {val_loss:.5f}")
    print(f"test mse {evaluate(model, test_loader, criterion, device):.5f}")

    combined = ConcatDataset([Subset(dataset, [0, 1, 2, 3]), val_set])
    dict_loader = DataLoader(DictDataset(combined), batch_size=6, shuffle=True, drop_last=True)
    print(f"combined {len(combined)} items, {len(dict_loader)} full batches")
    with torch.no_grad():
        for batch in dict_loader:
            pred = model(batch["features"].to(device))
            err = (pred - batch["target"].to(device)).abs().mean().item()
            print(f"indices {batch['index'].tolist()} keys {sorted(batch)} mean abs err {err:.5f}")

    if os.environ.get("PROGRAM_OUT"):
        np.savez(os.environ["PROGRAM_OUT"], train_losses=np.array(train_losses),
                 val_indices=np.array(val_set.indices),
                 **{k: v.detach().cpu().numpy() for k, v in model.state_dict().items()})


if __name__ == "__main__":
    main()
