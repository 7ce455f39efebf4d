"""Credentials kept out of everything stored or printed.

A server URL may carry a password (``http://user:secret@host/v1``) or a key in its query
(``?api_key=...``); the URL itself is still given to the client as written, but every copy
that is recorded (run bindings and config, ``llm_call.model``, error messages) or shown goes
through :func:`redact_url` or :func:`redact_secrets` first.
"""

from __future__ import annotations

import os
import re
from typing import Any

MASK = "***"

# Query parameters that carry credentials (compared case-insensitively).
SECRET_PARAMS = frozenset({
    "key", "api_key", "api-key", "apikey", "x-api-key", "token", "access_token", "id_token", "refresh_token",
    "auth", "authorization", "password", "passwd", "pwd", "secret", "client_secret", "sig", "signature",
})
# Environment variables whose values are keys; their values are masked wherever they appear.
_SECRET_ENV = re.compile(r"(API_KEY|_TOKEN|_SECRET|PASSWORD)$")
_MIN_SECRET = 8  # shorter values ("1", "yes") would mask ordinary words

_USERINFO = re.compile(r"^(\s*[A-Za-z][A-Za-z0-9+.-]*://)[^/?#\s]*@")
_PARAM = re.compile(r"([?&;])([^=&;#\s]+)=([^&;#\s]*)")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")


def _redact_one(url: str) -> str:
    url = _USERINFO.sub(r"\1", url)

    def param(match: re.Match[str]) -> str:
        sep, name, _ = match.groups()
        return f"{sep}{name}={MASK}" if name.lower() in SECRET_PARAMS else match.group(0)

    return _PARAM.sub(param, url)


def redact_url(url: str | None) -> str | None:
    """``url`` (or a comma-separated list of them) without user-info and with credential
    query values masked: ``http://u:p@h/v1?api_key=k`` -> ``http://h/v1?api_key=***``."""
    if url is None:
        return None
    return ",".join(_redact_one(part) for part in url.split(","))


def env_secrets() -> list[str]:
    """Values of environment variables named like keys or tokens (``OPENAI_API_KEY``), long enough
    to be secrets: what :func:`redact_secrets` masks."""
    return [value for name, value in os.environ.items()
            if _SECRET_ENV.search(name.upper()) and len(value) >= _MIN_SECRET]


def redact_secrets(text: str) -> str:
    """Free text (an error message) with every URL redacted and key values from the
    environment (``OPENAI_API_KEY`` and the like) masked."""
    text = _URL.sub(lambda match: redact_url(match.group(0)) or "", text)
    for secret in env_secrets():
        text = text.replace(secret, MASK)
    return text


def redact_role_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A recorded ``RoleSettings`` (as a dict) with its base URLs, shared and per role, redacted."""
    per_role = {role: {**options, "base_url": redact_url(options["base_url"])} if "base_url" in options else options
                for role, options in (settings.get("per_role") or {}).items()}
    return {**settings, "base_url": redact_url(settings.get("base_url")), "per_role": per_role}


def scrub_exception(exc: BaseException) -> BaseException:
    """Redact ``exc`` and the exceptions it chains to, in place, keeping their types.

    The caller records ``str(exc)`` and a traceback (which prints the chain), and retries
    and error handling above depend on the exception's type, so the messages are rewritten
    rather than the exception replaced.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        current.args = tuple(redact_secrets(a) if isinstance(a, str) else a for a in current.args)
        if isinstance(getattr(current, "message", None), str):
            try:
                current.message = redact_secrets(current.message)  # type: ignore[attr-defined]
            except AttributeError:  # a read-only property derived from args, already redacted
                pass
        current = current.__cause__ or current.__context__
    return exc
