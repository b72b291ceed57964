"""Small modal dialogs: a one-line prompt (export path, ingest path, briefing topic), the question filters, the history."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from assistant.articles import parse_date
from assistant.errors import AssistantError
from assistant.retrieval import Filters
from assistant.tui.format import clean
from assistant.tui.messages import ArticlesLoaded, WorkFailed
from assistant.types import Answer

if TYPE_CHECKING:
    from assistant.tui.app import NewsApp


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; Enter returns it, Escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, label: str, value: str = "", placeholder: str = "", what: str = "a path") -> None:
        super().__init__()
        self.title_text, self.label, self.value, self.placeholder = title, label, value, placeholder
        self.what = what  # named in the warning when Enter is pressed on an empty box

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]{self.title_text}[/]", classes="dialog-title")
            yield Label(self.label)
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("[dim]Enter to confirm · Escape to cancel[/]")

    @on(Input.Submitted, "#prompt-input")
    def submit(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            self.notify(f"Type {self.what} first, or press Escape.", severity="warning")
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


ANY_OUTLET = "__any__"


class FiltersScreen(ModalScreen[bool]):
    """Date range, outlet and the articles marked in the browser; Apply stores them on the app."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    app: NewsApp

    def compose(self) -> ComposeResult:
        f = self.app.filters
        with Vertical(classes="dialog", id="filters-dialog"):
            yield Static("[b]Filters for the next questions[/]", classes="dialog-title")
            with Horizontal(classes="row"):
                yield Label("Since", classes="field-label")
                yield Input(value=f.since or "", placeholder="YYYY-MM-DD", id="since")
            with Horizontal(classes="row"):
                yield Label("Until", classes="field-label")
                yield Input(value=f.until or "", placeholder="YYYY-MM-DD", id="until")
            with Horizontal(classes="row"):
                yield Label("Outlet", classes="field-label")
                yield Select([], prompt="any outlet", allow_blank=True, id="outlet")
            yield Static(self.marked_text(), id="marked")
            with Horizontal(classes="buttons"):
                yield Button("Apply", variant="primary", id="apply")
                yield Button("Clear all", id="clear")
                yield Button("Cancel", id="cancel")

    def marked_text(self) -> str:
        n = len(self.app.selected)
        if not n:
            return "[dim]Articles: all. Mark some in the browser (ctrl+o, Space) to ask only about them.[/]"
        return f"Articles: only the {n} marked in the browser (ctrl+o to change)"

    def on_mount(self) -> None:
        self.query_one("#since", Input).focus()
        self.load_outlets()

    @work(thread=True, exit_on_error=False)
    def load_outlets(self) -> None:
        from assistant.tui.format import rows_of

        try:
            self.post_message(ArticlesLoaded(rows_of(self.app.service.article_records())))
        except AssistantError as exc:
            self.post_message(WorkFailed("listing outlets", exc.message, exc.hint))
        except Exception as exc:
            self.post_message(WorkFailed("listing outlets", f"{type(exc).__name__}: {exc}", "check the store"))

    def on_articles_loaded(self, msg: ArticlesLoaded) -> None:
        outlets = sorted({r.outlet for r in msg.rows if r.outlet})
        select = self.query_one("#outlet", Select)
        select.set_options([(o, o) for o in outlets])
        if self.app.filters.outlet in outlets:
            select.value = self.app.filters.outlet

    def on_work_failed(self, msg: WorkFailed) -> None:
        self.app.notify_error(f"{msg.what}: {msg.message}", msg.hint)

    @on(Input.Submitted)
    def submitted(self) -> None:
        self.apply()

    @on(Button.Pressed, "#apply")
    def apply(self) -> None:
        dates: dict[str, str | None] = {}
        for name in ("since", "until"):
            raw = self.query_one(f"#{name}", Input).value.strip()
            parsed = parse_date(raw) if raw else None
            if raw and not parsed:
                self.app.notify_error(f"{name} {raw!r} is not a date", "write it as YYYY-MM-DD, or leave it empty")
                self.query_one(f"#{name}", Input).focus()
                return
            dates[name] = parsed
        if dates["since"] and dates["until"] and dates["since"] > dates["until"]:
            self.app.notify_error("since is after until", "swap the dates")
            return
        value = self.query_one("#outlet", Select).value
        outlet = value if isinstance(value, str) and value != ANY_OUTLET else None
        self.app.filters = Filters(since=dates["since"], until=dates["until"], outlet=outlet)
        self.dismiss(True)

    @on(Button.Pressed, "#clear")
    def clear(self) -> None:
        self.app.filters = Filters()
        self.app.selected.clear()
        self.dismiss(True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class HistoryScreen(ModalScreen[int | None]):
    """The session's questions, newest first; choosing one re-opens its answer."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, history: list[tuple[float, Answer]]) -> None:
        super().__init__()
        self.history = history

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="history-dialog"):
            yield Static("[b]Questions of this session[/]  [dim]Enter to re-open · Escape to close[/]", classes="dialog-title")
            options = []
            for i in range(len(self.history) - 1, -1, -1):
                at, answer = self.history[i]
                note = "refused" if answer.refused else f"{len(answer.citations)} source(s)"
                options.append(Option(f"{time.strftime('%H:%M', time.localtime(at))}  {clean(answer.question)}  ({note})", id=str(i)))
            yield OptionList(*options, id="history-list")

    def on_mount(self) -> None:
        self.query_one("#history-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#history-list")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
