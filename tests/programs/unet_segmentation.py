"""A tiny U-Net for binary segmentation of synthetic blobs: skip connections with torch.cat, GroupNorm,
bilinear upsampling, BCEWithLogitsLoss(pos_weight) + soft Dice, IoU metric, a OneCycleLR schedule."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class DoubleConv(nn.Module):
    """(convolution => [GN] => SiLU) * 2"""

    def __init__(self, in_channels, out_channels, groups=2):
        super().__init__()
        self.double_conv = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.GroupNorm(groups, out_channels),
            nn.SiLU(inplace=True),
            nn.Conv2d(out_channels, out_channels, kernel_size=3, padding=1, bias=False),
            nn.GroupNorm(groups, out_channels),
            nn.SiLU(inplace=True),
        )

    def forward(self, x):
        return self.double_conv(x)


class Down(nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.maxpool_conv = nn.Sequential(nn.MaxPool2d(2), DoubleConv(in_channels, out_channels))

    def forward(self, x):
        return self.maxpool_conv(x)


class Up(nn.Module):
    def __init__(self, in_channels, out_channels, bilinear=True):
        super().__init__()
        if bilinear:
            self.up = nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True)
        else:
            self.up = nn.ConvTranspose2d(in_channels // 2, in_channels // 2, kernel_size=2, stride=2)
        self.conv = DoubleConv(in_channels, out_channels)

    def forward(self, x1, x2):
        x1 = self.up(x1)
        diffY = x2.size()[2] - x1.size()[2]
        diffX = x2.size()[3] - x1.size()[3]
        x1 = F.pad(x1, [diffX // 2, diffX - diffX // 2, diffY // 2, diffY - diffY // 2])
        x = torch.cat([x2, x1], dim=1)
        return self.conv(x)


class UNet(nn.Module):
    def __init__(self, n_channels, n_classes, base=4, bilinear=True):
        super().__init__()
        self.inc = DoubleConv(n_channels, base)
        self.down1 = Down(base, base * 2)
        self.down2 = Down(base * 2, base * 2)
        self.up1 = Up(base * 4, base, bilinear)
        self.up2 = Up(base * 2, base, bilinear)
        self.outc = nn.Conv2d(base, n_classes, kernel_size=1)

    def forward(self, x):
        x1 = self.inc(x)
        x2 = self.down1(x1)
        x3 = self.down2(x2)
        x = self.up1(x3, x2)
        x = self.up2(x, x1)
        return self.outc(x)


def dice_loss(logits, target, eps=1e-6):
    probs = torch.sigmoid(logits)
    inter = (probs * target).sum(dim=(1, 2, 3))
    union = probs.sum(dim=(1, 2, 3)) + target.sum(dim=(1, 2, 3))
    return 1 - ((2 * inter + eps) / (union + eps)).mean()


def make_blobs(n, size, gen):
    yy, xx = torch.meshgrid(torch.arange(size), torch.arange(size), indexing='ij')
    centers = torch.rand(n, 2, generator=gen) * size
    radius = 2 + torch.rand(n, generator=gen) * 3
    dist = ((yy[None] - centers[:, 0, None, None]) ** 2 + (xx[None] - centers[:, 1, None, None]) ** 2).sqrt()
    masks = (dist < radius[:, None, None]).float().unsqueeze(1)
    images = masks * 0.8 + 0.3 * torch.randn(n, 1, size, size, generator=gen)
    return images, masks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=4)
    parser.add_argument('--lr', type=float, default=1e-2)
    parser.add_argument('--bilinear', action=argparse.BooleanOptionalAction, default=True)
    args = parser.parse_args()
    torch.manual_seed(4)
    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')

    images, masks = make_blobs(12, 16, torch.Generator().manual_seed(8))
    model = UNet(n_channels=1, n_classes=1, bilinear=args.bilinear).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = images.size(0) // args.batch_size
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, epochs=args.epochs,
                                                    steps_per_epoch=steps_per_epoch)
    pos_weight = (masks.numel() - masks.sum()) / masks.sum()
    criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight.to(device))
    print(f"pos_weight {pos_weight.item():.3f}, {sum(p.numel() for p in model.parameters())} parameters")

    history = []
    for epoch in range(args.epochs):
        model.train()
        for i in range(steps_per_epoch):
            x = images[i * args.batch_size:(i + 1) * args.batch_size].to(device)
            y = masks[i * args.batch_size:(i + 1) * args.batch_size].to(device)
            logits = model(x)
            loss = criterion(logits, y) + dice_loss(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            history.append(loss.item())
        model.eval()
        with torch.no_grad():
            pred = (torch.sigmoid(model(images.to(device))) > 0.5).float()
            inter = (pred * masks).sum().item()
            union = ((pred + masks) > 0).float().sum().item()
        print(f"epoch {epoch}: loss {np.mean(history[-steps_per_epoch:]):.4f} IoU {inter / max(union, 1):.4f} "
              f"lr {scheduler.get_last_lr()[0]:.6f}")

    if os.environ.get('PROGRAM_OUT'):
        np.savez(os.environ['PROGRAM_OUT'], history=np.array(history), pred=pred.cpu().numpy(),
                 **{k: v.cpu().numpy() for k, v in model.state_dict().items()})


if __name__ == '__main__':
    main()
