"""tensorlite.utils: torch.utils' import paths. `tensorlite.utils.data` is tensorlite.data under
torch's name (the same objects), imported on first use so `import tensorlite` stays fast."""


def __getattr__(name):
    if name == "data":
        import importlib
        return importlib.import_module(f"{__name__}.data")
    raise AttributeError(f"module 'tensorlite.utils' has no attribute '{name}'")
