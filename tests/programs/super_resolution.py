"""Sub-pixel convolution super-resolution (PixelShuffle) trained on random low/high-res pairs; PSNR."""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.init as init
import torch.optim as optim
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super(Net, self).__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(8, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)


def main():
    parser = argparse.ArgumentParser(description='Super Res Example')
    parser.add_argument('--upscale_factor', type=int, default=2)
    parser.add_argument('--batchSize', type=int, default=4)
    parser.add_argument('--nEpochs', type=int, default=3)
    parser.add_argument('--lr', type=float, default=0.01)
    parser.add_argument('--seed', type=int, default=123)
    opt = parser.parse_args()
    torch.manual_seed(opt.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    target = torch.rand(8, 1, 12, 12)
    target = F.avg_pool2d(F.pad(target, (1, 1, 1, 1), mode='replicate'), 3, stride=1)  # smooth a little
    inputs = F.interpolate(target, scale_factor=1 / opt.upscale_factor, mode='bilinear', align_corners=False)

    model = Net(upscale_factor=opt.upscale_factor).to(device)
    criterion = nn.MSELoss()
    optimizer = optim.Adam(model.parameters(), lr=opt.lr)

    history = []
    for epoch in range(1, opt.nEpochs + 1):
        epoch_loss = 0
        for iteration in range(0, inputs.size(0), opt.batchSize):
            input = inputs[iteration:iteration + opt.batchSize].to(device)
            tgt = target[iteration:iteration + opt.batchSize].to(device)
            optimizer.zero_grad()
            loss = criterion(model(input), tgt)
            epoch_loss += loss.item()
            loss.backward()
            optimizer.step()
            history.append(loss.item())
            print("===> Epoch[{}]({}/{}): Loss: {:.4f}".format(epoch, iteration // opt.batchSize + 1,
                                                               inputs.size(0) // opt.batchSize, loss.item()))
        print("===> Epoch {} Complete: Avg. Loss: {:.4f}".format(epoch, epoch_loss / 2))

        avg_psnr = 0
        with torch.no_grad():
            prediction = model(inputs.to(device))
            mse = criterion(prediction, target.to(device))
            psnr = 10 * math.log10(1 / mse.item())
            avg_psnr += psnr
        print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr))

    if os.environ.get("PROGRAM_OUT"):
        np.savez(os.environ["PROGRAM_OUT"], history=np.array(history),
                 prediction=prediction.cpu().numpy(),
                 **{k: v.cpu().numpy() for k, v in model.state_dict().items()})


if __name__ == "__main__":
    main()
