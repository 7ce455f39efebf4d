import pytest
from pydantic import ValidationError

from agentclinic.scenario import Demographics, DoctorBrief, Scenario

from conftest import case_data


def test_minimal_case_is_valid():
    scenario = Scenario.model_validate(case_data())
    assert scenario.language == "en"
    assert scenario.answer_options()[0] == "Community-acquired pneumonia"
    assert scenario.tests[1].values[0].render() == "White blood cells: 16.2 x10^9/L (reference 4-11)"


@pytest.mark.parametrize("tag", ["en", "fr", "pt-BR", "zh-Hant-TW"])
def test_language_accepts_bcp47(tag):
    assert Scenario.model_validate(case_data(language=tag)).language == tag


@pytest.mark.parametrize("tag", ["english", "e", "en_US", "12"])
def test_language_rejects_non_bcp47(tag):
    with pytest.raises(ValidationError, match="BCP-47"):
        Scenario.model_validate(case_data(language=tag))


def test_test_needs_result_or_values():
    data = case_data()
    data["tests"][0] = {"name": "Chest X-ray", "category": "imaging"}
    with pytest.raises(ValidationError, match="needs `result`"):
        Scenario.model_validate(data)


def test_unknown_image_reference_is_rejected():
    data = case_data()
    data["tests"][0]["images"] = ["nope"]
    with pytest.raises(ValidationError, match="refers to image 'nope'"):
        Scenario.model_validate(data)


def test_distractor_equal_to_diagnosis_is_rejected():
    with pytest.raises(ValidationError, match="is the correct diagnosis"):
        Scenario.model_validate(case_data(distractors=["community-acquired pneumonia", "Influenza"]))


def test_unknown_field_is_rejected():
    with pytest.raises(ValidationError, match="Extra inputs"):
        Scenario.model_validate(case_data(diagnosys={"name": "x"}))


def test_free_text_social_history_is_kept():
    data = case_data()
    data["patient"]["social_history"] = "I smoke and drink."
    assert Scenario.model_validate(data).patient.social_history == {"general": "I smoke and drink."}


def test_nested_findings_are_allowed():
    data = case_data(physical_exam={"neurological": {"cranial_nerves": {"III": "Ptosis on the right."}}})
    scenario = Scenario.model_validate(data)
    assert scenario.physical_exam["neurological"]["cranial_nerves"]["III"] == "Ptosis on the right."


@pytest.mark.parametrize(("age", "text"), [(54, "54-year-old male"), (0.75, "9-month-old male")])
def test_demographics_describe(age, text):
    assert Demographics(age_years=age, sex="male").describe() == text


def test_doctor_brief_carries_no_answer():
    scenario = Scenario.model_validate(case_data())
    brief = DoctorBrief.from_scenario(scenario, max_turns=10)
    dumped = str(brief.model_dump())
    assert "pneumonia" not in dumped.lower()
    assert brief.answer_options == ()


def test_schema_is_json_schema():
    schema = Scenario.model_json_schema()
    assert schema["type"] == "object"
    assert {"id", "objective", "patient", "diagnosis"} <= set(schema["required"])


def test_difficulty_is_optional_and_one_to_three():
    assert Scenario.model_validate(case_data()).difficulty is None
    assert Scenario.model_validate(case_data(difficulty=3)).difficulty == 3
    for bad in (0, 4, "hard"):
        with pytest.raises(ValidationError, match="difficulty"):
            Scenario.model_validate(case_data(difficulty=bad))


def test_the_brief_never_carries_the_difficulty():
    brief = DoctorBrief.from_scenario(Scenario.model_validate(case_data(difficulty=3)), 10)
    assert "difficulty" not in brief.model_dump()
