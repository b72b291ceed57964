"""A scripted fake of the Assistant for the TUI tests, and `wait_until` for worker results."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from assistant.errors import StoreError
from assistant.prompts import REFUSAL
from assistant.retrieval import Filters
from assistant.types import Answer, Article, Briefing, BriefItem, BriefSource, Citation, IngestReport, TimelineEvent

LONG_TEXT = "\n\n".join(
    f"Paragraph {i} tells of the regional economy, roads and weather in some detail, and of nothing else at all."
    for i in range(1, 60)
) + "\n\nThe Kyzylbulag gold deposit is exploited illegally, the ministry said.\n\nA closing line."
QUOTE = "The Kyzylbulag gold deposit is exploited illegally, the ministry said."

ARTICLES = {
    "a1": Article(id="a1", source_path="data/one.txt", title="Deposits in dispute", date="2022-12-11",
                  outlet="Trend", text=LONG_TEXT),
    "a2": Article(id="a2", source_path="data/two.txt", title="Copper mine report", date="2022-12-13",
                  outlet="APA", text="Short text. The Demirli copper deposit is exploited too. End."),
}


def citation(n: int, article_id: str, quote: str) -> Citation:
    a = ARTICLES[article_id]
    start = a.text.index(quote)
    return Citation(n=n, article_id=a.id, source_path=a.source_path, title=a.title, date=a.date, outlet=a.outlet,
                    chunk_id=f"{a.id}:0", quote=quote, start=start, end=start + len(quote))


ANSWER_TEXT = "The Kyzylbulag gold deposit is exploited illegally [1]. So is the Demirli copper deposit [2]."


def good_answer(question: str) -> Answer:
    return Answer(question=question, answer=ANSWER_TEXT, refused=False, provider="fake", model="scripted",
                  citations=[citation(1, "a1", QUOTE), citation(2, "a2", "The Demirli copper deposit is exploited too.")])


BRIEF_STAGES = ["gathering articles…", "reading 2 articles…", "writing the briefing…", "checking the citations…"]


def good_briefing(topic: str, since: str | None = None, until: str | None = None) -> Briefing:
    c1 = citation(1, "a1", QUOTE)
    c2 = citation(2, "a2", "The Demirli copper deposit is exploited too.")
    return Briefing(
        topic=topic, title=f"Briefing: {topic}", since=since or "2022-12-11", until=until or "2022-12-13",
        summary=[BriefItem(text="The Kyzylbulag gold deposit is exploited illegally [1].", citations=[1])],
        key_facts=[BriefItem(text="The Demirli copper deposit is exploited too [2].", citations=[2])],
        timeline=[TimelineEvent(text="The ministry spoke of Kyzylbulag [1].", citations=[1], dates=["2022-12-11"],
                                when="11 December 2022")],
        sources=[BriefSource(n=1, article_id="a1", title=c1.title, outlet=c1.outlet, date=c1.date, path=c1.source_path),
                 BriefSource(n=2, article_id="a2", title=c2.title, outlet=c2.outlet, date=c2.date, path=c2.source_path)],
        citations=[c1, c2], queries=[topic], provider="fake", model="scripted",
    )


class FakeService:
    """The Assistant's interface, scripted: streams ANSWER_TEXT word by word and records every call.

    `gate` (a threading.Event) holds the stream after its first words, so a test can see it mid-stream.
    """

    def __init__(self, settings: Any, articles: dict[str, Article] | None = None) -> None:
        self.settings = settings
        self.articles = dict(ARTICLES if articles is None else articles)
        self.questions: list[tuple[str, Filters | None]] = []
        self.fail: Exception | None = None
        self.gate: threading.Event | None = None
        self.ingest_gate: threading.Event | None = None
        self.brief_gate: threading.Event | None = None
        self.briefs: list[tuple[str, str | None, str | None]] = []
        self.warmed = False
        self.missing = False
        self.refuse = False  # answer with the refusal, citing nothing

    def llm_name(self, llm: str | None = None) -> tuple[str, str]:
        return "fake", "scripted"

    def warm(self, llm: str | None = None) -> None:
        self.warmed = True

    def _opened(self) -> None:
        if self.missing:
            raise StoreError(f"no store at {self.settings.store}", "run `assistant ingest PATH...` first, or pass --store DIR")

    def article_records(self) -> dict[str, dict[str, Any]]:
        self._opened()
        return {a.id: {"title": a.title, "date": a.date, "outlet": a.outlet, "source_path": a.source_path,
                       "chunks": 3} for a in self.articles.values()}

    def article_count(self) -> int:
        self._opened()
        return len(self.articles)

    def stream(self, question: str, k: int | None = None, llm: str | None = None,
               filters: Filters | None = None) -> Iterator[str | Answer]:
        self.questions.append((question, filters))
        if self.fail:
            raise self.fail
        if self.refuse:
            yield REFUSAL
            yield Answer(question=question, answer=REFUSAL, refused=True, provider="fake", model="scripted")
            return
        words = ANSWER_TEXT.split(" ")
        for i, word in enumerate(words):
            if i == 3 and self.gate is not None:
                self.gate.wait(10)
            yield word + (" " if i < len(words) - 1 else "")
        yield good_answer(question)

    def brief(self, topic: str, since: str | None = None, until: str | None = None, max_articles: int = 8,
              llm: str | None = None, progress: Callable[[str], None] | None = None,
              context_tokens: int | None = None) -> Briefing:
        """Reports BRIEF_STAGES, holding after the second on `brief_gate`, then returns `good_briefing`."""
        self.briefs.append((topic, since, until))
        for i, stage in enumerate(BRIEF_STAGES):
            if progress:
                progress(stage)
            if i == 1 and self.brief_gate is not None:
                self.brief_gate.wait(10)
            if self.fail:
                raise self.fail
        return good_briefing(topic, since, until)

    def article(self, article_id: str) -> Article | None:
        return self.articles.get(article_id)

    def ingest(self, paths: list[str], prune: bool = False, progress: Callable[[int, int], None] | None = None) -> IngestReport:
        total = 10
        for done in range(total + 1):
            if progress:
                progress(done, total)
            if done == 5 and self.ingest_gate is not None:
                self.ingest_gate.wait(10)
        self.missing = False
        self.articles.update(ARTICLES)
        return IngestReport(added=[f"{p}/one.txt" for p in paths], chunks=total)


async def wait_until(pilot: Any, predicate: Callable[[], Any], timeout: float = 10.0) -> None:
    """Let the app run until `predicate()` is true (workers post their results asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        await pilot.pause()
        try:
            if predicate():
                return
        except Exception:
            pass  # the widget may not be mounted yet
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {getattr(predicate, '__name__', predicate)}")
        await asyncio.sleep(0.02)
