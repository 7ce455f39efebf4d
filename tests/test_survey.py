"""The patient-perception survey: documented heuristic rules, parsing LLM answers, and the
episode asking for it (and surviving a bad answer)."""

import asyncio

import pytest

from agentclinic.agents.patient import ScriptedPatient
from agentclinic.episode import TurnRecord
from agentclinic.persona import Persona
from agentclinic.runner import RunConfig, run_batch
from agentclinic.store import Store
from agentclinic.survey import (BASE_SCORE, Perceived, SurveyError, heuristic_survey, parse_survey,
                                perceive)


def doctor(action: str, text: str = "...", index: int = 0) -> TurnRecord:
    return TurnRecord(index=index, speaker="doctor", text=text, action=action)


THOROUGH = [doctor("ask", "Tell me about the cough."), doctor("ask", "Any fever?"),
            doctor("ask", "Do you smoke?"), doctor("examine", "PHYSICAL EXAM"),
            doctor("request_test", "REQUEST TEST: chest x-ray"), doctor("diagnose", "DIAGNOSIS READY: pneumonia")]


def test_perceive_counts_what_the_patient_saw():
    seen = perceive([*THOROUGH, doctor("ask", "Any fever?"), doctor("invalid", "???")], ["cough", "fever", "rash"])
    assert seen == Perceived(questions=4, distinct_questions=3, examinations=1, tests=1, invalid=1,
                             diagnosed=True, symptoms_asked=2, symptoms_total=3)
    assert seen.repeats == 1


def test_a_thorough_visit_rates_higher_than_a_hasty_one():
    thorough = heuristic_survey(perceive(THOROUGH, ["cough", "fever"]))
    hasty = heuristic_survey(perceive([doctor("diagnose", "DIAGNOSIS READY: flu")], ["cough", "fever"]))
    # Base 6, +1 three questions, +1 examined, +1 most symptoms asked about.
    assert thorough.confidence.score == BASE_SCORE + 3
    assert thorough.adherence.score == BASE_SCORE + 4  # tests back up the plan
    assert "examined me" in thorough.confidence.reason
    # Base 6, -2 decided without asking or examining; adherence a further -1: nothing was checked.
    assert (hasty.confidence.score, hasty.adherence.score) == (BASE_SCORE - 2, BASE_SCORE - 3)
    assert thorough.heuristic and thorough.respondent == "scripted"


def test_repetition_no_answer_and_persona_lower_the_ratings():
    base = perceive(THOROUGH, ["cough"])
    repeated = perceive([*THOROUGH[:3], doctor("ask", "Do you smoke?"), doctor("ask", "do you smoke")], ["cough"])
    no_answer = perceive(THOROUGH[:-1], ["cough"])
    assert heuristic_survey(repeated).confidence.score < heuristic_survey(base).confidence.score
    assert heuristic_survey(no_answer).confidence.score == heuristic_survey(base).confidence.score - 2
    distrustful = heuristic_survey(base, {"less_forthcoming"}, biased=2)
    assert distrustful.return_visit.score == heuristic_survey(base).return_visit.score - 3
    assert "don't trust" in distrustful.confidence.reason


def test_scores_stay_within_one_to_ten():
    worst = Perceived(questions=30, distinct_questions=1, examinations=0, tests=0, invalid=9, diagnosed=False,
                      symptoms_asked=0, symptoms_total=4)
    survey = heuristic_survey(worst, {"less_forthcoming", "express_worry", "brief_answers"}, biased=5)
    assert {survey.confidence.score, survey.adherence.score, survey.return_visit.score} == {1}


def test_parse_survey_reads_json_inside_prose_and_bare_numbers():
    text = ('Sure! {"confidence": {"score": 8, "reason": "listened"}, "adherence": {"score": 12, "reason": "x"}, '
            '"return_visit": 3} Thanks')
    survey = parse_survey(text, "openai:m")
    assert (survey.confidence.score, survey.adherence.score, survey.return_visit.score) == (8, 10, 3)
    assert survey.confidence.reason == "listened" and not survey.heuristic and survey.respondent == "openai:m"


@pytest.mark.parametrize("text", ["no json here", '{"confidence": {"score": 5}}', '{"confidence": "high"}'])
def test_parse_survey_rejects_unreadable_answers(text):
    with pytest.raises(SurveyError, match="unreadable survey answer"):
        parse_survey(text, "m")


def test_scripted_patient_rates_from_its_own_card(core_pack):
    scenario = core_pack.get("cardiology-001")
    patient = ScriptedPatient(scenario, seed=1, persona=Persona(patient_biases=("self_diagnosis",)))
    survey = asyncio.run(patient.survey(THOROUGH))
    assert survey.heuristic and "prejudices" in survey.confidence.reason


def test_a_run_stores_one_survey_per_episode(mini_pack, db_url):
    result = asyncio.run(run_batch(RunConfig(db=db_url, scenarios=str(mini_pack.root)), pack=mini_pack))
    store = Store(db_url)
    ids = [o.episode_id for o in result.outcomes]
    surveys = store.surveys_of(ids)
    assert set(surveys) == set(ids)
    assert all(1 <= s.confidence <= 10 and s.heuristic and s.confidence_reason for s in surveys.values())


class BrokenSurveyPatient(ScriptedPatient):
    async def survey(self, transcript):
        raise SurveyError("unreadable survey answer: 'meh'")


def test_a_failing_survey_is_logged_and_the_episode_still_completes(mini_pack, db_url):
    config = RunConfig(db=db_url, scenarios=str(mini_pack.root), limit=1,
                       patient=lambda scenario, seed, persona=None: BrokenSurveyPatient(scenario, seed))
    [outcome] = asyncio.run(run_batch(config, pack=mini_pack)).outcomes
    row = Store(db_url).episode(outcome.episode_id)
    assert row.status == "completed" and row.correct is not None
    assert "unreadable survey answer" in row.survey_error
    assert Store(db_url).surveys_of([row.id]) == {}


def test_no_survey_option_skips_the_ratings(mini_pack, db_url):
    config = RunConfig(db=db_url, scenarios=str(mini_pack.root), survey=False)
    result = asyncio.run(run_batch(config, pack=mini_pack))
    assert Store(db_url).surveys_of([o.episode_id for o in result.outcomes]) == {}
