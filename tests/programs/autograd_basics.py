"""Autograd idioms in a small self-checking script: .grad, retain_grad, backward(gradient=...),
torch.autograd.grad with create_graph, hooks, detach, no_grad, requires_grad_, accumulation."""
import json
import os

import torch

torch.set_default_dtype(torch.float64)


def main():
    torch.manual_seed(2)
    results = {}

    # scalar backward and .grad on leaves
    x = torch.randn(3, requires_grad=True)
    w = torch.randn(3, 3, requires_grad=True)
    y = torch.tanh(w @ x).sum()
    print(y)
    y.backward()
    print("x.grad:", x.grad)
    print("is_leaf:", x.is_leaf, y.is_leaf, "requires_grad:", y.requires_grad, "grad_fn:", type(y.grad_fn).__name__)
    results["x_grad"] = x.grad.tolist()
    results["w_grad"] = w.grad.tolist()

    # gradients accumulate until zeroed
    (x * 2).sum().backward()
    print("accumulated:", x.grad)
    x.grad.zero_()
    print("zeroed:", x.grad)

    # retain_grad on a non-leaf
    a = torch.randn(2, 2, requires_grad=True)
    b = a * a
    b.retain_grad()
    c = (b * 3).mean()
    c.backward()
    print("b.grad:", b.grad)
    print("a.grad == 6a/4:", torch.allclose(a.grad, 6 * a / 4))
    results["b_grad"] = b.grad.tolist()

    # backward with a gradient argument (vector-Jacobian product)
    v = torch.randn(4, requires_grad=True)
    out = v ** 3
    out.backward(gradient=torch.tensor([1.0, 0.5, 0.0, -1.0]))
    print("vjp:", v.grad)
    results["vjp"] = v.grad.tolist()

    # torch.autograd.grad with create_graph: second derivative of sin
    t = torch.linspace(0.0, 1.0, 5, requires_grad=True)
    f = torch.sin(t).sum()
    (g,) = torch.autograd.grad(f, t, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), t)
    print(f"d/dt sin = {g.detach()}")
    print(f"d2/dt2 sin = {h}")
    print("second derivative is -sin:", torch.allclose(h, -torch.sin(t.detach())))
    results["grad2"] = h.tolist()

    # a hook that doubles the gradient flowing into a tensor
    p = torch.ones(3, requires_grad=True)
    handle = p.register_hook(lambda grad: grad * 2)
    (p * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    print("hooked grad:", p.grad)
    handle.remove()

    # detach / no_grad / requires_grad_
    q = torch.randn(3, requires_grad=True)
    r = q.detach()
    with torch.no_grad():
        s = q * 2
    print("detach requires_grad:", r.requires_grad, "no_grad result requires_grad:", s.requires_grad)
    u = torch.zeros(2).requires_grad_()
    (u + 1).pow(2).sum().backward()
    print("u.grad:", u.grad)

    # a manual gradient-descent loop on a quadratic
    z = torch.tensor([3.0, -2.0], requires_grad=True)
    for step in range(5):
        loss = (z ** 2).sum() + z.prod()
        loss.backward()
        with torch.no_grad():
            z -= 0.1 * z.grad
        z.grad = None
        print(f"step {step}: loss {loss.item():.6f} z {[round(v, 6) for v in z.tolist()]}")
    results["z"] = z.tolist()

    out_path = os.environ.get("PROGRAM_OUT")
    if out_path:
        with open(out_path, "w") as fh:
            json.dump(results, fh)


if __name__ == "__main__":
    main()
