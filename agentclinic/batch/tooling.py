"""Setting a batch run's doctor tools up: checks before anything runs, and the run's runtime."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..doctor_tools.experience import RULES
from ..doctor_tools.notebook import Note, NotebookChain
from ..doctor_tools.runtime import Slot, ToolRuntime, ToolSettings, chain_key
from ..doctor_tools.selection import BASELINE_TOOLS, label
from .plan import PlanItem, plan_key

if TYPE_CHECKING:
    from ..runner import RunConfig
    from ..store import Store


def check_tools(config: RunConfig) -> None:
    """Tool settings that cannot work, refused in one line with the fix."""
    used = {tool for condition in config.doctor_tools for tool in condition}  # type: ignore[union-attr]
    if config.doctor == "baseline" and used - BASELINE_TOOLS:
        extra = ", ".join(sorted(used - BASELINE_TOOLS))
        raise ValueError(f"--doctor-tools {extra}: the baseline doctor has no model to think, reflect or learn from "
                         f"an example; it can use {', '.join(sorted(BASELINE_TOOLS))}. Use a model doctor "
                         "(--doctor <model spec>) for the others")
    if "notebook" in used and config.shard is not None:
        raise ValueError(f"--doctor-tools notebook cannot run with --shard {config.shard}: the notebook passes "
                         "from episode to episode in one process; drop --shard")
    if "experience" in used and config.experience_run is None:
        raise ValueError("--doctor-tools experience needs --experience-run RUN_ID: a finished run whose correct "
                         "episodes serve as worked examples (e.g. the same doctor without tools)")
    if config.experience_rule not in RULES:
        raise ValueError(f"--experience-rule {config.experience_rule!r}: expected one of {', '.join(RULES)}")
    if config.rag_top_k < 1:
        raise ValueError(f"--rag-top-k must be at least 1, got {config.rag_top_k}")


def tool_runtime(config: RunConfig, plan: list[PlanItem], store: Store) -> ToolRuntime | None:
    """The run's tool runtime (None when no condition uses a tool), made before the run is
    opened: the retriever is indexed and the experience run read first, so their errors stop
    the command before anything is logged."""
    used = {tool for item in plan for tool in item.tools}
    if not used:
        return None
    settings = ToolSettings(config.rag_corpus, config.rag_retriever, config.rag_top_k, config.experience_run,
                            config.experience_rule)
    runtime = ToolRuntime(settings, store, seed=config.seed)
    if "rag" in used:
        runtime.retriever()
    if "experience" in used:
        runtime.past_episodes()
    return runtime


def attach_run(runtime: ToolRuntime | None, config: RunConfig, plan: list[PlanItem], done: dict, store: Store,
               run_id: int) -> None:
    """Point the runtime at the opened run; notebook chains start from its stored notes."""
    if runtime is None:
        return
    runtime.run_id = run_id
    if any("notebook" in item.tools for item in plan):
        _notebooks(runtime, config, plan, done, store, run_id)


def _notebooks(runtime: ToolRuntime, config: RunConfig, plan: list[PlanItem], done: dict, store: Store,
               run_id: int) -> None:
    """One chain per doctor condition; positions in plan order; finished episodes' notes kept."""
    from ..store.tool_log import notes_of

    members: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(plan):
        if "notebook" in item.tools:
            chain = chain_key(label(item.tools), item.persona.label() if item.persona else None, item.swap)
            runtime.slots[index] = Slot(chain, len(members[chain]))
            members[chain].append(index)
    stored = defaultdict(dict)
    for row in notes_of(store, run_id):
        stored[row.chain][row.position] = Note(row.position, row.text, row.episode_id)
    for chain, indices in members.items():
        settled = {position for position, index in enumerate(indices) if plan_key(plan[index]) in done}
        runtime.chains[chain] = NotebookChain(len(indices), config.concurrency, stored[chain], settled)
