"""``agentclinic play``: a person plays the doctor (or the patient) in the terminal.

The game is an ordinary episode run by :func:`agentclinic.runner.run_one`, with the person
as one role: turns, assessment, survey and metrics are logged exactly as for a model, and
the run records the role as ``human``. Model calls are awaited on the app's event loop
(never blocking it) while a "thinking" state shows; quitting mid-game records the episode
as abandoned.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field
from typing import Literal

from rich.text import Text
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Input, Static

from ..agents.card_text import render_card
from ..agents.human import HUMAN, HumanDoctor, HumanPatient
from ..agents.registry import RoleSettings, resolve_roles
from ..episode import DEFAULT_MAX_TURNS, TurnRecord
from ..loader import Pack, load_pack
from ..paths import DEFAULT_DB_URL, DEFAULT_PACK
from ..persona import Persona
from ..roles import Observation
from ..runner import EpisodeOutcome, RunConfig, run_one
from ..scenario import Scenario
from ..store import Store
from .commands import HELP, PLACEHOLDER, CommandError, CommandSuggester, asks_for_images, to_protocol
from .result import ResultScreen
from .widgets import Transcript, labelled, line, note_missing_rtl

PATIENT_HINT = "Answer as the patient, in your own words."
NO_IMAGES = "This case has no images (no turn used)."


@dataclass
class GameSettings:
    """What ``agentclinic play`` was asked for."""

    scenarios: str = DEFAULT_PACK
    scenario_id: str | None = None
    role: Literal["doctor", "patient"] = "doctor"  # the person's role
    doctor: str = "baseline"  # the model doctor when the person plays the patient
    patient: str = "scripted"
    measurement: str = "scripted"
    assessor: str = "scripted"
    persona: Persona | None = None
    max_turns: int = DEFAULT_MAX_TURNS
    seed: int | None = None  # None: a random case and seed
    db: str = DEFAULT_DB_URL
    roles: RoleSettings = field(default_factory=RoleSettings)


def pick_scenario(pack: Pack, settings: GameSettings, rng: random.Random) -> Scenario:
    if settings.scenario_id:
        return pack.get(settings.scenario_id)
    return rng.choice(pack.scenarios)


class GameApp(App):
    """The game screen: status, conversation, input; the result screen at the end."""

    TITLE = "AgentClinic"
    CSS = """
    #status { height: 1; background: $boost; padding: 0 1; }
    #hint { height: auto; color: $text-muted; padding: 0 1; }
    #card { width: 36; border: round $secondary; padding: 0 1; }
    Input { height: 3; }
    """
    # Priority: the input would otherwise take Ctrl+K (delete to the end of the line).
    BINDINGS = [Binding("ctrl+q", "quit_game", "Quit", priority=True),
                Binding("ctrl+k", "toggle_card", "Card", priority=True)]

    def __init__(self, settings: GameSettings, pack: Pack | None = None):
        super().__init__()
        self.settings = settings
        self.pack = pack
        self.store: Store | None = None
        self.run_id: int | None = None
        self.human: HumanDoctor | HumanPatient | None = None
        self.game: asyncio.Task | None = None
        self.outcome: EpisodeOutcome | None = None
        self.scenario: Scenario | None = None

    # ---- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static("Starting…", id="status", markup=False)
        with Horizontal():
            if self.settings.role == "patient":
                with VerticalScroll(id="card"):  # a long card scrolls instead of running off an 80x24 screen
                    yield Static(id="card-text", markup=False)
            with Vertical():
                yield Transcript(id="transcript")
                doctor = self.settings.role == "doctor"
                yield Static(HELP if doctor else PATIENT_HINT, id="hint", markup=False)
                # Focus selects nothing: a key typed elsewhere lands in the box (on_key) and
                # must not be replaced by the next one.
                yield Input(placeholder=PLACEHOLDER if doctor else "Your words…", id="say", select_on_focus=False,
                            suggester=CommandSuggester() if doctor else None)
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one(Input).loading = True
        self.game = asyncio.create_task(self._run_game())

    # ---- the game -------------------------------------------------------------------------------
    async def _run_game(self) -> None:
        try:
            await self._play_one()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - e.g. an unknown role spec: leave with the message
            self.exit(return_code=2, message=f"Error: {exc}")

    async def _play_one(self) -> None:
        settings = self.settings
        rng = random.Random(settings.seed)
        self.pack = self.pack or load_pack(settings.scenarios)
        self.scenario = pick_scenario(self.pack, settings, rng)
        self.store = Store(settings.db)
        config = RunConfig(scenarios=settings.scenarios, seed=settings.seed if settings.seed is not None
                           else rng.randrange(2**31), max_turns=settings.max_turns, db=settings.db,
                           roles=settings.roles)
        roles = self._bind_roles(config)
        self.run_id = self.store.start_run(source="tui", scenarios=settings.scenarios, seed=config.seed,
                                           max_turns=settings.max_turns, episodes_planned=1,
                                           bindings=roles.bindings, config={"role": settings.role,
                                                                            "scenario_id": self.scenario.id})
        if settings.role == "patient":
            self.query_one("#card-text", Static).update(labelled(render_card(self.scenario.patient)))
            note_missing_rtl(self)
            self._set_status(f"You are the patient · the doctor is {roles.bindings['doctor']} · thinking…")
        self.outcome = await run_one(self.scenario, roles, self.store, self.run_id, config,
                                     persona=settings.persona, observer=self._show_turn)
        self.store.finish_run(self.run_id, "completed" if self.outcome.status == "completed" else "failed")
        self.query_one(Input).loading = False
        await self.push_screen(ResultScreen(self.store, self.outcome, self.scenario, settings.role))

    def _bind_roles(self, config: RunConfig):
        settings = self.settings
        if settings.role == "doctor":
            self.human = HumanDoctor(self._show_observation)  # type: ignore[arg-type]
            doctor = lambda brief, seed, persona=None: self.human  # noqa: E731 - the person, for this one episode
            roles = resolve_roles(doctor, settings.patient, settings.measurement, settings.assessor,
                                  settings=settings.roles, cache=self.store)
        else:
            self.human = HumanPatient(self._show_question)  # type: ignore[arg-type]
            patient = lambda scenario, seed, persona=None: self.human  # noqa: E731
            roles = resolve_roles(settings.doctor, patient, settings.measurement, settings.assessor,
                                  settings=settings.roles, cache=self.store)
        roles.bindings[settings.role] = HUMAN
        return roles

    def _show_turn(self, record: TurnRecord) -> None:
        label = record.speaker if record.speaker != "doctor" or not record.action else f"doctor ({record.action})"
        if self.settings.role == "patient" and record.speaker == "patient":
            label = "you"
        elif self.settings.role == "doctor" and record.speaker == "doctor":
            label = f"you ({record.action})" if record.action else "you"
        self.query_one(Transcript).add(line(record.speaker, record.text, label))

    def _show_observation(self, observation: Observation) -> None:
        transcript = self.query_one(Transcript)
        for ref in observation.images:
            transcript.add_image(ref.path, ref.modality)
        final = " · FINAL TURN: give your diagnosis (/dx …)" if observation.final_turn else ""
        self._set_status(f"Turn {observation.turn + 1} of {self.settings.max_turns} · {observation.remaining} left · "
                     f"spent ${observation.cost_usd:,.0f}{final}")
        self._await_input()

    def _show_question(self, question: str) -> None:
        self._set_status("Your turn: answer the doctor")
        self._await_input()

    def _await_input(self) -> None:
        say = self.query_one(Input)
        say.loading = False
        say.focus()

    def _set_status(self, text: str) -> None:
        self.query_one("#status", Static).update(Text(text))

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        typed = event.value.strip()
        if not typed or self.human is None or event.input.loading:
            return
        try:
            text = to_protocol(typed) if self.settings.role == "doctor" else typed
        except CommandError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        event.input.value = ""
        if self.settings.role == "doctor" and asks_for_images(text) and self._has_no_images():
            # Answered here, no turn spent: a model doctor's prompt already says whether a case
            # has images (agentclinic.prompting), so this reveals nothing a model is not told.
            self.query_one(Transcript).add(line("system", NO_IMAGES))
            return
        event.input.loading = True  # the 'thinking' state until the other side answers
        if self.settings.role == "patient":
            self._set_status("The doctor is thinking…")
        self.human.submit(text)

    def _has_no_images(self) -> bool:
        return self.scenario is not None and not self.scenario.images

    def on_key(self, event: events.Key) -> None:
        """A printable key while the input is not focused goes to the input, not nowhere."""
        say = next(iter(self.screen.query("#say")), None)
        if not isinstance(say, Input) or self.focused is say or not event.is_printable or event.character is None:
            return
        say.focus()
        say.insert_text_at_cursor(event.character)
        event.stop()
        event.prevent_default()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Ctrl+K (and its footer entry) only where there is a card to hide."""
        if action == "toggle_card":
            return self.settings.role == "patient" and not isinstance(self.screen, ResultScreen)
        return True

    # ---- leaving --------------------------------------------------------------------------------
    def action_toggle_card(self) -> None:
        for card in self.query("#card"):
            card.display = not card.display

    def action_finish(self) -> None:
        """Leave after the result screen, handing the outcome to the caller."""
        self.exit(self.outcome)

    async def action_quit_game(self) -> None:
        await self.abandon()
        self.exit(self.outcome)

    async def abandon(self) -> None:
        """Stop a game in progress: the episode is logged as abandoned, the run as interrupted."""
        if self.game is not None and not self.game.done():
            self.game.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.game
            if self.store is not None and self.run_id is not None:
                self.store.finish_run(self.run_id, "interrupted")

    async def on_unmount(self) -> None:
        await self.abandon()
        if self.store is not None:
            self.store.close()
