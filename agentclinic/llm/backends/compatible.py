"""Chat completions from an OpenAI-compatible server (llama.cpp, vLLM, ...) over aiohttp.

The ``openai`` SDK spends about 1.3 ms of CPU on the event loop per call (typed request
building, response models, httpx); a plain aiohttp POST costs about 0.25 ms. At latency 0,
or many episodes at once against a local server, that difference is the harness's whole
overhead, so servers given by ``base_url`` are called here; OpenAI itself keeps the SDK.

Errors carry the SDK's class names and shape (``status_code``, ``code``, ``body``), so
:mod:`..retry` and the failure summaries treat both paths alike.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from typing import Any
from urllib.parse import urlsplit

from ..messages import ToolCall
from .base import RawCompletion
from .clients import ClientSettings


class APIError(Exception):
    """A failed call to a compatible server."""


class APIConnectionError(APIError):
    """The server could not be reached, or dropped the connection mid-answer."""


class APIResponseValidationError(APIError):
    """The server answered 200 with something that is not a chat completion."""


class APIStatusError(APIError):
    """The server answered with an error status."""

    def __init__(self, status_code: int, body: Any):
        self.status_code = status_code
        error = body.get("error") if isinstance(body, dict) else None
        self.body = error if isinstance(error, dict) else body
        self.code = self.body.get("code") if isinstance(self.body, dict) else None
        super().__init__(f"Error code: {status_code} - {body}")


_STATUS_NAMES = {400: "BadRequestError", 401: "AuthenticationError", 403: "PermissionDeniedError",
                 404: "NotFoundError", 409: "ConflictError", 422: "UnprocessableEntityError",
                 429: "RateLimitError"}
_STATUS_CLASSES: dict[str, type[APIStatusError]] = {
    name: type(name, (APIStatusError,), {"__module__": __name__}) for name in
    [*_STATUS_NAMES.values(), "InternalServerError"]}


def status_error(status: int, body: Any) -> APIStatusError:
    """The error for an HTTP status, named as the SDK names it (5xx: InternalServerError)."""
    name = _STATUS_NAMES.get(status) or ("InternalServerError" if status >= 500 else None)
    return (_STATUS_CLASSES[name] if name else APIStatusError)(status, body)


class CompatibleTransport:
    """POSTs chat requests to one server; connections are shared per event loop."""

    def __init__(self, settings: ClientSettings):
        self.settings = settings
        self.url = f"{(settings.base_url or '').rstrip('/')}/chat/completions"
        self.headers = {"Content-Type": "application/json"}
        # User-info in the URL is sent as basic auth (aiohttp reads it from the URL, as httpx
        # does for the SDK); otherwise the key goes as a bearer token.
        if urlsplit(self.url).username is None:
            self.headers["Authorization"] = f"Bearer {settings.api_key}"

    async def post(self, body: dict) -> dict:
        """The decoded completion, or the error the SDK would have raised."""
        import aiohttp

        session = await _session()
        try:
            async with session.post(self.url, data=json.dumps(body), headers=self.headers,
                                    params=dict(self.settings.query) or None) as response:
                raw = await response.read()
                status = response.status
        except aiohttp.ClientError as exc:
            raise APIConnectionError("Connection error.") from exc
        if status >= 400:
            raise status_error(status, _decoded(raw))
        data = _decoded(raw)
        if not isinstance(data, dict) or not isinstance(data.get("choices", []), list):
            raise APIResponseValidationError(f"not a chat completion: {raw[:200]!r}")
        return data


def _decoded(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", "replace")


def completion_of(data: dict, model: str) -> RawCompletion:
    """A decoded chat completion as the backends return it."""
    choices = data.get("choices") or []
    message = (choices[0] or {}).get("message") or {} if choices else {}
    usage = data.get("usage") or {}
    calls = []
    for index, call in enumerate(message.get("tool_calls") or ()):
        function = call.get("function") if isinstance(call, dict) else None
        if isinstance(function, dict):
            calls.append(ToolCall(call.get("id") or f"call_{index}", function.get("name") or "",
                                  function.get("arguments") or ""))
    return RawCompletion(text=message.get("content") or "", input_tokens=usage.get("prompt_tokens"),
                         output_tokens=usage.get("completion_tokens"), model=data.get("model") or model,
                         tool_calls=tuple(calls))


# One aiohttp session per event loop. A session must be closed inside its loop, and loops
# have no close hook; an async generator does: asyncio.run finalises every live one before
# it closes the loop, so each loop's session is closed there, with no "unclosed" warning.
_SESSIONS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, Any]] = weakref.WeakKeyDictionary()


async def _session():
    loop = asyncio.get_running_loop()
    held = _SESSIONS.get(loop)
    if held is None or held[0].closed:
        import aiohttp

        # No connection cap (max_in_flight limits calls) and no session timeout: the per-attempt
        # timeout is retry.py's, as for every backend.
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), trust_env=True,
                                        timeout=aiohttp.ClientTimeout(total=None))
        closer = _close_with_loop(session)
        await closer.__anext__()
        _SESSIONS[loop] = held = (session, closer)
    return held[0]


async def _close_with_loop(session):
    try:
        yield
    finally:
        await session.close()
