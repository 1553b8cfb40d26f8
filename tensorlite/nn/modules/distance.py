"""torch.nn.modules.distance (implemented in tensorlite.nn.distance)."""
from ..distance import CosineSimilarity, PairwiseDistance  # noqa: F401

__all__ = ["CosineSimilarity", "PairwiseDistance"]
