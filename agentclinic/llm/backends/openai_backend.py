"""The ``openai`` SDK: OpenAI itself or any OpenAI-compatible server (``base_url``)."""

from __future__ import annotations

import os
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from ..messages import Message, ToolCall
from .clients import ClientSettings, shared_client
from .compatible import CompatibleTransport, completion_of
from ..spec import ModelSpec, ModelSpecError
from .base import RawCompletion


def wire_message(message: Message) -> dict:
    """``message`` in the request's form, made once: an episode's conversation is sent again
    with every call, one message longer each time. The dict is shared, so never changed.
    Messages with images are converted each time rather than kept (they are large)."""
    return to_openai(message) if message.images else _text_message(message)


@lru_cache(maxsize=8192)
def _text_message(message: Message) -> dict:
    return to_openai(message)


def to_openai(message: Message) -> dict:
    if message.role == "tool":
        return {"role": "tool", "tool_call_id": message.tool_call_id, "content": message.text}
    if message.tool_calls:
        # Content "" rather than null: llama.cpp's server rejects a null content.
        return {"role": "assistant", "content": message.text, "tool_calls": [
            {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
            for call in message.tool_calls]}
    if not message.images:
        return {"role": message.role, "content": message.text}
    parts: list[dict] = [{"type": "text", "text": message.text}]
    parts += [{"type": "image_url", "image_url": {"url": image.data_url}} for image in message.images]
    return {"role": message.role, "content": parts}


def read_tool_calls(calls) -> tuple[ToolCall, ...]:
    """The function calls of an SDK message (other kinds skipped); a server that sends no id
    gets one made up, since the reply to a call must name it."""
    found = []
    for index, call in enumerate(calls or ()):
        function = getattr(call, "function", None)
        if function is not None:
            found.append(ToolCall(call.id or f"call_{index}", function.name or "", function.arguments or ""))
    return tuple(found)


def response_format(schema: dict, compatible_server: bool) -> dict:
    # OpenAI takes a strict json_schema; llama.cpp's server rejects that type but turns
    # json_object + schema into a grammar, as do most compatible servers.
    if compatible_server:
        return {"type": "json_object", "schema": schema}
    return {"type": "json_schema", "json_schema": {"name": "action", "schema": schema}}


def split_base_url(url: str | None) -> tuple[str | None, dict[str, str] | None]:
    """``url`` without its query, and the query as parameters for every request.

    The SDK appends paths to the base URL as a string, so ``.../v1?api_key=k`` would become
    ``.../v1/?api_key=kchat/completions``; sent as ``default_query`` the key reaches the
    server on every call. User-info stays in the URL: httpx sends it as basic auth.
    """
    if url is None or "?" not in url:
        return url, None
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="")), dict(parse_qsl(parts.query, keep_blank_values=True)) or None


class OpenAIBackend:
    tool_calling = True

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        key = os.environ.get("OPENAI_API_KEY")
        if key is None and spec.base_url is None:
            raise ModelSpecError("openai: set the OPENAI_API_KEY environment variable "
                                 "(or give a --base-url for an OpenAI-compatible server)")
        base_url, query = split_base_url(spec.base_url)
        self._settings = ClientSettings(key or "no-key-needed", base_url, tuple(sorted((query or {}).items())),
                                        spec.timeout_s)
        # A compatible server (a base URL) is called directly over aiohttp, OpenAI through its SDK.
        self._transport = CompatibleTransport(self._settings) if base_url is not None else None

    @property
    def client(self):
        """The SDK client for this server, shared by every role and episode on this event loop."""
        return shared_client(self._settings)

    async def complete(self, messages: list[Message], *, json_schema: dict | None = None,
                       seed: int | None = None, tools: list[dict] | None = None) -> RawCompletion:
        # The SDK re-walks a request's parameters against its typed schema on every call (the
        # whole conversation: milliseconds for a long episode). Ours are plain JSON already, so
        # they travel as ``extra_body``, which it sends as it is.
        body: dict = {"messages": [wire_message(m) for m in messages]}
        if tools is not None:
            body.update(tools=tools, tool_choice="auto")
        if self.spec.temperature is not None:
            body["temperature"] = self.spec.temperature
        if self.spec.max_tokens is not None:
            body["max_tokens"] = self.spec.max_tokens
        if seed is not None:
            body["seed"] = seed
        if json_schema is not None:
            body["response_format"] = response_format(json_schema, self.spec.base_url is not None)
        if self._transport is not None:
            return completion_of(await self._transport.post({"model": self.spec.model, **body}), self.spec.model)
        response = await self.client.chat.completions.create(model=self.spec.model, messages=[], extra_body=body)
        usage = response.usage
        message = response.choices[0].message if response.choices else None
        return RawCompletion(
            text=(message.content or "") if message else "",
            input_tokens=usage.prompt_tokens if usage else None,
            output_tokens=usage.completion_tokens if usage else None,
            model=response.model or self.spec.model,
            tool_calls=read_tool_calls(message.tool_calls) if message else (),
        )
