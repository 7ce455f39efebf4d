"""Any LangChain chat model through ``init_chat_model`` (anthropic, google_genai, ollama, ...)."""

from __future__ import annotations

import json

from ..messages import Message, ToolCall
from ..spec import ModelSpec, ModelSpecError
from .base import RawCompletion

# provider -> the integration package LangChain needs for it
_PACKAGES = {
    "openai": "langchain-openai", "anthropic": "langchain-anthropic", "google_genai": "langchain-google-genai",
    "google_vertexai": "langchain-google-vertexai", "ollama": "langchain-ollama", "mistralai": "langchain-mistralai",
    "groq": "langchain-groq", "bedrock": "langchain-aws", "bedrock_converse": "langchain-aws",
    "fireworks": "langchain-fireworks", "together": "langchain-together", "huggingface": "langchain-huggingface",
    "deepseek": "langchain-deepseek", "xai": "langchain-xai", "azure_openai": "langchain-openai",
}


def _ai_with_calls(message: Message):
    """An AIMessage carrying the calls; arguments that are not a JSON object stay as the model
    wrote them, as LangChain's own invalid tool calls."""
    from langchain_core.messages import AIMessage

    calls, invalid = [], []
    for call in message.tool_calls:
        try:
            args = json.loads(call.arguments) if call.arguments.strip() else {}
        except (json.JSONDecodeError, RecursionError):
            args = None
        if isinstance(args, dict):
            calls.append({"name": call.name, "args": args, "id": call.id, "type": "tool_call"})
        else:
            invalid.append({"name": call.name, "args": call.arguments, "id": call.id, "error": None,
                            "type": "invalid_tool_call"})
    return AIMessage(content=message.text, tool_calls=calls, invalid_tool_calls=invalid)


def read_tool_calls(result) -> tuple[ToolCall, ...]:
    """The calls of a LangChain reply, parsed ones first, then those LangChain could not parse."""
    calls = [ToolCall(c.get("id") or f"call_{i}", c["name"], json.dumps(c["args"], ensure_ascii=False))
             for i, c in enumerate(getattr(result, "tool_calls", None) or [])]
    calls += [ToolCall(c.get("id") or f"call_{len(calls) + i}", c.get("name") or "", c.get("args") or "")
              for i, c in enumerate(getattr(result, "invalid_tool_calls", None) or [])]
    return tuple(calls)


def to_langchain(message: Message):
    from langchain_core.messages import (
        AIMessage,
        HumanMessage,
        SystemMessage,
        ToolMessage,
    )

    if message.role == "tool":
        return ToolMessage(content=message.text, tool_call_id=message.tool_call_id or "")
    if message.tool_calls:
        return _ai_with_calls(message)
    cls = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}[message.role]
    if not message.images:
        return cls(content=message.text)
    parts: list = [{"type": "text", "text": message.text}]
    parts += [{"type": "image_url", "image_url": {"url": image.data_url}} for image in message.images]
    return cls(content=parts)


class LangChainBackend:
    tool_calling = True

    def __init__(self, spec: ModelSpec):
        try:
            from langchain.chat_models import init_chat_model
        except ImportError as exc:
            raise ModelSpecError("LangChain providers need the 'langchain' package: pip install langchain") from exc
        self.spec = spec
        kwargs: dict = {"max_retries": 0, "timeout": spec.timeout_s}  # retries live in llm/retry.py
        if spec.temperature is not None:
            kwargs["temperature"] = spec.temperature
        if spec.max_tokens is not None:
            kwargs["max_tokens"] = spec.max_tokens
        if spec.base_url is not None:
            kwargs["base_url"] = spec.base_url
            if spec.provider == "openai":
                import os

                from .openai_backend import split_base_url

                kwargs["base_url"], query = split_base_url(spec.base_url)
                if query:
                    kwargs["default_query"] = query
                kwargs.setdefault("api_key", os.environ.get("OPENAI_API_KEY") or "no-key-needed")
                if spec.max_tokens is not None:
                    # ChatOpenAI sends max_completion_tokens, which compatible servers such as
                    # llama.cpp's ignore; the classic field bounds the reply there.
                    kwargs["extra_body"] = {"max_tokens": spec.max_tokens}
        try:
            self.model = init_chat_model(spec.model, model_provider=spec.provider, **kwargs)
        except ImportError as exc:
            package = _PACKAGES.get(spec.provider or "", f"langchain-{spec.provider}")
            raise ModelSpecError(f"provider {spec.provider!r} needs its LangChain integration: "
                                 f"pip install {package}") from exc
        except ValueError as exc:
            raise ModelSpecError(f"{spec.label}: {exc}") from exc
        self._with_tools: tuple[list[dict], object] | None = None  # the last bind_tools result, reused

    def _bound(self, tools: list[dict]):
        if self._with_tools is None or self._with_tools[0] != tools:
            try:
                self._with_tools = (tools, self.model.bind_tools(tools, tool_choice="auto"))
            except NotImplementedError as exc:
                raise ModelSpecError(f"{self.spec.label}: this LangChain chat model has no tool calling; "
                                     "use --doctor-interface json or text") from exc
        return self._with_tools[1]

    async def complete(self, messages: list[Message], *, json_schema: dict | None = None,
                       seed: int | None = None, tools: list[dict] | None = None) -> RawCompletion:
        kwargs: dict = {}
        if self.spec.provider == "openai":
            if seed is not None:
                kwargs["seed"] = seed
            if json_schema is not None:
                from .openai_backend import response_format

                kwargs["response_format"] = response_format(json_schema, self.spec.base_url is not None)
        model = self._bound(tools) if tools is not None else self.model
        result = await model.ainvoke([to_langchain(m) for m in messages], **kwargs)
        usage = getattr(result, "usage_metadata", None) or {}
        text = result.content if isinstance(result.content, str) else "".join(
            part.get("text", "") if isinstance(part, dict) else str(part) for part in result.content)
        return RawCompletion(text, usage.get("input_tokens"), usage.get("output_tokens"),
                             (result.response_metadata or {}).get("model_name", self.spec.model),
                             read_tool_calls(result))
