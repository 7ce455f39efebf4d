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
from dataclasses import dataclass, replace
from typing import Protocol

from .backends import ChatBackend, RawCompletion, make_backend
from .calls import CallRecord, report
from .limits import in_flight
from .messages import Message
from .pricing import PriceTable, load_price_table
from .redact import redact_secrets, scrub_exception
from .retry import call_with_retries
from .sanitise import sanitise
from .spec import ModelSpec


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


def _sanitised(raw: RawCompletion) -> tuple[RawCompletion, int]:
    """The completion with its text sanitised, and how many characters that changed."""
    text, removed = sanitise(raw.text)
    return (replace(raw, text=text) if text != raw.text else raw), removed


class ModelClient:
    """Calls one model for one role."""

    def __init__(self, spec: ModelSpec, role: str, *, backend: ChatBackend | None = None,
                 cache: ResponseCache | None = None, prices: PriceTable | None = None):
        self.spec = spec
        self.role = role
        # Several comma-separated base URLs serve one model: each call goes to the least busy.
        urls = [u.strip() for u in (spec.base_url or "").split(",") if u.strip()]
        self.backends = [backend] if backend is not None else (
            [make_backend(spec.with_settings(base_url=url)) for url in urls] if len(urls) > 1 else [make_backend(spec)])
        self.busy = [0] * len(self.backends)
        self._turn = 0
        self._own_backend = backend is None
        self._variants: dict[int, ModelClient] = {}
        self.cache = cache
        self.prices = prices or load_price_table()

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

    def cache_key(self, messages: list[Message], json_schema: dict | None, seed: int | None) -> str:
        payload = {
            "model": self.spec.label, "temperature": self.spec.temperature, "max_tokens": self.spec.max_tokens,
            "seed": seed, "schema": json_schema, "messages": [m.key() for m in messages],
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    async def chat(self, messages: list[Message], *, json_schema: dict | None = None,
                   seed: int | None = None, note: str | None = None) -> Completion:
        key = self.cache_key(messages, json_schema, seed) if self.cache is not None else None
        if key is not None and (hit := self.cache.get(key)) is not None:  # type: ignore[union-attr]
            # Stored replies are cleaned again: a cache written by an older version holds raw text.
            hit, removed = _sanitised(hit)
            report(CallRecord(self.role, self.spec.label, hit.input_tokens, hit.output_tokens, 0.0, 0.0,
                              cache_hit=True, note=note, sanitised=removed))
            return Completion(hit.text, hit.input_tokens, hit.output_tokens, 0.0, True, 0.0)
        attempts = 0

        async def attempt() -> RawCompletion:
            nonlocal attempts
            attempts += 1
            async with in_flight(self.spec.label, self.spec.extra.get("max_in_flight")):
                index = self._pick()
                self.busy[index] += 1
                try:
                    return await self.backends[index].complete(messages, json_schema=json_schema, seed=seed)
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
            self.cache.put(key, self.spec.label, raw)  # type: ignore[union-attr]
        return Completion(raw.text, raw.input_tokens, raw.output_tokens, cost, False, latency)
