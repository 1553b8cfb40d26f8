"""tensorlite.utils.benchmark: torch.utils.benchmark's Timer, Measurement and Compare, for timing
tensorlite and torch code side by side with one tool (see timer.py and compare.py)."""
from .timer import Timer, Measurement, TaskSpec
from .compare import Compare

__all__ = ["Timer", "Measurement", "TaskSpec", "Compare"]
