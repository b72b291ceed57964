"""The answerer seam: one protocol, one class per kind of backend (extractive, an OpenAI-compatible chat
model, the local GGUF model in a supervised child process). The service asks whichever it was given and
never which one it is.

`stream(question, passages, assessment)` yields the answer's text as it is written, then one `Draft` last:
the raw answer with `[n]` passage markers, which the service validates (`citations.validate`). It is called
only when the assessment found an answer of the kind asked; a model may still find that no evidence
sentence states it ("cannot_answer"), and its reason, carried on the `Draft`, becomes the answer's
answerability reason.
`judge(question, sentence)` is a model's yes or no to whether the sentence states the answer to the
question, asked when a refusal is in doubt (the service's `_judge`); None when it has no judgement (the
extractive answerer, or a reply that is neither).
`write(prompt, values)` is the model's free-text reply to one of `prompts/` (a briefing's facts, a summary),
validated by the caller like an answer; the extractive answerer writes nothing of its own, so it replies
with the refusal and the caller keeps the article's own sentences, as it does when a model's reply fails
validation. `context` is how many tokens one call may take, prompt and reply, which briefings and
summaries cut their sources to. `warm()` gets ready for the first question ahead of it (the local model's
child is started and has read the instructions), for an app that waits for its user anyway.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from assistant.answerability import Assessment
from assistant.settings import Settings
from assistant.types import Passage


@dataclass
class Draft:
    """What an answerer produced, before validation: text with `[n]` markers naming passages 1..k."""

    raw: str
    usage: dict[str, int] = field(default_factory=dict)
    reason: str | None = None  # why a model found no answer in the evidence ("cannot_answer")
    quoted: str | None = None  # the evidence sentences its claims cite, verbatim with their markers


class Answerer(Protocol):
    name: str  # the provider shown on an Answer: extractive | local | openai
    model: str
    context: int  # tokens of prompt and reply one call may take

    def stream(self, question: str, passages: list[Passage], assessment: Assessment) -> Iterator[str | Draft]: ...

    def judge(self, question: str, sentence: str) -> bool | None: ...

    def write(self, prompt: str, values: dict[str, str]) -> str: ...

    def warm(self) -> None: ...

    def close(self) -> None: ...


def make_answerer(settings: Settings, llm: str | None = None) -> Answerer:
    """The answerer for `llm` (default: settings.llm), `auto` resolved among what is configured."""
    from assistant.providers import make_openai_chat, resolve_llm

    choice = resolve_llm(settings, llm)
    if choice == "openai":
        from assistant.answerers.chat import ChatAnswerer

        return ChatAnswerer("openai", settings.chat_model, make_openai_chat(settings))
    if choice == "local":
        from assistant.answerers.local import LocalAnswerer

        return LocalAnswerer(settings)
    from assistant.answerers.extractive import ExtractiveAnswerer

    return ExtractiveAnswerer()
