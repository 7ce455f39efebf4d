"""The shape of a final answer, read before the judge compares names (pure).

A final diagnosis names one condition. This module finds the conditions an answer names
and how the words between them join them:

* ``single``: one condition, perhaps with qualifiers, an uncertainty word ("probable"),
  synonyms side by side ("myasthenia gravis (MG)") or other conditions ruled out ("not PE");
* ``linked``: exactly two conditions in one assertion, a cause and its effect or a disease
  and its complication ("iron-deficiency anaemia secondary to colorectal cancer");
* ``hedged``: several conditions offered (lists, "or", "vs", "either", slashes, semicolons,
  "X, possibly Y", ranked lines, JSON arrays, markdown bullets), a condition named only as
  something to rule out, or a chain of more than two conditions;
* ``negation``: nothing asserted, only ruled out; ``empty``: nothing at all.

The words are data (``data/answer_phrases.yaml``); the condition names come from the
caller (the diagnosis graph and the case), so this module knows no diseases itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..language.data import merged_lists
from ..language.registry import LANGUAGES
from ..paths import data_file
from ..yaml_cache import read_yaml
from .folding import fold, fold_tokens
from .guard import Mention

_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)]|[a-z]\))\s+")  # not "C. difficile": a letter needs ")"
_MARKUP = re.compile(r"\*\*|__|`+|^#+\s*|^>\s*", re.MULTILINE)
_ANSWER_KEYS = ("diagnosis", "final_diagnosis", "answer", "dx", "condition", "name")
_MAX_ITEMS = 50


@dataclass(frozen=True)
class AnswerShape:
    """What an answer asserts, and why it was read that way."""

    kind: str  # empty | single | linked | hedged | negation
    text: str  # the answer without wrappers and lead-ins
    parts: tuple[str, ...] = ()  # the asserted phrase, or the two linked phrases
    excluded: tuple[str, ...] = ()  # conditions the answer rules out
    reason: str = ""


@dataclass(frozen=True)
class _Phrases:
    prefixes: re.Pattern[str]
    alternatives: re.Pattern[str]
    open_only: re.Pattern[str]
    negation_before: re.Pattern[str]
    negation_start: re.Pattern[str]
    negation_after: re.Pattern[str]
    links: re.Pattern[str]
    lists: re.Pattern[str]
    heads: frozenset[str]
    suffixes: tuple[str, ...]
    qualifiers: frozenset[str]
    modifiers: frozenset[str]
    coordinators: re.Pattern[str]  # "or" between two alternatives sharing a head


def _alternation(phrases: Sequence[str]) -> str:
    ordered = sorted({p.lower() for p in phrases}, key=len, reverse=True)
    return "|".join(re.escape(p) for p in ordered)


_UNSPACED = re.compile("[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3]")


def _bounded(phrases: Sequence[str], before: bool = True, after: bool = True, tail: str = "") -> str:
    """An alternation of ``phrases``: word-bounded (on the sides asked for), except Chinese or
    Korean phrases, whose words are not separated by spaces ("心梗或肺栓塞")."""
    spaced = [p for p in phrases if not _UNSPACED.search(p)]
    unspaced = [p for p in phrases if _UNSPACED.search(p)]
    # Devanagari vowel signs are not \w, yet belong to the word ("या" is not the end of "निमोनिया").
    left, right = ("(?<![\\w\u0900-\u0963])" if before else ""), ("(?![\\w\u0900-\u0963])" if after else "")
    parts = [f"{left}(?:{_alternation(spaced)}){right}{tail}"] if spaced else []
    parts += [f"(?:{_alternation(unspaced)}){tail}"] if unspaced else []
    return "|".join(parts) or "(?!x)x"


def _words(phrases: Sequence[str]) -> re.Pattern[str]:
    # Word-bounded, except punctuation phrases, which stand on their own, and unspaced scripts.
    return re.compile(_bounded(phrases))


@lru_cache(maxsize=4)
def load_phrases(path: Path | None = None) -> _Phrases:
    """The answer vocabulary (cached)."""
    data = read_yaml(path or data_file("answer_phrases.yaml"))
    if path is None:  # an answer is read in any supported language (data/languages/<code>/)
        for key, extra in merged_lists([c for c in LANGUAGES if c != "en"], "answer_phrases", "phrases").items():
            data[key] = list(dict.fromkeys([*data.get(key, []), *extra]))
    return _Phrases(
        prefixes=re.compile(rf"^\s*(?:{_alternation(data['prefixes'])})(?:(?![\w])|(?<=[^\x00-\u2fff]))"
                            rf"\s*(?:is\b|:|：|-|–)?\s*", re.I),
        alternatives=re.compile(rf"{_words(data['alternatives']).pattern}|[/;?|；？／]|\bvs\."),
        open_only=_words(data["open_only"]),
        negation_before=re.compile(_bounded(data["negations_before"], after=False, tail=_TO_END)),
        negation_start=re.compile(_bounded(data["negations_before"], before=False)),
        negation_after=re.compile(rf"^\W*(?:{_bounded(data['negations_after'], before=False)})"),
        coordinators=re.compile(rf"\s*(?:{_bounded(data.get('coordinators') or ['or'])}|/)\s*", re.IGNORECASE),
        links=_words(data["links"]),
        lists=re.compile(rf"{_words([p for p in data['lists'] if p.isalpha() or ' ' in p]).pattern}|[,&+，、،]"),
        heads=frozenset(fold(word) for word in data["condition_heads"]),
        suffixes=tuple(data["condition_suffixes"]),
        qualifiers=frozenset(fold(word) for word in data["qualifier_heads"]),
        modifiers=frozenset(fold(word) for word in data["modifiers"]),
    )


# ---- unwrapping ---------------------------------------------------------------------------
def _json_items(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, (int, float)):
        return [str(value)]
    if isinstance(value, list):
        return [item for element in value[:_MAX_ITEMS] for item in _json_items(element)]
    if isinstance(value, dict):
        for key in _ANSWER_KEYS:
            if key in value:
                return _json_items(value[key])
        return [item for element in list(value.values())[:_MAX_ITEMS] for item in _json_items(element)]
    return []


def _strip_lead_ins(item: str, phrases: _Phrases) -> str:
    item = item.strip().strip("\"'“”‘’").strip()
    for _ in range(4):  # "Final diagnosis: the diagnosis is X"
        shorter = phrases.prefixes.sub("", item, count=1).strip()
        if shorter == item:
            break
        item = shorter
    return item.strip().strip("\"'“”‘’()[]{}").rstrip(".:!;,").strip()


def unwrap(answer: str, phrases: _Phrases | None = None) -> list[str]:
    """The answer's items: one, or several when it is a JSON array, bullets or lines."""
    phrases = phrases or load_phrases()
    text = answer.strip()
    items: list[str] | None = None
    if text[:1] in "[{\"":
        try:
            items = _json_items(json.loads(text))
        except (json.JSONDecodeError, RecursionError):
            items = None
    if items is None:
        text = _MARKUP.sub("", text)
        items = [_BULLET.sub("", line) for line in text.splitlines()]
    cleaned = (_strip_lead_ins(item, phrases) for item in items[:_MAX_ITEMS])
    return [item for item in cleaned if fold(item)]


# ---- reading ------------------------------------------------------------------------------
def _looks_like_condition(segment: str, phrases: _Phrases) -> bool:
    words = [token.folded for token in fold_tokens(segment)]
    if any(w in phrases.qualifiers for w in words):
        return False  # "nodular sclerosis subtype", "stage 2" describe the condition named before
    return any(w in phrases.heads or (len(w) > 5 and w.endswith(phrases.suffixes)) for w in words)


_DASH = re.compile(r"\s[-–—]\s")  # "- X - Y" once bullets are joined on one line
_STOP = frozenset("a an the of in on with to and or for at by is it this that be as all most more less very highly "
                  "quite rather".split())


def _substantive(segment: str, phrases: _Phrases) -> bool:
    """A segment with a word that is neither a modifier nor a number, and no qualifier head:
    beside another condition it is a second one offered ("haemorrhoids or endometritis",
    "endometritis, haemorrhoids"), not a qualifier ("left or right", "right lower lobe",
    "nodular sclerosis subtype")."""
    words = fold(segment).split()
    if any(w in phrases.qualifiers for w in words):
        return False
    return any(w not in phrases.modifiers and w not in _STOP and not w.isdigit() and len(w) > 2 for w in words)


def _names_something(segment: str, phrases: _Phrases) -> bool:
    """A comma segment that starts like a name: no leading modifier, no number."""
    words = fold(segment).split()
    return bool(words) and words[0] not in phrases.modifiers and words[0] not in _STOP \
        and not any(ch.isdigit() for ch in segment)


def _listed_conditions(text: str, asserted: list[Mention], excluded: list[Mention], phrases: _Phrases) -> list[str]:
    """The separately offered conditions of a list or a set of alternatives, including names
    the vocabulary does not know: any substantive segment after an alternative word or a
    dash ("Brugada syndrome or long QT", "haemorrhoids or endometritis"), and a segment that
    reads as a condition after a comma or "and"."""
    separators = re.compile(rf"{phrases.alternatives.pattern}|{phrases.lists.pattern}|{_DASH.pattern}")
    lower = text.lower()
    found = list(separators.finditer(lower))
    bounds = [0] + [edge for match in found for edge in (match.start(), match.end())] + [len(text)]
    segments = list(zip(bounds[::2], bounds[1::2]))
    # The separators on each side of a segment, runs included (", possibly" is one).
    sides: list[set[str]] = [set() for _ in segments]
    for i, match in enumerate(found):
        before = next((j for j in range(i, -1, -1) if lower[segments[j][0]:segments[j][1]].strip()), None)
        after = next((j for j in range(i + 1, len(segments)) if lower[segments[j][0]:segments[j][1]].strip()), None)
        for j in (before, after):
            if j is not None:
                sides[j].add(match.group(0).strip())
    offered: list[tuple[str, str]] = []
    for (start, end), seen in zip(segments, sides):
        # Only commas around a segment: it must read as a name of its own ("endometritis,
        # haemorrhoids"), not a description ("first MTP joint", "QRS 140 ms").
        comma = seen <= {","}
        segment = lower[start:end].strip()
        if not segment or phrases.links.match(segment) or phrases.negation_start.match(segment):
            continue  # a link or a negation continues the previous item ("X, secondary to Y")
        if any(m.start < end and start < m.end for m in excluded):
            continue
        known = [m.term for m in asserted if m.start < end and start < m.end]
        if known:
            offered.append(("<known>", known[0]))  # vocabulary names count once: they are one condition
        elif found and (_looks_like_condition(segment, phrases) or _substantive(segment, phrases) and
                        (not comma or _names_something(segment, phrases))):
            offered.append((segment, text[start:end].strip()))
    return list(dict(offered).values())


def _unknown_conditions(text: str, mentions: list[Mention], phrases: _Phrases) -> list[str]:
    """Condition-like stretches between the known names ("mitral stenosis" when the
    vocabulary lacks it), cut at every connective."""
    connectives = re.compile(rf"{phrases.alternatives.pattern}|{phrases.lists.pattern}|{phrases.links.pattern}")
    found: list[str] = []
    edges = [0, *[edge for m in mentions for edge in (m.start, m.end)], len(text)]
    for start, end in zip(edges[::2], edges[1::2]):
        for piece in connectives.split(text[start:end].lower()):
            piece = piece.strip(" ,;:()-")
            if piece and not phrases.negation_start.match(piece) and _looks_like_condition(piece, phrases):
                found.append(piece)
    return found


def _clusters(mentions: list[Mention], same: Callable[[str, str], bool]) -> list[list[Mention]]:
    clusters: list[list[Mention]] = []
    for mention in mentions:
        for cluster in clusters:
            if any(same(mention.term, other.term) for other in cluster):
                cluster.append(mention)
                break
        else:
            clusters.append([mention])
    return clusters


def _without(text: str, negated: list[Mention], phrases: _Phrases) -> str:
    """``text`` without the conditions it rules out and the words that rule them out."""
    for mention in sorted(negated, key=lambda m: m.start, reverse=True):
        before = phrases.negation_before.search(text[: mention.start].lower())
        after = phrases.negation_after.search(text[mention.end:].lower())
        start = before.start() if before else mention.start
        end = mention.end + (after.end() if after else 0)
        text = text[:start] + text[end:]
    return re.sub(r"\s+", " ", text).strip(" ,;:-") or text


def _negated(text: str, mention: Mention, phrases: _Phrases) -> bool:
    before, after = text[: mention.start].lower(), text[mention.end:].lower()
    return bool(phrases.negation_before.search(before) or phrases.negation_after.search(after))


def read_answer(answer: str | None, find_mentions: Callable[[str], list[Mention]],
                same: Callable[[str, str], bool], phrases: _Phrases | None = None) -> AnswerShape:
    """Read ``answer``: which conditions it asserts (``find_mentions`` finds known names;
    ``same`` says whether two names are one condition) and how they are joined."""
    phrases = phrases or load_phrases()
    items = unwrap(answer or "", phrases)
    text = "; ".join(items)
    if not items:
        return AnswerShape("empty", text, reason="no diagnosis was given")
    mentions = find_mentions(text)
    asserted = [m for m in mentions if not _negated(text, m, phrases)]
    negated = [m for m in mentions if m not in asserted]
    excluded = tuple(dict.fromkeys(m.term for m in negated))
    clusters = _clusters(asserted, same)
    if len(clusters) >= 3:
        names = ", ".join(repr(c[0].term) for c in clusters[:4])
        return AnswerShape("hedged", text, excluded=excluded, reason=f"names {len(clusters)} conditions ({names})")
    unknown = _unknown_conditions(text, mentions, phrases)
    if len(clusters) + len(unknown) >= 3:
        names = [repr(c[0].term) for c in clusters] + [repr(u) for u in unknown]
        return AnswerShape("hedged", text, excluded=excluded,
                           reason=f"names {len(names)} conditions ({', '.join(names[:4])})")
    if len(clusters) == 2:
        return _two_conditions(text, clusters, excluded, phrases)
    offered = _listed_conditions(text, asserted, negated, phrases)
    if len(offered) >= 2:
        shown = ", ".join(repr(o) for o in offered[:4])
        return AnswerShape("hedged", text, excluded=excluded, reason=f"offers several conditions ({shown})")
    if (pair := _coordinated(text, find_mentions, same, phrases)) is not None:
        return AnswerShape("hedged", text, excluded=excluded,
                           reason=f"offers {pair[0]!r} and {pair[1]!r} as alternatives")
    if not clusters and excluded:
        return AnswerShape("negation", text, excluded=excluded, reason="the answer only rules conditions out")
    if clusters and phrases.open_only.search(text[: clusters[0][0].start].lower()):
        return AnswerShape("hedged", text, excluded=excluded,
                           reason=f"names {clusters[0][0].term!r} only as something to rule out")
    return AnswerShape("single", text, (_without(text, negated, phrases),), excluded, "one condition")


_TO_END = r"\W*$"  # a negation right before the condition: "not X"
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7a3"
# A word, or one character of a script written without spaces ("细菌性或病毒性脑膜炎").
_WORD = re.compile(rf"[{_CJK}]|(?:(?![{_CJK}])[\w\u0900-\u0963-])+")


def _coordinated(text: str, find_mentions: Callable[[str], list[Mention]], same: Callable[[str, str], bool],
                 phrases: _Phrases) -> tuple[str, str] | None:
    """Alternatives over a shared head ("bacterial or viral meningitis", "type 1 or type 2
    diabetes"): each side read on its own names a different condition."""
    window = 6 if _UNSPACED.search(text) else 3  # a head of three words is six characters or so
    for separator in phrases.coordinators.finditer(text):
        left = [w.start() for w in _WORD.finditer(text[: separator.start()])][-window:]
        right = [w.end() + separator.end() for w in _WORD.finditer(text[separator.end():])][:window]
        for start in left:
            for end in right:
                first = text[: separator.start()] + text[end:]  # "bacterial meningitis"
                second = text[:start] + text[separator.end():]  # "viral meningitis"
                one, two = find_mentions(first), find_mentions(second)
                if one and two and not any(same(a.term, b.term) for a in one for b in two):
                    return one[0].term, two[0].term
    return None


def _two_conditions(text: str, clusters: list[list[Mention]], excluded: tuple[str, ...],
                    phrases: _Phrases) -> AnswerShape:
    first, second = sorted(clusters, key=lambda c: c[0].start)
    left = max(first, key=lambda m: m.end if m.end <= second[0].start else -1)
    gap = text[left.end: second[0].start]
    names = f"{first[0].term!r} and {second[0].term!r}"
    lower_gap = gap.lower()
    if phrases.alternatives.search(lower_gap) or phrases.open_only.search(text[: first[0].start].lower()):
        return AnswerShape("hedged", text, excluded=excluded, reason=f"offers {names} as alternatives")
    link = phrases.links.search(lower_gap)
    # A comma before the link is punctuation ("sepsis, secondary to pneumonia"); "and" is a list.
    if link is None or phrases.lists.search(lower_gap[: link.start()].replace(",", " ")):
        return AnswerShape("hedged", text, excluded=excluded, reason=f"lists {names}")
    cut_start, cut_end = left.end + link.start(), left.end + link.end()
    parts = (text[:cut_start].strip(" ,;:-"), text[cut_end:].strip(" ,;:-"))
    return AnswerShape("linked", text, parts, excluded, f"links {names} ({link.group(0)!r})")
