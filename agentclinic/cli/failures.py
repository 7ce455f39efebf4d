"""Why episodes failed, one line per kind of error, and whether a run failed as a whole.

A run in which episodes failed exits 1 (``--max-failures`` tolerates some); the summary
names each kind of failure once, with what to check, so a closed port reads as one line
("3/3 episodes failed: APIConnectionError: Connection error. at http://127.0.0.1:9/v1 —
check --base-url ...") rather than a column of truncated cells.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runner import EpisodeOutcome

# What to check for each kind of error a model client or the episode raises.
_HINTS = {
    "APIConnectionError": "check --base-url and that the server is running",
    "APITimeoutError": "the server did not answer in time: raise --timeout or lower --concurrency",
    "AuthenticationError": "check the API key (OPENAI_API_KEY or the provider's variable)",
    "PermissionDeniedError": "the API key may not use this model",
    "NotFoundError": "check the model name and --base-url",
    "RateLimitError": "lower --concurrency or --max-in-flight, or raise --retries",
    "BadRequestError": "the server refused the request: check the model name and --max-tokens",
    "InternalServerError": "the server failed: try again later or raise --retries",
    "ImageFetchError": "the case's image could not be fetched: check the network or the image URL",
}
_CONNECTION = {"APIConnectionError", "APITimeoutError", "ConnectError", "ConnectionRefusedError"}


def parse_tolerance(text: str | None) -> tuple[int, bool]:
    """``--max-failures``: '3' -> (3, False), '10%' -> (10, True); a clear error otherwise."""
    if text is None:
        return 0, False
    value, percent = (text[:-1], True) if text.endswith("%") else (text, False)
    if not value.isdigit() or (percent and int(value) > 100):
        raise ValueError(f"--max-failures must be a count (e.g. 3) or a percentage up to 100% (e.g. 10%), "
                         f"got {text!r}")
    return int(value), percent


def too_many(failed: int, total: int, tolerance: tuple[int, bool]) -> bool:
    """Whether ``failed`` of ``total`` episodes is more than ``--max-failures`` allows."""
    allowed, percent = tolerance
    return failed > (allowed * total / 100 if percent else allowed)


def failure_lines(outcomes: Sequence[EpisodeOutcome], servers: Sequence[str]) -> list[str]:
    """One line per kind of failure, most frequent first; ``servers`` are the (redacted) model
    server URLs, named in connection errors."""
    failed = [o for o in outcomes if o.status == "failed"]
    kinds = Counter(_first_line(o.error) for o in failed)
    lines = []
    for cause, count in kinds.most_common():
        kind = cause.partition(":")[0]
        where = f" at {', '.join(servers)}" if kind in _CONNECTION and servers else ""
        hint = _HINTS.get(kind, "see `agentclinic episodes show ID` for the details")
        lines.append(f"{count}/{len(outcomes)} episodes failed: {cause}{where} — {hint}")
    return lines


def _first_line(error: str | None) -> str:
    lines = (error or "unknown error").strip().splitlines()
    line = lines[0] if lines else "unknown error"
    return line if len(line) <= 200 else line[:199] + "…"
