"""The test and examination vocabulary as a networkx graph (built from data files).

Nodes are canonical test concepts ("Complete blood count", "Troponin"). Every alias maps to
one concept; ``part_of`` edges record that an analyte sits inside a panel (troponin inside
cardiac enzymes, sodium inside the basic metabolic panel inside the comprehensive one).
The measurement resolver uses it to find what a doctor asked for in a case; prices use it to
price a case test by what it is rather than by how its author spelled it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .language.names import system_words, test_aliases
from .paths import data_file
from .text import normalize
from .yaml_cache import read_yaml

# Words that carry no identity in a test request ("serum potassium level" = "potassium").
_FILLER = frozenset(
    "a an the please order request get check do perform send obtain of for and with level levels "
    "test tests testing study studies serum blood plasma measurement value values result results "
    "scan screen me patient patients i would like to lets let us".split()
)


def networkx():
    """The networkx module, imported on first use: ``import agentclinic.env`` (so ``gym.make``)
    need not load it; the graphs are built when a vocabulary is first read."""
    import networkx as nx

    return nx


def core_words(text: str) -> str:
    """The identifying words of a request, e.g. 'a serum potassium level' -> 'potassium'."""
    words = [w for w in normalize(text).split() if w not in _FILLER]
    return " ".join(words)


@dataclass(frozen=True)
class Concept:
    name: str
    category: str
    normal: str | None


class Terminology:
    """Test concepts, their aliases and containment, plus body-system names for examinations."""

    def __init__(self, data: dict):
        self.graph = networkx().DiGraph()
        self._alias: dict[str, str] = {}
        for entry in data.get("tests", []):
            name = entry["name"]
            self.graph.add_node(name, category=entry.get("category", "lab"), normal=entry.get("normal"))
            for term in [name, *entry.get("aliases", [])]:
                for key in {normalize(term), core_words(term)}:
                    if key:
                        self._alias.setdefault(key, name)
        for entry in data.get("tests", []):
            for part in entry.get("parts", []):
                self.graph.add_edge(part, entry["name"], relation="part_of")
        self._systems: dict[str, str] = {}
        for system, words in data.get("exam_systems", {}).items():
            for term in [system.replace("_", " "), *words]:
                self._systems.setdefault(normalize(term), system)

    def concept(self, term: str) -> str | None:
        """The canonical concept a test name or alias refers to, if known."""
        for key in (normalize(term), core_words(term)):
            if key in self._alias:
                return self._alias[key]
        return None

    def catalogue(self) -> list[str]:
        """Every test concept's name: a general catalogue, the same for every case."""
        return sorted(self.graph.nodes)

    def systems(self) -> list[str]:
        """The body systems an examination can target."""
        return sorted({system.replace("_", " ") for system in self._systems.values()})

    def info(self, name: str) -> Concept:
        node = self.graph.nodes[name]
        return Concept(name, node.get("category", "lab"), node.get("normal"))

    def containers(self, name: str) -> set[str]:
        """Every panel that contains ``name``, directly or through sub-panels."""
        return networkx().descendants(self.graph, name) if name in self.graph else set()

    def parts(self, name: str) -> set[str]:
        """Every analyte or sub-panel inside ``name``."""
        return networkx().ancestors(self.graph, name) if name in self.graph else set()

    def exam_system(self, term: str) -> str | None:
        """The canonical body system ('cardiovascular') for a word such as 'heart' or 'CVS'."""
        key = normalize(term)
        if key in self._systems:
            return self._systems[key]
        words = key.split()
        for size in range(min(len(words), 8), 0, -1):  # longest first: "nervous system" before "system"
            for start in range(len(words) - size + 1):
                phrase = " ".join(words[start:start + size])
                if phrase in self._systems:
                    return self._systems[phrase]
        return None


@lru_cache(maxsize=4)
def load_terminology(path: Path | None = None) -> Terminology:
    """The bundled vocabulary (cached), or one from another file."""
    data = read_yaml(path or data_file("terminology.yaml"))
    if path is None:  # every language's names for the same concepts (data/languages/)
        local, systems = test_aliases(), system_words()
        for entry in data.get("tests", []):
            entry["aliases"] = [*entry.get("aliases", []), *local.get(entry["name"], [])]
        for system, words in systems.items():
            data.setdefault("exam_systems", {}).setdefault(system, [])
            data["exam_systems"][system] = [*data["exam_systems"][system], *words]
    return Terminology(data)
