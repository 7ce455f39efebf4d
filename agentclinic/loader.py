"""Reading case files and packs from disk, with errors a case author can act on.

Every problem names the file, the field path, what was expected and how to fix it. A
directory is checked whole, so an author sees every problem at once. Nothing here raises
a raw traceback for a bad file: YAML errors, wrong types, bad bytes, oversized files and
broken images all become :class:`Problem` entries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from . import pack_cache
from .case_files import MAX_CASE_BYTES, read_case_data
from .paths import DEFAULT_PACK, bundled_dir
from .problems import Problem, ScenarioError
from .scenario import Scenario
from .url_policy import url_problem
from .validity.leaks import find_leaks

MAX_FILE_BYTES = MAX_CASE_BYTES
MAX_IMAGE_BYTES = 20 * 1024 * 1024
CASE_SUFFIXES = (".yaml", ".yml")  # (a .jsonl file given directly is read by agentclinic.importers)


@dataclass
class Pack:
    """A set of loaded cases and where they came from."""

    name: str
    root: Path | None
    scenarios: list[Scenario]
    files: dict[str, Path] = field(default_factory=dict)  # scenario id -> file
    skipped: list[Problem] = field(default_factory=list)  # problems of cases left out (skip_invalid)

    def __deepcopy__(self, memo: dict | None = None) -> Pack:
        # Read-only once loaded: env copies share their pack instead of copying every case.
        return self

    def get(self, scenario_id: str) -> Scenario:
        for scenario in self.scenarios:
            if scenario.id == scenario_id:
                return scenario
        known = ", ".join(s.id for s in self.scenarios[:8])
        raise KeyError(f"no scenario {scenario_id!r} in pack {self.name!r} (known: {known}, ...)")


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
        message = first["msg"].removeprefix("Value error, ")  # pydantic's wording, not the author's concern
        if first["type"] not in {"missing", "value_error"} and "input" in first:
            message += f" (got {_short(first['input'])})"
        problems.append(Problem(file, path, message, _FIXES.get(first["type"], "")))
    return problems


def _outside_pack(path: Path, root: Path) -> Problem | None:
    """A problem when ``path``, symlinks resolved, is not inside the resolved pack ``root``."""
    try:
        real, real_root = path.resolve(), root.resolve()
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        return Problem(str(path), "", f"cannot resolve the path ({exc})", "remove the broken or looping link")
    if real.is_relative_to(real_root):
        return None
    return Problem(str(path), "", f"is a link to {real}, outside the pack directory {real_root}",
                   "copy the case file into the pack instead of linking to it")


def image_url_problems(scenario: Scenario, file: str, where: str = "") -> list[Problem]:
    """Image URLs the URL policy refuses (:mod:`agentclinic.url_policy`), as problems."""
    problems = []
    for index, image in enumerate(scenario.images):
        reason = url_problem(image.url) if image.url else None
        if reason:
            problems.append(Problem(file, f"{where}images[{index}].url", f"{_short(image.url)} is refused: {reason}",
                                    "use a public http(s) URL, or put the image in the pack and name it in `file`"))
    return problems


def _image_file_problem(scenario: Scenario, index: int, file: str, root: Path) -> Problem | None:
    from PIL import Image, UnidentifiedImageError

    image, where = scenario.images[index], f"images[{index}].file"
    try:
        # Resolved exactly as at run time (Scenario.image_path: beside the resolved case file).
        target = scenario.image_path(image)
    except (OSError, RuntimeError) as exc:
        return Problem(file, where, f"{image.file!r} cannot be resolved ({exc})", "remove the broken or looping link")
    if target is None or not target.is_relative_to(root):
        return Problem(file, where, f"{image.file!r} points outside the pack directory {root}",
                       "keep images inside the pack, e.g. images/name.png")
    try:
        if target.stat().st_size > MAX_IMAGE_BYTES:
            return Problem(file, where, f"{image.file!r} is larger than {MAX_IMAGE_BYTES} bytes",
                           "downscale or compress it")
        with Image.open(target) as img:
            img.verify()
    except FileNotFoundError:
        return Problem(file, where, f"image file {image.file!r} does not exist",
                       "check the path (relative to the case file) or add the image")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return Problem(file, where, f"{image.file!r} is not a readable image ({exc})", "save it as PNG or JPEG")
    return None


def _image_problems(scenario: Scenario, path: Path, pack_root: Path) -> list[Problem]:
    root = pack_root.resolve()
    found = [_image_file_problem(scenario, index, str(path), root)
             for index, image in enumerate(scenario.images) if image.file]
    return [p for p in found if p is not None] + image_url_problems(scenario, str(path))


def check_case_file(path: Path, pack_root: Path | None = None) -> tuple[Scenario | None, list[Problem]]:
    """Load and check one case file; never raises for a bad file.

    The case file and its images are judged with symlinks resolved: each must lie inside
    the resolved ``pack_root`` (default: the file's directory), as they are read at run time.
    This always parses the file; packs load through :func:`cached_case_file`.
    """
    return _checked(path, pack_root or path.parent, lambda: _file_checks(path))


def cached_case_file(path: Path, pack_root: Path | None = None) -> tuple[Scenario | None, list[Problem]]:
    """:func:`check_case_file`, with the file's own checks (parse, validation, leaks) taken from
    :mod:`agentclinic.pack_cache` when its bytes were seen before; the pack boundary and the
    images are checked every time, as they depend on other files."""
    content = _case_bytes(path)
    if content is None:  # too large or unreadable: the uncached check says so
        return check_case_file(path, pack_root)
    return _checked(path, pack_root or path.parent,
                    lambda: pack_cache.cached_check(path, content, lambda: _file_checks(path)))


def _checked(path: Path, root: Path, file_checks: Callable[[], tuple[Scenario | None, list[Problem]]],
             ) -> tuple[Scenario | None, list[Problem]]:
    outside = _outside_pack(path, root)
    if outside is not None:
        return None, [outside]
    scenario, problems = file_checks()
    if scenario is None:
        return None, problems
    return scenario, problems + _image_problems(scenario, path, root)


def _file_checks(path: Path) -> tuple[Scenario | None, list[Problem]]:
    """What depends on the case file's bytes alone: parsing, validation and the leak check."""
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
    return scenario, problems


def _case_bytes(path: Path) -> bytes | None:
    """The file's bytes when it is readable and within the size limit, else None."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def case_files(directory: Path) -> list[Path]:
    """Case files in a pack directory, sorted so runs are reproducible.

    Links are listed even when broken or looping, so that they are reported, not skipped.
    """
    return sorted(p for p in directory.rglob("*") if p.suffix in CASE_SUFFIXES and (p.is_file() or p.is_symlink()))


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
            scenario, found = cached_case_file(file, root)
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
