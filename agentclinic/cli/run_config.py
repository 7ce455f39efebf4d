"""``agentclinic run --config sweep.toml``: a run's flags kept in a TOML file.

Keys are the long flag names without the dashes (``max-turns`` or ``max_turns``); a
repeatable flag (``--scenario``) takes a list, and a comma-separated one (``--doctor-bias``)
a string or a list. The file's values become click's ``default_map``, so a flag given on
the command line still wins (so does an environment variable, e.g. ``AGENTCLINIC_DB``,
as with any default). Mistakes are one line naming the file and the key, exit code 2.
"""

from __future__ import annotations

import difflib
import tomllib
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import typer

from .common import user_errors

# Flags whose value is a comma-separated list: a TOML list is joined with commas.
COMMA_LISTS = {"doctor_bias", "patient_bias", "temperament", "persona", "doctor_tools"}
_NOT_IN_FILE = {"--config", "--help"}


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the key."""


def config_option(command: Callable[[], Callable[..., Any]]) -> Any:
    """The ``--config FILE`` option of the command ``command()`` returns (late: the option is
    made while that function is being defined). Eager, so its values are the others' defaults."""
    def load(ctx: typer.Context, value: Path | None) -> Path | None:
        if value is not None and not ctx.resilient_parsing:
            with user_errors():
                values = read_config(value, ctx.command.params, typing.get_type_hints(command()))
            ctx.default_map = {**(ctx.default_map or {}), **values}
        return value

    return typer.Option(None, "--config", metavar="FILE", is_eager=True, callback=load, dir_okay=False,
                        help="TOML file of flags (keys: the long flag names, e.g. max-turns = 10); "
                             "flags on the command line override it.")


def read_config(path: Path, params: list[click.Parameter], hints: dict[str, Any]) -> dict[str, Any]:
    """The file's keys as ``{parameter name: value}``, checked against ``params`` and their types."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    names = _flag_names(params)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key == "config":
            raise ConfigError(f"{path}: 'config' cannot be set in a config file (files do not include others)")
        param = names.get(key.replace("_", "-"))
        if param is None or param.name is None:
            raise ConfigError(f"{path}: unknown key '{key}'{_suggestion(key, names)}")
        if param.name in values:
            raise ConfigError(f"{path}: '{key}' is given twice (with '-' and with '_')")
        checked = _checked(path, key, value, hints.get(param.name), param.name in COMMA_LISTS)
        _check_range(path, key, checked, param)
        values[param.name] = checked
    return values


def _flag_names(params: list[click.Parameter]) -> dict[str, click.Parameter]:
    """'max-turns' -> its parameter: each option's long flag without the dashes."""
    return {opt[2:]: param for param in params for opt in getattr(param, "opts", [])
            if opt.startswith("--") and opt not in _NOT_IN_FILE}


def _check_range(path: Path, key: str, value: Any, param: click.Parameter) -> None:
    """The flag's min/max (e.g. limit >= 1), said with the file and key rather than as a flag error."""
    bounds = param if hasattr(param, "min") else getattr(param, "type", None)  # typer's option, or click's range
    low, high = getattr(bounds, "min", None), getattr(bounds, "max", None)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if low is not None and value < low:
            raise ConfigError(f"{path}: '{key}' must be at least {low}, got {value!r}")
        if high is not None and value > high:
            raise ConfigError(f"{path}: '{key}' must be at most {high}, got {value!r}")


def _suggestion(key: str, names: dict[str, str]) -> str:
    close = difflib.get_close_matches(key.replace("_", "-"), list(names), n=1, cutoff=0.6)
    if close:
        return f"; did you mean '{close[0]}'?"
    return "; the keys are the long flags of `agentclinic run --help` without the dashes"


_EXPECTED = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _checked(path: Path, key: str, value: Any, hint: Any, comma_list: bool) -> Any:
    """``value`` as the flag's type, or a ConfigError naming the file, the key and the type."""
    listed = typing.get_origin(hint) is list
    if listed or comma_list:
        items = value if isinstance(value, list) else [value]
        if items and all(_scalar(item) for item in items):
            texts = [str(item) for item in items]
            return texts if listed else ",".join(texts)
        expected = "a string or a list of strings"
    elif hint is bool:
        if isinstance(value, bool):
            return value
        expected = _EXPECTED[bool]
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        expected = _EXPECTED[int]
    elif hint is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        expected = _EXPECTED[float]
    else:  # str: a number is accepted as its text (max-failures = 3, shard = "1/4")
        if _scalar(value):
            return str(value)
        expected = _EXPECTED[str]
    raise ConfigError(f"{path}: '{key}' must be {expected}, got {_kind(value)} {value!r}")


def _scalar(value: Any) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    kinds = {bool: "true/false", int: "an integer", float: "a number", str: "a string", list: "a list",
             dict: "a table"}
    return next((name for kind, name in kinds.items() if isinstance(value, kind)), type(value).__name__)
