"""Doctor-tool uses as transcript lines, for ``episodes show`` and the log browser.

A tool use is not a turn: it sits between turns at its ``position`` (the number of turns
logged before it). These helpers return plain text built from stored rows; callers make it
printable and keep it from being read as markup (model text is untrusted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ..store import DoctorToolCall, Turn

QUERY_CHARS = 120  # the rule-based doctor searches with everything it heard: show the start


def interleave(turns: Sequence[Turn], calls: Sequence[DoctorToolCall]) -> Iterator[Turn | DoctorToolCall]:
    """Turns and tool uses in transcript order: a use comes after the turns with index < position."""
    pending = sorted(calls, key=lambda call: call.position)  # stable: logged order within a position
    index = 0
    for number, turn in enumerate(turns):
        while index < len(pending) and pending[index].position <= number:
            yield pending[index]
            index += 1
        yield turn
    yield from pending[index:]


def describe(call: DoctorToolCall) -> str:
    """What the tool did, in one paragraph (e.g. ``query → passages a, b, c``)."""
    detail: dict[str, Any] = call.detail or {}
    if detail.get("error"):
        return f"failed: {detail['error']}"
    describer = _DESCRIBERS.get(call.tool)
    return describer(call, detail) if describer else (call.output or call.input)


def usage(call: DoctorToolCall) -> str:
    """Tokens and model spend of the use ('' for a tool that called no model)."""
    parts = []
    if call.input_tokens or call.output_tokens:
        parts.append(f"{(call.input_tokens or 0) + (call.output_tokens or 0):,} tokens")
    if call.cost_usd:
        parts.append(f"${call.cost_usd:.4f}")
    return " · ".join(parts)


def _short(text: str, limit: int = QUERY_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rag(call: DoctorToolCall, detail: dict) -> str:
    passages = ", ".join(str(p) for p in detail.get("passages", [])) or "none"
    return f"{_short(call.input)} → passages {passages}"


def _reflect(call: DoctorToolCall, detail: dict) -> str:
    after = detail.get("after")
    outcome = "continued" if detail.get("continued") else ("changed" if detail.get("changed") else "kept")
    return f"{detail.get('before') or '—'} → {after if after is not None else 'keep examining'} ({outcome})"


def _notebook_read(call: DoctorToolCall, detail: dict) -> str:
    if detail.get("version") is None:
        return f"no note yet (chain {detail.get('chain', '?')})"
    withheld = detail.get("sentences_withheld")
    note = f"; {withheld} sentence(s) withheld" if withheld else ""
    return (f"version {detail['version']} by episode {detail.get('written_by_episode', '?')}{note}: "
            f"{call.output or '(empty)'}")


def _notebook_write(call: DoctorToolCall, detail: dict) -> str:
    truncated = ", truncated" if detail.get("truncated") else ""
    return f"version {detail.get('version', '?')} written{truncated}: {call.output or '(empty)'}"


def _experience(call: DoctorToolCall, detail: dict) -> str:
    if detail.get("episode_id") is None:
        return f"no worked example found (rule {detail.get('rule', '?')})"
    return (f"worked example: episode {detail['episode_id']} ({detail.get('scenario_id', '?')}), "
            f"rule {detail.get('rule', '?')}, run {detail.get('source_run', '?')}")


def _cot(call: DoctorToolCall, detail: dict) -> str:
    return call.output or "(no reasoning)"


_DESCRIBERS = {"rag": _rag, "reflect": _reflect, "notebook-read": _notebook_read, "notebook-write": _notebook_write,
               "experience": _experience, "cot": _cot}
