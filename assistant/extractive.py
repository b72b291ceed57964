"""The extractive answerer: no LLM, the answer is the retrieved sentences that best answer the question.

Each sentence is quoted verbatim with its citation, so everything it says is in an article by construction.
Sentences are scored by embedding similarity to the question plus the share of the question's words they
contain; a weak best score means the articles do not answer, and the answer is a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.chunking import sentence_spans
from assistant.prompts import REFUSAL
from assistant.text import content_tokens
from assistant.types import Passage


@dataclass
class Candidate:
    passage_n: int  # 1-based number of the passage the sentence is in
    article_id: str
    text: str
    start: int
    score: float = 0.0


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every sentence of the passages once (overlapping chunks repeat sentences)."""
    seen: set[tuple[str, int]] = set()
    out = []
    for n, p in enumerate(passages, 1):
        for a, b in sentence_spans(p.text, p.start):
            key = (p.article_id, a)
            text = p.text[a - p.start:b - p.start]
            if key in seen or len(text) < 20:
                continue
            seen.add(key)
            out.append(Candidate(n, p.article_id, text, a))
    return out


def score_sentences(question: str, cands: list[Candidate], embeddings: Embeddings) -> None:
    if not cands:
        return
    vectors = np.array(embeddings.embed_documents([c.text for c in cands] + [question]), dtype=np.float32)
    dense = vectors[:-1] @ vectors[-1]
    want = content_tokens(question)
    for c, d in zip(cands, dense):
        lexical = len(want & content_tokens(c.text)) / (len(want) or 1)
        c.score = 0.6 * float(d) + 0.4 * lexical


def extractive_answer(
    question: str, passages: list[Passage], embeddings: Embeddings, min_score: float = 0.35, max_sentences: int = 3
) -> str:
    """Best-supported sentences, each followed by its passage number; or the refusal sentence."""
    cands = candidates(passages)
    score_sentences(question, cands, embeddings)
    cands.sort(key=lambda c: -c.score)
    if not cands or cands[0].score < min_score:
        return REFUSAL
    top = cands[0].score
    chosen = [cands[0]]
    for c in cands[1:]:
        if len(chosen) >= max_sentences or c.score < max(0.8 * top, min_score):
            break
        # Prefer breadth: a second sentence from an article already quoted must be nearly as good.
        if any(c.article_id == o.article_id for o in chosen) and c.score < 0.92 * top:
            continue
        chosen.append(c)
    return " ".join(f"{c.text} [{c.passage_n}]" for c in chosen)
