"""The extractive answerer: no LLM, the answer is the retrieved sentences that best answer the question.

Each sentence is quoted verbatim with its citation, so everything it says is in an article by construction.
Sentences are scored by embedding similarity to the question, the question's words they contain (rare ones
count more) and whether they hold the kind of answer asked for (a number, a name).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.chunking import sentence_spans
from assistant.prompts import REFUSAL
from assistant.retrieval import names_in, question_names, question_window
from assistant.slots import NEAR_BEST, Seen, Slot, answer_slot, answers, fills, untold
from assistant.text import content_tokens, looks_like_instruction
from assistant.types import Citation, Passage


@dataclass
class Candidate:
    passage_n: int  # 1-based number of the passage the sentence is in
    article_id: str
    text: str
    start: int
    score: float = 0.0
    date: str | None = None  # the article's
    on_topic: bool = True  # its passage names what the question names


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every sentence of the passages once (overlapping chunks repeat sentences)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for n, p in enumerate(passages, 1):
        for a, b in sentence_spans(p.text, p.start):
            key = (p.article_id, a)
            text = p.text[a - p.start:b - p.start]
            if key in seen or len(text) < 20 or looks_like_instruction(text):
                continue  # an instruction planted in an article is never quoted as an answer
            seen.add(key)
            out.append(Candidate(n, p.article_id, text, a, date=p.date))
    return out


# Weights of (embedding similarity, share of question words, share weighted by rarity, answer type).
TOPIC_WEIGHTS = (0.6, 0.4, 0.0, 0.0)
QUESTION_WEIGHTS = (0.3, 0.0, 0.5, 0.2)
MIN_SCORE = 0.2  # least score of the best sentence for an answer


def _scoring_slot(question: str) -> Slot:
    """The looser kind the sentence score rewards: any new number for a count, any new name for who/which."""
    q = question.lower()
    if re.search(r"\bhow (many|much|old|large|long|far|big|high)\b|\bwhat (percentage|share|proportion|number)\b", q):
        return Slot("number")
    if re.search(r"\bwho\b|\bwhose\b|\bwhich [a-z]+\b|\b(name|names|title|surname)\b", q):
        return Slot("name")
    return Slot(None)


def score_sentences(question: str, cands: list[Candidate], embeddings: Embeddings,
                    weights: tuple[float, float, float, float] = TOPIC_WEIGHTS) -> None:
    """Score each candidate. Question words are weighted by how few candidates contain them: the words
    of the story every sentence shares (the place, the event) say little about which sentence answers."""
    if not cands:
        return
    vectors = np.array(embeddings.embed_documents([c.text for c in cands] + [question]), dtype=np.float32)
    dense = vectors[:-1] @ vectors[-1]
    want = content_tokens(question)
    have = [content_tokens(c.text) for c in cands]
    rarity = {t: math.log(1 + len(cands) / (1 + sum(t in h for h in have))) for t in want}
    total = sum(rarity.values()) or 1.0
    slot = _scoring_slot(question)
    for c, h, d in zip(cands, have, dense):
        parts = (
            float(d),
            len(want & h) / (len(want) or 1),
            sum(rarity[t] for t in want & h) / total,
            1.0 if fills(slot, question, c.text) else 0.0,
        )
        c.score = sum(w * x for w, x in zip(weights, parts))


def ranked(question: str, passages: list[Passage], embeddings: Embeddings) -> list[Candidate]:
    """The passages' sentences, best answer first."""
    cands = candidates(passages)
    score_sentences(question, cands, embeddings, QUESTION_WEIGHTS)
    names, since = question_names(question), _asked_since(question)
    about = [(not names or names_in(names, f"{p.title} {p.text}")) and not (since and p.date and p.date < since)
             for p in passages]
    for c in cands:
        c.on_topic = about[c.passage_n - 1]
    return sorted(cands, key=lambda c: -c.score)


def answerable(question: str, cands: list[Candidate], min_score: float = MIN_SCORE) -> bool:
    """Whether the ranked sentences can answer: the best scores at least `min_score`, those near it are not
    all from articles written before the period the question asks about, and they hold the kind of answer
    the question asks for (see `slots.answers`)."""
    if not cands or cands[0].score < min_score:
        return False
    best = near_best(cands)
    if _too_early(question, best):
        return False
    return answers(question, [Seen(c.article_id, c.text, c.on_topic) for c in best],
                   [Seen(c.article_id, c.text, c.on_topic) for c in _aside(cands, best)])


def _aside(cands: list[Candidate], best: list[Candidate]) -> list[Candidate]:
    """The best sentence's article's other sentences."""
    return [c for c in cands if c.article_id == cands[0].article_id and c not in best]


_FUTURE = re.compile(r"\b(?:will|going to|scheduled|expected|upcoming|next|plan(?:s|ned)? to)\b", re.I)


def _asked_since(question: str) -> str | None:
    """The first day of the period a question asks about ("how many votes did she receive in the November
    2020 election"): an article written before it cannot tell what happened then. None for a question
    about what is to come ("who will run in the November 2020 election")."""
    window = question_window(question)
    return window[0] if window and not _FUTURE.search(question) else None


# An article looking ahead to an event: "voters in Groom are scheduled to go to the polls tomorrow".
_PREVIEW = re.compile(r"\b(?:is|are) (?:scheduled|set|due|expected) to\b|\bwill (?:be held|take place)\b|\bupcoming\b",
                      re.I)
_OUTCOME_Q = re.compile(r"\b(?:won|wins?|winners?|lost|results?|outcome|elected|defeated|beat)\b|\bhow many votes\b",
                        re.I)


def _too_early(question: str, best: list[Candidate]) -> bool:
    """Whether the best sentences were all written before what the question asks about happened: their
    articles are dated before the period it names, or, asked for an outcome ("which candidate won"), every
    article about it only looks ahead to the event in the sentence most like the question."""
    since = _asked_since(question)
    dated_before = bool(since) and all(c.date and c.date < since for c in best)
    return dated_before or bool(_previews(question, best))


def _previews(question: str, best: list[Candidate]) -> list[Candidate]:
    """For a question asking an outcome, the sentences most like it of each article about it, when every one
    looks ahead to the event ("voters are scheduled to go to the polls"); else none."""
    if not _OUTCOME_Q.search(question) or _FUTURE.search(question):
        return []
    firsts: dict[str, Candidate] = {}
    for c in best:
        if c.on_topic:
            firsts.setdefault(c.article_id, c)
    return list(firsts.values()) if all(_PREVIEW.search(c.text) for c in firsts.values()) else []


def near_best(cands: list[Candidate]) -> list[Candidate]:
    """The ranked sentences that may still hold the answer: the first ten scoring at least NEAR_BEST of the best."""
    return [c for c in cands[:10] if c.score >= NEAR_BEST * cands[0].score]


def extractive_answer(question: str, cands: list[Candidate], max_sentences: int = 3) -> str:
    """Best-supported sentences of the ranked candidates, each followed by its passage number; or the
    refusal sentence, followed by the sentence that says what is asked is not known where one does.

    The best sentence, then up to two more scoring at least 3/4 of it: the answer often sits in the
    sentence after the one that repeats the question's words."""
    if not answerable(question, cands):
        return refusal_text(question, cands)
    chosen = [c for c in cands[:max_sentences] if c.score >= 0.75 * cands[0].score]
    slot = answer_slot(question)
    if slot.kind and not any(fills(slot, question, c.text) for c in chosen):
        # none of them holds the kind of answer asked for: add the best near-best sentence that does
        chosen += [c for c in near_best(cands) if fills(slot, question, c.text)][:1]
    return " ".join(f"{c.text} [{c.passage_n}]" for c in chosen)


def refusal_text(question: str, cands: list[Candidate]) -> str:
    """The refusal sentence, then the best sentence saying that what is asked is not known, cited: "The
    articles do not say. The NBA did not release the identity of the player in question. [1]"; or, asked
    an outcome, the sentence looking ahead to the event ("voters are scheduled to go to the polls")."""
    slot = answer_slot(question)
    best = near_best(cands) if cands else []
    reasons = [c for c in best + _aside(cands, best) if untold(slot, c.text)] or _previews(question, best)
    # the best sentence's article first: "the fire's cause had not been officially stated" in the Notre Dame
    # report, not another fire's in another report
    reason = min(reasons, key=lambda c: c.article_id != cands[0].article_id, default=None)
    return f"{REFUSAL} {reason.text} [{reason.passage_n}]" if reason else REFUSAL


def quoted(cands: list[Candidate], citations: list[Citation]) -> list[Candidate]:
    """The ranked sentences an answer's citations quote (a quote may span two), in rank order."""
    return [c for c in cands if any(q.article_id == c.article_id and q.start < c.start + len(c.text) and c.start < q.end
                                    for q in citations)]
