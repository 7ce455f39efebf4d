"""Links from the HTML report into the log viewer's pages.

The report is rendered in three places: alone (one self-contained file, no links), inside
``agentclinic view`` (server URLs) and as the front page of a static site written by
``agentclinic report --html DIR`` (relative file names). The caller says which by passing a
:class:`ReportLinks`; the report itself knows no URL scheme.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReportLinks:
    """Where the report's run and case names point.

    ``run(run_id)`` is the URL of a run's episode list; ``case(run_id, case_id)`` the URL of
    that run's episodes of one case (the viewer's list filtered by case); ``home`` the
    viewer's list of runs. Every URL is escaped by the report like any other text.
    """

    run: Callable[[int], str]
    case: Callable[[int, str], str]
    home: str
