"""torch.nn.modules.utils: argument expanders used by layer constructors (and user layers)."""
import collections.abc

__all__ = []


def _ntuple(n, name="parse"):
    """A function that turns an iterable into a tuple and repeats anything else n times."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable):
            return tuple(x)
        return (x,) * n
    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")
_quadruple = _ntuple(4, "_quadruple")


def _reverse_repeat_tuple(t, n):
    """(a, b) -> (b, b, a, a) for n=2: F.pad's order (last dim first) from a per-dim tuple."""
    return tuple(x for x in reversed(t) for _ in range(n))


def _list_with_default(out_size, defaults):
    """out_size with each None replaced by the matching trailing entry of defaults (adaptive pools)."""
    if isinstance(out_size, int) and not isinstance(out_size, bool):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"_list_with_default: input dimension should be at least {len(out_size) + 1}, "
                         f"got {len(defaults)}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]
