"""The article view: the whole text of one article, scrolled to a cited passage with the quote highlighted."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Static

from assistant.errors import AssistantError
from assistant.tui.format import clean, line_of_offset
from assistant.tui.messages import ArticleLoaded, WorkFailed
from assistant.types import Article, Citation

if TYPE_CHECKING:
    from assistant.tui.app import NewsApp

CONTEXT_LINES = 3  # lines shown above the quote, so it reads in context


class ArticleScreen(Screen[None]):
    """One article; with a citation, the quote is highlighted and scrolled into view."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("g", "goto_quote", "Go to quote"),
        Binding("y", "copy_quote", "Copy quote"),
    ]

    app: NewsApp

    def __init__(self, article_id: str, citation: Citation | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.citation = citation
        self.article: Article | None = None
        self.highlight: tuple[int, int] | None = None  # offsets in the shown (cleaned) text
        self.quote_line = 0
        self.shown = ""

    def compose(self) -> ComposeResult:
        yield Static("loading…", id="article-head")
        with VerticalScroll(id="article-scroll"):
            yield Static("", id="article-body")
        yield Footer()

    def on_mount(self) -> None:
        self.load_article()

    @work(thread=True, exit_on_error=False)
    def load_article(self) -> None:
        try:
            article = self.app.service.article(self.article_id)
        except AssistantError as exc:
            self.post_message(WorkFailed("reading the article", exc.message, exc.hint))
            return
        except Exception as exc:
            self.post_message(WorkFailed("reading the article", f"{type(exc).__name__}: {exc}", "try again"))
            return
        if article is None:
            self.post_message(WorkFailed("reading the article", "it is no longer in the store", "ingest its file again (ctrl+n)"))
            return
        self.post_message(ArticleLoaded(article))

    def on_work_failed(self, msg: WorkFailed) -> None:
        self.query_one("#article-head", Static).update(Content(f"Could not open the article: {msg.message}"))
        self.app.notify_error(f"{msg.what}: {msg.message}", msg.hint)

    def on_article_loaded(self, msg: ArticleLoaded) -> None:
        a = self.article = msg.article
        meta = " · ".join(escape(clean(x)) for x in (a.outlet, a.date, a.source_path) if x)
        head = f"[b]{escape(clean(a.title))}[/]\n[dim]{meta}[/]"
        span = self.find_quote(a.text)
        if self.citation is not None:
            head += f"\n[$accent]source \\[{self.citation.n}][/]" + ("" if span else "  [$warning]passage not found in the current text[/]")
        self.query_one("#article-head", Static).update(Content.from_markup(head))
        text = a.text
        if span:
            # Cleaned piece by piece, so the highlight's offsets stay right even if control characters go.
            before, quote, after = clean(text[: span[0]]), clean(text[span[0]: span[1]]), clean(text[span[1]:])
            self.shown = before + quote + after
            self.highlight = (len(before), len(before) + len(quote))
            body = Content(self.shown).stylize("bold underline $text on $accent 50%", *self.highlight)
        else:
            self.shown = clean(text)
            body = Content(self.shown)
        self.query_one("#article-body", Static).update(body)
        self.call_after_refresh(self.action_goto_quote)

    def find_quote(self, text: str) -> tuple[int, int] | None:
        """The cited span; if the article changed since the answer, the quote wherever it now is."""
        c = self.citation
        if c is None or not c.quote:
            return None
        if text[c.start:c.end] == c.quote:
            return c.start, c.end
        at = text.find(c.quote)
        return (at, at + len(c.quote)) if at >= 0 else None

    def action_goto_quote(self) -> None:
        if not self.highlight:
            return
        body = self.query_one("#article-body", Static)
        width = body.content_region.width or self.size.width
        self.quote_line = line_of_offset(self.shown, self.highlight[0], width)
        self.query_one("#article-scroll", VerticalScroll).scroll_to(y=max(0, self.quote_line - CONTEXT_LINES), animate=False)

    def action_copy_quote(self) -> None:
        if self.citation is None:
            self.notify("No quote here: this article was opened from the browser.", severity="warning")
            return
        self.app.copy_to_clipboard(self.citation.quote)
        self.notify("Copied the quote (OSC 52).")
