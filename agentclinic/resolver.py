"""Grounded measurement: map an exam or test request onto the case, with provenance (pure).

Every value the doctor receives comes from the case file (provenance ``case``), from the
vocabulary's normal-range text for a test the case lacks (``default-normal``), or is a
plain "not available" (``unavailable``). Nothing here can produce an abnormal value that
the case does not hold, and normal-range text is given only for a test (or examination)
whose body systems the case does not implicate (:mod:`agentclinic.validity.implicated`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .actions import Examine, MeasurementRequest, RequestImages, RequestTest
from .language import base_code, phrasebook
from .language.names import system_label, test_label
from .prices import PriceList
from .scenario import CaseImage, CaseTest, Scenario, TestValue
from .terminology import Terminology, core_words
from .text import normalize, per_character
from .validity.implicated import Implication, implicated_systems, load_body_systems

Provenance = Literal["case", "default-normal", "unavailable"]
MissingPolicy = Literal["default-normal", "unavailable"]


@dataclass(frozen=True)
class ImageRef:
    """An image shown to the doctor: where to get it and what kind it is, never its caption."""

    id: str
    modality: str
    path: Path | None = None
    url: str | None = None


@dataclass(frozen=True)
class MeasurementResult:
    """What the measurement role returns for one request."""

    text: str
    provenance: Provenance
    resolved: str | None = None  # the case test, exam section or concept the request mapped to
    billed: tuple[tuple[str, float], ...] = ()
    images: tuple[ImageRef, ...] = ()
    note: str | None = None  # how it was resolved when not by name (e.g. "llm-mapped from 'x'")

    @property
    def cost_usd(self) -> float:
        return sum(price for _, price in self.billed)


@dataclass
class MeasurementContext:
    """Episode state the measurement role may consult: which studies were already done."""

    ordered: set[str] = field(default_factory=set)


def _label(key: str, language: str = "en") -> str:
    """A finding's key as a heading, in the case's language where it names one ('heart_rate')."""
    labels = phrasebook(language, "measurement").raw("labels") or {}
    return labels.get(key) or system_label(key, language) or key.replace("_", " ").strip().capitalize()


def render_findings(tree: dict | str, indent: int = 0, language: str = "en") -> str:
    """Nested findings as indented 'Label: text' lines."""
    if isinstance(tree, str):
        return tree
    lines = []
    for key, value in tree.items():
        pad = "  " * indent
        if isinstance(value, dict):
            lines.append(f"{pad}{_label(key, language)}:")
            lines.append(render_findings(value, indent + 1, language))
        else:
            lines.append(f"{pad}{_label(key, language)}: {value}")
    return "\n".join(lines)


class Resolver:
    """Resolves requests against one scenario using the shared vocabulary and price list."""

    def __init__(self, scenario: Scenario, terminology: Terminology, prices: PriceList,
                 missing: MissingPolicy = "default-normal"):
        self.scenario = scenario
        self.terms = terminology
        self.prices = prices
        self.missing = missing
        self._test_keys = [self._keys(test.name, test.aliases) for test in scenario.tests]
        self._implication: Implication | None = None
        self.language = scenario.language
        self.say = phrasebook(scenario.language, "measurement")
        self._reference = self.say.say("reference")

    def implication(self) -> Implication:
        """The body systems this case implicates (worked out on first need)."""
        if self._implication is None:
            self._implication = implicated_systems(self.scenario, self.terms)
        return self._implication

    def implicated(self, request: Examine | RequestTest) -> tuple[str, str] | None:
        """The implicated system that forbids normal text for ``request``, and why (None when none does)."""
        if isinstance(request, Examine):
            return self._implicated_exam(request.system or "")
        return self._implicated_test(request.name)

    def _implicated_exam(self, system: str) -> tuple[str, str] | None:
        return self.implication().overlap(load_body_systems().of_exam_section(system, self.terms))

    def _implicated_test(self, name: str) -> tuple[str, str] | None:
        return self.implication().overlap(load_body_systems().of_test(self.terms.concept(name), name, self.terms))

    def _keys(self, name: str, aliases: list[str]) -> set[str]:
        keys: set[str] = set()
        for term in (name, *aliases):
            keys |= {normalize(term), core_words(term)}
            if concept := self.terms.concept(term):
                keys.add(f"concept:{concept}")
        keys.discard("")
        return keys

    # ---- public -------------------------------------------------------------------------
    def resolve(self, request: MeasurementRequest, context: MeasurementContext | None = None) -> MeasurementResult:
        context = context or MeasurementContext()
        if isinstance(request, Examine):
            return self.examine(request.system)
        if isinstance(request, RequestImages):
            return self.images(request.name, context)
        return self.test(request.name)

    def examine(self, system: str | None) -> MeasurementResult:
        exam = self.scenario.physical_exam
        if not system or normalize(system) in {"full", "complete", "all", "general examination", "everything"}:
            return MeasurementResult(render_findings(exam, language=self.language), "case", "physical_exam")
        found = self._exam_section(system)
        if found is not None:
            key, value = found
            label = _label(key, self.language)
            return MeasurementResult(f"{label}:\n{render_findings(value, 1, self.language)}" if isinstance(value, dict)
                                     else f"{label}: {value}", "case", f"physical_exam.{key}")
        canonical = self.terms.exam_system(system)
        label = _label(canonical or system, self.language)
        involved = self._implicated_exam(canonical or system)
        if self.missing == "unavailable" or involved:
            note = f"normal text withheld: {involved[1]} implicates {involved[0]}" if involved else None
            return MeasurementResult(self.say.say("exam_unrecorded", label=label), "unavailable", canonical,
                                     note=note)
        return MeasurementResult(self.say.say("exam_normal", label=label), "default-normal", canonical)

    def _exam_section(self, system: str) -> tuple[str, dict | str] | None:
        wanted = normalize(system)
        canonical = self.terms.exam_system(system)
        for key, value in _walk_sections(self.scenario.physical_exam):
            key_norm = normalize(key.replace("_", " "))
            if key_norm == wanted or key_norm == core_words(system):
                return key, value
        if canonical is None:
            return None
        for key, value in _walk_sections(self.scenario.physical_exam):
            if self.terms.exam_system(key.replace("_", " ")) == canonical:
                return key, value
        return None

    def test(self, name: str) -> MeasurementResult:
        if (found := self._case_test(name)) is not None:
            return self._report(found)
        if (value := self._case_value(name)) is not None:
            test, item = value
            return MeasurementResult(item.render(self._reference), "case", f"{test.name}/{item.name}",
                                     ((test.name, self.prices.test_price(test, self.terms)),))
        if (panel := self._case_parts_of_panel(name)) is not None:
            concept, tests = panel
            text = "\n".join(f"{test.name}: {test.render(self._reference)}" for test in tests)
            billed = tuple((test.name, self.prices.test_price(test, self.terms)) for test in tests)
            return MeasurementResult(text, "case", concept, billed)
        if self.terms.concept(name) is None and self._exam_section(name) is not None:
            return self.examine(name)
        return self._missing(name)

    def images(self, name: str | None, context: MeasurementContext) -> MeasurementResult:
        chosen = self._images_for(name)
        if not chosen:
            return MeasurementResult(self.say.say("no_images"), "unavailable")
        billed = []
        for test in self.scenario.tests:
            if test.name not in context.ordered and any(image.id in test.images for image in chosen):
                billed.append((test.name, self.prices.test_price(test, self.terms)))
        refs = tuple(self._image_ref(image) for image in chosen)
        lines = [self.say.say("image_line", index=index, modality=image.modality)
                 for index, image in enumerate(chosen, 1)]
        return MeasurementResult("\n".join(lines), "case", "images", tuple(billed), refs)

    # ---- helpers ------------------------------------------------------------------------
    def _request_keys(self, name: str) -> set[str]:
        keys = {normalize(name), core_words(name)}
        if concept := self.terms.concept(name):
            keys.add(f"concept:{concept}")
        keys.discard("")
        return keys

    def _case_test(self, name: str) -> CaseTest | None:
        wanted = self._request_keys(name)
        # Names the author wrote win over shared concepts, so "CMV serology" finds that test
        # even if another test of the case belongs to the same concept.
        for exact_only in (True, False):
            for test, keys in zip(self.scenario.tests, self._test_keys):
                overlap = wanted & keys
                if overlap and (not exact_only or any(not k.startswith("concept:") for k in overlap)):
                    return test
        # Token containment catches "chest x ray" against "Chest X-ray (PA and lateral)".
        # Not across two different known tests ("potassium" is not "potassium hydroxide prep"),
        # and in Chinese or Korean only as a run of characters ("血糖" is not inside "糖化血红蛋白").
        request, concept = core_words(name), self.terms.concept(name)
        for test in self.scenario.tests if request else ():
            own = self.terms.concept(test.name)
            if concept is not None and own is not None and own != concept:
                continue
            found = core_words(test.name)
            if per_character(request):
                if f" {request} " in f" {found} ":
                    return test
            elif set(request.split()) <= set(found.split()):
                return test
        return None

    def _case_value(self, name: str) -> tuple[CaseTest, TestValue] | None:
        wanted = self._request_keys(name)
        for test in self.scenario.tests:
            for item in test.values:
                if wanted & self._keys(item.name, item.aliases):
                    return test, item
        return None

    def _case_parts_of_panel(self, name: str) -> tuple[str, list[CaseTest]] | None:
        # A panel asked for by name whose pieces the case keeps as separate tests.
        concept = self.terms.concept(name)
        if concept is None:
            return None
        parts = self.terms.parts(concept)
        tests = [test for test in self.scenario.tests if self.terms.concept(test.name) in parts]
        return (concept, tests) if tests else None

    def _report(self, test: CaseTest) -> MeasurementResult:
        refs = tuple(self._image_ref(image) for image in self.scenario.images if image.id in test.images)
        return MeasurementResult(f"{test.name}: {test.render(self._reference)}", "case", test.name,
                                 ((test.name, self.prices.test_price(test, self.terms)),), refs)

    def _missing(self, name: str) -> MeasurementResult:
        concept = self.terms.concept(name)
        info = self.terms.info(concept) if concept else None
        label = test_label(concept, self.language) if concept else name.strip()
        price = self.prices.concept_price(concept, info.category if info else "lab")
        # A normal result is invented only where nothing in the case argues against it.
        involved = self._implicated_test(name)
        if self.missing == "unavailable" or involved:
            note = f"normal text withheld: {involved[1]} implicates {involved[0]}" if involved else None
            return MeasurementResult(self.say.say("test_unavailable", label=label), "unavailable", concept, note=note)
        if info is not None and info.normal and base_code(self.language) == "en":  # written in English
            text = info.normal if info.normal.lower().startswith(label.lower()) else f"{label}: {info.normal}"
        elif info is not None and info.category in {"imaging", "pathology"}:
            text = self.say.say("imaging_normal", label=label)
        else:
            text = self.say.say("lab_normal", label=label)
        return MeasurementResult(text, "default-normal", concept, ((concept or label, price),))

    def _images_for(self, name: str | None) -> list[CaseImage]:
        if not name:
            return list(self.scenario.images)
        test = self._case_test(name)
        if test is not None and test.images:
            return [image for image in self.scenario.images if image.id in test.images]
        wanted = normalize(name)
        return [image for image in self.scenario.images
                if wanted in normalize(image.modality) or normalize(image.modality) in wanted]

    def _image_ref(self, image: CaseImage) -> ImageRef:
        return ImageRef(image.id, image.modality, self.scenario.image_path(image), image.url)


def _walk_sections(tree: dict, depth: int = 0):
    for key, value in tree.items():
        yield key, value
        if isinstance(value, dict) and depth < 3:
            yield from _walk_sections(value, depth + 1)
