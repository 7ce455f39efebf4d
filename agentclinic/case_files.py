"""Reading untrusted case files (YAML) and dataset lines (JSONL) with bounded cost.

Case files and datasets are shared, so every reader here bounds what a file can make the
parser do: its size, its nesting depth (deep nesting makes Python's recursive parsers raise
``RecursionError``), and YAML aliases (a small file could expand exponentially). Duplicate
keys are errors, not last-one-wins, so a second ``diagnosis:`` cannot silently replace the
first. Every failure is a :class:`~agentclinic.problems.Problem` naming the file (and the
line); nothing here raises for a bad file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import yaml

from .problems import Problem

MAX_CASE_BYTES = 2 * 1024 * 1024  # one YAML case file, or one JSONL record: real cases are under 100 KB
MAX_JSONL_BYTES = 64 * 1024 * 1024  # a whole dataset file
MAX_DEPTH = 64  # nested mappings/lists; real cases nest under 10, Python's parsers recurse per level
# Pure-Python YAML parses dense input ("{a: 1, b: 1, ...}") at ~20k values a second; a 2 MB
# file of them would take many seconds. The largest bundled case has 729 values.
MAX_YAML_NODES = 20_000
UTF8_BOM = b"\xef\xbb\xbf"

_YAML_FIX = "fix the YAML syntax at that position"
_DEPTH_FIX = "flatten the nested content"
_DUPLICATE_FIX = "keep one of the two entries (merge them if both hold something)"


class _TooDeep(yaml.composer.ComposerError):
    fix = _DEPTH_FIX


class _TooMany(yaml.composer.ComposerError):
    fix = "split the case, or shorten its lists"


class _DuplicateKey(yaml.constructor.ConstructorError):
    fix = _DUPLICATE_FIX


class _SafeCaseLoader(yaml.SafeLoader):
    """Safe YAML without aliases, with bounded nesting and size, and no duplicate keys."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "YAML aliases (*name) are not allowed in case files", event.start_mark)
        # The composer recurses once per level: stop before Python's recursion limit does.
        if self._depth >= MAX_DEPTH:
            raise _TooDeep(None, None, f"nesting is deeper than {MAX_DEPTH} levels", event.start_mark)
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise _TooMany(None, None, f"more than {MAX_YAML_NODES} values (mappings, lists and scalars)",
                           event.start_mark)
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue  # complex keys are rare; the constructor itself judges them
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                raise _DuplicateKey(None, None, f"duplicate key {key!r} (first on line {seen[key]})",
                                    key_node.start_mark)
            seen[key] = line
        return super().construct_mapping(node, deep)


def _read_bytes(path: Path, limit: int) -> tuple[bytes | None, list[Problem]]:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > limit:
            return None, [Problem(name, "", f"file is {size} bytes, over the {limit} byte limit",
                                  "split it or move large content (images) into separate files")]
        return path.read_bytes(), []
    except OSError as exc:
        return None, [Problem(name, "", f"cannot read file: {exc.strerror or exc}", "check the path and permissions")]


def _yaml_problem(name: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    detail = getattr(exc, "problem", None) or str(exc)
    return Problem(name, where, f"invalid YAML: {detail}", getattr(exc, "fix", _YAML_FIX))


def read_case_data(path: Path) -> tuple[dict | None, list[Problem]]:
    """Parse one YAML case file into a mapping, or explain why it cannot be parsed."""
    name = str(path)
    raw, problems = _read_bytes(path, MAX_CASE_BYTES)
    if raw is None:
        return None, problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(name, "", f"not UTF-8 text: byte {exc.start} is {raw[exc.start:exc.start + 1]!r}",
                              "save the file as UTF-8")]
    try:
        data = yaml.load(text, Loader=_SafeCaseLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        return None, [_yaml_problem(name, exc)]
    except RecursionError:  # not expected past the depth limit; never a traceback if it happens
        return None, [Problem(name, "", "nesting is too deep", _DEPTH_FIX)]
    if not isinstance(data, dict):
        return None, [Problem(name, "", f"expected a mapping of case fields at the top, got {type(data).__name__}",
                              "start the file with `id: ...`")]
    return data, []


class RecordError(ValueError):
    """A JSON record that cannot be read; ``fix`` says what to do about it."""

    def __init__(self, message: str, fix: str):
        super().__init__(message)
        self.fix = fix


class _DuplicateJsonKey(ValueError):
    pass


# A JSON string, escapes included; what is left once they are removed is structure.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def json_too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether brackets outside strings nest deeper than ``limit`` (one linear pass)."""
    depth = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        if match.group() in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth = max(0, depth - 1)
    return False


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateJsonKey(key)
        result[key] = value
    return result


def parse_json_record(text: str) -> object:
    """One JSON document with bounded nesting and no duplicate keys; raises :class:`RecordError`."""
    if json_too_deep(text):
        raise RecordError(f"nesting is deeper than {MAX_DEPTH} levels", _DEPTH_FIX)
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateJsonKey as exc:
        raise RecordError(f"duplicate key {exc.args[0]!r} in a JSON object", _DUPLICATE_FIX) from None
    except json.JSONDecodeError as exc:
        raise RecordError(f"not valid JSON ({exc.msg} at column {exc.colno})",
                          "fix or remove the line, or pass --skip-invalid") from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer longer than Python converts
        raise RecordError(f"not readable JSON ({exc})", "fix or remove the line, or pass --skip-invalid") from None


def jsonl_lines(path: Path) -> Iterator[tuple[int, str | Problem]]:
    """Each non-blank line of a JSONL file, in order: (1-based line number, its text, or
    the problem that stops it). A problem about the whole file has line number 0.

    Lines end at ``\\n`` only (a ``\\r`` before it is dropped): ``str.splitlines`` would also
    split at U+2028 and friends, which are legal inside JSON strings. A UTF-8 BOM is
    skipped. Each line is decoded on its own, so one bad line does not cost the others.
    A file without any record is a problem.
    """
    name = str(path)
    raw, problems = _read_bytes(path, MAX_JSONL_BYTES)
    if raw is None:
        yield from ((0, problem) for problem in problems)
        return
    seen = False
    for number, chunk in enumerate(raw.removeprefix(UTF8_BOM).split(b"\n"), 1):
        chunk = chunk.removesuffix(b"\r")
        if not chunk.strip():
            continue
        seen = True
        yield number, _decode_line(name, number, chunk)
    if not seen:
        yield 0, Problem(name, "", "no records: the file is empty or has only blank lines",
                         "give an AgentClinic .jsonl dataset with one JSON record per line")


def _decode_line(name: str, number: int, chunk: bytes) -> str | Problem:
    where = f"line {number}"
    if len(chunk) > MAX_CASE_BYTES:
        return Problem(name, where, f"record is {len(chunk)} bytes, over the {MAX_CASE_BYTES} byte limit",
                       "fix or remove the line, or pass --skip-invalid")
    try:
        return chunk.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Problem(name, where, f"not UTF-8 text: byte {exc.start + 1} of the line is "
                       f"{chunk[exc.start:exc.start + 1]!r}", "save the file as UTF-8")
