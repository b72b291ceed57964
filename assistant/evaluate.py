"""Evaluation: score answers, citations and retrieval against a gold question set, overall and per type.

The gold format is that of `wikinews_dev.jsonl`: `id`, `type`, `question`, `answer` (null when the
articles do not answer it), `must` (groups of strings; every group needs one string in the answer) and
`evidence` (`{file, quote}`: the gold articles, by file name).

Answers come from a fresh run through the batch runner, or from an existing batch output (`--answers`).
Retrieval metrics always come from `Assistant.retrieve(question, k=10)`: the retriever ranks once and
cuts at k, so its top `--k` are exactly the passages the answer was given, and hit@10 needs no answer
with ten passages (a question that joins several reads its parts' lists in turn: there the top `--k` is
the first of each part's, close to but not exactly what the answer read). Ranks are passage ranks (a
passage is a chunk; an article can fill up to two places): hit@5 means "a gold article is among the
first five passages", which is what `--k 5` would give a model.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from assistant.batch import OnRecord, Question, run_batch
from assistant.errors import InputError
from assistant.prompts import CITATION_RE

RETRIEVAL_K = 10
METRICS = (
    # key, label, kind (share | ms | count)
    ("n", "questions", "count"),
    ("errors", "errors", "count"),
    ("hit@1", "retrieval hit@1", "share"),
    ("hit@5", "retrieval hit@5", "share"),
    ("hit@10", "retrieval hit@10", "share"),
    ("mrr@10", "retrieval MRR@10", "share"),
    ("all_gold@10", "multi: all gold in top 10", "share"),
    ("must_accuracy", "answer must-accuracy", "share"),
    ("refusal_precision", "refusal precision", "share"),
    ("refusal_recall", "refusal recall", "share"),
    ("answered", "answerable ones answered", "share"),
    ("quote_exact", "citation quote exact", "share"),
    ("citation_precision", "citation precision", "share"),
    ("citation_recall", "citation recall", "share"),
    ("citations", "citations", "count"),
    ("latency_p50_ms", "latency p50", "ms"),
    ("latency_p95_ms", "latency p95", "ms"),
    ("input_tokens", "input tokens", "count"),
    ("output_tokens", "output tokens", "count"),
)


class Evidence(BaseModel):
    file: str
    quote: str = ""


class EvalQuestion(BaseModel):
    id: str
    type: str = "single"
    question: str
    answer: str | None = None
    must: list[list[str]] = []
    evidence: list[Evidence] = []

    @property
    def unanswerable(self) -> bool:
        return self.answer is None or self.type == "unanswerable"

    @property
    def gold_files(self) -> set[str]:
        return {Path(e.file).name for e in self.evidence}


def file_of(source_path: str) -> str:
    """The file name a source path points at (JSONL records are `file#n`)."""
    return Path(source_path.split("#", 1)[0]).name


# ---- loading ----------------------------------------------------------------------------------------


def _jsonl(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise InputError(f"no file at {path}", "check the path")
    lines = path.read_text(encoding="utf-8").rstrip("\n").split("\n")  # not splitlines: U+2028 may sit in a string
    rows = []
    for n, line in enumerate(lines, 1):
        if line.strip():
            try:
                rows.append((n, json.loads(line)))
            except json.JSONDecodeError as exc:
                if n == len(lines):
                    continue  # the half-written last line of a killed batch run
                raise InputError(f"{path}:{n}: not JSON ({exc.msg})", "one JSON object a line") from None
    return rows


def load_eval_questions(path: Path) -> list[EvalQuestion]:
    out = []
    for n, row in _jsonl(path):
        try:
            out.append(EvalQuestion.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            raise InputError(f"{path}:{n}: {'.'.join(map(str, first['loc']))}: {first['msg']}",
                             "see ../shared/eval/wikinews_dev.jsonl for the format") from None
    if len({q.id for q in out}) != len(out):
        raise InputError(f"{path}: question ids are not unique", "give every question its own id")
    return out


def load_answers(path: Path) -> dict[str, dict[str, Any]]:
    """Records of a batch output (JSONL) by id; for a retried id the last record wins."""
    return {str(rec["id"]): rec for _, rec in _jsonl(path) if isinstance(rec, dict) and "id" in rec}


def sample(questions: list[EvalQuestion], n: int | None, seed: int = 0) -> list[EvalQuestion]:
    """A seeded random sample, kept in file order (the first N of a file are often all one type)."""
    if not n or n >= len(questions):
        return questions
    keep = set(random.Random(seed).sample(range(len(questions)), n))
    return [q for i, q in enumerate(questions) if i in keep]


# ---- scoring one question ---------------------------------------------------------------------------


def must_ok(must: list[list[str]], answer: str) -> bool:
    """Every group has one of its strings in the lowercased answer. Citation markers are removed first,
    so `[3]` never satisfies a gold `3`."""
    text = CITATION_RE.sub(" ", answer).lower()
    return all(any(s.lower() in text for s in group) for group in must)


def score_question(q: EvalQuestion, record: dict[str, Any] | None, ranked_files: list[str],
                   article_text: Callable[[str], str | None]) -> dict[str, Any]:
    """The per-question facts the metrics average: None where a metric does not apply to the question."""
    record = record or {"error": "no answer in the answers file", "answer": "", "refused": False, "citations": []}
    error = record.get("error")
    gold = q.gold_files
    s: dict[str, Any] = {"id": q.id, "type": q.type, "error": error, "unanswerable": q.unanswerable,
                         "refused": bool(record.get("refused")) and not error,
                         "answer": record.get("answer", ""), "retrieved": ranked_files[:RETRIEVAL_K]}
    # retrieval
    if gold:
        ranks = [i for i, f in enumerate(ranked_files[:RETRIEVAL_K], 1) if f in gold]
        first = ranks[0] if ranks else None
        s.update({"hit@1": first is not None and first <= 1, "hit@5": first is not None and first <= 5,
                  "hit@10": first is not None, "mrr@10": 1.0 / first if first else 0.0})
        if len(gold) >= 2:
            s["all_gold@10"] = gold <= set(ranked_files[:RETRIEVAL_K])
    # answer
    if q.must:
        s["must_ok"] = not error and must_ok(q.must, record.get("answer") or "")
    # citations
    cites = [] if error else record.get("citations") or []
    cited = [file_of(c["source_path"]) for c in cites]
    s["cited"] = list(dict.fromkeys(cited))
    s["citations"] = len(cites)
    s["quote_exact"] = sum(1 for c in cites if c["quote"] and c["quote"] in (article_text(c["article_id"]) or ""))
    if cites:
        s["citation_precision"] = sum(f in gold for f in cited) / len(cited)
    if gold and not q.unanswerable:
        s["citation_recall"] = len(gold & set(cited)) / len(gold)
    s["latency_ms"] = record.get("latency_ms")
    s["usage"] = record.get("usage") or {}
    return s


# ---- aggregating ------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    v = sorted(values)
    pos = (len(v) - 1) * p / 100
    lo = int(pos)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (pos - lo)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def aggregate(scored: list[dict[str, Any]]) -> dict[str, Any]:
    def mean_of(key: str) -> float | None:
        return _mean([float(s[key]) for s in scored if key in s])

    refused = [s for s in scored if s["refused"]]
    unanswerable = [s for s in scored if s["unanswerable"]]
    answerable = [s for s in scored if not s["unanswerable"] and not s["error"]]
    n_cites = sum(s["citations"] for s in scored)
    latencies = [float(s["latency_ms"]) for s in scored if s.get("latency_ms") is not None]
    with_usage = [s["usage"] for s in scored if s["usage"]]
    out: dict[str, Any] = {
        "n": len(scored),
        "errors": sum(1 for s in scored if s["error"]),
        **{k: mean_of(k) for k in ("hit@1", "hit@5", "hit@10", "mrr@10", "all_gold@10")},
        "must_accuracy": mean_of("must_ok"),
        "refusal_precision": sum(s["unanswerable"] for s in refused) / len(refused) if refused else None,
        "refusal_recall": sum(s["refused"] for s in unanswerable) / len(unanswerable) if unanswerable else None,
        "answered": sum(not s["refused"] for s in answerable) / len(answerable) if answerable else None,
        "quote_exact": sum(s["quote_exact"] for s in scored) / n_cites if n_cites else None,
        "citation_precision": mean_of("citation_precision"),
        "citation_recall": mean_of("citation_recall"),
        "citations": n_cites,
        "latency_p50_ms": percentile(latencies, 50),
        "latency_p95_ms": percentile(latencies, 95),
        "input_tokens": sum(u.get("input_tokens", 0) for u in with_usage) if with_usage else None,
        "output_tokens": sum(u.get("output_tokens", 0) for u in with_usage) if with_usage else None,
    }
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


# ---- the whole evaluation ---------------------------------------------------------------------------


def evaluate(assistant: Any, questions: list[EvalQuestion], *, answers: dict[str, dict[str, Any]] | None = None,
             llm: str | None = None, k: int | None = None, concurrency: int = 1,
             on_record: OnRecord | None = None) -> dict[str, Any]:
    """Answer the questions (or take `answers`), then score them. Returns the report as a dict."""
    if answers is not None and k is None:
        # an answers file does not say its k, but each record lists the passages it was given
        k = max((len(r.get("retrieved") or []) for r in answers.values()), default=0) or None
    if answers is None:
        collected: list[dict[str, Any]] = []

        def keep(record: dict[str, Any]) -> None:
            collected.append(record)
            if on_record:
                on_record(record)

        run_batch(assistant, [Question(q.id, q.question) for q in questions], llm=llm, k=k,
                  concurrency=concurrency, on_record=keep)
        answers = {r["id"]: r for r in collected}
    # the cited articles, read once, for whether each quote is exact
    cited = [c["article_id"] for r in answers.values() for c in r.get("citations") or [] if c.get("article_id")]
    texts = assistant.store().article_texts(cited)
    scored = []
    for q in questions:
        ranked = [file_of(p.source_path) for p in assistant.retrieve(q.question, k=RETRIEVAL_K)]
        scored.append(score_question(q, answers.get(q.id), ranked, texts.get))
    ids = {q.id for q in questions}
    providers = Counter((r.get("provider", ""), r.get("model", "")) for r in answers.values() if r.get("id") in ids)
    provider, model = providers.most_common(1)[0][0] if providers else ("", "")
    return {
        "provider": provider,
        "model": model,
        "k": k or assistant.settings.k,
        "retrieval_k": RETRIEVAL_K,
        "overall": aggregate(scored),
        "by_type": {t: aggregate([s for s in scored if s["type"] == t]) for t in dict.fromkeys(s["type"] for s in scored)},
        "per_question": scored,
    }


def format_value(value: Any, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "share":
        return f"{value:.3f}"
    if kind == "ms":
        return f"{value:,.0f} ms"
    return f"{value:,}"


def report_table(report: dict[str, Any]) -> Any:
    """The report as a rich Table: one row per metric, one column overall and one per question type."""
    from rich.table import Table

    title = f"{report.get('provider') or '?'}" + (f" · {report['model']}" if report.get("model") not in ("", report.get("provider")) else "")
    table = Table(title=f"evaluation — {title} — k={report['k']}")
    table.add_column("metric")
    columns = {"overall": report["overall"], **report["by_type"]}
    for name in columns:
        table.add_column(name, justify="right")
    for key, label, kind in METRICS:
        table.add_row(label, *(format_value(m.get(key), kind) for m in columns.values()))
    return table
