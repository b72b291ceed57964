"""Typed records of the domain; the JSON the CLI prints is their serialisation."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Article(BaseModel):
    """One news article as read from a file."""

    id: str = Field(description="Hash of the article's content.")
    source_path: str = Field(description="The file's path as given to ingest (plus #n for JSONL records).")
    title: str
    date: str | None = Field(None, description="Publication date, ISO YYYY-MM-DD.")
    outlet: str | None = None
    url: str | None = None
    dateline: str | None = Field(None, description="Place named at the start of the article, e.g. BAKU.")
    text: str


class Chunk(BaseModel):
    """A run of whole sentences of an article, with its character offsets in the article text."""

    id: str
    article_id: str
    index: int
    text: str
    start: int
    end: int


class Passage(BaseModel):
    """A retrieved chunk with the article facts a citation needs."""

    chunk_id: str
    article_id: str
    source_path: str
    title: str
    date: str | None = None
    outlet: str | None = None
    text: str
    start: int
    end: int
    score: float = 0.0


class Citation(BaseModel):
    n: int
    article_id: str
    source_path: str
    title: str
    date: str | None
    outlet: str | None = None
    chunk_id: str
    quote: str = Field(description="Exact substring of the article: text[start:end] == quote.")
    start: int
    end: int


class Retrieved(BaseModel):
    article_id: str
    source_path: str
    chunk_id: str
    score: float


class Answerability(BaseModel):
    """Whether the retrieved sentences answer the question, and why (see `assistant.answerability`)."""

    score: float = Field(description="In [0, 1]; below the `answerable` setting the answer is the refusal.")
    reason: str
    evidence: list[str] = Field(default_factory=list, description="The sentences the decision rests on.")
    refused: bool = True
    unanswered: list[str] = Field(default_factory=list,
                                  description="The parts of a question joining several that no sentence answers.")


class Answer(BaseModel):
    question: str
    answer: str
    refused: bool
    citations: list[Citation] = []
    retrieved: list[Retrieved] = []
    provider: str = ""
    model: str = ""
    removed: list[str] = Field(default_factory=list, description="Sentences dropped as unsupported.")
    usage: dict[str, int] = Field(default_factory=dict, description="Token counts where the provider reports them.")
    answerability: Answerability | None = None
    quoted: str | None = Field(default=None, description="Why the answer quotes article sentences instead of the "
                               "model's words: its claims failed validation, or it found no answer.")


class Skipped(BaseModel):
    path: str
    reason: str


class IngestReport(BaseModel):
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    removed: list[str] = []
    skipped: list[Skipped] = []
    chunks: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0

    @property
    def ingested_nothing(self) -> bool:
        return not (self.added or self.updated or self.unchanged or self.removed)


# ---- briefings and summaries ----------------------------------------------------------------------


class BriefItem(BaseModel):
    """One bullet of a briefing; `citations` are numbers into `Briefing.citations`."""

    text: str
    citations: list[int] = []


class TimelineEvent(BriefItem):
    dates: list[str] = Field(description="ISO dates (YYYY-MM-DD, or YYYY-MM for a month) the event happened on.")
    when: str = Field(description="The dates as shown, e.g. '3 and 7 December 2022'.")
    as_written: str = Field("", description="How the article wrote the date, e.g. 'on Saturday'.")


class BriefEntity(BriefItem):
    """A person, organisation or place; `text` is the name shown, `spellings` every form the sources use."""

    kind: str = Field(description="person | organisation | place | other")
    spellings: list[str] = []


class BriefSource(BaseModel):
    n: int
    article_id: str
    title: str
    outlet: str | None = None
    date: str | None = None
    path: str
    url: str | None = None
    version_of: int | None = Field(None, description="The source this one is another version of (a wire copy, "
                                                     "a rewrite), when it is one.")


class Briefing(BaseModel):
    """A cited briefing on a topic. Every item cites quotes that are exact substrings of its articles."""

    topic: str
    title: str
    since: str | None = Field(None, description="First date covered (earliest source or --since).")
    until: str | None = Field(None, description="Last date covered (latest source or --until).")
    summary: list[BriefItem] = []
    key_facts: list[BriefItem] = []
    timeline: list[TimelineEvent] = []
    entities: list[BriefEntity] = []
    differences: list[BriefItem] = []
    sources: list[BriefSource] = []
    citations: list[Citation] = []
    queries: list[str] = Field(default_factory=list, description="The sub-queries used to gather articles.")
    provider: str = ""
    model: str = ""
    removed: list[str] = Field(default_factory=list, description="Sentences dropped as unsupported.")


class Summary(BaseModel):
    """A short cited summary of one article, cached in the store's article record."""

    article_id: str
    title: str
    text: str
    citations: list[Citation] = []
    sentences: int
    provider: str
    model: str = ""
    removed: list[str] = []
    cached: bool = False
