"""Flatten and Unflatten (torch.nn.modules.flatten): tensor.flatten / unflatten as layers."""
from ..ops import movement
from .module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        return movement.flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    def __init__(self, dim, unflattened_size):
        super().__init__()
        if isinstance(unflattened_size, (str, bytes)) or not hasattr(unflattened_size, "__iter__"):
            raise TypeError(f"Unflatten: argument 'unflattened_size' must be a tuple of ints, got "
                            f"{unflattened_size!r:.40}")
        self.dim, self.unflattened_size = dim, tuple(unflattened_size)

    def forward(self, x):
        return movement.unflatten(x, self.dim, self.unflattened_size)

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
