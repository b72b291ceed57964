"""Ingest throughput against the naive LangChain baseline, re-ingest cost, and `ask` cold start.

Prints a table and writes bench/ingest.json. Both pipelines run in this one process on the same corpus,
so the ratio is fair on a shared, noisy machine:
- ours: `Assistant.ingest` (sentence chunks, NumPy MiniLM, batched Chroma upserts, lexical index);
- baseline: `Chroma.from_documents` over `RecursiveCharacterTextSplitter` chunks, embedding with the same
  all-MiniLM-L6-v2 weights through sentence-transformers, as a LangChain tutorial would.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "wikinews" / "articles"


def ours(corpus: Path, store: Path) -> dict[str, float]:
    from assistant.service import Assistant
    from assistant.settings import load_settings

    settings = load_settings(env={}, dotenv=None, store=store)
    t0 = time.perf_counter()
    assistant = Assistant(settings)
    first = assistant.ingest([str(corpus)])
    first_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    again = Assistant(settings, embeddings=assistant.embeddings).ingest([str(corpus)])
    again_s = time.perf_counter() - t1
    assert not again.added and not again.updated, "re-ingest of an unchanged corpus embedded something"
    return {
        "articles": len(first.added),
        "chunks": first.chunks,
        "seconds": first_s,
        "embed_seconds": first.embed_seconds,
        "reingest_seconds": again_s,
    }


def baseline(corpus: Path, store: Path) -> dict[str, float]:
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from assistant.embeddings import minilm_dir

    class SentenceTransformerEmbeddings(Embeddings):
        """What langchain-huggingface's HuggingFaceEmbeddings does: SentenceTransformer.encode."""

        def __init__(self) -> None:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(str(minilm_dir()), device="cpu")
            self.seconds = 0.0

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            t = time.perf_counter()
            out = self.model.encode(texts, normalize_embeddings=True, batch_size=32).tolist()
            self.seconds += time.perf_counter() - t
            return out

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    t0 = time.perf_counter()
    emb = SentenceTransformerEmbeddings()
    docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": str(p)}) for p in sorted(corpus.glob("*.txt"))]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    Chroma.from_documents(chunks, emb, persist_directory=str(store), collection_name="baseline")
    return {"articles": len(docs), "chunks": len(chunks), "seconds": time.perf_counter() - t0, "embed_seconds": emb.seconds}


def cold_start(store: Path, runs: int = 3) -> list[float]:
    """Process start to printed answer, `assistant ask --llm extractive`, on the seed store."""
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "assistant", "--store", str(store), "ask",
             "Which mineral deposits are said to be illegally exploited?", "--llm", "extractive"],
            check=True, capture_output=True, cwd=ROOT,
        )
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "bench" / "ingest.json")
    parser.add_argument("--skip-baseline", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        result: dict[str, object] = {"corpus": str(args.corpus), "cpus": os.cpu_count()}
        mine = ours(args.corpus, tmp_path / "ours")
        result["ours"] = mine
        if not args.skip_baseline:
            base = baseline(args.corpus, tmp_path / "baseline")
            result["baseline"] = base
            result["speedup_first_ingest"] = base["seconds"] / mine["seconds"]
        result["reingest_share_of_first"] = mine["reingest_seconds"] / mine["seconds"]
        from assistant.service import Assistant
        from assistant.settings import load_settings

        Assistant(load_settings(env={}, dotenv=None, store=tmp_path / "seed")).ingest([str(ROOT / "data" / "demo")])
        starts = cold_start(tmp_path / "seed")
        result["cold_start_ask_extractive_seconds"] = {"median": statistics.median(starts), "runs": starts}

    def row(name: str, r: dict[str, float]) -> str:
        return (f"{name:<9} {r['articles']:>5} art {r['chunks']:>6} chunks {r['seconds']:>7.1f} s "
                f"{r['articles'] / r['seconds']:>6.2f} art/s {r['chunks'] / r['seconds']:>7.1f} chunks/s "
                f"embedding {100 * r['embed_seconds'] / r['seconds']:>4.0f}% of time")

    print(row("ours", mine))
    if "baseline" in result:
        print(row("baseline", result["baseline"]))  # type: ignore[arg-type]
        print(f"first ingest: ours is {result['speedup_first_ingest']:.2f}x the baseline's speed")
    print(f"re-ingest unchanged: {mine['reingest_seconds']:.2f} s = {100 * result['reingest_share_of_first']:.1f}% of first ingest")
    print(f"cold start `ask --llm extractive`: median {result['cold_start_ask_extractive_seconds']['median']:.2f} s")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
