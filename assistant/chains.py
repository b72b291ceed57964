"""LCEL chains: composition only. Retrieval and validation live in their own modules; the service joins them."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import Runnable

from assistant.prompts import load_prompt


def build_answer_chain(chat: BaseChatModel, prompt: str = "answer") -> Runnable:
    """{question, sources} -> the model's message (an AIMessage, or AIMessageChunks when streamed)."""
    return load_prompt(prompt) | chat
