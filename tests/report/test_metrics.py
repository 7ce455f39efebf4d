"""Per-episode dialogue and process metrics on hand-built transcripts with known answers."""

from agentclinic.episode import TurnRecord
from agentclinic.report.metrics import episode_metrics, repeated_questions, repeated_tests


def turn(speaker, text, action=None, detail=None, cost=0.0):
    return TurnRecord(index=0, speaker=speaker, text=text, action=action, action_detail=detail, cost_usd=cost)


def doctor(said, action, **detail):
    return turn("doctor", said, action, detail or None)


TRANSCRIPT = [
    turn("system", "Evaluate the patient."),
    doctor("How long have you had the cough?", "ask", text="How long have you had the cough?"),
    turn("patient", "I've had a cough for a week and I smoke ten a day.", cost=10),
    doctor("How long have you had this cough?", "ask", text="How long have you had this cough?"),
    turn("patient", "About a week.", cost=10),
    doctor("REQUEST TEST: chest x-ray", "request_test", name="chest x-ray"),
    turn("measurement", "Chest X-ray: right lower zone opacity.", cost=150),
    doctor("REQUEST TEST: CXR", "request_test", name="CXR"),
    turn("measurement", "Chest X-ray: right lower zone opacity.", cost=0),
    doctor("garbled", "invalid"),
    turn("system", "That could not be understood."),
    doctor("PHYSICAL EXAM", "examine"),
    turn("measurement", "Crackles at the right base. Temperature 38.4.", cost=10),
    doctor("DIAGNOSIS READY: pneumonia", "diagnose", diagnosis="pneumonia"),
    turn("system", "Diagnosis recorded."),
]
FACTS = ["Productive cough for a week", "Smoker", "Right basal crackles", "Raised white count"]


def test_counts_costs_and_repeats():
    m = episode_metrics(TRANSCRIPT, FACTS, max_turns=10)
    assert (m.turns, m.questions, m.examinations, m.tests_ordered, m.invalid_actions) == (7, 2, 1, 2, 1)
    assert m.test_cost_usd == 150 and m.cost_usd == 180
    assert m.repeated_questions == 1  # the second cough question only changes 'the' to 'this'
    assert m.repeated_tests == 1  # CXR is the chest X-ray again
    assert m.diagnosed and not m.premature_closure and not m.forced_final


def test_key_fact_coverage_counts_facts_that_surfaced():
    m = episode_metrics(TRANSCRIPT, FACTS, max_turns=10)
    # 'cough ... week' and 'smoke' surfaced; 'crackles ... right base' too; no white count was reported.
    assert (m.facts_surfaced, m.facts_total) == (3, 4) and m.coverage == 0.75


def test_premature_closure_and_forced_final_diagnosis():
    early = [doctor("What brings you in?", "ask"), turn("patient", "A cough."),
             doctor("DIAGNOSIS READY: flu", "diagnose")]
    m = episode_metrics(early, [], max_turns=2)
    assert m.premature_closure and m.forced_final and m.coverage is None
    ran_out = [doctor("What brings you in?", "ask"), turn("patient", "A cough.")]
    m = episode_metrics(ran_out, FACTS, max_turns=1)
    assert not m.diagnosed and not m.forced_final and not m.premature_closure


def test_repetition_helpers():
    assert repeated_questions(["Any fever?", "Do you smoke?", "Any fevers?", "Where does it hurt?"]) == 1
    assert repeated_questions([]) == 0
    assert repeated_tests(["complete blood count", "CBC", "troponin"]) == 1
