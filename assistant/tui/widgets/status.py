"""The status line: who answers, which store, how many articles, and what is running."""

from __future__ import annotations

from textual.content import Content
from textual.markup import escape
from textual.widgets import Static


class StatusLine(Static):
    """One line at the bottom; the screen sets its parts as workers report them."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__("", **kwargs)  # type: ignore[arg-type]
        self.provider = "…"
        self.store = "…"
        self.articles: int | None = None
        self.busy = ""

    def set(self, **parts: object) -> None:
        for key, value in parts.items():
            setattr(self, key, value)
        count = "…" if self.articles is None else f"{self.articles} article" + ("" if self.articles == 1 else "s")
        text = f"[b]{escape(self.provider)}[/] │ store {escape(self.store)} │ {count}"
        if self.busy:
            text += f" │ [$warning]{escape(self.busy)}[/]"
        self.update(Content.from_markup(text))
