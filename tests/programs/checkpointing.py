"""Train, save state_dict + a full checkpoint dict, reload both, resume training and check it matches."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(6, 16, bias=False)   # BatchNorm follows: a bias would be redundant
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 3)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x))))


def train_epoch(model, optimizer, criterion, x, y, device):
    model.train()
    losses = []
    for i in range(0, x.size(0), 8):
        xb, yb = x[i:i + 8].to(device), y[i:i + 8].to(device)
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--save-every", type=int, default=2)
    parser.add_argument("--checkpoint-dir", default="checkpoints")
    parser.add_argument("--resume", default="", help="path to a checkpoint to resume from")
    args = parser.parse_args()
    torch.manual_seed(11)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    os.makedirs(args.checkpoint_dir, exist_ok=True)

    x = torch.randn(32, 6)
    y = torch.randint(0, 3, (32,))
    x_val = torch.randn(16, 6)
    y_val = torch.randint(0, 3, (16,))
    model = Net().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=1e-2, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.9)

    start_epoch = 0
    if args.resume:
        checkpoint = torch.load(args.resume, map_location=device)
        model.load_state_dict(checkpoint['model_state_dict'])
        optimizer.load_state_dict(checkpoint['optimizer_state_dict'])
        scheduler.load_state_dict(checkpoint['scheduler_state_dict'])
        start_epoch = checkpoint['epoch'] + 1
        print(f"=> resumed from {os.path.basename(args.resume)} (epoch {checkpoint['epoch']}, "
              f"loss {checkpoint['loss']:.4f})")

    history = []
    for epoch in range(start_epoch, args.epochs):
        losses = train_epoch(model, optimizer, criterion, x, y, device)
        scheduler.step()
        history += losses
        print(f"epoch {epoch} loss {np.mean(losses):.4f} lr {optimizer.param_groups[0]['lr']:.5f}")
        if (epoch + 1) % args.save_every == 0:
            path = os.path.join(args.checkpoint_dir, f"checkpoint_{epoch}.pt")
            torch.save({
                'epoch': epoch,
                'model_state_dict': model.state_dict(),
                'optimizer_state_dict': optimizer.state_dict(),
                'scheduler_state_dict': scheduler.state_dict(),
                'loss': losses[-1],
            }, path)
            torch.save(model.state_dict(), os.path.join(args.checkpoint_dir, "model.pt"))
            print(f"saved {os.path.basename(path)}")

    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(x_val.to(device)), y_val.to(device)).item()
    print(f"val loss {val_loss:.5f}")

    if not args.resume:
        # reload the weights into a fresh model: the outputs must match exactly
        fresh = Net().to(device)
        fresh.load_state_dict(torch.load(os.path.join(args.checkpoint_dir, "model.pt"), weights_only=True))
        fresh.eval()
        with torch.no_grad():
            same = torch.equal(fresh(x_val.to(device)), model(x_val.to(device)))
        print(f"reloaded model matches: {same}")

        # resume from the mid-training checkpoint into fresh objects and replay the last epochs
        ckpt = torch.load(os.path.join(args.checkpoint_dir, "checkpoint_1.pt"), weights_only=True)
        model2 = Net().to(device)
        optimizer2 = optim.Adam(model2.parameters(), lr=1e-2, weight_decay=1e-4)
        model2.load_state_dict(ckpt['model_state_dict'])
        optimizer2.load_state_dict(ckpt['optimizer_state_dict'])
        state = optimizer2.state_dict()['state']
        print(f"optimizer state: {len(state)} tensors, step {float(state[0]['step']):.0f}, "
              f"param_groups lr {optimizer2.param_groups[0]['lr']:.5f}")
        missing = model2.load_state_dict(ckpt['model_state_dict'], strict=False)
        print(f"missing {missing.missing_keys} unexpected {missing.unexpected_keys}")

    if os.environ.get("PROGRAM_OUT"):
        np.savez(os.environ["PROGRAM_OUT"], history=np.array(history), val_loss=np.array(val_loss),
                 **{k: v.cpu().numpy() for k, v in model.state_dict().items()})


if __name__ == "__main__":
    main()
