"""One ``AsyncOpenAI`` client per server and event loop, shared by every role that calls it.

Each role used to open its own client (its own connection pool and, for hosted APIs, its
own TLS sessions). A client's connections belong to the event loop that opened them, so the
clients are kept per loop and dropped with it.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import NamedTuple


class ClientSettings(NamedTuple):
    """What makes two backends' clients interchangeable."""

    api_key: str
    base_url: str | None
    query: tuple[tuple[str, str], ...]
    timeout_s: float | None


_BY_LOOP: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[ClientSettings, object]] = \
    weakref.WeakKeyDictionary()
_OUTSIDE_A_LOOP: dict[ClientSettings, object] = {}


def shared_client(settings: ClientSettings):
    """The client for ``settings`` on the running loop (made on first use)."""
    try:
        clients = _BY_LOOP.setdefault(asyncio.get_running_loop(), {})
    except RuntimeError:  # asked outside a loop (a synchronous caller or a test): one for the process
        clients = _OUTSIDE_A_LOOP
    client = clients.get(settings)
    if client is None:
        client = clients[settings] = _make(settings)
    return client


def _make(settings: ClientSettings):
    from openai import AsyncOpenAI

    # Retries happen in one place (llm/retry.py), so the SDK's own are switched off.
    return AsyncOpenAI(api_key=settings.api_key, base_url=settings.base_url, default_query=dict(settings.query) or None,
                       timeout=settings.timeout_s, max_retries=0)
