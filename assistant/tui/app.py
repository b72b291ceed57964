"""The Textual application: holds the service and the session's state (filters, marked articles,
history), opens the main screen, and turns errors into notifications that say what to do."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen

from assistant.retrieval import Filters
from assistant.tui.screens.main import MainScreen
from assistant.types import Answer


class NewsApp(App[None]):
    """`service` is an Assistant, or any object with its interface (tests pass a fake)."""

    CSS_PATH = "app.tcss"
    TITLE = "News assistant"
    BINDINGS = [Binding("f1", "help", "Help")]
    NOTIFICATION_TIMEOUT = 8

    def __init__(self, service: Any) -> None:
        super().__init__()
        self.service = service
        self.filters = Filters()
        self.selected: dict[str, str] = {}  # article id -> title, marked in the browser
        self.history: list[tuple[float, Answer]] = []
        self.main = MainScreen()

    def get_default_screen(self) -> Screen[Any]:
        return self.main

    # ---- session state ----------------------------------------------------------------------------

    def current_filters(self) -> Filters | None:
        """The filters for the next question, or None when nothing limits it."""
        f = Filters(self.filters.since, self.filters.until, self.filters.outlet, sorted(self.selected) or None)
        return f if (f.since or f.until or f.outlet or f.article_ids) else None

    def filters_text(self) -> Content:
        f = self.filters
        parts = []
        if f.since or f.until:
            parts.append(f"{f.since or '…'} → {f.until or '…'}")
        if f.outlet:
            parts.append(f"outlet {escape(f.outlet)}")
        if self.selected:
            parts.append(f"{len(self.selected)} marked article(s)")
        if not parts:
            return Content.from_markup("[dim]Filters: none (ctrl+t to set dates and outlet, ctrl+o to mark articles)[/]")
        return Content.from_markup("[b $warning]Filters:[/] " + " · ".join(parts) + "  [dim](ctrl+t to change)[/]")

    # ---- errors, help, palette --------------------------------------------------------------------

    def notify_error(self, message: str, hint: str = "") -> None:
        """An error as a notification that says what to do; the app carries on."""
        self.notify(message + (f"\n→ {hint}" if hint else ""), title="Error", severity="error", timeout=12, markup=False)

    def action_help(self) -> None:
        from assistant.tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        main = self.main
        yield SystemCommand("Help", "Every key, by screen (F1)", self.action_help)
        yield SystemCommand("Ask", "Focus the question box (Escape)", main.action_focus_question)
        yield SystemCommand("Articles", "Browse, search and mark articles (ctrl+o)", main.action_articles)
        yield SystemCommand("Filters", "Date range, outlet, marked articles (ctrl+t)", main.action_filters)
        yield SystemCommand("History", "Re-open an earlier answer (ctrl+r)", main.action_history)
        yield SystemCommand("Copy answer", "Answer + sources as Markdown to the clipboard (ctrl+y)", main.action_copy)
        yield SystemCommand("Export answer", "Answer + sources to a Markdown file (ctrl+s)", main.action_export)
        yield SystemCommand("Brief", "A cited briefing on a topic, within the date filters (ctrl+b)", main.action_brief)
        yield SystemCommand("Ingest", "Add a file or folder of articles (ctrl+n)", main.action_ingest)
        yield from super().get_system_commands(screen)
