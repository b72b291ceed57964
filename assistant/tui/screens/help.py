"""The help screen: what the app does and every key, grouped by screen."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

KEYS = [
    ("Anywhere", [
        ("F1", "this help"), ("ctrl+p", "command palette (every action, searchable)"), ("ctrl+q", "quit"),
    ]),
    ("Main screen", [
        ("Enter", "ask the question in the box; when the answer is in, the sources have the focus"),
        ("Tab / shift+Tab", "move between question, answer, sources"),
        ("a letter", "outside the box: starts a new question"),
        ("↑ ↓ Enter / click", "choose a source: opens its article at the quote"),
        ("1 … 9", "open source [n] (when the question box is not focused); [n] in the answer is clickable"),
        ("Escape", "back to the question box"),
        ("ctrl+t", "filters: date range, outlet, marked articles"), ("ctrl+o", "article browser"),
        ("ctrl+r", "history: re-open an earlier answer"), ("ctrl+y", "copy answer + sources as Markdown (OSC 52)"),
        ("ctrl+s", "export answer + sources to a Markdown file"), ("ctrl+n", "ingest a file or folder (progress below)"),
        ("ctrl+b", "brief: a cited briefing on a topic, within the dates set"),
    ]),
    ("Briefing", [
        ("↑ ↓ Enter / click", "choose a citation: opens its article at the quote"),
        ("1 … 9", "open citation [n]; [n] in the briefing is clickable"), ("Tab", "between briefing and citations"),
        ("ctrl+s", "export the briefing to a Markdown file"), ("ctrl+y", "copy it as Markdown (OSC 52)"),
        ("Escape / q", "back"),
    ]),
    ("Article browser", [
        ("/", "search title, outlet, date, path"), ("s / click Date", "sort by date, newest or oldest first"),
        ("Enter", "open the article"), ("Space", "mark / unmark for the question filter"), ("c", "clear marks"),
        ("Escape", "back"),
    ]),
    ("Article view", [("g", "back to the quoted passage"), ("y", "copy the quote"), ("Escape / q", "back")]),
]


def help_text() -> Content:
    lines = ["[b]News assistant[/] — answers cite the exact sentence of an article; check each one.\n"]
    for group, keys in KEYS:
        lines.append(f"[b $accent]{group}[/]")
        lines += [f"  [b]{k:<18}[/] {v.replace('[', chr(92) + '[')}" for k, v in keys]
        lines.append("")
    lines.append("[dim]Escape or F1 closes this screen.[/]")
    return Content.from_markup("\n".join(lines))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="help-dialog"):
            yield Static(help_text(), id="help-text")
