"""The first-run screen: the store is missing or empty, so say how to fill it, and offer to do it here."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Footer, Input, Static


class EmptyStoreScreen(Screen[str | None]):
    """Returns the path to ingest (the main screen runs the ingest), or None to look around first."""

    BINDINGS = [Binding("escape", "skip", "Skip"), Binding("f1", "app.help", "Help")]

    def __init__(self, store: str, problem: str = "") -> None:
        super().__init__()
        self.store = store
        self.problem = problem

    def compose(self) -> ComposeResult:
        text = (
            f"[b]No articles to ask about yet.[/]\n\n"
            f"[dim]{escape(self.problem or 'the store is empty')}[/]\n\n"
            f"Type a file or folder of articles (.txt .md .html .json .jsonl) below and press [b]Enter[/]: "
            f"they are read, embedded and written to [b]{escape(self.store)}[/] while you watch the progress bar.\n\n"
            f"Or, from a shell:\n  [b]assistant --store {escape(self.store)} ingest PATH…[/]\n\n"
            f"[dim]Escape: look around first (ctrl+n ingests later) · ctrl+q: quit[/]"
        )
        with Center():
            with Vertical(id="empty-box"):
                yield Static(Content.from_markup(text), id="empty-text")
                yield Input(placeholder="e.g. data/demo", id="empty-path")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#empty-path", Input).focus()

    @on(Input.Submitted, "#empty-path")
    def submit(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.notify("Type the path of a file or folder of articles.", severity="warning")
            return
        self.dismiss(event.value.strip())

    def action_skip(self) -> None:
        self.dismiss(None)
