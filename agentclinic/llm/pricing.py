"""Per-model token prices (data in ``data/model_prices.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from ..paths import data_file


@dataclass(frozen=True)
class ModelPrice:
    input_per_mtok: float
    output_per_mtok: float
    vision: bool


class PriceTable:
    def __init__(self, data: dict):
        self.models = {
            name: ModelPrice(float(entry["input"]), float(entry["output"]), bool(entry.get("vision", False)))
            for name, entry in (data.get("models") or {}).items()
        }

    def lookup(self, model: str) -> ModelPrice | None:
        """The entry whose name is the longest prefix of ``model`` (dated snapshots find their family)."""
        name = model.rsplit("/", 1)[-1]
        matches = [key for key in self.models if name.startswith(key)]
        return self.models[max(matches, key=len)] if matches else None

    def cost(self, model: str, input_tokens: int | None, output_tokens: int | None) -> float | None:
        """USD for one call, or None when the model's price is unknown."""
        price = self.lookup(model)
        if price is None:
            return None
        return ((input_tokens or 0) * price.input_per_mtok + (output_tokens or 0) * price.output_per_mtok) / 1e6


@lru_cache(maxsize=2)
def load_price_table(path: Path | None = None) -> PriceTable:
    with open(path or data_file("model_prices.yaml"), encoding="utf-8") as handle:
        return PriceTable(yaml.safe_load(handle))
