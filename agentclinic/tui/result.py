"""The screen after a game: the right answer, the assessor's verdict and the metrics."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from ..report.metrics import EpisodeMetrics, episode_metrics
from ..runner import EpisodeOutcome
from ..scenario import Scenario
from ..store import Store
from .widgets import cell_text, note_missing_rtl


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _usd(value: float) -> str:
    return f"${value:,.2f}"


def metric_rows(metrics: EpisodeMetrics, max_turns: int) -> list[tuple[str, str]]:
    """The encounter's measures as a person reads them: words, units and 'yes'/'no'."""
    facts = f"{metrics.facts_surfaced} of {metrics.facts_total}"
    if metrics.coverage is not None:
        facts += f" ({100 * metrics.coverage:.0f}%)"
    return [
        ("Turns", f"{metrics.turns} of {max_turns}" if max_turns else str(metrics.turns)),
        ("Questions", str(metrics.questions)),
        ("Examinations", str(metrics.examinations)),
        ("Tests ordered", str(metrics.tests_ordered)),
        ("Test cost", _usd(metrics.test_cost_usd)),
        ("Total cost", _usd(metrics.cost_usd)),
        ("Key facts found", facts),
        ("Repeated questions", str(metrics.repeated_questions)),
        ("Repeated tests", str(metrics.repeated_tests)),
        ("Unclear commands", str(metrics.invalid_actions)),
        ("Diagnosis given", _yes_no(metrics.diagnosed)),
        ("Premature closure", "yes (no exam or test first)" if metrics.premature_closure else "no"),
        ("Diagnosed on the last turn", _yes_no(metrics.forced_final)),
    ]


def result_renderable(store: Store, outcome: EpisodeOutcome, scenario: Scenario, role: str) -> Group:
    """Outcome, verdict with its reason, process metrics and the patient's ratings."""
    row = store.episode(outcome.episode_id)
    judged = store.assessments_of([outcome.episode_id]).get(outcome.episode_id, [])
    heading = Text("Correct" if outcome.correct else "Not correct", style="bold green" if outcome.correct else "bold red")
    facts = Table(show_header=False, box=None, padding=(0, 1))
    facts.add_column(style="bold")
    facts.add_column()
    who = "Your" if role == "doctor" else "The doctor's"
    facts.add_row(f"{who} diagnosis", cell_text(outcome.diagnosis or "(none given)"))
    facts.add_row("Correct diagnosis", cell_text(outcome.correct_diagnosis))
    if judged:
        facts.add_row("Verdict", cell_text(f"{judged[0].verdict}: {judged[0].reason}"))
    if outcome.error:
        facts.add_row("Error", cell_text(outcome.error))
    metrics = episode_metrics(store.turns(outcome.episode_id), scenario.key_facts, row.max_turns if row else 0)
    numbers = Table(title="This encounter", show_header=False, box=None, padding=(0, 1))
    numbers.add_column(style="bold")
    numbers.add_column()
    for label, value in metric_rows(metrics, row.max_turns if row else 0):
        numbers.add_row(f"{label}:", value)
    parts = [heading, facts, numbers]
    survey = store.surveys_of([outcome.episode_id]).get(outcome.episode_id)
    if survey is not None:
        ratings = Table(title="The patient's ratings (1-10)" + (" · heuristic" if survey.heuristic else ""),
                        show_header=False, box=None, padding=(0, 1))
        for item in ("confidence", "adherence", "return_visit"):
            ratings.add_row(item.replace("_", " ").capitalize() + ":", str(getattr(survey, item)),
                            cell_text(getattr(survey, f"{item}_reason")))
        parts.append(ratings)
    parts.append(Text(f"Logged as episode {outcome.episode_id}. Press q or Ctrl+Q to leave.", style="dim"))
    return Group(*parts)


class ResultScreen(Screen):
    """The game's last screen; q, Esc or the game's Ctrl+Q leaves. Only Ctrl+Q is in the footer,
    as on the game screen: two 'Quit' entries read as two different things."""

    BINDINGS = [Binding("q", "app.finish", "Quit", show=False), Binding("escape", "app.finish", "Quit", show=False)]

    def __init__(self, store: Store, outcome: EpisodeOutcome, scenario: Scenario, role: str):
        super().__init__()
        self.body = result_renderable(store, outcome, scenario, role)

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self.body)
        yield Footer()

    def on_mount(self) -> None:
        note_missing_rtl(self)
