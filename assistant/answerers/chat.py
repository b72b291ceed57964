"""An answerer over any LangChain chat model (an OpenAI-compatible endpoint, the local model's server, a
test fake): the structured evidence in, JSON claims out (see `evidence`).

The output format is asked for as a JSON schema (`response_format`); an endpoint that rejects that (OpenAI
answers 400, llama.cpp's server 500) is asked again in JSON mode with the schema attached (which llama.cpp
turns into a grammar), then in plain JSON mode; the form that worked is kept for the next questions. The text of the claims is streamed as it is
written, parsed from the partial JSON.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessageChunk

from assistant.answerability import Assessment
from assistant.answerers import Draft
from assistant.answerers.evidence import (
    MOST_EVIDENCE,
    answer_schema,
    build_evidence,
    cited_text,
    parse_reply,
    shown_text,
    to_raw,
)
from assistant.errors import AssistantError
from assistant.prompts import load_prompt
from assistant.providers import provider_error
from assistant.types import Passage

SCHEMA_NAME = "news_answer"
JUDGE_TOKENS = 3  # a yes or a no
ENDPOINT_CONTEXT = 16000  # tokens assumed for an OpenAI-compatible model (the local one says its own)


def json_schema_format(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAI's structured-output form."""
    return {"type": "json_schema", "json_schema": {"name": SCHEMA_NAME, "schema": schema, "strict": True}}


def json_object_format(schema: dict[str, Any] | None) -> dict[str, Any]:
    """JSON mode; llama.cpp's server turns an attached schema into a grammar."""
    return {"type": "json_object", "schema": schema} if schema else {"type": "json_object"}


class ChatAnswerer:
    """`schema_form` says how the schema reaches the endpoint: "json_schema" (OpenAI structured outputs,
    falling back to plain JSON mode) or "json_object" (JSON mode with the schema, as llama.cpp's server takes it)."""

    def __init__(self, name: str, model: str, chat: BaseChatModel, schema_form: str = "json_schema",
                 most: int = MOST_EVIDENCE, answer_tokens: int | None = None, context: int = ENDPOINT_CONTEXT,
                 evidence_chars: int | None = None) -> None:
        self.name, self.model, self.chat, self.schema_form, self.context = name, model, chat, schema_form, context
        self.most, self.answer_tokens, self.evidence_chars = most, answer_tokens, evidence_chars
        self.prompt = load_prompt("answer_evidence")
        self._form = 0  # the first response_format form this endpoint accepted

    def _chat(self) -> BaseChatModel:
        return self.chat

    def stream(self, question: str, passages: list[Passage], assessment: Assessment) -> Iterator[str | Draft]:
        evidence = build_evidence(assessment, passages, self.most, self.evidence_chars)
        schema = answer_schema(len(evidence.sentences), strict=self.schema_form == "json_schema")
        messages = self.prompt.format_messages(evidence=evidence.text, question=question)
        limit = self.reply_limit(self.answer_tokens) if self.answer_tokens else {}
        formats = [json_object_format(schema)] if self.schema_form == "json_object" else \
            [json_schema_format(schema), json_object_format(schema), json_object_format(None)][self._form:]
        text, usage = "", {}
        for i, fmt in enumerate(formats):
            try:
                shown = ""
                for chunk in self._chat().bind(response_format=fmt, **limit).stream(messages):
                    if isinstance(chunk, AIMessageChunk) and chunk.usage_metadata:
                        usage = {k: int(v) for k, v in chunk.usage_metadata.items() if isinstance(v, int)}
                    text += str(chunk.content)
                    now = shown_text(parse_reply(text))
                    if now.startswith(shown) and len(now) > len(shown):
                        yield now[len(shown):]
                        shown = now
                break
            except AssistantError:
                raise
            except Exception as exc:
                if type(exc).__name__ == "LengthFinishReasonError":
                    break  # the reply hit max_tokens: the claims written so far are parsed like any others
                if i + 1 < len(formats) and not text and _rejected_format(exc):
                    if self.schema_form != "json_object":
                        self._form += 1
                    continue
                raise self.error(exc) from None
        data = parse_reply(text)
        reason = data.get("cannot_answer")
        yield Draft(to_raw(data, evidence), usage, (reason.strip() if isinstance(reason, str) else "") or None,
                    quoted=cited_text(data, evidence))

    def reply_limit(self, tokens: int) -> dict[str, Any]:
        """Request fields that cap one reply at `tokens`."""
        return {"max_tokens": tokens}

    def judge(self, question: str, sentence: str) -> bool | None:
        """The model's yes or no: does the sentence state the answer to the question? None when the reply is
        neither."""
        messages = load_prompt("judge_answer").format_messages(question=question, sentence=sentence)
        limit = self.reply_limit(JUDGE_TOKENS) if self.answer_tokens else {}  # as an answer's, where one is capped
        words = self.reply(self._chat().bind(**limit), messages).strip().lower().split()
        word = words[0].strip(".,!:;\"'*") if words else ""
        return True if word == "yes" else False if word == "no" else None

    def write(self, prompt: str, values: dict[str, str]) -> str:
        return self.reply(load_prompt(prompt) | self._chat(), values)

    def reply(self, chain: Any, given: Any) -> str:
        """One whole reply of the model (`chain.invoke(given)`), its failures as the answerer's errors."""
        try:
            return str(chain.invoke(given).content)
        except AssistantError:
            raise
        except Exception as exc:
            raise self.error(exc) from None

    def warm(self) -> None:
        pass  # an endpoint is up or not; the first question finds out

    def error(self, exc: BaseException) -> AssistantError:
        return provider_error(exc)

    def close(self) -> None:
        pass


def _rejected_format(exc: BaseException) -> bool:
    """The endpoint refused the response_format itself: a 400/422, or a 5xx whose message names it
    (llama.cpp's server answers 500 with a validation error on `response_format`). Any other 5xx is a
    server fault a format change cannot fix."""
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if status in (400, 422):
        return True
    return isinstance(status, int) and status >= 500 and "response_format" in str(exc)
