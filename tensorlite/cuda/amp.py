"""tensorlite.cuda.amp: torch.cuda.amp's deprecated spellings of tensorlite.amp.autocast('cuda') and
GradScaler('cuda'). CUDA is not available, so both warn and disable themselves, as in a CPU-only torch."""
from ..amp._deprecated import deprecated_classes

autocast, GradScaler = deprecated_classes("cuda")
