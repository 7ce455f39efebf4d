"""What every chat backend provides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..messages import Message, ToolCall
from ..spec import ModelSpec


@dataclass(frozen=True)
class RawCompletion:
    text: str
    input_tokens: int | None = None
    output_tokens: int | None = None
    model: str | None = None
    tool_calls: tuple[ToolCall, ...] = ()


class ChatBackend(Protocol):
    spec: ModelSpec

    async def complete(self, messages: list[Message], *, json_schema: dict | None = None,
                       seed: int | None = None) -> RawCompletion:
        """One chat completion; ``json_schema`` asks for a JSON object of that shape.

        A backend with ``tool_calling = True`` also takes ``tools=`` (OpenAI function tool
        definitions, offered with tool choice "auto") and returns the calls in ``tool_calls``.
        """
        ...


class MissingExtraError(ImportError):
    """An optional dependency is not installed; the message names the extra to install."""


def require(module: str, extra: str, what: str):
    """Import ``module`` or explain which extra brings it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(
            f"{what} needs the '{module}' package: pip install 'agentclinic[{extra}]'") from exc
