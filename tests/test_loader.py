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


# ---- untrusted files: links, nesting, duplicate keys -------------------------------------

def test_case_file_linked_from_outside_the_pack_is_a_problem(tmp_path):
    outside = write_case(tmp_path / "elsewhere", case_data())
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "linked.yaml").symlink_to(outside)
    write_case(tmp_path / "pack", case_data(id="test-002"))
    loaded, problems = check_sources([tmp_path / "pack"])
    assert [s.id for _, s in loaded] == ["test-002"]
    [problem] = problems
    assert problem.file.endswith("linked.yaml") and "outside the pack" in problem.message
    assert str(outside.resolve()) in problem.message


def test_image_link_escaping_the_pack_is_a_problem(tmp_path):
    from PIL import Image

    Image.new("RGB", (2, 2)).save(tmp_path / "secret.png")
    pack = tmp_path / "pack"
    (pack / "images").mkdir(parents=True)
    (pack / "images" / "x.png").symlink_to(tmp_path / "secret.png")
    path = write_case(pack, case_data(images=[{"id": "x", "file": "images/x.png", "modality": "photo"}]))
    [problem] = problems_for(path)
    assert problem.field == "images[0].file" and "outside the pack" in problem.message


def test_linked_case_inside_the_pack_resolves_images_as_at_run_time(tmp_path):
    # The link sits in pack/, its target in pack/cases/: the image is looked up beside the
    # target, where the run will read it, so an image beside the link does not count.
    from PIL import Image

    pack = tmp_path / "pack"
    target = write_case(pack / "cases", case_data(images=[{"id": "x", "file": "x.png", "modality": "photo"}]))
    (pack / "link.yml").symlink_to(target)
    Image.new("RGB", (2, 2)).save(pack / "x.png")
    loaded, problems = check_sources([pack])
    assert {Path(p.file).name for p in problems if "does not exist" in p.message} == {"link.yml", "test-001.yaml"}
    Image.new("RGB", (2, 2)).save(pack / "cases" / "x.png")
    loaded, problems = check_sources([pack])
    assert not [p for p in problems if "does not exist" in p.message]
    scenario = next(s for file, s in loaded if file.name == "link.yml")
    assert scenario.image_path(scenario.images[0]) == (pack / "cases" / "x.png").resolve()


def test_link_loop_is_a_problem(tmp_path):
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop.yaml")
    _, problems = check_sources([tmp_path])
    assert problems and all("loop.yaml" in p.file for p in problems)


@pytest.mark.parametrize("text", [
    "a: " + "[" * 1000 + "]" * 1000 + "\n",
    "a: " + "{b: " * 1000 + "1" + "}" * 1000 + "\n",
    "".join("  " * depth + "- \n" for depth in range(1000)),
])
def test_deep_nesting_is_a_problem_not_a_recursion_error(tmp_path, text):
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    [problem] = problems_for(path)
    assert problem.file == str(path) and "nesting is deeper than 64 levels" in problem.message
    assert problem.field.startswith("line ")


def test_a_bomb_does_not_abort_the_pack(tmp_path):
    write_case(tmp_path, case_data())
    (tmp_path / "bomb.yaml").write_text("a: " + "[" * 1000 + "]" * 1000, encoding="utf-8")
    pack = load_pack(tmp_path, skip_invalid=True)
    assert [s.id for s in pack.scenarios] == ["test-001"] and pack.skipped[0].file.endswith("bomb.yaml")
    with pytest.raises(ScenarioError) as info:
        load_pack(tmp_path)
    assert [Path(p.file).name for p in info.value.problems] == ["bomb.yaml"]


def test_duplicate_keys_name_the_line_and_key(tmp_path):
    path = write_case(tmp_path, case_data())
    with path.open("a", encoding="utf-8") as file:
        file.write("diagnosis:\n  name: Something else\n")
    lines = path.read_text(encoding="utf-8").splitlines()
    first, second = [n for n, line in enumerate(lines, 1) if line.startswith("diagnosis:")]
    [problem] = problems_for(path)
    assert problem.field == f"line {second}, column 1"
    assert f"duplicate key 'diagnosis' (first on line {first})" in problem.message


def test_duplicate_keys_in_nested_and_flow_mappings(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("id: a\npatient: {demographics: {sex: male, sex: female}}\n", encoding="utf-8")
    [problem] = problems_for(path)
    assert "duplicate key 'sex'" in problem.message and problem.field.startswith("line 2,")


def test_a_bom_and_crlf_are_fine_in_a_case_file(tmp_path):
    path = write_case(tmp_path, case_data())
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert problems_for(path) == []


def test_too_many_values_is_a_problem_before_parsing_them_all(tmp_path):
    from agentclinic.case_files import MAX_YAML_NODES

    path = tmp_path / "wide.yaml"
    path.write_text("a: {" + "".join(f"k{i}: 1, " for i in range(MAX_YAML_NODES)) + "}\n", encoding="utf-8")
    [problem] = problems_for(path)
    assert f"more than {MAX_YAML_NODES} values" in problem.message and problem.field.startswith("line 1,")
