"""Summary score: ROUGE-L F1 of `summarize` against the human summaries of the GUM Wikinews articles, and
the share of summary citations whose quote is exactly its article's text at its offsets.

    python bench/summary_eval.py [--articles DIR] [--store store/gum] [--sentences 1 3] [--llm extractive] [--brief]

Ingests the articles (unchanged ones cost nothing), summarises every one and writes bench/summary_eval.json.
A lead baseline (the first N sentences) is reported beside it, so the number has something to be read against.
`--brief` also scores the Summary section of a briefing over each article alone (topic: its title), against
the lead baseline of as many sentences as the section has bullets, and its first bullet against the lead sentence.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.chunking import sentence_spans  # noqa: E402
from assistant.citations import CITATION_RE  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.text import WORD_RE, fold  # noqa: E402
from assistant.types import Passage  # noqa: E402


def words(text: str) -> list[str]:
    return [fold(w) for w in WORD_RE.findall(text)]


def lcs(a: list[str], b: list[str]) -> int:
    """Length of the longest common subsequence, one row of the table at a time."""
    prev = [0] * (len(b) + 1)
    for x in a:
        row = [0]
        for j, y in enumerate(b, 1):
            row.append(prev[j - 1] + 1 if x == y else max(prev[j], row[-1]))
        prev = row
    return prev[-1]


def rouge_l(candidate: str, reference: str) -> float:
    """ROUGE-L F1 (beta = 1) over lower-cased, accent-folded words; citation markers are not words."""
    c, r = words(candidate), words(reference)
    if not c or not r:
        return 0.0
    hit = lcs(c, r)
    if hit == 0:
        return 0.0
    p, rec = hit / len(c), hit / len(r)
    return 2 * p * rec / (p + rec)


def brief_summary(assistant: Assistant, aid: str) -> list[str]:
    """The Summary bullets (citation markers removed) of an extractive briefing over the one article."""
    from assistant.answerers.extractive import ExtractiveAnswerer
    from assistant.briefing import build_briefing

    store = assistant.store()
    article = store.get_article(aid)
    assert article is not None
    passage = Passage(chunk_id=f"{aid}:0", article_id=aid, source_path=article.source_path, title=article.title,
                      date=article.date, outlet=article.outlet, text=article.text[:300], start=0,
                      end=min(300, len(article.text)), score=1.0)
    b = build_briefing(article.title, retrieve=lambda q, k, f: [passage], store=store, embeddings=assistant.embeddings,
                       settings=assistant.settings, writer=ExtractiveAnswerer(), max_articles=1)
    return [CITATION_RE.sub("", i.text).strip() for i in b.summary]


def brief_run(assistant: Assistant, humans: dict[str, list[str]], by_file: dict[str, str]) -> dict[str, object]:
    started = time.perf_counter()
    rouge, lead, first, lead1, bullets, scored = [], [], [], [], [], []
    for name, refs in sorted(humans.items()):
        aid = by_file.get(name)
        if aid is None:
            continue
        summary = brief_summary(assistant, aid)
        text = assistant.store().article_text(aid) or ""
        spans = sentence_spans(text)
        n = max(1, len(summary))
        rouge.append(max(rouge_l(" ".join(summary), r) for r in refs))
        lead.append(max(rouge_l(" ".join(text[a:b] for a, b in spans[:n]), r) for r in refs))
        first.append(max(rouge_l(summary[0] if summary else "", r) for r in refs))
        lead1.append(max(rouge_l(text[spans[0][0]:spans[0][1]], r) for r in refs))
        bullets.append(len(summary))
        scored.append({"article": name, "bullets": len(summary), "rouge_l": round(rouge[-1], 4),
                       "lead_rouge_l": round(lead[-1], 4), "first_bullet_rouge_l": round(first[-1], 4)})
    mean = lambda xs: round(sum(xs) / max(len(xs), 1), 4)  # noqa: E731
    run = {"briefing_summary_rouge_l_f1": mean(rouge), "lead_same_length_rouge_l_f1": mean(lead),
           "first_bullet_rouge_l_f1": mean(first), "lead_1_rouge_l_f1": mean(lead1), "bullets_mean": mean(bullets),
           "seconds": round(time.perf_counter() - started, 1), "per_article": scored}
    print(f"briefing summary: ROUGE-L F1 {run['briefing_summary_rouge_l_f1']:.4f} (lead of the same length "
          f"{run['lead_same_length_rouge_l_f1']:.4f}); first bullet {run['first_bullet_rouge_l_f1']:.4f} "
          f"(lead sentence {run['lead_1_rouge_l_f1']:.4f}); {run['bullets_mean']} bullets on average")
    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", default=str(ROOT.parent / "shared/corpus/gum-wikinews/articles"))
    parser.add_argument("--store", default=str(ROOT / "store/gum"))
    parser.add_argument("--sentences", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--llm", default="extractive")
    parser.add_argument("--brief", action="store_true", help="also score one-article briefings' Summary section")
    parser.add_argument("--out", default=str(ROOT / "bench/summary_eval.json"))
    args = parser.parse_args()
    articles = Path(args.articles)
    humans = {}
    for line in (articles.parent / "summaries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            humans[row["article"]] = [h["text"] for h in row["human_summaries"]]
    assistant = Assistant(load_settings(dotenv=None, store=Path(args.store)))
    report = assistant.ingest([str(articles)])
    print(f"ingested {len(report.added)} new, {len(report.unchanged)} unchanged in {report.seconds:.1f} s")
    store = assistant.store()
    records = store.article_records()
    by_file = {Path(m.get("source_path", "")).name: a for a, m in records.items()}
    results: dict[str, object] = {"articles": 0, "llm": args.llm, "runs": []}
    for n in args.sentences:
        started = time.perf_counter()
        rouge, lead, valid, cites, scored = [], [], 0, 0, []
        for name, refs in sorted(humans.items()):
            aid = by_file.get(name)
            if aid is None:
                continue
            s = assistant.summarize(aid, sentences=n, llm=args.llm)[0]
            text = store.article_text(aid) or ""
            for c in s.citations:
                cites += 1
                valid += text[c.start:c.end] == c.quote
            plain = " ".join(c.quote for c in s.citations) if s.provider == "extractive" else s.text
            best = max(rouge_l(plain, r) for r in refs)
            spans = sentence_spans(text)[:n]
            baseline = max(rouge_l(" ".join(text[a:b] for a, b in spans), r) for r in refs)
            rouge.append(best)
            lead.append(baseline)
            scored.append({"article": name, "rouge_l": round(best, 4), "lead_rouge_l": round(baseline, 4)})
        run = {
            "sentences": n,
            "rouge_l_f1": round(sum(rouge) / max(len(rouge), 1), 4),
            "lead_baseline_rouge_l_f1": round(sum(lead) / max(len(lead), 1), 4),
            "citation_validity": round(valid / cites, 4) if cites else None,
            "citations": cites,
            "seconds": round(time.perf_counter() - started, 1),
            "per_article": scored,
        }
        results["articles"] = len(rouge)
        results["runs"].append(run)  # type: ignore[union-attr]
        print(f"sentences={n}: ROUGE-L F1 {run['rouge_l_f1']:.4f} (lead baseline {run['lead_baseline_rouge_l_f1']:.4f}), "
              f"citation validity {run['citation_validity']} over {cites} citations, {len(rouge)} articles")
    if args.brief:
        results["briefing"] = brief_run(assistant, humans, by_file)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
