"""Model specs: which backend serves a role, with which parameters.

Forms (the part before the first ':' picks the backend):

* ``openai:<model>`` — the ``openai`` SDK; with a base URL it talks to any
  OpenAI-compatible server (vLLM, Ollama, llama.cpp server, LM Studio).
* ``langchain:<provider>:<model>`` — LangChain's ``init_chat_model``; ``<provider>:<model>``
  for any other provider (``anthropic:claude-...``, ``google_genai:gemini-...``,
  ``ollama:llama3``) goes there too. A missing integration package is named in the error.
* ``local:smollm2`` — the embedded SmolLM2-135M GGUF run in-process by llama-cpp-python.
* ``hf:<path-or-id>`` — a transformers model; a local path (or a GGUF file) works offline.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from .redact import redact_url


class ModelSpecError(ValueError):
    """A model spec that cannot be used, with what to write instead."""


@dataclass(frozen=True)
class ModelSpec:
    """A parsed spec plus the per-role generation settings."""

    backend: str
    model: str
    provider: str | None = None
    base_url: str | None = field(default=None, repr=False)  # may hold a password: never in a repr
    temperature: float | None = None
    max_tokens: int | None = None
    seed: int | None = None
    timeout_s: float = 60.0
    max_retries: int = 4
    extra: dict[str, Any] = field(default_factory=dict)

    @cached_property  # asked on every call; a frozen spec's label never changes
    def label(self) -> str:
        """What the run record stores: the spec without secrets (API keys never enter a spec;
        a password or key inside the base URL is redacted)."""
        name = f"{self.provider}:{self.model}" if self.backend == "langchain" else f"{self.backend}:{self.model}"
        return f"{name}@{redact_url(self.base_url)}" if self.base_url else name

    def with_settings(self, **settings: Any) -> ModelSpec:
        return replace(self, **{key: value for key, value in settings.items() if value is not None})


def is_model_spec(text: str) -> bool:
    return ":" in text


def parse_spec(text: str, base_url: str | None = None) -> ModelSpec:
    """Parse ``text`` (see the module docstring)."""
    head, sep, rest = text.partition(":")
    if not sep or not rest:
        raise ModelSpecError(f"model spec {text!r} should look like 'openai:gpt-4o-mini', 'anthropic:claude-3-5-haiku-latest', "
                             "'local:smollm2' or 'hf:/path/to/model'")
    if head == "openai":
        return ModelSpec("openai", rest, "openai", base_url)
    if head == "langchain":
        provider, sep, model = rest.partition(":")
        if not sep or not model:
            raise ModelSpecError(f"{text!r}: write langchain:<provider>:<model>, e.g. langchain:openai:gpt-4o-mini")
        return ModelSpec("langchain", model, provider, base_url)
    if head == "local":
        if rest != "smollm2":
            raise ModelSpecError(f"{text!r}: the embedded model is 'local:smollm2'")
        return ModelSpec("local", rest)
    if head == "hf":
        return ModelSpec("hf", rest)
    return ModelSpec("langchain", rest, head, base_url)
