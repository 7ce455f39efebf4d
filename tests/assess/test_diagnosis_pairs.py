"""The matcher against a labelled set of diagnosis-name pairs (tests/data/diagnosis_pairs.yaml).

Each pair names the doctor's answer, the case diagnosis (with optional case synonyms and
distractors) and the verdict a clinician would give. The summary tests keep the set from
silently shrinking, and the vocabulary tests keep ``diagnoses.yaml`` well formed.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

import networkx as nx
import pytest
import yaml

from agentclinic.matching import load_diagnosis_graph, match
from agentclinic.paths import data_file
from agentclinic.text import normalize

PAIRS_FILE = Path(__file__).resolve().parent.parent / "data" / "diagnosis_pairs.yaml"
VERDICTS = {"exact", "equivalent", "narrower", "broader", "wrong", "hedged", "none"}
ACCEPTED = {"exact", "equivalent", "narrower"}
# The least the set must hold of each label.
MINIMUM = {"total": 160, "wrong": 60, "equivalent": 50, "narrower": 12, "broader": 12}


def _load_pairs() -> list[dict]:
    with open(PAIRS_FILE, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["pairs"]


PAIRS = _load_pairs()


def _pair_id(pair: dict) -> str:
    said = re.sub(r"\W+", "_", str(pair["predicted"] or "<none>")).strip("_")[:40] or "blank"
    correct = re.sub(r"\W+", "_", pair["correct"]).strip("_")[:40]
    return f"{pair['expect']}-{said}-vs-{correct}"


def _judge(pair: dict):
    return match(pair["predicted"], pair["correct"], pair.get("synonyms") or (), pair.get("distractors") or ())


@pytest.mark.parametrize("pair", PAIRS, ids=[f"{i:03d}-{_pair_id(p)}" for i, p in enumerate(PAIRS)])
def test_pair_is_judged_as_labelled(pair):
    verdict = _judge(pair)
    assert verdict.verdict == pair["expect"], f"{pair['note']}: {verdict.reason}"
    assert verdict.correct == (pair["expect"] in ACCEPTED)


def test_pairs_are_well_formed():
    allowed = {"predicted", "correct", "synonyms", "distractors", "expect", "note"}
    seen = set()
    for pair in PAIRS:
        assert set(pair) <= allowed, pair
        assert pair["expect"] in VERDICTS, pair
        assert pair["correct"].strip() and pair["note"].strip(), pair
        assert isinstance(pair.get("synonyms", []), list) and isinstance(pair.get("distractors", []), list), pair
        key = (pair["predicted"], pair["correct"], tuple(pair.get("synonyms", ())), tuple(pair.get("distractors", ())))
        assert key not in seen, f"duplicate pair {key}"
        seen.add(key)


def test_the_set_keeps_its_size_and_mix():
    counts = collections.Counter(pair["expect"] for pair in PAIRS)
    assert len(PAIRS) >= MINIMUM["total"]
    for label in ("wrong", "equivalent", "narrower", "broader"):
        assert counts[label] >= MINIMUM[label], (label, counts)
    assert counts["exact"] and counts["none"], counts


def test_no_wrong_pair_is_accepted():
    accepted = [(p["predicted"], p["correct"], _judge(p).reason)
                for p in PAIRS if p["expect"] == "wrong" and _judge(p).correct]
    assert not accepted


def test_every_label_kind_is_covered():
    notes = " ".join(pair["note"] for pair in PAIRS if pair["expect"] == "wrong").lower()
    assert "negated" in notes and "opposed" in notes
    assert any(pair["expect"] == "hedged" for pair in PAIRS)


# ---- the vocabulary itself ---------------------------------------------------------------------
class _StrictLoader(yaml.SafeLoader):
    """Refuses a mapping with a repeated key: ``is_a`` holds one parent per child."""


def _no_duplicate_keys(loader, node, deep=False):
    keys = [loader.construct_object(key, deep=deep) for key, _ in node.value]
    repeated = [key for key, n in collections.Counter(keys).items() if n > 1]
    if repeated:
        raise yaml.constructor.ConstructorError(None, None, f"repeated keys {repeated}", node.start_mark)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


@pytest.fixture(scope="module")
def vocabulary() -> dict:
    with open(data_file("diagnoses.yaml"), encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_StrictLoader)


def test_vocabulary_groups_do_not_overlap(vocabulary):
    owner: dict[str, str] = {}
    for group in vocabulary["equivalents"]:
        for name in group:
            key = normalize(name)
            assert owner.setdefault(key, group[0]) == group[0], f"{name!r} is in {owner[key]!r} and {group[0]!r}"


def test_hierarchy_links_canonical_names_without_cycles(vocabulary):
    canonical = {normalize(name): group[0] for group in vocabulary["equivalents"] for name in group}
    for child, parent in vocabulary["is_a"].items():
        for name in (child, parent):
            assert normalize(canonical.get(normalize(name), name)) == normalize(name), \
                f"is_a uses {name!r}; write its group's first name {canonical[normalize(name)]!r}"
        assert canonical.get(normalize(child), child) != canonical.get(normalize(parent), parent), (child, parent)
    graph = load_diagnosis_graph()
    assert nx.is_directed_acyclic_graph(graph.is_a)
    assert len(vocabulary["is_a"]) >= 60
