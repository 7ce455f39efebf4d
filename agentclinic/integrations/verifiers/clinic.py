"""What the verifiers environment needs from AgentClinic, without importing verifiers.

:class:`ClinicSetup` binds the simulated roles once (model clients are shared; every
rollout gets its own patient, measurement and assessor objects from the role factories, so
concurrent rollouts never share mutable role state), lists the task rows and builds a fresh
:class:`~agentclinic.episode.Episode` per rollout. :func:`score_episode` is the rubric: the
judge's verdict (or the shaped reward terms) as rewards, the process metrics as monitored
values.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from ...agents.registry import RoleSettings, resolve_roles
from ...episode import DEFAULT_MAX_TURNS, Episode, opening_text
from ...loader import Pack, load_pack
from ...persona import Persona, load_library
from ...prompting import doctor_instructions, load_prompts
from ...report.metrics import episode_metrics
from ...rewards import TERMS, Shaping, reward_scheme, terminal_term, trajectory_terms
from ...scenario import DoctorBrief, Scenario

# A text-only policy cannot see images, so it is never told of any (the env's `images="off"`).
IMAGES = "off"


@dataclass(frozen=True)
class TaskRow:
    """One dataset row: what the doctor is shown (``prompt``, ``system_prompt``) and, kept
    apart, what only the rubric reads (``answer``)."""

    scenario_id: str
    prompt: str
    system_prompt: str
    answer: str
    seed: int


@dataclass(frozen=True)
class Scores:
    """A finished rollout's rubric: ``rewards`` maps a name to (score, weight)."""

    rewards: dict[str, tuple[float, float]]
    metrics: dict[str, float]

    @property
    def total(self) -> float:
        return sum(score * weight for score, weight in self.rewards.values())


class ClinicSetup:
    """Cases, role bindings, persona and reward scheme shared by every rollout of one env."""

    def __init__(
        self,
        scenarios: str | Pack = "core",
        max_turns: int = DEFAULT_MAX_TURNS,
        patient: Any = "scripted",
        measurement: Any = "scripted",
        assessor: Any = "scripted",
        *,
        persona: str | Persona | None = None,
        reward: str | Shaping = "terminal",
        prompts: str = "default",
        base_url: str | None = None,
        missing: str = "default-normal",
        max_tokens: int | None = None,
        seed: int = 0,
    ):
        if max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, got {max_turns}")
        self.pack = scenarios if isinstance(scenarios, Pack) else load_pack(scenarios)
        if not self.pack.scenarios:
            raise ValueError(f"scenario pack {self.pack.name!r} holds no cases")
        self.max_turns = max_turns
        self.shaping = reward_scheme(reward)  # raises on an unknown mode, naming the choices
        self.prompts = load_prompts(prompts)
        settings = RoleSettings(prompts=prompts, base_url=base_url, missing=missing, max_tokens=max_tokens)
        self.roles = resolve_roles(None, patient, measurement, assessor, settings=settings)
        library = load_library()
        if isinstance(persona, str):
            persona = library.stack(persona)
        self.persona = library.validate(persona) if persona is not None else None
        self.seed = seed

    def rows(self) -> list[TaskRow]:
        """One row per case, in pack order."""
        return [self.row(scenario) for scenario in self.pack.scenarios]

    def row(self, scenario: Scenario) -> TaskRow:
        brief = self._brief(scenario)
        return TaskRow(
            scenario_id=scenario.id,
            prompt=opening_text(brief),
            system_prompt=doctor_instructions(brief, self.prompts, persona=self.persona),
            answer=scenario.diagnosis.name,
            seed=zlib.crc32(f"{self.seed}:{scenario.id}".encode()),  # stable across processes, unlike hash()
        )

    def episode(self, scenario_id: str, seed: int) -> Episode:
        """A fresh episode with its own role objects (one per rollout)."""
        scenario = self.pack.get(scenario_id)
        persona = {"persona": self.persona} if self.persona else {}
        return Episode(
            scenario,
            self.roles.patient(scenario, seed, **persona),
            self.roles.measurement(scenario, seed),
            self.roles.assessor(seed),
            max_turns=self.max_turns,
            images=IMAGES,
            survey=False,  # the patient's ratings are an extra model call no reward reads
        )

    def _brief(self, scenario: Scenario) -> DoctorBrief:
        # The same brief Episode builds for images="off", so the row's prompt is its opening text.
        brief = DoctorBrief.from_scenario(scenario, self.max_turns)
        return brief.model_copy(update={"images_available": 0})


def score_episode(episode: Episode, shaping: Shaping | None) -> Scores:
    """The rubric of one rollout.

    The terminal reward is the judge's verdict (its hedging rules apply: a list of five
    diagnoses is not correct). With ``shaping`` the episode's summed shaped terms
    (:mod:`agentclinic.rewards`) are rewards too, each with weight 1. Process metrics are
    monitored values that do not enter the reward.
    """
    scenario = episode.scenario
    metrics = episode_metrics(episode.records, scenario.key_facts, episode.max_turns)
    values: dict[str, float] = {}
    for name, value in metrics.as_dict().items():
        if value is not None:
            values[name] = float(value)
    values["correct"] = float(episode.correct)
    values["finished"] = float(episode.done)
    values["redactions"] = float(episode.stats.redactions)
    if shaping is None:
        return Scores({"diagnosis": (terminal_term(episode.correct, episode.cost_usd), 1.0)}, values)
    steps = trajectory_terms(episode.records, scenario.key_facts, correct=episode.correct, shaping=shaping)
    rewards = {term: (sum(step[term] for step in steps), 1.0) for term in TERMS}
    return Scores(rewards, values)
