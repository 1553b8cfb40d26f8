"""tensorlite.cpu: torch.cpu, the one device tensorlite has."""
from . import amp  # noqa: F401  (tensorlite.cpu.amp: torch's deprecated spellings)


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def synchronize(device=None):
    """CPU ops finish before they return: nothing to wait for."""
