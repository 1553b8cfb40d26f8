"""The printing a training script does: tensors in f-strings / str.format, print(tensor), print(model)."""
import argparse
import json
import os

import torch
import torch.nn as nn
import torch.nn.functional as F


class SmallNet(nn.Module):
    def __init__(self, dropout):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, kernel_size=3, padding=1),
            nn.BatchNorm2d(4),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
        )
        self.dropout = nn.Dropout(p=dropout)
        self.fc = nn.Linear(4 * 4 * 4, 3)
        self.norm = nn.LayerNorm(3)
        self.act = nn.LeakyReLU(0.1)
        self.embed = nn.Embedding(10, 3, padding_idx=0)

    def forward(self, x):
        x = self.features(x)
        x = torch.flatten(x, 1)
        return self.act(self.norm(self.fc(self.dropout(x))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dropout", type=float, default=0.5)
    args = parser.parse_args()
    torch.manual_seed(5)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    model = SmallNet(args.dropout).to(device)
    print(model)
    print(model.fc)
    print(nn.Sequential(nn.Linear(2, 3, bias=False), nn.Sigmoid(), nn.Softmax(dim=1)))

    x = torch.randn(4, 1, 8, 8, device=device)
    target = torch.tensor([0, 2, 1, 2], device=device)
    out = model(x)
    loss = F.cross_entropy(out, target)

    print(f"loss {loss:.3f}")
    print("loss {:.4f}".format(loss.item()))
    print("mean activation {:+.2f}".format(out.mean()))
    print(f"input mean {x.mean():.4e} std {x.std():.4e}")
    print(f"{loss.item():8.4f}|{out.max().item():<10.3f}|")
    print("%.5f" % loss.item())

    w = torch.tensor([[0.5, -1.25], [3.0, 1e-3]])
    print(w)
    print(torch.arange(6))
    print(torch.arange(6).view(2, 3) > 2)
    print(torch.zeros(2, 2, dtype=torch.float64))
    print(torch.tensor([1e-5, 2.5e3, -7.0]))
    print(torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True))
    print(torch.tensor(3.14159))
    print(torch.tensor([1, 2, 3], dtype=torch.int32))
    print(torch.linspace(0, 1, 5))
    print(target, target.shape, target.dtype)
    print(out.shape, tuple(out.shape), out.size(1), out.dim())
    print(list(model.state_dict().keys()))
    print([tuple(p.shape) for p in model.parameters()])
    with torch.no_grad():
        print(torch.round(out * 1000) / 1000)

    out_path = os.environ.get("PROGRAM_OUT")
    if out_path:
        with open(out_path, "w") as f:
            json.dump({"loss": loss.item(), "out": out.tolist(), "w": w.tolist()}, f)


if __name__ == "__main__":
    main()
