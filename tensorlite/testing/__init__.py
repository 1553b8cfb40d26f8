"""tensorlite.testing: torch.testing's assert_close and make_tensor, plus hypothesis strategies
for property tests (`tensorlite.testing.strategies`, needs the `testing` extra)."""
from ._comparison import assert_close
from ._creation import make_tensor

__all__ = ["assert_close", "make_tensor"]
