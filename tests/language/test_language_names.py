"""A language's diagnosis names never merge what English keeps apart: a local name that is
already an English name must name the same condition (Spanish 'podagra' under gout would make
podagra equivalent to gout, where English holds it narrower)."""

from __future__ import annotations

import pytest
import yaml

from agentclinic.language import LANGUAGES, language_data
from agentclinic.paths import data_file
from agentclinic.text import normalize


def _english_nodes() -> dict[str, str]:
    """Every English name -> the first name of its group (or itself for an is_a node)."""
    data = yaml.safe_load(data_file("diagnoses.yaml").read_text(encoding="utf-8"))
    nodes = {normalize(n): group[0] for group in data["equivalents"] for n in group}
    for child, parent in (data.get("is_a") or {}).items():
        for name in (child, *([parent] if isinstance(parent, str) else parent)):
            nodes.setdefault(normalize(name), name)
    return nodes


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_local_names_do_not_merge_english_conditions(code: str):
    nodes = _english_nodes()
    clashes = []
    for canonical, names in (language_data(code, "diagnoses").get("names") or {}).items():
        own = nodes.get(normalize(canonical), canonical)
        clashes += [f"{canonical} -> {name} (English: {nodes[normalize(name)]})" for name in names or []
                    if normalize(name) in nodes and nodes[normalize(name)] != own]
    assert clashes == []
