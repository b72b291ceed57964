"""Fit the answerability gate (`assistant/gate.json`, read by `answerability.Gate`) on worked question sets.

Each question is retrieved as `ask` retrieves it and assessed; a question that reaches the last step (some
article names what it names and its sentences were scored) gives the gate's features (`gate_features`).
Training rows: near misses (0), and answerable questions whose answer sentence is among the scored
sentences (1); an answerable question whose answer was not retrieved says nothing of how an answer reads,
and is left out. The fit is a logistic regression on standardised features (scipy's L-BFGS-B, with the
weights of what measures an answer's quality held at zero or above); the assistant only reads the weights.

Before it writes the weights, it reports each set held out in turn (fitted on the others): the AUC of the
hand-weighted score (`best_score`) and of the fitted gate, and, over all the sets so held out, answerable
questions refused and near misses refused at several thresholds (questions refused before the last step
count as refused at every threshold). Never pass the dev set or a held-out set.

    python bench/train_gate.py --store store/wikinews --sets fresh_a,fresh_b,...,fresh_k
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
from datetime import date
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import assistant.answerability as answerability  # noqa: E402
from assistant.answerability import GATE_FILE, Gate, assess  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import Settings, load_settings  # noqa: E402

THRESHOLDS = tuple(sorted({0.3, 0.4, 0.5, Settings().answerable, 0.6, 0.7}))  # with the default


def auc(pos: list[float], neg: list[float]) -> float:
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / max(1, len(pos) * len(neg))


def norm(text: str) -> str:
    return " ".join(text.split())


def rows_of(assistant: Assistant, store: str, names: list[str], cache: dict) -> list[dict]:
    settings = assistant.settings
    rows = []
    for name in names:
        for line in (ROOT / "bench" / f"{name}.jsonl").read_text().splitlines():
            item = json.loads(line)
            key = (store, item["question"])
            if key not in cache:
                cache[key] = assistant._passages(item["question"], None, None)
            a = assess(item["question"], cache[key], assistant.embeddings, settings.min_relevance, settings.answerable)
            near = item["type"] == "unanswerable"
            ranked = " ".join(norm(s.text) for s in a.ranked)
            gold = [norm(e["quote"]) for e in item["evidence"] if e.get("quote")]
            # a question joining several: each part's (answered where any part is), not fitted on
            rows.append({"set": name, "near": near, "features": a.features,
                         "parts": [p.features for p in a.parts if p.features],
                         "gold_in": bool(gold) and all(g[:80] in ranked or g[-80:] in ranked for g in gold)})
    return rows


# How well the sentences answer: more of any of these never makes an answer less likely, so their weights
# are held at zero or above. Without the bound, features that move together (a match is dense similarity and
# words together) take weights of opposite signs, and a sentence that matches the question perfectly can
# score lower than one that matches it half.
QUALITY = ("best_match", "best_dense", "best_words", "best_attach", "best_score", "margin", "closest_attach",
           "firm", "passage")


def fit(rows: list[dict], names: list[str], strength: float = 1.0):
    """A logistic regression on standardised features (flags as they are), L2-regularised, the quality
    features' weights >= 0."""
    from scipy.optimize import minimize

    x = np.array([[r["features"][f] for f in names] for r in rows], dtype=np.float64)
    y = np.array([0 if r["near"] else 1 for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    # a flag (a kind of question) stays as it is: standardised, the penalty would fall on its effect times
    # its spread, and a flag few questions carry would take an outsized weight
    flags = np.all((x == 0) | (x == 1), axis=0)
    mean[flags], scale[flags] = 0.0, 1.0
    z = (x - mean) / scale

    def loss(wb: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = wb[:-1], wb[-1]
        t = z @ w + b
        p = 1 / (1 + np.exp(-t))
        return (float(np.sum(np.logaddexp(0, t) - y * t) + 0.5 * strength * w @ w),
                np.append(z.T @ (p - y) + strength * w, np.sum(p - y)))

    bounds = [(0, None) if f in QUALITY else (None, None) for f in names] + [(None, None)]
    found = minimize(loss, np.zeros(len(names) + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return mean, scale, found.x[:-1], float(found.x[-1])


def probability(row: dict, names: list[str], mean, scale, weights, bias: float) -> float:
    """The gate's chance for a question: of its features, or its best part's; 0 when it was refused before
    the last step (and so at every threshold)."""
    best = 0.0
    for features in [row["features"]] if row["features"] else row["parts"]:
        x = (np.array([features[f] for f in names]) - mean) / scale
        best = max(best, float(1 / (1 + np.exp(-(bias + x @ weights)))))
    return best


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--sets", required=True, help="comma-separated names of bench/*.jsonl to fit on")
    ap.add_argument("--cache", default="/tmp/train_gate_retrieval.pkl", help="retrieved passages, per question")
    ap.add_argument("--out", default=str(GATE_FILE))
    args = ap.parse_args()
    names = args.sets.split(",")
    if any("dev" in n for n in names):
        sys.exit("the dev set is for reporting, never for fitting")
    assistant = Assistant(load_settings(store=args.store))
    # only the features are read here: the gate being fitted (or a stale one) must not decide anything
    answerability.gate = lambda: Gate((), (), (), (), 0.0)
    cache_path = Path(args.cache)
    cache = pickle.loads(cache_path.read_bytes()) if cache_path.exists() else {}
    rows = rows_of(assistant, args.store, names, cache)
    cache_path.write_bytes(pickle.dumps(cache))
    scored = [r for r in rows if r["features"]]
    features = sorted(scored[0]["features"])
    train = [r for r in scored if r["near"] or r["gold_in"]]
    print(f"{len(rows)} questions, {len(scored)} reach the last step, {len(train)} train "
          f"({sum(not r['near'] for r in train)} answerable with the answer retrieved, {sum(r['near'] for r in train)} near misses)")

    held = {}
    for name in names:
        params = fit([r for r in train if r["set"] != name], features)
        for n, r in enumerate(rows):
            if r["set"] == name:
                held[n] = probability(r, features, *params)
        mine = [r for r in scored if r["set"] == name]
        rule = auc([r["features"]["best_score"] for r in mine if not r["near"]],
                   [r["features"]["best_score"] for r in mine if r["near"]])
        gate = auc([held[rows.index(r)] for r in mine if not r["near"]], [held[rows.index(r)] for r in mine if r["near"]])
        print(f"  {name} held out: AUC of the questions reaching the last step, hand-weighted {rule:.3f}, fitted {gate:.3f}")
    def at(values: dict[int, float], thresholds: tuple[float, ...]) -> str:
        pos = [values[n] for n, r in enumerate(rows) if not r["near"]]
        neg = [values[n] for n, r in enumerate(rows) if r["near"]]
        return f"AUC {auc(pos, neg):.3f}; answerable refused / near misses refused: " + "  ".join(
            f"{t}: {sum(p < t for p in pos) / len(pos):.2f}/{sum(x < t for x in neg) / len(neg):.2f}" for t in thresholds)

    rule = {n: max([f["best_score"] for f in ([r["features"]] if r["features"] else r["parts"])], default=0.0)
            for n, r in enumerate(rows)}
    print(f"hand-weighted score: {at(rule, (0.3, 0.4, 0.5))}")
    print(f"fitted, each set held out in turn: {at(held, THRESHOLDS)}")

    mean, scale, weights, bias = fit(train, features)
    out = {"fitted": date.today().isoformat(), "sets": names, "rows": len(train), "features": features,
           "mean": [round(float(v), 6) for v in mean], "scale": [round(float(v), 6) for v in scale],
           "weights": [round(float(v), 6) for v in weights], "bias": round(bias, 6)}
    Path(args.out).write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: " + ", ".join(f"{f} {w:+.2f}" for f, w in zip(features, weights)))


if __name__ == "__main__":
    main()
