"""`ask --llm extractive` latency of this checkout against another (a baseline commit's worktree), in one run.

Each side is one warm process (models loaded) answering the same questions; the two are asked in turn,
question by question, so a busy machine slows both alike. Prints p50/p95 of each and the ratio.

    python bench/answer_latency.py --baseline ../wt-old --store store/news --questions bench/fresh_a.jsonl
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
a = Assistant(Settings(store=sys.argv[1]))
a.ask("warm up", llm="extractive")
print("ready", flush=True)
for line in sys.stdin:
    t = time.perf_counter()
    a.ask(line.strip(), llm="extractive")
    print(json.dumps(time.perf_counter() - t), flush=True)
"""


def start(root: Path, store: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(root.resolve()), "HF_HUB_OFFLINE": "1", "ORT_DISABLE_TELEMETRY": "1"}
    p = subprocess.Popen([sys.executable, "-c", WORKER, store], cwd=root, env=env, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert p.stdout and p.stdout.readline().strip() == "ready"
    return p


def ask(p: subprocess.Popen[str], question: str) -> float:
    assert p.stdin and p.stdout
    p.stdin.write(question.replace("\n", " ") + "\n")
    p.stdin.flush()
    return float(json.loads(p.stdout.readline()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", type=Path, required=True, help="a checkout of the baseline commit")
    ap.add_argument("--store", required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--most", type=int, default=40)
    ap.add_argument("-o", "--out", type=Path, default=Path("bench/answer_latency.json"))
    args = ap.parse_args()
    store = str(Path(args.store).resolve())
    questions = [json.loads(line)["question"] for line in args.questions.open()][: args.most]
    ours, base = start(Path("."), store), start(args.baseline, store)
    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    for q in questions:
        times["baseline"].append(ask(base, q))
        times["ours"].append(ask(ours, q))
    for p in (ours, base):
        p.kill()
    report = {k: {"p50_s": statistics.median(v), "p95_s": sorted(v)[int(0.95 * (len(v) - 1))]} for k, v in times.items()}
    report["ratio_p50"] = report["ours"]["p50_s"] / report["baseline"]["p50_s"]
    report["questions"] = len(questions)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
