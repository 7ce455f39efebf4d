"""Readers for AgentClinic's dataset files (JSONL): OSCE records and NEJM image challenges.

``read_jsonl`` detects the format per line and returns validated scenarios plus a problem for
every line it could not use (file and line named), so a run or an import can go on without
them when asked to.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from ..validity.leaks import find_leaks
from ..scenario import Scenario
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


def read_jsonl(path: Path):
    """(scenarios, problems) for every line of an AgentClinic JSONL file."""
    from ..loader import Problem, _validation_problems  # the loader's author-facing error format

    scenarios: list[Scenario] = []
    problems: list[Problem] = []
    name, prefix = str(path), _prefix(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(name, "", f"cannot read file: {exc}", "check the path and that it is UTF-8 JSONL")]
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(Problem(name, where, f"not valid JSON ({exc.msg} at column {exc.colno})",
                                    "fix or remove the line, or pass --skip-invalid"))
            continue
        kind = detect_format(record)
        if kind is None:
            problems.append(Problem(name, where, "neither an OSCE record (OSCE_Examination) nor an NEJM record "
                                    "(answers, patient_info)", "check the file is an AgentClinic dataset"))
            continue
        convert = from_osce if kind == "osce" else from_nejm
        try:
            data = convert(record, case_id=f"{prefix}-{number:03d}", source=f"AgentClinic {path.name} line {number}",
                           license=LICENSE)
            scenario = Scenario.model_validate(data).with_source(path)
        except ValidationError as exc:
            problems += [Problem(p.file, f"{where}: {p.field}", p.message, p.fix)
                         for p in _validation_problems(name, exc)]
            continue
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            problems.append(Problem(name, where, f"record does not have the expected shape ({exc})",
                                    "fix or remove the line, or pass --skip-invalid"))
            continue
        leaks = [leak for leak in find_leaks(scenario) if leak.severity == "error"]
        problems += [Problem(name, f"{where}: {leak.field}", f"names the diagnosis ({leak.term!r})",
                             "this record would tell the doctor the answer; fix it or pass --skip-invalid")
                     for leak in leaks]
        if not leaks:
            scenarios.append(scenario)
    return scenarios, problems


__all__ = ["LICENSE", "NEJM_OBJECTIVE", "detect_format", "from_nejm", "from_osce", "read_jsonl"]
