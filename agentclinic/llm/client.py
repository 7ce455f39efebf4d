"""A role's model client: one backend plus retries, timeout, response cache, usage and spend.

Every call is reported to the episode's call sink (see :mod:`.calls`), hit or miss,
success or error, so the ``llm_call`` table accounts for all of them. This is the one door
every backend's reply comes through, so replies are sanitised here (:mod:`.sanitise`) and
error messages redacted here (:mod:`.redact`).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from .backends import ChatBackend, RawCompletion, make_backend
from .calls import CallRecord, report
from .limits import in_flight
from .messages import Message, ToolCall
from .pricing import PriceTable, load_price_table
from .redact import redact_secrets, scrub_exception
from .retry import call_with_retries
from .sanitise import sanitise
from .spec import ModelSpec
from .tool_calls import from_cache, sanitise_calls, to_cache


class ResponseCache(Protocol):
    def get(self, key: str) -> RawCompletion | None: ...

    def put(self, key: str, model: str, completion: RawCompletion) -> None: ...


@dataclass(frozen=True)
class Completion:
    text: str
    input_tokens: int | None
    output_tokens: int | None
    cost_usd: float | None
    cache_hit: bool
    latency_ms: float
    tool_calls: tuple[ToolCall, ...] = ()  # what the model called, when it was offered tools


def _sanitised(raw: RawCompletion) -> tuple[RawCompletion, int]:
    """The completion with its text and tool calls sanitised, and how many characters that changed."""
    text, removed = sanitise(raw.text)
    calls, in_calls = sanitise_calls(raw.tool_calls)
    changed = text != raw.text or calls != raw.tool_calls
    return (replace(raw, text=text, tool_calls=calls) if changed else raw), removed + in_calls


def _server_backends(spec: ModelSpec) -> list[ChatBackend]:
    """One backend per server: several comma-separated base URLs serve one model."""
    urls = [u.strip() for u in (spec.base_url or "").split(",") if u.strip()]
    return [make_backend(spec.with_settings(base_url=url)) for url in urls] if len(urls) > 1 else [make_backend(spec)]


class ModelClient:
    """Calls one model for one role."""

    def __init__(self, spec: ModelSpec, role: str, *, backend: ChatBackend | None = None,
                 cache: ResponseCache | None = None, prices: PriceTable | None = None):
        self.spec = spec
        self.role = role
        # Several comma-separated base URLs serve one model: each call goes to the least busy.
        self.backends = [backend] if backend is not None else _server_backends(spec)
        self.busy = [0] * len(self.backends)
        self._turn = 0
        self._own_backend = backend is None
        self._variants: dict[int, ModelClient] = {}
        self.cache = cache
        self.prices = prices or load_price_table()

    def __getstate__(self) -> dict:
        # A copy (pickled for a Ray task or an async vector env, deep-copied to branch an
        # episode) opens its own connections, and reads no response cache: the cache is a
        # database session of the original's.
        state = self.__dict__.copy()
        state.update(cache=None, busy=[0] * len(self.backends))
        if self._own_backend:
            state["backends"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self.backends is None:
            self.backends = _server_backends(self.spec)

    @property
    def backend(self) -> ChatBackend:
        return self.backends[0]

    def _pick(self) -> int:
        """The least busy server; ties rotate so idle servers share the load."""
        self._turn += 1
        order = sorted(range(len(self.backends)), key=lambda i: (self.busy[i], (i - self._turn) % len(self.backends)))
        return order[0]

    def with_max_tokens(self, max_tokens: int) -> ModelClient:
        """The same model for a longer (or shorter) answer than the role's usual cap."""
        if not self._own_backend or (self.spec.max_tokens is not None and self.spec.max_tokens >= max_tokens):
            return self  # an injected backend (a test fake) is kept as it is
        if max_tokens not in self._variants:
            self._variants[max_tokens] = ModelClient(self.spec.with_settings(max_tokens=max_tokens), self.role,
                                                     cache=self.cache, prices=self.prices)
        return self._variants[max_tokens]

    @property
    def vision(self) -> bool:
        """Whether the model accepts images (backend's own word, else the price table's)."""
        if hasattr(self.backend, "vision"):  # the first server speaks for the others
            return bool(self.backend.vision)
        if "vision" in self.spec.extra:
            return bool(self.spec.extra["vision"])
        price = self.prices.lookup(self.spec.model)
        return bool(price and price.vision)

    def cache_key(self, messages: list[Message], json_schema: dict | None, seed: int | None,
                  tools: Sequence[dict] | None = None) -> str:
        payload = {
            "model": self.spec.label, "temperature": self.spec.temperature, "max_tokens": self.spec.max_tokens,
            "seed": seed, "schema": json_schema, "messages": [m.key() for m in messages],
        }
        if tools is not None:  # only then, so keys of calls without tools stay as they were
            payload["tools"] = list(tools)
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    async def chat(self, messages: list[Message], *, json_schema: dict | None = None,
                   seed: int | None = None, note: str | None = None,
                   tools: Sequence[dict] | None = None) -> Completion:
        """One reply. ``tools`` (OpenAI function definitions) needs a backend with ``tool_calling``;
        the calls the model makes come back in ``Completion.tool_calls``."""
        key = self.cache_key(messages, json_schema, seed, tools) if self.cache is not None else None
        hit = self.cache.get(key) if key is not None else None  # type: ignore[union-attr]
        if hit is not None and tools is not None:
            hit = from_cache(hit)
        if hit is not None:
            # Stored replies are cleaned again: a cache written by an older version holds raw text.
            hit, removed = _sanitised(hit)
            report(CallRecord(self.role, self.spec.label, hit.input_tokens, hit.output_tokens, 0.0, 0.0,
                              cache_hit=True, note=note, sanitised=removed))
            return Completion(hit.text, hit.input_tokens, hit.output_tokens, 0.0, True, 0.0, hit.tool_calls)
        attempts = 0

        async def attempt() -> RawCompletion:
            nonlocal attempts
            attempts += 1
            async with in_flight(self.spec.label, self.spec.extra.get("max_in_flight")):
                index = self._pick()
                self.busy[index] += 1
                try:
                    # Backends without tool calling (and test fakes) keep the narrower signature.
                    extra = {"tools": list(tools)} if tools is not None else {}
                    return await self.backends[index].complete(messages, json_schema=json_schema, seed=seed,
                                                               **extra)
                finally:
                    self.busy[index] -= 1

        started = time.perf_counter()
        try:
            raw = await call_with_retries(attempt, attempts=self.spec.max_retries + 1, timeout_s=self.spec.timeout_s)
        except Exception as exc:
            latency = (time.perf_counter() - started) * 1000
            report(CallRecord(self.role, self.spec.label, latency_ms=latency, attempts=attempts,
                              error=redact_secrets(f"{type(exc).__name__}: {exc}")[:2000], note=note))
            # Whoever catches it (the runner records episode.error) sees no server password either.
            scrub_exception(exc)
            raise
        latency = (time.perf_counter() - started) * 1000
        raw, removed = _sanitised(raw)
        cost = self.prices.cost(self.spec.model, raw.input_tokens, raw.output_tokens)
        report(CallRecord(self.role, self.spec.label, raw.input_tokens, raw.output_tokens, latency, cost,
                          attempts=attempts, note=note, sanitised=removed))
        if key is not None:
            self.cache.put(key, self.spec.label, to_cache(raw) if tools is not None else raw)  # type: ignore[union-attr]
        return Completion(raw.text, raw.input_tokens, raw.output_tokens, cost, False, latency, raw.tool_calls)
