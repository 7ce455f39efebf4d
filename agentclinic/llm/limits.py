"""Calls in flight per model, shared by every role and episode that use the same model.

``max_in_flight`` caps the concurrent requests to one model (its label, server included)
whatever the episode concurrency; servers that rate-limit or serve one request at a time are
kept busy without being flooded. Semaphores are per event loop: each ``asyncio.run`` gets
its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

_SEMAPHORES: dict[tuple[str, int, int], asyncio.Semaphore] = {}


@contextlib.asynccontextmanager
async def in_flight(label: str, limit: int | None) -> AsyncIterator[None]:
    """Hold one of ``limit`` slots for ``label`` (no limit: no waiting)."""
    if not limit:
        yield
        return
    key = (label, limit, id(asyncio.get_running_loop()))
    semaphore = _SEMAPHORES.setdefault(key, asyncio.Semaphore(limit))
    async with semaphore:
        yield
