"""Exception types. Shape and dtype errors derive from both the Python builtin a careful caller
catches (ValueError / TypeError) and RuntimeError, which PyTorch raises for the same mistakes."""


class ShapeError(ValueError, RuntimeError):
    pass


class DTypeError(TypeError, RuntimeError):
    pass
