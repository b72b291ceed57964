"""Cited briefings: a topic in, a `Briefing` out that a reader can check line by line.

*Gather* runs several sub-queries derived from the topic and keeps the articles they agree on. *Read*
splits them into sentences, ranks them by the stored chunk embeddings and shared words, embeds the best
few hundred (a 40-article briefing embeds no more than a 10-article one) and scores them by relevance to
the topic and centrality in their article. Wire copies and rewrites are collapsed (`duplicates`): versions
of one story are found, and sentences that say one thing form one *claim*, cited once with how many
sources carried it. *Map* asks the answerer (`answerers.Answerer.write`) for facts over each article's
numbered passages; an article it wrote none for (every article, with the extractive answerer) gives its
claims as facts. *Reduce* composes the summary (at most five bullets), key facts (at most
ten), a timeline of one line per dated event (`dates.find_dates`), who is involved (the NER of the
language pipeline, joined by `entities.join_entities`, at most three citations each) and where the
sources differ (`differences`: the same slot of one claim filled differently; else what they share and
what one source alone adds).

Every item's citations are exact spans of article text; model output goes through the same
`citations.validate` as answers, and a last check drops any item whose quote does not match its article.
Citations are numbered in the order a reader meets them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answerers import Answerer
from assistant.chunking import sentence_spans
from assistant.citations import CITATION_RE, split_claims, support, validate
from assistant.dates import DateMention, ahead, find_dates, show_date, show_dates
from assistant.differences import Difference, Slot, find_differences
from assistant.duplicates import jaccard, same_claims, story_versions
from assistant.entities import KIND_ORDER, Entity, join_entities, mentions_in, variant_spellings
from assistant.errors import InputError
from assistant.extractive import Candidate, score_sentences
from assistant.language import NAMED, analyze, parse
from assistant.retrieval import Filters, mentions_name
from assistant.settings import Settings
from assistant.store import Store
from assistant.text import content_tokens, is_question, looks_like_instruction
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

CHARS_PER_TOKEN = 3  # conservative for English news text, so an estimate never overflows the window
PROMPT_TOKENS = 350  # the fixed part of the map and compose prompts
FACT_MIN_SCORE = 0.3  # least relevance (topic + centrality) for a sentence to become a fact
RELEVANT_MIN = 0.25  # least relevance for a sentence's dates, names and accounts to enter the briefing
MAX_FACTS_PER_ARTICLE = 6
LEAD_BONUS = 0.1  # added to the first sentence's score, half that to the second's...
EMBED_BUDGET = 240  # sentences embedded per briefing, shared among its articles
EMBED_MIN = 6  # ... but at least this many of each article
SUMMARY_MOST = 4
KEY_FACTS_MOST = 10
MAX_EVENTS = 12
ENTITIES_MOST = {"person": 6, "organisation": 5, "place": 5, "other": 2}
ENTITY_CITES = 3
DIFFERENCES_MOST = 4
ONLY_ADDS_MOST = 3
SAME_EVENT_COSINE = 0.65  # two sentences dated the same day this close tell one event
SAME_EVENT_WORDS = 0.4
SHARED_COSINE = 0.75  # a sentence this close to another source's tells the same thing
ELSEWHERE_COSINE = 0.6  # a sentence this close to another source's is not one source's alone
# An article whose best sentence is less relevant than this share of the best article's is off the topic.
# On the six briefing checklists every story article reaches 0.59 of the best; the other articles gathered
# reach 0.3 to 0.8 (a neighbouring story: another hurricane that season), so this drops only the far ones.
ARTICLE_MIN = 0.58
DATES_APART = 25  # date mentions this close in one sentence are one event ("late on Monday or early Tuesday")


@dataclass
class Sentence:
    article: Article
    start: int
    end: int
    position: int  # index among its article's sentences
    words: frozenset[str]
    score: float = 0.0  # relevance blended with centrality in its article
    relevance: float = 0.0  # to the topic alone
    vector: np.ndarray | None = None
    claim: int = -1  # sentences with one claim id say the same thing
    span: Any = None  # its parse (a spaCy Span), for the sentences the briefing reads closely

    @property
    def text(self) -> str:
        return self.article.text[self.start:self.end]

    @property
    def key(self) -> tuple[str, int]:
        return (self.article.id, self.start)


@dataclass
class Fact:
    """A claim about the topic with the article spans that support it (a composed bullet may cite several
    articles), and the articles that carry it (a wire story's versions, reprints)."""

    text: str
    cites: list[tuple[Article, int, int]]
    score: float = 0.0
    carriers: set[str] = field(default_factory=set)
    claim: int = -1

    @property
    def article(self) -> Article:
        return self.cites[0][0]


@dataclass
class Registry:
    """One number per distinct article span; numbers follow the reading order once `renumber` ran."""

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
    """The topic, its noun phrases and names (from the parse: "Puerto Rico governor Rosselló resignation",
    "succession", "Rosselló"), and the facets a briefing needs (when, who, reactions)."""
    doc = parse([topic.strip()])[0]
    queries = [topic.strip(), *(c.text for c in doc.noun_chunks), *(e.text for e in doc.ents if e.label_ in NAMED)]
    queries += [f"{topic} dates events", f"who is involved in {topic}", f"{topic} statement reaction"]
    return list(dict.fromkeys(q for q in queries if q))[:8]


def gather(topic: str, retrieve: Retrieve, filters: Filters, max_articles: int, min_relevance: float,
           k: int = 8) -> tuple[list[str], list[str]]:
    """Article ids ranked by reciprocal-rank votes over the sub-queries; an article must be relevant to one,
    or name the whole topic (a one-word topic, "Kyzylbulag", is far by meaning from any passage about it)."""
    queries = sub_queries(topic)
    votes: dict[str, float] = {}
    best: dict[str, float] = {}
    names: set[str] = set()
    for q in queries:
        seen: set[str] = set()
        for rank, p in enumerate(retrieve(q, k, filters)):
            if p.article_id not in seen:
                seen.add(p.article_id)
                votes[p.article_id] = votes.get(p.article_id, 0.0) + 1.0 / (60 + rank + 1)
            best[p.article_id] = max(best.get(p.article_id, 0.0), p.score)
            if p.article_id not in names and mentions_name(topic, f"{p.title} {p.text}"):
                names.add(p.article_id)
    ranked = sorted((a for a in votes if best[a] >= min_relevance or a in names), key=lambda a: -votes[a])
    return ranked[:max_articles], queries

# ---- read -----------------------------------------------------------------------------------------


def split_sentences(articles: list[Article]) -> list[Sentence]:
    """Every sentence of the articles that could be quoted as a fact: not a question (an interviewer's states
    nothing), and never an instruction planted in an article."""
    out: list[Sentence] = []
    for a in articles:
        for i, (s, e) in enumerate(sentence_spans(a.text)):
            text = a.text[s:e]
            if e - s >= 20 and not is_question(text) and not looks_like_instruction(text):
                out.append(Sentence(a, s, e, i, frozenset(content_tokens(text))))
    return out


def _chunk_relevance(sentences: list[Sentence], store: Store, topic_vector: np.ndarray) -> dict[tuple[str, int], float]:
    """Each sentence's best stored chunk's cosine to the topic: relevance known before embedding anything."""
    best: dict[tuple[str, int], float] = {}
    chunks = store.chunk_vectors(sorted({s.article.id for s in sentences}))
    by_article: dict[str, list[tuple[int, int, float]]] = {}
    for aid, a, b, v in chunks:
        by_article.setdefault(aid, []).append((a, b, float(np.asarray(v, dtype=np.float32) @ topic_vector)))
    for s in sentences:
        sims = [sim for a, b, sim in by_article.get(s.article.id, []) if a <= s.start < b]
        best[s.key] = max(sims, default=0.0)
    return best


def score_article_sentences(topic: str, sentences: list[Sentence], embeddings: Embeddings,
                            store: Store | None = None) -> list[Sentence]:
    """The sentences worth reading, scored by relevance to the topic (embedding and shared words) blended
    with centrality in their article (cosine to the mean of its scored sentences).

    Embedding is most of a briefing's time, so not every sentence is embedded: each article's sentences
    are first ranked by their chunk's stored embedding, the topic's words they share, their place (news puts
    the news first) and whether they carry a date, and the best `EMBED_BUDGET` (at least `EMBED_MIN` per
    article) are embedded, each distinct text once."""
    if not sentences:
        return []
    topic_vector = np.asarray(embeddings.embed_query(topic), dtype=np.float32)
    want = content_tokens(topic)
    chunk = _chunk_relevance(sentences, store, topic_vector) if store is not None else {}
    by_article: dict[str, list[Sentence]] = {}
    for s in sentences:
        by_article.setdefault(s.article.id, []).append(s)
    quota = max(EMBED_MIN, EMBED_BUDGET // len(by_article))
    chosen: list[Sentence] = []
    for group in by_article.values():
        def pre(s: Sentence) -> float:
            shared = len(want & s.words) / (len(want) or 1)
            dated = 0.1 if find_dates(s.text, s.article.date) else 0.0
            return 0.5 * chunk.get(s.key, 0.0) + 0.3 * shared + 0.2 / (1 + s.position) + dated
        chosen += sorted(group, key=pre, reverse=True)[:quota]
    texts = list(dict.fromkeys(" ".join(s.text.split()) for s in chosen))
    rows = {t: i for i, t in enumerate(texts)}
    vectors = np.asarray(embeddings.embed_documents(texts), dtype=np.float32)
    for s in chosen:
        s.vector = vectors[rows[" ".join(s.text.split())]]
        s.relevance = s.score = 0.6 * float(s.vector @ topic_vector) + 0.4 * len(want & s.words) / (len(want) or 1)
    for group in by_article.values():
        mine = [s for s in group if s.vector is not None]
        if not mine:
            continue
        centroid = np.mean(np.array([s.vector for s in mine]), axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        for s in mine:
            s.score = 0.6 * s.score + 0.4 * float(s.vector @ centroid)  # type: ignore[operator]
    chosen.sort(key=lambda s: (s.article.id, s.start))
    claims = same_claims([s.text for s in chosen], [s.words for s in chosen], np.array([s.vector for s in chosen]))
    for s, c in zip(chosen, claims, strict=True):
        s.claim = c
    return chosen


def parse_sentences(sentences: list[Sentence]) -> list[tuple[str, Any, list[tuple[int, int, int]]]]:
    """Parse the sentences, each article's as one text (names are read better in context); each sentence
    gets its `span`. Returns (article id, Doc, [(offset in the Doc, article start, article end)])."""
    from assistant.language import parse

    by_article: dict[str, list[Sentence]] = {}
    for s in sorted(sentences, key=lambda s: (s.article.id, s.start)):
        by_article.setdefault(s.article.id, []).append(s)
    texts, maps = [], []
    for group in by_article.values():
        parts: list[str] = []
        table: list[tuple[int, int, int]] = []
        at = 0
        for s in group:
            table.append((at, s.start, s.end))
            parts.append(s.text)
            at += len(s.text) + 1
        texts.append("\n".join(parts))
        maps.append(table)
    out = []
    for (aid, group), doc, table in zip(by_article.items(), parse(texts), maps, strict=True):
        for s, (at, _, _) in zip(group, table, strict=True):
            s.span = doc.char_span(at, at + len(s.text), alignment_mode="expand")
        out.append((aid, doc, table))
    return out


def to_article(table: list[tuple[int, int, int]], offset: int) -> int:
    """An offset in a parsed text of joined sentences -> the offset in its article."""
    at, start, _ = max((row for row in table if row[0] <= offset), default=table[0])
    return start + offset - at


# ---- map ------------------------------------------------------------------------------------------


def _best(members: list[Sentence], rank: dict[str, int]) -> Sentence:
    """The telling of a claim to quote: the best scored, and of equally good ones (a wire copy and its
    reprint) the one in the most relevant article."""
    top = max(s.score for s in members)
    return min((s for s in members if s.score >= top - 0.02), key=lambda s: (rank.get(s.article.id, 0), s.start))


def claim_facts(sentences: list[Sentence], rank: dict[str, int], near: float = 0.75) -> list[Fact]:
    """One fact per claim, quoting its best telling verbatim (so its support is complete by construction),
    and, per article, those that score at least `near` of the article's best."""
    groups: dict[int, list[Sentence]] = {}
    for s in sentences:
        groups.setdefault(s.claim, []).append(s)
    best_of: dict[str, float] = {}
    for s in sentences:
        best_of[s.article.id] = max(best_of.get(s.article.id, 0.0), s.score)
    facts: list[Fact] = []
    for claim, members in groups.items():
        top = _best(members, rank)
        if top.score < max(FACT_MIN_SCORE, near * best_of[top.article.id]):
            continue
        carriers = {s.article.id for s in members}
        # A claim more sources carry counts a little more: it is what the story is; so does an article's
        # opening, where news puts the news.
        bonus = 0.03 * (len(carriers) - 1) + LEAD_BONUS / (1 + min(s.position for s in members))
        facts.append(Fact(top.text, [(top.article, top.start, top.end)], top.score + bonus, carriers, claim))
    out: list[Fact] = []
    for aid in dict.fromkeys(f.article.id for f in facts):
        out += sorted([f for f in facts if f.article.id == aid], key=lambda f: -f.score)[:MAX_FACTS_PER_ARTICLE]
    return out


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


_CUT_RE = re.compile(r"\s['‘\"“][^'’\"”\s]*\.?$")


def model_facts(topic: str, article: Article, writer: Answerer, settings: Settings, budget_chars: int,
                removed: list[str]) -> list[Fact]:
    """Facts a model wrote about the article, one call per batch of passages, validated like answers (none
    from an answerer that writes nothing of its own)."""
    from assistant.citations import format_sources

    facts: list[Fact] = []
    for batch in article_batches(article, budget_chars):
        raw = writer.write("brief_facts", {"topic": topic, "sources": format_sources(batch)})
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


def pick_summary(facts: list[Fact], order: list[str], most: int = SUMMARY_MOST) -> list[Fact]:
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


def compose_with_model(topic: str, facts: list[Fact], source_of: dict[str, int], writer: Answerer,
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
    raw = writer.write("brief_compose", {"topic": topic, "facts": "\n".join(lines)})
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



# ---- timeline ---------------------------------------------------------------------------------------


def excerpt(text: str, a: int, b: int, before: int = 90, after: int = 120) -> tuple[int, int]:
    """Offsets (in text) of a window around [a, b) that starts and ends on word boundaries."""
    s = max(0, a - before)
    e = min(len(text), b + after)
    if s > 0:
        s = text.find(" ", s) + 1 or s
    if e < len(text):
        e = text.rfind(" ", b, e) if text.rfind(" ", b, e) > b else e
    return s, e


@dataclass
class Event:
    sentence: Sentence
    mentions: list[DateMention]
    dates: tuple[str, ...]
    carriers: set[str] = field(default_factory=set)


def _dates_of(s: Sentence) -> list[DateMention]:
    """The dates a sentence gives (a dateline, the whole sentence, is none), a weekday said of what is to come
    read forward."""
    found = [m for m in find_dates(s.text, s.article.date) if len(s.text) - len(m.text) >= 40]
    return [ahead(m, s.article.date) if m.weekday and _to_come(s, m) else m for m in found]


def _to_come(s: Sentence, m: DateMention) -> bool:
    """Whether the parse says the date's event is still to come: the verb it hangs from has a modal ("will
    reach") or is an infinitive that is not perfect ("is forecast to reach", not "is said to have died")."""
    if s.span is None:
        return False
    base = s.span.start_char
    tokens = [t for t in s.span if m.start <= t.idx - base < m.end]
    if not tokens:
        return False
    verb = tokens[0]
    while verb.pos_ not in ("VERB", "AUX") and verb.head != verb:
        verb = verb.head
    aux = [c for c in verb.children if c.dep_ in ("aux", "auxpass")]
    return any(c.tag_ == "MD" for c in aux) or (any(c.tag_ == "TO" for c in aux) and
                                                 not any(c.lemma_ == "have" for c in aux))


def dated_events(sentences: list[Sentence]) -> list[Event]:
    """Each relevant sentence's dated events: its date mentions, those close together joined ("late on
    Monday or early Tuesday" is one event), a dateline ("BAKU, December 13.") left out."""
    events: list[Event] = []
    for s in sentences:
        if s.score < RELEVANT_MIN:
            continue
        found = _dates_of(s)
        groups: list[list[DateMention]] = []
        for m in found:
            if groups and m.start - groups[-1][-1].end <= DATES_APART:
                groups[-1].append(m)
            else:
                groups.append([m])
        for g in groups:
            dates = tuple(sorted({d for m in g for d in m.dates}))
            events.append(Event(s, g, dates, {s.article.id}))
    return events


def _same_event(a: Event, b: Event) -> bool:
    if a.dates[0] != b.dates[0]:
        return False
    x, y = a.sentence, b.sentence
    if x.claim == y.claim or jaccard(x.words, y.words) >= SAME_EVENT_WORDS:
        return True
    return x.vector is not None and y.vector is not None and float(x.vector @ y.vector) >= SAME_EVENT_COSINE


def build_timeline(sentences: list[Sentence], registry: Registry) -> tuple[list[TimelineEvent], list[Sentence]]:
    """One line per dated event, in date order: the versions and rewrites that tell the same event on the
    same day are one line, citing the best-scored telling and saying how many sources carried it. Also
    returns the sentences the lines quote."""
    kept: list[Event] = []
    rank = registry.source_of
    for e in sorted(dated_events(sentences), key=lambda e: (-round(e.sentence.score, 2), rank[e.sentence.article.id])):
        same = next((k for k in kept if _same_event(k, e)), None)
        if same is not None:
            same.carriers.add(e.sentence.article.id)
        elif not any(k.sentence is e.sentence and k.dates == e.dates for k in kept):
            kept.append(e)
    kept = sorted(kept[:MAX_EVENTS], key=lambda e: (e.dates[0], registry.source_of[e.sentence.article.id],
                                                    e.sentence.start + e.mentions[0].start))
    out: list[TimelineEvent] = []
    for e in kept:
        s = e.sentence
        text = s.text
        if len([x for x in kept if x.sentence is s]) > 1 or len(text) > 260:
            # Several events in one sentence: show the words around each date, not the sentence again.
            a, b = excerpt(text, e.mentions[0].start, e.mentions[-1].end)
            text = ("…" if a > 0 else "") + text[a:b].strip(" ,;") + ("…" if b < len(s.text) else "")
        mark, ns = registry.marks(s.article, [(s.start, s.end)])
        out.append(TimelineEvent(text=f"{text} {mark}{carried(e.carriers)}", citations=ns, dates=list(e.dates),
                                 when=show_dates(e.dates), as_written=" … ".join(m.text for m in e.mentions)))
    return out, [e.sentence for e in kept]


def carried(carriers: set[str]) -> str:
    return f" · in {len(carriers)} sources" if len(carriers) > 1 else ""


# ---- who is involved ----------------------------------------------------------------------------------


def build_entities(sentences: list[Sentence], parsed: list[tuple[str, Any, list[tuple[int, int, int]]]],
                   registry: Registry, outlets: set[str], topic: str = "") -> list[BriefEntity]:
    """People, organisations and places the relevant sentences name, ranked by how many sources name
    them, at most `ENTITIES_MOST` of each kind; each cites at most `ENTITY_CITES` sentences, one per
    source, reusing quotes already cited. The topic itself is left out: a briefing on a storm does not
    list the storm as one of those involved (nor as an organisation, as the small recogniser may call it)."""
    found = []
    for aid, doc, table in parsed:
        for m in mentions_in(doc, aid):
            m.start, m.end = to_article(table, m.start), to_article(table, m.end)
            found.append(m)
    entities = [e for e in join_entities(found) if e.kind != "other" or len(e.sources) > 1]
    entities.sort(key=lambda e: (-len(e.sources), -sum(e.votes.values()), KIND_ORDER[e.kind]))
    holding = {s.article.id: [] for s in sentences}  # type: dict[str, list[Sentence]]
    for s in sentences:
        holding[s.article.id].append(s)
    out: list[BriefEntity] = []
    for e in entities:
        if topic and mentions_name(e.name, topic) and mentions_name(topic, e.name):
            continue
        kind = "organisation" if e.name in outlets else e.kind
        if sum(x.kind == kind for x in out) >= ENTITIES_MOST[kind]:
            continue
        ns = _entity_cites(e, holding, registry)
        variants = variant_spellings(e)
        note = f" (spelled {' / '.join(variants)} by different sources)" if variants else ""
        out.append(BriefEntity(text=f"{e.name}{note} {''.join(f'[{n}]' for n in ns)}", citations=ns, kind=kind,
                               spellings=e.spellings))
    out.sort(key=lambda e: KIND_ORDER[e.kind])
    return out


def _entity_cites(e: Entity, holding: dict[str, list[Sentence]], registry: Registry) -> list[int]:
    """A sentence naming the entity in each of its first sources; a sentence already cited (or its copy in
    another version of the story) is cited again rather than a new one."""
    cited: dict[int, Sentence] = {}
    for group in holding.values():
        for s in group:
            if (s.article.id, s.start, s.end) in registry.numbers:
                cited.setdefault(s.claim, s)
    ns: list[int] = []
    claims: set[int] = set()
    for aid in sorted(e.sources, key=lambda a: registry.source_of.get(a, 99)):
        if aid not in registry.source_of or len(ns) >= ENTITY_CITES:
            continue
        spots = sorted((a, b) for x, a, b in e.mentions if x == aid)
        naming = [s for s in holding.get(aid, []) if any(s.start <= a < s.end for a, _ in spots)]
        if not naming:
            continue
        again = [cited[s.claim] for s in naming if s.claim in cited]
        s = again[0] if again else min(naming, key=lambda s: s.start)
        if s.claim in claims:
            continue  # the same sentence in another version of the story
        claims.add(s.claim)
        ns.append(registry.cite(s.article, s.start, s.end))
    return list(dict.fromkeys(ns))


# ---- where the sources differ -------------------------------------------------------------------------

KIND_SAYS = {"count": "The numbers differ", "cause": "The cause differs", "role": "The name differs",
             "denial": "One source denies what another reports", "date": "The date differs"}


def build_differences(sentences: list[Sentence], registry: Registry) -> list[BriefItem]:
    """The slots the sources fill differently (see `differences`); then, or when there are none, that the
    sources agree on what they share, and what only one source adds."""
    relevant = [s for s in sentences if s.score >= RELEVANT_MIN and s.span is not None and s.vector is not None]
    items: list[BriefItem] = []
    if len({s.article.id for s in relevant}) > 1:
        vectors = np.array([s.vector for s in relevant])
        dates = [_event_date(s) for s in relevant]
        for d in find_differences([s.span for s in relevant], [s.article.id for s in relevant], vectors,
                                  DIFFERENCES_MOST, dates):
            items.append(_difference(d, relevant[d.first], relevant[d.second], registry))
    if not items and len(registry.source_of) > 1 and len({s.article.id for s in relevant}) > 1:
        # What the sources share: statements another source tells too, in the same or other words.
        vectors = np.array([s.vector for s in relevant])
        sims = vectors @ vectors.T
        ids = [s.article.id for s in relevant]
        told = [i for i in range(len(relevant)) if any(sims[i, j] >= SHARED_COSINE and ids[j] != ids[i]
                                                       for j in range(len(relevant)))]
        if told:
            best = max((relevant[i] for i in told), key=lambda s: s.score)
            claims = len({relevant[i].claim for i in told if ids[i] == best.article.id})
            mark, ns = registry.marks(best.article, [(best.start, best.end)])
            items.append(BriefItem(text=f"{AGREE} {claims} statement(s) another source also tells, such as: "
                                        f"{best.text} {mark}", citations=ns))
    shown = {(a, s) for a, s, _ in registry.numbers}
    for s in only_adds(relevant, registry.source_of, shown)[:ONLY_ADDS_MOST]:
        mark, ns = registry.marks(s.article, [(s.start, s.end)])
        items.append(BriefItem(text=f"Only {_label(s.article, registry.source_of)} adds: {s.text} {mark}", citations=ns))
    return items


AGREE = "The sources agree on what they share:"


def _event_date(s: Sentence) -> tuple[str, int, int] | None:
    """The one date a sentence gives its event, and where it is written in the sentence's parse."""
    found = _dates_of(s)
    if len(found) != 1:
        return None
    base = s.span.start_char
    return found[0].dates[0], base + found[0].start, base + found[0].end


def only_adds(relevant: list[Sentence], source_of: dict[str, int], shown: set[tuple[str, int]]) -> list[Sentence]:
    """Per source, its best sentence not yet shown that no other source tells (not even in other words),
    the shorter the better."""
    out: list[Sentence] = []
    if len(source_of) < 2:
        return out
    for aid in sorted(source_of, key=source_of.__getitem__):
        own = [s for s in relevant if s.article.id == aid and s.key not in shown]
        others = np.array([s.vector for s in relevant if s.article.id != aid])
        alone = [s for s in own if not len(others) or float((others @ s.vector).max()) < ELSEWHERE_COSINE]
        if alone:
            out.append(max(alone, key=lambda s: s.score - 0.001 * max(0, len(s.text) - 160)))
    return out


def _label(article: Article, source_of: dict[str, int]) -> str:
    meta = ", ".join(x for x in (article.outlet, show_date(article.date) if article.date else None) if x)
    return f"Source {source_of[article.id]}" + (f" ({meta})" if meta else "")


def _difference(d: Difference, a: Sentence, b: Sentence, registry: Registry) -> BriefItem:
    first, second = sorted([(a, d.first_slot), (b, d.second_slot)], key=lambda x: registry.source_of[x[0].article.id])
    parts, ns = [], []
    for s, slot in (first, second):
        mark, got = registry.marks(s.article, [(s.start, s.end)])
        parts.append(f"{_label(s.article, registry.source_of)} says “{_slot_text(s, slot)}” {mark}")
        ns += [n for n in got if n not in ns]
    return BriefItem(text=f"{KIND_SAYS[d.kind]}: " + " — ".join(parts), citations=ns)


def _slot_text(s: Sentence, slot: Slot) -> str:
    base = s.span.start_char
    return s.text[slot.start - base:slot.end - base]


# ---- the whole ----------------------------------------------------------------------------------------


def budget_of(context: int, settings: Settings, context_tokens: int | None) -> int:
    """Characters of sources a prompt may carry: the window (`context_tokens` if given, else the writer's
    `context`) minus the prompt and the reply."""
    tokens = context_tokens or context
    return max(400, (tokens - PROMPT_TOKENS - settings.max_tokens) * CHARS_PER_TOKEN)


def build_briefing(
    topic: str, *, retrieve: Retrieve, store: Store, embeddings: Embeddings, settings: Settings, writer: Answerer,
    since: str | None = None, until: str | None = None, max_articles: int = 8, context_tokens: int | None = None,
    progress: Progress | None = None,
) -> Briefing:
    topic = topic.strip()
    if not topic:
        raise InputError("the topic is empty", 'give a topic, e.g. assistant brief "illegal mining in Karabakh"')
    say = progress or (lambda _msg: None)
    say("gathering articles")
    ids, queries = gather(topic, retrieve, Filters(since=since, until=until), max_articles, settings.min_relevance,
                          k=max(8, max_articles))
    articles = [a for a in (store.get_article(i) for i in ids) if a is not None]
    if not articles:
        raise InputError(f"no article in the store is about {topic!r}",
                         "ingest articles on it, or widen --since/--until")
    return compose_briefing(topic, articles, store=store, embeddings=embeddings, settings=settings, writer=writer,
                            queries=queries, since=since, until=until, context_tokens=context_tokens, progress=say)


def compose_briefing(
    topic: str, articles: list[Article], *, embeddings: Embeddings, settings: Settings, writer: Answerer,
    store: Store | None = None, queries: list[str] | None = None, since: str | None = None, until: str | None = None,
    context_tokens: int | None = None, progress: Progress | None = None,
) -> Briefing:
    """The briefing on `topic` from these articles, most relevant first (see the module docstring)."""
    say = progress or (lambda _msg: None)
    say("reading the articles")
    sentences = score_article_sentences(topic, split_sentences(articles), embeddings, store)
    best = {a.id: max((s.relevance for s in sentences if s.article.id == a.id), default=0.0) for a in articles}
    top = max(best.values(), default=0.0)
    full_text = {a.id: f"{a.title} {a.text}" for a in articles}
    # neighbouring stories out; an article naming the whole topic stays (a name spelt another way is far by
    # meaning: "Gizilbulagh" for "Kyzylbulag"); a topic that names someone or something (not a place: a
    # story need not name its region) wants articles that name them, by the name's last word at least
    # ("Ardern" for "Jacinda Ardern"): another storm's story is near "Hurricane Dorian" by meaning, but
    # never names Dorian
    kept = {a.id for a in articles if best[a.id] >= ARTICLE_MIN * top or mentions_name(topic, full_text[a.id])}
    asked = analyze(topic, embeddings)
    heads = [n.split()[-1] for n in asked.names if n not in asked.places and n not in asked.peoples]
    kept = {a for a in kept if all(mentions_name(h, full_text[a]) for h in heads)} or kept
    articles = [a for a in articles if a.id in kept]
    sentences = [s for s in sentences if s.article.id in kept]
    rank = {a.id: i for i, a in enumerate(articles)}
    removed: list[str] = []
    budget = budget_of(writer.context, settings, context_tokens)
    facts = []
    for n, a in enumerate(articles, 1):
        say(f"reading article {n} of {len(articles)}")
        facts += model_facts(topic, a, writer, settings, budget, removed)
    written = bool(facts)  # else every fact is an article's own sentence, as with the extractive answerer
    facts += [f for f in claim_facts(sentences, rank) if not any(f.article.id == g.article.id for g in facts)]
    if written:  # the written facts have no score yet: all are scored alike
        _score_facts(topic, facts, embeddings)
    # Only articles that gave a fact, or carry one another article gave, are sources; numbered by relevance.
    carriers = {f.article.id for f in facts} | {a for f in facts for a in f.carriers}
    articles = [a for a in articles if a.id in carriers]
    source_of = {a.id: n for n, a in enumerate(articles, 1)}
    sentences = [s for s in sentences if s.article.id in source_of]
    facts = [f for f in facts if f.article.id in source_of]
    registry = Registry(source_of)
    order = [a.id for a in articles]

    say("composing")
    model_summary, model_diffs = compose_with_model(topic, facts, source_of, writer, settings, budget, removed)
    if len(model_summary) >= 3:
        summary_facts = model_summary[:SUMMARY_MOST + 1]
    else:  # the best facts, read in the order of their sources and of the story
        summary_facts = sorted(pick_summary(facts, order), key=lambda f: (source_of[f.article.id], f.cites[0][1]))
    summarized = {_claim_key(f.text) for f in summary_facts}
    model_diffs = [f for f in model_diffs if _claim_key(f.text) not in summarized]  # a summary bullet again
    briefing = Briefing(topic=topic, title=f"Briefing: {topic}", since=None, until=None, queries=queries or [],
                        provider=writer.name, model=writer.model, removed=removed)
    briefing.summary = [_item(f, registry) for f in summary_facts]
    parsed = parse_sentences([s for s in sentences if s.score >= RELEVANT_MIN])
    briefing.timeline, told = build_timeline(sentences, registry)
    # Key facts: what the summary and the timeline do not already say, from a wider pool than the summary's
    # (extractive), the timeline's lines too when little else is left.
    pool = facts if written else claim_facts(sentences, rank, near=0.5)
    said_claims = {f.claim for f in summary_facts if f.claim >= 0}
    rest = [f for f in pool if f.claim not in said_claims and f.text not in {g.text for g in summary_facts}]
    untold = [f for f in rest if f.claim < 0 or f.claim not in {s.claim for s in told}]
    rest = untold if len(untold) >= 3 else rest
    key = sorted(pick_summary(rest, order, KEY_FACTS_MOST), key=lambda f: (source_of[f.article.id], f.cites[0][1]))
    briefing.key_facts = [_item(f, registry) for f in key]
    if model_diffs:
        briefing.differences = [_item(f, registry) for f in model_diffs]
    else:
        briefing.differences = build_differences(sentences, registry)
    outlets = {a.outlet for a in articles if a.outlet}
    briefing.entities = build_entities(sentences, parsed, registry, outlets, topic)
    parent = story_versions([a.text for a in articles])
    briefing.sources = [BriefSource(n=source_of[a.id], article_id=a.id, title=a.title, outlet=a.outlet, date=a.date,
                                    path=a.source_path, url=a.url,
                                    version_of=parent[i] + 1 if parent[i] != i else None)
                        for i, a in enumerate(articles)]
    dates = sorted(a.date for a in articles if a.date)
    briefing.since = since or (dates[0] if dates else None)
    briefing.until = until or (dates[-1] if dates else None)
    briefing.citations = registry.citations
    return renumber(check(briefing, {a.id: a for a in articles}, settings.min_support))


def _score_facts(topic: str, facts: list[Fact], embeddings: Embeddings) -> None:
    cands = [Candidate(0, f.article.id, f.text, 0) for f in facts]
    score_sentences(topic, cands, embeddings)
    for f, c in zip(facts, cands, strict=True):
        f.score = c.score


def _item(f: Fact, registry: Registry) -> BriefItem:
    ns = list(dict.fromkeys(registry.cite(a, s, e) for a, s, e in f.cites))
    return BriefItem(text=f"{f.text.rstrip()} {''.join(f'[{n}]' for n in ns)}{carried(f.carriers)}", citations=ns)


# What the briefing itself says around the quotes: source labels, the kind of a difference, how many
# sources carried a line. Taken off before a line's support is checked against its quotes.
_FRAME_RE = re.compile(
    "|".join(re.escape(x) + ":" for x in KIND_SAYS.values())
    + "|" + re.escape(AGREE) + r" \d+ statement\(s\) another source also tells, such as:"
    + r"|·\s*in \d+ sources|(?:\bOnly )?\bSource \d+(?: \([^)]*\))?(?: says| adds:| reports:|:)?|[“”—]"
)
_SAYS_RE = re.compile(r"(?i)\b(?:article|source)\s+\d+\s+(?:says|reports|states|notes)(?:\s+that)?")


def _plain(text: str) -> str:
    return _FRAME_RE.sub(" ", _SAYS_RE.sub(" ", CITATION_RE.sub("", text)))


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
        claim = _plain(item.text).replace("…", " ")
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
    briefing.entities = [i for i in briefing.entities if i.citations and set(i.citations) <= good]
    said.clear()  # differences are checked for repeats among themselves only
    briefing.differences = [i for i in briefing.differences if keep(i) and new(i)]
    return briefing


def renumber(briefing: Briefing) -> Briefing:
    """Citations numbered in the order a reader meets them, section by section; unused ones dropped."""
    order: dict[int, int] = {}
    items = [*briefing.summary, *briefing.key_facts, *briefing.timeline, *briefing.entities, *briefing.differences]
    for item in items:
        for n in item.citations:
            order.setdefault(n, len(order) + 1)

    def mark(m: re.Match[str]) -> str:
        n = int(m[1])
        return f"[{order[n]}]" if n in order else m[0]

    for item in items:
        item.citations = [order[n] for n in item.citations]
        item.text = re.sub(r"\[(\d+)\]", mark, item.text)
    briefing.citations = sorted((c.model_copy(update={"n": order[c.n]}) for c in briefing.citations if c.n in order),
                                key=lambda c: c.n)
    return briefing


def _claim_key(text: str) -> str:
    """What a bullet claims, without its citations and source labels: equal keys say the same thing."""
    return " ".join(sorted(content_tokens(_plain(text))))
