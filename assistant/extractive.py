"""The extractive answerer: no LLM, the answer is the retrieved sentences that best answer the question.

Each sentence is quoted verbatim with its citation, so everything it says is in an article by construction.
Which sentences, and whether to answer at all, the answerability assessment decides
(`assistant.answerability`): the sentence holding the answer first, then up to two more that match the
question nearly as well.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.answerability import Assessment, Sentence
from assistant.prompts import REFUSAL
from assistant.retrieval import distinct, mentions_name, name_words
from assistant.text import content_tokens

NEAR = 0.75  # a further sentence is quoted when it scores at least this share of the best one
PART_SENTENCES = 2  # sentences quoted for each part of a question that joins several


def extractive_answer(assessment: Assessment, max_sentences: int = 3) -> str:
    """The best sentences, each followed by its passage number; or the refusal."""
    if not assessment.answerable:
        return refusal_text(assessment)
    if assessment.parts:  # a question joining several: each answered part's own sentences (a sentence that
        # answers both is quoted once)
        chosen = distinct((c for p in assessment.parts if p.answerable for c in _chosen(p, PART_SENTENCES)),
                          key=lambda c: (c.article_id, c.start))
    else:
        chosen = _chosen(assessment, max_sentences)
    return " ".join(f"{c.text} [{c.passage_n}]" for c in _with_referents(chosen))


def _with_referents(chosen: list[Sentence]) -> list[Sentence]:
    """Each sentence after the ones that name who its "he" or "it" is, so a quote says who is meant."""
    out: list[Sentence] = []
    for c in chosen:
        named: list[Sentence] = []
        b = c.before
        while b is not None and b not in chosen and b not in out and len(named) < 2:
            named.insert(0, b)
            b = b.before
        out += [*named, c]
    return out


def _chosen(assessment: Assessment, max_sentences: int) -> list[Sentence]:
    ranked = assessment.ranked
    best = ranked[0]
    chosen = [best] + [c for c in ranked[1:max_sentences] if c.score >= NEAR * best.score and c.score > 0]
    # another source naming the same answer, perhaps spelt another way ("Kyzylbulag", "Gizilbulagh"), shows it
    seen = {c.article_id for c in chosen}
    for c in ranked[1:]:
        if len(chosen) < max_sentences and c.article_id not in seen and best.answer and c.match >= best.match / 2 \
                and _gives(best.answer, c.text):
            chosen.append(c)
            seen.add(c.article_id)
    return chosen


def _gives(answer: str, text: str) -> bool:
    """The text gives the answer: a number, date or time ("14", "9:40am") or an abbreviation as written; a name
    in any spelling."""
    return mentions_name(answer, text) if name_words(answer) and not any(ch.isdigit() for ch in answer) \
        else answer in text


def refusal_text(assessment: Assessment) -> str:
    """The refusal sentence, then, where an article says that what is asked is not known, that sentence,
    cited: "The articles do not say. The name of the victim has not been released [1]"."""
    told: list[Sentence] = [c for c in assessment.ranked if c.untold and c.text in assessment.answerability.evidence]
    reason = told[0] if told else None
    return f"{REFUSAL} {reason.text} [{reason.passage_n}]" if reason else REFUSAL


@dataclass
class Candidate:
    """A sentence of an article scored against a topic (the briefing's sentence ranking)."""

    passage_n: int
    article_id: str
    text: str
    start: int
    score: float = 0.0


def score_sentences(topic: str, cands: list[Candidate], embeddings: Embeddings) -> None:
    """Score each candidate by embedding similarity to the topic and the share of its words it holds."""
    if not cands:
        return
    vectors = np.array(embeddings.embed_documents([c.text for c in cands] + [topic]), dtype=np.float32)
    dense = vectors[:-1] @ vectors[-1]
    want = content_tokens(topic)
    for c, d in zip(cands, dense):
        c.score = 0.6 * float(d) + 0.4 * len(want & content_tokens(c.text)) / (len(want) or 1)
