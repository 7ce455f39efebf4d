"""Support for the model-path tests: optional-part checks and the real llama.cpp server."""

from __future__ import annotations

import importlib.util
import os
import tempfile
from pathlib import Path

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
    from agentclinic.llm.local_server import free_port as free

    return free()


def llama_server_process(*extra_args: str, **options):
    """The recommended llama.cpp server for the embedded model (``agentclinic.llm.local_server``),
    not started yet, on a free loopback port, logging to a temporary file.

    Verbose, so the log shows for every request the prompt tokens it evaluated. ``extra_args`` go to
    the server as they are (e.g. ``--chat_format chatml-function-calling``); ``options`` to
    :func:`agentclinic.llm.local_server.server_argv` (e.g. ``cache_mb=0``)."""
    from agentclinic.llm.local_server import LocalServer, server_argv

    need("llama_cpp", "the llama.cpp server tests")
    model = smollm2_or_skip()
    port = free_port()
    # The server logs a lot while loading; a file (not a pipe nobody reads) keeps it from blocking.
    handle, log = tempfile.mkstemp(prefix="llama-server-", suffix=".log")
    os.close(handle)
    argv = server_argv(model, port=port, seed=7, verbose=True, extra=extra_args, **options)
    return LocalServer(argv, host="127.0.0.1", port=port, log=Path(log))


def start_llama_server(*extra_args: str):
    """``python -m llama_cpp.server`` as :func:`llama_server_process` sets it up, started; yields its /v1 base URL."""
    from agentclinic.llm.local_server import LocalServerError

    server = llama_server_process(*extra_args)
    try:
        server.start()
    except LocalServerError as exc:
        pytest.fail(str(exc))
    try:
        yield server.url
    finally:
        server.stop()
