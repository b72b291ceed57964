"""Answer latency of this checkout against another (a baseline commit's worktree), in one run: `ask --llm
extractive` by default, or any answerer (`--llm local`: each side starts its own model server).

Each side is one warm process (models loaded, a model server started and its instructions read) answering
the same questions; the two are asked in turn, question by question, so a busy machine slows both alike.
Prints p50/p95 of each, p50 of the time to the first streamed text of the answers neither side refused, the
ratios, and the median of each question's own ratio.

    python bench/answer_latency.py --baseline ../wt-old --store store/news --questions bench/fresh_a.jsonl
    python bench/answer_latency.py --baseline ../wt-old --store store/demo --questions bench/sample_questions.jsonl \
        --llm local --rounds 2 -o bench/first_text.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, sys, time
from assistant.service import Assistant
from assistant.settings import Settings
from assistant.types import Answer
a, llm = Assistant(Settings(store=sys.argv[1])), sys.argv[2]
a.warm(llm)
a.ask("warm up", llm=llm)
print("ready", flush=True)
for line in sys.stdin:
    t, first, answer = time.perf_counter(), None, None
    for item in a.stream(line.strip(), llm=llm):
        if isinstance(item, Answer):
            answer = item
        elif first is None:
            first = time.perf_counter() - t
    print(json.dumps([time.perf_counter() - t, first, answer.refused]), flush=True)
"""


def start(root: Path, store: str, llm: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(root.resolve()), "HF_HUB_OFFLINE": "1", "ORT_DISABLE_TELEMETRY": "1"}
    p = subprocess.Popen([sys.executable, "-c", WORKER, store, llm], cwd=root, env=env, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdout and p.stdout.readline().strip() == "ready"
    return p


def ask(p: subprocess.Popen[str], question: str) -> tuple[float, float | None, bool]:
    """Seconds to the whole answer, to its first streamed text, and whether it was a refusal."""
    assert p.stdin and p.stdout
    p.stdin.write(question.replace("\n", " ") + "\n")
    p.stdin.flush()
    total, first, refused = json.loads(p.stdout.readline())
    return float(total), first, bool(refused)


def p50(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=Path, required=True, help="a checkout of the baseline commit")
    ap.add_argument("--store", required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--most", type=int, default=40)
    ap.add_argument("--llm", default="extractive")
    ap.add_argument("--rounds", type=int, default=1, help="ask the questions this many times")
    ap.add_argument("-o", "--out", type=Path, default=Path("bench/answer_latency.json"))
    args = ap.parse_args()
    store = str(Path(args.store).resolve())
    questions = [json.loads(line)["question"] for line in args.questions.open()][: args.most]
    sides = {"ours": start(Path("."), store, args.llm), "baseline": start(args.baseline, store, args.llm)}
    rows: dict[str, list[tuple[float, float | None, bool]]] = {"ours": [], "baseline": []}
    for n in range(args.rounds):
        for q in questions:
            for name in (("baseline", "ours") if n % 2 == 0 else ("ours", "baseline")):
                rows[name].append(ask(sides[name], q))
    for p in sides.values():
        p.terminate()
        p.wait()
    both = [i for i in range(len(rows["ours"])) if not rows["ours"][i][2] and not rows["baseline"][i][2]]
    report: dict = {"llm": args.llm}
    for k, v in rows.items():
        times = [t for t, _, _ in v]
        report[k] = {"p50_s": statistics.median(times), "p95_s": sorted(times)[int(0.95 * (len(times) - 1))],
                     "first_text_p50_s": p50([v[i][1] for i in both if v[i][1] is not None]),
                     "refused": sum(r for _, _, r in v)}
    report["ratio_p50"] = report["ours"]["p50_s"] / report["baseline"]["p50_s"]
    if report["ours"]["first_text_p50_s"] and report["baseline"]["first_text_p50_s"]:
        report["ratio_first_text_p50"] = report["ours"]["first_text_p50_s"] / report["baseline"]["first_text_p50_s"]
    # each question against itself: the median of the per-question ratios, and the times
    report["median_question_ratio"] = statistics.median(o[0] / b[0] for o, b in zip(rows["ours"], rows["baseline"]))
    report["seconds"] = {k: [round(t, 3) for t, _, _ in v] for k, v in rows.items()}
    report["questions"], report["rounds"], report["answered_by_both"] = len(questions), args.rounds, len(both)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
