"""The briefing view: a cited briefing on a topic (sections with [n] markers) beside its citations.

Choosing a citation (Enter, a click, a digit or a clicked [n]) opens the article view at the quote;
ctrl+s exports the briefing as Markdown, ctrl+y copies it.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from assistant.render import render_briefing
from assistant.tui.format import briefing_content, clean
from assistant.tui.messages import CitationChosen
from assistant.tui.widgets.sources import SourcesPanel
from assistant.types import Briefing

if TYPE_CHECKING:
    from assistant.tui.app import NewsApp


def default_file_name(topic: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", clean(topic).lower()).strip("-")[:40] or "topic"
    return f"briefing-{slug}-{time.strftime('%Y%m%d-%H%M%S')}.md"


class BriefingScreen(Screen[None]):
    """One briefing; the citations panel has the focus, so Enter opens the first quote at once."""

    BINDINGS = [
        Binding("escape,q", "app.pop_screen", "Back"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+y", "copy", "Copy"),
        *[Binding(str(n), f"cite({n})", f"Open citation {n}", show=False) for n in range(1, 10)],
    ]

    app: NewsApp

    def __init__(self, briefing: Briefing) -> None:
        super().__init__()
        self.briefing = briefing

    def compose(self) -> ComposeResult:
        with Horizontal(id="brief-body"):
            with VerticalScroll(id="brief-scroll"):
                yield Static(briefing_content(self.briefing), id="brief-text")
            yield SourcesPanel(id="brief-citations")
        yield Footer()

    def on_mount(self) -> None:
        b = self.briefing
        scroll = self.query_one("#brief-scroll", VerticalScroll)
        scroll.border_title = f"Briefing: {clean(b.topic)}"
        scroll.can_focus = True
        panel = self.query_one("#brief-citations", SourcesPanel)
        panel.border_title = "Citations"
        panel.show(b.citations)
        panel.border_subtitle = f"{len(b.citations)} citation(s) · {len(b.sources)} article(s)" if b.citations else "no citations"
        (panel if b.citations else scroll).focus()

    # ---- citations --------------------------------------------------------------------------------

    def on_citation_chosen(self, msg: CitationChosen) -> None:
        from assistant.tui.screens.article import ArticleScreen

        msg.stop()
        self.app.push_screen(ArticleScreen(msg.citation.article_id, msg.citation))

    def action_cite(self, n: int) -> None:
        for c in self.briefing.citations:
            if c.n == n:
                self.post_message(CitationChosen(c))
                return
        self.notify(f"There is no citation [{n}] in this briefing.", severity="warning")

    # ---- copy and export --------------------------------------------------------------------------

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(render_briefing(self.briefing, "md"))
        self.notify(f"Copied the briefing and {len(self.briefing.citations)} citation(s) as Markdown (OSC 52).")

    def action_export(self) -> None:
        from assistant.tui.screens.dialogs import PromptScreen

        self.app.push_screen(
            PromptScreen("Export the briefing as Markdown", "File to write:", default_file_name(self.briefing.topic),
                         "path/to/briefing.md"),
            self.export_to,
        )

    def export_to(self, path: str | None) -> None:
        if not path:
            return
        target = Path(os.path.expanduser(path))
        try:
            text = render_briefing(self.briefing, "md")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.app.notify_error(f"cannot write {target}: {exc.strerror or exc}", "choose another path (ctrl+s)")
            return
        except Exception as exc:  # a malformed briefing must not take the app down
            self.app.notify_error(f"cannot render the briefing: {type(exc).__name__}: {exc}", "copy it instead (ctrl+y)")
            return
        self.notify(f"Exported to {target}")
