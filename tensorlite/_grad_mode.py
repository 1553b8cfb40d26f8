"""Whether operations record the graph: no_grad, enable_grad, set_grad_enabled, inference_mode.

A foundation module (below Tensor, which checks the mode in its in-place methods); the public home
is tensorlite.autograd.grad_mode, which re-exports these same objects."""
import functools
import threading

_state = threading.local()


def is_grad_enabled():
    return getattr(_state, "enabled", True)


def _set(flag):
    _state.enabled = flag


class _GradMode:
    """Base for the context managers; each also works as a decorator."""
    flag = True

    def __enter__(self):
        self._prev = is_grad_enabled()
        _set(self.flag)
        return self

    def __exit__(self, *exc):
        _set(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    flag = False


class enable_grad(_GradMode):
    flag = True


class set_grad_enabled(_GradMode):
    def __init__(self, mode):
        if not isinstance(mode, (bool, int)) and type(mode).__name__ != "bool_":      # numpy bools pass too
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be a bool, got {mode!r:.40}")
        self.flag = bool(mode)
        self._prev = is_grad_enabled()
        _set(self.flag)  # like PyTorch, it takes effect when called, not only inside `with`

    def __enter__(self):
        return self

    def __call__(self, fn):
        _set(self._prev)
        flag = self.flag

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(flag):
                return fn(*args, **kwargs)
        return wrapper


class inference_mode(no_grad):
    def __init__(self, mode=True):
        self.flag = not mode
