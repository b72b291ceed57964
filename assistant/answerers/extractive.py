"""The extractive answerer: no model; the assessment's best sentences, quoted with their passage numbers."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answerability import Assessment
from assistant.answerers import Draft
from assistant.extractive import extractive_answer
from assistant.types import Passage


class ExtractiveAnswerer:
    name = "extractive"
    model = "extractive"

    def stream(self, question: str, passages: list[Passage], assessment: Assessment) -> Iterator[str | Draft]:
        raw = extractive_answer(assessment)
        yield raw
        yield Draft(raw)

    def close(self) -> None:
        pass
