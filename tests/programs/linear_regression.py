"""Linear regression with nn.Linear(1, 1), MSELoss and SGD on numpy data; the classic first script."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--num-epochs", type=int, default=60)
    parser.add_argument("--learning-rate", type=float, default=0.01)
    args = parser.parse_args()
    torch.manual_seed(0)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    # Toy dataset
    x_train = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168], [9.779], [6.182], [7.59], [2.167],
                        [7.042], [10.791], [5.313], [7.997], [3.1]], dtype=np.float32)
    y_train = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573], [3.366], [2.596], [2.53], [1.221],
                        [2.827], [3.465], [1.65], [2.904], [1.3]], dtype=np.float32)

    model = nn.Linear(1, 1).to(device)
    criterion = nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.learning_rate)

    losses = []
    for epoch in range(args.num_epochs):
        inputs = torch.from_numpy(x_train).to(device)
        targets = torch.from_numpy(y_train).to(device)

        outputs = model(inputs)
        loss = criterion(outputs, targets)

        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())

        if (epoch + 1) % 10 == 0:
            print('Epoch [{}/{}], Loss: {:.4f}'.format(epoch + 1, args.num_epochs, loss.item()))

    predicted = model(torch.from_numpy(x_train).to(device)).detach().cpu().numpy()
    print(f"w = {model.weight.item():.4f}, b = {model.bias.item():.4f}")
    print(f"prediction for x=5: {model(torch.tensor([[5.0]], device=device)).item():.4f}")

    # closed-form least squares for comparison, in torch
    X = torch.cat([torch.from_numpy(x_train), torch.ones(len(x_train), 1)], dim=1).double()
    sol = torch.linalg.lstsq(X, torch.from_numpy(y_train).double()).solution
    print(f"least squares: w = {sol[0, 0].item():.4f}, b = {sol[1, 0].item():.4f}")

    if os.environ.get("PROGRAM_OUT"):
        np.savez(os.environ["PROGRAM_OUT"], losses=np.array(losses), predicted=predicted,
                 weight=model.weight.detach().numpy(), bias=model.bias.detach().numpy())


if __name__ == '__main__':
    main()
