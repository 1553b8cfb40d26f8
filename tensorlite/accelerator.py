"""tensorlite.accelerator: torch.accelerator on a machine without one (tensorlite runs on the CPU)."""
from ._device import DeviceUnavailableError


def _none(fname):
    raise DeviceUnavailableError(f"tensorlite.accelerator.{fname}(): Cannot access accelerator device when none "
                                 f"is available (tensorlite runs on the CPU only)")


def is_available():
    return False


def current_accelerator(check_available=False):
    """None: there is no accelerator (torch returns None on a CPU-only build)."""
    return None


def device_count():
    return 0


def current_device_index():
    _none("current_device_index")


current_device_idx = current_device_index


def set_device_index(device):
    _none("set_device_index")


set_device_idx = set_device_index


def synchronize(device=None):
    _none("synchronize")
