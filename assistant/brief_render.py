"""A Briefing as Markdown (the default), JSON (its serialisation, for scripts) or a standalone HTML page.

Markers `[n]` in item text point to the numbered quotes listed under each source, so a reader finds the
sentence behind any line in one glance.
"""

from __future__ import annotations

import html
import re

from assistant.citations import strip_control
from assistant.dates import show_date
from assistant.prompts import REFUSAL
from assistant.types import Briefing

SECTIONS = [("summary", "Summary"), ("key_facts", "Key facts"), ("timeline", "Timeline"),
            ("entities", "Who is involved"), ("differences", "Where the sources differ or add to each other")]
KIND_TITLES = {"person": "People", "organisation": "Organisations", "place": "Places", "other": "Also named"}


def date_range(b: Briefing) -> str:
    if b.since and b.until and b.since != b.until:
        return f"{show_date(b.since)} – {show_date(b.until)}"
    one = b.since or b.until
    return show_date(one) if one else "undated"


def to_markdown(b: Briefing) -> str:
    clean = strip_control
    out = [f"# {clean(b.title)}", "", f"*Covers {date_range(b)} · {len(b.sources)} source(s) · "
           f"written by {b.provider}{'' if b.provider == 'extractive' else ': ' + b.model}*", ""]
    for key, title in SECTIONS:
        items = getattr(b, key)
        out += [f"## {title}", ""]
        if not items:
            out += [f"- {REFUSAL if key == 'summary' else 'Nothing found in the sources.'}", ""]
            continue
        if key == "timeline":
            out += [f"- **{e.when}** — {clean(e.text)}" for e in b.timeline]
        elif key == "entities":
            for kind, kind_title in KIND_TITLES.items():
                names = [e for e in b.entities if e.kind == kind]
                if names:
                    out += [f"**{kind_title}**", ""] + [f"- {clean(e.text)}" for e in names] + [""]
            out.pop()
        else:
            out += [f"- {clean(i.text)}" for i in items]
        out.append("")
    out += ["## Sources", ""]
    shown = _quoted_in_full(b)
    for s in b.sources:
        meta = ", ".join(x for x in (s.outlet, s.date) if x)
        version = f" — another version of source {s.version_of}" if s.version_of else ""
        out.append(f"{s.n}. **{clean(s.title)}**" + (f" — {meta}" if meta else "") + version + f" — `{s.path}`"
                   + (f" <{s.url}>" if s.url else ""))
        for c in b.citations:
            if c.article_id == s.article_id:
                quote = _short(c.quote) if c.n in shown else c.quote
                out.append(f"   - [{c.n}] “{clean(quote)}” (chars {c.start}–{c.end})")
    return "\n".join(out).rstrip() + "\n"


def _quoted_in_full(b: Briefing) -> set[int]:
    """Citations whose whole quote a line above already shows: the source list need not print it again."""
    texts = [i.text for key, _ in SECTIONS if key != "entities" for i in getattr(b, key)]
    return {c.n for c in b.citations if any(c.quote in t and f"[{c.n}]" in t for t in texts)}


def _short(quote: str, head: int = 60, tail: int = 25) -> str:
    if len(quote) <= head + tail + 10:
        return quote
    return quote[:head].rstrip() + " … " + quote[-tail:].lstrip()


def to_json(b: Briefing) -> str:
    return b.model_dump_json(indent=2)


def _html_text(text: str) -> str:
    """Escaped text whose [n] markers link to the quote they name."""
    return re.sub(r"\[(\d+)\]", r'<a href="#c\1">[\1]</a>', html.escape(strip_control(text)))


def to_html(b: Briefing) -> str:
    e = html.escape
    body = [f"<h1>{e(b.title)}</h1>", f"<p><em>Covers {e(date_range(b))} · {len(b.sources)} source(s)</em></p>"]
    for key, title in SECTIONS:
        items = getattr(b, key)
        body.append(f"<h2>{e(title)}</h2><ul>")
        for i in items:
            when = f"<strong>{e(i.when)}</strong> — " if key == "timeline" else ""
            kind = f"<em>{e(i.kind)}</em>: " if key == "entities" else ""
            body.append(f"<li>{when}{kind}{_html_text(i.text)}</li>")
        if not items:
            body.append(f"<li>{e(REFUSAL if key == 'summary' else 'Nothing found in the sources.')}</li>")
        body.append("</ul>")
    body.append("<h2>Sources</h2><ol>")
    for s in b.sources:
        meta = ", ".join(x for x in (s.outlet, s.date) if x)
        link = f' <a href="{e(s.url)}">{e(s.url)}</a>' if s.url else ""
        meta += f" — another version of source {s.version_of}" if s.version_of else ""
        quotes = "".join(f'<li id="c{c.n}">[{c.n}] “{e(strip_control(c.quote))}” (chars {c.start}–{c.end})</li>'
                         for c in b.citations if c.article_id == s.article_id)
        body.append(f"<li><strong>{e(s.title)}</strong> — {e(meta)} — <code>{e(s.path)}</code>{link}<ul>{quotes}</ul></li>")
    body.append("</ol>")
    return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{e(b.title)}</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def render(b: Briefing, fmt: str = "md") -> str:
    return {"md": to_markdown, "json": to_json, "html": to_html}[fmt](b)
