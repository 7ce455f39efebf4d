"""Where the bundled data lives, in a checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(kind: str) -> Path:
    """The bundled ``scenarios`` or ``personas`` directory.

    A wheel carries them as ``agentclinic/_bundled/<kind>``; a checkout (editable install or
    plain ``PYTHONPATH``) has them at the repository root beside the package.
    """
    installed = _PACKAGE / "_bundled" / kind
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / kind


def data_file(name: str) -> Path:
    """A vocabulary file shipped inside the package (prices, terminology, synonyms)."""
    return _PACKAGE / "data" / name


DEFAULT_PACK = "core"
DEFAULT_DB_URL = "sqlite:///runs/agentclinic.db"


def load_yaml(source):
    """YAML from a text or an open file, parsed safely by libyaml where PyYAML was built with it.

    The bundled vocabularies are large (the diagnosis graph, every language's phrases); the
    C parser reads them about ten times faster than the pure-Python one, with the same result.
    """
    import yaml

    return yaml.load(source, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - a safe loader
