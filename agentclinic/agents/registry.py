"""Role specs -> per-episode factories.

A spec is ``baseline`` (doctor) or ``scripted`` (other roles) for the offline agents, or a
model spec (``openai:gpt-4o-mini``, ``anthropic:claude-...``, ``local:smollm2``,
``hf:/path``; see :mod:`agentclinic.llm.spec`) for an LLM playing the role. The CLI, the
env and the TUI bind roles by spec; the resolved bindings go into the run record. Model
clients are built once per role and shared by that role's episodes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from ..llm.backends.base import MissingExtraError
from ..llm.client import ModelClient, ResponseCache
from ..llm.redact import redact_secrets, scrub_exception
from ..llm.spec import ModelSpec, ModelSpecError, is_model_spec, parse_spec
from ..prices import load_prices
from ..prompting import DEFAULT_PROMPTS, DOCTOR_INTERFACES, load_prompts
from ..resolver import Resolver
from ..roles import RoleSet
from ..terminology import load_terminology
from .assessor import ScriptedAssessor
from .doctor import BaselineDoctor
from .llm_roles import LLMAssessor, LLMDoctor, LLMMeasurement, LLMPatient
from .measurement import ScriptedMeasurement
from .patient import ScriptedPatient

ROLES = ("doctor", "patient", "measurement", "assessor")

# Sensible reply lengths per role: short answers keep prompts small and episodes fast.
DEFAULT_MAX_TOKENS = {"doctor": 256, "patient": 160, "measurement": 200, "assessor": 8}


@dataclass
class RoleSettings:
    """How the roles are configured (from CLI flags or env keyword arguments); plain data,
    stored with the run."""

    prompts: str = DEFAULT_PROMPTS
    structured: bool = False  # deprecated: doctor_interface="json" says the same
    base_url: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    timeout_s: float = 60.0
    max_retries: int = 4
    phrase_results: bool = False
    missing: str = "default-normal"
    cache: bool = False  # reuse stored responses (the store is passed to resolve_roles)
    max_in_flight: int | None = None  # concurrent calls per model (None: as many as episodes make)
    per_role: dict[str, dict[str, Any]] = field(default_factory=dict)  # role -> {base_url, temperature, ...}
    doctor_interface: str | None = None  # text, json or tools (None: json with structured, else text)

    def __post_init__(self) -> None:
        if self.doctor_interface is None:
            self.doctor_interface = "json" if self.structured else "text"
        if self.doctor_interface not in DOCTOR_INTERFACES:
            raise ValueError(f"doctor interface {self.doctor_interface!r}: expected one of "
                             f"{', '.join(DOCTOR_INTERFACES)}")
        if self.structured and self.doctor_interface != "json":
            raise ValueError(f"--structured (deprecated) means --doctor-interface json, which conflicts with "
                             f"--doctor-interface {self.doctor_interface}: drop --structured")
        self.structured = self.doctor_interface == "json"

    def spec_for(self, role: str, text: str) -> ModelSpec:
        own = self.per_role.get(role, {})
        spec = parse_spec(text, own.get("base_url", self.base_url))
        limit = own.get("max_in_flight", self.max_in_flight)
        if limit:
            spec = replace(spec, extra={**spec.extra, "max_in_flight": int(limit)})
        return spec.with_settings(
            temperature=own.get("temperature", self.temperature),
            max_tokens=own.get("max_tokens", self.max_tokens or DEFAULT_MAX_TOKENS[role]),
            seed=own.get("seed"),
            timeout_s=own.get("timeout_s", self.timeout_s),
            max_retries=own.get("max_retries", self.max_retries),
        )


class RoleSpecError(ValueError):
    """A role spec that names no known implementation."""


# Factories are module-level functions bound with functools.partial, never lambdas, so a role
# set pickles and deep-copies (env copies for search, Ray tasks, async vector envs).
def _baseline_doctor(brief, seed, persona=None, tools=None):
    return BaselineDoctor(brief, seed, persona=persona, tools=tools)


def _scripted_patient(scenario, seed, persona=None):
    return ScriptedPatient(scenario, seed, persona=persona)


def _scripted_measurement(scenario, seed, *, missing: str):
    return ScriptedMeasurement(scenario, seed, missing=missing)


def _scripted_assessor(seed):
    return ScriptedAssessor(seed)


def _scripted(role: str, settings: RoleSettings) -> Callable:
    # Doctor and patient factories take an optional persona; the others have none to honour.
    if role == "doctor":
        return _baseline_doctor
    if role == "patient":
        return _scripted_patient
    if role == "measurement":
        return partial(_scripted_measurement, missing=settings.missing)
    return _scripted_assessor


def _seeded(spec: ModelSpec, seed: int) -> int:
    return spec.seed if spec.seed is not None else seed


def _llm_doctor(client: ModelClient, prompts, interface: str, brief, seed, persona=None, tools=None):
    return LLMDoctor(brief, _seeded(client.spec, seed), client, prompts, interface=interface, persona=persona,
                     tools=tools)


# Tool calls need the provider's API (openai, langchain); the embedded model answers the same
# calls as schema-constrained JSON; transformers generation has no constraint to offer.
_NO_TOOLS = {"hf"}


def _doctor_interface(spec: ModelSpec, settings: RoleSettings) -> str:
    if settings.doctor_interface == "tools" and spec.backend in _NO_TOOLS:
        raise ModelSpecError(f"--doctor-interface tools is not supported by {spec.backend}: models; use "
                             "openai:<model> (any OpenAI-compatible server), <provider>:<model> (LangChain) "
                             "or local:smollm2, or --doctor-interface json")
    # The embedded model always decodes under a JSON constraint: free text from a 135M
    # model rarely follows the protocol.
    if settings.doctor_interface == "text" and spec.backend == "local":
        return "json"
    return settings.doctor_interface or "text"


def _llm_patient(client: ModelClient, prompts, scenario, seed, persona=None):
    return LLMPatient(scenario, _seeded(client.spec, seed), client, prompts, persona=persona)


def _llm_measurement(client: ModelClient, prompts, settings: RoleSettings, scenario, seed):
    resolver = Resolver(scenario, load_terminology(), load_prices(), settings.missing)  # type: ignore[arg-type]
    return LLMMeasurement(scenario, _seeded(client.spec, seed), client, prompts, resolver,
                          phrase=settings.phrase_results)


def _llm_assessor(client: ModelClient, prompts, seed):
    return LLMAssessor(_seeded(client.spec, seed), client, prompts)


def _llm(role: str, spec: ModelSpec, settings: RoleSettings, cache: ResponseCache | None) -> Callable:
    interface = _doctor_interface(spec, settings) if role == "doctor" else "text"  # before a model loads
    client = ModelClient(spec, role, cache=cache if settings.cache else None)
    prompts = load_prompts(settings.prompts)
    if role == "doctor":
        return partial(_llm_doctor, client, prompts, interface)
    if role == "patient":
        return partial(_llm_patient, client, prompts)
    if role == "measurement":
        return partial(_llm_measurement, client, prompts, settings)
    return partial(_llm_assessor, client, prompts)


_CUSTOM: dict[str, dict[str, Callable[[RoleSettings], Callable]]] = {role: {} for role in ROLES}
_OFFLINE = {"doctor": "baseline", "patient": "scripted", "measurement": "scripted", "assessor": "scripted"}


def register(role: str, name: str, builder: Callable[[RoleSettings], Callable]) -> None:
    """Make ``name`` a valid spec for ``role``; ``builder(settings)`` returns the per-episode factory."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    _CUSTOM[role][name] = builder


def available(role: str) -> list[str]:
    return sorted({_OFFLINE[role], *_CUSTOM[role], "<provider>:<model>"})


def build(role: str, spec: str | Callable, settings: RoleSettings | None = None,
          cache: ResponseCache | None = None) -> Callable:
    """The per-episode factory for ``role`` (a ready factory is passed through)."""
    settings = settings or RoleSettings()
    if callable(spec):
        return spec
    if spec == _OFFLINE[role]:
        return _scripted(role, settings)
    if spec in _CUSTOM[role]:
        return _CUSTOM[role][spec](settings)
    if is_model_spec(spec):
        try:
            return _llm(role, settings.spec_for(role, spec), settings, cache)
        except (ModelSpecError, MissingExtraError) as exc:  # user-fixable: say what to install or write
            # The message is printed; a provider's error may quote the server URL with its password.
            raise RoleSpecError(redact_secrets(f"{role}: {exc}")) from scrub_exception(exc)
    raise RoleSpecError(f"unknown {role} {spec!r}; expected one of: {', '.join(available(role))}")


def resolve_roles(
    doctor: str | Callable | None = "baseline",
    patient: str | Callable = "scripted",
    measurement: str | Callable = "scripted",
    assessor: str | Callable = "scripted",
    settings: RoleSettings | None = None,
    cache: ResponseCache | None = None,
) -> RoleSet:
    """Bind every role; ``doctor=None`` leaves the doctor to the caller (env user, human).

    ``cache`` is where stored responses live when ``settings.cache`` is on (the run's store).
    """
    settings = settings or RoleSettings()
    specs = {"patient": patient, "measurement": measurement, "assessor": assessor}
    factories = {role: build(role, spec, settings, cache) for role, spec in specs.items()}
    bindings = {role: _describe(role, spec, settings) for role, spec in specs.items()}
    bindings["doctor"] = _describe("doctor", doctor, settings) if doctor is not None else "external"
    return RoleSet(
        patient=factories["patient"],
        measurement=factories["measurement"],
        assessor=factories["assessor"],
        doctor=build("doctor", doctor, settings, cache) if doctor is not None else None,
        bindings=bindings,
    )


def _describe(role: str, spec: str | Callable, settings: RoleSettings) -> str:
    if callable(spec):
        return f"python:{getattr(spec, '__qualname__', type(spec).__name__)}"
    if is_model_spec(spec) and spec not in _CUSTOM[role]:
        return settings.spec_for(role, spec).label  # resolved, with its base URL redacted; never a key
    return spec
