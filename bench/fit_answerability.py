"""Fit the answerability decision (`assistant/answerability.py`: `DECISION_WEIGHTS`, `DECISION_BIAS`): a logistic
regression of answerable questions against near misses, over what `decision_inputs` reads of each question's scored
sentences. Extractive only, no model.

It fits on the question sets worked with (`--fit`) and reports, for the old score (the best sentence's) and the
fitted decision: the AUC with each fitted set left out of the fit in turn, the AUC on sets never fitted on
(`--check`: the sets held out in earlier rounds), and the threshold at which the left-out decisions refuse
`--near` of the near misses, with what it refuses of the answerable questions. It prints the weights to paste into
the module. Retrieval is cached (`--cache`), so a change to the sentence scores can be fitted again in minutes.

    python bench/fit_answerability.py --store store/wikinews
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answerability import DECISION_BIAS, DECISION_WEIGHTS, decision_inputs  # noqa: E402
from assistant.evaluate import load_eval_questions  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from bench.retrieval_cache import RetrievalCache  # noqa: E402

FIT = ",".join([f"fresh_{c}" for c in "abcdefghijklmnopqrstuvwy"] + ["fresh_aa", "fresh_ac", "fresh_ae", "fresh_ag"])
CHECK = "fresh_x,fresh_z,fresh_ab,fresh_ad,fresh_af,fresh_ah,fresh_ai"


def rows_of(assistant: Assistant, names: str, cache: RetrievalCache) -> list[dict]:
    """Each question's set, kind and decision inputs; a question refused before any sentence is scored (off topic,
    or a name no article holds) is left out: it is refused whatever the decision."""
    out = []
    for name in names.split(","):
        for item in load_eval_questions(ROOT / "bench" / f"{name}.jsonl"):
            a = assistant.assess(item.question, cache.passages(item.question))
            if a.parts:  # a question joining several: its parts, each decided alone
                ranked = [p.ranked for p in a.parts if p.ranked]
            else:
                ranked = [a.ranked] if a.ranked else []
            if ranked:
                inputs = max((decision_inputs(r) for r in ranked), key=lambda x: x[0])
                out.append({"set": name, "near": item.type == "unanswerable", "old": inputs[0], "x": inputs})
        print(f"{name}: {sum(r['set'] == name for r in out)} questions scored", file=sys.stderr, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--fit", default=FIT, help="question sets (bench/NAME.jsonl) to fit on")
    ap.add_argument("--check", default=CHECK, help="question sets never fitted on, to check the fit")
    ap.add_argument("--near", type=float, default=0.66, help="share of near misses the threshold should refuse")
    ap.add_argument("--cache", default="/tmp/fit_answerability_retrieval.pkl", help="retrieved passages")
    args = ap.parse_args()
    assistant = Assistant(load_settings(store=args.store))
    with RetrievalCache(args.cache, assistant, args.store) as cache:
        fit = rows_of(assistant, args.fit, cache)
        check = rows_of(assistant, args.check, cache) if args.check else []

    def arrays(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (np.array([r["x"] for r in rows], float), np.array([not r["near"] for r in rows]),
                np.array([r["old"] for r in rows], float))

    x, y, old = arrays(fit)
    sets = np.array([r["set"] for r in fit])
    left_out = np.zeros(len(fit))
    for name in np.unique(sets):
        model = LogisticRegression(max_iter=5000).fit(x[sets != name], y[sets != name])
        left_out[sets == name] = model.predict_proba(x[sets == name])[:, 1]
    model = LogisticRegression(max_iter=5000).fit(x, y)
    print(f"fitted on {len(fit)} questions ({(~y).sum()} near misses), each set left out in turn: "
          f"AUC {roc_auc_score(y, old):.3f} (best sentence's score) -> {roc_auc_score(y, left_out):.3f} (decision)")
    threshold = float(np.quantile(left_out[~y], args.near))
    print(f"threshold refusing {args.near:.2f} of the left-out near misses: {threshold:.2f}, which refuses "
          f"{np.mean(left_out[y] < threshold):.3f} of the answerable questions (the old score, at the same share: "
          f"{np.mean(old[y] < np.quantile(old[~y], args.near)):.3f})")
    def current(inputs: np.ndarray) -> np.ndarray:  # the module's weights, for a refit to beat
        return inputs @ np.array(DECISION_WEIGHTS) + DECISION_BIAS

    print(f"the module's weights on the same questions: AUC {roc_auc_score(y, current(x)):.3f}")
    if check:
        cx, cy, cold = arrays(check)
        decided = model.predict_proba(cx)[:, 1]
        print(f"never fitted on ({args.check}, {len(check)} questions): AUC {roc_auc_score(cy, cold):.3f} -> "
              f"{roc_auc_score(cy, decided):.3f} (the module's weights: "
              f"{roc_auc_score(cy, current(cx)):.3f}); at {threshold:.2f}, near "
              f"misses refused {np.mean(decided[~cy] < threshold):.3f}, answerable refused "
              f"{np.mean(decided[cy] < threshold):.3f}")
    weights = ", ".join(f"{w:.3f}" for w in model.coef_[0])
    print(f"DECISION_WEIGHTS = ({weights})\nDECISION_BIAS = {model.intercept_[0]:.3f}")


if __name__ == "__main__":
    main()
