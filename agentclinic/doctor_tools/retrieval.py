"""Search over the corpus: BM25 (``bm25s``) by default, a local embedding model optionally.

The BM25 index is built once per corpus content and cached on disk under
``$AGENTCLINIC_RAG_CACHE`` (default ``runs/rag-index``), keyed by the corpus digest, so an
unchanged corpus is never indexed twice and a changed one is never served stale. Within a
process, retrievers are shared.

``embedding:<path>`` ranks by cosine similarity of a sentence-transformers model loaded from
a local path (extra ``rag-embed``); nothing is downloaded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .corpus import CorpusError, Passage, corpus_digest, load_corpus

DEFAULT_TOP_K = 3
DEFAULT_CACHE = Path("runs") / "rag-index"


@dataclass(frozen=True)
class Hit:
    """A passage found by a search, with its score and 1-based rank."""

    passage: Passage
    score: float
    rank: int


class Retriever(Protocol):
    passages: list[Passage]
    digest: str

    def search(self, query: str, k: int = DEFAULT_TOP_K) -> list[Hit]:
        """The ``k`` best passages for ``query``, best first."""
        ...


def cache_root() -> Path:
    return Path(os.environ.get("AGENTCLINIC_RAG_CACHE") or DEFAULT_CACHE)


def _stemmer():
    try:
        import Stemmer  # PyStemmer: "stiffness" finds "stiff"
    except ImportError:  # pragma: no cover - a dependency; BM25 still works on whole words
        return None
    return Stemmer.Stemmer("english")


class BM25Retriever:
    """BM25 over the corpus passages (title and text), with English stop words and stemming."""

    def __init__(self, passages: list[Passage], cache: Path | None = None):
        import bm25s

        self.passages = passages
        self.digest = corpus_digest(passages)
        self._bm25s = bm25s
        self._stem = _stemmer()
        self.index_path = (cache or cache_root()) / f"bm25-{self.digest[:24]}"
        self.built = False  # True when this instance indexed the corpus (no cached index was found)
        self.model = self._load() or self._build()

    def _tokens(self, texts: list[str], ids: bool):
        return self._bm25s.tokenize(texts, stopwords="en", stemmer=self._stem, return_ids=ids, show_progress=False)

    def _load(self):
        if not (self.index_path / "params.index.json").is_file():
            return None
        try:
            return self._bm25s.BM25.load(str(self.index_path))
        except (OSError, ValueError, KeyError):  # a damaged cache entry is rebuilt
            return None

    def _build(self):
        model = self._bm25s.BM25()
        model.index(self._tokens([f"{p.title}\n{p.text}" for p in self.passages], ids=True), show_progress=False)
        self.built = True
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".bm25-", dir=self.index_path.parent))
        model.save(str(staging))
        try:
            staging.rename(self.index_path)  # atomic: readers never see half an index
        except OSError:  # another process finished first: its index is the same
            shutil.rmtree(staging, ignore_errors=True)
        return model

    def search(self, query: str, k: int = DEFAULT_TOP_K) -> list[Hit]:
        tokens = self._tokens([query], ids=False)
        if not tokens or not tokens[0]:
            return []
        k = max(1, min(k, len(self.passages)))
        documents, scores = self.model.retrieve(tokens, k=k, show_progress=False)
        return [Hit(self.passages[int(d)], float(s), rank) for rank, (d, s) in
                enumerate(zip(documents[0], scores[0]), 1) if float(s) > 0]


class EmbeddingRetriever:
    """Cosine similarity of a local sentence-transformers model's embeddings."""

    def __init__(self, passages: list[Passage], model_path: str):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise CorpusError("embedding retrieval needs sentence-transformers: pip install "
                              "'agentclinic[rag-embed]' (or use the default --rag-retriever bm25)") from exc
        if not Path(model_path).exists():
            raise CorpusError(f"--rag-retriever embedding:{model_path}: no such local model folder (nothing is "
                              "downloaded); give the path of a saved sentence-transformers model")
        self.passages = passages
        self.digest = corpus_digest(passages)
        self.model = SentenceTransformer(model_path, device="cpu", local_files_only=True)
        self.vectors = self.model.encode([f"{p.title}\n{p.text}" for p in passages], normalize_embeddings=True)

    def search(self, query: str, k: int = DEFAULT_TOP_K) -> list[Hit]:
        vector = self.model.encode([query], normalize_embeddings=True)[0]
        scores = self.vectors @ vector
        order = scores.argsort()[::-1][:k]
        return [Hit(self.passages[int(i)], float(scores[i]), rank) for rank, i in enumerate(order, 1)]


_OPEN: dict[tuple[str, str], Retriever] = {}
_LOCK = threading.Lock()


def open_retriever(corpus: str | Path | None = None, kind: str = "bm25") -> Retriever:
    """The retriever for ``corpus`` (default: the bundled one), shared within the process.

    ``kind`` is ``bm25`` or ``embedding:<local model path>``. The corpus is re-read each call
    (cheap) so an edited folder gets a fresh index, never a stale one.
    """
    passages = load_corpus(corpus)
    key = (corpus_digest(passages), kind)
    with _LOCK:
        if key not in _OPEN:
            _OPEN[key] = _make(passages, kind)
        return _OPEN[key]


def _make(passages: list[Passage], kind: str) -> Retriever:
    if kind == "bm25":
        return BM25Retriever(passages)
    if kind.startswith("embedding:") and kind[len("embedding:"):]:
        return EmbeddingRetriever(passages, kind[len("embedding:"):])
    raise CorpusError(f"--rag-retriever {kind!r}: expected bm25 or embedding:<local model path>")


def format_hits(hits: list[Hit]) -> str:
    """Passages as the doctor reads them: id and text, or a line saying nothing matched."""
    if not hits:
        return "No passage matched the search."
    return "\n\n".join(f"[{hit.passage.id}]\n{hit.passage.text}" for hit in hits)
