"""The Assistant: the whole product in one place. The CLI and the TUI call it; it composes the rest."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from assistant.answerability import Assessment, assess
from assistant.answerers import Answerer, Draft, make_answerer
from assistant.articles import load_articles
from assistant.chunking import chunk_article
from assistant.citations import validate
from assistant.embeddings import embedding_name, make_embeddings
from assistant.errors import AssistantError
from assistant.extractive import extractive_answer, refusal_text
from assistant.language import question_parts
from assistant.lexical import LexicalIndex, check_lexical, lexical_for_update, lexical_version, save_lexical
from assistant.providers import resolve_llm
from assistant.retrieval import Filters, HybridRetriever, in_turn
from assistant.settings import Settings
from assistant.store import Store
from assistant.types import Answer, Answerability, Article, Briefing, IngestReport, Passage, Retrieved, Skipped, Summary

Progress = Callable[[int, int], None]  # (done, total) in chunks
EMBED_GROUP = 32  # articles embedded and written together


def base_path(source_path: str) -> str:
    """The file of a source path: JSONL records are `file#n`."""
    return source_path.split("#", 1)[0]


def _quietly(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:  # noqa: BLE001 - reported when the answerer is asked
        pass


def after_answer(score: Answerability, refused: bool, reason: str | None) -> Answerability:
    """The answerability as the answer came out: a model that read the evidence may find that no sentence
    states what is asked (its reason is then the reason), and an answer whose every claim failed validation
    is a refusal too."""
    if refused and reason:
        return score.model_copy(update={"refused": True, "reason": f"the model found no sentence that states it: {reason}"})
    if refused and not score.refused:
        return score.model_copy(update={"refused": True, "reason": "no claim of the answer was supported by its citation"})
    return score


class Assistant:
    """Ingest, ask and stream over one store, with one set of settings."""

    def __init__(self, settings: Settings, embeddings: Embeddings | None = None,
                 answerer: Answerer | None = None) -> None:
        """`embeddings` and `answerer` replace the ones the settings name (tests pass fakes here)."""
        self.settings = settings
        self._embeddings = embeddings
        self._answerer = answerer
        self._answerers: dict[str, Answerer] = {}
        self._store: Store | None = None
        self._retriever: HybridRetriever | None = None
        self._lock = threading.Lock()
        self._in_flight = 0  # asks and briefings running now (the TUI and batch run them in threads)
        self._stamp: str | None = None  # the saved lexical index as this process last saw it
        self._readied: set[int] = set()  # the answerers told to get ready (by id)

    @property
    def embeddings(self) -> Embeddings:
        if self._embeddings is None:
            self._embeddings = make_embeddings(self.settings)
        return self._embeddings

    def store(self, create: bool = False) -> Store:
        if self._store is None:
            self._store = Store(self.settings, embedding_name(self.embeddings), create=create)
        return self._store

    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            s = self.settings
            self._retriever = HybridRetriever(
                store=self.store(), embeddings=self.embeddings, k=s.k,
                dense_weight=s.dense_weight, lexical_weight=s.lexical_weight,
            )
        return self._retriever

    def answerer(self, llm: str | None = None) -> Answerer:
        """Who answers (and writes briefings and summaries for) `llm`: the one given to the constructor when it
        fits, else one per provider, kept (the local model's server is started once, on its first use)."""
        if self._answerer and llm in (None, self._answerer.name):
            return self._answerer
        name = resolve_llm(self.settings, llm)
        with self._lock:
            if name not in self._answerers:
                self._answerers[name] = make_answerer(self.settings, name)
            return self._answerers[name]

    def warm(self, llm: str | None = None) -> None:
        """Get ready for the first question (the TUI calls this while its user types): the language pipeline
        loaded, and who answers `llm` ready (the local model's child started, its instructions read)."""
        from assistant.language import nlp

        nlp()
        self.answerer(llm).warm()

    def _get_ready(self, answerer: Answerer) -> None:
        """Have the answerer get ready in the background while a question is retrieved and assessed: a one-off
        `ask --llm local` loads the model and has it read its instructions meanwhile, not after. Once per
        answerer; a failure here is not reported (asking the answerer meets it again, and says so)."""
        with self._lock:
            if id(answerer) in self._readied:
                return
            self._readied.add(id(answerer))
        threading.Thread(target=_quietly, args=(answerer.warm,), name="answerer-warm", daemon=True).start()

    def close(self) -> None:
        """Stop what the answerers started (the local model's process)."""
        for a in [*self._answerers.values(), *([self._answerer] if self._answerer else [])]:
            a.close()

    # ---- ingest -----------------------------------------------------------------------------------

    def ingest(self, paths: list[str], prune: bool = False, progress: Progress | None = None) -> IngestReport:
        """Read, chunk, embed and write the articles under paths; unchanged ones cost nothing."""
        started = time.perf_counter()
        articles, skipped = load_articles(paths)
        report = IngestReport(skipped=skipped)
        store = self.store(create=True)
        with store.writer():
            store.check(fix=True)  # finish what an interrupted ingest left
            lexical = lexical_for_update(store)  # None: out of step with the store, so rebuilt at the end
            deleted: set[str] = set()  # taken out of the lexical index in one pass at the end

            def delete(article_ids: list[str]) -> None:
                store.delete(article_ids)
                deleted.update(article_ids)

            records = store.article_records()
            by_path: dict[str, list[str]] = {}
            for article_id, meta in records.items():
                by_path.setdefault(meta.get("source_path", ""), []).append(article_id)
            todo: list[tuple[Article, list[str]]] = []  # article, ids it replaces
            seen_ids: dict[str, str] = {}
            for article in articles:
                if article.id in seen_ids:
                    report.skipped.append(Skipped(path=article.source_path, reason=f"same text as {seen_ids[article.id]}"))
                    continue
                seen_ids[article.id] = article.source_path
                old = [i for i in by_path.get(article.source_path, []) if i != article.id]
                if article.id in records and records[article.id].get("source_path") == article.source_path:
                    report.unchanged.append(article.source_path)
                    delete(old)  # stale versions an interrupted update left behind
                elif article.id in records:
                    other = records[article.id].get("source_path")
                    report.skipped.append(Skipped(path=article.source_path, reason=f"same text as {other}"))
                else:
                    todo.append((article, old))
            self._write(todo, report, progress, lexical, delete)
            if prune:
                gone = {i: m.get("source_path", "") for i, m in store.article_records().items()
                        if not Path(base_path(m.get("source_path", ""))).exists()}
                delete(list(gone))
                report.removed = sorted(gone.values())
            if lexical is not None:
                lexical.remove_articles(deleted)
            self._retriever = None
            self.retriever().lexical = save_lexical(store, lexical)  # ready now, so the first question is fast
            self._stamp = self._lexical_stamp()
        report.seconds = time.perf_counter() - started
        return report

    def _write(self, todo: list[tuple[Article, list[str]]], report: IngestReport, progress: Progress | None,
               lexical: LexicalIndex | None, delete: Callable[[list[str]], None]) -> None:
        store = self.store()
        s = self.settings
        planned = [(a, old, chunk_article(a, s.chunk_chars, s.chunk_overlap_sentences)) for a, old in todo]
        total = sum(len(c) for _, _, c in planned)
        done = 0
        if progress:
            progress(0, total)
        for g in range(0, len(planned), EMBED_GROUP):
            group = planned[g:g + EMBED_GROUP]
            texts = [f"{a.title}\n{c.text}" for a, _, chunks in group for c in chunks]
            t0 = time.perf_counter()
            vectors = self.embeddings.embed_documents(texts)
            report.embed_seconds += time.perf_counter() - t0
            items, pos = [], 0
            for article, _, chunks in group:
                items.append((article, chunks, vectors[pos:pos + len(chunks)]))
                pos += len(chunks)
            store.write(items)
            for article, old, chunks in group:
                if lexical is not None:
                    lexical.add_article(article, chunks)
                delete(old)
                (report.updated if old else report.added).append(article.source_path)
                report.chunks += len(chunks)
            done += pos
            if progress:
                progress(done, total)

    # ---- ask --------------------------------------------------------------------------------------

    def search(self, query: str, k: int | None = None, filters: Filters | None = None,
               per_article: int | None = None) -> list[Passage]:
        """One ranked search of the store (a briefing's searches: at most two passages from one article)."""
        passages = self.retriever().search(query, filters, k or self.settings.k, per_article)
        if self._stamp is None:  # the index this process now holds (loaded or rebuilt by that search)
            self._stamp = self._lexical_stamp()
        return passages

    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
        """The passages an answer reads: the question's k best; of one that joins several ("Who founded it,
        and when did it close?"), each part's and the whole's in turn, k for each part: the story that answers
        one part may rank low for the whole. Up to `Settings.per_article` passages come from one article: the
        sentence that answers is often in a part of the story the two best passages do not hold."""
        asked = question_parts(question)
        per = self.settings.per_article
        if len(asked) == 1:
            return self.search(question, k, filters, per)
        found = in_turn([self.search(q, k, filters, per) for q in [*asked, question]], key=lambda p: p.chunk_id)
        return found[:(k or self.settings.k) * len(asked)]

    def assess(self, question: str, passages: list[Passage]) -> Assessment:
        """Whether the passages answer the question (`answerability.assess`), their whole articles read for
        the names the question uses."""
        s = self.settings
        articles = self.store().article_texts([p.article_id for p in passages])
        return assess(question, passages, self.embeddings, s.min_relevance, s.answerable, articles)

    def _judge(self, answerer: Answerer, question: str, assessment: Assessment) -> Assessment:
        """A refusal in doubt (an answerability from `judged_from` up to the threshold) is undone by the model's
        yes: it is shown the question and the sentence ranked first. Its no changes nothing, and the extractive
        answerer has no judgement. Measured (README), the local 1.5B model's yes in that band answered a third
        of the answerable questions refused there and few near misses; its no, given a say over answers in doubt
        too, refused answerable questions as often as near misses; shown more sentences, it says yes to most."""
        s, a = self.settings, assessment.answerability
        if assessment.parts or not assessment.ranked or not s.judged_from <= a.score < s.answerable:
            return assessment
        if not answerer.judge(question, assessment.ranked[0].text):
            return assessment
        return replace(assessment, answerability=a.model_copy(update={
            "refused": False, "evidence": [assessment.ranked[0].text],
            "reason": f"the model found that the sentence ranked first states it ({a.reason})"}))

    def _lexical_stamp(self) -> str | None:
        return lexical_version(self.store())

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Around an ask or a briefing. Another process's ingest (the CLI beside a running TUI) rewrites the
        lexical index; an open embedded Chroma client keeps its vector index in memory. When a new lexical
        index was saved and nothing else is running here, the store is reopened, so new articles are found."""
        with self._lock:
            if self._in_flight == 0 and self._store is not None and self._stamp is not None \
                    and self._lexical_stamp() != self._stamp:
                self._store.close()
                self._store, self._retriever, self._stamp = None, None, None
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1

    def stream(
        self, question: str, k: int | None = None, llm: str | None = None, filters: Filters | None = None
    ) -> Iterator[str | Answer]:
        """Yield the model's text as it is generated, then the validated Answer last."""
        question = question.strip()
        if not question:
            raise AssistantError("the question is empty", "type a question")
        with self._reading():
            yield from self._stream(question, k, llm, filters)

    def _stream(self, question: str, k: int | None, llm: str | None, filters: Filters | None) -> Iterator[str | Answer]:
        answerer = self.answerer(llm)
        self._get_ready(answerer)
        passages = self.retrieve(question, k, filters)
        retrieved = [Retrieved(article_id=p.article_id, source_path=p.source_path, chunk_id=p.chunk_id, score=round(p.score, 4)) for p in passages]
        s = self.settings
        # one decision, before any model is asked: do the retrieved sentences hold an answer of the kind asked?
        # (a 1.5B model asked to judge every on-topic question itself answers most near misses: README)
        assessment = self._judge(answerer, question, self.assess(question, passages))
        base = Answer(question=question, answer="", refused=True, retrieved=retrieved, provider=answerer.name,
                      model=answerer.model)
        draft = Draft(refusal_text(assessment))
        if assessment.answerable:
            for item in answerer.stream(question, passages, assessment):
                if isinstance(item, Draft):
                    draft = item
                elif item:
                    yield item
        else:
            yield draft.raw
        v = validate(draft.raw, passages, s.min_support)
        who: dict[str, Any] = {}  # who gave the answer, when it is not the answerer's own words
        judgement = after_answer(assessment.answerability, v.refused, draft.reason)
        if v.refused and assessment.answerable:
            # The assessment found a sentence that answers, but the model's own words did not survive
            # validation, or it found no answer. Measured, such refusals were mostly wrong (README): quote
            # the sentences it cited instead, verbatim, or else the ones the assessment ranked first.
            cited = validate(draft.quoted, passages, s.min_support) if draft.quoted else None
            quoted = cited if cited and not cited.refused else validate(extractive_answer(assessment), passages,
                                                                         s.min_support)
            if not quoted.refused:
                who = {"quoted": judgement.reason}
                if quoted is not cited:
                    who |= {"provider": "extractive", "model": "extractive"}
                judgement = assessment.answerability
                v = replace(quoted, removed=v.removed)
        yield base.model_copy(update={"answer": v.text, "refused": v.refused, "citations": v.citations,
                                      "removed": v.removed, "usage": draft.usage, "answerability": judgement,
                                      **who})

    def ask(self, question: str, k: int | None = None, llm: str | None = None, filters: Filters | None = None) -> Answer:
        answer = None
        for item in self.stream(question, k, llm, filters):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    # ---- the store, for the CLI, the TUI and the evaluation ---------------------------------------

    def where(self) -> str:
        """Where the store is: its folder, or the Chroma server."""
        return self.store().where

    def article(self, article_id: str) -> Article | None:
        return self.store().get_article(article_id)

    def article_records(self) -> dict[str, dict[str, Any]]:
        """Every article's metadata (title, date, outlet, source_path, chunks ...), by article id."""
        return self.store().article_records()

    def article_count(self) -> int:
        return self.store().article_count()

    def doctor(self, fix: bool = False) -> dict[str, Any]:
        """What is wrong with the store: orphan chunks, incomplete articles, stale versions, the lexical
        index's state; with fix=True, under the write lock, repaired, and what is left as `after_fix`."""
        store = self.store()
        with store.writer() if fix else nullcontext():
            found: dict[str, Any] = dict(store.check(fix=fix))
            if fix and (found["orphan_chunks"] or found["incomplete_articles"] or found["stale_versions"]):
                found["after_fix"] = store.check()  # what is left, so a user sees the repair worked
            found["lexical_index"] = check_lexical(store, fix=fix)
        return {"store": store.where, **found, "fixed": fix}

    # ---- for the terminal UI ----------------------------------------------------------------------

    def llm_name(self, llm: str | None = None) -> tuple[str, str]:
        """(provider, model) of who would answer `llm`, resolving `auto`; a local model is not loaded."""
        answerer = self.answerer(llm)
        return answerer.name, answerer.model

    # ---- briefings and summaries ------------------------------------------------------------------

    def brief(
        self, topic: str, since: str | None = None, until: str | None = None, max_articles: int = 8,
        llm: str | None = None, progress: Callable[[str], None] | None = None, context_tokens: int | None = None,
    ) -> Briefing:
        """A cited briefing on a topic; `progress` gets a short stage message (for the TUI's Brief action)."""
        from assistant.briefing import build_briefing

        with self._reading():
            return build_briefing(
                topic, retrieve=self.search, store=self.store(), embeddings=self.embeddings,
                settings=self.settings, writer=self.answerer(llm), since=since, until=until, max_articles=max_articles,
                context_tokens=context_tokens, progress=progress,
            )

    def summarize(
        self, article: str | None = None, all_articles: bool = False, sentences: int = 3, llm: str | None = "extractive",
        refresh: bool = False,
    ) -> list[Summary]:
        """Summaries of one article (id, path or title words) or all, cached in the store; cached ones are
        returned at once, so the TUI can call this for the article it shows."""
        from assistant.briefing import budget_of
        from assistant.summaries import find_article, summarize

        records = self.store().article_records()
        if all_articles:
            ids = sorted(records, key=lambda a: records[a].get("source_path", ""))
        elif article:
            ids = [find_article(records, article)]
        else:
            raise AssistantError("name an article or pass --all", "assistant summarize PATH|ID|TITLE, or --all")
        writer = self.answerer(llm)
        return summarize(self.store(), self.embeddings, self.settings, writer, ids, sentences,
                         budget_of(writer.context, self.settings, None), refresh)
