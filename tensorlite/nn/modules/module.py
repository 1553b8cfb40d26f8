"""torch.nn.modules.module: the Module base class (one implementation: tensorlite.nn.module)."""
from ..module import Module, IncompatibleKeys as _IncompatibleKeys, _addindent  # noqa: F401

__all__ = ["Module"]
