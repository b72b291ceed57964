"""Where sources really differ: the same slot of one claim given different values, read from the parse.

Two sentences from different sources that tell one thing (close embeddings, `PAIR_COSINE`) are compared
slot by slot, each slot found in the dependency parse:

- a *count*: a number before the noun it counts, or the object of a verb ("killing 107 or more" /
  "killing at least 111 people": the verb `kill` counted 107 and 111). A number after its noun is a label
  ("Category 5", "Route 2", "Advisory 14"), not a count; when labels differ the sentences are about
  different things and nothing is compared;
- a *cause*: what "caused by", "due to" or "because of" governs;
- a *name for a role*: a person in apposition to a noun ("the driver, Volodymyr Zhukovskyy");
- a *denial*: one sentence negates the verb the other asserts;
- a *date*: the day the event happened, resolved by the caller against each article's date (only between
  sentences closer than `DATE_COSINE`: "On Monday, protesters ..." / "On Tuesday, ..." are two events).

A pair differs when exactly one slot has different values on the two sides and no other slot does:
sentences that differ everywhere are about different things. Number words are read by `numeral`, a
format (digits, "seven", "1.7 million"), so "seven" and "7" agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.text import skeleton

PAIR_COSINE = 0.8
DATE_COSINE = 0.9  # a date alone differs only between sentences this close
_SKIP = frozenset({"DATE", "TIME", "ORDINAL", "PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT",
                   "LAW", "WORK_OF_ART"})
_UNITS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen".split())}
_TENS = {w: 10 * i for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()) if i > 1}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "dozen": 12}


@dataclass(frozen=True)
class Slot:
    kind: str  # count | cause | role | denial
    key: tuple[str, str]  # what is counted or named: (verb lemma, noun lemma)
    value: str  # normalised, compared
    start: int  # the phrase that gives it, offsets in the parsed text
    end: int


@dataclass(frozen=True)
class Difference:
    kind: str
    first: int  # indexes of the two sentences
    second: int
    first_slot: Slot
    second_slot: Slot


def numeral(words: Sequence[str]) -> float | None:
    """The number written by a run of number words or digits: ["1.7", "million"], ["seven"], ["1,000"]."""
    total, current, seen = 0.0, 0.0, False
    for raw in words:
        w = raw.lower().replace(",", "")
        try:
            current += float(w)
            seen = True
            continue
        except ValueError:
            pass
        for part in w.split("-"):
            if part in _UNITS or part in _TENS:
                current += _UNITS.get(part, 0) + _TENS.get(part, 0)
                seen = True
            elif part in _SCALES:
                current = (current or 1) * _SCALES[part]
                if _SCALES[part] >= 1000:
                    total, current = total + current, 0.0
                seen = True
            else:
                return None
    return total + current if seen else None


def _verb(token: Any) -> Any:
    t = token.head
    while t.pos_ not in ("VERB", "AUX") and t.head.i != t.i:
        t = t.head
    return t if t.pos_ in ("VERB", "AUX") else None


def _phrase(tokens: Sequence[Any]) -> tuple[int, int]:
    return min(t.idx for t in tokens), max(t.idx + len(t.text) for t in tokens)


def slots(span: Any) -> tuple[list[Slot], set[str]]:
    """The count, cause, role and denial slots of a parsed sentence, and its labels ("category 5")."""
    out: list[Slot] = []
    labels: set[str] = set()
    for t in span:
        if not t.like_num or t.ent_type_ in _SKIP or t.dep_ in ("compound", "quantmod") and t.head.like_num:
            continue
        run = [c for c in t.lefts if c.like_num and c.dep_ in ("compound", "quantmod", "nummod")] + [t]
        value = numeral([x.text for x in run])
        if value is None:
            continue
        head = t.head
        if t.dep_ == "nummod" and head.pos_ in ("NOUN", "PROPN") and t.i > head.i:
            labels.add(f"{head.lemma_.lower()} {value:g}")  # "Category 5", "Advisory 14": a label
            continue
        noun = head if t.dep_ in ("nummod", "quantmod") and head.pos_ == "NOUN" else None
        verb = _verb(noun if noun is not None else t) if t.dep_ != "ROOT" else None
        if verb is None and noun is None:
            continue
        key = (verb.lemma_.lower() if verb is not None else "", noun.lemma_.lower() if noun is not None else "")
        shown = [x for x in (verb, t, noun, *run) if x is not None]
        out.append(Slot("count", key, f"{value:g}", *_phrase(shown + [x for x in t.subtree])))
    for t in span:
        if t.lower_ in ("by", "to", "of") and t.head.lower_ in ("caused", "due", "because"):
            objects = [c for c in t.children if c.dep_ == "pobj"]
            if objects:
                nouns = sorted({x.lemma_.lower() for x in objects[0].subtree if x.pos_ in ("NOUN", "PROPN")})
                out.append(Slot("cause", ("cause", ""), " ".join(nouns), *_phrase([t.head, *objects[0].subtree])))
        if t.dep_ == "appos" and t.head.pos_ == "NOUN" and t.ent_type_ == "PERSON":
            out.append(Slot("role", ("", t.head.lemma_.lower()), skeleton(t.text), *_phrase([t.head, *t.subtree])))
        elif t.dep_ == "appos" and t.pos_ == "NOUN" and t.head.ent_type_ == "PERSON":
            out.append(Slot("role", ("", t.lemma_.lower()), skeleton(t.head.text), *_phrase([t.head, *t.subtree])))
    root = span.root
    if root.pos_ in ("VERB", "AUX"):
        negated = any(c.dep_ == "neg" for c in root.children)
        shown = [root, *(c for c in root.children if c.dep_ in ("neg", "aux", "auxpass"))]
        out.append(Slot("denial", (root.lemma_.lower(), ""), "no" if negated else "yes", *_phrase(shown)))
    return out, labels


def _matches(a: Slot, b: Slot) -> bool:
    if a.kind != b.kind:
        return False
    (va, na), (vb, nb) = a.key, b.key
    return va == vb and (na == nb or not na or not nb)


def compare(a: tuple[list[Slot], set[str]], b: tuple[list[Slot], set[str]]) -> tuple[Slot, Slot] | None:
    """The one slot two sentences fill differently, or None (they agree, or they differ everywhere)."""
    (sa, la), (sb, lb) = a, b
    if la != lb:
        return None
    differ: list[tuple[Slot, Slot]] = []
    for x in sa:
        pair = [y for y in sb if _matches(x, y)]
        if not pair:
            continue
        if any(y.value == x.value for y in pair):
            continue
        if x.kind == "cause" and set(x.value.split()) & set(pair[0].value.split()):
            continue  # one cause told with more or fewer words
        differ.append((x, pair[0]))
    kinds = {x.kind for x, _ in differ}
    if len(differ) == 1 or (len(kinds) == 1 and len({(x.value, y.value) for x, y in differ}) == 1):
        return differ[0]
    return None


def find_differences(spans: Sequence[Any], sources: Sequence[str], vectors: np.ndarray, most: int = 4,
                     dates: Sequence[tuple[str, int, int] | None] | None = None) -> list[Difference]:
    """Pairs of sentences from different sources that tell one thing with one slot filled differently,
    closest pairs first, each sentence in one pair at most. `dates`: the resolved date each sentence
    gives its event (ISO, and where the date is written in the parsed text), when it gives one."""
    if len(spans) < 2:
        return []
    sims = vectors @ vectors.T
    read = [slots(s) for s in spans]
    for i, when in enumerate(dates or []):
        if when is not None:
            read[i][0].append(Slot("date", ("", ""), when[0], when[1], when[2]))
    pairs = [(float(sims[i, j]), j, i) for i in range(len(spans)) for j in range(i)
             if sources[i] != sources[j] and sims[i, j] >= PAIR_COSINE]
    out: list[Difference] = []
    used: set[int] = set()
    for _, i, j in sorted(pairs, reverse=True):
        if i in used or j in used:
            continue
        found = compare(read[i], read[j])
        if found is not None and found[0].kind == "date" and sims[i, j] < DATE_COSINE:
            found = None  # "On Monday, protesters ..." / "On Tuesday, protesters ...": two days' events
        if found is not None:
            out.append(Difference(found[0].kind, i, j, *found))
            used |= {i, j}
        if len(out) >= most:
            break
    return out
