"""Support for the model-path tests: optional-part checks and the real llama.cpp server."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest


def need(module: str, why: str) -> None:
    """Skip when an optional part is missing, except in CI, where it must be installed."""
    if importlib.util.find_spec(module) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{module} is not installed but CI must run {why}; see .ci/run")
        pytest.skip(f"{module} not installed ({why})")


def smollm2_or_skip() -> str:
    from agentclinic.llm.backends.base import MissingExtraError
    from agentclinic.llm.backends.llamacpp_backend import smollm2_path

    try:
        return str(smollm2_path())
    except MissingExtraError as exc:
        if os.environ.get("CI"):
            pytest.fail(str(exc))
        pytest.skip(str(exc))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_llama_server(*extra_args: str):
    """``python -m llama_cpp.server`` on a free loopback port; yields its /v1 base URL.

    ``extra_args`` go to the server as they are (e.g. ``--chat_format chatml-function-calling``)."""
    need("llama_cpp", "the llama.cpp server tests")
    model = smollm2_or_skip()
    port = free_port()
    # The server logs a lot while loading; a file (not a pipe nobody reads) keeps it from blocking.
    log = tempfile.NamedTemporaryFile("w+", prefix="llama-server-", suffix=".log", delete=False)
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1", "--port", str(port),
         "--n_ctx", "4096", "--n_threads", "2", "--seed", "7",
         # By default the server drops a request in progress when another arrives; concurrent
         # episodes (and retries after a client timeout) must queue instead.
         "--interrupt_requests", "False", *extra_args],
        stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama.cpp server exited: {open(log.name).read()[-2000:]}")
        try:
            urllib.request.urlopen(f"{url}/models", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("llama.cpp server did not start within 180 s")
    yield url
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
