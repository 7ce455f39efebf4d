"""A transformers causal LM (extra ``hf``): a hub id, a local directory or a GGUF file, offline.

A GGUF path is loaded through transformers' GGUF support (needs ``gguf``); weights are
dequantised on load, so it is slow but exact. Generation runs in a worker thread.
"""

from __future__ import annotations

import asyncio
import threading
from functools import lru_cache
from pathlib import Path

from ..messages import Message
from ..spec import ModelSpec
from .base import RawCompletion, require


@lru_cache(maxsize=2)
def _load(location: str):
    transformers = require("transformers", "hf", "hf: models")
    require("torch", "hf", "hf: models")
    path = Path(location)
    if path.suffix == ".gguf":
        require("gguf", "hf", "loading a GGUF file with transformers")
        kwargs = {"gguf_file": path.name}
        source = str(path.parent)
    else:
        kwargs, source = {}, location
    tokenizer = transformers.AutoTokenizer.from_pretrained(source, **kwargs)
    model = transformers.AutoModelForCausalLM.from_pretrained(source, **kwargs)
    model.eval()
    return tokenizer, model


class TransformersBackend:
    vision = False

    def __init__(self, spec: ModelSpec):
        self.spec = spec
        location = spec.model
        if location in {"smollm2", "local:smollm2"}:
            from .llamacpp_backend import smollm2_path

            location = str(smollm2_path())
        self.tokenizer, self.model = _load(location)
        self.lock = threading.Lock()

    async def complete(self, messages: list[Message], *, json_schema: dict | None = None,
                       seed: int | None = None) -> RawCompletion:
        return await asyncio.to_thread(self._complete, messages, seed)

    def _complete(self, messages: list[Message], seed: int | None) -> RawCompletion:
        import torch

        chat = [{"role": m.role, "content": m.text} for m in messages]
        inputs = self.tokenizer.apply_chat_template(chat, add_generation_prompt=True, return_tensors="pt",
                                                    return_dict=True)
        temperature = self.spec.temperature if self.spec.temperature is not None else 0.0
        with self.lock, torch.no_grad():
            if seed is not None:
                torch.manual_seed(seed)
            output = self.model.generate(**inputs, max_new_tokens=self.spec.max_tokens or 128,
                                         do_sample=temperature > 0, temperature=temperature or None,
                                         pad_token_id=self.tokenizer.eos_token_id)
        prompt_tokens = inputs["input_ids"].shape[1]
        new_tokens = output[0][prompt_tokens:]
        text = self.tokenizer.decode(new_tokens, skip_special_tokens=True)
        return RawCompletion(text, int(prompt_tokens), int(new_tokens.shape[0]), self.spec.model)
