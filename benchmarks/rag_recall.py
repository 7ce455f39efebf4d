"""Retrieval quality of the doctor's rag tool on a labelled query set (prints numbers; not a test).

    python benchmarks/rag_recall.py [--queries benchmarks/rag_queries.yaml] [--corpus DIR] [--k 5]

Each query names a patient's key findings (never the condition); it counts as found when a
passage of its condition (by title or alias) is among the top k. Prints recall@1, @3 and @k
and mean reciprocal rank, then the misses. The queries were written without reading the corpus.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import yaml

from agentclinic.doctor_tools.corpus import load_corpus
from agentclinic.doctor_tools.retrieval import BM25Retriever, open_retriever
from agentclinic.text import normalize

HERE = Path(__file__).resolve().parent


def rank_of(condition: str, hits) -> int | None:
    wanted = normalize(condition)
    for hit in hits:
        if wanted in {normalize(n) for n in (hit.passage.title, *hit.passage.aliases)}:
            return hit.rank
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", default=str(HERE / "rag_queries.yaml"))
    parser.add_argument("--corpus", default=None, help="corpus folder (default: the bundled summaries)")
    parser.add_argument("--retriever", default="bm25")
    parser.add_argument("--k", type=int, default=5)
    args = parser.parse_args()
    queries = yaml.safe_load(Path(args.queries).read_text(encoding="utf-8"))["queries"]
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        fresh = BM25Retriever(load_corpus(args.corpus), Path(cache)) if args.retriever == "bm25" else None
        index_s = time.perf_counter() - started
        retriever = fresh or open_retriever(args.corpus, args.retriever)
        started = time.perf_counter()
        ranks = [rank_of(q["condition"], retriever.search(q["query"], k=max(args.k, 10))) for q in queries]
        search_ms = (time.perf_counter() - started) * 1000 / len(queries)
    n = len(queries)

    def recall(k: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= k) / n

    mrr = sum(1 / r for r in ranks if r is not None and r <= 10) / n
    print(f"corpus: {len(retriever.passages)} passages; {n} queries; retriever {args.retriever}")
    print(f"recall@1 {recall(1):.3f}  recall@3 {recall(3):.3f}  recall@{args.k} {recall(args.k):.3f}  "
          f"MRR@10 {mrr:.3f}")
    print(f"index build {index_s:.2f} s; search {search_ms:.2f} ms/query")
    misses = [(q, r) for q, r in zip(queries, ranks) if r is None or r > args.k]
    for query, rank in misses:
        print(f"  miss (rank {rank or '>10'}): {query['condition']}: {query['query']}")


if __name__ == "__main__":
    main()
