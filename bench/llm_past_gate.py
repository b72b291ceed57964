"""What the local model does with the questions the answerability gate refuses: asked anyway, on a seeded
sample of refused answerable questions and refused near misses of the worked sets, how many it answers,
and how many of those answers hold the gold fact. It measures whether the model could take over the
gate's borderline refusals (it answers near misses about as readily as answerable questions: README).

    python bench/llm_past_gate.py --store store/wikinews --sets fresh_a,fresh_b,...,fresh_h
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answerers import Draft  # noqa: E402
from assistant.citations import validate  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from bench.answerability_auc import holds_gold  # noqa: E402
from bench.retrieval_cache import RetrievalCache  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--sets", default="fresh_a,fresh_b,fresh_c,fresh_d,fresh_e,fresh_f,fresh_g,fresh_h")
    ap.add_argument("--n", type=int, default=15, help="refused questions of each kind to ask")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--cache", default="/tmp/answerability_auc_retrieval.pkl", help="retrieved passages, per question")
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "llm_past_gate.json"))
    args = ap.parse_args()
    settings = load_settings(store=args.store)
    assistant = Assistant(settings)
    cache = RetrievalCache(args.cache, assistant, args.store)
    refused: dict[bool, list] = {True: [], False: []}  # near miss or not
    for name in args.sets.split(","):
        for line in (ROOT / "bench" / f"{name}.jsonl").read_text().splitlines():
            item = json.loads(line)
            passages = cache.passages(item["question"])
            a = assistant.assess(item["question"], passages)
            if not a.answerable and a.ranked:  # refused after its sentences were scored
                refused[item["type"] == "unanswerable"].append((item, a, passages))
    rng = random.Random(args.seed)
    answerer = assistant.answerer("local")
    rows = []
    for near in (False, True):
        for item, a, passages in rng.sample(refused[near], min(args.n, len(refused[near]))):
            t = time.perf_counter()
            draft = None
            for part in answerer.stream(item["question"], passages, a):
                if isinstance(part, Draft):
                    draft = part
            assert draft is not None
            v = validate(draft.raw, passages, settings.min_support)
            row = {"id": item["id"], "near_miss": near, "score": a.answerability.score, "answered": not v.refused,
                   "right": not near and holds_gold(v.text, item.get("must") or []),
                   "seconds": round(time.perf_counter() - t, 2), "answer": v.text}
            print(json.dumps(row), flush=True)
            rows.append(row)
    assistant.close()
    summary = {
        "refused_by_gate": {"answerable": len(refused[False]), "near_misses": len(refused[True])},
        "asked": {"answerable": sum(not r["near_miss"] for r in rows), "near_misses": sum(r["near_miss"] for r in rows)},
        "answerable_answered": sum(r["answered"] for r in rows if not r["near_miss"]),
        "answerable_right": sum(r["right"] for r in rows),
        "near_misses_answered": sum(r["answered"] for r in rows if r["near_miss"]),
    }
    print(json.dumps(summary))
    Path(args.output).write_text(json.dumps({**summary, "seed": args.seed, "sets": args.sets, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
