"""Pure formatting for the TUI: answer and briefing text with clickable [n] markers, sources, article rows.

Markdown for the clipboard and export comes from `assistant.render`, like the CLI's and batch's. Everything
shown passes through `strip_control` (`clean`): article and model text may hold terminal escapes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from textual.content import Content
from textual.markup import escape

from assistant.prompts import REFUSAL
from assistant.render import KIND_TITLES, SECTIONS, citation_meta, clean, date_range
from assistant.types import Briefing, Citation

MARKER = re.compile(r"\[(\d+)\]")


def answer_content(text: str, known: set[int] | None = None) -> Content:
    """The answer with each [n] marker styled; markers of known citations are clickable (screen.cite)."""
    parts: list[str] = []
    pos = 0
    text = clean(text)
    for m in MARKER.finditer(text):
        parts.append(escape(text[pos:m.start()]))
        n = int(m.group(1))
        label = escape(m.group(0))
        if known is None or n in known:
            parts.append(f"[@click=screen.cite({n})][b $accent]{label}[/][/]")
        else:
            parts.append(f"[dim]{label}[/]")
        pos = m.end()
    parts.append(escape(text[pos:]))
    return Content.from_markup("".join(parts))


def source_content(c: Citation) -> Content:
    """One entry of the sources panel: number and title, outlet and date, the exact quote."""
    meta = citation_meta(c)
    return Content.from_markup(
        f"[b $accent]\\[{c.n}][/] [b]{escape(clean(c.title))}[/]\n"
        + (f"[dim]{escape(meta)}[/]\n" if meta else "")
        + f"[italic]“{escape(clean(c.quote))}”[/]"
    )


def briefing_content(b: Briefing) -> Content:
    """A briefing as styled text: title, coverage, then each section's items with clickable [n] markers."""
    known = {c.n for c in b.citations}
    who = b.provider + (f": {b.model}" if b.model and b.model != b.provider else "")
    parts = [
        Content.from_markup(f"[b]{escape(clean(b.title))}[/]\n"),
        Content.from_markup(
            f"[dim]Covers {escape(date_range(b))} · {len(b.sources)} source(s) · {len(b.citations)} citation(s) · "
            f"written by {escape(who)}[/]\n"
        ),
    ]
    for key, title in SECTIONS:
        items = getattr(b, key)
        parts.append(Content.from_markup(f"\n[b $accent]{escape(title)}[/]\n"))
        if not items:
            parts.append(Content.from_markup(f"[dim]  • {escape(REFUSAL if key == 'summary' else 'Nothing found in the sources.')}[/]\n"))
            continue
        if key == "entities":
            for kind, kind_title in KIND_TITLES.items():
                names = [e for e in items if e.kind == kind]
                if names:
                    parts.append(Content.from_markup(f"  [i]{escape(kind_title)}[/]\n"))
                    parts += [Content("    • ") + answer_content(e.text, known) + Content("\n") for e in names]
            continue
        for item in items:
            when = Content.from_markup(f"[b]{escape(clean(item.when))}[/] — ") if key == "timeline" else Content("")
            parts.append(Content("  • ") + when + answer_content(item.text, known) + Content("\n"))
    if b.removed:
        parts.append(Content.from_markup(f"\n[dim]{len(b.removed)} unsupported line(s) removed.[/]\n"))
    return Content("").join(parts).rstrip()


@dataclass(frozen=True)
class ArticleRow:
    """What the article browser shows of one article, read from its store record."""

    id: str
    title: str
    date: str
    outlet: str
    chunks: int
    source_path: str

    def matches(self, query: str) -> bool:
        q = query.lower().strip()
        return not q or any(q in x.lower() for x in (self.title, self.outlet, self.date, self.source_path))


def rows_of(records: dict[str, dict[str, Any]]) -> list[ArticleRow]:
    """Article records (id -> metadata) as rows, newest first; undated articles last."""
    rows = [
        ArticleRow(
            id=i, title=clean(m.get("title")) or "(untitled)", date=m.get("date") or "", outlet=clean(m.get("outlet")),
            chunks=int(m.get("chunks") or 0), source_path=clean(m.get("source_path")),
        )
        for i, m in records.items()
    ]
    return sort_rows(rows, newest_first=True)


def sort_rows(rows: list[ArticleRow], newest_first: bool) -> list[ArticleRow]:
    dated = sorted((r for r in rows if r.date), key=lambda r: (r.date, r.title), reverse=newest_first)
    return dated + sorted((r for r in rows if not r.date), key=lambda r: r.title)


def line_of_offset(text: str, offset: int, width: int) -> int:
    """The wrapped line (at `width` cells) on which character `offset` of `text` is shown.

    Wrapping drops the space at each fold, so lines are located by searching for them in order.
    """
    pos = 0
    found = 0
    for i, line in enumerate(Content(text).wrap(max(width, 8))):
        if not line.plain:
            continue
        at = text.find(line.plain, pos)
        if at < 0:
            continue
        if at > offset:
            break
        found, pos = i, at + len(line.plain)
    return found
