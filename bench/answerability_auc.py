"""How well the answerability score separates answerable questions from near misses, per question set:
its AUC (1.0 separates them perfectly, 0.5 is chance) and, at a few thresholds, the answerable questions
refused, the near misses refused and the answerable questions answered with the gold answer in the best
sentence. Extractive only, no model; the
retrieval of each set is kept in a cache file so a change to `assistant/answerability.py` can be measured
again in a minute or two.

    python bench/answerability_auc.py --store store/wikinews --sets fresh_a,fresh_b,fresh_c,fresh_d
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluate import load_eval_questions  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from bench.retrieval_cache import RetrievalCache  # noqa: E402

THRESHOLDS = (0.3, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def auc(pos: list[float], neg: list[float]) -> float:
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def holds_gold(text: str, must: list[list[str]]) -> bool:
    return bool(must) and all(any(alt.lower() in text.lower() for alt in group) for group in must)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--sets", default="fresh_a,fresh_b,fresh_c,fresh_d")
    ap.add_argument("--k", type=int, default=None, help="passages retrieved per question (default: the settings')")
    ap.add_argument("--cache", default="/tmp/answerability_auc_retrieval.pkl", help="retrieved passages, per question")
    args = ap.parse_args()
    settings = load_settings(store=args.store)
    assistant = Assistant(settings)
    cache = RetrievalCache(args.cache, assistant, args.store)
    everything = []
    for name in args.sets.split(","):
        rows = []
        for item in load_eval_questions(ROOT / "bench" / f"{name}.jsonl"):
            a = assistant.assess(item.question, cache.passages(item.question, args.k))
            near = item.type == "unanswerable"
            top = a.ranked[0].text if a.ranked else ""
            # refused before any sentence was scored (off topic, or a name no article holds): at every threshold
            rows.append({"near": near, "score": a.answerability.score if a.ranked else 0.0,
                         "right_first": not near and holds_gold(top, item.must)})
        report(name, rows)
        everything += rows
    cache.save()
    report("all", everything)


def report(name: str, rows: list[dict]) -> None:
    pos = [r["score"] for r in rows if not r["near"]]
    neg = [r["score"] for r in rows if r["near"]]
    answered_right = {t: sum(r["right_first"] and r["score"] >= t for r in rows) / len(pos) for t in THRESHOLDS}
    at = "  ".join(f"{t}: {sum(p < t for p in pos) / len(pos):.2f}/{sum(n < t for n in neg) / len(neg):.2f}"
                   f"/{answered_right[t]:.2f}" for t in THRESHOLDS)
    print(f"{name}: AUC {auc(pos, neg):.3f}; at each threshold, answerable refused / near misses refused / "
          f"answerable answered with the answer in the best sentence: {at}")


if __name__ == "__main__":
    main()
