"""Which doctor tools an episode uses: parsing ``--doctor-tools`` into tool conditions.

Two forms, as the AgentClinic paper's settings need both:

- ``cot,reflect,rag`` — one condition that composes the listed tools;
- ``none,rag,notebook,rag+notebook`` — a sweep: once ``none`` or a ``+`` appears, commas
  separate conditions and ``+`` joins the tools within one.

A condition is a tuple of tool names in the canonical order of :data:`TOOLS`; ``()`` is no
tools, labelled ``none``.
"""

from __future__ import annotations

TOOLS = ("cot", "reflect", "rag", "notebook", "experience")
# What the rule-based doctor can do without a model (see agents/doctor.py).
BASELINE_TOOLS = frozenset({"rag", "notebook"})
NONE = "none"

Condition = tuple[str, ...]


def canonical(tools: set[str] | list[str] | tuple[str, ...]) -> Condition:
    """Tools in canonical order, unknown names refused with the list of known ones."""
    unknown = sorted(set(tools) - set(TOOLS))
    if unknown:
        raise ValueError(f"unknown doctor tool {', '.join(map(repr, unknown))}: expected {', '.join(TOOLS)} "
                         f"(or {NONE}); join tools of one condition with '+'")
    return tuple(tool for tool in TOOLS if tool in tools)


def parse_conditions(text: str | None) -> list[Condition]:
    """``--doctor-tools`` text -> the conditions to run (``[()]`` when nothing is given)."""
    if text is None or not text.strip():
        return [()]
    items = [item.strip().lower() for item in text.split(",")]
    if any(not item for item in items):
        raise ValueError(f"--doctor-tools {text!r}: an empty item between commas")
    if NONE not in items and not any("+" in item for item in items):
        return [canonical(items)]  # one condition composing the listed tools
    conditions: list[Condition] = []
    for item in items:
        condition = () if item == NONE else canonical([part.strip() for part in item.split("+")])
        if condition in conditions:
            raise ValueError(f"--doctor-tools {text!r}: condition {label(condition)!r} is listed twice")
        conditions.append(condition)
    return conditions


def label(condition: Condition | None) -> str:
    """``('rag', 'notebook')`` -> ``'rag+notebook'``; no tools -> ``'none'``."""
    return "+".join(condition) if condition else NONE


def from_label(text: str | None) -> Condition:
    """The inverse of :func:`label` (None and ``'none'`` are no tools)."""
    if not text or text == NONE:
        return ()
    return canonical(text.split("+"))
