"""The extractive answerer: no model; the assessment's best sentences, quoted with their passage numbers.
It writes no text of its own: asked to write (a briefing's facts, a summary), it gives the refusal, and the
caller keeps the article's own sentences."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.answerability import Assessment
from assistant.answerers import Draft
from assistant.extractive import extractive_answer
from assistant.prompts import REFUSAL
from assistant.types import Passage


class ExtractiveAnswerer:
    name = "extractive"
    model = "extractive"
    context = 10**6  # it reads whole articles: nothing is cut to fit a window

    def stream(self, question: str, passages: list[Passage], assessment: Assessment) -> Iterator[str | Draft]:
        raw = extractive_answer(assessment)
        yield raw
        yield Draft(raw)

    def judge(self, question: str, sentence: str) -> bool | None:
        return None

    def write(self, prompt: str, values: dict[str, str]) -> str:
        return REFUSAL

    def warm(self) -> None:
        pass

    def close(self) -> None:
        pass
