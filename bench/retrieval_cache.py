"""The passages each question of a bench retrieved, kept in a file between runs (keyed by store and question,
and `k` where one is given), so a change to `assistant/answerability.py` is measured again in minutes: a
bench that only assesses never waits for retrieval twice."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from assistant.service import Assistant
from assistant.types import Passage


class RetrievalCache:
    def __init__(self, path: str | Path, assistant: Assistant, store: str) -> None:
        self.path, self.assistant, self.store = Path(path), assistant, store
        self._kept: dict[tuple, list[Passage]] = pickle.loads(self.path.read_bytes()) if self.path.exists() else {}

    def passages(self, question: str, k: int | None = None) -> list[Passage]:
        key = (self.store, question) if k is None else (self.store, question, k)
        if key not in self._kept:
            self._kept[key] = self.assistant.retrieve(question, k=k)
        return self._kept[key]

    def save(self) -> None:
        self.path.write_bytes(pickle.dumps(self._kept))

    def __enter__(self) -> RetrievalCache:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.save()
