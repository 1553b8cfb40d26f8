"""tensorlite.compile: torch.compile's signature, for scripts that call it.

tensorlite has no graph compiler: its ops already run as C / Numba kernels, one call each.
compile(...) therefore returns the module or function itself, unchanged, so `model =
tl.compile(model)` and `@tl.compile` / `@tl.compile(mode="max-autotune")` keep working and
produce exactly the eager results."""

from .errors import ArgumentError


class _NotCallableError(TypeError, AssertionError):
    """torch.compile asserts its model is callable; a wrong-type argument is a TypeError here too."""


_MODES = (None, "default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            name=None, disable=False, **kwargs):  # noqa: A001  (PyTorch's name)
    """Return `model` unchanged (tensorlite runs eagerly; see the module docstring).

    compile(model, ...) returns model; compile(...) without a model returns a decorator that
    returns the function it decorates. The keywords are checked as torch checks them: `mode`
    and `options` are exclusive, `mode` must be one of torch's modes."""
    if mode is not None and options is not None:
        raise ArgumentError("compile(): Either mode or options can be specified, but both can't be specified at "
                            "the same time.")
    if mode not in _MODES:
        raise ArgumentError(f"compile(): Unrecognized mode={mode!r}, should be one of: "
                           f"{', '.join(m for m in _MODES if m)}")
    if options is not None and not isinstance(options, dict):
        raise TypeError(f"compile(): argument 'options' must be a dict, got {type(options).__name__}")
    if model is None:
        return lambda fn: compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                                  options=options, name=name, disable=disable, **kwargs)
    if not callable(model):
        raise _NotCallableError(f"compile(): argument 'model': A callable function is expected, but {type(model)} "
                                f"is provided.")
    return model


def is_compiling():
    """False: nothing is ever being traced (torch.compiler.is_compiling)."""
    return False


def disable(fn=None, recursive=True, *, reason=None):
    """torch.compiler.disable: the function itself (nothing is compiled anyway)."""
    if fn is None:
        return lambda f: f
    return fn
