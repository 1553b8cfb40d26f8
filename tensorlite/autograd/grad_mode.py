"""Whether operations record the graph: no_grad, enable_grad, set_grad_enabled, inference_mode.

The state lives in tensorlite._grad_mode (below Tensor, which needs it); these are the same objects."""
from .._grad_mode import (is_grad_enabled, no_grad, enable_grad, set_grad_enabled, inference_mode,  # noqa: F401
                          _GradMode, _set, _state)

__all__ = ["is_grad_enabled", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode"]
