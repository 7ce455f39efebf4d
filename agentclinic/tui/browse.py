"""``agentclinic browse``: runs → episodes → transcript, read-only, filterable by outcome."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from ..loader import load_pack
from ..printable import printable
from ..report.metrics import episode_metrics
from ..report.tool_lines import describe, interleave, usage
from ..scenario import Scenario
from ..store import DoctorToolCall, Episode, Store
from ..store.tool_log import tool_calls_of
from .bidi_text import clip
from .browse_rows import accuracy_text, condition_of, fit_columns, outcome_of, run_accuracy
from .images import CaseImage
from .widgets import cell_text, line, note_missing_rtl, tool_line

FILTERS = ("all", "correct", "wrong", "failed", "abandoned")


def keep(row: Episode, outcome: str) -> bool:
    """Whether an episode passes the outcome filter."""
    if outcome == "all":
        return True
    if outcome in ("failed", "abandoned"):
        return row.status == outcome
    return row.status == "completed" and bool(row.correct) == (outcome == "correct")


RUN_COLUMNS = ("run", "when", "source", "doctor", "cases", "episodes", "correct", "status")
EPISODE_COLUMNS = ("id", "case", "outcome", "turns", "condition", "diagnosis")


def fill_table(table: DataTable, columns: tuple[str, ...], rows: list[dict[str, str]], width: int,
               free: tuple[str, ...]) -> None:
    """(Re)fill ``table`` so every column fits ``width``: free-text columns are cut to share
    what the others leave (:func:`~.browse_rows.fit_columns`); the first column is the key."""
    widths = fit_columns(width, {key: [key, *(row[key] for row in rows)] for key in columns}, free)
    cursor = table.cursor_row
    table.clear(columns=True)
    for key in columns:
        table.add_column(key, key=key)
    for row in rows:
        # Cut by cells, not characters: 40 Chinese characters would take 80 columns.
        table.add_row(*(cell_text(clip(row[key], widths[key])) for key in columns), key=row[columns[0]])
    table.move_cursor(row=min(cursor, max(len(rows) - 1, 0)))
    table.focus()


class RunsScreen(Screen):
    BINDINGS = [Binding("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(Text("Runs · Enter opens a run"), classes="title")
        yield DataTable(id="runs", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_rows()

    def on_resize(self, event: Resize) -> None:
        self.refresh_rows()  # the free-text columns are cut to the terminal's width

    def refresh_rows(self) -> None:
        store: Store = self.app.store  # type: ignore[attr-defined]
        counts, accuracy = store.episode_counts(), run_accuracy(store)
        rows = [{"run": str(run.id), "when": run.started_at.strftime("%m-%d %H:%M"), "source": run.source,
                 "doctor": printable(run.bindings.get("doctor", "?")), "cases": printable(run.scenarios),
                 "episodes": str(counts.get(run.id, 0)), "correct": accuracy_text(*accuracy.get(run.id, (0, 0))),
                 "status": run.status} for run in store.runs(limit=500)]
        fill_table(self.query_one(DataTable), RUN_COLUMNS, rows, self.app.size.width, free=("doctor", "cases"))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(EpisodesScreen(int(event.row_key.value)))


class EpisodesScreen(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("f", "cycle_filter", "Filter"),
                Binding("q", "app.quit", "Quit")]

    def __init__(self, run_id: int):
        super().__init__()
        self.run_id, self.outcome = run_id, "all"

    def compose(self) -> ComposeResult:
        yield Static(id="heading")
        yield DataTable(id="episodes", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_rows()

    def on_resize(self, event: Resize) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        store: Store = self.app.store  # type: ignore[attr-defined]
        every = store.episodes(self.run_id)
        shown = [row for row in every if keep(row, self.outcome)]
        heading = Text(f"Run {self.run_id} · ")
        heading.append(f"filter: {self.outcome}", style="bold reverse")
        heading.append(f" · {len(shown)} of {len(every)} episodes · f filters, Enter opens")
        self.query_one("#heading", Static).update(heading)
        rows = [{"id": str(row.id), "case": printable(row.scenario_id), "outcome": outcome_of(row),
                 "turns": str(row.turns), "condition": condition_of(row) or "-",
                 "diagnosis": printable(row.diagnosis or row.error or "")} for row in shown]
        fill_table(self.query_one(DataTable), EPISODE_COLUMNS, rows, self.app.size.width,
                   free=("condition", "diagnosis"))
        note_missing_rtl(self)

    def action_cycle_filter(self) -> None:
        self.outcome = FILTERS[(FILTERS.index(self.outcome) + 1) % len(FILTERS)]
        self.refresh_rows()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.app.push_screen(TranscriptScreen(int(event.row_key.value)))


class TranscriptScreen(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("q", "app.quit", "Quit")]

    def __init__(self, episode_id: int):
        super().__init__()
        self.episode_id = episode_id

    def compose(self) -> ComposeResult:
        store: Store = self.app.store  # type: ignore[attr-defined]
        row = store.episode(self.episode_id)
        turns = store.turns(self.episode_id)
        calls = tool_calls_of(store, [self.episode_id])[self.episode_id]
        scenario = store.case(row.case_digest) if row else None
        played = self._pack_case(row) if any(turn.image_ids for turn in turns) else None
        with VerticalScroll():
            yield Static(self._summary(row, turns, scenario))
            for item in interleave(turns, calls):
                if isinstance(item, DoctorToolCall):  # a tool use is no turn: styled apart
                    yield Static(tool_line(item.tool, describe(item), usage(item)), classes="tool")
                    continue
                label = f"{item.speaker} ({item.action})" if item.action else item.speaker
                yield Static(line(item.speaker, item.text, label))
                for image_id in item.image_ids:
                    yield CaseImage(_image_path(played, image_id), image_id)
        yield Footer()

    def on_mount(self) -> None:
        note_missing_rtl(self)

    @staticmethod
    def _summary(row, turns, scenario) -> Table:
        table = Table(show_header=False, box=None, padding=(0, 1))
        table.add_column(style="bold")
        table.add_column()
        if row is None:
            table.add_row("episode", "not found")
            return table
        table.add_row("episode", Text(printable(f"{row.id} · run {row.run_id} · {row.scenario_id} · {row.status}")))
        table.add_row("persona", Text(printable(row.persona_id or "neutral")))
        if row.swap:
            table.add_row("swap", Text(printable(row.swap)))
        if row.doctor_tools:  # only for tool conditions: tool-less screens stay as they were
            table.add_row("tools", Text(printable(row.doctor_tools)))
        table.add_row("diagnosis", cell_text(f"{row.diagnosis or '(none)'} → {row.verdict or '-'} "
                                             f"(correct: {row.correct_diagnosis})"))
        if row.error:
            table.add_row("error", cell_text(row.error.splitlines()[0]))
        metrics = episode_metrics(turns, scenario.key_facts if scenario else (), row.max_turns)
        coverage = "-" if metrics.coverage is None else f"{100 * metrics.coverage:.0f}%"
        table.add_row("metrics", Text(f"{metrics.turns} turns · {metrics.questions} questions · "
                                      f"{metrics.examinations} exams · {metrics.tests_ordered} tests · "
                                      f"${metrics.cost_usd:,.0f} · coverage {coverage}"))
        return table

    def _pack_case(self, row: Episode | None) -> Scenario | None:
        """The case as the run's pack holds it on disk: image files are relative to it."""
        run = self.app.store.run(row.run_id) if row else None  # type: ignore[attr-defined]
        try:
            return load_pack(run.scenarios).get(row.scenario_id)  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - the pack moved or changed: images fall back to text
            return None


def _image_path(scenario: Scenario | None, image_id: str) -> Path | None:
    found = next((i for i in scenario.images if i.id == image_id), None) if scenario else None
    return scenario.image_path(found) if scenario and found else None


class BrowseApp(App):
    """Read-only viewer of the episode log."""

    TITLE = "AgentClinic log"
    CSS = ".title, #heading { height: 1; padding: 0 1; background: $boost; } .tool { padding-left: 2; }"

    def __init__(self, store: Store):
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self.push_screen(RunsScreen())
