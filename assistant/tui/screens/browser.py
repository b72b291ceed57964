"""The article browser: every ingested article (date, outlet, title, chunks), searchable, sortable by
date; Enter opens one, Space marks it for the question's article filter."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from assistant.errors import AssistantError
from assistant.tui.format import ArticleRow, rows_of, sort_rows
from assistant.tui.messages import ArticlesLoaded, WorkFailed

if TYPE_CHECKING:
    from assistant.tui.app import NewsApp


class BrowserScreen(Screen[None]):
    """List, search, sort and open articles; mark some to limit questions to them."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("space", "mark", "Mark for filter"),
        Binding("s", "sort", "Sort by date"),
        Binding("slash", "search", "Search"),
        Binding("c", "clear_marks", "Clear marks"),
    ]

    app: NewsApp

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ArticleRow] = []
        self.newest_first = True

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search title, outlet, date or path (/ to focus, ↓ to the list)", id="search")
        yield DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield Static("loading…", id="browser-note")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#articles", DataTable)
        table.add_column("✓", key="mark", width=1)
        table.add_column("Date", key="date", width=10)
        table.add_column("Outlet", key="outlet", width=14)
        table.add_column("Title", key="title")
        table.add_column("Chunks", key="chunks", width=6)
        table.focus()
        self.load_rows()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load_rows(self) -> None:
        try:
            records = self.app.service.article_records()
        except AssistantError as exc:
            self.post_message(WorkFailed("listing articles", exc.message, exc.hint))
            return
        except Exception as exc:
            self.post_message(WorkFailed("listing articles", f"{type(exc).__name__}: {exc}", "check the store"))
            return
        self.post_message(ArticlesLoaded(rows_of(records)))

    def on_articles_loaded(self, msg: ArticlesLoaded) -> None:
        self.rows = msg.rows
        self.refill()

    def on_work_failed(self, msg: WorkFailed) -> None:
        self.query_one("#browser-note", Static).update(f"{msg.message}")
        self.app.notify_error(f"{msg.what}: {msg.message}", msg.hint)

    def shown_rows(self) -> list[ArticleRow]:
        query = self.query_one("#search", Input).value
        return sort_rows([r for r in self.rows if r.matches(query)], self.newest_first)

    def refill(self) -> None:
        table = self.query_one("#articles", DataTable)
        keep = table.cursor_row
        table.clear()
        # Titles are cut to what fits, so the table never needs sideways scrolling at 80 columns.
        room = max(16, self.size.width - 1 - 10 - 14 - 6 - 12)
        marked = self.app.selected
        shown = self.shown_rows()
        for r in shown:
            title = r.title if len(r.title) <= room else r.title[: room - 1] + "…"
            table.add_row("✓" if r.id in marked else " ", r.date or "—", r.outlet[:14] or "—", title, str(r.chunks), key=r.id)
        if shown:
            table.move_cursor(row=min(keep, len(shown) - 1))
        order = "newest first" if self.newest_first else "oldest first"
        note = f"{len(shown)} of {len(self.rows)} articles, {order}; {len(marked)} marked for the question filter"
        self.query_one("#browser-note", Static).update(note)

    @on(Input.Changed, "#search")
    def search_changed(self) -> None:
        self.refill()

    @on(Input.Submitted, "#search")
    def search_done(self) -> None:
        self.query_one("#articles", DataTable).focus()

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        if event.key == "down" and self.focused is self.query_one("#search", Input):
            self.query_one("#articles", DataTable).focus()
            event.stop()

    def current(self) -> ArticleRow | None:
        table = self.query_one("#articles", DataTable)
        shown = self.shown_rows()
        return shown[table.cursor_row] if shown and 0 <= table.cursor_row < len(shown) else None

    @on(DataTable.RowSelected, "#articles")
    def open_row(self, event: DataTable.RowSelected) -> None:
        from assistant.tui.screens.article import ArticleScreen

        if event.row_key.value:
            self.app.push_screen(ArticleScreen(event.row_key.value))

    @on(DataTable.HeaderSelected, "#articles")
    def header_clicked(self, event: DataTable.HeaderSelected) -> None:
        if event.column_key.value == "date":
            self.action_sort()

    def action_mark(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.id in self.app.selected:
            del self.app.selected[row.id]
        else:
            self.app.selected[row.id] = row.title
        self.refill()

    def action_clear_marks(self) -> None:
        self.app.selected.clear()
        self.refill()

    def action_sort(self) -> None:
        self.newest_first = not self.newest_first
        self.refill()

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)
