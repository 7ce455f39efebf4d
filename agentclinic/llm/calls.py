"""Where model-call records go: a per-episode sink set by whoever runs the episode.

The runner and the env set :data:`call_sink` around each episode (a context variable, so
concurrent episodes keep their own); model clients report every call to it. With no sink
set (a role used on its own), calls are simply not logged.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallRecord:
    """One model call as the ``llm_call`` table stores it."""

    role: str
    model: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    latency_ms: float | None = None
    cost_usd: float | None = None  # None: the model's price is unknown
    cache_hit: bool = False
    attempts: int = 1
    error: str | None = None
    note: str | None = None
    sanitised: int = 0  # characters of the reply removed or replaced before anyone saw it


@dataclass
class CallTotals:
    """Running totals for one episode."""

    calls: int = 0
    cache_hits: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    unpriced_models: set[str] = field(default_factory=set)

    def add(self, record: CallRecord) -> None:
        self.calls += 0 if record.cache_hit else 1
        self.cache_hits += int(record.cache_hit)
        self.input_tokens += record.input_tokens or 0
        self.output_tokens += record.output_tokens or 0
        if record.cost_usd is None and not record.cache_hit and record.error is None:  # a failed call costs nothing
            self.unpriced_models.add(record.model)
        else:
            self.cost_usd += record.cost_usd or 0.0


call_sink: ContextVar[Callable[[CallRecord], None] | None] = ContextVar("agentclinic_call_sink", default=None)


def report(record: CallRecord) -> None:
    sink = call_sink.get()
    if sink is not None:
        sink(record)
