"""AgentClinic as a verifiers environment (Prime Intellect; the verifiers 0.4 ``v1`` API).

The policy plays the doctor; every case of a pack is one task. From Python::

    env = load_environment(scenarios="core", max_turns=8, patient="scripted", reward="terminal")

and from verifiers' own CLI, which finds the installed module ``agentclinic_verifiers``::

    vf-eval agentclinic-verifiers -m <model> --client.base-url http://127.0.0.1:8000/v1 \\
        --env.taskset.max-turns 8 --no-push

Needs the ``verifiers`` extra: ``pip install 'agentclinic[verifiers]'``.
"""

from __future__ import annotations

from typing import Any

from ...llm.backends.base import require

require("verifiers.v1", "verifiers", "the verifiers environment")

# Imported after the check, so a missing extra is named instead of an ImportError deep inside.
from ...episode import DEFAULT_MAX_TURNS
from .clinic import ClinicSetup, Scores, TaskRow, score_episode
from .env import (
    ENV_ID,
    ClinicData,
    ClinicEnv,
    ClinicEnvConfig,
    ClinicTask,
    ClinicTaskset,
    ClinicTasksetConfig,
)
from .harness import ClinicHarness, ClinicHarnessConfig

__all__ = [
    "ENV_ID", "ClinicData", "ClinicEnv", "ClinicEnvConfig", "ClinicHarness", "ClinicHarnessConfig",
    "ClinicSetup", "ClinicTask", "ClinicTaskset", "ClinicTasksetConfig", "Scores", "TaskRow",
    "load_environment", "score_episode",
]


def load_environment(
    scenarios: str = "core",
    max_turns: int = DEFAULT_MAX_TURNS,
    patient: str = "scripted",
    measurement: str = "scripted",
    persona: str | None = None,
    reward: str = "terminal",
    **options: Any,
) -> ClinicEnv:
    """The clinic env, ready for verifiers' runners.

    ``options`` are the other :class:`ClinicTasksetConfig` fields (``assessor``,
    ``base_url`` and ``max_tokens`` for model-backed roles, ``prompts``, ``missing``, ``seed``); the policy's
    model and endpoint are the run's (``vf-eval -m ... --client.base-url ...``).
    """
    taskset = ClinicTasksetConfig(scenarios=scenarios, max_turns=max_turns, patient=patient,
                                  measurement=measurement, persona=persona, reward=reward, **options)
    return ClinicEnv(ClinicEnvConfig(taskset=taskset))
