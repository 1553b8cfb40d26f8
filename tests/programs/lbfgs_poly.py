"""Fit a random cubic with polynomial features: closed-form target, nn.Linear, LBFGS with a closure."""
import argparse
import os

import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim

torch.set_default_dtype(torch.float64)

POLY_DEGREE = 3


def make_features(x):
    """Builds features i.e. a matrix with columns [x, x^2, x^3]."""
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def poly_desc(W, b):
    """Creates a string description of a polynomial."""
    result = 'y = '
    for i, w in enumerate(W):
        result += '{:+.2f} x^{} '.format(w, i + 1)
    result += '{:+.2f}'.format(b[0])
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--line-search", default="strong_wolfe", choices=["none", "strong_wolfe"])
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    W_target = torch.randn(POLY_DEGREE, 1) * 2
    b_target = torch.randn(1) * 2

    def f(x):
        return x.mm(W_target) + b_target.item()

    random = torch.randn(64)
    x = make_features(random).to(device)
    y = f(x).to(device) + 0.01 * torch.randn(64, 1)

    model = nn.Linear(W_target.size(0), 1).to(device)
    criterion = nn.MSELoss()
    optimizer = optim.LBFGS(model.parameters(), lr=1, max_iter=10, history_size=5,
                            line_search_fn=None if args.line_search == "none" else args.line_search)

    losses = []
    for step in range(args.steps):
        def closure():
            optimizer.zero_grad()
            out = model(x)
            loss = criterion(out, y)
            loss.backward()
            return loss

        loss = optimizer.step(closure)
        losses.append(loss.item())
        print(f"step {step}: loss {loss.item():.6e}")

    with torch.no_grad():
        final = criterion(model(x), y).item()
    print('Loss: {:.6f} after {} LBFGS steps'.format(final, args.steps))
    print('==> Learned function:\t' + poly_desc(model.weight.view(-1), model.bias))
    print('==> Actual function:\t' + poly_desc(W_target.view(-1), b_target))

    state = optimizer.state_dict()["state"][0]
    print(f"func evals {state['func_evals']} n_iter {state['n_iter']}")
    out = os.environ.get("PROGRAM_OUT")
    if out:
        np.savez(out, losses=np.array(losses), final=np.array(final),
                 weight=model.weight.detach().cpu().numpy(), bias=model.bias.detach().cpu().numpy())


if __name__ == "__main__":
    main()
