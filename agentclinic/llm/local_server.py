"""The embedded model behind llama.cpp's OpenAI-compatible server, set up to reuse each role's prompt.

``python -m llama_cpp.server`` keeps one evaluated context. The roles of an episode take turns
(doctor, patient, doctor, measurement, ...), so without help every call shares only the chat
template's opening with the call before it and the whole conversation is evaluated again. With
``--cache True --cache_type ram`` the server saves its state after each completion and, before
the next one, restores the saved state sharing the longest prefix with the new prompt: as each
role's conversation only grows, each call resumes where that role's last call ended.
``benchmarks/head_to_head.py`` (2 MedQA cases x 6 doctor turns, every role a model) measured
9,690 prompt tokens evaluated per episode without the cache and 1,692 with it, and the server's
time per episode fell from 84 s to 37 s. One server per role (``--doctor-base-url`` and friends)
evaluates the same tokens while one episode runs at a time, but takes a process and a model copy
per role and misses again once episodes interleave; the cache serves any mix of conversations
whose states fit in it.

Memory is the price. A saved state holds the context's used KV cells (about 24 KB per token for
SmolLM2-135M) and a copy of the logits the server kept, which the cache's size limit does not
count. The server keeps logits for every prompt token by default (``--logits_all``, needed only
for ``logprobs``, which nothing here asks for): 49,152 floats, 196 KB, per token, so a 1,500-token
conversation's state came to ~300 MB and one episode took the server to 3.6 GB. With
``--logits_all False`` only the last batch's logits are kept (``n_batch`` rows: 50 MB at 256, half
of llama.cpp's default 512; neither changed prompt evaluation's speed measurably). A limit of
512 MB of KV state then keeps 10-40 states: every role of several concurrent episodes. The run
above peaked at 2.2 GB (0.9 GB without the cache); ``cache_mb`` trades memory for hits.
"""

from __future__ import annotations

import importlib.util
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Self

from .backends.base import MissingExtraError

#: KV state the prompt cache may hold, in MiB (the logits copies come on top: see the module doc).
DEFAULT_CACHE_MB = 512
#: Prompt tokens evaluated per batch; also the rows of the logits buffer each saved state copies.
DEFAULT_N_BATCH = 256
DEFAULT_N_CTX = 4096
LOOPBACK = "127.0.0.1"


class LocalServerError(RuntimeError):
    """The server exited or did not answer in time; the message ends with its log's last lines."""


def free_port(host: str = LOOPBACK) -> int:
    """A port nobody listens on right now (another process may still take it before the server does)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def check_local_extra() -> str:
    """The embedded model's GGUF path, or :class:`MissingExtraError` naming the ``local`` extra."""
    from .backends.llamacpp_backend import smollm2_path

    # The server also needs uvicorn, fastapi and friends: llama-cpp-python's [server] extra.
    for module in ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings"):
        if importlib.util.find_spec(module) is None:
            raise MissingExtraError(f"the local model server needs the '{module}' package: "
                                    "pip install 'agentclinic[local]'")
    return str(smollm2_path())


def server_argv(model: str | Path, *, port: int, host: str = LOOPBACK, n_ctx: int = DEFAULT_N_CTX,
                threads: int = 2, cache_mb: int = DEFAULT_CACHE_MB, n_batch: int = DEFAULT_N_BATCH,
                seed: int | None = None, verbose: bool = False, extra: Sequence[str] = ()) -> list[str]:
    """The command line of the recommended server for ``model``.

    ``cache_mb=0`` gives the plain one-context server (for comparison). ``verbose`` makes llama.cpp
    log each request, including ``prompt eval time = ... / N tokens``: the tokens it evaluated."""
    argv = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", host, "--port", str(port),
            "--n_ctx", str(n_ctx), "--n_threads", str(threads), "--n_batch", str(n_batch),
            # By default the server drops the request in progress when another arrives; concurrent
            # episodes (and retries after a client timeout) must queue instead.
            "--interrupt_requests", "False", "--logits_all", "False", "--verbose", str(verbose)]
    if cache_mb > 0:
        argv += ["--cache", "True", "--cache_type", "ram", "--cache_size", str(cache_mb << 20)]
    if seed is not None:
        argv += ["--seed", str(seed)]
    return argv + list(extra)


class LocalServer:
    """A server process started from ``argv`` and its ``/v1`` base URL; a context manager.

    ``log``: a file for its output (``None``: this process's stderr)."""

    def __init__(self, argv: Sequence[str], *, host: str, port: int, log: Path | None = None):
        self.argv = list(argv)
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{port}/v1"
        self.log = log
        self.process: subprocess.Popen | None = None
        self._log_file: IO[str] | None = None

    def start(self, timeout_s: float = 180) -> Self:
        """Start the process and wait until it answers ``/v1/models``."""
        if self.log is not None:
            # A file, not a pipe: nobody reads a pipe while the model loads, and a full one blocks it.
            self._log_file = open(self.log, "w", encoding="utf-8")  # noqa: SIM115 (closed by stop())
        # Without a log file its output goes to our stderr, keeping our stdout for what callers print.
        self.process = subprocess.Popen(self.argv, stdout=self._log_file or sys.stderr, stderr=subprocess.STDOUT,
                                        text=True)
        self.wait_ready(timeout_s)
        return self

    def wait_ready(self, timeout_s: float) -> None:
        """Return once the server answers; :class:`LocalServerError` if it exits or ``timeout_s`` passes."""
        assert self.process is not None, "start() first"
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise LocalServerError(f"the llama.cpp server exited with {self.process.returncode}{self._tail()}")
            try:
                urllib.request.urlopen(f"{self.url}/models", timeout=2).close()
                return
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise LocalServerError(f"the llama.cpp server did not answer within {timeout_s:.0f} s{self._tail()}")

    def stop(self, timeout_s: float = 10) -> int | None:
        """Stop it as Ctrl-C would, then harder if it hangs; returns its exit code.

        On the first SIGINT uvicorn waits for the request in progress, which can take minutes on a
        busy CPU; a second one (Ctrl-C twice) makes it quit at once, and SIGTERM would only wait again."""
        process = self.process
        if process is None:
            return None
        interrupt = lambda: process.send_signal(signal.SIGINT)
        for step, wait_s in ((interrupt, 2.0), (interrupt, timeout_s), (process.kill, timeout_s)):
            if process.poll() is not None:
                break
            step()
            try:
                process.wait(timeout=wait_s)
            except subprocess.TimeoutExpired:
                continue
        if self._log_file is not None:
            self._log_file.close()
        return process.returncode

    def _tail(self, chars: int = 2000) -> str:
        if self.log is None or not self.log.exists():
            return ""
        return ":\n" + self.log.read_text(encoding="utf-8", errors="replace")[-chars:]

    def __enter__(self) -> Self:
        return self if self.process is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def local_server(*, port: int | None = None, host: str = LOOPBACK, log: Path | None = None,
                 **options) -> LocalServer:
    """The recommended server for the embedded model (not started yet: use ``with`` or ``start()``).

    ``options`` go to :func:`server_argv`. Raises :class:`MissingExtraError` without the extra."""
    model = check_local_extra()
    port = port or free_port(host)
    return LocalServer(server_argv(model, port=port, host=host, **options), host=host, port=port, log=log)
