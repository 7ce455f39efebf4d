"""Shared memory for the env's free-text and image spaces, so that
``gym.make_vec(..., vectorization_mode="async")`` works with its default ``shared_memory=True``.

Gymnasium's async vector env lets each worker write its observation into a buffer made once
by ``create_shared_memory`` and reads that buffer through the object ``read_from_shared_memory``
returned, also once: fixed-size arrays are views that see every later write. Text of any
length and images of any size fit no fixed array (Gymnasium's own ``Text`` buffer keeps only
its charset and returns strings decoded at creation, which never change). Here the buffer is
a list held by a multiprocessing manager, one slot per env, and the reader is a view that
fetches the slots when read; Gymnasium deep-copies the observations it returns (``copy=True``,
the default), which turns the view into the plain tuple a sync vector env gives.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any

from gymnasium.vector.utils import create_shared_memory, read_from_shared_memory, write_to_shared_memory

from ..spaces import ImageSequence, Unicode

_MANAGERS: dict[int, Any] = {}  # one manager process per multiprocessing context, started on first use
_LOCK = threading.Lock()


def _manager(ctx: Any) -> Any:
    with _LOCK:
        key = id(ctx)
        if key not in _MANAGERS:
            _MANAGERS[key] = ctx.Manager()
        return _MANAGERS[key]


class SlotView(Sequence):
    """The envs' current values of one space, read from the shared slots when asked."""

    def __init__(self, slots: Any) -> None:
        self.slots = slots

    def __len__(self) -> int:
        return len(self.slots)

    def __getitem__(self, index: Any) -> Any:
        return self.slots[index]

    def __iter__(self) -> Iterator[Any]:
        return iter(self.slots._getvalue())  # one round trip for all slots

    def __deepcopy__(self, memo: dict) -> tuple:
        return tuple(self.slots._getvalue())

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, (SlotView, tuple, list)) else other)

    def __repr__(self) -> str:
        return f"SlotView({tuple(self)!r})"


def _create(space: Unicode | ImageSequence, n: int = 1, ctx: Any = None) -> Any:
    import multiprocessing

    return _manager(ctx or multiprocessing).list([None] * n)


def _read(space: Unicode | ImageSequence, shared_memory: Any, n: int = 1) -> SlotView:
    return SlotView(shared_memory)


def _write(space: Unicode | ImageSequence, index: int, value: Any, shared_memory: Any) -> None:
    shared_memory[index] = value


for _space in (Unicode, ImageSequence):
    create_shared_memory.register(_space)(_create)
    read_from_shared_memory.register(_space)(_read)
    write_to_shared_memory.register(_space)(_write)
