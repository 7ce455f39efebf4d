"""How the env learns the step limit of an outer ``gymnasium.wrappers.TimeLimit``.

Gymnasium keeps ``max_episode_steps`` on the wrapper (``gym.make`` gives the unwrapped env a
spec without it), so the env cannot see the limit through any public attribute. It must see
it to judge and log an episode that the wrapper cuts: otherwise the last ``info`` has no
verdict and the log says "abandoned". ``reset`` always arrives through the wrapper chain, so
the env finds the wrapper among its callers there, once per episode.
"""

from __future__ import annotations

import sys
from typing import Any

from gymnasium.wrappers import TimeLimit


def outer_step_limit(env: Any, depth: int = 64) -> int | None:
    """The smallest step limit of a ``TimeLimit`` wrapping ``env`` among the current callers."""
    limits = []
    frame = sys._getframe(1)
    while frame is not None and depth > 0:
        wrapper = frame.f_locals.get("self")
        if isinstance(wrapper, TimeLimit) and wrapper.unwrapped is env:
            limit = getattr(wrapper, "_max_episode_steps", None)
            if isinstance(limit, int) and limit > 0:
                limits.append(limit)
        frame, depth = frame.f_back, depth - 1
    return min(limits) if limits else None
