"""The sources panel: one entry per citation (title, outlet, date, exact quote); choosing one posts
CitationChosen so the screen opens the article at the passage."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from assistant.tui.format import source_content
from assistant.tui.messages import CitationChosen
from assistant.types import Citation


class SourcesPanel(OptionList):
    """Citations of the current answer; Enter or a click opens one."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.citations: list[Citation] = []

    def show(self, citations: list[Citation]) -> None:
        self.citations = list(citations)
        self.clear_options()
        for i, c in enumerate(self.citations):
            if i:
                self.add_option(None)  # a separator line between sources
            self.add_option(Option(source_content(c), id=str(c.n)))
        self.border_subtitle = f"{len(citations)} source(s)" if citations else "no sources"
        if citations:
            self.highlighted = 0

    def clear(self, note: str = "") -> None:
        self.citations = []
        self.clear_options()
        self.border_subtitle = note

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        chosen = [c for c in self.citations if str(c.n) == event.option.id]
        if chosen:
            self.post_message(CitationChosen(chosen[0]))
