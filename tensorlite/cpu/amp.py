"""tensorlite.cpu.amp: torch.cpu.amp's deprecated spellings of tensorlite.amp.autocast('cpu') and
GradScaler('cpu')."""
from ..amp._deprecated import deprecated_classes

autocast, GradScaler = deprecated_classes("cpu")
