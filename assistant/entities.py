"""Who and where: the people, organisations and places a set of articles names, each mention joined to one
entity.

The names and their kinds come from the language pipeline's NER (`language.parse`): PERSON is a person,
ORG and NORP an organisation, GPE, LOC and FAC a place; EVENT, PRODUCT, WORK_OF_ART and LAW (a storm, a ship, a
book, a bill) are names of no kind listed, and their mentions vote for none. Proper-noun runs the model left unlabelled only
add spellings and mentions to a name it did label. What is decided here is which mentions are one entity
and how sure its kind is:

- a title the model kept in a name is dropped: an abbreviation before a name ("Gov.", "Dr."), or a word
  these articles put before two different people's names ("President Trump", "President Rouhani");
- a surname or a shorter form joins the full name that holds it, the one named last before it in the same
  article, else the most mentioned ("Pierluisi" -> "Pedro Pierluisi"); an acronym joins the name it spells
  ("NHC" -> "National Hurricane Center"); a one-word organisation joins the longer one it ends ("Senate"
  -> "Puerto Rico Senate"), and any one-word name joins the longer name of no listed kind that it ends
  ("Dorian" -> "Hurricane Dorian"), without its vote;
- spellings of one name join on `text.skeleton` (Kyzylbulag / Gizilbulagh, Demirli / Damirli);
- the kind is the majority of the mentions' labels. A name that only modifies a noun ("the Trump
  administration") or is quoted ("the 'Damirli' deposit") votes half; a name with half votes only is of no
  sure kind ("other"), and so are a name only ever seen as one word opening a sentence ("Attendance was
  high") and a "person" never tagged so with more than one word (the small model tags storms and islands
  as people: "Humberto", "Bermuda").

A name in a sentence with no verb (by the parse) is no mention: a photo's caption or credit ("Image: Jane
Doe.") reports nothing anyone did.

Formats, not language, are ruled out by hand: names with brackets or other non-name characters, a number
ending a person's name, and a capitalised abbreviation right after a clock time (a time zone: "10:30 BST").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.language import NAMED
from assistant.text import fold, initials, skeleton

KINDS = {"PERSON": "person", "ORG": "organisation", "NORP": "organisation", "GPE": "place", "LOC": "place",
         "FAC": "place"}
KIND_ORDER = {"person": 0, "organisation": 1, "place": 2, "other": 3}
WEAK = 0.5  # the vote of a name that only modifies a common noun
_NAME_TOKEN = re.compile(r"^[^\W\d_][\w'’.&-]*$|^\d[\w-]*$|^[-'’.&]$")
_ABBREVIATION = re.compile(r"^[A-Z][a-z]{0,4}\.$")  # "Gov.", "Dr.", "Lt.", "Sen."
_CLOCK = re.compile(r"^\d{1,2}[:.]\d{2}$|^\d{3,4}$|^[ap]\.?m\.?$", re.I)


@dataclass
class Mention:
    name: str  # as written, title and determiner removed
    kind: str | None  # person | organisation | place; None for a proper-noun run the model did not label
    article_id: str
    start: int  # offsets in the article text
    end: int
    weight: float = 1.0
    title: str = ""  # a leading word kept for now, dropped if it proves to be a title
    opening: bool = False  # one word opening its sentence, where a capital letter says nothing

    @property
    def words(self) -> list[str]:
        return self.name.split()


@dataclass
class Entity:
    """One real-world name, with every spelling seen, where each mention is and what kind its mentions say."""

    key: str
    name: str
    kind: str
    spellings: list[str] = field(default_factory=list)
    mentions: list[tuple[str, int, int]] = field(default_factory=list)  # (article id, start, end)
    votes: dict[str, float] = field(default_factory=dict)  # kind -> weight of the mentions saying so
    spelled: dict[tuple[str, str], float] = field(default_factory=dict)  # (spelling, kind) -> weight

    @property
    def sources(self) -> set[str]:
        return {a for a, _, _ in self.mentions}


SURE_SKELETON = 4  # consonants a word's skeleton needs to join its other spellings: "Demirli" / "Damirli"


def name_key(name: str) -> str:
    """Spelling-insensitive key of a name: the skeleton of each word of the name, marked when the word opens
    with a vowel ("Eastern" is no spelling of "Southern"; "Ismail" may be one of "Esmail"). An acronym, or a
    word whose skeleton is too short to tell names apart ("US" and "ISIS", "Iraq" and "IRGC", "Bost" and "Post"),
    is kept as it is."""
    keys = []
    for w in re.findall(r"[\w’'-]+", name):
        k = skeleton(w)
        vowel = "_" if fold(w)[:1] in "aeiou" else ""
        keys.append(vowel + k if len(k) >= SURE_SKELETON and not (w.isupper() and len(w) > 1) else fold(w))
    return " ".join(k for k in keys if k)


def _clean_span(tokens: list[Any]) -> list[Any]:
    """The name's own tokens: no leading determiner or lower-case word, no trailing possessive or
    lower-case word ("the Ministry of Foreign Affairs of" -> "Ministry of Foreign Affairs")."""
    while tokens and (tokens[0].pos_ == "DET" or tokens[0].is_punct or not (
            tokens[0].text[:1].isupper() or tokens[0].text[:1].isdigit() or not tokens[0].whitespace_)):
        tokens = tokens[1:]  # "al-Amr" keeps its "al"
    while tokens and (tokens[-1].tag_ == "POS" or tokens[-1].is_punct or not (
            tokens[-1].text[:1].isupper() or tokens[-1].text[:1].isdigit())):
        tokens = tokens[:-1]
    return tokens


def _is_name(tokens: list[Any]) -> bool:
    if not tokens or not any(t.is_alpha and len(t.text) >= 2 for t in tokens):
        return False
    if not all(_NAME_TOKEN.match(t.text) for t in tokens):
        return False  # "es))Spanish", "S]e": broken text, not a name
    if all(t.pos_ == "ADJ" for t in tokens):
        return False  # "Azerbaijani", "Iranian": an adjective of nationality, not a group
    first = tokens[0]
    if len(tokens) == 1 and first.text.isupper() and first.i > 0 and _CLOCK.match(first.doc[first.i - 1].text):
        return False  # "10:30 BST", "(0930 UTC)": a time zone
    return True


def _weight(tokens: list[Any]) -> float:
    """Half a vote for a name that modifies a common noun: "the Demirli deposit" is a deposit, "the Trump
    administration" an administration; the name's own kind is what its other mentions say. Half a vote too
    for a name in quotation marks ("the 'Damirli' deposit"): people's names are not quoted."""
    doc = tokens[0].doc
    before, after = tokens[0].i - 1, tokens[-1].i + 1
    if before >= 0 and after < len(doc) and doc[before].is_quote and doc[after].is_quote:
        return WEAK
    ids = {t.i for t in tokens}
    root = next((t for t in tokens if t.head.i not in ids or t.head.i == t.i), tokens[-1])
    head = root.head
    if root.dep_ in ("compound", "amod", "nmod") and head.i not in ids and head.pos_ == "NOUN":
        return WEAK
    return 1.0


def _caption(token: Any) -> bool:
    """The token stands in a sentence with no verb: a photo's caption or credit ("Image: Jane Doe."), which
    reports nothing anyone did."""
    return not any(t.pos_ in ("VERB", "AUX") for t in token.sent)


def mentions_in(doc: Any, article_id: str, offset: int = 0) -> list[Mention]:
    """Names in a parsed text (offset: where the text starts in its article), with the NER's kind."""
    out: list[Mention] = []
    covered: set[int] = set()
    for ent in doc.ents:
        if ent.label_ not in NAMED or _caption(ent[0]):  # a number or a date names nothing
            covered |= {t.i for t in ent}
            continue
        tokens = _clean_span(list(ent))
        while ent.label_ == "PERSON" and len(tokens) > 1 and tokens[-1].like_num:
            tokens = tokens[:-1]  # "placed Humberto 785 miles": no one's name ends in a number
        covered |= {t.i for t in ent}
        if not _is_name(tokens):
            continue
        title = ""
        if len(tokens) > 1 and _ABBREVIATION.match(tokens[0].text) and ent.label_ == "PERSON":
            tokens = tokens[1:]
        elif len(tokens) > 1:
            title = tokens[0].text
        a, b = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
        out.append(Mention(doc.text[a:b], KINDS.get(ent.label_, "other"), article_id, offset + a, offset + b, _weight(tokens), title,
                           len(tokens) == 1 and bool(tokens[0].is_sent_start)))
    run: list[Any] = []
    for t in [*doc, None]:
        if t is not None and t.pos_ == "PROPN" and t.i not in covered:
            run.append(t)
            continue
        tokens = _clean_span(run)
        run = []
        if tokens and _is_name(tokens) and not _caption(tokens[0]):
            a, b = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
            out.append(Mention(doc.text[a:b], None, article_id, offset + a, offset + b, 0.0))
    return sorted(out, key=lambda m: (m.article_id, m.start))


def _strip_titles(found: list[Mention]) -> None:
    """A word these articles put before the names of two different people (no word in common: "President
    Trump", "President Rouhani") is a title, not a first name ("Pedro Pierluisi", "Pedro R. Pierluisi")."""
    after: dict[str, list[set[str]]] = {}
    for m in found:
        if m.title and m.kind == "person":
            after.setdefault(m.title, []).append(set(name_key(m.name[len(m.title):]).split()))
    titles = {w for w, rests in after.items() if any(not (a & b) for a in rests for b in rests)}
    for m in found:
        rest = m.name[len(m.title):].lstrip()
        if m.title in titles and m.kind == "person" and rest[:1].isupper():
            m.name, m.start = rest, m.start + len(m.name) - len(rest)


def _inside(short: list[str], long: list[str]) -> bool:
    """The words of `short` appear in `long` in that order ("Rivera Schatz" in "Thomas Rivera Schatz",
    "Pedro Pierluisi" in "Pedro R. Pierluisi Urrutia")."""
    rest = iter(long)
    return len(short) < len(long) and all(any(w == x for x in rest) for w in short)


def join_entities(found: Iterable[Mention]) -> list[Entity]:
    """Mentions grouped into entities: see the module docstring for what joins."""
    found = list(found)
    _strip_titles(found)
    groups: dict[str, Entity] = {}
    for m in found:
        key = name_key(m.name)
        if not key:
            continue
        e = groups.setdefault(key, Entity(key=key, name=m.name, kind="other"))
        if m.name not in e.spellings:
            e.spellings.append(m.name)
        e.mentions.append((m.article_id, m.start, m.end))
        if m.kind:
            _add(e.votes, {m.kind: m.weight})
            _add(e.spelled, {(m.name, m.kind): m.weight})
    groups = {k: e for k, e in groups.items() if e.votes}  # an unlabelled run alone is no name
    for e in groups.values():
        e.kind = _kind(e.votes)
    opening = {(m.article_id, m.start) for m in found if m.opening}
    _join_acronyms(groups)
    _join_shorter(groups)
    for e in groups.values():
        e.kind = _kind(e.votes)
        if all((a, s) in opening for a, s, _ in e.mentions):
            e.kind = "other"  # "Attendance was high", "Though ...": only ever a capital opening a sentence
        if e.kind == "person" and not any(" " in s and e.spelled.get((s, "person"), 0.0) >= 1.0 for s in e.spellings):
            # News names a person in full at least once; a name only ever tagged a person as one word is as
            # likely a storm or a place ("Humberto", "Bermuda").
            e.kind = "other"
        # Show the fullest spelling a mention of its kind surely uses (any, when the kind is not sure); the
        # others are variants.
        sure = [s for s in e.spellings if e.kind == "other" or e.spelled.get((s, e.kind), 0.0) >= 1.0] or e.spellings
        e.name = max(sure, key=lambda s: (len(s.split()), sum(w for (x, _), w in e.spelled.items() if x == s), len(s)))
    return list(groups.values())


def _add(target: dict[Any, float], more: dict[Any, float]) -> None:
    for k, v in more.items():
        target[k] = target.get(k, 0.0) + v


def _kind(votes: dict[str, float]) -> str:
    if not votes:
        return "other"
    kind, weight = max(votes.items(), key=lambda kv: (kv[1], -KIND_ORDER[kv[0]]))
    return kind if weight >= 1.0 else "other"


def _join_acronyms(groups: dict[str, Entity]) -> None:
    """An acronym joins the name whose capitalised words it spells ("NHC" -> "National Hurricane Center",
    "U.S." -> "United States"): a format, like a date's."""
    longer: dict[str, str] = {}
    for key, e in groups.items():
        for s in e.spellings:
            if len(s.split()) > 1:
                longer.setdefault(initials(s).upper(), key)
    for key in list(groups):
        e = groups[key]
        letters = {s.replace(".", "") for s in e.spellings if s.replace(".", "").isupper() and " " not in s}
        host = next((longer[x] for x in letters if x in longer and longer[x] != key and longer[x] in groups), None)
        if host is not None and len(e.spellings) == len(letters):
            groups[host].mentions += e.mentions
            _add(groups[host].votes, e.votes)
            _add(groups[host].spelled, e.spelled)
            groups[host].spellings += [s for s in e.spellings if s not in groups[host].spellings]
            groups[host].kind = _kind(groups[host].votes)
            del groups[key]


def _join_shorter(groups: dict[str, Entity]) -> None:
    """A surname or first name joins the person whose full name holds it: the one named last before it in
    the same article, else the most mentioned. A one-word organisation joins the longer one it ends."""
    words = {k: k.split() for k in groups}
    for key in sorted(groups, key=lambda k: len(words[k])):
        short = groups.get(key)
        if short is None:
            continue
        if short.kind == "person" or short.votes.get("person", 0.0) > 0:
            # The person's full name, or a longer name the model took for something else that holds the
            # surname after a first word ("Ricardo Rosselló Nevares" tagged ORG; not "Trump Organization").
            hosts = [h for h in groups if h != key and _inside(words[key], words[h]) and (
                groups[h].kind == "person" or short.kind == "person" and words[h][0] != words[key][0]
                and groups[h].votes.get("person", 0.0) + short.votes.get("person", 0.0) > max(groups[h].votes.values()))]
        elif short.kind == "organisation" and len(words[key]) == 1:
            hosts = [h for h in groups if h != key and groups[h].kind == "organisation" and len(words[h]) > 1
                     and words[h][-1] == key]
        else:
            hosts = []
        kindless = not hosts and len(words[key]) == 1
        if kindless:
            # a one-word name that ends a longer name of no listed kind is that name, of the kind the longer name's
            # mentions say: "Dorian" (a group or a person to the small model) is "Hurricane Dorian", a named storm
            hosts = [h for h in groups if h != key and groups[h].kind == "other" and len(words[h]) > 1
                     and words[h][-1] == key and sum(groups[h].votes.values()) >= 1.0]
        if not hosts:
            continue
        best = max(hosts, key=lambda h: len(groups[h].mentions))
        share: Counter[str] = Counter()
        for aid, a, b in short.mentions:
            before = [(s, h) for h in hosts for x, s, _ in groups[h].mentions if x == aid and s < a]
            host = max(before)[1] if before else best
            groups[host].mentions.append((aid, a, b))
            share[host] += 1
        for h, n in share.items():
            if not kindless:
                _add(groups[h].votes, {k: v * n / len(short.mentions) for k, v in short.votes.items()})
            groups[h].spellings += [s for s in short.spellings if s not in groups[h].spellings]
            _add(groups[h].spelled, short.spelled)
        del groups[key]


def variant_spellings(entity: Entity) -> list[str]:
    """The distinct spellings of an entity's distinguishing (first) word, e.g. [Kyzylbulag, Gizilbulagh]; []
    when every source spells it the same way."""
    head = skeleton(entity.name.split()[0])
    if len(head) < 3:
        return []
    heads: list[str] = []
    for s in entity.spellings:
        word = s.split()[0]
        if len(s.split()) == len(entity.name.split()) and skeleton(word) == head and word not in heads and fold(word) not in {fold(h) for h in heads}:
            heads.append(word)
    folded = [fold(h) for h in heads]
    if any(a != b and b.startswith(a) for a in folded for b in folded):
        return []  # "Azerbaijan" / "Azerbaijani": a word and one derived from it, not two spellings
    return heads if len(heads) > 1 else []
