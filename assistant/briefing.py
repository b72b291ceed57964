"""Cited briefings: a topic in, a `Briefing` out that a reader can check line by line.

Map-reduce over articles. *Gather* runs several sub-queries derived from the topic and keeps the articles
they agree on. *Map* turns each article into cited facts: its best sentences (extractive), or facts a
model wrote against the article's numbered passages, in batches that fit the model's context window.
*Reduce* composes the summary and the differences between sources (extractive: chosen and paired
sentences; a model: a compose prompt over the numbered facts). The timeline, the people and places and
the source list are built from the article text itself for every provider: dates resolved by
`dates.find_dates`, names joined across spellings by `entities.join_entities`.

Every item's citations are exact spans of article text; model output goes through the same
`citations.validate` as answers, and a last check drops any item whose quote does not match its article.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.chunking import sentence_spans
from assistant.citations import CITATION_RE, split_claims, support, validate
from assistant.dates import find_dates, show_dates
from assistant.entities import Mention, join_entities, mentions, variant_spellings
from assistant.errors import InputError
from assistant.extractive import Candidate, score_sentences
from assistant.prompts import load_prompt
from assistant.providers import ChatChoice, provider_error
from assistant.retrieval import Filters
from assistant.settings import Settings
from assistant.store import Store
from assistant.text import STOPWORDS, WORD_RE, content_tokens, fold
from assistant.types import (
    Article,
    BriefEntity,
    Briefing,
    BriefItem,
    BriefSource,
    Citation,
    Passage,
    TimelineEvent,
)

Retrieve = Callable[[str, int, Filters], list[Passage]]
Progress = Callable[[str], None]

OPENAI_CONTEXT = 16000  # tokens assumed for an OpenAI-compatible model; local uses settings.local_context
CHARS_PER_TOKEN = 3  # conservative for English news text, so an estimate never overflows the window
PROMPT_TOKENS = 350  # the fixed part of the map and compose prompts
FACT_MIN_SCORE = 0.3  # least relevance (topic + centrality) for a sentence to become a fact
RELEVANT_MIN = 0.25  # least relevance for a sentence's dates, names and accounts to enter the briefing
MAX_FACTS_PER_ARTICLE = 6
MAX_EVENTS = 15


@dataclass
class Fact:
    """A claim about the topic with the article spans that support it (a composed bullet may cite several
    articles)."""

    text: str
    cites: list[tuple[Article, int, int]]
    score: float = 0.0

    @property
    def article(self) -> Article:
        return self.cites[0][0]


@dataclass
class Sentence:
    article: Article
    start: int
    end: int
    score: float = 0.0
    vector: np.ndarray | None = None

    @property
    def text(self) -> str:
        return self.article.text[self.start:self.end]


@dataclass
class Registry:
    """Numbers citations in the order a reader meets them; one number per distinct article span."""

    source_of: dict[str, int]
    citations: list[Citation] = field(default_factory=list)
    numbers: dict[tuple[str, int, int], int] = field(default_factory=dict)

    def cite(self, article: Article, start: int, end: int) -> int:
        key = (article.id, start, end)
        if key not in self.numbers:
            self.numbers[key] = len(self.numbers) + 1
            self.citations.append(Citation(
                n=self.numbers[key], article_id=article.id, source_path=article.source_path, title=article.title,
                date=article.date, outlet=article.outlet, chunk_id=f"{article.id}:brief", quote=article.text[start:end],
                start=start, end=end,
            ))
        return self.numbers[key]

    def marks(self, article: Article, spans: list[tuple[int, int]]) -> tuple[str, list[int]]:
        ns = [self.cite(article, a, b) for a, b in spans]
        return "".join(f"[{n}]" for n in dict.fromkeys(ns)), list(dict.fromkeys(ns))


# ---- gather ---------------------------------------------------------------------------------------


def sub_queries(topic: str) -> list[str]:
    """The topic, its overlapping word pairs, and the facets a briefing needs (when, who, reactions)."""
    words = [w for w in WORD_RE.findall(topic) if fold(w) not in STOPWORDS]
    queries = [topic.strip()]
    if len(words) > 2:
        queries += [" ".join(words[i:i + 2]) for i in range(len(words) - 1)]
    queries += [f"{topic} dates events", f"who is involved in {topic}", f"{topic} statement reaction"]
    return list(dict.fromkeys(q for q in queries if q))[:8]


def gather(topic: str, retrieve: Retrieve, filters: Filters, max_articles: int, min_relevance: float,
           k: int = 8) -> tuple[list[str], list[str]]:
    """Article ids ranked by reciprocal-rank votes over the sub-queries; an article must be relevant to one."""
    queries = sub_queries(topic)
    votes: dict[str, float] = {}
    best: dict[str, float] = {}
    for q in queries:
        seen: set[str] = set()
        for rank, p in enumerate(retrieve(q, k, filters)):
            if p.article_id not in seen:
                seen.add(p.article_id)
                votes[p.article_id] = votes.get(p.article_id, 0.0) + 1.0 / (60 + rank + 1)
            best[p.article_id] = max(best.get(p.article_id, 0.0), p.score)
    ranked = sorted((a for a in votes if best[a] >= min_relevance), key=lambda a: -votes[a])
    return ranked[:max_articles], queries


# ---- map ------------------------------------------------------------------------------------------


def score_article_sentences(topic: str, articles: list[Article], embeddings: Embeddings) -> list[Sentence]:
    """Every sentence of the articles with its relevance to the topic (embedding + shared words)."""
    cands: list[Candidate] = []
    for n, a in enumerate(articles, 1):
        for s, e in sentence_spans(a.text):
            if e - s >= 20:
                cands.append(Candidate(n, a.id, a.text[s:e], s))
    score_sentences(topic, cands, embeddings)
    # A relevant article's story matters beyond the sentences that repeat the topic's words: blend in how
    # central a sentence is to its own article (cosine to the article's mean sentence vector).
    vectors = np.array(embeddings.embed_documents([c.text for c in cands]), dtype=np.float32) if cands else None
    out: list[Sentence] = []
    by_id = {a.id: a for a in articles}
    for aid in by_id:
        rows = [i for i, c in enumerate(cands) if c.article_id == aid]
        if not rows or vectors is None:
            continue
        centroid = vectors[rows].mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        for i in rows:
            c = cands[i]
            score = 0.6 * c.score + 0.4 * float(vectors[i] @ centroid)
            out.append(Sentence(by_id[aid], c.start, c.start + len(c.text), score, vectors[i]))
    return out


def extractive_facts(sentences: list[Sentence]) -> list[Fact]:
    """Each article's best sentences: verbatim, so their support is complete by construction."""
    facts: list[Fact] = []
    by_article: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_article.setdefault(s.article.id, []).append(s)
    for group in by_article.values():
        group = sorted(group, key=lambda s: -s.score)
        top = group[0].score if group else 0.0
        keep = [s for s in group if s.score >= max(FACT_MIN_SCORE, 0.75 * top)][:MAX_FACTS_PER_ARTICLE]
        facts += [Fact(s.text, [(s.article, s.start, s.end)], s.score) for s in keep]
    return facts


def article_batches(article: Article, budget_chars: int, passage_chars: int = 700) -> list[list[Passage]]:
    """The article as passages of whole sentences, grouped into batches that fit the prompt budget."""
    passages: list[Passage] = []
    passage_chars = min(passage_chars, max(200, budget_chars - 100))  # a small window takes small passages
    spans = sentence_spans(article.text)
    i = 0
    while i < len(spans):
        j = i
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= passage_chars:
            j += 1
        a, b = spans[i][0], spans[j][1]
        passages.append(Passage(
            chunk_id=f"{article.id}:p{len(passages)}", article_id=article.id, source_path=article.source_path,
            title=article.title, date=article.date, outlet=article.outlet, text=article.text[a:b], start=a, end=b,
        ))
        i = j + 1
    batches: list[list[Passage]] = []
    size = 0
    for p in passages:
        cost = len(p.text) + len(p.title) + 40  # the numbered, fenced header format_sources adds
        if batches and size + cost <= budget_chars:
            batches[-1].append(p)
            size += cost
        else:
            batches.append([p])
            size = cost
    return batches


def _invoke(choice: ChatChoice, prompt: str, values: dict[str, str]) -> str:
    assert choice.chat is not None
    try:
        message = (load_prompt(prompt) | choice.chat).invoke(values)
    except Exception as exc:
        raise provider_error(exc) from None
    return str(message.content)


_CUT_RE = re.compile(r"\s['‘\"“][^'’\"”\s]*\.?$")


def model_facts(topic: str, article: Article, choice: ChatChoice, settings: Settings, budget_chars: int,
                removed: list[str]) -> list[Fact]:
    """Facts a model wrote about the article, one call per batch of passages, validated like answers."""
    from assistant.citations import format_sources

    facts: list[Fact] = []
    for batch in article_batches(article, budget_chars):
        raw = _invoke(choice, "brief_facts", {"topic": topic, "sources": format_sources(batch)})
        v = validate(raw, batch, settings.min_support)
        removed += v.removed
        if v.refused:
            continue
        for claim, numbers in split_claims(v.text):
            if _CUT_RE.search(claim):
                removed.append(claim)  # the model stopped inside a quotation: "... at the 'G."
                continue
            cites = [(article, v.citations[n - 1].start, v.citations[n - 1].end)
                     for n in numbers if 1 <= n <= len(v.citations)]
            if cites:
                facts.append(Fact(claim, cites))
    return facts


# ---- reduce ---------------------------------------------------------------------------------------


def _overlap(a: str, b: str) -> float:
    ta, tb = content_tokens(a), content_tokens(b)
    return len(ta & tb) / (min(len(ta), len(tb)) or 1)


def pick_summary(facts: list[Fact], order: list[str], most: int = 4) -> list[Fact]:
    """Best facts, taking articles in turn so one source cannot fill the summary; near-repeats skipped."""
    queues = {a: sorted([f for f in facts if f.article.id == a], key=lambda f: -f.score) for a in order}
    chosen: list[Fact] = []
    while len(chosen) < most and any(queues.values()):
        for a in order:
            while queues[a]:
                f = queues[a].pop(0)
                if all(_overlap(f.text, c.text) < 0.6 for c in chosen):
                    chosen.append(f)
                    break
            if len(chosen) >= most:
                break
    return chosen


def compose_with_model(topic: str, facts: list[Fact], source_of: dict[str, int], choice: ChatChoice,
                       settings: Settings, budget_chars: int, removed: list[str]) -> tuple[list[Fact], list[Fact]]:
    """Summary and difference bullets from the numbered facts; each cites the article spans its facts quote."""
    ranked = sorted(facts, key=lambda f: -f.score)
    given: list[Fact] = []
    size = 0
    for f in ranked:  # the best facts that fit the window; the rest are still listed as key facts
        cost = len(f.text) + 40
        if size + cost > budget_chars:
            break
        given.append(f)
        size += cost
    if not given:
        return [], []
    lines = [f"[{i}] (article {source_of[f.article.id]}) {f.text}" for i, f in enumerate(given, 1)]
    raw = _invoke(choice, "brief_compose", {"topic": topic, "facts": "\n".join(lines)})
    # Validate against the facts' own article sentences, so support is checked on the article, not the fact.
    passages = [Passage(chunk_id=f"{a.id}:f{i}", article_id=a.id, source_path=a.source_path, title=a.title,
                        date=a.date, outlet=a.outlet, text=a.text[s:e], start=s, end=e)
                for i, f in enumerate(given) for a, s, e in f.cites[:1]]
    articles = {f.article.id: f.article for f in given}
    parts = re.split(r"(?im)^\W*(summary|differences?)\W*$", raw)
    sections = {"summary": raw if len(parts) < 3 else ""}
    for name, body in zip(parts[1::2], parts[2::2], strict=False):
        sections["differences" if name.lower().startswith("diff") else "summary"] = body
    out: dict[str, list[Fact]] = {"summary": [], "differences": []}
    for name in out:
        for line in sections.get(name, "").splitlines():
            line = re.sub(r"^\s*[-*•]\s*", "", line).strip()
            if not line:
                continue
            v = validate(line, passages, settings.min_support)
            removed += v.removed
            if v.refused:
                continue
            named = {int(n) for n in re.findall(r"(?i)\barticles?\s+(\d+)", v.text)}
            if not named <= {source_of[c.article_id] for c in v.citations}:
                removed.append(v.text)  # "article 3 says" with article 3 not cited (or not existing): mislabelled
                continue
            text = re.sub(r"\s+([.,;:!?])", r"\1", CITATION_RE.sub("", v.text)).strip()
            out[name].append(Fact(text, [(articles[c.article_id], c.start, c.end) for c in v.citations], 1.0))
    return out["summary"], out["differences"]


def pair_differences(sentences: list[Sentence], vectors: dict[tuple[str, int], np.ndarray],
                     source_of: dict[str, int], most: int = 4) -> list[tuple[Sentence, Sentence | None]]:
    """Pairs of sentences from different sources about the same thing told in different words (the sources
    differ or add detail), then the best sentence each source has that no other source covers."""
    relevant = [s for s in sentences if s.score >= RELEVANT_MIN]
    pairs: list[tuple[float, Sentence, Sentence]] = []
    for i, a in enumerate(relevant):
        for b in relevant[i + 1:]:
            if a.article.id == b.article.id:
                continue
            sim = float(vectors[(a.article.id, a.start)] @ vectors[(b.article.id, b.start)])
            if sim >= 0.55 and _overlap(a.text, b.text) < 0.6:
                pairs.append((sim, a, b))  # the closest accounts of one thing, however topical
    used: set[tuple[str, int]] = set()
    out: list[tuple[Sentence, Sentence | None]] = []
    for _, a, b in sorted(pairs, key=lambda p: -p[0]):
        if (a.article.id, a.start) in used or (b.article.id, b.start) in used or len(out) >= most - 1:
            continue
        used |= {(a.article.id, a.start), (b.article.id, b.start)}
        first, second = sorted((a, b), key=lambda s: source_of[s.article.id])
        out.append((first, second))
    if len(source_of) > 1:
        for aid in sorted(source_of, key=source_of.get):  # type: ignore[arg-type]
            own = [s for s in relevant if s.article.id == aid and (aid, s.start) not in used]
            others = [s for s in relevant if s.article.id != aid]
            for s in sorted(own, key=lambda s: -s.score):
                v = vectors[(aid, s.start)]
                if all(float(v @ vectors[(o.article.id, o.start)]) < 0.45 for o in others):
                    out.append((s, None))
                    break
    return out[:most + 1]


# ---- timeline and entities --------------------------------------------------------------------------


def excerpt(text: str, a: int, b: int, before: int = 90, after: int = 120) -> tuple[int, int]:
    """Offsets (in text) of a window around [a, b) that starts and ends on word boundaries."""
    s = max(0, a - before)
    e = min(len(text), b + after)
    if s > 0:
        s = text.find(" ", s) + 1 or s
    if e < len(text):
        e = text.rfind(" ", b, e) if text.rfind(" ", b, e) > b else e
    return s, e


def build_timeline(sentences: list[Sentence], registry: Registry) -> list[TimelineEvent]:
    """Dated events from relevant sentences, dates resolved against each article's publication date."""
    events: list[tuple[tuple[str, int, int], TimelineEvent]] = []
    dated = [s for s in sentences if s.score >= RELEVANT_MIN and find_dates(s.text, s.article.date)]
    for s in sorted(dated, key=lambda s: -s.score)[:MAX_EVENTS]:
        found = find_dates(s.text, s.article.date)
        for m in found:
            if len(s.text) - len(m.text) < 40:
                continue  # a dateline ("BAKU, Azerbaijan, December 13.") is when it was written, not an event
            text = s.text
            if len(found) > 1 or len(text) > 260:
                # Several dates in one sentence: show the words around each date, not the sentence again.
                a, b = excerpt(text, m.start, m.end)
                text = ("…" if a > 0 else "") + text[a:b].strip(" ,;") + ("…" if b < len(s.text) else "")
            mark, ns = registry.marks(s.article, [(s.start, s.end)])
            item = TimelineEvent(text=f"{text} {mark}", citations=ns, dates=list(m.dates), when=show_dates(m.dates),
                                 as_written=m.text)
            events.append(((m.dates[0], registry.source_of[s.article.id], s.start + m.start), item))
    events.sort(key=lambda e: e[0])
    return [e for _, e in events]


KIND_ORDER = {"person": 0, "organisation": 1, "place": 2, "other": 3}


def build_entities(sentences: list[Sentence], registry: Registry, most: int = 15) -> list[BriefEntity]:
    """People, organisations and places named in relevant sentences, spellings joined across sources."""
    found: list[tuple[str, Mention]] = []
    articles: dict[str, Article] = {}
    outlets = {s.article.outlet for s in sentences if s.article.outlet}
    for s in sentences:
        if s.score < RELEVANT_MIN:
            continue
        articles[s.article.id] = s.article
        for m in mentions(s.text):
            found.append((s.article.id, Mention(m.name, m.kind, s.start + m.start, s.start + m.end, m.key)))
    entities = join_entities(found)
    entities.sort(key=lambda e: (-len({a for a, _, _ in e.mentions}), -len(e.mentions), KIND_ORDER[e.kind]))
    out: list[BriefEntity] = []
    for e in entities[:most]:
        kind = "organisation" if e.name in outlets else e.kind
        first: dict[str, tuple[int, int]] = {}
        for aid, a, b in sorted(e.mentions, key=lambda m: (registry.source_of[m[0]], m[1])):
            if aid not in first:
                first[aid] = next((sp for sp in sentence_spans(articles[aid].text) if sp[0] <= a and b <= sp[1]), (a, b))
        ns = [registry.cite(articles[aid], *span) for aid, span in first.items()]
        variants = variant_spellings(e)
        note = f" (spelled {' / '.join(variants)} by different sources)" if variants else ""
        marks = "".join(f"[{n}]" for n in ns)
        out.append(BriefEntity(text=f"{e.name}{note} {marks}", citations=ns, kind=kind, spellings=e.spellings))
    out.sort(key=lambda e: KIND_ORDER[e.kind])
    return out


# ---- the whole ----------------------------------------------------------------------------------------


def budget_of(choice: ChatChoice, settings: Settings, context_tokens: int | None) -> int:
    """Characters of sources a prompt may carry: the window minus the prompt and the reply."""
    tokens = context_tokens or (settings.local_context if choice.provider == "local" else OPENAI_CONTEXT)
    return max(400, (tokens - PROMPT_TOKENS - settings.max_tokens) * CHARS_PER_TOKEN)


def build_briefing(
    topic: str, *, retrieve: Retrieve, store: Store, embeddings: Embeddings, settings: Settings, choice: ChatChoice,
    since: str | None = None, until: str | None = None, max_articles: int = 8, context_tokens: int | None = None,
    progress: Progress | None = None,
) -> Briefing:
    topic = topic.strip()
    if not topic:
        raise InputError("the topic is empty", 'give a topic, e.g. assistant brief "illegal mining in Karabakh"')
    say = progress or (lambda _msg: None)
    say("gathering articles")
    ids, queries = gather(topic, retrieve, Filters(since=since, until=until), max_articles, settings.min_relevance)
    articles = [a for a in (store.get_article(i) for i in ids) if a is not None]
    if not articles:
        raise InputError(f"no article in the store is about {topic!r}",
                         "ingest articles on it, or widen --since/--until")
    sentences = score_article_sentences(topic, articles, embeddings)
    removed: list[str] = []
    budget = budget_of(choice, settings, context_tokens)
    if choice.chat is None:
        facts = extractive_facts(sentences)
    else:
        facts = []
        for n, a in enumerate(articles, 1):
            say(f"reading article {n} of {len(articles)}")
            facts += model_facts(topic, a, choice, settings, budget, removed)
        facts += [f for f in extractive_facts(sentences) if not any(f.article.id == g.article.id for g in facts)]
        _score_facts(topic, facts, embeddings)
    # Only articles that gave a fact are sources; they are numbered by relevance.
    articles = [a for a in articles if any(f.article.id == a.id for f in facts)]
    source_of = {a.id: n for n, a in enumerate(articles, 1)}
    sentences = [s for s in sentences if s.article.id in source_of]
    facts = [f for f in facts if f.article.id in source_of]
    registry = Registry(source_of)
    order = [a.id for a in articles]

    say("composing")
    model_summary: list[Fact] = []
    model_diffs: list[Fact] = []
    if choice.chat is not None:
        model_summary, model_diffs = compose_with_model(topic, facts, source_of, choice, settings, budget, removed)
    summary_facts = model_summary if len(model_summary) >= 3 else pick_summary(facts, order)
    summarized = {_claim_key(f.text) for f in summary_facts}
    model_diffs = [f for f in model_diffs if _claim_key(f.text) not in summarized]  # a summary bullet again
    briefing = Briefing(topic=topic, title=f"Briefing: {topic}", since=None, until=None, queries=queries, provider=choice.provider,
                        model=choice.model, removed=removed)
    briefing.summary = [_item(f, registry) for f in summary_facts]
    used = {f.text for f in summary_facts}
    key = [f for f in sorted(facts, key=lambda f: (source_of[f.article.id], f.cites[0][1])) if f.text not in used]
    briefing.key_facts = [_item(f, registry) for f in key][:10]
    briefing.timeline = build_timeline(sentences, registry)
    briefing.entities = build_entities(sentences, registry)
    if model_diffs:
        briefing.differences = [_item(f, registry) for f in model_diffs]
    else:
        vectors = _vectors(sentences)
        briefing.differences = [_difference(a, b, registry, articles) for a, b in pair_differences(sentences, vectors, source_of)]
    briefing.sources = [BriefSource(n=source_of[a.id], article_id=a.id, title=a.title, outlet=a.outlet, date=a.date,
                                    path=a.source_path, url=a.url) for a in articles]
    dates = sorted(a.date for a in articles if a.date)
    briefing.since = since or (dates[0] if dates else None)
    briefing.until = until or (dates[-1] if dates else None)
    briefing.citations = registry.citations
    return check(briefing, {a.id: a for a in articles}, settings.min_support)


def _score_facts(topic: str, facts: list[Fact], embeddings: Embeddings) -> None:
    cands = [Candidate(0, f.article.id, f.text, 0) for f in facts]
    score_sentences(topic, cands, embeddings)
    for f, c in zip(facts, cands, strict=True):
        f.score = c.score


def _vectors(sentences: list[Sentence]) -> dict[tuple[str, int], np.ndarray]:
    return {(s.article.id, s.start): s.vector for s in sentences if s.vector is not None}


def _item(f: Fact, registry: Registry) -> BriefItem:
    ns = list(dict.fromkeys(registry.cite(a, s, e) for a, s, e in f.cites))
    return BriefItem(text=f"{f.text.rstrip()} {''.join(f'[{n}]' for n in ns)}", citations=ns)


def _label(article: Article, source_of: dict[str, int]) -> str:
    meta = ", ".join(x for x in (article.outlet, article.date) if x)
    return f"Source {source_of[article.id]}" + (f" ({meta})" if meta else "")


def _difference(a: Sentence, b: Sentence | None, registry: Registry, articles: list[Article]) -> BriefItem:
    mark_a, ns_a = registry.marks(a.article, [(a.start, a.end)])
    if b is None:
        return BriefItem(text=f"Only {_label(a.article, registry.source_of)} reports: {a.text} {mark_a}", citations=ns_a)
    mark_b, ns_b = registry.marks(b.article, [(b.start, b.end)])
    return BriefItem(
        text=f"{_label(a.article, registry.source_of)}: {a.text} {mark_a} — {_label(b.article, registry.source_of)}: "
             f"{b.text} {mark_b}",
        citations=ns_a + [n for n in ns_b if n not in ns_a],
    )


_SAYS_RE = re.compile(r"(?i)\b(?:article|source)\s+\d+\s+(?:says|reports|states|notes)(?:\s+that)?")
_LABEL_RE = re.compile(r"(?:^|—)\s*(?:Only )?Source \d+(?: \([^)]*\))?(?: reports)?:")


def check(briefing: Briefing, articles: dict[str, Article], min_support: float) -> Briefing:
    """The last line of defence: every quote must be its article's text at its offsets, and every item must
    be supported by the quotes it cites; anything else is dropped and reported in `removed`."""
    good = {c.n for c in briefing.citations
            if c.article_id in articles and articles[c.article_id].text[c.start:c.end] == c.quote}
    quotes = {c.n: c.quote for c in briefing.citations}

    def keep(item: BriefItem) -> bool:
        if not item.citations or not set(item.citations) <= good:
            briefing.removed.append(item.text)
            return False
        claim = _LABEL_RE.sub(" ", CITATION_RE.sub("", item.text))
        claim = claim.replace("…", " ")
        if support(claim, " ".join(quotes[n] for n in item.citations)) < min_support:
            briefing.removed.append(item.text)
            return False
        return True

    said: set[str] = set()

    def new(item: BriefItem) -> bool:
        """Not a repeat of an item already kept (a model may write one fact twice)."""
        key = _claim_key(item.text)
        if key in said:
            return False
        said.add(key)
        return True

    briefing.summary = [i for i in briefing.summary if keep(i) and new(i)]
    briefing.key_facts = [i for i in briefing.key_facts if keep(i) and new(i)]
    briefing.timeline = [i for i in briefing.timeline if keep(i)]  # type: ignore[misc]
    briefing.entities = [i for i in briefing.entities if set(i.citations) <= good]
    said.clear()  # differences are checked for repeats among themselves only
    briefing.differences = [i for i in briefing.differences if keep(i) and new(i)]
    return briefing


def _claim_key(text: str) -> str:
    """What a bullet claims, without its citations and source labels: equal keys say the same thing."""
    return " ".join(sorted(content_tokens(_LABEL_RE.sub(" ", _SAYS_RE.sub(" ", CITATION_RE.sub("", text))))))
