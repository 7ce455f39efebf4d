"""The author-facing error format: a :class:`Problem` names the file, field, what is wrong and the fix.

Kept apart from the loader so that the readers it uses (:mod:`.case_files`, the dataset
importers) can report problems without importing it. ``agentclinic.loader`` re-exports both.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case file."""

    file: str
    field: str
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        text = f"{where}: {self.message}"
        return f"{text}. Fix: {self.fix}" if self.fix else text


class ScenarioError(Exception):
    """Raised when cases cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid scenarios")
