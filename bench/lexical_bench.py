"""The lexical index (bm25s) against the hand-written BM25 it replaced: same rankings, build, update, load, query.

Prints a table and writes bench/lexical.json. Both index the words and name skeletons (`text.tokens`) of the
wikinews and gum-wikinews chunks (title + text, as an ingest writes them), copied under new ids up to each
size, and both score with Lucene's BM25 (k1 1.2, b 0.75). "old" is `LexicalIndex` of assistant/retrieval.py at
commit --old, read from git history (skipped when git cannot show it). Per size:
- build: tokenize every chunk and index it (a first ingest, or a rebuild after `doctor --fix`), then save;
- +1/-1 article: what an ingest that adds one article (7 chunks) and removes another costs the index: load
  the saved one, add and remove, save. The old index changed its postings in place; bm25s cannot, so the new
  one keeps every chunk's tokens and indexes again from them ("of which indexing");
- load: read the saved index (what a cold `ask` pays; importing bm25s is timed once, apart);
- query p50: one `search(question, 40)` per dev-set question, after a warm-up;
- same top-10: questions whose ten best chunks have the same texts as the old index's.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.articles import load_articles  # noqa: E402
from assistant.chunking import chunk_article  # noqa: E402
from assistant.lexical import LexicalIndex, lexical_text  # noqa: E402

SHARED = ROOT.parent / "shared"
OLD = "96c4d4e"  # the last commit with the hand-written BM25 in assistant/retrieval.py


def old_index(commit: str) -> Any | None:
    """The old `LexicalIndex` class, from git history; None when git cannot show it."""
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:assistant/retrieval.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = sys.modules["old_retrieval"] = types.ModuleType("old_retrieval")  # dataclasses look it up
    exec(compile(source, f"{commit}:assistant/retrieval.py", "exec"), module.__dict__)
    return module.LexicalIndex


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def measure(cls: Any, ids: list[str], texts: list[str], metas: list[dict[str, Any]], new: tuple, gone: str,
            questions: list[str], folder: Path) -> tuple[dict[str, float], list[list[int]]]:
    index, build = timed(lambda: cls.build(ids, texts, metas, "bench"))
    _, save = timed(lambda: index.save(folder))
    loaded, load = timed(lambda: cls.load(folder))
    loaded.search(questions[0], 40)  # warm-up
    lat, tops = [], []
    for q in questions:
        hits, s = timed(lambda q=q: loaded.search(q, 40))
        lat.append(1000 * s)
        tops.append([i for i, _ in hits[:10]])
    t = time.perf_counter()
    updated = cls.load(folder)
    updated.add(*new)
    updated.remove_articles({gone})
    _, indexing = timed(lambda: updated.search(questions[0], 1))  # bm25s indexes again here; the old one has nothing to do
    updated.save(folder)
    update = time.perf_counter() - t
    return {"build_s": build + save, "update_s": update, "update_indexing_s": indexing, "load_s": load,
            "query_p50_ms": statistics.median(lat)}, tops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, nargs="+",
                        default=[SHARED / "corpus" / "wikinews" / "articles", SHARED / "corpus" / "gum-wikinews" / "articles"])
    parser.add_argument("--questions", type=Path, default=SHARED / "eval" / "wikinews_dev.jsonl")
    parser.add_argument("--sizes", type=int, nargs="+", default=[5_000, 20_000], help="chunks (the corpus itself too)")
    parser.add_argument("--old", default=OLD, help="commit whose retrieval.py holds the old index ('' to skip)")
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "bench" / "lexical.json")
    args = parser.parse_args()
    _, import_s = timed(lambda: __import__("bm25s"))
    articles, _ = load_articles([str(p) for p in args.corpus])
    chunks = [(a, c) for a in articles for c in chunk_article(a, 900, 1)]
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    old = old_index(args.old) if args.old else None
    extra = [(f"new:{c.index}", lexical_text(a.title, c.text)) for a, c in chunks if a.id == chunks[0][0].id][:7]
    new = ([i for i, _ in extra], [t for _, t in extra], [{"article_id": "new"}] * len(extra))
    rows = []
    for size in sorted({len(chunks), *args.sizes}):
        picked = [chunks[n % len(chunks)] + (n // len(chunks),) for n in range(size)]
        ids = [f"{c.id}#{copy}" for _, c, copy in picked]
        texts = [lexical_text(a.title, c.text) for a, c, _ in picked]
        metas = [{"article_id": f"{a.id}#{copy}"} for a, _, copy in picked]
        gone = metas[size // 2]["article_id"]
        row: dict[str, Any] = {"chunks": size, "questions": len(questions)}
        with tempfile.TemporaryDirectory() as tmp:
            row["bm25s"], tops = measure(LexicalIndex, ids, texts, metas, new, gone, questions, Path(tmp) / "new")
            if old is not None:
                row["old"], old_tops = measure(old, ids, texts, metas, new, gone, questions, Path(tmp) / "old")
                row["same_top10"] = sum(sorted(texts[i] for i in a) == sorted(texts[i] for i in b)
                                        for a, b in zip(tops, old_tops))
        rows.append(row)
        print(f"{size:>7} chunks" + (f", same top-10 {row['same_top10']}/{len(questions)}" if old else ""), flush=True)
    names = ["bm25s", *(["old"] if old is not None else [])]
    print(f"importing bm25s: {import_s:.2f} s")
    print(f"{'chunks':>7} {'index':>6} {'build s':>8} {'+1/-1 article s':>16} {'of which indexing s':>20} "
          f"{'load s':>7} {'query p50 ms':>13}")
    for r in rows:
        for name in names:
            m = r[name]
            print(f"{r['chunks']:>7} {name:>6} {m['build_s']:>8.2f} {m['update_s']:>16.3f} {m['update_indexing_s']:>20.3f} "
                  f"{m['load_s']:>7.3f} {m['query_p50_ms']:>13.2f}")
    args.output.write_text(json.dumps({"old": args.old if old is not None else None, "import_bm25s_s": import_s,
                                       "rows": rows}, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
