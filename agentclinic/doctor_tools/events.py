"""Tool events: what a doctor's tool did, logged as its own row kind (never a turn).

A doctor (or the runner, for notebook and experience) calls :func:`emit`; whoever runs the
episode sets :data:`tool_sink` to record the event. Outside a run nothing is recorded and
the tools still work.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

TOOL_EVENT_KINDS = ("cot", "reflect", "rag", "notebook-read", "notebook-write", "experience")


@dataclass(frozen=True)
class ToolEvent:
    """One use of a doctor tool: what went in, what came out, and what it cost."""

    tool: str  # one of TOOL_EVENT_KINDS
    input: str = ""
    output: str = ""
    detail: dict[str, Any] = field(default_factory=dict)  # passage ids, note version, chosen episode, ...
    turn: int = 0  # the doctor turn it came before (0: before the first action)
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_usd: float | None = None
    latency_ms: float | None = None


tool_sink: ContextVar[Callable[[ToolEvent], None] | None] = ContextVar("agentclinic_tool_sink", default=None)


def emit(event: ToolEvent) -> None:
    """Hand ``event`` to the current episode's recorder, if there is one."""
    sink = tool_sink.get()
    if sink is not None:
        sink(event)


def completion_usage(completion: Any) -> dict[str, Any]:
    """The token, cost and latency fields of a model completion, for a :class:`ToolEvent`."""
    return {"input_tokens": completion.input_tokens, "output_tokens": completion.output_tokens,
            "cost_usd": completion.cost_usd, "latency_ms": completion.latency_ms}
