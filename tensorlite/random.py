"""One seeded generator for every random draw in the library (init, dropout, shuffling, augmentation)."""
import json
import os

import numpy as np


class Generator:
    def __init__(self, device="cpu"):
        self.seed()

    def manual_seed(self, seed):
        seed = int(seed)
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

    def set_state(self, state):
        blob = bytes(np.asarray(getattr(state, "_data", state), dtype=np.uint8))
        try:
            d = json.loads(blob.decode())
            self._seed = d["seed"]
            self.rng = np.random.Generator(np.random.PCG64())
            self.rng.bit_generator.state = d["state"]
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"Generator.set_state(): not a tensorlite generator state ({e})") from None
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


def set_rng_state(state):
    default_generator.set_state(state)


def rng(generator=None):
    """The numpy Generator to draw from."""
    return (generator or default_generator).rng
