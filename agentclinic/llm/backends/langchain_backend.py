"""Any LangChain chat model through ``init_chat_model`` (anthropic, google_genai, ollama, ...)."""

from __future__ import annotations

from ..messages import Message
from ..spec import ModelSpec, ModelSpecError
from .base import RawCompletion

# provider -> the integration package LangChain needs for it
_PACKAGES = {
    "openai": "langchain-openai", "anthropic": "langchain-anthropic", "google_genai": "langchain-google-genai",
    "google_vertexai": "langchain-google-vertexai", "ollama": "langchain-ollama", "mistralai": "langchain-mistralai",
    "groq": "langchain-groq", "bedrock": "langchain-aws", "bedrock_converse": "langchain-aws",
    "fireworks": "langchain-fireworks", "together": "langchain-together", "huggingface": "langchain-huggingface",
    "deepseek": "langchain-deepseek", "xai": "langchain-xai", "azure_openai": "langchain-openai",
}


def to_langchain(message: Message):
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    cls = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}[message.role]
    if not message.images:
        return cls(content=message.text)
    parts: list = [{"type": "text", "text": message.text}]
    parts += [{"type": "image_url", "image_url": {"url": image.data_url}} for image in message.images]
    return cls(content=parts)


class LangChainBackend:
    def __init__(self, spec: ModelSpec):
        try:
            from langchain.chat_models import init_chat_model
        except ImportError as exc:
            raise ModelSpecError("LangChain providers need the 'langchain' package: pip install langchain") from exc
        self.spec = spec
        kwargs: dict = {"max_retries": 0, "timeout": spec.timeout_s}  # retries live in llm/retry.py
        if spec.temperature is not None:
            kwargs["temperature"] = spec.temperature
        if spec.max_tokens is not None:
            kwargs["max_tokens"] = spec.max_tokens
        if spec.base_url is not None:
            kwargs["base_url"] = spec.base_url
            if spec.provider == "openai":
                import os

                from .openai_backend import split_base_url

                kwargs["base_url"], query = split_base_url(spec.base_url)
                if query:
                    kwargs["default_query"] = query
                kwargs.setdefault("api_key", os.environ.get("OPENAI_API_KEY") or "no-key-needed")
                if spec.max_tokens is not None:
                    # ChatOpenAI sends max_completion_tokens, which compatible servers such as
                    # llama.cpp's ignore; the classic field bounds the reply there.
                    kwargs["extra_body"] = {"max_tokens": spec.max_tokens}
        try:
            self.model = init_chat_model(spec.model, model_provider=spec.provider, **kwargs)
        except ImportError as exc:
            package = _PACKAGES.get(spec.provider or "", f"langchain-{spec.provider}")
            raise ModelSpecError(f"provider {spec.provider!r} needs its LangChain integration: "
                                 f"pip install {package}") from exc
        except ValueError as exc:
            raise ModelSpecError(f"{spec.label}: {exc}") from exc

    async def complete(self, messages: list[Message], *, json_schema: dict | None = None,
                       seed: int | None = None) -> RawCompletion:
        kwargs: dict = {}
        if self.spec.provider == "openai":
            if seed is not None:
                kwargs["seed"] = seed
            if json_schema is not None:
                from .openai_backend import response_format

                kwargs["response_format"] = response_format(json_schema, self.spec.base_url is not None)
        result = await self.model.ainvoke([to_langchain(m) for m in messages], **kwargs)
        usage = getattr(result, "usage_metadata", None) or {}
        text = result.content if isinstance(result.content, str) else "".join(
            part.get("text", "") if isinstance(part, dict) else str(part) for part in result.content)
        return RawCompletion(text, usage.get("input_tokens"), usage.get("output_tokens"),
                             (result.response_metadata or {}).get("model_name", self.spec.model))
