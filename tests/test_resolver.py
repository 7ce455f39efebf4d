"""Grounded measurement: every value comes from the case or is labelled default-normal."""

import pytest

from agentclinic.actions import Examine, RequestImages, RequestTest
from agentclinic.prices import load_prices
from agentclinic.resolver import MeasurementContext, Resolver
from agentclinic.scenario import Scenario
from agentclinic.terminology import load_terminology

from conftest import case_data


@pytest.fixture()
def resolver():
    return Resolver(Scenario.model_validate(case_data()), load_terminology(), load_prices())


@pytest.mark.parametrize("request_name", ["Chest X-ray", "CXR", "chest x ray", "chest xray", "Chest_X-Ray",
                                          "chest radiograph", "X-ray"])
def test_names_resolve_to_the_case_test(resolver, request_name):
    result = resolver.test(request_name)
    assert result.provenance == "case" and result.resolved == "Chest X-ray"
    assert "air bronchograms" in result.text


def test_abbreviation_for_panel(resolver):
    result = resolver.test("CBC")
    assert result.resolved == "Complete blood count" and "16.2" in result.text


def test_analyte_found_inside_a_panel(resolver):
    result = resolver.test("troponin")
    assert result.provenance == "case"
    assert result.text.startswith("Troponin I: 3 ng/L")
    assert result.billed == (("Cardiac enzymes", 99.0),)  # the case's own price override


def test_value_alias(resolver):
    assert "16.2" in resolver.test("WBC").text


def test_missing_test_is_default_normal_never_abnormal(resolver):
    result = resolver.test("lipase")
    assert result.provenance == "default-normal"
    assert "within normal limits" in result.text
    assert result.cost_usd == load_prices().tests["Lipase"]


def test_missing_test_uses_concept_normal_text(resolver):
    result = resolver.test("ECG")
    assert result.provenance == "default-normal" and "sinus rhythm" in result.text


def test_missing_policy_unavailable():
    resolver = Resolver(Scenario.model_validate(case_data()), load_terminology(), load_prices(), "unavailable")
    result = resolver.test("lipase")
    assert result.provenance == "unavailable" and result.billed == ()


def test_examination_whole_and_by_system(resolver):
    whole = resolver.examine(None)
    assert "Bronchial breathing" in whole.text and "38.4" in whole.text
    lungs = resolver.examine("lungs")
    assert lungs.provenance == "case" and "crackles" in lungs.text and "heart sounds" not in lungs.text
    assert resolver.examine("CVS").text == "Cardiovascular: Normal heart sounds."


def test_examination_of_a_system_the_case_lacks(resolver):
    result = resolver.examine("abdomen")
    assert result.provenance == "default-normal" and "no abnormality" in result.text


def test_vital_signs_requested_as_a_test(resolver):
    result = resolver.test("vital signs")
    assert result.provenance == "case" and "98 /min" in result.text


def test_images_when_none_exist(resolver):
    result = resolver.resolve(RequestImages(), MeasurementContext())
    assert result.provenance == "unavailable" and result.images == ()


def test_resolve_dispatches(resolver):
    assert resolver.resolve(Examine(system="heart")).resolved == "physical_exam.cardiovascular"
    assert resolver.resolve(RequestTest(name="CBC")).resolved == "Complete blood count"


def test_a_word_inside_another_tests_name_is_not_that_test():
    # "Potassium" is not the KOH preparation, "血糖" (glucose) is not HbA1c (糖化血红蛋白).
    data = case_data()
    data["tests"] = [{"name": "Potassium hydroxide preparation", "category": "bedside", "result": "Hyphae seen."},
                     {"name": "糖化血红蛋白", "category": "lab", "result": "7.9%"}]
    resolver = Resolver(Scenario.model_validate(data), load_terminology(), load_prices())
    assert resolver.test("potassium").provenance == "default-normal"
    assert resolver.test("血糖").provenance == "default-normal"
    assert resolver.test("potassium hydroxide").provenance == "case"
    assert resolver.test("糖化血红蛋白").provenance == "case"
