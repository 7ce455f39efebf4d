"""Reading a patient's replies in a language other than English, for the simulator audit.

English replies are read by the detailed detectors of :mod:`.detectors`. Other languages give
their reply readers as data (``data/languages/<code>/audit.yaml``): how an affirming, denying
or empty answer begins, what answers nothing, and what shows a clinician's note instead of the
patient speaking. The rules are deliberately simple and the same for every language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..text import normalize
from .probes import audit_words

_SENTENCE = re.compile(r"(?<=[.!?。！？।؟])\s*")


def _starts(phrases: list[str]) -> re.Pattern[str]:
    words = sorted({normalize(p) for p in phrases if normalize(p)}, key=len, reverse=True)
    return re.compile(r"^(?:" + "|".join(map(re.escape, words)) + r")(?: |$)") if words else re.compile(r"(?!x)x")


@dataclass(frozen=True)
class ReplyReader:
    """One language's reply readers (normalised beginnings and phrases)."""

    yes: re.Pattern[str]
    no: re.Pattern[str]
    none: re.Pattern[str]
    evasions: tuple[str, ...]
    third_person: tuple[str, ...]

    def says_yes(self, reply: str) -> bool:
        return bool(self.yes.match(normalize(reply))) and not self.says_no(reply)

    def says_no(self, reply: str) -> bool:
        return bool(self.no.match(normalize(reply)))

    def says_none(self, reply: str) -> bool:
        return bool(self.none.match(normalize(reply)))

    def non_answer(self, reply: str) -> str | None:
        """Evidence that every sentence of the reply is an evasion."""
        sentences = [s for s in _SENTENCE.split(reply.strip()) if normalize(s)] or [reply]
        empty = all(any(f" {e} " in f" {normalize(s)} " for e in self.evasions) for s in sentences)
        return f"no answer: {reply.strip()[:80]!r}" if empty else None

    def meta(self, reply: str) -> str | None:
        """Evidence that the reply is a note about the patient, not the patient speaking."""
        padded = f" {normalize(reply)} "
        found = next((p for p in self.third_person if f" {p} " in padded), None)
        return f"speaks of {found!r} instead of as the patient" if found else None


@lru_cache(maxsize=16)
def reply_reader(tag: str) -> ReplyReader:
    """The reply readers of ``tag``'s language."""
    words = audit_words(tag)
    return ReplyReader(_starts(words["yes_starts"]), _starts(words["no_starts"]), _starts(words["none_starts"]),
                       tuple(filter(None, (normalize(e) for e in words["evasions"]))),
                       tuple(filter(None, (normalize(p) for p in words["third_person"]))))
