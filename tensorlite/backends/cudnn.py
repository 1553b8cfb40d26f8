"""tensorlite.backends.cudnn: no cuDNN here; the flags are settable and read back, as in torch CPU."""
enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available():
    return False


def version():
    return None


def is_acceptable(tensor):
    return False
