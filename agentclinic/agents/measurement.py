"""The scripted measurement role: the grounded resolver, nothing more."""

from __future__ import annotations

from ..actions import MeasurementRequest
from ..prices import PriceList, load_prices
from ..resolver import MeasurementContext, MeasurementResult, MissingPolicy, Resolver
from ..scenario import Scenario
from ..terminology import load_terminology


class ScriptedMeasurement:
    """Returns exam findings and results straight from the case, with provenance."""

    def __init__(self, scenario: Scenario, seed: int = 0, *, missing: MissingPolicy = "default-normal",
                 prices: PriceList | None = None):
        self.resolver = Resolver(scenario, load_terminology(), prices or load_prices(), missing)

    async def measure(self, request: MeasurementRequest, context: MeasurementContext) -> MeasurementResult:
        return self.resolver.resolve(request, context)
