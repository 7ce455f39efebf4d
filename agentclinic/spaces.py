"""Gymnasium spaces for free text and variable-size images.

``gymnasium.spaces.Text`` only accepts characters from a fixed charset (by default letters
and digits), so an ordinary sentence with spaces and punctuation would not be "in" the space.
Doctors and patients speak arbitrary Unicode; :class:`Unicode` accepts any string up to a
length bound. Case images differ in size; :class:`ImageSequence` accepts a tuple of RGB
``uint8`` arrays of any size up to a bound.
"""

from __future__ import annotations

import string
from typing import Any

import numpy as np
from gymnasium import spaces

_SAMPLE_CHARSET = string.ascii_letters + string.digits + " .,;:?!'-()/" + "éüñçø°µ"


class Unicode(spaces.Text):
    """Any ``str`` whose length lies within ``[min_length, max_length]``."""

    def __init__(self, max_length: int, min_length: int = 0, seed: int | np.random.Generator | None = None):
        super().__init__(max_length=max_length, min_length=min_length, charset=_SAMPLE_CHARSET, seed=seed)

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and self.min_length <= len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"Unicode({self.min_length}, {self.max_length})"

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, Unicode) and self.min_length == other.min_length
                and self.max_length == other.max_length)


class ImageSequence(spaces.Space[tuple]):
    """A tuple of at most ``max_images`` RGB images (H x W x 3 ``uint8``), each side <= ``max_side``."""

    def __init__(self, max_images: int = 8, max_side: int = 4096, seed: int | np.random.Generator | None = None):
        self.max_images = max_images
        self.max_side = max_side
        super().__init__(shape=None, dtype=None, seed=seed)

    @property
    def is_np_flattenable(self) -> bool:
        return False

    def contains(self, x: Any) -> bool:
        if not isinstance(x, tuple) or len(x) > self.max_images:
            return False
        return all(
            isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
            and 0 < image.shape[0] <= self.max_side and 0 < image.shape[1] <= self.max_side
            for image in x
        )

    def sample(self, mask: Any = None, probability: Any = None) -> tuple:
        count = int(self.np_random.integers(0, min(self.max_images, 2) + 1))
        return tuple(
            self.np_random.integers(0, 256, size=(int(self.np_random.integers(1, 33)),
                                                  int(self.np_random.integers(1, 33)), 3), dtype=np.uint8)
            for _ in range(count)
        )

    def to_jsonable(self, sample_n: Any) -> list:
        return [[image.tolist() for image in sample] for sample in sample_n]

    def from_jsonable(self, sample_n: list) -> list:
        return [tuple(np.asarray(image, dtype=np.uint8) for image in sample) for sample in sample_n]

    def __repr__(self) -> str:
        return f"ImageSequence(max_images={self.max_images}, max_side={self.max_side})"

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, ImageSequence) and self.max_images == other.max_images
                and self.max_side == other.max_side)
