"""The oracle answerer: writes the gold answer of a question set as its claim and cites the evidence
sentences that hold the gold quote. It measures validation, not a model: how often a right, rightly cited
answer survives the support check (a removal here is a false removal).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from assistant.answerability import Assessment, Sentence
from assistant.answerers import Draft
from assistant.answerers.evidence import Evidence, build_evidence, to_raw
from assistant.prompts import REFUSAL
from assistant.text import content_tokens
from assistant.types import Passage

SAME_SENTENCE = 0.8  # share of the quote's words a sentence holds to be the sentence that states it


@dataclass
class Gold:
    answer: str
    quotes: list[str]


def states(sentence: Sentence, quote: str) -> bool:
    """The sentence is (or holds, or is held by) the gold quote."""
    a, b = " ".join(sentence.text.split()), " ".join(quote.split())
    if b in a or a in b:
        return True
    want = content_tokens(b)
    return bool(want) and len(want & content_tokens(a)) >= SAME_SENTENCE * len(want)


def gold_ids(evidence: Evidence, gold: Gold) -> list[int]:
    return [i for i, s in enumerate(evidence.sentences, 1) if any(states(s, q) for q in gold.quotes)]


class OracleAnswerer:
    name = "oracle"
    model = "gold"
    context = 10**6

    def __init__(self, gold: dict[str, Gold]) -> None:
        self.gold = gold

    def stream(self, question: str, passages: list[Passage], assessment: Assessment) -> Iterator[str | Draft]:
        evidence = build_evidence(assessment, passages)
        g = self.gold[question]
        ids = gold_ids(evidence, g)
        data = {"claims": [{"text": g.answer, "sentences": ids}] if ids else [],
                "cannot_answer": "" if ids else "the gold sentence is not in the evidence"}
        yield Draft(to_raw(data, evidence))

    def judge(self, question: str, sentence: str) -> bool | None:
        return None

    def write(self, prompt: str, values: dict[str, str]) -> str:
        return REFUSAL

    def warm(self) -> None:
        pass

    def close(self) -> None:
        pass
