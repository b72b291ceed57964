"""The lexical index against bm25s: same rankings?, build, one-article update, query latency.

Prints a table and writes bench/lexical.json. Both index the same words and name skeletons
(`assistant.text.tokens`) of the wikinews chunks (title + text, as an ingest writes them), copied N times
under new ids for the bigger sizes, and both score with Lucene's BM25 (k1 1.2, b 0.75). bm25s keeps no term
counts, only final scores, so it cannot add or remove a document: an ingest would rebuild it from every
chunk, which is what "update" times for it. Needs `pip install bm25s` (not a dependency of the assistant).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.articles import load_articles  # noqa: E402
from assistant.chunking import chunk_article  # noqa: E402
from assistant.retrieval import LexicalIndex, lexical_text  # noqa: E402
from assistant.text import tokens  # noqa: E402


def main() -> None:
    import bm25s

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "wikinews" / "articles")
    parser.add_argument("--questions", type=Path, default=ROOT.parent / "shared" / "eval" / "wikinews_dev.jsonl")
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "bench" / "lexical.json")
    args = parser.parse_args()
    articles, _ = load_articles([str(args.corpus)])
    ids, texts = [], []
    for a in articles:
        for c in chunk_article(a, 900, 1):
            ids.append(c.id)
            texts.append(lexical_text(a.title, c.text))
    questions = [json.loads(line)["question"] for line in args.questions.read_text().splitlines() if line.strip()]
    t = time.perf_counter()
    toks = [tokens(x) for x in texts]
    tokenize_per_chunk = (time.perf_counter() - t) / len(texts)
    new = texts[:7]  # one more article's worth of chunks
    rows = []
    for copies in args.copies:
        all_texts, all_toks = texts * copies, toks * copies
        all_ids = [f"{i}#{n}" for n in range(copies) for i in ids]
        t = time.perf_counter()
        ours = LexicalIndex.build(all_ids, all_texts, [{}] * len(all_ids), "bench")
        ours_build = time.perf_counter() - t - tokenize_per_chunk * len(all_ids)
        t = time.perf_counter()
        theirs = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
        theirs.index(all_toks, show_progress=False)
        theirs_build = time.perf_counter() - t
        ours_q, theirs_q, same = [], [], 0
        for q in questions:
            t = time.perf_counter()
            mine = [i for i, _ in ours.search(q, 40)]
            ours_q.append(1000 * (time.perf_counter() - t))
            t = time.perf_counter()
            known = [w for w in set(tokens(q)) if w in theirs.vocab_dict]
            scores = theirs.get_scores(known) if known else np.zeros(len(all_ids))
            top = np.argsort(-scores, kind="stable")[:40]
            other = [int(i) for i in top if scores[i] > 0]
            theirs_q.append(1000 * (time.perf_counter() - t))
            # the same chunks with the same scores, ties (copies) in either order
            same += sorted(all_texts[i] for i in mine[:10]) == sorted(all_texts[i] for i in other[:10])
        t = time.perf_counter()
        ours.add([f"new{i}" for i in range(len(new))], new, [{}] * len(new))
        ours_add = time.perf_counter() - t
        t = time.perf_counter()
        bm25s.BM25(method="lucene", k1=1.2, b=0.75).index(all_toks + [tokens(x) for x in new], show_progress=False)
        theirs_add = time.perf_counter() - t
        row = {"chunks": len(all_ids), "same_top10": same, "questions": len(questions),
               "build_s": {"ours": ours_build, "bm25s": theirs_build},
               "add_one_article_s": {"ours": ours_add, "bm25s_rebuild": theirs_add},
               "query_p50_ms": {"ours": statistics.median(ours_q), "bm25s": statistics.median(theirs_q)}}
        rows.append(row)
        print(f"{row['chunks']:>7} chunks: same top-10 {same}/{len(questions)}; build ours {ours_build:.2f} s, "
              f"bm25s {theirs_build:.2f} s (+ tokenizing, both, {tokenize_per_chunk * len(all_ids):.1f} s); "
              f"+1 article ours {1000 * ours_add:.0f} ms, bm25s rebuild {1000 * theirs_add:.0f} ms; query p50 "
              f"ours {row['query_p50_ms']['ours']:.2f} ms, bm25s {row['query_p50_ms']['bm25s']:.2f} ms", flush=True)
    args.output.write_text(json.dumps({"rows": rows}, indent=2))
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
