"""``agentclinic browse``: runs → episodes → transcript, read-only, filterable by outcome."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
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
from .widgets import cell_text, image, line, note_missing_rtl, tool_line

FILTERS = ("all", "correct", "wrong", "failed", "abandoned")


def keep(row: Episode, outcome: str) -> bool:
    """Whether an episode passes the outcome filter."""
    if outcome == "all":
        return True
    if outcome in ("failed", "abandoned"):
        return row.status == outcome
    return row.status == "completed" and bool(row.correct) == (outcome == "correct")


class RunsScreen(Screen):
    BINDINGS = [Binding("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(Text("Runs · Enter opens a run"), classes="title")
        yield DataTable(id="runs", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("run", "source", "started", "doctor", "cases", "episodes", "status")
        store: Store = self.app.store  # type: ignore[attr-defined]
        counts = store.episode_counts()
        for run in store.runs(limit=500):
            table.add_row(str(run.id), run.source, run.started_at.strftime("%Y-%m-%d %H:%M"),
                          Text(printable(run.bindings.get("doctor", "?"))), Text(printable(run.scenarios)),
                          str(counts.get(run.id, 0)), run.status, key=str(run.id))
        table.focus()

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
        self.query_one(DataTable).add_columns("id", "case", "status", "correct", "diagnosis", "turns", "cost",
                                              "tools")
        self.refresh_rows()

    def refresh_rows(self) -> None:
        store: Store = self.app.store  # type: ignore[attr-defined]
        rows = [row for row in store.episodes(self.run_id) if keep(row, self.outcome)]
        self.query_one("#heading", Static).update(
            Text(f"Run {self.run_id} · {len(rows)} episodes · showing {self.outcome} (f to filter, Enter opens)"))
        table = self.query_one(DataTable)
        table.clear()
        for row in rows:
            correct = "" if row.correct is None else ("yes" if row.correct else "no")
            # Cut by cells, not characters: 40 Chinese characters would take 80 columns.
            table.add_row(str(row.id), Text(printable(row.scenario_id)), row.status, correct,
                          cell_text(clip(printable(row.diagnosis or row.error or ""), 40)), str(row.turns),
                          f"{row.cost_usd:,.0f}", Text(printable(row.doctor_tools or "")), key=str(row.id))
        table.focus()
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
                    yield Static(image(_image_path(played, image_id), image_id))
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
