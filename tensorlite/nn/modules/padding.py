"""torch.nn.modules.padding (implemented in tensorlite.nn.padding)."""
from ..padding import ConstantPad2d, ZeroPad2d  # noqa: F401

__all__ = ["ConstantPad2d", "ZeroPad2d"]
