"""Retrieval: BM25 over the corpus, its on-disk index (built once, reused, never stale), and
an optional local embedding model."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentclinic.doctor_tools import retrieval
from agentclinic.doctor_tools.corpus import load_corpus
from agentclinic.doctor_tools.retrieval import BM25Retriever, open_retriever


@pytest.fixture()
def small_corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "meningitis.md").write_text("# Bacterial meningitis\nFever, headache, neck stiffness and "
                                          "photophobia; cloudy spinal fluid with neutrophils.", encoding="utf-8")
    (folder / "migraine.md").write_text("# Migraine\nThrobbing one-sided headache with nausea and aura; "
                                        "normal examination between attacks.", encoding="utf-8")
    (folder / "gout.md").write_text("# Gout\nA red, hot, swollen big toe at night; urate crystals.",
                                    encoding="utf-8")
    return folder


def test_the_index_is_built_once_and_reused_from_disk(small_corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    first = BM25Retriever(load_corpus(small_corpus), cache)
    assert first.built and (first.index_path / "params.index.json").is_file()
    second = BM25Retriever(load_corpus(small_corpus), cache)
    assert not second.built  # read from the cache, not indexed again
    query = "stiff neck and fever with light hurting the eyes"
    assert [h.passage.id for h in second.search(query)] == [h.passage.id for h in first.search(query)]
    assert first.search(query)[0].passage.title == "Bacterial meningitis"  # stemming: stiff ~ stiffness


def test_an_edited_corpus_gets_a_new_index_never_a_stale_one(small_corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    before = BM25Retriever(load_corpus(small_corpus), cache)
    (small_corpus / "gout.md").write_text("# Gout\nA swollen big toe; also tophi on the ears.", encoding="utf-8")
    after = BM25Retriever(load_corpus(small_corpus), cache)
    assert after.built and after.index_path != before.index_path
    assert after.search("tophi ears")[0].passage.id == "gout"


def test_a_damaged_cached_index_is_rebuilt(small_corpus: Path, tmp_path: Path):
    cache = tmp_path / "cache"
    built = BM25Retriever(load_corpus(small_corpus), cache)
    (built.index_path / "params.index.json").write_text("{not json", encoding="utf-8")
    again = BM25Retriever(load_corpus(small_corpus), cache)
    assert again.built and again.search("big toe")[0].passage.id == "gout"


def test_open_retriever_shares_one_index_per_corpus_in_a_process(small_corpus: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setenv("AGENTCLINIC_RAG_CACHE", str(tmp_path / "cache"))
    assert open_retriever(small_corpus) is open_retriever(small_corpus)
    assert [h.passage.id for h in open_retriever(small_corpus).search("")] == []  # nothing to search for


@pytest.mark.parametrize("query, expected", [
    ("irregularly irregular pulse palpitations breathless, no P waves on the ECG", "atrial-fibrillation"),
    ("crushing central chest pain, sweating, ST elevation in V1 to V4, troponin high", "acute-st-elevation"),
    ("fever, neck stiffness, photophobia, purpuric rash, turbid CSF with neutrophils", "meningitis"),
    ("polyuria, polydipsia, weight loss, ketones in urine, glucose 28 mmol/L, low bicarbonate", "ketoacidosis"),
])
def test_a_query_naming_key_findings_finds_the_condition_in_the_bundled_corpus(query: str, expected: str,
                                                                               tmp_path: Path, monkeypatch):
    monkeypatch.setenv("AGENTCLINIC_RAG_CACHE", str(tmp_path / "cache"))
    hits = open_retriever().search(query, k=5)
    assert any(expected in hit.passage.id for hit in hits), [h.passage.id for h in hits]


def test_an_unknown_retriever_is_a_clear_error(small_corpus: Path):
    with pytest.raises(ValueError, match="expected bm25 or embedding"):
        open_retriever(small_corpus, "tfidf")
    with pytest.raises(ValueError, match="no such local model folder"):
        open_retriever(small_corpus, f"embedding:{small_corpus / 'no-model'}")


def test_embedding_retrieval_runs_on_a_local_model_without_downloads(small_corpus: Path, tmp_path: Path):
    pytest.importorskip("sentence_transformers", reason="extra rag-embed")
    from transformers import BertConfig, BertModel, BertTokenizerFast

    # A tiny randomly initialised model saved locally: plumbing, not retrieval quality.
    folder = tmp_path / "tiny-model"
    BertModel(BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                         intermediate_size=32)).save_pretrained(folder)
    letters = [chr(c) for c in range(97, 123)]
    (folder / "vocab.txt").write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *letters,
                                                 *(f"##{c}" for c in letters)]), encoding="utf-8")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    found = open_retriever(small_corpus, f"embedding:{folder}").search("big toe", k=3)
    assert sorted(h.passage.id for h in found) == ["gout", "meningitis", "migraine"]
    assert [h.rank for h in found] == [1, 2, 3] and found[0].score >= found[-1].score


def test_the_cache_location_follows_the_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("AGENTCLINIC_RAG_CACHE", str(tmp_path / "x"))
    assert retrieval.cache_root() == tmp_path / "x"
