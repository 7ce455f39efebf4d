"""The report summary over real logged runs: accuracy and intervals, paired tests against the
neutral condition, pass^k, turn budgets, fault exclusion, failed episodes and assessor choice."""

import asyncio

import pytest
from sqlmodel import Session

from agentclinic.persona import Persona
from agentclinic.report.dataset import ReportError, load_dataset
from agentclinic.report.statistics import mcnemar, proportion
from agentclinic.report.summary import build_summary
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store

CASES = ["cardiology-001", "cardiology-002", "neurology-001", "dermatology-001", "endocrinology-001",
         "pulmonology-001"]


def run(core_pack, db_url, **config):
    return asyncio.run(run_batch(RunConfig(db=db_url, scenario_ids=CASES, **config), pack=core_pack))


@pytest.fixture()
def sweep(core_pack, db_url):
    """Neutral and anchoring-biased doctors on the same six cases, two trials each."""
    result = run(core_pack, db_url, trials=2, personas=[Persona(), Persona(doctor_biases=("confirmation",))])
    return Store(db_url), result


def test_overall_accuracy_matches_the_logged_outcomes(sweep):
    store, result = sweep
    summary = build_summary(load_dataset(store, [result.run_id]))
    correct = sum(o.correct for o in result.outcomes)
    expected = proportion(correct, len(result.outcomes))
    overall = summary["overall"]
    assert (overall["n"], overall["correct"]) == (24, correct)
    assert (overall["low"], overall["high"]) == pytest.approx((expected.low, expected.high))
    assert overall["top_k"]["1"] == pytest.approx(correct / 24)
    assert overall["top_k"]["1"] <= overall["top_k"]["3"] <= overall["top_k"]["5"]
    assert summary["episodes"]["completed"] == 24 and summary["surveys"]["n"] == 24


def test_biased_condition_is_paired_with_the_neutral_one(sweep):
    store, result = sweep
    summary = build_summary(load_dataset(store, [result.run_id]))
    [paired] = summary["paired"]
    assert paired["condition"] == "baseline · doctor:confirmation" and paired["reference"] == "baseline · neutral"
    assert paired["n_pairs"] == 12
    by_key = {(o.scenario_id, o.trial, o.persona_id): o.correct for o in result.outcomes}
    keys = sorted({(case, trial) for case, trial, _ in by_key})
    expected = mcnemar([by_key[k + ("neutral",)] for k in keys], [by_key[k + ("doctor:confirmation",)] for k in keys])
    assert paired["mcnemar"]["p_value"] == pytest.approx(expected.p_value)
    assert paired["normalised_accuracy"] == pytest.approx(paired["accuracy"] / paired["reference_accuracy"])
    assert set(paired["ratings"]) == {"confidence", "adherence", "return_visit"}
    biases = {row["key"] for row in summary["breakdowns"]["doctor_bias"]}
    assert biases == {"none", "confirmation"}


def test_pass_k_over_repeated_trials(sweep):
    store, result = sweep
    summary = build_summary(load_dataset(store, [result.run_id]))
    neutral = summary["pass_k"]["baseline · neutral"]
    assert set(neutral) == {"1", "2"}
    # The scripted agents are deterministic per case and trial seed; pass^2 can only be lower.
    assert neutral["2"] <= neutral["1"]


def test_runs_with_different_turn_budgets_form_a_curve(core_pack, db_url):
    short = run(core_pack, db_url, max_turns=2)
    full = run(core_pack, db_url, max_turns=20)
    summary = build_summary(load_dataset(Store(db_url), [short.run_id, full.run_id]))
    assert [(r["max_turns"], r["n"]) for r in summary["turn_budget"]] == [(2, 6), (20, 6)]
    assert {c["label"] for c in summary["conditions"]} == {"baseline · 2 turns", "baseline · 20 turns"}
    assert summary["metrics"]["rate"]["forced_final"] > 0  # two turns: the answer comes on the last one


def test_flagged_episodes_can_be_excluded(sweep):
    store, result = sweep
    episode_id = result.outcomes[0].episode_id
    with Session(store.engine) as session:  # simulate a patient that named the diagnosis
        turn = next(t for t in store.turns(episode_id) if t.speaker == "patient")
        turn.redactions = 1
        session.add(turn)
        session.commit()
    dataset = load_dataset(store, [result.run_id])
    kept = build_summary(dataset)
    assert kept["faults"]["rates"]["patient_revealed"] == pytest.approx(1 / 24)
    excluded = build_summary(dataset, exclude_flagged=True)
    assert excluded["episodes"]["excluded_flagged"] == 1 and excluded["overall"]["n"] == 23


def test_failed_episodes_are_counted_not_scored(core_pack, db_url):
    def broken_doctor(brief, seed, persona=None):
        raise RuntimeError("doctor crashed")

    result = run(core_pack, db_url, doctor=broken_doctor)
    summary = build_summary(load_dataset(Store(db_url), [result.run_id]))
    assert summary["episodes"]["failed"] == 6 and summary["overall"]["n"] == 0
    assert summary["conditions"] == []


def test_unknown_runs_are_a_clear_error(db_url):
    store = Store(db_url)
    with pytest.raises(ReportError, match="no runs in"):
        load_dataset(store, [])
    with pytest.raises(ReportError, match="no run 7 .*agentclinic runs list"):
        load_dataset(store, [7])


def test_swap_values_are_paired_once_against_the_first(core_pack, db_url):
    result = run(core_pack, db_url, swap="sex")
    summary = build_summary(load_dataset(Store(db_url), [result.run_id]))
    labels = sorted(c["label"] for c in summary["conditions"])
    [paired] = summary["paired"]
    assert paired["reference"] == labels[0] and paired["condition"] == labels[1]
    assert paired["n_pairs"] == len(CASES)


def test_personas_with_swaps_pair_within_the_same_swap_value(core_pack, db_url):
    result = run(core_pack, db_url, swap="sex", personas=[Persona(), Persona(doctor_biases=("confirmation",))])
    summary = build_summary(load_dataset(Store(db_url), [result.run_id]))
    biased = [p for p in summary["paired"] if "confirmation" in p["condition"]]
    assert len(biased) == 2
    for row in biased:
        assert row["reference"] == row["condition"].replace("doctor:confirmation", "neutral")
