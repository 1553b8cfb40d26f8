"""The hand-written pieces real projects carry: a custom autograd.Function, a Linear-like module with its own
reset_parameters, a _Loss subclass, buffers, forward hooks, parameters_to_vector, named_modules walks."""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn import init
from torch.nn.modules.loss import _Loss
from torch.nn.parameter import Parameter
from torch.nn.utils import parameters_to_vector, vector_to_parameters


class ScaledTanh(torch.autograd.Function):
    """tanh(x) * scale with a hand-written backward."""

    @staticmethod
    def forward(ctx, input, scale):
        out = torch.tanh(input)
        ctx.save_for_backward(out)
        ctx.scale = scale
        return out * scale

    @staticmethod
    def backward(ctx, grad_output):
        (out,) = ctx.saved_tensors
        return grad_output * ctx.scale * (1 - out * out), None


class MaskedLinear(nn.Module):
    """A Linear layer whose weight is multiplied by a fixed 0/1 mask (a registered buffer)."""

    def __init__(self, in_features, out_features, bias=True, density=0.5):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(torch.empty(out_features, in_features))
        if bias:
            self.bias = Parameter(torch.empty(out_features))
        else:
            self.register_parameter('bias', None)
        self.register_buffer('mask', (torch.rand(out_features, in_features) < density).float())
        self.reset_parameters()

    def reset_parameters(self):
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight * self.mask, self.bias)

    def extra_repr(self):
        return 'in_features={}, out_features={}, bias={}, density={:.2f}'.format(
            self.in_features, self.out_features, self.bias is not None, self.mask.mean().item())


class HuberishLoss(_Loss):
    def __init__(self, delta=1.0, reduction='mean'):
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input, target):
        err = (input - target).abs()
        loss = torch.where(err < self.delta, 0.5 * err ** 2, self.delta * (err - 0.5 * self.delta))
        return loss.mean() if self.reduction == 'mean' else loss.sum()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = MaskedLinear(4, 12)
        self.fc2 = MaskedLinear(12, 12, bias=False, density=0.7)
        self.head = nn.Linear(12, 2)
        self.register_buffer('steps', torch.zeros((), dtype=torch.long))

    def forward(self, x):
        x = ScaledTanh.apply(self.fc1(x), 1.5)
        x = F.softplus(self.fc2(x), beta=2.0)
        return self.head(x)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--lr", type=float, default=0.05)
    args = parser.parse_args()
    torch.manual_seed(9)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    model = Net().to(device)
    print(model)
    print("buffers:", [(n, tuple(b.shape)) for n, b in model.named_buffers()])
    print("modules:", [n for n, _ in model.named_modules()])
    print("parameters:", [(n, tuple(p.shape)) for n, p in model.named_parameters()])

    activations = {}

    def save_activation(name):
        def hook(module, inputs, output):
            activations[name] = output.detach()
        return hook

    handles = [m.register_forward_hook(save_activation(n)) for n, m in model.named_modules()
               if isinstance(m, MaskedLinear)]

    x = torch.randn(32, 4, device=device)
    y = torch.stack([x[:, 0] * x[:, 1], x[:, 2] - x[:, 3]], dim=1)
    criterion = HuberishLoss(delta=0.5)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    losses = []
    for step in range(args.steps):
        model.train()
        optimizer.zero_grad()
        loss = criterion(model(x), y)
        loss.backward()
        optimizer.step()
        model.steps += 1
        losses.append(loss.item())
        print(f"step {step} loss {loss.item():.5f} fc1 act mean {activations['fc1'].mean().item():+.5f} "
              f"masked grads zero: {bool((model.fc1.weight.grad[model.fc1.mask == 0] == 0).all())}")
    for h in handles:
        h.remove()

    # the custom Function against autograd's own tanh
    t = torch.randn(5, dtype=torch.float64, requires_grad=True)
    print("gradcheck:", torch.autograd.gradcheck(lambda v: ScaledTanh.apply(v, 1.5), (t,)))

    vec = parameters_to_vector(model.parameters())
    print(f"{vec.numel()} parameters in one vector, norm {vec.norm().item():.5f}")
    vector_to_parameters(vec * 0.5, model.parameters())
    print(f"after halving: norm {parameters_to_vector(model.parameters()).norm().item():.5f}, "
          f"steps buffer {model.steps.item()}")

    if os.environ.get("PROGRAM_OUT"):
        np.savez(os.environ["PROGRAM_OUT"], losses=np.array(losses),
                 **{k: v.cpu().numpy() for k, v in model.state_dict().items()})


if __name__ == "__main__":
    main()
