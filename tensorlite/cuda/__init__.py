"""tensorlite.cuda: torch.cuda as it behaves in a PyTorch build without CUDA.

tensorlite runs on the CPU only, so this module answers the questions ported scripts ask
(`is_available()` is False, `device_count()` is 0), accepts what torch-without-CUDA accepts
silently (seeding, `empty_cache()`, memory counters that read 0), and raises
DeviceUnavailableError (a RuntimeError and an AssertionError, like torch's "Torch not compiled
with CUDA enabled") for anything that needs a GPU: synchronize(), current_device(), set_device() ..."""
from .._device import DeviceUnavailableError, device as _device_cls
from . import amp  # noqa: F401  (tensorlite.cuda.amp: torch's deprecated spellings)


def _no_cuda(fname):
    raise DeviceUnavailableError(f"tensorlite.cuda.{fname}(): Torch not compiled with CUDA enabled "
                                 f"(tensorlite runs on the CPU only)")


def is_available():
    return False


def device_count():
    return 0


def is_initialized():
    return False


def is_bf16_supported(including_emulation=True):
    return False


def _seed_int(seed, fname):
    try:
        return int(seed)
    except (TypeError, ValueError):
        raise ValueError(f"tensorlite.cuda.{fname}(): argument 'seed' must be an int, got {seed!r:.40}") from None


def manual_seed(seed):
    """Accepted and ignored, as in torch without CUDA (there is no CUDA generator to seed)."""
    _seed_int(seed, "manual_seed")


def manual_seed_all(seed):
    """Accepted and ignored, as in torch without CUDA."""
    _seed_int(seed, "manual_seed_all")


def seed():
    pass


def seed_all():
    pass


def get_rng_state_all():
    return []


def set_rng_state_all(new_states):
    pass


def empty_cache():
    """Nothing to free: as in torch without CUDA, a no-op."""


# Memory counters: no CUDA memory is ever allocated.
def memory_allocated(device=None):
    return 0


def max_memory_allocated(device=None):
    return 0


def memory_reserved(device=None):
    return 0


def max_memory_reserved(device=None):
    return 0


def memory_stats(device=None):
    return {}


def get_arch_list():
    return []


def synchronize(device=None):
    _no_cuda("synchronize")


def current_device():
    _no_cuda("current_device")


def set_device(device):
    _no_cuda("set_device")


def init():
    _no_cuda("init")


def initial_seed():
    _no_cuda("initial_seed")


def get_rng_state(device="cuda"):
    _no_cuda("get_rng_state")


def set_rng_state(new_state, device="cuda"):
    _no_cuda("set_rng_state")


def get_device_name(device=None):
    _no_cuda("get_device_name")


def get_device_capability(device=None):
    _no_cuda("get_device_capability")


def get_device_properties(device=None):
    _no_cuda("get_device_properties")


def mem_get_info(device=None):
    _no_cuda("mem_get_info")


def current_stream(device=None):
    _no_cuda("current_stream")


class device:
    """torch.cuda.device(idx): constructible (it only names a device); entering it needs CUDA."""

    def __init__(self, device):
        if isinstance(device, _device_cls) and device.type != "cuda":
            raise ValueError(f"Expected a cuda device, but got: {device}")
        self.idx = device

    def __enter__(self):
        _no_cuda("device")

    def __exit__(self, *exc):
        return False

