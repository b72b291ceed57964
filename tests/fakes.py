"""Small fakes for tests: a chat model that records its prompts and replies from a script."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.answerers.chat import ChatAnswerer


class RecordingChat(BaseChatModel):
    """Replies with `replies` in turn (streamed word by word) and keeps every prompt it was sent."""

    replies: list[str]
    prompts: list[list[BaseMessage]] = []

    @property
    def _llm_type(self) -> str:
        return "recording-fake"

    def _next(self, messages: list[BaseMessage]) -> str:
        self.prompts.append(messages)
        return self.replies[(len(self.prompts) - 1) % len(self.replies)]

    def _generate(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._next(messages)))])

    def _stream(self, messages: list[BaseMessage], stop: Any = None, run_manager: Any = None, **kw: Any) -> Iterator[ChatGenerationChunk]:
        words = self._next(messages).split(" ")
        for i, word in enumerate(words):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word + (" " if i < len(words) - 1 else "")))


def fake_answerer(*replies: str, name: str = "fake") -> tuple[ChatAnswerer, RecordingChat]:
    """The structured-evidence answerer (and writer of briefings and summaries) on a RecordingChat."""
    chat = RecordingChat(replies=list(replies), prompts=[])
    return ChatAnswerer(name, "recording-fake", chat), chat
