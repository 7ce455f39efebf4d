"""Chat backends, imported lazily so optional dependencies load only when used."""

from __future__ import annotations

from ..spec import ModelSpec
from .base import ChatBackend, MissingExtraError, RawCompletion


def make_backend(spec: ModelSpec) -> ChatBackend:
    if spec.backend == "openai":
        from .openai_backend import OpenAIBackend

        return OpenAIBackend(spec)
    if spec.backend == "langchain":
        from .langchain_backend import LangChainBackend

        return LangChainBackend(spec)
    if spec.backend == "local":
        from .llamacpp_backend import LlamaCppBackend

        return LlamaCppBackend(spec)
    if spec.backend == "hf":
        from .hf_backend import TransformersBackend

        return TransformersBackend(spec)
    raise ValueError(f"unknown backend {spec.backend!r}")


__all__ = ["ChatBackend", "MissingExtraError", "RawCompletion", "make_backend"]
