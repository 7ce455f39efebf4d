"""Readers for AgentClinic's dataset files (JSONL): OSCE records and NEJM image challenges.

``read_jsonl`` detects the format per line and returns validated scenarios plus a problem for
every line it could not use (file and line named), so a run or an import can go on without
them when asked to.
"""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import ValidationError

from ..case_files import RecordError, jsonl_lines, parse_json_record
from ..loader import _validation_problems, image_url_problems
from ..problems import Problem
from ..scenario import Scenario
from ..validity.leaks import find_leaks
from .nejm import NEJM_OBJECTIVE, from_nejm
from .osce import from_osce

LICENSE = "MIT (AgentClinic datasets)"


def detect_format(record: object) -> str | None:
    if isinstance(record, dict) and isinstance(record.get("OSCE_Examination"), dict):
        return "osce"
    if isinstance(record, dict) and isinstance(record.get("answers"), list) and "patient_info" in record:
        return "nejm"
    return None


def _prefix(path: Path) -> str:
    stem = re.sub(r"^agentclinic[_-]", "", path.stem.lower())
    return re.sub(r"[^a-z0-9._-]+", "-", stem).strip("-.") or "case"


def _line_scenario(record: object, path: Path, number: int) -> tuple[Scenario | None, list[Problem]]:
    """The scenario one parsed JSONL record makes, or the problems that stop it."""
    name, where = str(path), f"line {number}"
    kind = detect_format(record)
    if kind is None:
        return None, [Problem(name, where, "neither an OSCE record (OSCE_Examination) nor an NEJM record "
                              "(answers, patient_info)", "check the file is an AgentClinic dataset")]
    convert = from_osce if kind == "osce" else from_nejm
    try:
        data = convert(record, case_id=f"{_prefix(path)}-{number:03d}",
                       source=f"AgentClinic {path.name} line {number}", license=LICENSE)
        scenario = Scenario.model_validate(data).with_source(path)
    except ValidationError as exc:
        return None, [Problem(p.file, f"{where}: {p.field}", p.message, p.fix)
                      for p in _validation_problems(name, exc)]
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError) as exc:
        return None, [Problem(name, where, f"record does not have the expected shape ({exc})",
                              "fix or remove the line, or pass --skip-invalid")]
    problems = [Problem(name, f"{where}: {leak.field}", f"names the diagnosis ({leak.term!r})",
                        "this record would tell the doctor the answer; fix it or pass --skip-invalid")
                for leak in find_leaks(scenario) if leak.severity == "error"]
    problems += image_url_problems(scenario, name, f"{where}: ")
    return (None if problems else scenario), problems


def read_jsonl(path: Path) -> tuple[list[Scenario], list[Problem]]:
    """(scenarios, problems) for every line of an AgentClinic JSONL file.

    Reading is bounded (:mod:`agentclinic.case_files`): size, nesting depth, duplicate keys,
    line ends at ``\\n`` only. Every problem names the file and its 1-based line.
    """
    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    for number, line in jsonl_lines(path):
        if isinstance(line, Problem):
            problems.append(line)
            continue
        try:
            record = parse_json_record(line)
        except RecordError as exc:
            problems.append(Problem(str(path), f"line {number}", str(exc), exc.fix))
            continue
        scenario, found = _line_scenario(record, path, number)
        problems += found
        if scenario is not None:
            scenarios.append(scenario)
    return scenarios, problems


__all__ = ["LICENSE", "NEJM_OBJECTIVE", "detect_format", "from_nejm", "from_osce", "read_jsonl"]
