"""Which model errors are worth retrying, and the one retry layer (tenacity).

Clients are built with their own retries switched off (``max_retries=0``), so attempts are
counted here only and never multiply.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_random_exponential

T = TypeVar("T")

_NEVER = ("AuthenticationError", "PermissionDeniedError", "BadRequestError", "NotFoundError",
          "UnprocessableEntityError", "ConflictError")
_ALWAYS = ("APITimeoutError", "APIConnectionError", "InternalServerError", "APIResponseValidationError",
           "ServiceUnavailableError", "OverloadedError", "TransportError", "RemoteProtocolError",
           "ReadTimeout", "ConnectTimeout", "ConnectError")


def _names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if status is None and (response := getattr(exc, "response", None)) is not None:
        status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_quota_exhausted(exc: BaseException) -> bool:
    """A 429 that will not go away by waiting (the account is out of credit)."""
    text = f"{getattr(exc, 'code', '')} {getattr(exc, 'body', '')} {exc}".lower()
    return "insufficient_quota" in text or "quota exceeded" in text or "billing" in text


def is_retryable(exc: BaseException) -> bool:
    """Rate limits, timeouts, 5xx, dropped connections and garbled bodies: yes. Auth, quota, bad request: no."""
    names = _names(exc)
    if names & set(_NEVER):
        return False
    if "RateLimitError" in names:
        return not is_quota_exhausted(exc)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError, ConnectionError, json.JSONDecodeError)):
        return True
    if names & set(_ALWAYS):
        return True
    status = _status(exc)
    if status == 429:
        return not is_quota_exhausted(exc)
    return status is not None and status >= 500


async def call_with_retries(make_call: Callable[[], Awaitable[T]], *, attempts: int, timeout_s: float,
                            on_retry: Callable[[BaseException], None] | None = None,
                            max_wait_s: float = 20.0) -> T:
    """Run ``make_call`` with a per-attempt timeout and jittered exponential backoff.

    The first attempt runs on its own: almost every call succeeds at once, and setting up the
    retry machinery cost more than the rest of the harness's work on a call. Only after a
    retryable failure do the remaining attempts go through tenacity, waiting as they would
    have: before the k-th retry a random time up to 0.5 s × 2^(k-1), at most ``max_wait_s``."""
    try:
        async with asyncio.timeout(timeout_s):
            return await make_call()
    except Exception as exc:  # noqa: BLE001 - classified just below
        if attempts <= 1 or not is_retryable(exc):
            raise
        if on_retry is not None:
            on_retry(exc)
        await asyncio.sleep(random.uniform(0, min(max_wait_s, 0.5)))
    return await _retry(make_call, attempts - 1, timeout_s, on_retry, max_wait_s)


async def _retry(make_call: Callable[[], Awaitable[T]], attempts: int, timeout_s: float,
                 on_retry: Callable[[BaseException], None] | None, max_wait_s: float) -> T:
    """The attempts after the first: tenacity counts from 1 here, so the multiplier doubles."""

    def before_sleep(state) -> None:
        if on_retry is not None and state.outcome is not None:
            on_retry(state.outcome.exception())

    retrying = AsyncRetrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait_random_exponential(multiplier=1.0, max=max_wait_s),
        retry=retry_if_exception(is_retryable),
        before_sleep=before_sleep,
        reraise=True,
    )
    async for attempt in retrying:
        with attempt:
            async with asyncio.timeout(timeout_s):
                return await make_call()
    raise AssertionError("unreachable: tenacity re-raises the last error")
