"""Stopping a batch run on request: Ctrl-C once stops it cleanly, twice quits at once.

The runner never installs signal handlers itself (a library must not take over a caller's
Ctrl-C, e.g. in Jupyter); front ends pass a :class:`StopRequest` and, in the CLI,
:func:`ctrl_c_stops` connects it to SIGINT.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator


class StopRequest:
    """Asks a batch run to start no new episode and cancel the ones in flight."""

    def __init__(self) -> None:
        self._requested = threading.Event()
        self._listeners: list[Callable[[], None]] = []

    @property
    def requested(self) -> bool:
        return self._requested.is_set()

    def request(self) -> None:
        """Stop the run (safe from a signal handler or another thread)."""
        self._requested.set()
        for listener in list(self._listeners):
            listener()

    def on_request(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` when a stop is requested (at once if it already was)."""
        self._listeners.append(listener)
        if self.requested:
            listener()


@contextlib.contextmanager
def ctrl_c_stops(stop: StopRequest, say: Callable[[str], None]) -> Iterator[None]:
    """While inside: the first SIGINT requests ``stop``, the second exits the process (130)."""

    presses = [0]

    def handler(_signum, _frame) -> None:
        # Counted first: a second Ctrl-C may arrive while this handler is still printing.
        presses[0] += 1
        if presses[0] > 1:
            sys.stderr.write("\nStopped at once; unfinished episodes are redone when the same command runs again.\n")
            sys.stderr.flush()
            os._exit(130)  # the user asked twice: no cleanup, the next command resumes the run
        stop.request()
        say("Stopping: no new episodes; those in flight are cancelled and marked abandoned. "
            "Press Ctrl-C again to quit at once.")

    if threading.current_thread() is not threading.main_thread():
        yield  # signals reach only the main thread; nothing to install
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
