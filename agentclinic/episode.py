"""The one episode loop every front door drives (pure: agents and recording are injected).

:class:`Episode` is a step-wise state machine: ``start()`` gives the doctor its opening
observation, ``await step(text)`` takes one doctor utterance and returns what the doctor
perceives next. It owns turn order, the turn budget, the final-turn prompt, action
routing, the running cost and termination. The Gymnasium env, the batch runner and the TUI
all use it; none re-implements it. :func:`run_episode` drives it with a doctor agent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from dataclasses import dataclass, field, replace

from .actions import Ask, Diagnose, Examine, Invalid, RequestImages, RequestTest, parse_action
from .language import phrasebook
from .prices import PriceList, load_prices
from .resolver import ImageRef, MeasurementContext, MeasurementResult
from .roles import (Assessment, AssessorAgent, DoctorAgent, MeasurementAgent, Observation, PatientAgent, Speaker,
                    SurveyRespondent)
from .scenario import DoctorBrief, Scenario
from .survey import Survey
from .validity.guard import guard_for

DEFAULT_MAX_TURNS = 20  # AgentClinic's default number of doctor turns
IMAGE_MODES = ("on-request", "upfront", "off")  # the paper's two NEJM settings, plus none
FINAL_TURN_PROMPT = "This is the final question. Please provide a diagnosis."
PROTOCOL_HINT = (
    "Ask the patient a question, or write PHYSICAL EXAM (optionally ': system'), "
    "REQUEST TEST: <name>, REQUEST IMAGES, or DIAGNOSIS READY: <diagnosis>."
)


@dataclass(frozen=True)
class TurnRecord:
    """One logged turn: who spoke, what they said and, for the doctor, what it meant."""

    index: int
    speaker: Speaker
    text: str
    action: str | None = None  # the doctor's parsed action kind
    action_detail: dict | None = None
    provenance: str | None = None  # for measurement replies: case | default-normal | unavailable
    cost_usd: float = 0.0
    latency_ms: float | None = None
    image_ids: tuple[str, ...] = ()
    note: str | None = None
    redactions: int = 0  # diagnosis mentions removed from this reply (a simulator fault when > 0)


@dataclass
class EpisodeStats:
    questions: int = 0
    examinations: int = 0
    tests: list[str] = field(default_factory=list)
    image_requests: int = 0
    invalid_actions: int = 0
    redactions: int = 0  # diagnosis mentions removed from replies before the doctor saw them
    images_unavailable: int = 0  # remote images that could not be fetched (the episode went on)


class EpisodeFinished(RuntimeError):
    """Raised when a finished episode is stepped again."""


class Episode:
    """One encounter between a doctor and the simulated patient and measurement roles."""

    def __init__(
        self,
        scenario: Scenario,
        patient: PatientAgent,
        measurement: MeasurementAgent,
        assessor: AssessorAgent | None = None,
        *,
        max_turns: int = DEFAULT_MAX_TURNS,
        prices: PriceList | None = None,
        answer_options: tuple[str, ...] = (),
        options_note: str | None = None,
        images: str = "on-request",
        image_fetcher: Callable[[str], Path] | None = None,
        on_turn: Callable[[TurnRecord], None] | None = None,
        survey: bool = True,
        doctor_language: str | None = None,
    ):
        if max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, got {max_turns}")
        if images not in IMAGE_MODES:
            raise ValueError(f"images must be one of {', '.join(IMAGE_MODES)}, got {images!r}")
        self.images = images
        self.image_fetcher = image_fetcher  # remote images: url -> local file (I/O injected, core stays pure)
        self.scenario = scenario
        self.patient = patient
        self.measurement = measurement
        self.assessor = assessor
        self.max_turns = max_turns
        self.prices = prices or load_prices()
        self.brief = DoctorBrief.from_scenario(scenario, max_turns, answer_options)
        if images == "off":  # the doctor is not told of images it can never get
            self.brief = self.brief.model_copy(update={"images_available": 0})
        if doctor_language:  # the cross-language setting: the doctor works in its own language
            self.brief = self.brief.model_copy(update={"doctor_language": doctor_language})
        self.on_turn = on_turn
        self.records: list[TurnRecord] = []
        # Every reply passes this on its way to the doctor: the diagnosis in any spelling.
        self.guard = guard_for(scenario.diagnosis.name, tuple(scenario.diagnosis.synonyms))
        self.stats = EpisodeStats()
        self.context = MeasurementContext()
        self.turn = 0
        self.cost_usd = 0.0
        self.diagnosis: Diagnose | None = None
        self.assessment: Assessment | None = None
        self.truncated = False
        self._started = False
        self.image_errors: list[str] = []
        self.run_survey = survey
        self.options_note = options_note  # how multiple-choice options were drawn, for the log
        self.survey: Survey | None = None
        self.survey_error: str | None = None

    # ---- state ----------------------------------------------------------------------------
    @property
    def done(self) -> bool:
        return self.diagnosis is not None or self.truncated

    @property
    def remaining(self) -> int:
        return self.max_turns - self.turn

    @property
    def correct(self) -> bool:
        return bool(self.assessment and self.assessment.correct)

    # ---- the loop -------------------------------------------------------------------------
    def start(self) -> Observation:
        """The opening observation: objective, who the patient is, and the budget."""
        if self._started:
            raise RuntimeError("episode already started")
        self._started = True
        text = opening_text(self.brief)
        images: tuple[ImageRef, ...] = ()
        if self.images == "upfront" and self.scenario.images:
            refs = tuple(ImageRef(i.id, i.modality, self.scenario.image_path(i), i.url) for i in self.scenario.images)
            images, notes = self._local_images(refs)
            text += "\n" + "\n".join(filter(None, [_image_lines(images), *notes]))
        self._record("system", text, image_ids=tuple(ref.id for ref in images), note=self.options_note)
        return self._observe(text, "system", images)

    async def step(self, doctor_text: str) -> Observation:
        """Apply one doctor utterance and return the doctor's next observation."""
        if not self._started:
            raise RuntimeError("call start() before step()")
        if self.done:
            raise EpisodeFinished("the episode has ended; start a new one")
        action = parse_action(doctor_text)
        self.turn += 1
        self._record("doctor", str(doctor_text), action=action.kind,
                     action_detail=action.model_dump(exclude={"kind"}, mode="json"))
        if isinstance(action, Diagnose):
            return await self._diagnose(action)
        images: tuple[ImageRef, ...] = ()
        if isinstance(action, Ask):
            speaker, reply = "patient", await self._ask(action)
        elif isinstance(action, Invalid):
            self.stats.invalid_actions += 1
            speaker, reply = "system", f"That could not be understood ({action.reason}). {PROTOCOL_HINT}"
            self._record("system", reply)
        elif isinstance(action, RequestImages) and self.images == "off":
            speaker, reply = "system", phrasebook(self.brief.doctor_language or self.brief.language,
                                                  "episode").say("no_images")
            self._record("system", reply)
        else:
            result = await self._measure(action)
            refs = result.images if self.images != "off" else ()
            # Only a remote image needs the (blocking) fetcher; skip the thread hop otherwise.
            remote = any(ref.path is None and ref.url for ref in refs)
            images, notes = await asyncio.to_thread(self._local_images, refs) if remote else (refs, [])
            speaker = "measurement"
            reply = "\n".join(filter(None, [result.text, _image_lines(images), *notes]))
        if self.turn >= self.max_turns:
            self.truncated = True
            await self._conclude(None)
        return self._observe(reply, speaker, images)

    async def truncate(self) -> None:
        """End the episode from outside (a caller's step limit): judged with no diagnosis."""
        if not self._started:
            raise RuntimeError("call start() before truncate()")
        if self.done:
            return
        self.truncated = True
        await self._conclude(None)

    async def _ask(self, action: Ask) -> str:
        started = time.perf_counter()
        reply, redactions = self._guard(await self.patient.reply(action.text))
        self.stats.questions += 1
        self._charge(self.prices.question_fee_usd)
        self._record("patient", reply, cost_usd=self.prices.question_fee_usd, latency_ms=_ms(started),
                     redactions=redactions)
        return reply

    async def _measure(self, action: Examine | RequestTest | RequestImages) -> MeasurementResult:
        started = time.perf_counter()
        result = await self.measurement.measure(action, self.context)
        text, redactions = self._guard(result.text)
        result = replace(result, text=text)
        cost = result.cost_usd
        if isinstance(action, Examine):
            self.stats.examinations += 1
            cost += self.prices.question_fee_usd
        elif isinstance(action, RequestTest):
            self.stats.tests.append(result.resolved or action.name)
        else:
            self.stats.image_requests += 1
        self.context.ordered.update(name for name, _ in result.billed)
        self._charge(cost)
        self._record("measurement", result.text, provenance=result.provenance, cost_usd=cost,
                     latency_ms=_ms(started), image_ids=tuple(ref.id for ref in result.images), note=result.note,
                     redactions=redactions)
        return result

    async def _diagnose(self, action: Diagnose) -> Observation:
        self.diagnosis = action
        text = phrasebook(self.brief.doctor_language or self.brief.language, "episode").say("diagnosis_recorded")
        self._record("system", text)
        await self._conclude(action.diagnosis)
        return self._observe(text, "system")

    async def _conclude(self, diagnosis: str | None) -> None:
        """Judge the diagnosis, then ask the patient for its ratings."""
        if self.assessor is not None:
            self.assessment = await self.assessor.assess(diagnosis, self.scenario)
        if self.run_survey and isinstance(self.patient, SurveyRespondent):
            try:
                self.survey = await self.patient.survey(tuple(self.records))
            except Exception as exc:  # noqa: BLE001 - a bad rating never costs the episode its outcome
                self.survey_error = f"{type(exc).__name__}: {exc}"[:500]

    # ---- helpers --------------------------------------------------------------------------
    def _local_images(self, refs: tuple[ImageRef, ...]) -> tuple[tuple[ImageRef, ...], list[str]]:
        """Refs with local files; remote ones fetched, or dropped with a note when that fails."""
        kept, notes = [], []
        for ref in refs:
            if ref.path is not None or ref.url is None:
                kept.append(ref)
                continue
            try:
                if self.image_fetcher is None:
                    raise RuntimeError("no image fetcher configured")
                kept.append(replace(ref, path=self.image_fetcher(ref.url)))
            except Exception as exc:  # noqa: BLE001 - any failure: go on without the image, flagged
                self.stats.images_unavailable += 1
                notes.append(f"(The {ref.modality} could not be loaded and is not available.)")
                self.image_errors.append(str(exc))
        return tuple(kept), notes

    def _guard(self, text: str) -> tuple[str, int]:
        text, count = self.guard.redact(text)
        self.stats.redactions += count
        return text, count

    def _charge(self, amount: float) -> None:
        self.cost_usd = round(self.cost_usd + amount, 2)

    def _observe(self, text: str, speaker: Speaker, images: tuple[ImageRef, ...] = ()) -> Observation:
        final = not self.done and self.remaining == 1
        if final:
            text = f"{text}\n{FINAL_TURN_PROMPT}"
        return Observation(text=text, speaker=speaker, turn=self.turn, remaining=self.remaining,
                           cost_usd=self.cost_usd, images=images, final_turn=final)

    def _record(self, speaker: Speaker, text: str, **details) -> None:
        record = TurnRecord(index=len(self.records), speaker=speaker, text=text, **details)
        self.records.append(record)
        if self.on_turn is not None:
            self.on_turn(record)


def opening_text(brief: DoctorBrief) -> str:
    """What the doctor is told first. Answer options appear only in multiple-choice mode."""
    say = phrasebook(brief.doctor_language or brief.language, "episode").say
    lines = [brief.objective, say("patient_is", demographics=brief.demographics), say("turns", turns=brief.max_turns)]
    if brief.answer_options:
        lines.append(say("choose_from", options="; ".join(brief.answer_options)))
    return "\n".join(lines)


def _image_lines(images: tuple[ImageRef, ...]) -> str:
    return "\n".join(f"[image attached: {ref.modality}]" for ref in images)


async def run_episode(episode: Episode, doctor: DoctorAgent) -> Episode:
    """Drive ``episode`` to the end with ``doctor`` and return it."""
    observation = episode.start()
    while not episode.done:
        observation = await episode.step(await doctor.act(observation))
    return episode


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 3)
