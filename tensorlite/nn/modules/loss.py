"""torch.nn.modules.loss (implemented in tensorlite.nn.loss)."""
from ..loss import (_Loss, _WeightedLoss, CrossEntropyLoss, NLLLoss, MSELoss, L1Loss, SmoothL1Loss,  # noqa: F401
                    BCEWithLogitsLoss, BCELoss, HuberLoss, KLDivLoss, CosineEmbeddingLoss, MarginRankingLoss,
                    HingeEmbeddingLoss, SoftMarginLoss, MultiLabelSoftMarginLoss, MultiLabelMarginLoss,
                    MultiMarginLoss, TripletMarginLoss, TripletMarginWithDistanceLoss, PoissonNLLLoss,
                    GaussianNLLLoss)

__all__ = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "SmoothL1Loss", "BCEWithLogitsLoss", "BCELoss",
           "HuberLoss", "KLDivLoss", "CosineEmbeddingLoss", "MarginRankingLoss", "HingeEmbeddingLoss",
           "SoftMarginLoss", "MultiLabelSoftMarginLoss", "MultiLabelMarginLoss", "MultiMarginLoss", "TripletMarginLoss",
           "TripletMarginWithDistanceLoss", "PoissonNLLLoss", "GaussianNLLLoss"]
