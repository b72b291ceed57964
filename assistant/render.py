"""Answers and briefings as text for people: the one renderer of the CLI, batch and the TUI's export.

- An answer: plain text for the terminal (`ask`), Markdown for a report or the clipboard (batch's `.md`
  output, the TUI's copy and export). JSON is the Answer's own serialisation.
- A briefing: Markdown (the default), JSON (its serialisation, for scripts) or a standalone HTML page.
  Markers `[n]` in item text point to the numbered quotes listed under each source, so a reader finds the
  sentence behind any line in one glance.

Everything taken from articles or a model passes through `strip_control`: it may hold terminal escapes.
"""

from __future__ import annotations

import html
import math
import re

from assistant.citations import strip_control
from assistant.dates import show_date
from assistant.prompts import REFUSAL
from assistant.types import Answer, Briefing, Citation

# ---- answers ----------------------------------------------------------------------------------------


def clean(text: str | None) -> str:
    return strip_control(text or "")


def citation_meta(c: Citation, sep: str = " · ") -> str:
    """Outlet and date of a cited article, those it has."""
    return sep.join(clean(x) for x in (c.outlet, c.date) if x)


def answered_by(answer: Answer) -> str:
    who = answer.provider + (f": {answer.model}" if answer.model and answer.model != answer.provider else "")
    return f"{who}, quoting the articles because {answer.quoted}" if answer.quoted else who


def score_shown(score: float) -> str:
    """An answerability to two places, rounded down: a refusal at 0.598 reads 0.59, never the threshold 0.60
    that would have answered it."""
    return f"{math.floor(round(score * 100, 6)) / 100:.2f}"


def closest_sentence(answer: Answer) -> str | None:
    """The sentence that came closest to answering a refused question, when the refusal cites none (one that
    cites the article saying the answer is not known shows it already)."""
    a = answer.answerability
    return clean(a.evidence[0]) if answer.refused and a and a.evidence and not answer.citations else None


def unanswered_note(answer: Answer) -> str | None:
    """For an answer to part of a question that joins several: the parts the articles do not answer."""
    a = answer.answerability
    if answer.refused or not a or not a.unanswered:
        return None
    return "The articles do not say: " + " ".join(clean(q) for q in a.unanswered)


def answer_text(answer: Answer) -> str:
    """What `assistant ask` prints: the answer, then each source with its file, span and exact quote."""
    lines = [clean(answer.answer)]
    if answer.citations:
        lines += ["", "Sources"]
        for c in answer.citations:
            meta = citation_meta(c, ", ")
            lines += [f"[{c.n}] {clean(c.title)}" + (f" — {meta}" if meta else ""),
                      f"    {c.source_path}  (chars {c.start}-{c.end})", f'    "{clean(c.quote)}"']
    return "\n".join(lines) + "\n"


def answer_markdown(answer: Answer, label: str | None = None, error: str | None = None,
                    latency_ms: int | None = None) -> str:
    """An answer with its sources as Markdown: the TUI's copy and export, and each record of batch's `.md`
    report (which adds the question's id as `label`, the `error` that replaced its answer, and its time)."""
    lines = [f"## {clean(answer.question) or label}", ""]  # a batch line that held no question: its label
    if label is not None:
        lines += [f"`{label}`", ""]
    lines += [f"**Error:** {clean(error)}" if error else clean(answer.answer), ""]
    if (part := unanswered_note(answer)) and not error:
        lines += [f"_{part}_", ""]
    if answer.citations and not error:
        lines += ["### Sources", ""]
        for c in answer.citations:
            meta = citation_meta(c)
            lines.append(f"{c.n}. **{clean(c.title)}**" + (f" — {meta}" if meta else "")
                         + f"  \n   `{c.source_path}` (chars {c.start}–{c.end})")
            lines += [f"   > {clean(c.quote)}", ""]
    took = "" if latency_ms is None else f" after {latency_ms} ms" if error else f" in {latency_ms} ms"
    lines.append(f"_{'Failed with' if error else 'Answered by'} {answered_by(answer)}{took}._")
    return "\n".join(lines).rstrip() + "\n"


# ---- briefings --------------------------------------------------------------------------------------

SECTIONS = [("summary", "Summary"), ("key_facts", "Key facts"), ("timeline", "Timeline"),
            ("entities", "Who is involved"), ("differences", "Where the sources differ or add to each other")]
KIND_TITLES = {"person": "People", "organisation": "Organisations and groups", "place": "Places", "other": "Also named"}


def date_range(b: Briefing) -> str:
    if b.since and b.until and b.since != b.until:
        return f"{show_date(b.since)} – {show_date(b.until)}"
    one = b.since or b.until
    return show_date(one) if one else "undated"


def briefing_markdown(b: Briefing) -> str:
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
    """The quote's first and last words, cut between words, for a quote a line above already shows."""
    if len(quote) <= head + tail + 10:
        return quote
    first = quote[:head + 1].rsplit(maxsplit=1)[0] if not quote[head].isspace() else quote[:head]
    last = quote[-tail - 1:].split(maxsplit=1)[-1] if not quote[-tail - 1].isspace() else quote[-tail:]
    return first.rstrip() + " … " + last.lstrip()


def briefing_json(b: Briefing) -> str:
    return b.model_dump_json(indent=2)


def _html_text(text: str) -> str:
    """Escaped text whose [n] markers link to the quote they name."""
    return re.sub(r"\[(\d+)\]", r'<a href="#c\1">[\1]</a>', html.escape(strip_control(text)))


def briefing_html(b: Briefing) -> str:
    def e(text: str | None) -> str:
        return html.escape(clean(text))

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
        quotes = "".join(f'<li id="c{c.n}">[{c.n}] “{e(c.quote)}” (chars {c.start}–{c.end})</li>'
                         for c in b.citations if c.article_id == s.article_id)
        body.append(f"<li><strong>{e(s.title)}</strong> — {e(meta)} — <code>{e(s.path)}</code>{link}<ul>{quotes}</ul></li>")
    body.append("</ol>")
    return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{e(b.title)}</title></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def render_briefing(b: Briefing, fmt: str = "md") -> str:
    """The briefing as `md`, `json` or `html`."""
    return {"md": briefing_markdown, "json": briefing_json, "html": briefing_html}[fmt](b)
