"""The verifiers (v1 API) classes: the case taskset, the clinic env and their configs.

Each task is one case; its ``prompt`` is the doctor's opening observation and its
``system_prompt`` the doctor's instructions, neither of which ever holds the diagnosis
(``answer`` carries it, for scoring only). :meth:`ClinicEnv.run` is the episode loop seen
from verifiers: every policy reply is one :meth:`Episode.step`; the simulated patient or
measurement answers (scripted or a model, grounded in the case and redacted by the episode)
become the next user turn; the judge's verdict and the process metrics land on the trace.
"""

from __future__ import annotations

from typing import Literal

import verifiers.v1 as vf

from ...episode import DEFAULT_MAX_TURNS, Episode
from .clinic import ClinicSetup, Scores, score_episode

ENV_ID = "agentclinic-verifiers"  # the importable module verifiers resolves: agentclinic_verifiers


class ClinicTasksetConfig(vf.TasksetConfig):
    """The case pack and the simulated roles, under ``--env.taskset.*``."""

    id: str = ENV_ID
    scenarios: str = "core"
    """A bundled pack name, a directory, a case file or an AgentClinic JSONL file."""
    max_turns: int = DEFAULT_MAX_TURNS
    """Doctor turns per episode; the last one is prompted to give a diagnosis."""
    patient: str = "scripted"
    """``scripted`` or a model spec (``openai:gpt-4o-mini``, ``local:smollm2``, ...)."""
    measurement: str = "scripted"
    assessor: str = "scripted"
    """The judge: ``scripted`` (names, synonyms, the diagnosis graph) or a model spec."""
    persona: str | None = None
    """A stored persona stack id (biases and temperament of the simulated patient/doctor)."""
    reward: Literal["terminal", "shaped"] = "terminal"
    """``terminal``: the judge's verdict 1/0; ``shaped``: plus cost, invalid, repeat and
    information terms (see :mod:`agentclinic.rewards`)."""
    base_url: str | None = None
    """OpenAI-compatible server for the model-backed roles (not for the policy)."""
    max_tokens: int | None = None
    """Reply cap for the model-backed roles (None: each role's default)."""
    prompts: str = "default"
    missing: str = "default-normal"
    seed: int = 0


class ClinicData(vf.TaskData):
    scenario_id: str
    answer: str
    """The diagnosis: read by scoring only, never sent to the policy."""
    seed: int


class ClinicTask(vf.Task[ClinicData, vf.State, vf.TaskConfig]):
    pass


class ClinicTaskset(vf.Taskset[ClinicTask, ClinicTasksetConfig]):
    """One task per case of the pack, in pack order."""

    def __init__(self, config: ClinicTasksetConfig) -> None:
        super().__init__(config)
        self.clinic = ClinicSetup(
            config.scenarios, config.max_turns, config.patient, config.measurement, config.assessor,
            persona=config.persona, reward=config.reward, prompts=config.prompts, base_url=config.base_url,
            missing=config.missing, max_tokens=config.max_tokens, seed=config.seed,
        )

    def load(self):
        for row in self.clinic.rows():
            yield ClinicTask(
                ClinicData(id=row.scenario_id, name=row.scenario_id, prompt=row.prompt,
                           system_prompt=row.system_prompt, scenario_id=row.scenario_id, answer=row.answer,
                           seed=row.seed),
                self.config.task,
            )


class ClinicEnvConfig(vf.EnvConfig):
    doctor: vf.AgentConfig = vf.AgentConfig(runtime=vf.SubprocessConfig())
    """The policy under evaluation or training (``--env.doctor.*``). Its harness defaults
    to this package's in-process chat harness; nothing runs in its runtime."""


class ClinicEnv(vf.Env[ClinicEnvConfig]):
    """A clinical encounter: the policy is the doctor, AgentClinic simulates the rest."""

    taskset: ClinicTaskset

    async def run(self, task, agents) -> None:
        clinic = self.taskset.clinic
        episode = clinic.episode(task.data.scenario_id, task.data.seed)  # this rollout's own roles
        episode.start()  # the task's prompt is this opening observation
        async with agents.doctor.interaction(task) as chat:
            segment = await chat.turn()  # a prompted task: the doctor speaks first
            while not segment.terminated:
                observation = await episode.step(segment.last_reply)
                if episode.done:
                    break
                segment = await chat.turn(observation.text)
        record(chat.trace, score_episode(episode, clinic.shaping), episode)


def record(trace: vf.Trace, scores: Scores, episode: Episode) -> None:
    """Put the rubric on the trace: rewards with their weights, metrics as monitored values."""
    for name, (score, weight) in scores.rewards.items():
        trace.record_reward(name, score, weight)
    trace.record_metrics(scores.metrics)
    assessment = episode.assessment
    trace.info["agentclinic"] = {
        "scenario_id": episode.scenario.id,
        "diagnosis": episode.diagnosis.diagnosis if episode.diagnosis else None,
        "verdict": assessment.verdict if assessment else None,
        "turns": episode.turn,
    }
