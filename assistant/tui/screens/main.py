"""The main screen: question box, streaming answer, sources panel, filters line, ingest progress, status.

It owns the workers that ask, ingest and read the store's status; the widgets only display.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Input, Label, ProgressBar, Static
from textual.worker import get_current_worker

from assistant.errors import AssistantError, StoreError
from assistant.render import answer_markdown
from assistant.tui.format import clean
from assistant.tui.messages import (
    AnswerChunk,
    AnswerReady,
    BriefProgress,
    BriefReady,
    CitationChosen,
    IngestFinished,
    IngestProgress,
    StatusLoaded,
    WorkFailed,
)
from assistant.tui.widgets.answer import AnswerView
from assistant.tui.widgets.sources import SourcesPanel
from assistant.tui.widgets.status import StatusLine
from assistant.types import Answer

if TYPE_CHECKING:
    from assistant.tui.app import NewsApp


def store_is_empty(exc: StoreError) -> bool:
    """A missing or never-filled store is a first run, not a failure: the empty-store screen explains it."""
    return exc.message.startswith("no store at") or "has no articles yet" in exc.message


class MainScreen(Screen[None]):
    """Ask, read the answer and its sources; every other screen opens from here."""

    BINDINGS = [
        Binding("ctrl+o", "articles", "Articles"),
        Binding("ctrl+t", "filters", "Filters"),
        Binding("ctrl+r", "history", "History"),
        Binding("ctrl+y", "copy", "Copy"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+n", "ingest", "Ingest"),
        Binding("ctrl+b", "brief", "Brief"),
        Binding("escape", "focus_question", "Question", show=False),
        *[Binding(str(n), f"cite({n})", f"Open source {n}", show=False) for n in range(1, 10)],
    ]

    app: NewsApp

    def __init__(self) -> None:
        super().__init__()
        self.answer: Answer | None = None
        self.request = 0
        self.asking = False
        self.ingesting = False
        self.brief_request = 0
        self.briefing = False
        self.brief_topic = ""
        self.warmed = False
        self.retyping = False  # a letter typed outside the box has started a new question in it

    def compose(self) -> ComposeResult:
        # No select-on-focus: a letter typed elsewhere lands in the box as the start of a new question.
        yield Input(placeholder="Ask about the articles… (Enter to ask, F1 for keys)", id="question-box", select_on_focus=False)
        yield Static("", id="filters-line")
        with Horizontal(id="body"):
            yield AnswerView(id="answer")
            yield SourcesPanel(id="sources")
        with Horizontal(id="ingest-bar"):
            yield Label("ingesting", id="ingest-label")
            yield ProgressBar(id="ingest-progress", show_eta=False)
        yield Static("", id="brief-bar")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#answer", AnswerView).border_title = "Answer"
        sources = self.query_one("#sources", SourcesPanel)
        sources.border_title = "Sources"
        self.query_one("#ingest-bar").display = False
        self.query_one("#brief-bar").display = False
        self.show_filters()
        self.query_one("#question-box", Input).focus()
        self.load_status()

    # ---- status -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="status", exit_on_error=False)
    def load_status(self) -> None:
        service = self.app.service
        s = service.settings
        where = f"{s.chroma_host}:{s.chroma_port}" if s.server_mode else str(s.store)
        try:
            provider, model = service.llm_name()
        except AssistantError as exc:
            provider, model = "no LLM", ""
            self.post_message(WorkFailed("choosing the LLM", exc.message, exc.hint))
        try:
            count = service.article_count()
        except StoreError as exc:
            if store_is_empty(exc):
                self.post_message(StatusLoaded(provider, model, where, 0, empty=True, problem=exc.message, hint=exc.hint))
            else:
                self.post_message(StatusLoaded(provider, model, where, 0))
                self.post_message(WorkFailed("opening the store", exc.message, exc.hint))
            return
        except Exception as exc:  # chroma can fail in ways of its own; the app must still open
            self.post_message(StatusLoaded(provider, model, where, 0))
            self.post_message(WorkFailed("opening the store", f"{type(exc).__name__}: {exc}", "check the --store folder"))
            return
        self.post_message(StatusLoaded(provider, model, where, count, empty=count == 0))

    def on_status_loaded(self, msg: StatusLoaded) -> None:
        who = msg.provider + (f": {msg.model}" if msg.model and msg.model != msg.provider else "")
        self.query_one(StatusLine).set(provider=who, store=msg.store, articles=msg.articles)
        if msg.provider != "no LLM" and not self.warmed:
            self.warmed = True
            self.warm_llm()
        if msg.empty and not self.ingesting:
            from assistant.tui.screens.empty import EmptyStoreScreen

            self.app.push_screen(EmptyStoreScreen(msg.store, msg.problem), self.start_ingest)

    @work(thread=True, group="warm", exit_on_error=False)
    def warm_llm(self) -> None:
        """The answerer gets ready while the user types (the local model's child starts and reads its instructions)."""
        try:
            self.app.service.warm()
        except AssistantError as exc:
            self.post_message(WorkFailed("starting the LLM", exc.message, exc.hint))

    # ---- asking -----------------------------------------------------------------------------------

    @on(Input.Submitted, "#question-box")
    def ask(self, event: Input.Submitted) -> None:
        question = event.value.strip()
        if not question:
            self.notify("Type a question first.", severity="warning")
            return
        self.request += 1
        self.asking = True
        self.query_one("#answer", AnswerView).begin(question)
        self.query_one("#sources", SourcesPanel).clear("searching…")
        self.show_busy()
        self.ask_worker(self.request, question, self.app.current_filters())

    @work(thread=True, exclusive=True, group="ask", exit_on_error=False)
    def ask_worker(self, request: int, question: str, filters: Any) -> None:
        worker = get_current_worker()
        try:
            for item in self.app.service.stream(question, filters=filters):
                if worker.is_cancelled:
                    return  # a newer question replaced this one
                if isinstance(item, Answer):
                    self.post_message(AnswerReady(request, item))
                else:
                    self.post_message(AnswerChunk(request, item))
        except AssistantError as exc:
            self.post_message(WorkFailed("answering", exc.message, exc.hint))
        except Exception as exc:
            self.post_message(WorkFailed("answering", f"{type(exc).__name__}: {exc}", "try again; if it persists, report it"))

    def on_answer_chunk(self, msg: AnswerChunk) -> None:
        if msg.request == self.request:
            self.query_one("#answer", AnswerView).append(msg.text)

    def on_answer_ready(self, msg: AnswerReady) -> None:
        if msg.request != self.request:
            return
        self.asking = False
        self.show_busy()
        self.app.history.append((time.time(), msg.answer))
        self.display_answer(msg.answer)
        self.load_status()  # another terminal may have ingested meanwhile: the article count follows
        box = self.query_one("#question-box", Input)
        if self.focused is box and box.value.strip() == msg.answer.question:
            # The user is waiting on this answer (not typing the next question): put them on the sources,
            # so Enter, the arrows or a digit open the evidence at once. Typing goes back to the box.
            if msg.answer.citations:
                self.query_one("#sources", SourcesPanel).focus()
            else:  # nothing to open: typing replaces the question, the arrows keep it to rephrase
                box.select_all()

    def on_key(self, event: events.Key) -> None:
        box = self.query_one("#question-box", Input)
        if self.focused is box or not event.is_printable or not event.character:
            return
        if not self.retyping and (event.character in "123456789" or event.character.isspace()):
            return  # digits open sources; space scrolls
        # A letter typed outside the box starts a new question: no need to find the box first.
        event.stop()
        event.prevent_default()
        # the letters after the first may still come here before the box has the focus (a fast typist, a
        # paste): they go on the question the first one started
        box.value = box.value + event.character if self.retyping else event.character
        box.cursor_position = len(box.value)
        self.retyping = True
        box.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is self.query_one("#question-box", Input):
            self.retyping = False  # the box has the keys now; elsewhere, digits open sources again

    def display_answer(self, answer: Answer) -> None:
        self.answer = answer
        self.query_one("#answer", AnswerView).show(answer)
        self.query_one("#sources", SourcesPanel).show(answer.citations)

    def show_busy(self) -> None:
        """What runs, in the status line: any of answering, briefing, ingesting."""
        running = [name for name, on_ in (("answering…", self.asking), ("briefing…", self.briefing),
                                          ("ingesting…", self.ingesting)) if on_]
        self.query_one(StatusLine).set(busy=" ".join(running))

    def on_work_failed(self, msg: WorkFailed) -> None:
        if msg.what == "answering":
            self.asking = False
            self.query_one("#answer", AnswerView).failed(f"Could not answer: {msg.message}")
            self.query_one("#sources", SourcesPanel).clear()
        if msg.what == "ingesting":
            self.ingesting = False
            self.query_one("#ingest-bar").display = False
        if msg.what == "briefing":
            self.briefing = False
            self.query_one("#brief-bar").display = False
        self.show_busy()
        self.app.notify_error(f"{msg.what}: {msg.message}", msg.hint)

    # ---- citations --------------------------------------------------------------------------------

    def on_citation_chosen(self, msg: CitationChosen) -> None:
        from assistant.tui.screens.article import ArticleScreen

        self.app.push_screen(ArticleScreen(msg.citation.article_id, msg.citation))

    def action_cite(self, n: int) -> None:
        for c in self.answer.citations if self.answer else []:
            if c.n == n:
                self.post_message(CitationChosen(c))
                return
        self.notify(f"There is no source [{n}] in this answer.", severity="warning")

    def action_focus_question(self) -> None:
        box = self.query_one("#question-box", Input)
        box.focus()
        box.select_all()  # typing replaces the last question; arrows keep it for editing

    # ---- filters, articles, history ---------------------------------------------------------------

    def show_filters(self) -> None:
        self.query_one("#filters-line", Static).update(self.app.filters_text())

    def action_filters(self) -> None:
        from assistant.tui.screens.dialogs import FiltersScreen

        self.app.push_screen(FiltersScreen(), lambda _: self.show_filters())

    def action_articles(self) -> None:
        from assistant.tui.screens.browser import BrowserScreen

        self.app.push_screen(BrowserScreen(), lambda _: self.show_filters())

    def action_history(self) -> None:
        from assistant.tui.screens.dialogs import HistoryScreen

        if not self.app.history:
            self.notify("No questions asked yet in this session.", severity="warning")
            return
        self.app.push_screen(HistoryScreen(self.app.history), self.reopen)

    def reopen(self, index: int | None) -> None:
        if index is not None:
            answer = self.app.history[index][1]
            self.query_one("#question-box", Input).value = answer.question
            self.display_answer(answer)

    # ---- copy and export --------------------------------------------------------------------------

    def action_copy(self) -> None:
        if self.answer is None:
            self.notify("Nothing to copy yet: ask a question first.", severity="warning")
            return
        self.app.copy_to_clipboard(answer_markdown(self.answer))
        self.notify(f"Copied the answer and {len(self.answer.citations)} source(s) as Markdown (OSC 52).")

    def action_export(self) -> None:
        from assistant.tui.screens.dialogs import PromptScreen

        if self.answer is None:
            self.notify("Nothing to export yet: ask a question first.", severity="warning")
            return
        default = f"answer-{time.strftime('%Y%m%d-%H%M%S')}.md"
        self.app.push_screen(
            PromptScreen("Export the answer as Markdown", "File to write:", default, "path/to/answer.md"), self.export_to
        )

    def export_to(self, path: str | None) -> None:
        if not path or self.answer is None:
            return
        target = Path(os.path.expanduser(path))
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(answer_markdown(self.answer), encoding="utf-8")
        except OSError as exc:
            self.app.notify_error(f"cannot write {target}: {exc.strerror or exc}", "choose another path (ctrl+s)")
            return
        self.notify(f"Exported to {target}")

    # ---- brief ------------------------------------------------------------------------------------

    def action_brief(self) -> None:
        from assistant.tui.screens.dialogs import PromptScreen

        if self.briefing:
            self.notify("A briefing is already being written; it opens when it is done.", severity="warning")
            return
        f = self.app.filters
        scope = f"from {f.since or '…'} to {f.until or '…'}" if (f.since or f.until) else "all dates (ctrl+t to limit)"
        self.app.push_screen(
            PromptScreen("Brief on a topic", f"Topic ({scope}):", "", "e.g. illegal mining in Karabakh", what="a topic"),
            self.start_brief,
        )

    def start_brief(self, topic: str | None) -> None:
        if not topic or self.briefing:
            return
        self.brief_request += 1
        self.briefing = True
        self.brief_topic = clean(topic)
        bar = self.query_one("#brief-bar", Static)
        bar.update(Content(f"briefing on {self.brief_topic}: starting…"))
        bar.display = True
        self.show_busy()
        self.brief_worker(self.brief_request, topic, self.app.filters.since, self.app.filters.until)

    @work(thread=True, exclusive=True, group="brief", exit_on_error=False)
    def brief_worker(self, request: int, topic: str, since: str | None, until: str | None) -> None:
        try:
            briefing = self.app.service.brief(
                topic, since=since, until=until, progress=lambda stage: self.post_message(BriefProgress(request, stage))
            )
        except AssistantError as exc:
            self.post_message(WorkFailed("briefing", exc.message, exc.hint))
            return
        except Exception as exc:
            self.post_message(WorkFailed("briefing", f"{type(exc).__name__}: {exc}", "try again; if it persists, report it"))
            return
        self.post_message(BriefReady(request, briefing))

    def on_brief_progress(self, msg: BriefProgress) -> None:
        if msg.request == self.brief_request and self.briefing:
            self.query_one("#brief-bar", Static).update(Content(f"briefing on {self.brief_topic}: {clean(msg.stage)}"))

    def on_brief_ready(self, msg: BriefReady) -> None:
        from assistant.tui.screens.briefing import BriefingScreen

        if msg.request != self.brief_request:
            return
        self.briefing = False
        self.query_one("#brief-bar").display = False
        self.show_busy()
        b = msg.briefing
        self.notify(f"Briefing ready: {len(b.sources)} source(s), {len(b.citations)} citation(s).", title="Brief")
        self.app.push_screen(BriefingScreen(b))

    # ---- ingest -----------------------------------------------------------------------------------

    def action_ingest(self) -> None:
        from assistant.tui.screens.dialogs import PromptScreen

        if self.ingesting:
            self.notify("An ingest is already running.", severity="warning")
            return
        self.app.push_screen(
            PromptScreen("Ingest articles", "File or folder (.txt .md .html .json .jsonl):", "", "e.g. data/demo"),
            self.start_ingest,
        )

    def start_ingest(self, path: str | None) -> None:
        if not path:
            return
        path = os.path.expanduser(path.strip())
        if not Path(path).exists():
            self.app.notify_error(f"{path} does not exist", "give a file or folder of articles (ctrl+n)")
            return
        self.ingesting = True
        bar = self.query_one("#ingest-progress", ProgressBar)
        bar.update(total=None, progress=0)
        self.query_one("#ingest-label", Label).update(f"ingesting {path}")
        self.query_one("#ingest-bar").display = True
        self.show_busy()
        self.ingest_worker(path)

    @work(thread=True, exclusive=True, group="ingest", exit_on_error=False)
    def ingest_worker(self, path: str) -> None:
        try:
            report = self.app.service.ingest([path], progress=lambda done, total: self.post_message(IngestProgress(done, total)))
        except AssistantError as exc:
            self.post_message(WorkFailed("ingesting", exc.message, exc.hint))
            return
        except Exception as exc:
            self.post_message(WorkFailed("ingesting", f"{type(exc).__name__}: {exc}", "check the files, then try again"))
            return
        self.post_message(IngestFinished(report))

    def on_ingest_progress(self, msg: IngestProgress) -> None:
        self.query_one("#ingest-progress", ProgressBar).update(total=max(msg.total, 1), progress=msg.done)

    def on_ingest_finished(self, msg: IngestFinished) -> None:
        self.ingesting = False
        self.query_one("#ingest-bar").display = False
        r = msg.report
        summary = (
            f"added {len(r.added)}, updated {len(r.updated)}, unchanged {len(r.unchanged)}, "
            f"skipped {len(r.skipped)} ({r.chunks} chunks, {r.seconds:.1f} s)"
        )
        if r.ingested_nothing:
            reasons = "; ".join(f"{Path(s.path).name}: {s.reason}" for s in r.skipped[:3])
            self.app.notify_error(f"nothing ingested: {summary}", reasons or "point at files of .txt .md .html .json .jsonl")
        else:
            self.notify(f"Ingest done: {summary}", title="Ingest")
        self.show_busy()
        self.load_status()
