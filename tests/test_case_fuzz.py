"""Seeded fuzzing of case files and dataset lines: every input either loads or is refused with
problems that name the file (and line); nothing else ever escapes, on the CLI no traceback.
"""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import case_data
from synthetic_records import line, nejm_record, osce_record

from agentclinic.case_files import MAX_CASE_BYTES
from agentclinic.loader import ScenarioError, check_sources, load_pack

SEED = 20240613
YAML_CASES = 600
JSONL_FILES, LINES_PER_FILE = 60, 25  # 1,500 lines


def _flip(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _insert(rng: random.Random, data: bytes, piece: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + piece + data[at:]


def _duplicate_key(rng: random.Random, data: bytes) -> bytes:
    lines = data.split(b"\n")
    keys = [text for text in lines if text[:1].isalpha() or text.lstrip()[:1] == b'"']
    return data + b"\n" + (rng.choice(keys) if keys else b"id: again") + b"\n"


MUTATIONS = {
    "flip": _flip,
    "truncate": lambda rng, data: data[: rng.randrange(len(data))],
    "brackets": lambda rng, data: _insert(rng, data, b"[" * rng.choice([70, 1000, 20_000])),
    "braces": lambda rng, data: _insert(rng, data, b'{"a":' * rng.choice([70, 1000]) + b"1"),
    "indent": lambda rng, data: _insert(rng, data, b"\n" + b"".join(b" " * i + b"- \n" for i in range(200))),
    "duplicate": _duplicate_key,
    "bom": lambda rng, data: b"\xef\xbb\xbf" + data,
    "u2028": lambda rng, data: _insert(rng, data, "\u2028\u0085\u2029".encode()),
    "nul": lambda rng, data: _insert(rng, data, b"\x00"),
    "huge": lambda rng, data: _insert(rng, data, b"x" * rng.choice([30_000, MAX_CASE_BYTES + 10])),
    "alias": lambda rng, data: data + b"\nx: &a [1]\ny: *a\n",
    "crlf": lambda rng, data: data.replace(b"\n", b"\r\n"),
    "invalid utf8": lambda rng, data: _insert(rng, data, b"\xc3\x28\xff"),
}


def mutate(rng: random.Random, data: bytes) -> bytes:
    for name in rng.sample(sorted(MUTATIONS), rng.choice([1, 1, 2, 3])):
        data = MUTATIONS[name](rng, data) or b" "
    return data


def yaml_seed(rng: random.Random) -> bytes:
    data = case_data(id=f"fuzz-{rng.randrange(10**6)}")
    return yaml.safe_dump(data, sort_keys=rng.random() < 0.5, allow_unicode=True).encode()


def jsonl_seed(rng: random.Random) -> bytes:
    return line(osce_record() if rng.random() < 0.5 else nejm_record()).encode()


def outcome(path: Path) -> tuple[int, list]:
    """(cases loaded, problems), asserting that anything refused names the file."""
    try:
        pack = load_pack(path)
    except ScenarioError as exc:
        assert exc.problems, path
        assert all(problem.file == str(path) for problem in exc.problems), exc.problems
        return 0, exc.problems
    return len(pack.scenarios), []


def line_outcome(path: Path) -> tuple[int, list]:
    """(lines loaded, problems) of a dataset file, the good lines kept as ``--skip-invalid`` does."""
    loaded, problems = check_sources([path])
    assert all(problem.file == str(path) for problem in problems), problems
    return len(loaded), problems


def test_mutated_yaml_cases_load_or_name_the_file(tmp_path):
    rng = random.Random(SEED)
    refused = 0
    for index in range(YAML_CASES):
        path = tmp_path / f"case-{index:04d}.yaml"
        path.write_bytes(mutate(rng, yaml_seed(rng)))
        loaded, problems = outcome(path)
        assert loaded == 1 or problems
        refused += bool(problems)
    assert YAML_CASES // 2 < refused < YAML_CASES  # the mutations bite, and some survive


def test_mutated_jsonl_lines_load_or_name_file_and_line(tmp_path):
    rng = random.Random(SEED + 1)
    total_loaded = 0
    for index in range(JSONL_FILES):
        rows = [mutate(rng, jsonl_seed(rng)) if rng.random() < 0.8 else jsonl_seed(rng)
                for _ in range(LINES_PER_FILE)]
        path = tmp_path / f"data-{index:03d}.jsonl"
        data = b"\n".join(rows)
        path.write_bytes(data)
        loaded, problems = line_outcome(path)
        count = data.count(b"\n") + 1
        for problem in problems:
            assert problem.field == "" or problem.field.startswith("line "), problem
            if problem.field:
                assert 1 <= int(problem.field.split()[1].rstrip(":")) <= count, problem
        total_loaded += loaded
    assert 0 < total_loaded < JSONL_FILES * LINES_PER_FILE


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> list[Path]:
    """Three dozen mutated files, at least one of every mutation, all refused."""
    directory = tmp_path_factory.mktemp("fuzz-cli")
    rng, files = random.Random(SEED + 2), []
    for index, name in enumerate(sorted(MUTATIONS) * 3):
        seed = yaml_seed(rng) if index % 2 else jsonl_seed(rng)
        data = MUTATIONS[name](rng, seed) if name not in {"bom", "crlf"} else b"[" * 5000 + seed
        path = directory / f"bad-{index:02d}.{'yaml' if index % 2 else 'jsonl'}"
        path.write_bytes(data)
        if outcome(path)[1]:
            files.append(path)
    assert len(files) >= 30
    return files


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agentclinic", *args], capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=300, check=False)


def test_cli_validate_reports_each_bad_file_without_a_traceback(bad_files):
    done = cli("scenarios", "validate", *map(str, bad_files))
    assert done.returncode == 1 and "Traceback" not in done.stderr  # 1: validation found errors
    assert all(path.name in done.stderr for path in bad_files)


def test_cli_loading_a_bad_file_is_exit_2_without_a_traceback(bad_files):
    done = cli("scenarios", "list", "--scenarios", str(bad_files[0].parent))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert all(path.name in done.stderr for path in bad_files if path.suffix == ".yaml")
