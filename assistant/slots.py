"""Whether retrieved sentences answer a question, or merely speak of its subject.

A question asks for a kind of answer (its slot): "how many tonnes of meat" a number standing near
"tonnes" or "meat", "what percentage" a percentage, "which Utah Jazz player" a name beside "player".
Sentences that speak of what the question asks about without ever holding such an answer ("a Utah Jazz
player tested positive") mean the articles do not say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.text import STOPWORDS, fold, stem

_NUMBER = re.compile(
    r"\d[\d,.:]*|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|"
    r"nine)teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundred|thousand|million|billion|trillion|dozen)", re.I)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:\+\+|#)?")
_PERCENT_Q = re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction)\b", re.I)
_COUNT_Q = re.compile(r"\bhow (many|much)\b", re.I)
_MEASURE_Q = re.compile(r"\bhow (?:old|large|long|far|big|high|tall|deep|heavy|fast)\b|\bwhat (?:number|age)\b", re.I)
_TALLY_Q = re.compile(r"\b(?:what|which) (?:was|is|were) the (?:[\w-]+ ){0,2}(vote|score|margin|tally)\b|"
                      r"\bby what (vote|margin|score)\b", re.I)
_DATE_Q = re.compile(r"^\W*when\b|\b(?:what|which) (?:date|day|year|month)\b", re.I)
_NAME_Q = re.compile(r"\bwhich(?! (?:is|was|were|are|did|does|do|has|had|have|of)\b)|"
                     r"\b(?:name|names|title|surname)\s+of\b", re.I)
_CALENDAR = frozenset("monday tuesday wednesday thursday friday saturday sunday january february march april may june "
                      "july august september october november december".split())
_DATE = re.compile(r"\b(?:(?:19|20)\d\d|yesterday|today|tomorrow|tonight|last (?:week|month|year)|"
                   + "|".join(sorted(_CALENDAR)) + r")\b", re.I)
_PERCENT = re.compile(r"%|\bper ?cent", re.I)
_MONEY = re.compile(r"[$€£¥₹]|\b(?:dollars?|euros?|pounds?|yuan|yen|rupees?|francs?|rubles?|roubles?)\b", re.I)
_MONEY_WORDS = frozenset("money pay paid cost costs price fine fined worth spend spent raise raised prize earn earned "
                         "fund funding budget compensation restitution damages salary".split())
# Words that end the noun phrase a question asks about ("how many tonnes of meat was ..."): its focus.
_PHRASE_END = frozenset("did does do was were is are has have had will would could can should may might in on at "
                        "for by from to with during since after before who whose whom which that where when".split())
NEAR = 6  # a number answers "how many X" when it stands within this many words of X
NEAR_NAME = 4  # a name answers "which X" when it stands this close to X
NEAR_BEST = 0.5  # the sentences that may hold the answer score at least this share of the best one's score


@dataclass(frozen=True)
class Slot:
    """What an answer must hold: a new `number` (near one of the `focus` words when the question names
    them, or as money), a `percent`age, a new `name` (near the focus), a `date`, or (kind None) anything."""

    kind: str | None
    focus: frozenset[str] = frozenset()
    money: bool = False


def _key(word: str) -> str:
    """Words meet when their first five letters do: `Yemen`/`Yemeni`, `tonnes`/`tonne`."""
    return stem(fold(word))[:5]


def _phrase(rest: str, names: bool) -> list[str]:
    """The noun phrase at the start of `rest`: up to three content words before a verb, preposition or
    clause; a name or number ends it too unless `names` (for "which 2020 US District Judge")."""
    words: list[str] = []
    rest = re.sub(r"\b\d[\w-]*", " ", re.split(r"[,;:?!]", rest, maxsplit=1)[0])  # "18-year-old", "2020"
    for w in _WORD.findall(rest):
        if w.lower() in _PHRASE_END or len(words) == 3 or (not names and w[0].isupper()):
            break
        if w.lower() not in STOPWORDS | _CALENDAR and len(w) > 2:
            words.append(w)
    return words


# What "which X" asks a name for: X a kind of person, group or place (else "which animals" wants a noun).
_NAMED_KINDS = frozenset(_key(w) for w in """person man woman people candidate player team club company firm
    business country nation city town state province region party group organisation organization agency judge
    president leader minister senator governor mayor official officer politician athlete driver author writer
    artist actor singer band newspaper airline university school ship website site language""".split())


def answer_slot(question: str) -> Slot:
    """The kind of answer a question asks for. "How many tonnes of meat" wants a number standing near
    "tonnes" or "meat"; "what percentage" a percentage; "which team" a name beside "team"."""
    if _PERCENT_Q.search(question):
        return Slot("percent")
    if m := _COUNT_Q.search(question):
        focus = frozenset(_key(w) for w in _phrase(question[m.end():], names=False))
        money = m.group(1).lower() == "much" and (not focus or bool({_key(w) for w in _MONEY_WORDS} & focus))
        return Slot("number", focus, money)
    if _MEASURE_Q.search(question):
        return Slot("number")
    if m := _TALLY_Q.search(question):
        return Slot("number", frozenset({_key(m.group(1) or m.group(2))}))
    if _DATE_Q.search(question):
        return Slot("date")
    if m := _NAME_Q.search(question):
        words = _phrase(question[m.end():], names=True)
        focus = frozenset(_key(w) for w in words)
        if m.group().lower() != "which" or focus & _NAMED_KINDS or any(w[0].isupper() for w in words):
            return Slot("name", focus)
        return Slot(None)
    if re.search(r"\bwho|\bwhose\b", question, re.I):
        return Slot("name")
    return Slot(None)


def _is_name(word: str, at: int) -> bool:
    """A capitalised word that is not the sentence's first and not a day or month (`C++` counts)."""
    return at > 0 and word[0].isupper() and (len(word) > 1 or word.endswith(("+", "#"))) and word.lower() not in _CALENDAR


def _bare(word: str) -> str:
    """A word without its possessive: `NBA's` is `NBA`."""
    return re.sub(r"['’]s$", "", word)


def fills(slot: Slot, question: str, sentence: str) -> bool:
    """Whether the sentence holds an answer of the slot's kind that the question does not already say:
    for "how many votes" a new number within NEAR words of "votes", for "which player" a new name
    within NEAR_NAME words of "player"."""
    if slot.kind is None:
        return False
    if slot.kind == "date":
        return bool(_DATE.search(sentence))
    words = [_bare(w) for w in _WORD.findall(sentence)]
    asked = {_bare(w).lower() for w in _WORD.findall(question)}
    if slot.kind == "name":
        found = [i for i, w in enumerate(words) if _is_name(w, i) and w.lower() not in asked]
        near = NEAR_NAME
    else:
        found = [i for i, w in enumerate(words) if _NUMBER.fullmatch(w) and w.lower() not in asked]
        near = NEAR
        if found and slot.kind == "percent":
            return bool(_PERCENT.search(sentence))
        if found and slot.money and _MONEY.search(sentence):
            return True
    if not found or not slot.focus:
        return bool(found)
    at = [i for i, w in enumerate(words) if _key(w) in slot.focus]
    return any(abs(i - j) <= near for i in found for j in at)


def mentions(slot: Slot, sentence: str) -> bool:
    """Whether the sentence uses one of the words the question asks about."""
    return any(_key(w) in slot.focus for w in _WORD.findall(sentence))


def answers(question: str, best: list[str]) -> bool:
    """Whether the best sentences can answer the question: one holds what it asks for (`fills`). When
    they speak of what it asks about ("a Utah Jazz player tested positive") without ever holding it (the
    player's name), the articles do not say. A question whose focus words none of them use (a paraphrase)
    is given the benefit of the doubt, as is one asking for no particular kind of answer."""
    slot = answer_slot(question)
    if slot.kind is None or any(fills(slot, question, s) for s in best):
        return True
    return bool(slot.focus) and not any(mentions(slot, s) for s in best)
