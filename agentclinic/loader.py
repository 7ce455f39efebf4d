"""Reading case files and packs from disk, with errors a case author can act on.

Every problem names the file, the field path, what was expected and how to fix it. A
directory is checked whole, so an author sees every problem at once. Nothing here raises
a raw traceback for a bad file: YAML errors, wrong types, bad bytes, oversized files and
broken images all become :class:`Problem` entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .validity.leaks import find_leaks
from .paths import DEFAULT_PACK, bundled_dir
from .scenario import Scenario

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_IMAGE_BYTES = 20 * 1024 * 1024
CASE_SUFFIXES = (".yaml", ".yml")  # (a .jsonl file given directly is read by agentclinic.importers)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a case file."""

    file: str
    field: str
    message: str
    fix: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        text = f"{where}: {self.message}"
        return f"{text}. Fix: {self.fix}" if self.fix else text


class ScenarioError(Exception):
    """Raised when cases cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"]
        super().__init__("\n".join(str(p) for p in errors) or "invalid scenarios")


@dataclass
class Pack:
    """A set of loaded cases and where they came from."""

    name: str
    root: Path | None
    scenarios: list[Scenario]
    files: dict[str, Path] = field(default_factory=dict)  # scenario id -> file
    skipped: list[Problem] = field(default_factory=list)  # problems of cases left out (skip_invalid)

    def get(self, scenario_id: str) -> Scenario:
        for scenario in self.scenarios:
            if scenario.id == scenario_id:
                return scenario
        known = ", ".join(s.id for s in self.scenarios[:8])
        raise KeyError(f"no scenario {scenario_id!r} in pack {self.name!r} (known: {known}, ...)")


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML without anchors/aliases: aliases let a small file expand exponentially."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(
                None, None, "YAML aliases (*name) are not allowed in case files", event.start_mark
            )
        return super().compose_node(parent, index)


_SCALAR_TAGS = {"str", "int", "float", "bool", "constrained-str", "list", "dict"}


def _is_branch_tag(part: Any) -> bool:
    # pydantic names the branch of a union or validator it tried ("constrained-str",
    # "dict[str,...]", "function-after[...]"): noise for a case author.
    text = str(part)
    return text in _SCALAR_TAGS or "[" in text


def _field_path(loc: tuple[Any, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not _is_branch_tag(part):
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove it or correct its spelling (see `agentclinic scenarios schema` for the field names)",
    "string_type": "write a text value (quote it if YAML reads it as a number or date)",
    "string_too_long": "shorten it",
    "string_too_short": "write a non-empty value",
    "string_pattern_mismatch": "use lower-case letters, digits, '.', '_' or '-'",
    "list_type": "write a YAML list (lines starting with '- ')",
    "dict_type": "write a YAML mapping (key: value lines)",
    "float_parsing": "write a number",
    "int_parsing": "write a whole number",
    "bool_parsing": "write true or false",
    "literal_error": "use one of the allowed values",
    "too_short": "add more entries",
    "greater_than_equal": "use a larger value",
    "less_than_equal": "use a smaller value",
}


def _validation_problems(file: str, error: ValidationError) -> list[Problem]:
    by_path: dict[str, list[dict]] = {}
    for item in error.errors():
        by_path.setdefault(_field_path(item["loc"]), []).append(item)
    problems = []
    for path, items in by_path.items():
        first = items[0]
        if len(items) > 1:  # a union: every branch failed; say what each branch wanted
            wanted = "; or ".join(dict.fromkeys(i["msg"].removeprefix("Input should be ") for i in items))
            message = f"Input should be {wanted} (got {_short(first.get('input'))})"
            problems.append(Problem(file, path, message, "write the value in one of those forms"))
            continue
        message = first["msg"]
        if first["type"] not in {"missing", "value_error"} and "input" in first:
            message += f" (got {_short(first['input'])})"
        problems.append(Problem(file, path, message, _FIXES.get(first["type"], "")))
    return problems


def read_case_data(path: Path) -> tuple[dict | None, list[Problem]]:
    """Parse one YAML file into a mapping, or explain why it cannot be parsed."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, [Problem(name, "", f"file is {size} bytes, over the {MAX_FILE_BYTES} byte limit",
                                  "split it or move large content (images) into separate files")]
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(name, "", f"cannot read file: {exc.strerror or exc}", "check the path and permissions")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(name, "", f"not UTF-8 text: byte {exc.start} is {raw[exc.start:exc.start + 1]!r}",
                              "save the file as UTF-8")]
    try:
        data = yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        detail = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, where, f"invalid YAML: {detail}", "fix the YAML syntax at that position")]
    if not isinstance(data, dict):
        return None, [Problem(name, "", f"expected a mapping of case fields at the top, got {type(data).__name__}",
                              "start the file with `id: ...`")]
    return data, []


def _image_problems(scenario: Scenario, path: Path, pack_root: Path) -> list[Problem]:
    from PIL import Image, UnidentifiedImageError

    problems = []
    root = pack_root.resolve()
    for index, image in enumerate(scenario.images):
        if not image.file:
            continue
        where = f"images[{index}].file"
        target = (path.parent / image.file).resolve()
        if not target.is_relative_to(root):
            problems.append(Problem(str(path), where, f"{image.file!r} points outside the pack directory {root}",
                                    "keep images inside the pack, e.g. images/name.png"))
            continue
        try:
            if target.stat().st_size > MAX_IMAGE_BYTES:
                problems.append(Problem(str(path), where, f"{image.file!r} is larger than {MAX_IMAGE_BYTES} bytes",
                                        "downscale or compress it"))
                continue
            with Image.open(target) as img:
                img.verify()
        except FileNotFoundError:
            problems.append(Problem(str(path), where, f"image file {image.file!r} does not exist",
                                    "check the path (relative to the case file) or add the image"))
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            problems.append(Problem(str(path), where, f"{image.file!r} is not a readable image ({exc})",
                                    "save it as PNG or JPEG"))
    return problems


def check_case_file(path: Path, pack_root: Path | None = None) -> tuple[Scenario | None, list[Problem]]:
    """Load and check one case file; never raises for a bad file."""
    data, problems = read_case_data(path)
    if data is None:
        return None, problems
    try:
        scenario = Scenario.model_validate(data).with_source(path)
    except ValidationError as exc:
        return None, _validation_problems(str(path), exc)
    except RecursionError:
        return None, [Problem(str(path), "", "nesting is too deep", "flatten the nested findings")]
    for leak in find_leaks(scenario):
        problems.append(Problem(
            str(path), leak.field, f"names the diagnosis ({leak.term!r})",
            "describe what the patient feels or what was found, without the diagnosis or its synonyms",
            leak.severity,
        ))
    problems += _image_problems(scenario, path, pack_root or path.parent)
    return scenario, problems


def case_files(directory: Path) -> list[Path]:
    """Case files in a pack directory, sorted so runs are reproducible."""
    return sorted(p for p in directory.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file())


def _resolve_source(source: str | Path) -> tuple[str, Path]:
    path = Path(source)
    if path.exists():
        return path.stem if path.is_file() else path.name, path
    bundled = bundled_dir("scenarios") / str(source)
    if bundled.is_dir():
        return str(source), bundled
    packs = ", ".join(list_bundled_packs()) or "none"
    raise ScenarioError([Problem(str(source), "", "no such file, directory or bundled pack",
                                 f"give a path to a .yaml case or a pack directory, or a bundled pack ({packs})")])


def list_bundled_packs() -> list[str]:
    root = bundled_dir("scenarios")
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def check_sources(sources: Iterable[str | Path]) -> tuple[list[tuple[Path, Scenario]], list[Problem]]:
    """Check every case under the given files, directories or pack names."""
    loaded: list[tuple[Path, Scenario]] = []
    problems: list[Problem] = []
    for source in sources:
        try:
            _, path = _resolve_source(source)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        if path.is_file() and path.suffix == ".jsonl":  # an AgentClinic dataset, imported on the fly
            from .importers import read_jsonl

            scenarios, found = read_jsonl(path)
            loaded += [(path, scenario) for scenario in scenarios]
            problems += found
            continue
        root = path if path.is_dir() else path.parent
        files = case_files(path) if path.is_dir() else [path]
        if not files:
            problems.append(Problem(str(path), "", "no .yaml case files found", "add case files or check the path"))
        for file in files:
            scenario, found = check_case_file(file, root)
            problems += found
            if scenario is not None:
                loaded.append((file, scenario))
    problems += _duplicate_ids(loaded)
    return loaded, problems


def _duplicate_ids(loaded: list[tuple[Path, Scenario]]) -> list[Problem]:
    seen: dict[str, Path] = {}
    problems = []
    for file, scenario in loaded:
        if scenario.id in seen:
            problems.append(Problem(str(file), "id", f"id {scenario.id!r} is also used by {seen[scenario.id]}",
                                    "give every case a unique id"))
        seen.setdefault(scenario.id, file)
    return problems


def load_pack(source: str | Path = DEFAULT_PACK, *, skip_invalid: bool = False) -> Pack:
    """Load a pack by bundled name, directory, case file or AgentClinic JSONL file.

    Raises :class:`ScenarioError` listing every problem, unless ``skip_invalid``, in which
    case the valid cases load and ``Pack.skipped`` holds the problems.
    """
    name, path = _resolve_source(source)
    loaded, problems = check_sources([path])
    errors = [p for p in problems if p.severity == "error"]
    if errors and not (skip_invalid and loaded):
        raise ScenarioError(problems)
    return Pack(
        name=name,
        root=path if path.is_dir() else path.parent,
        scenarios=[scenario for _, scenario in loaded],
        files={scenario.id: file for file, scenario in loaded},
        skipped=errors,
    )
