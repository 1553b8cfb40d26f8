"""One seeded generator for every random draw in the library (init, dropout, shuffling, augmentation)."""
import json
import os

import numpy as np


class Generator:
    def __init__(self, device="cpu"):
        if str(device) not in ("cpu", "cpu:0"):
            raise ValueError(f"Generator(): argument 'device' must be 'cpu' (tensorlite runs on the CPU only), "
                             f"got {device!r}")
        self.seed()

    def manual_seed(self, seed):
        try:
            seed = int(seed)
        except (TypeError, ValueError):
            raise TypeError(f"manual_seed(): argument 'seed' must be an int, got {seed!r:.40}") from None
        if seed < 0:
            seed &= (1 << 64) - 1         # PyTorch accepts negative seeds the same way
        self._seed = seed
        self.rng = np.random.Generator(np.random.PCG64(seed))
        return self

    def seed(self):
        self.manual_seed(int.from_bytes(os.urandom(8), "little") >> 1)
        return self._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The state as a uint8 tensor (so it can be checkpointed with the model)."""
        from .tensor import Tensor
        blob = json.dumps({"seed": self._seed, "state": self.rng.bit_generator.state}).encode()
        return Tensor._wrap(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state, _fname="Generator.set_state"):
        desc = (f"{new_state.dtype.name} tensor of shape {tuple(new_state.shape)}" if hasattr(new_state, "_data")
                else type(new_state).__name__)
        try:
            blob = bytes(np.asarray(getattr(new_state, "_data", new_state), dtype=np.uint8))
            d = json.loads(blob.decode())
            seed, rng_ = d["seed"], np.random.Generator(np.random.PCG64())
            rng_.bit_generator.state = d["state"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
            raise ValueError(f"{_fname}(): argument 'new_state' is not a tensorlite generator state: got a "
                             f"{desc} ({e})") from None
        self._seed, self.rng = seed, rng_
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed every random draw tensorlite makes."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state, _fname="set_rng_state")


def rng(generator=None):
    """The numpy Generator to draw from."""
    return (generator or default_generator).rng
