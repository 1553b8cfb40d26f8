"""torch.nn.modules.activation (implemented in tensorlite.nn.activation; MultiheadAttention in
tensorlite.nn.attention)."""
from ..activation import *  # noqa: F401,F403
from ..activation import __all__ as _activations
from ..attention import MultiheadAttention  # noqa: F401

__all__ = _activations + ["MultiheadAttention"]
