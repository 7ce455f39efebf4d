"""The report's figure rules: no single-point plot (one budget, one condition), no all-zero plot
(no faults), conditions named by keys that never collide and labels that never overprint."""

import asyncio
import copy
import re

import pytest

from agentclinic.persona import Persona
from agentclinic.report import plots
from agentclinic.report.dataset import load_dataset
from agentclinic.report.html import render_html
from agentclinic.report.plot_labels import condition_key, point_labels, wrap_label
from agentclinic.report.summary import build_summary
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

PERSONAS = [Persona(), Persona(doctor_biases=("confirmation",)), Persona(patient_biases=("self_diagnosis",))]


@pytest.fixture(scope="module")
def logged(core_pack, tmp_path_factory):
    """Two real runs of the scripted doctor, three conditions each, at budgets of 20 and 8 turns."""
    db = f"sqlite:///{tmp_path_factory.mktemp('figures') / 'runs.db'}"
    ids = [asyncio.run(run_batch(RunConfig(db=db, limit=3, max_turns=turns, personas=PERSONAS), pack=core_pack)).run_id
           for turns in (20, 8)]
    return Store(db), ids


def summary_of(logged, runs) -> dict:
    store, ids = logged
    return build_summary(load_dataset(store, [ids[i] for i in runs]))


def image_titles(html: str) -> set[str]:
    return set(re.findall(r'<img alt="([^"]*)"', html))


def test_a_single_turn_budget_draws_no_curve_and_says_why(logged):
    summary = summary_of(logged, [0])
    figure = plots.figures(summary)["Accuracy by turn budget"]
    assert figure.png is None and "same turn budget (20 turns)" in figure.note
    html = render_html(summary)
    assert "Accuracy by turn budget" not in image_titles(html) and "same turn budget (20 turns)" in html
    assert image_titles(html) >= {"Accuracy by condition", "Accuracy against cost"}  # three conditions


def test_two_budgets_draw_a_curve_with_whole_turn_ticks(logged):
    summary = summary_of(logged, [0, 1])
    assert plots.figures(summary)["Accuracy by turn budget"].png.startswith(b"\x89PNG")
    figure = plots.draw_turn_budget_curve(summary)
    axes = figure.axes[0]
    assert list(axes.get_xticks()) == [8, 20]
    assert [tick.get_text() for tick in axes.get_xticklabels()] == ["8", "20"]
    [line] = [line for line in axes.get_lines() if line.get_marker() == "o"]  # one doctor, one curve
    assert list(line.get_xdata()) == [8, 20]


def test_one_budget_per_doctor_is_no_curve_either():
    summary = {"turn_budget": [{"doctor": "a", "max_turns": 8}, {"doctor": "b", "max_turns": 20}]}
    assert plots._budget_series(summary) == {}
    assert "more than one turn budget" in plots._one_budget([8, 20])


def test_no_faults_flagged_is_a_sentence_not_an_empty_figure(logged):
    summary = summary_of(logged, [0])
    assert summary["faults"]["n"] > 0 and not any(summary["faults"]["rates"].values())  # the scripted patient
    figure = plots.figures(summary)["Simulator-fault rates"]
    assert figure.png is None
    sentence = f"No simulator faults flagged in {summary['faults']['n']} checked episodes."
    assert figure.note == sentence
    html = render_html(summary)
    assert sentence in html and "Simulator-fault rates" not in image_titles(html)
    assert "patient_revealed" not in html and "patient revealed" not in html  # no table of zeros


def test_a_flagged_fault_brings_back_the_table_and_figure(logged):
    summary = copy.deepcopy(summary_of(logged, [0]))
    summary["faults"]["rates"]["patient_meta"] = summary["faults"]["any"] = 0.25
    assert plots.figures(summary)["Simulator-fault rates"].png.startswith(b"\x89PNG")
    html = render_html(summary)
    assert "Simulator-fault rates" in image_titles(html) and "25.0%" in html and "No simulator faults" not in html


def test_one_condition_draws_no_condition_figures(core_pack, db_url):
    result = asyncio.run(run_batch(RunConfig(db=db_url, limit=2), pack=core_pack))
    summary = build_summary(load_dataset(Store(db_url), [result.run_id]))
    assert len(summary["conditions"]) == 1
    found = plots.figures(summary)
    assert found["Accuracy by condition"].png is None and found["Accuracy against cost"].png is None
    assert "One condition only" in render_html(summary)


def condition(label, cost, accuracy, pareto=False):
    return {"label": label, "cost_usd": cost, "accuracy": accuracy, "low": max(0.0, accuracy - 0.2),
            "high": min(1.0, accuracy + 0.2), "pareto": pareto}


# Conditions as a sweep makes them: three at one point (tools that cost nothing change nothing),
# two more just far enough apart to get labels of their own (crowding it), long names that
# differ only at their ends.
SHARED = [condition("baseline · doctor:confirmation · tools:rag+notebook · 20 turns", 380.0, 0.5, True),
          condition("baseline · doctor:confirmation · tools:rag+notebook · 8 turns", 380.0, 0.5),
          condition("baseline · doctor:confirmation · 20 turns", 380.0, 0.5),
          condition("baseline · neutral · 20 turns", 420.0, 0.5),
          condition("baseline · neutral · 8 turns", 440.0, 0.56),
          condition("baseline · doctor:recency · 20 turns", 880.0, 0.75, True)]


def test_conditions_sharing_a_point_share_one_label_that_overprints_nothing():
    summary = {"conditions": SHARED}
    figure = plots.draw_accuracy_vs_cost(summary)
    figure.tight_layout()  # as saved
    texts = [t for t in figure.axes[0].texts if t.get_text()]
    keys = sorted(key for t in texts for key in re.split(r"[,\s]+", t.get_text()) if key)
    assert keys == ["A", "B", "C", "D", "E", "F"]  # every condition named once, by its key only
    assert any(t.get_text() == "A, B, C" for t in texts)  # the shared point: one label
    assert len(texts) == 4
    renderer = figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in texts]
    for i, box in enumerate(boxes):
        assert all(not box.overlaps(other) for other in boxes[i + 1:]), [t.get_text() for t in texts]
        assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1 and box.y1 <= figure.bbox.y1  # not cut off
    plots._pyplot().close(figure)


def test_bar_labels_carry_keys_and_whole_names_so_no_two_read_the_same():
    summary = {"conditions": SHARED}
    figure = plots.draw_accuracy_by_condition(summary)
    labels = [tick.get_text() for tick in figure.axes[0].get_yticklabels()]
    plots._pyplot().close(figure)
    assert len(set(labels)) == len(SHARED)
    for key, row, label in zip("ABCDEF", SHARED, labels):
        assert label.replace("+\n", "+").replace("\n", " ") == f"{key}  {row['label']}"  # wrapped, not cut
        assert "…" not in label and all(len(line) <= 44 for line in label.split("\n"))


def test_a_scatter_of_one_shared_point_is_not_drawn():
    summary = {"conditions": SHARED[:3], "turn_budget": [], "metrics": {"coverage": {"values": []}},
               "faults": {"n": 0, "rates": {}}, "surveys": {"n": 0}}
    why = plots._why_not(summary)
    assert why["Accuracy against cost"].startswith("Every condition has the same accuracy and cost")
    assert why["Accuracy by condition"] is None  # three bars, even if equal, are three conditions


def test_condition_keys_run_past_z():
    assert [condition_key(i) for i in (0, 1, 25, 26, 27, 51, 701, 702)] == [
        "A", "B", "Z", "AA", "AB", "AZ", "ZZ", "AAA"]
    with pytest.raises(ValueError):
        condition_key(-1)


def test_point_labels_group_equal_and_near_points_only():
    labels = point_labels([(1.0, 50.0), (1.0, 50.0), (1.2, 50.5), (9.0, 50.0)], ["A", "B", "C", "D"], (10.0, 100.0))
    assert [(label.keys, label.x) for label in labels] == [(("A", "B", "C"), 1.0), (("D",), 9.0)]
    many = point_labels([(0.0, 0.0)] * 6, list("ABCDEF"), (1.0, 1.0))
    assert many[0].text == "A, B, C, D\nE, F"


def test_wrap_label_breaks_between_parts_and_cuts_only_past_its_lines():
    assert wrap_label("baseline · neutral") == "baseline · neutral"
    assert wrap_label("baseline · doctor:confirmation+patient:self_diagnosis · 20 turns", 32) == (
        "baseline · doctor:confirmation+\npatient:self_diagnosis ·\n20 turns")
    cut = wrap_label("x" * 200, 20, 2)
    assert cut.count("\n") == 1 and cut.endswith("…")
