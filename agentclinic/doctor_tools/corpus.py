"""The retrieval corpus: a folder of Markdown or text files, cut into passages.

Every ``*.md`` and ``*.txt`` file under the folder is read (``README.md`` and ``LICENSE*``
excepted, so a corpus can carry its own notes). A file's title is its first ``# `` heading
(else its name) and an ``Also called: a; b`` line gives aliases. A file of up to
:data:`PASSAGE_CHARS` characters is one passage; a longer one is cut at its ``## `` headings,
each piece prefixed with the title so it stands alone. Passage ids are the file's path
relative to the folder, without suffix, plus ``#n`` for pieces.

The folder is untrusted input: a file or link that resolves outside it is refused.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..paths import data_file

PASSAGE_CHARS = 1600
SUFFIXES = (".md", ".txt")
_SKIPPED = re.compile(r"^(readme\.md|license.*)$", re.IGNORECASE)
_ALIASES = re.compile(r"^also called:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
_SECTION = re.compile(r"^(?=## )", re.MULTILINE)


class CorpusError(ValueError):
    """A corpus folder that cannot be used, with what to fix."""


@dataclass(frozen=True)
class Passage:
    """One retrievable piece of the corpus."""

    id: str
    title: str
    text: str
    aliases: tuple[str, ...] = ()


def default_corpus() -> Path:
    """The bundled condition summaries (``agentclinic/data/corpus``, CC BY 4.0)."""
    return data_file("corpus")


def load_corpus(directory: str | Path | None = None) -> list[Passage]:
    """Every passage of the corpus at ``directory`` (default: the bundled one), in path order."""
    root = Path(directory) if directory is not None else default_corpus()
    if not root.is_dir():
        raise CorpusError(f"--rag-corpus {root}: not a folder; give a folder of .md or .txt files")
    base = root.resolve()
    passages: list[Passage] = []
    for path in sorted(p for p in root.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file()):
        if _SKIPPED.match(path.name):
            continue
        if not path.resolve().is_relative_to(base):
            raise CorpusError(f"--rag-corpus {root}: {path} points outside the folder; copy the file in instead")
        passages += _passages(path, path.relative_to(root).with_suffix("").as_posix())
    if not passages:
        raise CorpusError(f"--rag-corpus {root}: no .md or .txt files with text in it")
    return passages


def _passages(path: Path, ident: str) -> list[Passage]:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"corpus file {path} cannot be read as UTF-8 text ({exc}); fix or remove it") from exc
    if not text:
        return []
    first = text.splitlines()[0]
    title = first[2:].strip() if first.startswith("# ") else path.stem.replace("-", " ").replace("_", " ")
    aliases = _aliases(text)
    if len(text) <= PASSAGE_CHARS:
        return [Passage(ident, title, text, aliases)]
    pieces = [piece.strip() for piece in _SECTION.split(text) if piece.strip()]
    return [Passage(f"{ident}#{n}", title, piece if piece.startswith("# ") else f"# {title}\n{piece}", aliases)
            for n, piece in enumerate(pieces, 1)]


def _aliases(text: str) -> tuple[str, ...]:
    match = _ALIASES.search(text)
    if not match or match.group(1).strip().lower() == "none":
        return ()
    return tuple(a.strip() for a in match.group(1).split(";") if a.strip())


def corpus_digest(passages: list[Passage]) -> str:
    """A digest of the passages' ids and texts: the retrieval index's cache key."""
    digest = hashlib.sha256()
    for passage in passages:
        digest.update(passage.id.encode() + b"\0" + passage.text.encode() + b"\0")
    return digest.hexdigest()
