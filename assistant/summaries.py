"""Short cited summaries of single articles, cached in the store's article record.

Extractive by default: the article's most central sentences (close to the article as a whole and to its
title, with a lead bonus because news puts the news first), quoted verbatim in article order. The answerer
is asked to write the summary from the article's passages (pre-selected the same way when the article is
longer than its context window), validated like an answer; when it writes nothing that holds up (the
extractive answerer writes nothing of its own), the summary is the extractive one.

The cache lives in the article record's metadata under "summary" as the `Summary` JSON. Article ids are
content hashes, so a changed article is a new record with no summary: the cache invalidates itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answerers import Answerer
from assistant.chunking import sentence_spans
from assistant.citations import format_sources, validate
from assistant.errors import InputError
from assistant.settings import Settings
from assistant.store import Store
from assistant.types import Article, Citation, Passage, Summary


def find_article(records: dict[str, dict], query: str) -> str:
    """The id of the article a user named by id (or a 6+ character prefix), path, or words of its title."""
    if query in records:
        return query
    given = Path(query)
    for aid, meta in records.items():
        path = meta.get("source_path", "")
        if path == query or (given.exists() and Path(path.split("#")[0]).resolve() == given.resolve()
                             and "#" not in path):
            return aid
    if len(query) >= 6:
        prefixed = [a for a in records if a.startswith(query)]
        if len(prefixed) == 1:
            return prefixed[0]
    words = query.lower().split()
    titled = [a for a, m in records.items() if all(w in m.get("title", "").lower() for w in words)]
    if len(titled) == 1:
        return titled[0]
    if titled:
        names = "; ".join(f"{a[:10]} {records[a].get('title', '')[:50]}" for a in titled[:5])
        raise InputError(f"{len(titled)} articles match {query!r}: {names}", "give more of the title, or the id")
    raise InputError(f"no article matches {query!r}", "give an id, a path or title words; see `assistant articles`")


def central_sentences(article: Article, n: int, embeddings: Embeddings) -> list[tuple[int, int]]:
    """The n best summary sentences of the article, as article offsets in article order."""
    spans = [(a, b) for a, b in sentence_spans(article.text) if b - a >= 25]
    if not spans:
        spans = sentence_spans(article.text)[:n]
    if len(spans) <= n:
        return spans
    vectors = np.array(embeddings.embed_documents([article.text[a:b] for a, b in spans] + [article.title]),
                       dtype=np.float32)
    sentences, title = vectors[:-1], vectors[-1]
    centroid = sentences.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    lead = np.array([1.0 / (1 + i) for i in range(len(spans))], dtype=np.float32)
    # Lead bonus: news states the news first; centrality and title similarity pick up the rest.
    score = 0.45 * (sentences @ centroid) + 0.25 * (sentences @ title) + 0.3 * lead
    best = sorted(np.argsort(-score)[:n].tolist())
    return [spans[i] for i in best]


def _citation(article: Article, n: int, start: int, end: int) -> Citation:
    return Citation(n=n, article_id=article.id, source_path=article.source_path, title=article.title,
                    date=article.date, outlet=article.outlet, chunk_id=f"{article.id}:summary",
                    quote=article.text[start:end], start=start, end=end)


def extractive_summary(article: Article, n: int, embeddings: Embeddings) -> Summary:
    spans = central_sentences(article, n, embeddings)
    citations = [_citation(article, i, a, b) for i, (a, b) in enumerate(spans, 1)]
    text = " ".join(f"{c.quote} [{c.n}]" for c in citations)
    return Summary(article_id=article.id, title=article.title, text=text, citations=citations, sentences=n,
                   provider="extractive", model="extractive")


def written_summary(article: Article, n: int, embeddings: Embeddings, writer: Answerer, settings: Settings,
                    budget_chars: int) -> Summary:
    """The writer's summary over the article's passages (a long article is cut to its central sentences
    first), or the extractive one when nothing it wrote holds up."""
    spans = sentence_spans(article.text)
    if len(article.text) > budget_chars:
        keep = max(n * 3, 6)
        while True:
            spans = central_sentences(article, keep, embeddings)
            if sum(b - a for a, b in spans) <= budget_chars or keep <= n:
                break
            keep -= 2
    passages = [Passage(chunk_id=f"{article.id}:s{i}", article_id=article.id, source_path=article.source_path,
                        title=article.title, date=article.date, outlet=article.outlet, text=article.text[a:b],
                        start=a, end=b) for i, (a, b) in enumerate(spans)]
    raw = writer.write("summarize", {"title": article.title, "sources": format_sources(passages), "sentences": str(n)})
    v = validate(raw, passages, settings.min_support)
    if v.refused:  # nothing the model wrote held up: the extractive summary is still a true one
        fallback = extractive_summary(article, n, embeddings)
        return fallback.model_copy(update={"removed": v.removed})
    return Summary(article_id=article.id, title=article.title, text=v.text, citations=v.citations, sentences=n,
                   provider=writer.name, model=writer.model, removed=v.removed)


def cached(meta: dict) -> Summary | None:
    """The summary cached in an article record's metadata, if any (unreadable ones count as none)."""
    raw = meta.get("summary")
    if not raw:
        return None
    try:
        return Summary.model_validate(json.loads(raw)).model_copy(update={"cached": True})
    except (ValueError, TypeError):
        return None


def summarize(store: Store, embeddings: Embeddings, settings: Settings, writer: Answerer, article_ids: list[str],
              sentences: int, budget_chars: int, refresh: bool = False) -> list[Summary]:
    """Summaries of the articles, from the cache when one was made with the same provider and length."""
    records = store.article_records()
    out: list[Summary] = []
    for aid in article_ids:
        hit = None if refresh else cached(records.get(aid, {}))
        if hit and hit.sentences == sentences and hit.provider == writer.name:
            out.append(hit)
            continue
        article = store.get_article(aid)
        if article is None:
            continue
        summary = written_summary(article, sentences, embeddings, writer, settings, budget_chars)
        store.set_summary(aid, summary.model_dump_json(exclude={"cached"}))
        out.append(summary)
    return out
