"""Messages the screens' workers post back to the UI thread, and the widgets post to their screens.

Workers run the service in threads; they never touch widgets, they post one of these and the screen's
handler updates the display on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from assistant.tui.format import ArticleRow
from assistant.types import Answer, Article, Briefing, Citation, IngestReport


@dataclass
class AnswerChunk(Message):
    """Text of the answer as the model generates it; `request` tells stale streams from the current one."""

    request: int
    text: str


@dataclass
class AnswerReady(Message):
    """The validated answer, with its citations."""

    request: int
    answer: Answer


@dataclass
class WorkFailed(Message):
    """A worker failed; `what` names the task, `hint` is what the user can do about it."""

    what: str
    message: str
    hint: str = ""


@dataclass
class StatusLoaded(Message):
    """Who answers, which store, how many articles; `empty` when there is nothing to ask yet."""

    provider: str
    model: str
    store: str
    articles: int
    empty: bool = False
    problem: str = ""
    hint: str = ""


@dataclass
class ArticlesLoaded(Message):
    rows: list[ArticleRow]


@dataclass
class ArticleLoaded(Message):
    article: Article


@dataclass
class IngestProgress(Message):
    done: int
    total: int


@dataclass
class IngestFinished(Message):
    report: IngestReport


@dataclass
class CitationChosen(Message):
    """A citation was picked (sources panel or a clicked [n] marker): open its article at the quote."""

    citation: Citation



@dataclass
class BriefProgress(Message):
    """A stage of the briefing being written ("gathering articles…"); `request` tells stale briefs apart."""

    request: int
    stage: str


@dataclass
class BriefReady(Message):
    """The finished briefing, with its citations."""

    request: int
    briefing: Briefing
