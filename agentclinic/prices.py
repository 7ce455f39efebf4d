"""The price list: what questions and tests cost (data in ``data/prices.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from .paths import data_file
from .scenario import CaseTest
from .terminology import Terminology, load_terminology
from .yaml_cache import read_yaml


class PriceList(BaseModel):
    currency: str = "USD"
    question_fee_usd: float = Field(ge=0)
    default_by_category: dict[str, float]
    tests: dict[str, float] = Field(default_factory=dict)

    def concept_price(self, concept: str | None, category: str) -> float:
        """The list price of a test concept, falling back to its category's default."""
        if concept is not None and concept in self.tests:
            return self.tests[concept]
        return self.default_by_category.get(category, self.default_by_category.get("lab", 0.0))

    def test_price(self, test: CaseTest, terminology: Terminology | None = None) -> float:
        """A case test's cost: its own ``cost_usd`` override, else the list price of what it is."""
        if test.cost_usd is not None:
            return test.cost_usd
        terminology = terminology or load_terminology()
        for term in (test.name, *test.aliases):
            concept = terminology.concept(term)
            if concept is not None and concept in self.tests:
                return self.tests[concept]
        return self.concept_price(None, test.category)


@lru_cache(maxsize=4)
def load_prices(path: Path | None = None) -> PriceList:
    """The bundled price list (cached), or one from another file."""
    return PriceList.model_validate(read_yaml(path or data_file("prices.yaml")))
