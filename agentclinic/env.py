"""The Gymnasium environment: the caller is the doctor.

``gym.make("agentclinic/Clinic-v0", scenarios="core", max_turns=20, patient="scripted")``.
The action is the doctor's utterance (text, in the AgentClinic protocol or as a JSON
action) or a tool call (``env.unwrapped.tools`` lists the tools; the reset ``info`` holds
them and the ``instructions``, the system prompt a model doctor gets). The observation is a
dict with the reply ``text``, the ``speaker``, the ``turn``, the ``remaining`` budget,
``cost_usd`` so far and ``images`` (RGB ``uint8`` arrays); :mod:`agentclinic.wrappers` turns
it into chat messages.

Rewards (:mod:`agentclinic.rewards`): ``reward="terminal"`` pays 1.0 for a correct diagnosis
at the end, less ``cost_weight`` per 1000 USD spent; ``reward="shaped"`` adds per-step cost,
invalid-action, repetition and information terms. ``info["reward_terms"]`` holds each step's
terms. ``truncated`` is set when the turn budget runs out without a diagnosis, or when an
outer ``TimeLimit`` cuts the episode: either way it is judged and logged as truncated.

The episode loop is async inside (LLM-backed roles await servers); ``step`` runs it on a
private event loop in a background thread, so it is an ordinary blocking call that also
works when the caller already runs an event loop (Jupyter). Frameworks that run many
rollouts on one loop use ``await env.astep(action)`` and ``await env.areset()`` instead
(one env uses one of the two APIs). The env pickles and deep-copies mid-episode: the copy
continues on its own, with the same future for the same actions (its branch of the current
episode is not logged; later episodes are).
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from .actions import MAX_UTTERANCE_CHARS
from .agents.registry import RoleSettings, resolve_roles
from .episode import DEFAULT_MAX_TURNS, IMAGE_MODES, Episode, EpisodeFinished
from .gymenv import vector_memory  # noqa: F401 - registers shared memory for the custom spaces
from .gymenv.loop import BackgroundLoop
from .gymenv.time_limit import outer_step_limit
from .image_cache import ImageCache
from .llm.calls import CallRecord, CallTotals, call_sink
from .loader import Pack, load_pack
from .paths import DEFAULT_DB_URL, DEFAULT_PACK
from .persona import Persona, load_library
from .prompting import doctor_instructions, load_prompts
from .report.metrics import episode_metrics
from .resolver import ImageRef
from .rewards import TERMS, ShapedTracker, Shaping, reward_scheme, terminal_term
from .roles import Observation
from .spaces import ImageSequence, Unicode
from .tools import doctor_tools
from .validity.options import OptionDrawer

if TYPE_CHECKING:  # the log (SQLAlchemy, SQLModel, Alembic) loads when an env first records, not at make
    from .store import Store

MAX_OBSERVATION_CHARS = 16_384
MAX_COST_USD = 1e9  # a finite bound keeps the Box well-formed; no episode gets near it
SPEAKERS = ("system", "patient", "measurement")


def load_image(ref: ImageRef) -> np.ndarray | None:
    """An RGB array for a local case image; None for remote images not yet cached."""
    if ref.path is None:
        return None
    from PIL import Image

    with Image.open(ref.path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


class ClinicEnv(gym.Env):
    """A clinical encounter in which the agent is the doctor."""

    metadata = {"render_modes": ["ansi", "human"], "render_fps": 4}

    def __init__(
        self,
        scenarios: str | Pack = DEFAULT_PACK,
        max_turns: int = DEFAULT_MAX_TURNS,
        patient: Any = "scripted",
        measurement: Any = "scripted",
        assessor: Any = "scripted",
        *,
        multiple_choice: bool = False,
        missing: str = "default-normal",
        images: str = "on-request",
        db: str | None = DEFAULT_DB_URL,
        cost_weight: float = 0.0,
        reward: str | Shaping = "terminal",
        max_images: int = 8,
        prompts: str = "default",
        base_url: str | None = None,
        role_options: dict[str, dict[str, Any]] | None = None,
        persona: str | Persona | None = None,
        survey: bool = True,
        render_mode: str | None = None,
    ):
        if max_turns < 1:
            raise ValueError(f"max_turns must be at least 1, got {max_turns}")
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']}, got {render_mode!r}")
        self.pack = scenarios if isinstance(scenarios, Pack) else load_pack(scenarios)
        if not self.pack.scenarios:
            raise ValueError(f"scenario pack {self.pack.name!r} holds no cases")
        if images not in IMAGE_MODES:
            raise ValueError(f"images must be one of {', '.join(IMAGE_MODES)}, got {images!r}")
        self.max_turns = max_turns
        self.images = images
        settings = RoleSettings(prompts=prompts, base_url=base_url, missing=missing, per_role=role_options or {})
        self.roles = resolve_roles(None, patient, measurement, assessor, settings=settings)
        self._prompts = load_prompts(prompts)
        self._prompt_set = prompts  # its name or path, for the run record
        self.instructions: str | None = None  # the doctor's system prompt, set at each reset
        self.call_totals = CallTotals()
        self._image_cache = ImageCache()
        # A stored stack id or a Persona; it shapes the simulated patient and is logged per episode.
        library = load_library()
        if isinstance(persona, str):
            persona = library.stack(persona)
        self.persona = library.validate(persona) if persona is not None else None
        self.multiple_choice = multiple_choice
        self._options = OptionDrawer(self.pack.scenarios) if multiple_choice else None
        if self._options:  # a case that cannot get four options is an error now, not mid-run
            self._options.check(self.pack.scenarios)
        self.survey = survey  # the patient's ratings after each episode (one more model call for LLM patients)
        self.cost_weight = cost_weight
        self.shaping = reward_scheme(reward)  # None: the terminal reward only
        self.render_mode = render_mode
        self.observation_space = spaces.Dict({
            "text": Unicode(MAX_OBSERVATION_CHARS),
            "speaker": spaces.Discrete(len(SPEAKERS)),
            "turn": spaces.Discrete(max_turns + 1),
            "remaining": spaces.Discrete(max_turns + 1),
            "cost_usd": spaces.Box(0.0, MAX_COST_USD, shape=(), dtype=np.float64),
            "images": ImageSequence(max_images=max_images),
        })
        self.action_space = Unicode(MAX_UTTERANCE_CHARS, min_length=1)
        self._db = db
        self._store: Store | None = None
        self._run_id: int | None = None
        self._owns_run = False  # a copy logs into the original's run but never finishes it
        self._episode_id: int | None = None
        self._episode: Episode | None = None
        self._tracker: ShapedTracker | None = None  # the shaped reward's count of this episode
        self._steps = 0
        self._step_limit: int | None = None  # an outer TimeLimit's, seen at reset
        self._background: BackgroundLoop | None = None

    # ---- Gymnasium API ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        super().reset(seed=seed)
        self._step_limit = outer_step_limit(self)
        self._abandon_current()
        options = options or {}
        if "scenario_id" in options:
            scenario = self.pack.get(options["scenario_id"])
        else:
            scenario = self.pack.scenarios[int(self.np_random.integers(len(self.pack.scenarios)))]
        episode_seed = int(self.np_random.integers(2**31 - 1))
        self._episode_id = self._log_start(scenario, episode_seed)
        choice = self._options.draw(scenario, episode_seed) if self._options else None
        self.call_totals = CallTotals()
        store, episode_id = self._store, self._episode_id
        self._episode = Episode(
            scenario,
            self.roles.patient(scenario, episode_seed, **({"persona": self.persona} if self.persona else {})),
            self.roles.measurement(scenario, episode_seed),
            self.roles.assessor(episode_seed),
            max_turns=self.max_turns,
            answer_options=choice.options if choice else (),
            options_note=choice.note() if choice else None,
            images=self.images,
            survey=self.survey,
            image_fetcher=self._image_cache.fetch,
            on_turn=(lambda record: store.record_turn(episode_id, record)) if store and episode_id else None,
        )
        self._steps = 0
        self._tracker = ShapedTracker(scenario.key_facts, self.shaping) if self.shaping else None
        observation = self._episode.start()
        self.instructions = doctor_instructions(self._episode.brief, self._prompts, sees_images=True,
                                                persona=self.persona)
        return self._observation(observation), {"scenario_id": scenario.id, "instructions": self.instructions,
                                                "tools": self.tools}

    def step(self, action: str | dict | list):
        """One doctor action: text (the protocol or a JSON action) or a tool call as a dict
        (see :mod:`agentclinic.tools`), e.g. ``{"name": "request_test", "arguments": {"name": "CBC"}}``."""
        text = self._action_text(action)
        return self._result(self._loop.run(self._advance(text)))

    async def areset(self, *, seed: int | None = None, options: dict[str, Any] | None = None):
        """``reset`` for callers on an event loop (starting an episode makes no model call)."""
        return self.reset(seed=seed, options=options)

    async def astep(self, action: str | dict | list):
        """``step`` awaited on the caller's event loop, so many envs share one loop. An env
        uses either this or ``step``: model clients keep connections on the loop that made them."""
        text = self._action_text(action)
        return self._result(await self._advance(text))

    def render(self) -> str | None:
        if self._episode is None:
            return None
        text = "\n".join(f"[{r.speaker}] {r.text}" for r in self._episode.records)
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        self._abandon_current()
        if self._owns_run and self._run_id is not None and self._store is not None:
            self._store.finish_run(self._run_id)
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._background is not None:
            self._background.close()
            self._background = None
        super().close()

    def __getstate__(self) -> dict[str, Any]:
        # The loop thread and the database connection stay with the original; the copy makes
        # its own when it needs them. Its branch of the current episode goes unlogged (the
        # episode's row is the original's), and it never finishes the original's run.
        state = self.__dict__.copy()
        state.update(_background=None, _store=None, _episode_id=None, _owns_run=False)
        if self._episode is not None and self._episode.on_turn is not None:
            episode = copy.copy(self._episode)
            episode.on_turn = None
            state["_episode"] = episode
        return state

    # ---- helpers ---------------------------------------------------------------------------
    @property
    def tools(self) -> list[dict[str, Any]]:
        """The doctor's actions as tool definitions (OpenAI function format), for tool-calling policies."""
        return doctor_tools()

    @property
    def episode_id(self) -> int | None:
        """The current episode's row in the log database (None without ``db``). Kept out of
        ``info`` so that identical seeds give identical infos (Gymnasium's determinism check)."""
        return self._episode_id

    @property
    def episode(self) -> Episode | None:
        """The current episode state (for analysis; a policy should use observations only)."""
        return self._episode

    @property
    def _loop(self) -> BackgroundLoop:
        if self._background is None:
            self._background = BackgroundLoop()
        return self._background

    def _action_text(self, action: str | dict | list) -> str:
        if self._episode is None:
            raise gym.error.ResetNeeded("call reset() before step()")
        if isinstance(action, (dict, list)):
            action = json.dumps(action)  # parsed like a JSON action sent as text
        if not isinstance(action, str):
            raise TypeError(f"the action must be the doctor's utterance (str) or a tool call (dict), got "
                            f"{type(action).__name__}")
        if self._episode.done:
            raise EpisodeFinished("the episode has ended; call reset() to start another")
        return action

    async def _advance(self, action: str) -> Observation:
        """The episode's step, with its model calls logged here; an outer time limit that this
        step reaches ends (and judges) the episode before the wrapper cuts it."""
        episode = self._episode
        assert episode is not None
        store, episode_id, totals = self._store, self._episode_id, self.call_totals

        def sink(record: CallRecord) -> None:
            totals.add(record)
            if store is not None and episode_id is not None:
                store.record_call(episode_id, record)

        token = call_sink.set(sink)
        try:
            observation = await episode.step(action)
            self._steps += 1
            if not episode.done and self._step_limit is not None and self._steps >= self._step_limit:
                await episode.truncate()
            return observation
        finally:
            call_sink.reset(token)

    def _result(self, observation: Observation):
        episode = self._episode
        assert episode is not None
        finished = episode.done
        terms = self._reward_terms(finished)
        if finished:
            self._log_finish()
        info = self._info(finished, terms)
        if self.render_mode == "human":
            print(observation.text)
        return self._observation(observation), sum(terms.values()), episode.diagnosis is not None, \
            episode.truncated, info

    def _reward_terms(self, finished: bool) -> dict[str, float]:
        episode = self._episode
        assert episode is not None
        terms = self._tracker.step(episode.records) if self._tracker else dict.fromkeys(TERMS, 0.0)
        if finished:
            terms["terminal"] = terminal_term(episode.correct, episode.cost_usd, self.cost_weight)
        return terms

    def _observation(self, observation: Observation) -> dict[str, Any]:
        images = tuple(img for img in (load_image(ref) for ref in observation.images) if img is not None)
        return {
            "text": observation.text[:MAX_OBSERVATION_CHARS],
            "speaker": SPEAKERS.index(observation.speaker),
            "turn": observation.turn,
            "remaining": observation.remaining,
            "cost_usd": np.array(min(observation.cost_usd, MAX_COST_USD), dtype=np.float64),
            "images": images[: self.observation_space["images"].max_images],
        }

    def _info(self, finished: bool, terms: dict[str, float]) -> dict[str, Any]:
        episode = self._episode
        assert episode is not None
        doctor_turn = next((r for r in reversed(episode.records) if r.speaker == "doctor"), None)
        reply = episode.records[doctor_turn.index + 1] if doctor_turn and doctor_turn.index + 1 < len(
            episode.records) else None
        info: dict[str, Any] = {
            "scenario_id": episode.scenario.id,
            "action": doctor_turn.action if doctor_turn else None,
            "provenance": reply.provenance if reply else None,
            "invalid_actions": episode.stats.invalid_actions,
            "reward_terms": terms,
        }
        if finished:
            assessment = episode.assessment
            info.update(
                correct=episode.correct,
                verdict=assessment.verdict if assessment else None,
                diagnosis=episode.diagnosis.diagnosis if episode.diagnosis else None,
                correct_diagnosis=episode.scenario.diagnosis.name,
                metrics=episode_metrics(episode.records, episode.scenario.key_facts, episode.max_turns).as_dict(),
                survey=episode.survey.as_dict() if episode.survey else None,
            )
        return info

    def start_run(self) -> int | None:
        """Open the log's run now (it otherwise starts at the first reset), so that copies
        made before any episode log into it; its id, or None without ``db``."""
        if self._db is None:
            return None
        if self._store is None:
            from .store import Store

            self._store = Store(self._db)
        if self._run_id is None:
            self._owns_run = True
            self._run_id = self._store.start_run(
                source="env", scenarios=self.pack.name, seed=None, max_turns=self.max_turns,
                bindings=self.roles.bindings,
                config={"multiple_choice": self.multiple_choice, "cost_weight": self.cost_weight,
                        "images": self.images, "prompts": self._prompt_set,
                        "reward": asdict(self.shaping) if self.shaping else "terminal"},
            )
        return self._run_id

    def _log_start(self, scenario, seed: int) -> int | None:
        if self.start_run() is None:
            return None
        assert self._store is not None
        return self._store.start_episode(self._run_id, scenario, seed=seed, max_turns=self.max_turns,
                                         persona=self.persona)

    def _log_finish(self) -> None:
        if self._store is not None and self._episode_id is not None and self._episode is not None:
            self._store.finish_episode(self._episode_id, self._episode)
            self._store.record_totals(self._episode_id, self.call_totals)

    def _abandon_current(self) -> None:
        episode = self._episode
        if self._store is not None and self._episode_id is not None and episode is not None and not episode.done:
            self._store.end_episode(self._episode_id, "abandoned", "reset or closed before a diagnosis", episode)
