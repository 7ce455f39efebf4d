"""A run's plan: every episode as (case, trial, persona, swap, doctor tools), and shards of it."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..doctor_tools.selection import Condition, label
from ..persona import Persona, swap_variants
from ..resume import EpisodeKey, episode_key
from ..scenario import Scenario

if TYPE_CHECKING:
    from ..runner import RunConfig


class PlanItem(NamedTuple):
    scenario: Scenario
    trial: int
    persona: Persona | None
    swap: str | None
    tools: Condition = ()


def episode_plan(config: RunConfig, scenarios: list[Scenario]) -> list[PlanItem]:
    """Every episode: trials x cases (x swap values) x doctor-tool conditions x personas."""
    variants = [(None, s) for s in scenarios] if not config.swap else [
        (swap, variant) for s in scenarios for swap, variant in swap_variants(s, config.swap)]
    personas = config.personas or [None]
    return [PlanItem(variant, trial, persona, swap, tools) for trial in range(config.trials)
            for swap, variant in variants for tools in config.doctor_tools for persona in personas]


def plan_key(item: PlanItem) -> EpisodeKey:
    scenario, trial, persona, swap, tools = item
    return episode_key(scenario.id, trial, persona.label() if persona else None, swap, tools_label(tools))


def tools_label(tools: Condition) -> str | None:
    """How an episode's tools are stored: None for none (as before tools existed)."""
    return label(tools) if tools else None


def shard_of(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4), with a clear error for anything else."""
    index, sep, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        i, n = 0, 0
    if not sep or not 1 <= i <= n:
        raise ValueError(f"shard must look like i/n with 1 <= i <= n (e.g. 1/4), got {text!r}")
    return i, n


def my_share(plan: list, shard: str | None) -> list:
    if shard is None:
        return plan
    i, n = shard_of(shard)
    return [item for index, item in enumerate(plan) if index % n == i - 1]
