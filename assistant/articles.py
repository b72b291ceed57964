"""Read files into Articles: plain text, Markdown, HTML, JSON and JSONL, with title, date, outlet and URL.

Pure apart from reading the files. A file that cannot be read becomes a `Skipped` entry with a reason a
user can act on; it never stops the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from assistant.errors import InputError
from assistant.text import strip_control
from assistant.types import Article, Skipped

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl"}
# Files that describe a folder rather than report news; skipped when a folder is walked.
NOT_ARTICLES = {"readme", "license", "licence", "attribution", "changelog", "manifest", "copying", "notice"}
MAX_BYTES = 20 * 1024 * 1024

MONTHS = {
    m: i
    for i, m in enumerate(
        "january february march april may june july august september october november december".split(), 1
    )
}
MONTH_RE = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
ISO_RE = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})(?!\d)")
MDY_RE = re.compile(MONTH_RE + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})\b")
DMY_RE = re.compile(r"\b(\d{1,2})\s+" + MONTH_RE + r",?\s+((?:19|20)\d{2})\b")
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
HEADER_DATE_RE = re.compile(r"^\s*date:?\s+(\S+)(?:\s+by\s+(.+?))?\s*$", re.I)
HEADER_SOURCE_RE = re.compile(r"^\s*(?:source|url):?\s+(https?://\S+)\s*$", re.I)
HEADER_BY_RE = re.compile(r"^\s*by\s+([A-Z][\w&.\- ]{1,40})\s*$")
DATELINE_RE = re.compile(r"^([A-Z][A-Z .'\-]{1,30}(?:,\s*[A-Z][\w .'\-]{1,30})?),\s+" + MONTH_RE + r"\s+(\d{1,2})\b")
WIRE_RE = re.compile(r"\((AP|AFP|Reuters|UPI|dpa|Xinhua|TASS|Trend|Interfax)\)")
TOLD_RE = re.compile(r"\b(?:told|according to|reported by)\s+([A-Z][a-zA-Z]{2,30})\b(?!\s+[A-Z])")
REPORTS_RE = re.compile(r"\b([A-Z][a-zA-Z]{2,30})\s+reports\b")


def content_id(text: str, title: str = "") -> str:
    """Stable article id from its content: the same text gives the same id wherever it is read."""
    return hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:16]


def iso(year: int, month: int, day: int) -> str | None:
    if 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return None


def parse_date(value: str, text: str = "") -> str | None:
    """An ISO date from a value such as `2022-12-11`, `December 13, 2022` or `13 December 2022`."""
    if m := ISO_RE.search(value):
        return iso(int(m[1]), int(m[2]), int(m[3]))
    if m := MDY_RE.search(value):
        return iso(int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    if m := DMY_RE.search(value):
        return iso(int(m[3]), MONTHS[m[2].lower()], int(m[1]))
    return None


def likely_year(text: str) -> int | None:
    """The year an undated article was written in: the latest year it mentions (not a future plan)."""
    years = [int(y) for y in YEAR_RE.findall(text)]
    return max(years) if years else None


def first_sentence_title(body: str, limit: int = 100) -> str:
    sentence = re.split(r"(?<=[.!?])\s", body.strip(), maxsplit=1)[0].strip()
    if len(sentence) <= limit:
        return sentence.rstrip(".")
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def infer_outlet(body: str) -> str | None:
    lead = body[:1500]
    for pattern in (WIRE_RE, REPORTS_RE, TOLD_RE):
        if m := pattern.search(lead):
            name = m[1]
            if name.lower() not in {"the", "according", "him", "her", "them", "reuters's"}:
                return name
    return None


def outlet_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = re.sub(r"^https?://", "", url).split("/")[0].lower()
    parts = [p for p in host.split(".") if p not in {"www", "en", "com", "org", "net", "co", "uk", "news"}]
    return parts[0].capitalize() if parts else None


@dataclass
class Draft:
    """What a reader found in a file before the article is finished."""

    body: str
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    url: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def finish(draft: Draft, source_path: str) -> Article:
    """Fill what the header did not give from the body, and give the article its content id."""
    body = draft.body.strip()
    if not body:
        raise InputError(f"{source_path}: no article text", "the file is empty or has only a header")
    dateline = None
    date = parse_date(draft.date) if draft.date else None
    lead = body.lstrip()
    if m := DATELINE_RE.match(lead):
        dateline = m[1].strip()
        if not date and (year := likely_year(body)):
            date = iso(year, MONTHS[m[2].lower()], int(m[3]))
    if not date:
        date = parse_date(lead[:300])
    outlet = draft.outlet or outlet_from_url(draft.url) or infer_outlet(body)
    after_dateline = lead[lead.find(".", len(dateline)) + 1:] if dateline else lead
    title = (draft.title or "").strip() or first_sentence_title(after_dateline)
    return Article(
        id=content_id(body, title),
        source_path=source_path,
        title=title,
        date=date,
        outlet=outlet,
        url=draft.url,
        dateline=dateline,
        text=body,
    )


def parse_plain(text: str) -> Draft:
    """Plain text: an optional header of title / `date ...` / `source URL` / `By Outlet` lines, then the body."""
    lines = text.split("\n")
    draft = Draft(body=text)
    header_end = 0
    for i, line in enumerate(lines[:6]):
        if not line.strip():
            if draft.date or draft.url:
                header_end = i + 1
                break
            continue
        if m := HEADER_DATE_RE.match(line):
            draft.date = m[1]
            if m[2]:
                draft.outlet = m[2].strip()
            header_end = i + 1
        elif m := HEADER_SOURCE_RE.match(line):
            draft.url = m[1]
            header_end = i + 1
        elif (m := HEADER_BY_RE.match(line)) and i < 3:
            draft.outlet = m[1].strip()
            header_end = i + 1
        elif i == 0 and len(line) < 200 and not line.rstrip().endswith((".", '"', "”")):
            draft.title = line.strip()
            header_end = 1
        else:
            break
    if draft.title and not (draft.date or draft.url or draft.outlet):
        # A short first line with no header after it is the first line of the body, not a title.
        if len(lines) < 3 or lines[1].strip():
            draft.title = None
            header_end = 0
    draft.body = "\n".join(lines[header_end:])
    return draft


FRONT_MATTER_RE = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def parse_markdown(text: str) -> Draft:
    meta: dict[str, str] = {}
    if m := FRONT_MATTER_RE.match(text):
        for line in m[1].splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("'\"")
        text = text[m.end():]
    draft = parse_plain(text)
    if m := re.match(r"\s*#\s+(.+)\n", draft.body):
        draft.title = draft.title or m[1].strip()
        draft.body = draft.body[m.end():]
    draft.title = meta.get("title") or draft.title
    draft.date = meta.get("date") or draft.date
    draft.url = meta.get("source") or meta.get("url") or draft.url
    draft.outlet = meta.get("outlet") or meta.get("publisher") or meta.get("author") or draft.outlet
    return draft


class _HTMLText(HTMLParser):
    """Collects an HTML page's title, meta tags and the text of its block elements."""

    BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "article", "section", "tr", "blockquote"}
    SKIP = {"script", "style", "nav", "header", "footer", "aside", "noscript", "template", "svg", "form"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self.h1 = ""
        self._skip = 0
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta[key] = a["content"]
            return
        if tag == "time" and a.get("datetime"):
            self.meta.setdefault("time", a["datetime"])
        if tag in self.SKIP:
            self._skip += 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if tag in ("title", "h1"):
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        if tag in self.BLOCKS:
            self.parts.append("\n\n")
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if self._in and self._in[-1] == "title":
            self.title += data
            return
        if self._skip:
            return
        if self._in and self._in[-1] == "h1":
            self.h1 += data
            return
        self.parts.append(data)


def parse_html(text: str) -> Draft:
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    raw = "".join(parser.parts)
    paragraphs = [re.sub(r"[ \t\r\f\v\n]+", " ", p).strip() for p in re.split(r"\n\s*\n", raw)]
    body = "\n\n".join(p for p in paragraphs if p)
    meta = parser.meta
    return Draft(
        body=body,
        title=(meta.get("og:title") or parser.h1 or parser.title).strip() or None,
        date=meta.get("article:published_time") or meta.get("date") or meta.get("datepublished") or meta.get("time"),
        outlet=meta.get("og:site_name") or meta.get("publisher") or meta.get("author"),
        url=meta.get("og:url"),
    )


def draft_from_record(record: object) -> Draft:
    if not isinstance(record, dict):
        raise InputError("expected a JSON object", "one article per object: title, date, source/url, body/text")
    get = lambda *keys: next((str(record[k]) for k in keys  # noqa: E731
                              if record.get(k) not in (None, "") and not isinstance(record[k], (dict, list))), None)
    body = get("body", "text", "content", "article", "maintext")  # maintext: news-please
    if body is None:
        raise InputError("no body/text field", "give each article a `body` or `text` field")
    # a news API's record names its outlet in an object: {"source": {"id": ..., "name": "Daily Planet"}}
    source: dict[str, object] = next((record[k] for k in ("source", "publisher") if isinstance(record.get(k), dict)), {})
    return Draft(
        body=body,
        title=get("title", "headline"),
        date=get("date", "published", "published_at", "publishedAt", "datePublished", "date_published", "pubDate",
                 "date_publish", "publish_date"),  # news-please, newspaper3k
        outlet=get("outlet", "publisher", "source_name", "source_domain")
        or (str(source["name"]) if source.get("name") else None),
        url=get("url", "source", "link"),
    )


def decode(data: bytes, path: str) -> str:
    """Bytes to text: UTF-8 (BOM or not) and UTF-16 with a BOM; anything else is an InputError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise InputError(f"{path}: binary file (NUL bytes)", "only text, Markdown, HTML and JSON articles are read")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path}: not UTF-8 text (bad byte at offset {exc.start})",
            "convert it, e.g. `iconv -f WINDOWS-1252 -t UTF-8`",
        ) from None


def load_file(path: Path, shown: str) -> tuple[list[Article], list[Skipped]]:
    """Read one file into its articles; records that fail become Skipped entries."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"{shown}: {size / 2**20:.0f} MB is over the {MAX_BYTES // 2**20} MB limit", "split it")
        if size == 0:
            return [], [Skipped(path=shown, reason="empty file")]
        text = decode(path.read_bytes(), shown)
    except OSError as exc:
        return [], [Skipped(path=shown, reason=f"cannot read: {exc.strerror or exc}")]
    except InputError as exc:
        return [], [Skipped(path=shown, reason=str(exc).removeprefix(f"{shown}: "))]
    # escape sequences and invisible controls never enter the store: every later display, JSON output and
    # prompt gets clean text, and offsets into the stored text stay exact
    text = strip_control(text.replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        return [], [Skipped(path=shown, reason="empty file")]
    suffix = path.suffix.lower()
    if suffix in (".json", ".jsonl"):
        return load_records(text, shown, jsonl=suffix == ".jsonl")
    try:
        if suffix in (".html", ".htm"):
            draft = parse_html(text)
        elif suffix in (".md", ".markdown"):
            draft = parse_markdown(text)
        else:
            draft = parse_plain(text)
        return [finish(draft, shown)], []
    except InputError as exc:
        return [], [Skipped(path=shown, reason=str(exc).removeprefix(f"{shown}: "))]


def load_records(text: str, shown: str, jsonl: bool) -> tuple[list[Article], list[Skipped]]:
    articles: list[Article] = []
    skipped: list[Skipped] = []
    if jsonl:
        rows: list[tuple[int, str]] = [(i, line) for i, line in enumerate(text.split("\n"), 1) if line.strip()]
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return [], [Skipped(path=shown, reason=f"broken JSON at line {exc.lineno}: {exc.msg}")]
        records = data if isinstance(data, list) else [data]
        rows = [(i, json.dumps(r)) for i, r in enumerate(records, 1)]
    many = len(rows) > 1
    for number, line in rows:
        where = f"{shown}#{number}" if many else shown
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            skipped.append(Skipped(path=f"{shown}:{number}", reason=f"broken JSON line: {exc.msg}"))
            continue
        try:
            articles.append(finish(draft_from_record(record), where))
        except InputError as exc:
            skipped.append(Skipped(path=where, reason=exc.message.removeprefix(f"{where}: ")))
    if skipped and not articles and len(skipped) > 3:
        reasons = Counter(s.reason for s in skipped)
        reason, count = reasons.most_common(1)[0]
        return [], [Skipped(path=shown, reason=f"{count} of {len(rows)} records: {reason}")]
    return articles, skipped


def walk(paths: list[str]) -> Iterator[tuple[Path, str] | Skipped]:
    """Yield (file, path as the user wrote it) for every readable candidate, or a Skipped for what is not."""
    for given in paths:
        path = Path(given)
        if path.is_file():
            yield path, given
        elif path.is_dir():
            for root, dirs, files in os.walk(path, onerror=None):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.startswith("."):
                        continue
                    file = Path(root) / name
                    shown = str(Path(given) / file.relative_to(path))
                    if file.suffix.lower() not in SUFFIXES:
                        yield Skipped(path=shown, reason=f"unsupported file type {file.suffix or '(none)'}")
                    elif file.stem.lower() in NOT_ARTICLES:
                        yield Skipped(path=shown, reason="looks like a folder description, not an article")
                    else:
                        yield file, shown
        elif path.exists():
            yield Skipped(path=given, reason="not a regular file or folder")
        else:
            yield Skipped(path=given, reason="no such file or folder")


def load_articles(paths: list[str]) -> tuple[list[Article], list[Skipped]]:
    """Every article under the given paths, and what was skipped with the reason."""
    articles: list[Article] = []
    skipped: list[Skipped] = []
    for item in walk(paths):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        found, missed = load_file(*item)
        articles.extend(found)
        skipped.extend(missed)
    return articles, skipped
