"""The retrieval corpus: reading a folder, the bundled summaries' coverage, and no case text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agentclinic.doctor_tools.corpus import PASSAGE_CHARS, CorpusError, load_corpus
from agentclinic.loader import load_pack
from agentclinic.matching import load_diagnosis_graph
from agentclinic.paths import bundled_dir
from agentclinic.text import normalize


def test_a_folder_of_markdown_and_text_files_becomes_passages(tmp_path: Path):
    (tmp_path / "a.md").write_text("# Gout\nAlso called: podagra; gouty arthritis\nA hot big toe.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("Plain notes on croup without a heading.", encoding="utf-8")
    (tmp_path / "README.md").write_text("# About this corpus", encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    passages = load_corpus(tmp_path)
    assert [(p.id, p.title) for p in passages] == [("a", "Gout"), ("sub/b", "b")]
    assert passages[0].aliases == ("podagra", "gouty arthritis")


def test_a_long_file_is_cut_at_its_sections_each_titled(tmp_path: Path):
    body = "".join(f"## Part {n}\n" + "word " * 200 + "\n" for n in range(3))
    (tmp_path / "long.md").write_text(f"# Long condition\n{body}", encoding="utf-8")
    passages = load_corpus(tmp_path)
    assert len(body) > PASSAGE_CHARS
    assert [p.id for p in passages] == ["long#1", "long#2", "long#3", "long#4"]
    assert all(p.text.startswith("# Long condition") for p in passages)


def test_bad_folders_get_one_line_errors(tmp_path: Path):
    with pytest.raises(CorpusError, match="not a folder"):
        load_corpus(tmp_path / "missing")
    with pytest.raises(CorpusError, match="no .md or .txt files"):
        load_corpus(tmp_path)
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(CorpusError, match="cannot be read as UTF-8"):
        load_corpus(tmp_path)


def test_a_link_out_of_the_folder_is_refused(tmp_path: Path):
    outside = tmp_path / "secret.md"
    outside.write_text("# Secret\nnot for the doctor", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.md").write_text("# Fine\ntext", encoding="utf-8")
    (corpus / "escape.md").symlink_to(outside)
    with pytest.raises(CorpusError, match="points outside the folder"):
        load_corpus(corpus)


def _names(passages) -> set[str]:
    return {normalize(name) for p in passages for name in (p.title, *p.aliases)}


def test_the_bundled_corpus_covers_every_diagnosis_and_distractor_of_the_bundled_packs():
    passages = load_corpus()
    known = _names(passages)
    graph = load_diagnosis_graph()
    missing = []
    for pack_dir in sorted(p for p in bundled_dir("scenarios").iterdir() if p.is_dir()):
        for case in load_pack(pack_dir).scenarios:
            for name in (case.diagnosis.name, *case.distractors):
                if not (graph.equivalents(name) | {normalize(name)}) & known:
                    missing.append(f"{case.id}: {name}")
    assert not missing, missing


def test_every_bundled_summary_has_the_agreed_sections():
    for passage in load_corpus():
        for heading in ("## Presentation", "## Key findings", "## Tests", "## Differentials"):
            assert heading in passage.text, (passage.id, heading)


def _shingles(text: str, n: int = 8) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def test_no_case_text_is_in_the_corpus():
    """Retrieval must never see the cases: no run of eight words of any case's own text
    (patient card, objective, findings, results) appears in the corpus."""
    corpus = set().union(*(_shingles(p.text) for p in load_corpus()))
    leaked = []
    for pack_dir in sorted(p for p in bundled_dir("scenarios").iterdir() if p.is_dir()):
        for case in load_pack(pack_dir).scenarios:
            text = case.model_dump_json(exclude={"diagnosis", "distractors", "title", "id", "key_facts"})
            leaked += [f"{case.id}: {s}" for s in _shingles(text) & corpus]
    assert not leaked, leaked[:5]
