"""Exception types. Shape and dtype errors derive from both the Python builtin a careful caller
catches (ValueError / TypeError) and RuntimeError, which PyTorch raises for the same mistakes."""


class ShapeError(ValueError, RuntimeError):
    pass


class DTypeError(TypeError, RuntimeError):
    pass


class ArgumentError(ValueError, RuntimeError):
    """An argument's value is invalid (neither a shape nor a dtype problem) where PyTorch raises
    RuntimeError: integers to negative powers, a dim listed twice, a state dict with missing keys."""
