"""Per-model token prices (data in ``data/model_prices.yaml``).

A price is found from whatever names the model: the bare name the backend sends
(``gpt-4o-mini``), the label runs store (``openai:gpt-4o-mini@http://host/v1``,
``anthropic:claude-3-5-haiku-latest``), a router path (``openai/gpt-4o-mini``) or a dated
snapshot (``gpt-4o-mini-2024-07-18``). A model the file does not list stays unpriced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..paths import data_file
from ..yaml_cache import read_yaml

# The "@<base url>" a spec label ends with (a URL, so "claude-3-5-sonnet@20240620" is kept).
_BASE_URL = re.compile(r"@[A-Za-z][A-Za-z0-9+.-]*://.*$")
# What may follow a listed name in a longer one: a snapshot, version or tag ("-2024-07-18",
# "-latest", "@20240620", ":8b"). Not "." or a letter: "gpt-4.1" is not "gpt-4", "gpt-4o" not "gpt-4".
_SUFFIX_START = ("-", "@", ":", "_")


@dataclass(frozen=True)
class ModelPrice:
    input_per_mtok: float
    output_per_mtok: float
    vision: bool


def model_names(model: str) -> list[str]:
    """The names ``model`` may be listed under, most specific first.

    ``openai:gpt-4o-mini@http://h/v1`` -> ``['openai:gpt-4o-mini', 'gpt-4o-mini']``: the base
    URL goes, then each provider prefix before a ':' and each router path before a '/'.
    """
    name = _BASE_URL.sub("", model.strip()).rsplit("/", 1)[-1]
    names = [name]
    while ":" in name:
        name = name.split(":", 1)[1]
        names.append(name)
    return [n for n in names if n]


class PriceTable:
    def __init__(self, data: dict):
        # Case-insensitive: hub ids say "SmolLM2", GGUF files "smollm2".
        self.models = {
            str(name).casefold(): ModelPrice(float(entry["input"]), float(entry["output"]),
                                             bool(entry.get("vision", False)))
            for name, entry in (data.get("models") or {}).items()
        }
        self._found: dict[str, ModelPrice | None] = {}

    def lookup(self, model: str) -> ModelPrice | None:
        """The price of ``model`` (a bare name or a run label), or None when the file lacks it.

        The longest listed name that ``model`` equals or extends with a snapshot suffix wins,
        so ``gpt-4o-mini-2024-07-18`` finds ``gpt-4o-mini``, not ``gpt-4o``.
        """
        if model not in self._found:  # asked on every call with the same few labels
            self._found[model] = next((self.models[key] for name in model_names(model)
                                       if (key := self._longest_key(name.casefold())) is not None), None)
        return self._found[model]

    def _longest_key(self, name: str) -> str | None:
        matches = [key for key in self.models
                   if name == key or (name.startswith(key) and name[len(key)] in _SUFFIX_START)]
        return max(matches, key=len) if matches else None

    def cost(self, model: str, input_tokens: int | None, output_tokens: int | None) -> float | None:
        """USD for one call, or None when the model's price is unknown."""
        price = self.lookup(model)
        if price is None:
            return None
        return ((input_tokens or 0) * price.input_per_mtok + (output_tokens or 0) * price.output_per_mtok) / 1e6


@lru_cache(maxsize=2)
def load_price_table(path: Path | None = None) -> PriceTable:
    return PriceTable(read_yaml(path or data_file("model_prices.yaml")))
