"""Retrieval latency as the store grows: 1k, 10k and 100k chunks.

Prints a table and writes bench/retrieval.json. The big stores are the wikinews store's articles written
again and again under new ids (`id-c1`, `id-c2`, ...) through the same `Store.write` an ingest uses, each
copy's vectors nudged by a little noise so the HNSW graph holds distinct points, as a real corpus would.
Embedding is skipped (the source store's vectors are reused): this measures retrieval, not ingest.
Latency is one `HybridRetriever.search` per dev-set question (query embedding, dense and BM25
lists, fusion), after one warm-up question. "BM25 +1 article" is what ingesting one more article costs the
lexical index (load, add its chunks, index again from the saved tokens, save), against "BM25 build", a
rebuild from every chunk read back from the store.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.chunking import chunk_article  # noqa: E402
from assistant.embeddings import embedding_name, make_embeddings  # noqa: E402
from assistant.lexical import lexical_for_update, save_lexical  # noqa: E402
from assistant.retrieval import HybridRetriever  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.store import Store  # noqa: E402
from assistant.types import Article, Chunk  # noqa: E402

SIZES = (1_000, 10_000, 100_000)


def source_items(store: Store, settings) -> list[tuple[Article, list[Chunk], np.ndarray]]:
    got = store.chunks.get(include=["embeddings"])
    vectors = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
    items = []
    for article_id in sorted(store.article_records()):
        article = store.get_article(article_id)
        assert article is not None
        chunks = chunk_article(article, settings.chunk_chars, settings.chunk_overlap_sentences)
        items.append((article, chunks, np.stack([vectors[c.id] for c in chunks])))
    return items


def copy_of(item: tuple[Article, list[Chunk], np.ndarray], n: int, rng: np.random.Generator):
    article, chunks, vectors = item
    new = article.model_copy(update={"id": f"{article.id}-c{n}", "source_path": f"{article.source_path}#copy{n}"})
    moved = [c.model_copy(update={"id": f"{new.id}:{c.index}", "article_id": new.id}) for c in chunks]
    noisy = vectors + rng.normal(0, 0.02, vectors.shape).astype(np.float32)
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return new, moved, noisy.tolist()


def latencies(retriever: HybridRetriever, questions: list[str]) -> list[float]:
    retriever.search(questions[0])  # warm-up: loads the lexical index, pages in the HNSW graph
    out = []
    for q in questions:
        t = time.perf_counter()
        retriever.search(q)
        out.append(1000 * (time.perf_counter() - t))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "store" / "wikinews",
                        help="an ingested store to copy (make eval builds store/wikinews)")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "wikinews" / "articles",
                        help="ingested into --source first when that store does not exist yet")
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "wikinews_dev.jsonl")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--keep", type=Path, help="build the grown store here and keep it (for profiling)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "bench" / "retrieval.json")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    src_settings = load_settings(env={}, dotenv=None, store=args.source)
    embeddings = make_embeddings(src_settings)
    if not (args.source / "chroma.sqlite3").exists():
        from assistant.service import Assistant

        Assistant(src_settings, embeddings=embeddings).ingest([str(args.corpus)])
    source = Store(src_settings, embedding_name(embeddings))
    items = source_items(source, src_settings)
    rng = np.random.default_rng(0)
    rows = []
    base = latencies(HybridRetriever(store=source, embeddings=embeddings), questions)
    rows.append({"store": "wikinews", "chunks": source.count(), "p50_ms": statistics.median(base),
                 "p95_ms": float(np.percentile(base, 95)), "write_s": 0.0, "lexical_build_s": 0.0,
                 "lexical_update_s": 0.0})
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(env={}, dotenv=None, store=args.keep or Path(tmp) / "grown")
        store = Store(settings, embedding_name(embeddings), create=True)
        copies, size = 0, 0
        for target in sorted(args.sizes):
            t = time.perf_counter()
            while size < target:
                copies += 1
                batch = []
                for item in items:
                    if size >= target:
                        break
                    batch.append(copy_of(item, copies, rng))
                    size += len(item[1])
                    if len(batch) == 64:
                        store.write(batch)
                        batch = []
                if batch:
                    store.write(batch)
            write_s = time.perf_counter() - t
            retriever = HybridRetriever(store=store, embeddings=embeddings)
            t = time.perf_counter()
            retriever.lexical_index()  # rebuilt for the grown store and saved beside it
            build_s = time.perf_counter() - t
            lat = latencies(retriever, questions)
            # What an ingest of one more article costs the lexical index: load it, add the chunks, save.
            copies += 1
            article, chunks, vectors = copy_of(items[0], copies, rng)
            t = time.perf_counter()
            lexical = lexical_for_update(store)
            store.write([(article, chunks, vectors)])
            assert lexical is not None
            lexical.add_article(article, chunks)
            save_lexical(store, lexical)
            update_s = time.perf_counter() - t
            size += len(chunks)
            rows.append({"store": f"grown x{copies}", "chunks": store.count(), "p50_ms": statistics.median(lat),
                         "p95_ms": float(np.percentile(lat, 95)), "write_s": write_s, "lexical_build_s": build_s,
                         "lexical_update_s": update_s})
            print(f"{rows[-1]['chunks']:>7} chunks: p50 {rows[-1]['p50_ms']:.0f} ms, p95 {rows[-1]['p95_ms']:.0f} ms", flush=True)
    print(f"{'store':<12} {'chunks':>8} {'p50 ms':>8} {'p95 ms':>8} {'write s':>8} {'BM25 build s':>13} "
          f"{'BM25 +1 article s':>18}")
    for r in rows:
        print(f"{r['store']:<12} {r['chunks']:>8} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} {r['write_s']:>8.1f} "
              f"{r['lexical_build_s']:>13.1f} {r['lexical_update_s']:>18.2f}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"questions": len(questions), "rows": rows}, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
