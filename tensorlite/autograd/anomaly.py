"""Anomaly detection: name the forward op whose backward produced NaN or Inf."""
import traceback

_enabled = False


def is_enabled():
    return _enabled


def set_detect_anomaly(mode):
    global _enabled
    _enabled = bool(mode)


class detect_anomaly:
    """Context manager (and decorator) that turns anomaly detection on inside it."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan

    def __enter__(self):
        global _enabled
        self._prev = _enabled
        _enabled = self.check_nan
        return self

    def __exit__(self, *exc):
        global _enabled
        _enabled = self._prev
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)
        return wrapper


def creation_trace():
    """The user's stack at the point an op was recorded, without tensorlite's own frames."""
    frames = [f for f in traceback.extract_stack()[:-1] if "/tensorlite/" not in f.filename.replace("\\", "/")]
    return "".join(traceback.format_list(frames[-6:]))
