"""torch.nn.modules.sparse (implemented in tensorlite.nn.sparse)."""
from ..sparse import Embedding, EmbeddingBag  # noqa: F401

__all__ = ["Embedding", "EmbeddingBag"]
