"""Who and where: names of people, organisations and places found in article text, variants joined.

No NER model ships with the assistant, so this is rules: runs of capitalised words, a few patterns that
name a place by what it is ("the Kyzylbulag gold deposit"), and keywords that mark an organisation.
Different sources spell the same name differently (Kyzylbulag / Gizilbulagh, Demirli / Damirli); names
are joined on `text.skeleton`, a spelling-insensitive key, and every spelling seen is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from assistant.text import STOPWORDS, skeleton

ORG_WORDS = {
    "ministry", "committee", "service", "cjsc", "agency", "department", "council", "government", "university",
    "party", "police", "army", "forces", "contingent", "bank", "company", "corporation", "inc", "ltd", "news",
    "commission", "court", "office", "association", "union", "organization", "organisation", "foundation",
    "institute", "mfa", "ngo", "ngos", "nations", "parliament", "senate", "congress", "assembly", "league",
    "federation", "club", "school", "college", "hospital", "board", "authority", "group", "peacekeepers",
}
PLACE_NOUNS = r"deposit|mine|field|river|lake|mountain|mountains|region|district|village|city|province|valley|island|airport|border"
# "the 'Gizilbulagh' gold deposit", "the Demirli copper-molybdenum deposit": a name and what it is.
_PLACE_RE = re.compile(r"[‘'\"“]?([A-Z][\w-]{2,})[’'\"”]?\s+((?:[a-z][\w-]*\s+){0,2}?)(" + PLACE_NOUNS + r")s?\b")
# "the Russian peacekeeping contingent": a demonym and a group noun name an organisation.
_GROUP_RE = re.compile(r"\b([A-Z][a-z]+(?:an|ani|ish|ese|i))\s+(peacekeeping contingent|peacekeepers|government|forces|troops|army|police|military|authorities|officials)\b")
_WORD = r"[A-Z][\w'’.-]*[\w]"
# Runs stay on one line: a title line followed by a capitalised sentence is two names, not one.
_RUN_RE = re.compile(_WORD + r"(?:[ \t]+(?:of|and|for|with|de|la|al|von|van)(?:[ \t]+the)?[ \t]+" + _WORD + r"|[ \t]+" + _WORD + r")*")
_PLACE_BEFORE = re.compile(r"\b(in|near|at|from|to|across|outside|inside|into|of the territory of|capital of)\s+(the\s+)?$")
_PERSON_AFTER = re.compile(r"^\s*,?\s*(said|says|told|noted|added|stated|explained|wrote|asked|claimed|announced)\b")
# Words that open sentences or are capitalised for other reasons, never names on their own.
_NOT_NAMES = {
    "according", "however", "previously", "since", "until", "joining", "against", "representatives", "it",
    "in", "this", "that", "there", "the", "a", "an", "on", "at", "as", "but", "he", "she", "they", "we", "i",
    "his", "her", "their", "our", "after", "before", "while", "despite", "meanwhile", "also", "today",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mr", "mrs", "ms", "dr",
    "later", "earlier", "then", "now", "yesterday", "last", "next", "first", "finally", "still", "instead",
}
_MONTH_WORDS = {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december"}


@dataclass
class Mention:
    name: str  # as written
    kind: str  # person | organisation | place | other
    start: int
    end: int
    key: str | None = None  # a join key when the words differ but the name is the same


@dataclass
class Entity:
    """One real-world name, with every spelling seen and where each mention is."""

    key: str
    name: str
    kind: str
    spellings: list[str] = field(default_factory=list)
    mentions: list[tuple[str, int, int]] = field(default_factory=list)  # (article id, start, end)


def _is_demonym(word: str) -> bool:
    return bool(re.fullmatch(r"[A-Z][a-z]+(?:ans?|anis?|ish|ese|is)", word))


def _kind(name: str, before: str, after: str) -> str:
    words = name.split()
    lowered = {w.lower().strip(".’'") for w in words}
    if lowered & ORG_WORDS or (name.isupper() and 2 <= len(name) <= 6):
        return "organisation"
    if _PLACE_BEFORE.search(before[-40:]) or name.startswith("Republic of"):
        return "place"
    if 2 <= len(words) <= 3 and all(w[0].isupper() and w[1:].islower() for w in words) and _PERSON_AFTER.match(after):
        return "person"
    if len(words) == 1 and _PERSON_AFTER.match(after):
        return "person"
    return "other"


def mentions(text: str) -> list[Mention]:
    """Names in text with a guess at what they are; a name at the start of a sentence must look like one."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(name: str, kind: str, start: int, end: int, key: str | None = None) -> None:
        if any(a < end and start < b for a, b in taken):
            return
        taken.append((start, end))
        found.append(Mention(name, kind, start, end, key))

    for m in _PLACE_RE.finditer(text):
        if m[1].lower() not in _NOT_NAMES and m[1].lower() not in _MONTH_WORDS:
            add(f"{m[1]} {m[2]}{m[3]}".replace("  ", " "), "place", m.start(1), m.end(3))
    for m in _GROUP_RE.finditer(text):
        # "peacekeepers" and "peacekeeping contingent" are one group: join on the noun's first letters.
        add(f"{m[1]} {m[2]}", "organisation", m.start(), m.end(), name_key(m[1]) + " " + skeleton(m[2][:6]))
    for run in _RUN_RE.finditer(text):
        for part in _split_acronyms(run):
            _add_run(text, part, add)
    return sorted(found, key=lambda x: x.start)


def _split_acronyms(run: re.Match[str]) -> list[tuple[int, str]]:
    """A run with an acronym before more names ("MFA Aykhan Hajizade") is two names."""
    parts: list[tuple[int, str]] = []
    pos = run.start()
    text = run.group()
    for m in re.finditer(r"\b[A-Z]{2,6}\b(?=[ \t]+[A-Z][a-z])", text):
        if m.start() > 0:
            parts.append((pos, text[:m.start()].rstrip()))
        parts.append((pos + m.start(), m.group()))
        cut = m.end() + len(text[m.end():]) - len(text[m.end():].lstrip())
        pos, text = pos + cut, text[cut:]
    if text:
        parts.append((pos, text))
    return parts


def _add_run(text: str, run: tuple[int, str], add: Callable[[str, str, int, int], None]) -> None:
    start, phrase = run
    words = phrase.split()
    # Drop sentence-opening and other non-name words from the front of the run.
    while words and (words[0].lower().strip(".") in _NOT_NAMES | STOPWORDS | _MONTH_WORDS or words[0] in ("Previously",)):
        start = text.index(words[0], start) + len(words[0])
        start += len(text[start:]) - len(text[start:].lstrip())
        words = words[1:]
    while words and words[-1].lower() in STOPWORDS | {"of", "and"}:
        words = words[:-1]
    if words and re.search(r"['’]s$", words[-1]):
        words[-1] = words[-1][:-2]
    if not words:
        return
    name = " ".join(words)
    end = start + len(name)
    if all(_is_demonym(w) or w in ("and", "of") for w in words) or len(name) < 3:
        return
    if any(w.lower() in _MONTH_WORDS for w in words):
        return
    kind = _kind(name, text[max(0, start - 40):start], text[end:end + 20])
    if start < 3 and name.isupper() and text[end:end + 1] == ",":
        kind = "place"  # a dateline: "BAKU, Azerbaijan, December 13."
    add(name, kind, start, end)


def name_key(name: str) -> str:
    """Spelling-insensitive key of a name: the skeleton of each word of the name."""
    return " ".join(skeleton(w) for w in re.findall(r"[\w’'-]+", name) if skeleton(w))


_KIND_RANK = {"person": 0, "organisation": 1, "place": 2, "other": 3}


def join_entities(found: list[tuple[str, Mention]]) -> list[Entity]:
    """(article id, mention) pairs grouped into entities. A single name that is the last word of a
    longer person's name joins that person ("Hajizade" -> "Aykhan Hajizade")."""
    entities: dict[str, Entity] = {}
    for article_id, m in found:
        key = m.key or name_key(m.name)
        if not key:
            continue
        e = entities.setdefault(key, Entity(key=key, name=m.name, kind=m.kind))
        if m.name not in e.spellings:
            e.spellings.append(m.name)
        e.mentions.append((article_id, m.start, m.end))
        if _KIND_RANK[m.kind] < _KIND_RANK[e.kind]:
            e.kind = m.kind
    people = [e for e in entities.values() if e.kind == "person" and " " in e.key]
    places = [e for e in entities.values() if e.kind == "place" and " " in e.key]
    for key in list(entities):
        e = entities[key]
        if " " in key:
            continue
        host = next((p for p in people if p.key.split()[-1] == key), None)
        host = host or next((p for p in places if p.key.split()[0] == key), None)
        if host is not None:
            host.mentions += e.mentions
            host.spellings += [s for s in e.spellings if s not in host.spellings]
            del entities[key]
    for e in entities.values():
        # Show the longest spelling (the fullest name); the others stay listed as variants.
        e.name = max(e.spellings, key=len)
    return list(entities.values())


def variant_spellings(entity: Entity) -> list[str]:
    """The distinct spellings of an entity's distinguishing (first) word, e.g. [Kyzylbulag, Gizilbulagh]; []
    when every source spells it the same way."""
    head = skeleton(entity.name.split()[0])
    heads: list[str] = []
    for s in entity.spellings:
        word = s.split()[0]
        if skeleton(word) == head and word not in heads:
            heads.append(word)
    return heads if len({h.lower() for h in heads}) > 1 else []
