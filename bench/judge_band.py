"""What a model's judgement does to the refusals in doubt (`Assistant._judge`): for the questions of the given
sets whose answerability falls from `--low` up to `--high`, the model is shown the question and the sentence
ranked first (`prompts/judge_answer.txt`) and says yes or no. Printed: of the answerable questions refused
there, how many its yes would answer; of the near misses refused there, how many. With `--high` above the
threshold it also shows what a no would do to the answers in doubt (which the service does not let it do).

    python bench/judge_band.py --store store/wikinews --sets fresh_af,fresh_ah --llm local -o bench/judge_band.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evaluate import load_eval_questions  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from bench.retrieval_cache import RetrievalCache  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--sets", required=True, help="question sets, bench/NAME.jsonl, comma-separated")
    ap.add_argument("--llm", default="local")
    ap.add_argument("--low", type=float, default=0.4)
    ap.add_argument("--high", type=float, default=None, help="default: the answerability threshold")
    ap.add_argument("--rank", type=int, default=1, help="the sentence shown: 1 is the one ranked first, as the service")
    ap.add_argument("--cache", default="/tmp/judge_band_retrieval.pkl", help="retrieved passages")
    ap.add_argument("-o", "--output", default=None)
    args = ap.parse_args()
    assistant = Assistant(load_settings(store=args.store))
    threshold = assistant.settings.answerable
    high = args.high if args.high is not None else threshold
    answerer = assistant.answerer(args.llm)
    cache = RetrievalCache(args.cache, assistant, args.store)
    rows = []
    try:
        for name in args.sets.split(","):
            for item in load_eval_questions(ROOT / "bench" / f"{name}.jsonl"):
                a = assistant.assess(item.question, cache.passages(item.question))
                score = a.answerability.score
                if a.parts or len(a.ranked) < args.rank or not args.low <= score < high:
                    continue
                start = time.perf_counter()
                verdict = answerer.judge(item.question, a.ranked[args.rank - 1].text)
                rows.append({"set": name, "id": item.id, "near": item.unanswerable, "score": score,
                             "verdict": verdict, "seconds": round(time.perf_counter() - start, 2)})
            print(f"{name}: {len(rows)} questions judged so far", file=sys.stderr, flush=True)
    finally:
        cache.save()
        answerer.close()

    def count(near: bool, below: bool, verdict: bool | None) -> tuple[int, int]:
        group = [r for r in rows if r["near"] == near and (r["score"] < threshold) == below]
        return sum(r["verdict"] is verdict for r in group), len(group)

    summary = {
        "answerable refused, answered by a yes": count(False, True, True),
        "near misses refused, answered by a yes": count(True, True, True),
        "answerable answered, refused by a no": count(False, False, False),
        "near misses answered, refused by a no": count(True, False, False),
        "no judgement (neither yes nor no)": (sum(r["verdict"] is None for r in rows), len(rows)),
    }
    for what, (n, of) in summary.items():
        print(f"{what}: {n}/{of}")
    seconds = sorted(r["seconds"] for r in rows)
    if seconds:
        print(f"a judgement takes {seconds[len(seconds) // 2]:.2f} s (median of {len(seconds)})")
    if args.output:
        Path(args.output).write_text(json.dumps({"sets": args.sets, "llm": args.llm, "low": args.low, "high": high,
                                                 "rank": args.rank, "threshold": threshold, "summary": summary, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
