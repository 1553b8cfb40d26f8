"""The classic train/val phase loop (set_grad_enabled per phase, best-weights deepcopy, ReduceLROnPlateau),
with the switches real scripts carry: cudnn flags, cuda seeding, AMP off on CPU (autocast + GradScaler
disabled), and some pre-1.0 idioms still found in the wild (Variable, FloatTensor, LongTensor, .data)."""
import argparse
import copy
import os
import random
import time

import numpy as np
import torch
import torch.backends.cudnn as cudnn
import torch.nn as nn
import torch.optim as optim
from torch.autograd import Variable
from torch.optim import lr_scheduler
from torch.utils.data import DataLoader, TensorDataset


def build_model(num_classes):
    return nn.Sequential(
        nn.Conv2d(3, 6, 3, padding=1), nn.BatchNorm2d(6), nn.ReLU(inplace=True),
        nn.AdaptiveMaxPool2d(4), nn.Flatten(),
        nn.Linear(6 * 16, 16), nn.ReLU(), nn.Linear(16, num_classes))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--amp", action="store_true", help="mixed precision (CUDA only)")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    use_cuda = torch.cuda.is_available()
    if use_cuda:
        torch.cuda.manual_seed_all(args.seed)
    cudnn.benchmark = False
    cudnn.deterministic = True
    device = torch.device("cuda:0" if use_cuda else "cpu")
    use_amp = args.amp and use_cuda

    images = torch.FloatTensor(40, 3, 8, 8).normal_()
    labels = torch.LongTensor(np.random.randint(0, 3, size=40))
    datasets = {"train": TensorDataset(images[:32], labels[:32]), "val": TensorDataset(images[32:], labels[32:])}
    dataloaders = {x: DataLoader(datasets[x], batch_size=8, shuffle=(x == "train"), num_workers=0,
                                 pin_memory=use_cuda, drop_last=(x == "train")) for x in ["train", "val"]}
    dataset_sizes = {x: len(datasets[x]) for x in ["train", "val"]}
    print(dataset_sizes)

    model = build_model(3).to(device)
    criterion = nn.CrossEntropyLoss(label_smoothing=0.1)
    optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=0)
    scaler = torch.amp.GradScaler("cuda", enabled=use_amp)

    since = time.time()
    best_model_wts = copy.deepcopy(model.state_dict())
    best_acc = 0.0
    history = []
    for epoch in range(args.epochs):
        print("Epoch {}/{}".format(epoch, args.epochs - 1))
        print("-" * 10)
        for phase in ["train", "val"]:
            if phase == "train":
                model.train()
            else:
                model.eval()
            running_loss = 0.0
            running_corrects = 0
            for inputs, targets in dataloaders[phase]:
                inputs = Variable(inputs.to(device))
                targets = Variable(targets.to(device))
                optimizer.zero_grad()
                with torch.set_grad_enabled(phase == "train"):
                    with torch.autocast(device_type=device.type, dtype=torch.float16, enabled=use_amp):
                        outputs = model(inputs)
                        _, preds = torch.max(outputs, 1)
                        loss = criterion(outputs, targets)
                    if phase == "train":
                        scaler.scale(loss).backward()
                        scaler.unscale_(optimizer)
                        nn.utils.clip_grad_value_(model.parameters(), 1.0)
                        scaler.step(optimizer)
                        scaler.update()
                running_loss += loss.item() * inputs.size(0)
                running_corrects += torch.sum(preds == targets.data)
            epoch_loss = running_loss / dataset_sizes[phase]
            epoch_acc = running_corrects.double() / dataset_sizes[phase]
            history.append(epoch_loss)
            print("{} Loss: {:.4f} Acc: {:.4f}".format(phase, epoch_loss, epoch_acc))
            if phase == "val":
                scheduler.step(epoch_loss)
                if epoch_acc > best_acc:
                    best_acc = epoch_acc
                    best_model_wts = copy.deepcopy(model.state_dict())
        print(f"lr {optimizer.param_groups[0]['lr']:.4f}")
        print()

    time_elapsed = time.time() - since
    assert time_elapsed >= 0
    print("Best val Acc: {:4f}".format(best_acc))
    model.load_state_dict(best_model_wts)

    if os.environ.get("PROGRAM_OUT"):
        np.savez(os.environ["PROGRAM_OUT"], history=np.array(history),
                 **{k: v.cpu().numpy() for k, v in model.state_dict().items()})


if __name__ == "__main__":
    main()
