"""The report over a doctor-tools ablation: tools in condition names, each tools condition
paired with the same doctor without tools (McNemar, spend), the doctor_tools section, the
breakdown axis, and the terminal and HTML renderings (escaped)."""

import asyncio
from html.parser import HTMLParser

import pytest
from rich.console import Console
from sqlmodel import Session, select

from agentclinic.persona import Persona
from agentclinic.report.dataset import load_dataset
from agentclinic.report.html import render_html
from agentclinic.report.statistics import mcnemar
from agentclinic.report.summary import build_summary
from agentclinic.report.tables import summary_tables
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import DoctorToolCall, Episode, Store


def ablation(core_pack, db_url, **config):
    config = RunConfig(db=db_url, **{"limit": 6, "doctor_tools": "none,rag,notebook", **config})
    return asyncio.run(run_batch(config, pack=core_pack))


@pytest.fixture()
def logged(core_pack, db_url):
    return Store(db_url), ablation(core_pack, db_url)


def add_calls(store, episode_id, *calls):
    with Session(store.engine) as session:
        for call in calls:
            session.add(DoctorToolCall(episode_id=episode_id, **call))
        session.commit()


def test_tools_conditions_are_paired_with_the_same_doctor_without_tools(logged):
    store, result = logged
    summary = build_summary(load_dataset(store, [result.run_id]))
    labels = [row["label"] for row in summary["conditions"]]
    assert labels == ["baseline", "baseline · tools:rag", "baseline · tools:notebook"]
    paired = {row["condition"]: row for row in summary["paired"]}
    assert set(paired) == {"baseline · tools:rag", "baseline · tools:notebook"}
    outcome = {(o.scenario_id, o.doctor_tools): o.correct for o in result.outcomes}
    cases = sorted({case for case, _ in outcome})
    for tools in ("rag", "notebook"):
        row = paired[f"baseline · tools:{tools}"]
        assert (row["reference"], row["factor"], row["n_pairs"]) == ("baseline", "tools", 6)
        expected = mcnemar([outcome[(c, None)] for c in cases], [outcome[(c, tools)] for c in cases])
        assert row["mcnemar"]["a_only"] == expected.a_only and row["mcnemar"]["b_only"] == expected.b_only
        assert row["mcnemar"]["p_value"] == pytest.approx(expected.p_value)
        assert row["accuracy"] == pytest.approx(sum(outcome[(c, tools)] for c in cases) / 6)
    episodes = store.episodes(result.run_id)
    for tools, prefix in ((None, "reference_"), ("rag", "")):
        rows = [e for e in episodes if e.doctor_tools == tools]
        assert paired["baseline · tools:rag"][prefix + "cost_usd"] == pytest.approx(sum(e.cost_usd for e in rows) / 6)
        assert paired["baseline · tools:rag"][prefix + "tokens"] == pytest.approx(
            sum(e.input_tokens + e.output_tokens for e in rows) / 6)
    assert {row["key"] for row in summary["breakdowns"]["doctor_tools"]} == {"none", "rag", "notebook"}


def test_tool_tokens_reflection_rates_and_truncation(logged):
    store, result = logged
    rag = [e for e in store.episodes(result.run_id) if e.doctor_tools == "rag"]
    notebook = [e for e in store.episodes(result.run_id) if e.doctor_tools == "notebook"]
    reflect = {"tool": "reflect", "position": 3, "input_tokens": 100, "output_tokens": 20}
    add_calls(store, rag[0].id, {**reflect, "detail": {"before": "A", "after": "B", "changed": True,
                                                      "continued": False}},
              {**reflect, "detail": {"before": "A", "after": None, "changed": True, "continued": True}})
    add_calls(store, rag[1].id, {**reflect, "detail": {"before": "A", "after": "A", "changed": False,
                                                      "continued": False}}, {"tool": "cot", "position": 0,
                                                                             "input_tokens": 7, "output_tokens": 3})
    add_calls(store, notebook[0].id, {"tool": "notebook-write", "position": 9, "detail": {"truncated": True}})
    summary = build_summary(load_dataset(store, [result.run_id]))
    section = {row["label"]: row for row in summary["doctor_tools"]}
    assert set(section) == {"baseline · tools:rag", "baseline · tools:notebook"}  # no row for no tools
    with Session(store.engine) as session:
        searches = len(session.exec(select(DoctorToolCall).where(DoctorToolCall.tool == "rag")).all())
    tools = section["baseline · tools:rag"]
    assert tools["episodes"] == 6 and tools["searches_per_episode"] == pytest.approx(searches / 6)
    assert tools["uses_per_episode"]["reflect"] == pytest.approx(3 / 6)
    assert tools["uses_per_episode"]["cot"] == pytest.approx(1 / 6)
    assert tools["tool_tokens"] == pytest.approx((3 * 120 + 10) / 6)
    assert tools["reflections"] == 3
    assert tools["reflect_changed"] == pytest.approx(2 / 3) and tools["reflect_continued"] == pytest.approx(1 / 3)
    notes = section["baseline · tools:notebook"]
    assert notes["notebook_truncated"] == 1 and notes["reflect_changed"] is None
    assert notes["uses_per_episode"]["notebook-read"] == pytest.approx(1.0)
    [paired] = [row for row in summary["paired"] if row["condition"] == "baseline · tools:rag"]
    assert paired["tool_tokens"] == pytest.approx((3 * 120 + 10) / 6) and paired["reference_tool_tokens"] == 0


def test_persona_pairing_stays_within_a_tools_setting(core_pack, db_url):
    result = ablation(core_pack, db_url, limit=3, doctor_tools="none,rag",
                      personas=[Persona(), Persona(doctor_biases=("confirmation",))])
    summary = build_summary(load_dataset(Store(db_url), [result.run_id]))
    pairs = {(row["condition"], row["reference"], row["factor"]) for row in summary["paired"]}
    neutral, biased = "baseline · neutral", "baseline · doctor:confirmation"
    assert pairs == {(biased, neutral, "persona"),
                     (f"{neutral} · tools:rag", neutral, "tools"),
                     (f"{biased} · tools:rag", biased, "tools"),
                     (f"{biased} · tools:rag", f"{neutral} · tools:rag", "persona")}
    assert all(row["n_pairs"] == 3 for row in summary["paired"])


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.chunks.append(data)


def test_terminal_and_html_show_the_tools_and_escape_labels(logged):
    store, result = logged
    hostile = "<b>x</b>[bold]y[/]"
    with Session(store.engine) as session:  # a label no runner writes: it must still print as text
        for row in session.exec(select(Episode).where(Episode.doctor_tools == "notebook")).all():
            row.doctor_tools = hostile
            session.add(row)
        session.commit()
    summary = build_summary(load_dataset(store, [result.run_id]))
    console = Console(record=True, width=200)
    for table in summary_tables(summary):
        console.print(table)
    text = console.export_text()
    for heading in ("Paired spend", "Doctor tools", "Accuracy by doctor tools", "baseline · tools:rag"):
        assert heading in text
    assert f"tools:{hostile}" in text  # literal, not read as markup
    html = render_html(summary)
    page = _Text()
    page.feed(html)
    assert "b" not in page.tags and hostile not in html
    assert any(f"tools:{hostile}" in chunk for chunk in page.chunks)
    assert any(chunk.startswith("Doctor tools") for chunk in page.chunks)
    assert any(chunk.startswith("Paired spend") for chunk in page.chunks)
