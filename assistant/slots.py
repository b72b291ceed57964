"""Whether retrieved sentences answer a question, or merely speak of its subject.

A question asks for a kind of answer (its slot): "how many tonnes of meat" a number standing near
"tonnes" or "meat", "what percentage" a percentage, "which Utah Jazz player" a name beside "player",
"what caused the fire" a cause ("was caused by", "due to").
Sentences that speak of what the question asks about without ever holding such an answer ("a Utah Jazz
player tested positive") mean the articles do not say, and so does an article saying the answer is not
known ("the NBA did not release the identity of the player").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import NamedTuple

from assistant.articles import MONTHS
from assistant.text import STOPWORDS, fold, stem

_NUMBER = re.compile(
    r"\d[\d,.:]*|(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|(?:thir|four|fif|six|seven|eigh|"
    r"nine)teen|(?:twen|thir|for|fif|six|seven|eigh|nine)ty|hundred|thousand|million|billion|trillion|dozen)", re.I)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:\+\+|#)?")
_PERCENT_Q = re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction)\b", re.I)
_COUNT_Q = re.compile(r"\bhow (many|much)\b", re.I)
_MEASURE_Q = re.compile(r"\bhow (?:large|far|big|high|tall|deep|heavy|fast)\b|\bwhat number\b", re.I)
_DURATION_Q = re.compile(r"\bhow long\b(?: (?:is|was|were|are|did|does|do|has|had|have|will|would))?(?: the)?", re.I)
_AGE_Q = re.compile(r"\bhow old\b|\bwhat age\b|\bat what age\b", re.I)
_TALLY_Q = re.compile(r"\b(?:what|which) (?:was|is|were) the (?:[\w-]+ ){0,2}(vote|score|margin|tally)\b|"
                      r"\bby what (vote|margin|score)\b", re.I)
_DATE_Q = re.compile(r"^\W*when\b|\b(?:what|which) (?:date|day|year|month)\b", re.I)
_NAME_Q = re.compile(r"(?<!, )\bwhich(?! (?:is|was|were|are|did|does|do|has|had|have|of)\b)|"  # not ", which premiered"
                     r"\b(?:name|names|title|surname)\s+of\b", re.I)
_SURNAME_Q = re.compile(r"\b(?:surname|last name|family name)s?\s+of\b", re.I)
_CAUSE_Q = re.compile(r"\bwhat (?:\w+ ){0,4}?(?:caused|causes|led to|triggered|sparked|started)\b|\bwhy\b|"
                      r"\b(?:cause|reason|motive)s? (?:of|for|behind)\b", re.I)
_CAUSE = frozenset({"cause", "reaso", "motiv", "trigg", "spark", "blame"})  # `_key`s of the words for a cause
# How an article gives a cause: "were caused by carbon monoxide poisoning", "may be due to stripes", "died
# from Powassan virus", "in protest against the war", "declared a state of emergency after protests".
_CAUSAL = re.compile(r"\b(?:caus(?:e|ed|es|ing)|because|due to|owing to|result(?:ed|s|ing)? (?:of|from)|as a result|"
                     r"blam(?:e|ed|es|ing)|led to|lead to|sparked|triggered|started by|reasons?|motiv\w*|"
                     r"in protest|to protest|died (?:of|from)|succumbed|complications|attributed|so that|"
                     r"in order to|wanted to|sought to|in response to|after|following|amid|"
                     r"since (?:he|she|they|it|the|his|her|their)|for (?:not |allegedly )?\w+ing)\b", re.I)
_WHAT_Q = re.compile(r"\bwhat\b[^?]*?\b(?:is|was|were|are)\s+the\s+", re.I)
_WHAT_NOUN_Q = re.compile(r"\bwhat\s+(?!(?:is|was|were|are|did|does|do|has|had|have|will|would|can|could)\b)", re.I)
_CALENDAR = frozenset("monday tuesday wednesday thursday friday saturday sunday".split()) | frozenset(MONTHS)
_DATE = re.compile(r"\b(?:(?:19|20)\d\d|yesterday|today|tomorrow|tonight|last (?:week|month|year)|"
                   + "|".join(sorted(_CALENDAR)) + r")\b", re.I)
_PERCENT = re.compile(r"%|\bper ?cent", re.I)
_MONEY = re.compile(r"[$€£¥₹]|\b(?:dollars?|euros?|pounds?|yuan|yen|rupees?|francs?|rubles?|roubles?)\b", re.I)
_MONEY_WORDS = frozenset("money pay paid cost costs price fine fined worth spend spent raise raised prize earn earned "
                         "fund funding budget compensation restitution damages salary sell sold".split())
# Words that end the noun phrase a question asks about ("how many tonnes of meat was ..."): its focus.
_PHRASE_END = frozenset("did does do was were is are has have had will would could can should may might in on at "
                        "for by from to with during since after before who whose whom which that where when".split())
NEAR = 6  # a number answers "how many X" when it stands within this many words of X
NEAR_NAME = 4  # a name answers "which X" when it stands this close to X
NEAR_BEST = 0.5  # the sentences that may hold the answer score at least this share of the best one's score
# An article saying that what is asked is not known: "the NBA did not release the identity of the player",
# "the fire's cause had not been officially stated", "she had not yet publicly decided on a candidate".
_UNTOLD = re.compile(
    r"\b(?:not|never|yet to)(?: (?:yet|been|be|being|officially|publicly|immediately|formally|fully|clearly|"
    r"still|so far))* (?:known|know|stated|state|determined|determine|released|release|disclosed|disclose|named|"
    r"name|identified|identify|revealed|reveal|confirmed|confirm|announced|announce|made public|make public|"
    r"decided|decide|established|establish|specified|specify|provided|provide|published|publish|given|give|said|"
    r"say|publici[sz]ed|publici[sz]e)\b|"
    r"\b(?:unknown|unclear|undisclosed|unnamed|unidentified|undetermined|undecided|unconfirmed|unspecified)\b|"
    r"\bunder investigation\b|\bdeclined to (?:name|identify|say|disclose|reveal|confirm)\b|\bwithheld\b|"
    r"\bwithout (?:mentioning|naming|giving|specifying|disclosing|revealing|saying)\b|"
    r"\b(?:specified|specifying|gave|giving|given|offered|provided|released|disclosed|stated|announced|revealed) no\b|"
    r"\bno(?: \w+){1,3} (?:(?:has|had|have|was|were|is)(?: (?:yet|so far|officially|publicly))*(?: been)? )?(?:given|released|"
    r"disclosed|announced|stated|determined|identified|established|named|made public|confirmed)\b", re.I)
_IDENTITY = frozenset({"ident", "name"})  # what a name is called where it is withheld
_AGE = frozenset({"old", "age", "aged", "year"})  # `_key`s of the words an age stands beside
# Units of time: "how many days" is answered by a number of days, never by a paraphrase without the unit.
_TIME_UNITS = frozenset({"secon", "minut", "hour", "day", "week", "month", "year", "decad", "centu"})
# Nouns that ask for a number ("what was the attendance"): `_key`s, the money ones apart.
_QUANTITY = frozenset({"atten", "popul", "turno", "toll", "total", "numbe", "count", "tally", "score", "margi",
                       "dista", "heigh", "lengt", "weigh", "speed", "durat"})
_PRICE = frozenset({"cost", "price", "salar", "budge", "fine", "fee", "wage", "bail", "prize", "reven"})


@dataclass(frozen=True)
class Slot:
    """What an answer must hold: a new `number` (near one of the `focus` words when the question names
    them, or as money), a `percent`age, a new `name` (near the focus), a `surname` (right after the given
    name in `focus`), a `date`, a `cause` ("because", "due to", "died of"), or (kind None) anything."""

    kind: str | None
    focus: frozenset[str] = frozenset()  # `_key`s of the words the question asks about
    money: bool = False
    named: frozenset[str] = frozenset()  # the focus words the question capitalises ("Utah Jazz" player)
    full: bool = False  # a person's full name, two words or more, is asked for ("the name of the woman who died")


def _key(word: str) -> str:
    """Words meet when their first five letters do: `Yemen`/`Yemeni`, `tonnes`/`tonne`."""
    return stem(fold(word))[:5]


def _phrase(rest: str, names: bool) -> list[str]:
    """The noun phrase at the start of `rest`: up to three content words before a verb, preposition or
    clause; a name or number after them ends it too unless `names` (for "which 2020 US District Judge"),
    while names before them are passed over ("how many Iraqi MPs voted" asks about voting)."""
    words: list[str] = []
    rest = re.sub(r"\b\d[\w-]*", " ", re.split(r"[,;:?!]", rest, maxsplit=1)[0])  # "18-year-old", "2020"
    for w in _WORD.findall(rest):
        if w.lower() in _PHRASE_END or len(words) == 3 or (not names and w[0].isupper() and words):
            break
        if not names and w[0].isupper():
            continue
        if w.lower() not in STOPWORDS | _CALENDAR and len(w) > 2:
            words.append(w)
    return words


# What "which X" asks a name for: X a kind of person, group or place (else "which animals" wants a noun).
_NAMED_KINDS = frozenset(_key(w) for w in """person man woman people candidate player team club company firm
    business country nation city town state province region party group organisation organization agency judge
    president leader minister senator governor mayor official officer politician athlete driver author writer
    artist actor singer band newspaper airline university school ship website site language hospital prison
    stadium airport court church station street venue hotel museum film book album song channel network""".split())


# People a question asks "the name of": news gives an unnamed person's full name when it gives one at all.
_PEOPLE = frozenset(_key(w) for w in """man woman person boy girl child worker inmate prisoner driver pilot victim
    student suspect attacker gunman shooter officer nurse doctor teacher chef captain""".split())
_PARTICLES = frozenset("bin al el de del da di van von le la ibn".split())


def answer_slot(question: str) -> Slot:
    """The kind of answer a question asks for. "How many tonnes of meat" wants a number standing near
    "tonnes" or "meat"; "what percentage" a percentage; "which team" a name beside "team"."""
    if _PERCENT_Q.search(question):
        return Slot("percent")
    if m := _COUNT_Q.search(question):
        focus = frozenset(_key(w) for w in _phrase(question[m.end():], names=False))
        # "how much prize money", "how much did the event raise"; not "by how much did the rate rise"
        asks_money = {_key(w) for w in _MONEY_WORDS} & {_key(w) for w in _WORD.findall(question)} or _MONEY.search(question)
        money = m.group(1).lower() == "much" and bool(asks_money)
        return Slot("number", focus, money)
    if _AGE_Q.search(question):
        return Slot("number", _AGE)
    if m := _DURATION_Q.search(question):  # "how long were the sentences": a number of years, months, ...
        return Slot("number", _TIME_UNITS | {_key(w) for w in _phrase(question[m.end():], names=False)})
    if _MEASURE_Q.search(question):
        return Slot("number")
    if m := _TALLY_Q.search(question):
        return Slot("number", frozenset({_key(m.group(1) or m.group(2))}))
    if _DATE_Q.search(question):
        return Slot("date")
    if (m := _SURNAME_Q.search(question)) and (given := [w for w in _phrase(question[m.end():], True) if w[0].isupper()]):
        return Slot("surname", frozenset(_key(w) for w in given))
    if m := _NAME_Q.search(question):
        rest = question[m.end():]
        if m.group().lower() != "which":  # "the name of the charity Sea-Eye's ship" asks for the ship's
            rest = re.split(r"['’]s\b", re.split(r"[,;:?!]", rest, maxsplit=1)[0])[-1]
        words = _phrase(rest, names=True)
        # a participle after the noun starts a clause: "the man accused of stabbing the mayor" asks for a man
        # (after an adverb it is part of the phrase: "the fully working sculpture")
        words = words[:next((i for i, w in enumerate(words) if i and w.islower() and w.endswith(("ed", "ing"))
                             and not words[i - 1].endswith("ly")), None)]
        focus = frozenset(_key(w) for w in words)
        named = frozenset(_key(w) for w in words if w[0].isupper())
        if m.group().lower() != "which" or focus & _NAMED_KINDS or named:
            return Slot("name", focus, named=named, full=m.group().lower() != "which" and bool(focus & _PEOPLE))
        return Slot(None)
    if re.search(r"\bwho|\bwhose\b", question, re.I):
        return Slot("name")
    if _CAUSE_Q.search(question):  # a cause, which "the cause had not been stated" denies
        return Slot("cause", _CAUSE)
    if m := _WHAT_Q.search(question):  # "what was the title of ...": any answer, but about the title
        words = _phrase(question[m.end():], names=False)
        focus = frozenset(_key(w) for w in words)
        # "the exact total attendance", "the estimated cost of the damage" ask for a number
        lead = _phrase(re.split(r"\s+of\s+", question[m.end():], maxsplit=1)[0], names=False)
        head = _key(lead[-1]) if lead else ""
        return Slot("number", focus, head in _PRICE) if head in _QUANTITY | _PRICE else Slot(None, focus)
    if (m := _WHAT_NOUN_Q.search(question)) and (words := _phrase(question[m.end():], names=True)):
        return Slot(None, frozenset({_key(words[-1])}))  # "what symptoms did he have": any answer, about symptoms
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
    if slot.kind == "cause":
        return bool(_CAUSAL.search(sentence))
    asked = {_bare(w).lower() for w in _WORD.findall(question)}
    if slot.kind == "surname":  # "Łukasz Nowak", not "a chef named Łukasz, who works at Fishmongers' Hall"
        return any(_key(m[1]) in slot.focus and m[2].lower() not in asked
                   for m in re.finditer(r"([^\W\d_]+)[ \xa0]+([A-Z][^\W\d_]+(?:['’-][^\W\d_]+)*)", sentence))
    if slot.kind == "name":
        return _names_near(slot, sentence, asked)
    words = [_bare(w) for w in _WORD.findall(sentence)]
    found = [i for i, w in enumerate(words) if _NUMBER.fullmatch(w) and w.lower() not in asked
             and (slot.kind == "percent" or "year" in slot.focus or not _in_date(words, i))]
    if slot.kind == "percent" or slot.money:  # a percentage or an amount of money shows itself
        return bool(found) and bool((_PERCENT if slot.kind == "percent" else _MONEY).search(sentence))
    if not found or not slot.focus:
        return bool(found)
    if slot.focus == _AGE and re.search(r"[A-Z][\w'’-]+, (?:[1-9]\d?|1[01]\d),", sentence):
        return True  # "Volodoymyr Zhukovskyy, 23, pleaded not guilty"
    at = [i for i, w in enumerate(words) if _key(w) in slot.focus]
    return any(abs(i - j) <= NEAR for i in found for j in at)


def _in_date(words: list[str], i: int) -> bool:
    """Whether the number is part of a date ("June 12", "12 June", "2019"), which counts nothing."""
    return bool(re.fullmatch(r"(?:1[89]|20)\d\d", words[i])) or any(
        0 <= j < len(words) and words[j].lower() in MONTHS for j in (i - 1, i + 1))


def _names_near(slot: Slot, sentence: str, asked: set[str]) -> bool:
    """A new name within NEAR_NAME words of the noun asked about ("player"), or within two of a name the
    question gives with it ("Utah Jazz center Rudy Gobert"). A name a focus word qualifies does not count:
    "Air Force" is no answer to "the pilot of Air India", nor "City University Student Union" to "which
    student"."""
    spans = list(_WORD.finditer(sentence))
    words = [_bare(m[0]) for m in spans]
    run = [0] * len(words)  # which run of capitalised words each word is in
    for i in range(1, len(words)):
        joined = words[i][0].isupper() and words[i - 1][0].isupper() and sentence[spans[i - 1].end():spans[i].start()].isspace()
        run[i] = run[i - 1] if joined else run[i - 1] + 1
    # a name with a focus word inside it, not at its end: "Air Force", "City University Student Union"
    # (while "Abu Sayyaf Group" answers "which group")
    focus_runs = {run[i] for i, w in enumerate(words[:-1]) if _key(w) in slot.focus and w[0].isupper() and run[i + 1] == run[i]}
    size = Counter(run)
    found = [i for i, w in enumerate(words) if _is_name(w, i) and w.lower() not in asked | STOPWORDS
             and run[i] not in focus_runs and (not slot.full or size[run[i]] > 1 or _across_particle(words, i))]
    if not found or not slot.focus:
        return bool(found)
    kind_at = [j for j, w in enumerate(words) if _key(w) in slot.focus - slot.named]
    name_at = [j for j, w in enumerate(words) if _key(w) in slot.named]
    return any(abs(i - j) <= NEAR_NAME for i in found for j in kind_at) or any(abs(i - j) <= 2 for i in found for j in name_at)


def _across_particle(words: list[str], i: int) -> bool:
    """Whether the capitalised word is one part of a name joined by a particle: "Hamza bin Laden"."""
    return any(0 < i + 2 * d < len(words) and words[i + d].lower() in _PARTICLES and words[i + 2 * d][0].isupper()
               for d in (-1, 1))


def mentions(slot: Slot, sentence: str) -> bool:
    """Whether the sentence uses one of the words the question asks about."""
    return any(_key(w) in slot.focus for w in _WORD.findall(sentence))


def untold(slot: Slot, sentence: str) -> bool:
    """Whether the sentence says that what the question asks about is not known: "the NBA did not release
    the identity of the player", "the cause had not been officially stated" (a withholding word within
    NEAR words of the question's focus, or of "identity"/"name" when a name is asked for)."""
    if not slot.focus:
        return False
    spans = [(m.start(), _key(_bare(m[0]))) for m in _WORD.finditer(sentence)]
    focus = slot.focus | _IDENTITY if slot.kind in ("name", "surname") else slot.focus
    at = [i for i, (_, k) in enumerate(spans) if k in focus]
    for m in _UNTOLD.finditer(sentence):
        i = sum(start < m.start() for start, _ in spans)  # the withholding phrase's first word
        if any(abs(i - j) <= NEAR for j in at):
            return True
    return False


class Seen(NamedTuple):
    """A ranked sentence as the answer check sees it: its article, its text, and whether its passage names
    what the question names (a sentence about another person cannot hold this one's answer)."""

    article: str
    text: str
    on_topic: bool = True


def answers(question: str, best: list[Seen], aside: list[Seen] | None = None) -> bool:
    """Whether the best sentences of on-topic passages can answer the question: one holds what it asks for
    (`fills`). When they speak of what it asks about ("a Utah Jazz player tested positive") without ever
    holding it (the player's name), the articles do not say. A question whose focus words none of them use
    is given the benefit of the doubt when the best sentence holds an answer of its kind (a paraphrase,
    "six floors" for "how many storeys"), as is one asking for no particular kind of answer; one asking for
    money is not (an amount of money shows itself).

    An article that says what is asked is not known (`untold`) is believed over any name or number in it:
    only another article can then answer. Where none of the best sentences holds an answer, the other
    sentences of the best one's article (`aside`) are read for such a statement too."""
    slot = answer_slot(question)
    best = [s for s in best if s.on_topic] or best  # sentences about something else neither hold nor deny
    holding = [s for s in best if fills(slot, question, s.text)]
    said = best if holding else best + (aside or [])
    if told := {s.article for s in said if untold(slot, s.text)}:
        return slot.kind is not None and any(s.article not in told for s in holding)
    if slot.kind is None or holding:
        return True
    # a paraphrase ("six floors" for "how many storeys") is the sentence most like the question
    paraphrasable = bool(slot.focus) and not slot.money and not slot.focus & _TIME_UNITS
    return (paraphrasable and not any(mentions(slot, s.text) for s in best)
            and fills(Slot(slot.kind, full=slot.full), question, best[0].text))
