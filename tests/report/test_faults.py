"""Simulator-fault flags on hand-built transcripts, and none for the scripted roles on the pack."""

import asyncio

import pytest

from agentclinic.actions import RequestTest
from agentclinic.episode import TurnRecord
from agentclinic.persona import Persona
from agentclinic.report.faults import FaultChecker, detect_faults
from agentclinic.resolver import MeasurementContext
from agentclinic.runner import RunConfig, run_batch
from agentclinic.scenario import Scenario
from agentclinic.store import Store

from conftest import case_data

SCENARIO = Scenario.model_validate(case_data())  # denies chest pain; fever 38.5; smokes ten a day
VOCABULARY = ["cough", "fever", "chest pain", "rash", "headache"]


def patient(text, redactions=0, index=2):
    return TurnRecord(index=index, speaker="patient", text=text, redactions=redactions)


def check(*turns):
    return detect_faults(SCENARIO, list(turns), VOCABULARY)


def test_faithful_replies_raise_no_flag():
    faults = check(patient("I've had a cough and a temperature of 38.5 for a week."),
                   patient("No chest pain at all, and no rash."),
                   patient("I smoke ten a day. Could it be my chest, doctor? What does 'headache' mean?"))
    assert not faults.any, faults


def test_naming_the_diagnosis_is_flagged_from_the_redaction_count():
    faults = check(patient("I think it's [withheld].", redactions=1))
    assert faults.flags["patient_revealed"] and faults.patient_revealed == ["turn 2: named the diagnosis"]


@pytest.mark.parametrize("text, evidence", [
    ("My temperature was 40.1 last night.", "number(s) 40.1 not on the card"),
    ("Yes, I get chest pain when I cough.", "affirms 'chest pain', which the card lists as absent"),
    ("I've also had a headache.", "mentions 'headache', which the card never does"),
    ("I've had this for three weeks.", "number(s) 3 not on the card"),
])
def test_claims_absent_from_or_contradicting_the_card_are_flagged(text, evidence):
    faults = check(patient(text))
    assert faults.flags["patient_unsupported"]
    assert any(evidence in item for item in faults.patient_unsupported), faults.patient_unsupported


def test_a_longer_phrase_on_the_card_is_not_the_denied_symptom():
    data = case_data()
    data["patient"]["past_medical_history"] = ["hay fever"]
    data["patient"]["symptoms"][1]["present"] = False  # the card now denies fever
    faults = detect_faults(Scenario.model_validate(data), [patient("Only my hay fever in spring.")], VOCABULARY)
    assert not faults.any


def measured(request_action, detail, text, index=4):
    return [TurnRecord(index=index - 1, speaker="doctor", text="...", action=request_action, action_detail=detail),
            TurnRecord(index=index, speaker="measurement", text=text, provenance="case")]


def test_measurement_values_must_come_from_the_case_or_the_grounded_answer():
    checker = FaultChecker(SCENARIO, VOCABULARY)
    assert not checker.check(measured("request_test", {"name": "CBC"}, "White blood cells: 16.2 x10^9/L (4-11)")).any
    # A test the case lacks gets the vocabulary's normal text, which carries no value to invent.
    normal = checker.resolver.resolve(RequestTest(name="sodium"), MeasurementContext())
    assert normal.provenance == "default-normal"
    assert not checker.check(measured("request_test", {"name": "sodium"}, normal.text)).any
    assert checker.check(measured("request_test", {"name": "sodium"}, "Sodium: 128 mmol/L")).any
    invented = checker.check(measured("request_test", {"name": "CBC"}, "White blood cells: 23.9 x10^9/L"))
    assert invented.flags["measurement_unsupported"]
    assert "23.9" in invented.measurement_unsupported[0]


def test_scripted_roles_never_trip_the_flags_on_the_bundled_pack(core_pack, tmp_path):
    """The detector's false-positive check: the scripted patient reads only its card and the
    scripted measurement only its case, under every patient persona rule."""
    db = f"sqlite:///{tmp_path / 'faults.db'}"
    personas = [Persona(), Persona(patient_biases=("self_diagnosis",), temperament={"personality": "verbose"}),
                Persona(temperament={"literacy": "low", "recall": "poor", "cognition": "mildly_confused"})]
    config = RunConfig(db=db, personas=personas)
    result = asyncio.run(run_batch(config, pack=core_pack))
    store = Store(db)
    flagged = []
    checkers = {}
    for outcome in result.outcomes:
        row = store.episode(outcome.episode_id)
        checker = checkers.setdefault(row.case_digest, FaultChecker(store.case(row.case_digest)))
        faults = checker.check(store.turns(row.id), reticent=row.persona_id is not None and "recall" in row.persona_id)
        if faults.any:
            flagged.append((row.scenario_id, row.persona_id, faults))
    assert flagged == []
