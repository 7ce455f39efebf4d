"""The answer never reaches the doctor: checked over every bundled case.

Covers the objective and patient card, the patient's replies to a battery of questions
(including questions that name the diagnosis), every measurement the case can return, and
every observation of a full baseline episode.
"""

import asyncio

import pytest

from agentclinic.actions import Examine, RequestImages, RequestTest
from agentclinic.agents.registry import resolve_roles
from agentclinic.episode import Episode, run_episode
from agentclinic.validity.leaks import find_leaks
from agentclinic.loader import load_pack
from agentclinic.resolver import MeasurementContext
from agentclinic.text import find_terms

PACK = load_pack("core")
CASES = [pytest.param(s, id=s.id) for s in PACK.scenarios]
ROLES = resolve_roles()

GENERAL_QUESTIONS = [
    "What brings you in today?", "When did it start?", "How bad is it?", "What does it feel like?",
    "Where exactly is it?", "What makes it better or worse?", "Any other symptoms?",
    "What medical problems have you had?", "Any operations?", "What medicines do you take?", "Any allergies?",
    "Does anything run in your family?", "Do you smoke?", "Do you drink alcohol?", "Any drugs?",
    "What do you do for work?", "Who do you live with?", "Any recent travel?", "Are you sexually active?",
    "What do you think is wrong with you?", "What did your last doctor say it was?", "Tell me more.",
]


def forbidden(scenario):
    return scenario.diagnosis.terms()


def patient_questions(scenario):
    symptom_questions = [f"Do you have {s.name}?" for s in scenario.patient.symptoms]
    naming = [f"Do you have {term}?" for term in scenario.diagnosis.terms()]
    naming += [f"Could this be {option}?" for option in scenario.distractors]
    return GENERAL_QUESTIONS + symptom_questions + naming


@pytest.mark.parametrize("scenario", CASES)
def test_case_text_has_no_leaks(scenario):
    assert find_leaks(scenario) == []


@pytest.mark.parametrize("scenario", CASES)
def test_patient_never_says_the_diagnosis(scenario):
    patient = ROLES.patient(scenario, 0)
    for question in patient_questions(scenario):
        reply = asyncio.run(patient.reply(question))
        assert find_terms(reply, forbidden(scenario)) == [], (question, reply)


@pytest.mark.parametrize("scenario", CASES)
def test_measurements_never_name_the_diagnosis(scenario):
    measurement = ROLES.measurement(scenario, 0)
    requests = [Examine(), RequestImages()] + [RequestTest(name=t.name) for t in scenario.tests]
    requests += [Examine(system=key) for key in scenario.physical_exam]
    for request in requests:
        result = asyncio.run(measurement.measure(request, MeasurementContext()))
        assert find_terms(result.text, forbidden(scenario)) == [], (request, result.text)
        assert not any(image.id in result.text and image.caption and image.caption in result.text
                       for image in scenario.images)


@pytest.mark.parametrize("scenario", CASES)
def test_no_observation_of_an_episode_names_diagnosis_or_options(scenario):
    observations = []

    class RecordingDoctor:
        def __init__(self, inner):
            self.inner = inner

        async def act(self, observation):
            observations.append(observation.text)
            return await self.inner.act(observation)

    episode = Episode(scenario, ROLES.patient(scenario, 1), ROLES.measurement(scenario, 1), ROLES.assessor(1))
    asyncio.run(run_episode(episode, RecordingDoctor(ROLES.doctor(episode.brief, 1))))
    options = forbidden(scenario) + scenario.distractors
    for text in observations:
        assert find_terms(text, options) == [], text
