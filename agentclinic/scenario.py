"""The case format: pydantic models for one clinical scenario.

A scenario is pure data. The doctor never sees it directly: the episode hands the doctor a
:class:`DoctorBrief` (objective and demographics only), the patient answers from
:class:`PatientCard`, and the measurement agent reads ``physical_exam``, ``tests`` and
``images``. Everything the doctor must find out stays behind those roles.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pathlib import Path

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    field_validator,
    model_validator,
)
from typing_extensions import TypeAliasType

from .language import base_code, phrasebook
from .url_policy import scheme_problem

SCHEMA_VERSION = 1

# Generous bounds: they exist to reject runaway or corrupted files, not real prose.
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]
CaseId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=120, pattern=r"^[a-z0-9][a-z0-9._-]*$"),
]

# Findings nest freely ("neurological" -> "cranial nerves" -> text) as examination records do.
FindingTree = TypeAliasType("FindingTree", "dict[str, Union[LongText, FindingTree]]")

_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

TestCategory = Literal["lab", "imaging", "bedside", "procedure", "microbiology", "pathology", "physiology"]
Sex = Literal["female", "male", "intersex", "unknown"]  # "unknown" for imported records that omit it


class _Model(BaseModel):
    # Unknown keys are almost always typos; forbidding them turns silent data loss into an error.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Demographics(_Model):
    """Who the patient is. The doctor is told these at the start of the encounter."""

    age_years: float | None = Field(
        ge=0, le=125, description="Age in years; fractions for infants (0.5 = 6 months); null when the source does "
                                  "not state it (imported records), never a guess.")
    sex: Sex
    gender: ShortText | None = Field(None, description="Gender identity where it differs from sex or matters.")
    race_ethnicity: ShortText | None = None
    occupation: ShortText | None = None
    informant: ShortText | None = Field(
        None, description="Who answers for the patient when not the patient (e.g. 'mother' for an infant)."
    )

    def describe(self) -> str:
        """A short neutral description such as '54-year-old male' (plus :meth:`identity`)."""
        return with_identity(self._age_and_sex(), self)

    def _age_and_sex(self) -> str:
        if self.age_years is None:
            return f"{self.sex} patient of unstated age" if self.sex != "unknown" else "patient of unstated age and sex"
        if self.age_years >= 2:
            age = f"{int(self.age_years)}-year-old"
        else:
            months = max(1, round(self.age_years * 12))
            age = f"{months}-month-old"
        return f"{age} {self.sex}" if self.sex != "unknown" else f"{age} patient"

    def identity(self) -> list[str]:
        """Race or ethnicity and gender identity, as written, where the case states them.

        They belong in the one-line description both the doctor and the patient are given:
        a counterfactual swap of either (``--swap race``/``gender``) must change what the
        models read, or its measured effect is zero by construction.
        """
        return [value for value in (self.race_ethnicity, self.gender) if value]


def with_identity(description: str, demographics: Demographics) -> str:
    """``description`` followed by the stated race/ethnicity and gender identity."""
    return ", ".join([description, *demographics.identity()])


class Symptom(_Model):
    """One symptom the patient has (``present: true``) or can deny (a pertinent negative)."""

    name: ShortText = Field(description="Short clinical name, e.g. 'chest pain'.")
    present: bool = True
    detail: LongText | None = Field(
        None, description="What the patient says about it, first person, lay words ('It feels like a weight...')."
    )
    synonyms: list[ShortText] = Field(default_factory=list, description="Other words a doctor or patient may use.")


class PatientCard(_Model):
    """Everything the patient knows about themselves, written in the patient's voice where it is prose."""

    demographics: Demographics
    chief_complaint: LongText = Field(description="The reason for the visit, first person, lay words.")
    history_of_present_illness: LongText = Field(description="The story of the illness, first person, lay words.")
    symptoms: list[Symptom] = Field(min_length=1)
    past_medical_history: list[ShortText] = Field(default_factory=list)
    past_surgical_history: list[ShortText] = Field(default_factory=list)
    medications: list[ShortText] = Field(default_factory=list)
    allergies: list[ShortText] = Field(default_factory=list)
    social_history: dict[str, LongText] = Field(
        default_factory=dict, description="Keyed by topic: smoking, alcohol, drugs, occupation, living, travel, sexual..."
    )
    family_history: list[ShortText] = Field(default_factory=list)
    review_of_systems: dict[str, LongText] = Field(
        default_factory=dict, description="Keyed by body system, in the patient's words."
    )
    extra_sections: dict[str, LongText | list[ShortText]] = Field(
        default_factory=dict, description="Free-form sections (obstetric history, immunisations, ...)."
    )

    @field_validator("social_history", "review_of_systems", mode="before")
    @classmethod
    def _text_becomes_general(cls, value: object) -> object:
        # Imported cases often carry one paragraph; keep it rather than reject it.
        return {"general": value} if isinstance(value, str) else value


class ReferenceRange(_Model):
    low: float | None = None
    high: float | None = None
    text: ShortText | None = Field(None, description="For ranges that are not numeric bounds, e.g. 'negative'.")


class TestValue(_Model):
    """One analyte or measurement inside a test, with its unit and reference range."""

    name: ShortText
    value: float | ShortText
    unit: ShortText | None = None
    reference: ReferenceRange | None = None
    aliases: list[ShortText] = Field(default_factory=list)

    def render(self, reference: str = "reference") -> str:
        """'Name: value unit (reference low-high)'; ``reference`` is that word in the case's language."""
        unit = f" {self.unit}" if self.unit else ""
        value = f"{self.value:g}" if isinstance(self.value, float) else str(self.value)
        text = f"{self.name}: {value}{unit}"
        ref = self.reference
        if ref is not None:
            if ref.text:
                text += f" ({reference}: {ref.text})"
            elif ref.low is not None and ref.high is not None:
                text += f" ({reference} {ref.low:g}-{ref.high:g})"
            elif ref.high is not None:
                text += f" ({reference} < {ref.high:g})"
            elif ref.low is not None:
                text += f" ({reference} > {ref.low:g})"
        return text


class CaseTest(_Model):
    """A test the case can answer: a lab panel, an imaging study, a bedside test or a procedure."""

    name: ShortText = Field(description="Canonical name, e.g. 'Complete blood count'.")
    aliases: list[ShortText] = Field(default_factory=list)
    category: TestCategory
    result: LongText | None = Field(None, description="Report text. Describe findings; never name the diagnosis.")
    values: list[TestValue] = Field(default_factory=list)
    cost_usd: float | None = Field(None, ge=0, le=1_000_000, description="Overrides the price list.")
    images: list[ShortText] = Field(default_factory=list, description="Ids of entries in the case's `images`.")

    @model_validator(mode="after")
    def _has_content(self) -> CaseTest:
        if not self.result and not self.values:
            raise ValueError("a test needs `result` text or structured `values` (or both)")
        return self

    def render(self, reference: str = "reference") -> str:
        """The report as the doctor reads it (``reference``: that word in the case's language)."""
        parts = [self.result] if self.result else []
        parts += [v.render(reference) for v in self.values]
        return _join_short(parts) if len(parts) > 1 and all(len(p) < 80 for p in parts) else "\n".join(parts)


# A part that already ends a sentence is followed by the next one as a new sentence, not by
# "; " ("Drawn at 08:10. Cortisol: ...", never "08:10.; Cortisol"); full-width marks take no space.
_SENTENCE_END = (".", "!", "?", "\u0964", "\u061f")  # Devanagari danda, Arabic question mark
_FULL_WIDTH_END = ("\u3002", "\uff01", "\uff1f")  # 。！？


def _join_short(parts: list[str]) -> str:
    text = parts[0]
    for part in parts[1:]:
        text += "" if text.endswith(_FULL_WIDTH_END) else " " if text.endswith(_SENTENCE_END) else "; "
        text += part
    return text


class CaseImage(_Model):
    """An image the case can show. The caption is for authors and assessors, never for the doctor."""

    id: CaseId
    file: ShortText | None = Field(None, description="Path relative to the case file, inside the pack directory.")
    url: ShortText | None = Field(None, description="Remote image (imported datasets); fetched into a cache.")
    modality: ShortText = Field(description="ECG, chest X-ray, CT, ultrasound, photograph, chart, smear, ...")
    caption: LongText | None = Field(None, description="What the image shows. Hidden from the doctor.")

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        # Shared case files are untrusted: file:, data:, ftp: or schemeless URLs never load.
        # (Whether the host is public needs the network: the loader and fetcher check that.)
        problem = scheme_problem(value) if value is not None else None
        if problem:
            raise ValueError(f"image URL {problem}")
        return value

    @model_validator(mode="after")
    def _has_source(self) -> CaseImage:
        if not self.file and not self.url:
            raise ValueError("an image needs a `file` (relative to the case) or a `url`")
        return self


class Diagnosis(_Model):
    name: ShortText
    synonyms: list[ShortText] = Field(default_factory=list)
    icd10: Annotated[str, StringConstraints(pattern=r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")] | None = None

    def terms(self) -> list[str]:
        """The name and every synonym."""
        return [self.name, *self.synonyms]


class Scenario(_Model):
    """One clinical case. Files are YAML; `agentclinic scenarios schema` prints this as JSON Schema."""

    schema_version: Literal[1] = SCHEMA_VERSION
    id: CaseId
    title: ShortText = Field(description="For case lists; shown to people, never to the doctor agent.")
    specialty: Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2, max_length=60)]
    language: str = Field("en", description="BCP-47 tag of the case text, e.g. 'en', 'fr', 'pt-BR'.")
    translated_from: CaseId | None = Field(None, description=(
        "The id of the case this one translates, so results can be paired across languages."))
    source: ShortText = "original"
    license: ShortText
    difficulty: int | None = Field(None, ge=1, le=3, description=(
        "1: a textbook presentation; 2: needs a specific test or a careful history; 3: atypical, or a common "
        "mimic the history alone cannot exclude."))
    objective: LongText = Field(description="What the doctor is told at the start. Must not reveal the diagnosis.")
    patient: PatientCard
    physical_exam: FindingTree = Field(description="Findings nested by body system.")
    tests: list[CaseTest] = Field(default_factory=list)
    images: list[CaseImage] = Field(default_factory=list)
    diagnosis: Diagnosis
    distractors: list[ShortText] = Field(
        default_factory=list, description="Wrong answer options for the multiple-choice mode."
    )
    key_facts: list[LongText] = Field(
        default_factory=list, description="Facts a thorough doctor should elicit (coverage metrics)."
    )
    notes: LongText | None = Field(
        None, description="For authors and reviewers (e.g. an imported record's original vignette); never shown to agents."
    )
    # Where the case was read from; image files are relative to it. Not part of the format.
    _source_file: Path | None = PrivateAttr(default=None)

    @property
    def source_file(self) -> Path | None:
        return self._source_file

    def with_source(self, path: Path) -> Scenario:
        """Remember the file this case came from (the loader calls this)."""
        self._source_file = path.resolve()
        return self

    def image_path(self, image: CaseImage) -> Path | None:
        """The local file of an image, resolved against the case file."""
        if image.file is None:
            return None
        base = self._source_file.parent if self._source_file else Path.cwd()
        return (base / image.file).resolve()

    @field_validator("physical_exam", mode="before")
    @classmethod
    def _numbers_are_findings(cls, value: object) -> object:
        # YAML reads "heart_rate: 98" as a number; a finding is text either way.
        def walk(node: object) -> object:
            if isinstance(node, dict):
                return {key: walk(item) for key, item in node.items()}
            if isinstance(node, (int, float)) and not isinstance(node, bool):
                return str(node)
            return node

        return walk(value)

    @field_validator("language")
    @classmethod
    def _bcp47(cls, value: str) -> str:
        if not _BCP47.match(value):
            raise ValueError(f"expected a BCP-47 language tag such as 'en' or 'pt-BR', got {value!r}")
        return value

    @model_validator(mode="after")
    def _references_hold(self) -> Scenario:
        image_ids = [image.id for image in self.images]
        if len(set(image_ids)) != len(image_ids):
            raise ValueError("image ids must be unique within a case")
        for test in self.tests:
            for ref in test.images:
                if ref not in image_ids:
                    raise ValueError(f"test {test.name!r} refers to image {ref!r}, which is not in `images`")
        answer = self.diagnosis.name.casefold()
        for option in self.distractors:
            if option.casefold() == answer:
                raise ValueError(f"distractor {option!r} is the correct diagnosis itself")
        return self

    def answer_options(self) -> list[str]:
        """The correct diagnosis and its distractors, in file order (callers shuffle)."""
        return [self.diagnosis.name, *self.distractors]

    def __deepcopy__(self, memo: dict | None = None) -> Scenario:
        # A case is read-only once loaded: env copies (tree search, branching rollouts) share it.
        return self


def describe_in(demographics: Demographics, language: str) -> str:
    """:meth:`Demographics.describe` in the case's language (English where it has no phrases)."""
    if base_code(language) == "en":
        return demographics.describe()
    say = phrasebook(language, "brief")
    sex = (say.raw("sexes") or {}).get(demographics.sex, demographics.sex)
    if demographics.age_years is None:
        return with_identity(say.say("unstated_age", sex=sex), demographics)
    if demographics.age_years >= 2:
        return with_identity(say.say("years_old", age=int(demographics.age_years), sex=sex), demographics)
    return with_identity(say.say("months_old", age=max(1, round(demographics.age_years * 12)), sex=sex), demographics)


class DoctorBrief(BaseModel):
    """What the doctor is given at the start: never the diagnosis, never the case file."""

    model_config = ConfigDict(frozen=True)

    objective: str
    demographics: str
    language: str = "en"
    # The language the doctor works in when it is not the patient's (--doctor-language).
    doctor_language: str | None = None
    max_turns: int
    answer_options: tuple[str, ...] = ()
    images_available: int = 0

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, max_turns: int, answer_options: tuple[str, ...] = ()
    ) -> DoctorBrief:
        return cls(
            objective=scenario.objective,
            demographics=describe_in(scenario.patient.demographics, scenario.language),
            language=scenario.language,
            max_turns=max_turns,
            answer_options=answer_options,
            images_available=len(scenario.images),
        )
