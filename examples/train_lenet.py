"""Train LeNet-5 on CIFAR-10: the whole loop in one readable page (the PyTorch idiom, `tl` for `torch`).

    python examples/train_lenet.py --epochs 30

For checkpoints, --resume, plots and metrics.json use the full command:
    python -m tensorlite.train --model lenet5 --epochs 60
"""
import argparse
import time

import tensorlite as tl
import tensorlite.nn.functional as F
from tensorlite.data import transforms as T


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--lr", type=float, default=0.05)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--model", default="lenet5", help="any name from tl.models.available_models()")
    args = p.parse_args()

    tl.manual_seed(0)
    normalize = [T.ToTensor(), T.Normalize(T.CIFAR10_MEAN, T.CIFAR10_STD)]
    train_set = tl.data.CIFAR10(args.data_dir, train=True, download=True, transform=T.Compose(
        [T.RandomCrop(32, padding=4), T.RandomHorizontalFlip()] + normalize))
    test_set = tl.data.CIFAR10(args.data_dir, train=False, download=True, transform=T.Compose(normalize))
    train_loader = tl.data.DataLoader(train_set, batch_size=128, shuffle=True, drop_last=True)
    test_loader = tl.data.DataLoader(test_set, batch_size=500)

    model = tl.models.get_model(args.model)
    optimizer = tl.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, nesterov=True,
                             weight_decay=args.weight_decay)
    scheduler = tl.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * len(train_loader))

    for epoch in range(1, args.epochs + 1):
        model.train()
        start, seen, correct = time.perf_counter(), 0, 0
        for images, labels in train_loader:
            logits = model(images)
            loss = F.cross_entropy(logits, labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            seen += len(labels)
            correct += (logits.argmax(dim=1) == labels).sum().item()

        model.eval()
        test_correct = 0
        with tl.no_grad():
            for images, labels in test_loader:
                test_correct += (model(images).argmax(dim=1) == labels).sum().item()
        print(f"epoch {epoch:3d}  loss {loss.item():.3f}  train acc {100 * correct / seen:.2f}%  "
              f"test acc {100 * test_correct / len(test_set):.2f}%  ({time.perf_counter() - start:.1f} s)",
              flush=True)

    tl.save(model.state_dict(), f"{args.model}.safetensors")
    print(f"saved {args.model}.safetensors")


if __name__ == "__main__":
    main()
