"""Would the local model, asked a yes/no question per sentence, tell answerable questions from near misses
better than the answerability score? A probe, not a product path: for each question of the given sets, the
three best-ranked sentences of its assessment are put to the packaged GGUF (in process, llama_cpp) as
"Does the sentence state the answer to this exact question?", and P(yes) is read from the first token's
log-probabilities. Prints the AUC (answerable against near misses) of the score, of P(yes) and of their sum,
and the near misses refused at a few rates of answerable refused. Writes bench/verifier_probe.json.

    python bench/verifier_probe.py --store store/wikinews --sets fresh_c,fresh_d
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.providers import local_model_path  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

PROMPT = ("Question: {q}\nSentence: {s}\nDoes the sentence state the answer to this exact question? yes or no")
SYSTEM = "You check whether a news sentence answers a question. Answer only yes or no."


def auc(pos: list[float], neg: list[float]) -> float:
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--sets", default="fresh_c,fresh_d")
    ap.add_argument("--top", type=int, default=3)
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "verifier_probe.json"))
    args = ap.parse_args()
    from llama_cpp import Llama

    settings = load_settings(store=args.store)
    assistant = Assistant(settings)
    # logits for every position: log-probabilities need them in llama-cpp-python (the answerer's server keeps none)
    llm = Llama(model_path=str(local_model_path(settings)), n_ctx=1024, n_threads=2, logits_all=True, verbose=False)

    def p_yes(question: str, sentence: str) -> float:
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT.format(q=question, s=sentence)}]
        reply = llm.create_chat_completion(messages, max_tokens=1, logprobs=True, top_logprobs=10, temperature=0)
        top = reply["choices"][0]["logprobs"]["content"][0]["top_logprobs"]
        yes = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() == "yes")
        no = sum(math.exp(t["logprob"]) for t in top if t["token"].strip().lower() == "no")
        return yes / (yes + no) if yes + no else 0.5

    rows = []
    for name in args.sets.split(","):
        for line in (ROOT / "bench" / f"{name}.jsonl").read_text().splitlines():
            item = json.loads(line)
            started = time.perf_counter()
            passages = assistant.retrieve(item["question"])
            a = assistant.assess(item["question"], passages)
            probs = [p_yes(item["question"], s.text) for s in a.ranked[:args.top]]
            rows.append({"set": name, "id": item["id"], "near_miss": item["type"] == "unanswerable",
                         "score": a.answerability.score, "p_yes": [round(p, 3) for p in probs],
                         "seconds": round(time.perf_counter() - started, 2)})
            print(name, item["id"], rows[-1]["near_miss"], rows[-1]["score"], rows[-1]["p_yes"], flush=True)
    summarise(rows, args.output)


def summarise(rows: list[dict], output: str) -> None:
    signals = {"score": lambda r: r["score"], "p_yes_top1": lambda r: (r["p_yes"] or [0])[0],
               "p_yes_max": lambda r: max(r["p_yes"] or [0]), "score_plus_p_yes_top1": lambda r: r["score"] + (r["p_yes"] or [0])[0]}
    result: dict = {"auc": {}, "near_misses_refused_at": {}}
    for s in sorted({r["set"] for r in rows}) + ["all"]:
        mine = [r for r in rows if s in ("all", r["set"])]
        result["auc"][s] = {k: round(auc([f(r) for r in mine if not r["near_miss"]], [f(r) for r in mine if r["near_miss"]]), 3)
                            for k, f in signals.items()}
    for k, f in signals.items():
        pos = sorted(f(r) for r in rows if not r["near_miss"])
        neg = [f(r) for r in rows if r["near_miss"]]
        result["near_misses_refused_at"][k] = {
            f"answerable_refused_{rate:.2f}": round(sum(n < pos[int(rate * len(pos))] for n in neg) / len(neg), 2)
            for rate in (0.05, 0.10, 0.20)}
    result["rows"] = rows
    Path(output).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=1))


if __name__ == "__main__":
    main()
