"""The validator: every malformed file becomes a clear problem, never a traceback."""

from pathlib import Path

import pytest
import yaml

from agentclinic.loader import MAX_FILE_BYTES, ScenarioError, check_case_file, check_sources, load_pack

from conftest import case_data, write_case


def problems_for(path: Path):
    _, problems = check_case_file(path, path.parent)
    return [p for p in problems if p.severity == "error"]


def test_valid_case_has_no_problems(tmp_path):
    path = write_case(tmp_path, case_data())
    scenario, problems = check_case_file(path)
    assert scenario is not None and problems == []
    assert scenario.source_file == path.resolve()


def test_missing_field_names_file_field_and_fix(tmp_path):
    data = case_data()
    del data["objective"]
    [problem] = problems_for(write_case(tmp_path, data))
    assert problem.file.endswith("test-001.yaml")
    assert problem.field == "objective"
    assert "required" in problem.message.lower()
    assert problem.fix == "add this field"


def test_wrong_type_reports_nested_path_and_value(tmp_path):
    data = case_data()
    data["patient"]["symptoms"][1]["present"] = "maybe"
    [problem] = problems_for(write_case(tmp_path, data))
    assert problem.field == "patient.symptoms[1].present"
    assert "'maybe'" in problem.message
    assert "true or false" in problem.fix


def test_invalid_yaml_reports_position(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: [unclosed\n", encoding="utf-8")
    [problem] = problems_for(path)
    assert "invalid YAML" in problem.message and problem.field.startswith("line ")


def test_non_utf8_bytes(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: caf\xe9\n".encode("latin-1"))
    [problem] = problems_for(path)
    assert "not UTF-8" in problem.message and "UTF-8" in problem.fix


def test_huge_file_is_refused_without_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text("x: '" + "a" * (MAX_FILE_BYTES + 10) + "'\n", encoding="utf-8")
    [problem] = problems_for(path)
    assert "byte limit" in problem.message


def test_huge_value_is_a_field_error(tmp_path):
    [problem] = problems_for(write_case(tmp_path, case_data(objective="word " * 5000)))
    assert problem.field == "objective" and "at most" in problem.message


def test_yaml_aliases_are_refused(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text("a: &a [x, x, x]\nb: [*a, *a, *a]\n", encoding="utf-8")
    [problem] = problems_for(path)
    assert "aliases" in problem.message


def test_top_level_must_be_a_mapping(tmp_path):
    path = tmp_path / "list.yaml"
    path.write_text("- 1\n- 2\n", encoding="utf-8")
    [problem] = problems_for(path)
    assert "expected a mapping" in problem.message


def test_leak_in_objective_and_card_is_an_error(tmp_path):
    data = case_data(objective="Confirm the community-acquired pneumonia.")
    data["patient"]["chief_complaint"] = "My doctor said it's CAP."
    problems = problems_for(write_case(tmp_path, data))
    fields = {p.field for p in problems}
    assert {"objective", "patient.chief_complaint"} <= fields
    assert all("names the diagnosis" in p.message for p in problems)


def test_leak_in_test_report_is_a_warning(tmp_path):
    data = case_data()
    data["tests"][0]["result"] = "Findings of community-acquired pneumonia."
    scenario, problems = check_case_file(write_case(tmp_path, data))
    assert scenario is not None
    assert [p.severity for p in problems] == ["warning"]


def test_image_outside_pack_missing_and_not_an_image(tmp_path):
    pack = tmp_path / "pack"
    (pack / "images").mkdir(parents=True)
    (pack / "images" / "fake.png").write_text("not a png")
    (tmp_path / "outside.png").write_bytes(b"")
    data = case_data(images=[
        {"id": "a", "file": "../outside.png", "modality": "x"},
        {"id": "b", "file": "images/missing.png", "modality": "x"},
        {"id": "c", "file": "images/fake.png", "modality": "x"},
    ])
    path = write_case(pack, data)
    messages = [p.message for p in problems_for(path)]
    assert any("outside the pack" in m for m in messages)
    assert any("does not exist" in m for m in messages)
    assert any("not a readable image" in m for m in messages)


def test_directory_reports_every_problem(tmp_path):
    write_case(tmp_path, case_data())
    bad = case_data(id="b")
    del bad["diagnosis"]
    write_case(tmp_path, bad)
    (tmp_path / "c.yaml").write_text(":\n  - [", encoding="utf-8")
    loaded, problems = check_sources([tmp_path])
    assert len(loaded) == 1
    assert {Path(p.file).name for p in problems} == {"b.yaml", "c.yaml"}


def test_duplicate_ids_are_reported(tmp_path):
    write_case(tmp_path, case_data(), "one.yaml")
    write_case(tmp_path, case_data(), "two.yaml")
    _, problems = check_sources([tmp_path])
    assert any("also used by" in p.message for p in problems)


def test_load_pack_raises_with_all_problems(tmp_path):
    write_case(tmp_path, case_data(id="Bad Id"))
    with pytest.raises(ScenarioError) as info:
        load_pack(tmp_path)
    assert "id" in str(info.value) and "lower-case" in str(info.value)


def test_unknown_source_names_the_bundled_packs():
    with pytest.raises(ScenarioError, match="core"):
        load_pack("no-such-pack-here")


def test_pack_get_unknown_id(mini_pack):
    with pytest.raises(KeyError, match="no scenario 'zzz'"):
        mini_pack.get("zzz")


def test_bundled_pack_loads_from_checkout(core_pack):
    assert core_pack.name == "core"
    assert len(core_pack.scenarios) >= 40
    assert yaml  # the pack is plain YAML


def test_numbers_in_findings_are_text_and_union_errors_are_one_message(tmp_path):
    data = case_data(physical_exam={"vital_signs": {"heart_rate": 98}, "respiratory": ["crackles"]})
    [problem] = problems_for(write_case(tmp_path, data))
    assert problem.field == "physical_exam.respiratory"
    assert "a valid string; or a valid dictionary" in problem.message
