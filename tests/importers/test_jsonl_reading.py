"""Reading JSONL datasets safely: line ends, BOMs, empty files, nesting, duplicate keys, sizes."""

import json

import pytest
from synthetic_records import line, nejm_record, osce_record

from agentclinic.case_files import MAX_CASE_BYTES, MAX_DEPTH, json_too_deep
from agentclinic.importers import read_jsonl
from agentclinic.loader import ScenarioError, check_sources, load_pack


def write(tmp_path, data: bytes, name: str = "cases.jsonl"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_u2028_inside_a_string_does_not_split_the_record(tmp_path):
    record = osce_record(Objective_for_Doctor="Assess the patient.\u2028Then decide.\u0085Quickly.")
    path = write(tmp_path, (line(record) + "\n" + "{oops\n").encode())
    scenarios, problems = read_jsonl(path)
    assert len(scenarios) == 1 and "\u2028" in scenarios[0].objective
    assert [p.field for p in problems] == ["line 2"]


def test_bom_and_crlf_are_accepted(tmp_path):
    data = "\r\n".join([line(osce_record()), line(nejm_record()), ""]).encode()
    scenarios, problems = read_jsonl(write(tmp_path, b"\xef\xbb\xbf" + data))
    assert problems == [] and [s.id for s in scenarios] == ["cases-001", "cases-002"]


@pytest.mark.parametrize("data", [b"", b"\n\n  \r\n", b"\xef\xbb\xbf"])
def test_an_empty_file_is_an_error(tmp_path, data):
    path = write(tmp_path, data)
    _, problems = read_jsonl(path)
    [problem] = problems
    assert problem.file == str(path) and "no records" in problem.message
    with pytest.raises(ScenarioError, match="no records"):
        load_pack(path)


def test_line_numbers_count_blank_lines_and_are_in_order(tmp_path):
    data = b"\n".join([b"", line(osce_record()).encode(), b"\xff\xfe", b"", b"[1, 2", b'{"a": 1}'])
    _, problems = read_jsonl(write(tmp_path, data))
    assert [p.field for p in problems] == ["line 3", "line 5", "line 6"]
    assert "not UTF-8" in problems[0].message and "not valid JSON" in problems[1].message


def test_deep_json_is_a_problem_not_a_recursion_error(tmp_path):
    bombs = ["[" * 1000 + "]" * 1000, '{"a":' * 1000 + "1" + "}" * 1000, "[" * 100_000]
    path = write(tmp_path, "\n".join([line(osce_record()), *bombs]).encode())
    scenarios, problems = read_jsonl(path)
    assert len(scenarios) == 1
    assert [(p.field, f"deeper than {MAX_DEPTH}" in p.message) for p in problems] == [
        ("line 2", True), ("line 3", True), ("line 4", True)]


def test_brackets_inside_strings_are_not_nesting():
    assert not json_too_deep(json.dumps({"a": "[" * 1000, "b": "\\\"[[[" * 100}))
    assert json_too_deep("[" * (MAX_DEPTH + 1))
    assert not json_too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH)


def test_duplicate_keys_are_errors_naming_line_and_key(tmp_path):
    text = line(osce_record())
    doubled = text[:-2] + ', "Correct_Diagnosis": "Something else"}}'
    _, problems = read_jsonl(write(tmp_path, (text + "\n" + doubled + "\n").encode()))
    [problem] = problems
    assert problem.field == "line 2" and "duplicate key 'Correct_Diagnosis'" in problem.message


def test_an_oversized_line_is_refused_and_the_rest_read(tmp_path):
    huge = line(nejm_record(question="x" * (MAX_CASE_BYTES + 1)))
    scenarios, problems = read_jsonl(write(tmp_path, "\n".join([huge, line(osce_record())]).encode()))
    assert len(scenarios) == 1 and [p.field for p in problems] == ["line 1"] and "byte limit" in problems[0].message


def test_numbers_python_will_not_convert_are_a_problem(tmp_path):
    _, problems = read_jsonl(write(tmp_path, b'{"a": ' + b"9" * 5000 + b"}\n"))
    assert [p.field for p in problems] == ["line 1"] and "not readable JSON" in problems[0].message


def test_skip_invalid_loads_the_good_lines(tmp_path):
    path = write(tmp_path, "\n".join([line(osce_record()), "[" * 1000, line(nejm_record())]).encode())
    pack = load_pack(path, skip_invalid=True)
    assert len(pack.scenarios) == 2 and [p.field for p in pack.skipped] == ["line 2"]
    loaded, problems = check_sources([path])
    assert len(loaded) == 2 and len(problems) == 1
