"""torch.nn.modules.container (implemented in tensorlite.nn.container)."""
from ..container import Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict  # noqa: F401

__all__ = ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
