"""Train a small CIFAR-style ResNet on random 3x16x16 images (a smoke run of the usual recipe)."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


def conv3x3(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=1, bias=False)


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, in_planes, planes, stride=1):
        super().__init__()
        self.conv1 = conv3x3(in_planes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut = nn.Sequential()
        if stride != 1 or in_planes != self.expansion * planes:
            self.shortcut = nn.Sequential(
                nn.Conv2d(in_planes, self.expansion * planes, kernel_size=1, stride=stride, bias=False),
                nn.BatchNorm2d(self.expansion * planes),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        out += self.shortcut(x)
        out = F.relu(out)
        return out


class ResNet(nn.Module):
    def __init__(self, block, num_blocks, num_classes=10, width=8):
        super().__init__()
        self.in_planes = width
        self.conv1 = conv3x3(3, width)
        self.bn1 = nn.BatchNorm2d(width)
        self.layer1 = self._make_layer(block, width, num_blocks[0], stride=1)
        self.layer2 = self._make_layer(block, width * 2, num_blocks[1], stride=2)
        self.layer3 = self._make_layer(block, width * 4, num_blocks[2], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * 4 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def _make_layer(self, block, planes, num_blocks, stride):
        strides = [stride] + [1] * (num_blocks - 1)
        layers = []
        for s in strides:
            layers.append(block(self.in_planes, planes, s))
            self.in_planes = planes * block.expansion
        return nn.Sequential(*layers)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer1(out)
        out = self.layer2(out)
        out = self.layer3(out)
        out = self.avgpool(out)
        out = torch.flatten(out, 1)
        return self.fc(out)


def train(model, device, images, labels, criterion, optimizer, epoch, batch_size):
    model.train()
    train_loss, correct, total = 0.0, 0, 0
    perm = torch.randperm(images.size(0))
    losses = []
    for batch_idx, start in enumerate(range(0, images.size(0), batch_size)):
        idx = perm[start:start + batch_size]
        inputs, targets = images[idx].to(device), labels[idx].to(device)
        optimizer.zero_grad()
        outputs = model(inputs)
        loss = criterion(outputs, targets)
        loss.backward()
        optimizer.step()

        train_loss += loss.item()
        _, predicted = outputs.max(1)
        total += targets.size(0)
        correct += predicted.eq(targets).sum().item()
        losses.append(loss.item())
        print(f"epoch {epoch} batch {batch_idx} loss {train_loss / (batch_idx + 1):.4f} "
              f"acc {100. * correct / total:.2f}% ({correct}/{total})")
    return losses


def test(model, device, images, labels, criterion):
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        inputs, targets = images.to(device), labels.to(device)
        outputs = model(inputs)
        test_loss = criterion(outputs, targets).item()
        predicted = outputs.argmax(dim=1)
        correct = (predicted == targets).sum().item()
    print(f"test loss {test_loss:.4f} acc {100. * correct / len(labels):.1f}%")
    return test_loss


def main():
    parser = argparse.ArgumentParser(description="CIFAR-style ResNet smoke training")
    parser.add_argument("--lr", default=0.1, type=float, help="learning rate")
    parser.add_argument("--epochs", default=3, type=int)
    parser.add_argument("--batch-size", default=16, type=int)
    parser.add_argument("--n-train", default=32, type=int)
    parser.add_argument("--scheduler", default="multistep", choices=["multistep", "cosine"])
    parser.add_argument("--seed", default=0, type=int)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    images = torch.randn(args.n_train, 3, 16, 16)
    labels = torch.randint(0, 10, (args.n_train,))
    test_images = torch.randn(16, 3, 16, 16)
    test_labels = torch.randint(0, 10, (16,))

    model = ResNet(BasicBlock, [1, 1, 1]).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=5e-4)
    if args.scheduler == "cosine":
        scheduler = optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs)
    else:
        scheduler = optim.lr_scheduler.MultiStepLR(optimizer, milestones=[1, 2], gamma=0.1)

    n_params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"ResNet with {n_params} trainable parameters")
    losses = []
    for epoch in range(args.epochs):
        losses += train(model, device, images, labels, criterion, optimizer, epoch, args.batch_size)
        test(model, device, test_images, test_labels, criterion)
        scheduler.step()
        print(f"lr now {scheduler.get_last_lr()[0]:.5f}")

    out = os.environ.get("PROGRAM_OUT")
    if out:
        state = {k: v.detach().cpu().numpy() for k, v in model.state_dict().items()}
        grads = {f"grad.{n}": p.grad.detach().cpu().numpy() for n, p in model.named_parameters()}
        np.savez(out, losses=np.array(losses), **state, **grads)


if __name__ == "__main__":
    main()
