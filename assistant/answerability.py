"""One answerability decision: whether the retrieved sentences answer a question, as a score in [0, 1]
with its reason and evidence.

The question is read by the language pipeline (`language.analyze`): what kind of answer it expects and
about which noun. The candidate sentences are those of the retrieved passages whose article names
everything the question names. A sentence answers an entity question when it holds an entity of the
expected label (for a name, one the small recogniser called another kind of name counts less) that the
question does not already hold (or, for a "what/which <noun>" question asking for no number, time or name, a
common noun of the kind asked about, "a crossbow" for "what weapon", counting less; for a "what/which <noun>"
question asking no name, an entity of another label (a number or a date, mostly) modifying that noun, "the
two-thirds majority" for "what majority", counting as another kind of name), attached in the
parse to the noun asked about
(`15` as the numeric modifier of `wheelchairs` for "how many mobility chairs"; a date to a noun of the question
it dates, "the 2008 merger" for "in what year was the merger agreed") or, with no noun, to the
question's verb ("who founded": the subject of "founded"), in a clause not about another name than the one
the question asks about ("John Roe received 9%" for "how many votes did Jane Doe receive"). A sentence that
gives a noun of the question another number or rank ("73 months" for "the 47-month sentence", "the first
round" for the second) is about another event and counts less, whatever it answers. Cause and
description questions need a sentence that matches the question and says more than it. A matching sentence
that negates what is asked ("the name of the victim was not released") is believed: the articles say it is
not known.

A question that joins two ("Who built the dam, and when did it open?") is assessed part by part (a part
that says "it" or "his" and names nothing is held to what the question named before); it is answered where
any part is, and the parts no sentence answers are named.

A sentence's score is how well it matches the question (dense similarity and the question's words) times
how firmly its answer is attached; a match of `MATCH_FULL` counts in full or, when no sentence matches
that well (a question put in other words than the article's matches every sentence less, the one that
answers it too), the best match any sentence makes. The decision (`decision`) weighs the best score against
how closely any sentence matches the question, with weights fitted on question sets
(`bench/fit_answerability.py`); its probability is the answerability. Below `Settings.answerable` it is a
refusal; the same decision gates the extractive answer and, before any model is asked, the LLM answerers.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.chunking import sentence_spans
from assistant.dates import asked_days, names_unit, reports_day
from assistant.differences import numeral
from assistant.language import (
    ENTITY,
    NAMED,
    NUMBERS,
    PLACES,
    TIMES,
    Question,
    analyze,
    content_lemmas,
    parse,
    parse_question,
    question_parts,
    unlabelled_names,
    verb_phrase,
)
from assistant.retrieval import CLIPPED_FROM, in_turn, mentions_name, name_tokens, names_in
from assistant.text import content_tokens, looks_like_instruction
from assistant.types import Answerability, Passage

MOST_SENTENCES = 32  # the retrieved sentences parsed for an answer, in retrieval order (about four passages)
FOLLOWING = 0.8  # a sentence matches at least this share of the match of the sentence before it
COVERED = 0.6  # a passage holding this share of the question's words is about it, however far by meaning
UNTOLD_NEAR = 0.8  # a sentence saying it is not known counts when it matches this share of the closest one
MATCH_FULL = 0.45  # a sentence matching the question this well (dense and words) is fully about it
MATCH_FLOOR = 0.3  # or, when none does (a question in other words), the best match over this
NEW_WORDS = 3  # content words beyond the question's that make a description
ATTACH_FLOOR = 0.35  # word similarity (MiniLM) below which two nouns are unrelated
ATTACH_FULL = 0.75  # and above which they are the same thing


@dataclass(eq=False)
class Sentence:
    """A candidate sentence of the retrieved passages, with article offsets; each one is itself (compared by
    identity: two candidates are never the same sentence)."""

    passage_n: int  # 1-based
    article_id: str
    text: str
    start: int
    date: str | None = None
    match: float = 0.0  # how well it matches the question, in [0, 1]
    score: float = 0.0  # match times how firmly it holds the answer
    answer: str | None = None  # the entity that answers, for entity questions
    untold: bool = False  # it negates what is asked
    refers: tuple[str, ...] = ()  # what its pronoun subject stands for: the sentence before's subject ("He was 95")
    before: Sentence | None = None  # the sentence that names it, quoted with it


@dataclass
class Assessment:
    question: Question
    answerability: Answerability
    ranked: list[Sentence] = field(default_factory=list)  # best answer first
    parts: list[Assessment] = field(default_factory=list)  # of a question joining several, each one's

    @property
    def answerable(self) -> bool:
        return not self.answerability.refused


def sentences_of(passages: list[Passage]) -> list[Sentence]:
    """Every sentence of the passages once (overlapping chunks repeat sentences, and a story filed twice
    repeats them in another article: the first passage's copy stands for both); planted instructions out."""
    seen: set[tuple[str, int]] = set()
    texts: set[str] = set()
    out = []
    for n, p in enumerate(passages, 1):
        for a, b in sentence_spans(p.text, p.start):
            text = p.text[a - p.start:b - p.start]
            same = " ".join(text.split())
            if (p.article_id, a) in seen or same in texts or len(text.split()) < 3 or looks_like_instruction(text):
                continue
            seen.add((p.article_id, a))
            texts.add(same)
            out.append(Sentence(n, p.article_id, text, a, date=p.date))
    return out


class WordSimilarity:
    """Cosine similarity of short phrases by the embedding model, cached: how alike two nouns are."""

    def __init__(self, embeddings: Embeddings) -> None:
        self.embeddings = embeddings
        self._vectors: dict[str, np.ndarray] = {}
        self._wanted: set[str] | None = None  # while collecting: the words asked about, answered 0

    def collect(self) -> None:
        """Note the words asked about (and answer 0) until `flush` embeds them all in one batch."""
        self._wanted = set()

    def flush(self) -> None:
        wanted, self._wanted = self._wanted or set(), None
        self.prepare(wanted)

    def prepare(self, words: set[str]) -> None:
        todo = [w for w in words if w not in self._vectors]
        if todo:
            for w, v in zip(todo, self.embeddings.embed_documents(todo)):
                self._vectors[w] = np.asarray(v, dtype=np.float32)

    def __call__(self, a: str, b: str) -> float:
        if a == b:
            return 1.0
        if self._wanted is not None:
            self._wanted |= {a, b}
            return 0.0
        self.prepare({a, b})
        cos = float(self._vectors[a] @ self._vectors[b])
        return min(1.0, max(0.0, (cos - ATTACH_FLOOR) / (ATTACH_FULL - ATTACH_FLOOR)))


def _context(ent: Any, of_subject: bool = True, named: bool = False) -> list[Any]:
    """The words an entity is said of: the noun it modifies or names ("15 wheelchairs", "the Royal
    Hospital", "the winner, Jane Doe"), the noun of "15 of the chairs" (not, for a `named` question, the noun
    its preposition hangs from: "the club outside Riverton" is no club called Riverton), the other side of a
    copula ("the winner was Jane Doe") and, `of_subject`, the subject of the clause it completes ("sea ice
    shrank to 3.7 million km2")."""
    root = ent.root
    while root.dep_ == "conj" and root.head != root:  # "Cyprus, Greece and Israel": each as the first
        root = root.head
    # its own common nouns, and the last word of a name of several: "the Valour Medal" is a medal
    out = [t for t in ent if t.pos_ == "NOUN"] + ([ent.root] if ent.root.pos_ == "PROPN" and len(ent) > 1 else [])
    # its title and other modifiers: "Foreign Minister George Papadopoulos", "the 70-year-old owner"
    out += [t for c in root.children if c.dep_ in ("compound", "amod", "appos", "nmod") for t in c.subtree]
    head = root.head
    out.append(head)
    # a modifier of a modifier is said of the phrase's head: in "28,000 Andy Warhol photographs" the small
    # parser may hang the number from "Warhol", a compound of "photographs"
    while head.dep_ in ("compound", "nmod", "amod") and head.head != head and head.head.i > head.i:
        head = head.head
        out.append(head)
    if (head.dep_ == "prep" or root.dep_ == "pobj") and not named:
        out.append(head.head)
    for c in root.children:
        if c.dep_ in ("prep",):
            out.extend(g for g in c.children if g.dep_ == "pobj")
    if head.lemma_ == "be" and root.dep_ in ("attr", "acomp", "nsubj"):  # "the winner was Jane Doe", "she was 81"
        out.extend(c for c in head.children if c.dep_ in ("nsubj", "attr") and c != root)
    verbs = _verbs_over(ent, hops=3)
    if of_subject and verbs and root.dep_ not in ("nsubj", "nsubjpass"):  # "sea ice shrank to 3.74 million km2"
        out.extend(c for c in verbs[0].children if c.dep_ in ("nsubj", "nsubjpass") and c != root)
    if root.dep_ == "appos":
        out.append(head)
    # a title written right before the name, which the small parser may leave unattached to it: "speaker of the
    # parliament Ali Larijani"
    before = ent.doc[ent.start - 1] if ent.start else None
    if before is not None and before.pos_ == "NOUN":
        out.append(before)
        if before.dep_ == "pobj" and before.head.head.pos_ == "NOUN":
            out.append(before.head.head)
    # a relative pronoun stands for the noun its clause describes: "Jane Doe, who is 23 years old"
    out += [t.head.head for t in out if t.tag_ in ("WP", "WDT") and t.head.dep_ == "relcl"]
    return [t for t in out if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") or _pronoun(t)]


def _pronoun(t: Any) -> bool:
    """A third-person personal pronoun, by the tagger's morphology: "he", "she", "they", "it"."""
    return t.pos_ == "PRON" and t.morph.get("PronType") == ["Prs"] and t.morph.get("Person") == ["3"]


def _subject(doc: Any) -> Any | None:
    """The subject of the sentence's main verb."""
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    return next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")), None) if root is not None else None


def _agrees(pronoun: Any, subject: Any) -> bool:
    """A pronoun can stand for a subject of its number; "he" or "she" for one naming a person, "it" for one
    that names none (by the recogniser's PERSON label)."""
    person = any(t.ent_type_ == "PERSON" for t in subject.subtree)
    gender = pronoun.morph.get("Gender")
    return pronoun.morph.get("Number") == subject.morph.get("Number") and (
        person if gender in (["Masc"], ["Fem"]) else not person if gender == ["Neut"] else True)


def _referents(cands: list[Sentence], docs: list[Any]) -> None:
    """What a sentence's pronoun subject stands for: the subject of the sentence just before it in the same
    article, when that is a noun or name it agrees with (or itself a pronoun that stands for one)."""
    for (before, bdoc), (c, doc) in zip(zip(cands, docs), zip(cands[1:], docs[1:])):
        it, was = _subject(doc), _subject(bdoc)
        if it is None or not _pronoun(it) or was is None or not _follows(before, c):
            continue
        if _pronoun(was) and before.refers:
            c.refers, c.before = before.refers, before
        elif was.pos_ in ("NOUN", "PROPN") and _agrees(it, was):
            c.refers, c.before = tuple(t.lemma_.lower() for t in was.subtree if t.pos_ in ("NOUN", "PROPN")), before


def _verbs_over(ent: Any, hops: int = 4) -> list[Any]:
    """The verbs an entity hangs from, nearest first."""
    out, t = [], ent.root
    for _ in range(hops):
        if t.head == t:
            break
        t = t.head
        if t.pos_ in ("VERB", "AUX") or t.dep_ == "ROOT":
            out.append(t)
    return out


def _clause_match(ent: Any, q: Question, sim: WordSimilarity) -> float | None:
    """How like the question's verbs the event of the entity's clause is, by its verbs and nouns ("illegal
    exploitation ... is observed in the X deposit"); None when the question has no verb."""
    if not q.verbs:
        return None
    over = _verbs_over(ent)
    clause = over[-1].subtree if over else ent.sent
    words = dict.fromkeys(t.lemma_.lower() for t in clause if t.pos_ in ("VERB", "NOUN", "ADJ") and t.is_alpha)
    return max((sim(w, v) for w in q.verbs for v in words), default=0.0)


def _in_question(ent: Any, q: Question) -> bool:
    """The question already holds it ("the nine men jailed": nine is no answer to how many crimes)."""
    # "AT&T" and "U.S." are words too; a possessive "'s" is none
    words = [t.lower_ for t in ent if any(ch.isalnum() for ch in t.text) and t.tag_ != "POS"]
    if not words or all(w in q.words for w in words):
        return bool(words)
    # the country of a nationality the question names, spelled alike: "Italy" for "which Italian town"
    place = [t.lower_ for t in ent if t.is_alpha and not t.is_stop]
    if ent.label_ in PLACES and len(place) == 1 and any(
            len(os.path.commonprefix([p.lower(), place[0]])) >= CLIPPED_FROM for p in q.peoples):
        return True
    if ent.label_ not in NAMED:
        return False
    # a name whose head word is a word of the question's names is the question's: "Donald Trump" for "Trump"
    # (not "Sputnik News" for "which news outlet")
    own = {t.lower_ for t in ent if t.is_alpha}
    for name in q.names:
        theirs = {w.lower() for w in name.split()}
        if ent.root.lower_ not in theirs:
            continue
        if own <= theirs:
            return True
        # but of two people who share a family name, neither name holding the other, one answers a question about
        # the other ("Ahmed Omar's father, Yusuf Omar"); and a longer name that is no place is not the place the
        # question names ("the Red Cross Kenya" for "Kenya")
        if (ent.label_ != "PERSON" or theirs <= own) and (ent.label_ in PLACES or name not in q.places):
            return True
    return False


def _counts_focus(ent: Any, q: Question) -> bool:
    """A number written before its noun counts it: "one official said" does not say which official."""
    return q.wh == "which" and ent.label_ == "CARDINAL" and ent.root.dep_ == "nummod" and ent.root.head.i > ent.root.i


def _counts(doc: Any) -> dict[tuple[str, bool], set[str]]:
    """The numbers said of nouns, by the noun's lemma and whether the number is an ordinal: a count before its
    noun ("47 months", "a 66-year-old") or a place in an order ("the second attack"). A day of a month ("October
    22") counts nothing."""
    out: dict[tuple[str, bool], set[str]] = {}
    for t in doc:
        noun = t.head
        if not t.like_num or t.dep_ not in ("nummod", "amod") or noun.pos_ not in ("NOUN", "PROPN") \
                or (noun.pos_ == "PROPN" and noun.ent_type_ in TIMES):
            continue
        ordinal = t.tag_ != "CD"
        value = numeral([x.text for x in t.subtree if x.like_num]) if not ordinal else None
        if ordinal or value is not None:
            out.setdefault((noun.lemma_.lower(), ordinal), set()).add(t.lower_ if ordinal else f"{value:g}")
    return out


def _other_count(doc: Any, asked: dict[tuple[str, bool], set[str]]) -> bool:
    """The sentence counts or orders a noun of the question (`asked`: its `_counts`) otherwise: "sentenced to 73
    months" is not the sentence of 47 months asked about, "the first round" not the second: another event."""
    said = _counts(doc) if asked else {}
    return any(key in said and not said[key] & values for key, values in asked.items())


ABOUT_WEIGHT = 0.8  # an answer said of the noun the focus belongs to ("the 70-year-old owner") counts this much
SLOT_WEIGHT = 0.7  # an answer in the same preposition's slot as the one asked about counts this much
PREDICATE_WEIGHT = 0.5  # an answer hanging from the question's verb, not said of its noun, counts this much
OTHER_NAME = 0.6  # a name the recogniser gave another kind than the one asked for counts this much
MODIFIER_EVENT = 0.5  # the event match of a name modifying a noun ("the Riverton mayor") counts this much
OTHER_SUBJECT = 0.3  # an answer in a clause whose subject is a name other than the question's counts this much
OTHER_COUNT = 0.3  # a sentence giving a noun of the question another number or rank counts this much
NOUN_WEIGHT = 0.8  # a common noun answering "what/which <noun>" ("a crossbow" for "what weapon") counts this much


def _attached(ent: Any, q: Question, sim: WordSimilarity, refers: tuple[str, ...] = ()) -> float:
    """How firmly the entity is said of what the question asks about: of its noun ("15 wheelchairs") or
    the noun that one belongs to ("the 70-year-old owner"), in the event its verb names, by the clause's words or
    the verb phrase's meaning ("700 people were rescued" says little of how many died; "was hospitalized"
    is "taken into hospital"); with no noun, as an argument of its verb ("who founded": the
    subject of "founded")."""
    # an age is said of the person ("the 70-year-old owner", "the owner was 70"), not of what they did
    # ("the owner died on Tuesday")
    said = _context(ent, of_subject=q.wh != "how old", named=q.named)
    context = [t.lemma_.lower() for t in said if not _pronoun(t)] + (list(refers) if any(map(_pronoun, said)) else [])
    over = _verbs_over(ent)
    of_verb = _clause_match(ent, q, sim)
    if of_verb is not None and q.events and over and over[0].pos_ in ("VERB", "AUX"):
        # or its verb's phrase like the question's: "was hospitalized on May 2" for "taken into hospital"
        phrase = verb_phrase(over[0], {t.i for t in ent})
        if " " in phrase:
            of_verb = max(of_verb, *(sim(e, phrase) for e in q.events))
    modified = ent.root.head
    if of_verb is not None and ent.root.dep_ in ("compound", "amod", "nmod", "poss") and \
            modified.pos_ in ("NOUN", "PROPN") and modified.lemma_.lower() not in q.terms:
        # a name that modifies a noun the question does not speak of is said of that noun, the clause's event
        # only through it: "former Lakeside mayor Jane Doe died" does not say where she died ("40 Van Gogh
        # drawings" does say whose drawings)
        of_verb *= MODIFIER_EVENT
    # it fills the slot asked about: "experts from X" for "which organisations did the experts come from"; a
    # verb's slot, of the event asked about: "born in X" does not say in which city she died
    slot = 0.0
    if q.prep and ent.root.dep_ == "pobj" and ent.root.head.lower_ == q.prep:
        verb = ent.root.head.head
        # the verb the question's slot belongs to, else the question's event: "returning from which country"
        asked = (q.prep_verb,) if q.prep_verb else q.verbs
        # a verb's object may name its event: "received treatment at X" says where she was treated
        said = [verb.lemma_.lower(), *(c.lemma_.lower() for c in verb.children if c.dep_ == "dobj" and c.pos_ == "NOUN")]
        slot = SLOT_WEIGHT * (max(sim(w, v) for w in asked for v in said)
                              if asked and verb.pos_ in ("VERB", "AUX") else 1.0)
    of_event = max(slot, PREDICATE_WEIGHT if of_verb is None else of_verb)
    # a time question of no noun's time: a date is said of its event, not of the noun naming its unit ("in what
    # year did it open" asks what "when did it open" does: "it opened in 1990"), or of a noun the question speaks
    # of, which it dates ("the 2008 merger" says when the merger was agreed)
    timely = q.labels <= TIMES and not q.about
    dated = ABOUT_WEIGHT if timely and modified.pos_ == "NOUN" and \
        modified.i > ent.root.i and ent.root.dep_ in ("nummod", "compound", "amod", "poss", "nmod") and \
        modified.lemma_.lower() in q.terms - {q.focus} else 0.0
    if not q.focus and not q.about:
        return max(of_event, dated)
    nouns = [(q.focus, 1.0), (q.focus_name, 1.0), (q.about, ABOUT_WEIGHT)]
    of_noun = max((w * sim(word, c) for word, w in nouns if word for c in context), default=0.0)
    if of_verb is None:
        attached = max(slot, of_noun)
    else:
        attached = max(slot, of_noun * (1 - PREDICATE_WEIGHT + PREDICATE_WEIGHT * of_verb), PREDICATE_WEIGHT * of_verb)
    return max(attached, of_event, dated) if timely else attached


def _other_subject(ent: Any, q: Question) -> bool:
    """The entity's clause is about someone else: its verb's subject is a name, and not the one the question
    asks about ("Jane Doe received 9%" does not say how many votes John Roe received)."""
    if not q.subject:
        return False
    over = _verbs_over(ent, hops=2)
    if not over:
        return False
    verb = over[0]
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "PROPN" and c not in ent]
    if not subjects:
        return False
    # in a passive clause, who did it is the name after "by": "Reed was given the medal by Governor Berg" (the
    # small parser may hang "by" from the object)
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children):
        subjects += [g for c in (verb, *verb.children) for by in c.children
                     if by.dep_ in ("agent", "prep") and by.lower_ == "by" for g in by.children
                     if g.dep_ == "pobj" and g not in ent]
    # by the last word of either name: "Doe" is "Jane Doe", "Minister Jane Doe" is "Jane Doe"
    return not any(mentions_name(q.subject.split()[-1], " ".join(t.text for t in d.subtree)) or
                   mentions_name(d.text, q.subject) for d in subjects)


def _untold(doc: Any, q: Question) -> bool:
    """The sentence negates what is asked: a negated verb governing the noun asked about, or the question's
    verb negated ("the victim's name was not released")."""
    if q.negated:
        return False
    for t in doc:
        if t.dep_ == "neg":
            verb = t.head
            lemmas = {c.lemma_.lower() for c in verb.subtree}
            if (q.focus and q.focus in lemmas) or verb.lemma_.lower() in q.verbs:
                return True
    return False


def _dated(ent: Any, q: Question) -> bool:
    """A date answers "what year" or "which month" when it names one ("last year" does not), "how many days"
    when it counts them ("a 14-day quarantine", not "on Friday"), and "how old" or "how long" when it counts
    anything ("23 years old", "an hour", not "on Thursday")."""
    if ent.label_ not in TIMES:
        return True
    if q.wh == "how many":  # "how much time" may be "three hours"
        return bool(q.focus) and any(t.lemma_.lower() == q.focus for t in ent)
    if q.wh in ("how old", "how long"):  # a number, or "a" counting one: "an hour"
        return any(t.like_num or t.morph.get("Definite") == ["Ind"] for t in ent)
    return q.wh not in ("which", "what") or names_unit(q.focus, ent.text)


SPARE_NAME_FROM = 3  # a question naming this many things may name one the way its article does not


def _names_it(q: Question, have: set[str]) -> bool:
    """Whether an article (its `name_tokens`, `have`) names what the question names: every person,
    organisation or event, and at least half of the places (a question may add "Spain" where the article says
    "Catalonia"), not counting nationalities ("Irish homes" may be homes "in Ireland"). A question that names
    many things may put one of them its own way ("the Downing Street plan", a title taken for a name)."""
    actors = [n for n in q.names if n not in q.places and n not in q.peoples]
    places = [n for n in q.names if n in q.places and n not in q.peoples]
    missing = sum(not names_in(n, have) for n in actors)
    named_places = 2 * sum(names_in(n, have) for n in places) >= len(places)
    return named_places and missing <= (1 if len(q.names) >= SPARE_NAME_FROM else 0)


def _score_matches(q: Question, cands: list[Sentence], have: list[frozenset[str]], embeddings: Embeddings) -> None:
    """Match in [0, 1]: dense similarity to the question, and its words weighted by how few of the
    candidate sentences share them (the story's words say little about which sentence answers)."""
    vectors = np.array(embeddings.embed_documents([c.text for c in cands] + [q.text]), dtype=np.float32)
    dense = vectors[:-1] @ vectors[-1]
    rarity = {t: math.log(1 + len(cands) / (1 + sum(t in h for h in have))) for t in q.terms}
    total = sum(rarity.values()) or 1.0
    for c, h, d in zip(cands, have, dense):
        words = sum(rarity[t] for t in q.terms & h) / total
        c.match = max(0.0, min(1.0, 0.6 * float(d) + 0.4 * words))
    # the answer often sits in the sentence after the one that repeats the question ("Van Biljon was seventy")
    for before, c in zip(cands, cands[1:]):
        if _follows(before, c):
            c.match = max(c.match, FOLLOWING * before.match)


def _follows(before: Sentence, c: Sentence) -> bool:
    """The sentence comes right after the other in its article."""
    return before.article_id == c.article_id and 0 < c.start - before.start - len(before.text) < 4


def _takes_nouns(q: Question) -> bool:
    """A "what/which <noun>" question that asks for no number or time may be answered by a common noun; not one
    asking the noun's name ("what was the name of the ship": "a ferry" is none)."""
    return bool(q.focus) and q.wh in ("which", "what") and not q.labels <= TIMES | NUMBERS and not q.named


def _nouns(doc: Any, q: Question, sim: WordSimilarity) -> list[tuple[Any, float]]:
    """Common nouns that answer "what/which <noun>", as (span, attachment): a noun of the kind asked about
    ("a crossbow" for "what weapon"), or the modifier of the noun asked about ("propane gas" for "what
    gas"), of the question's event. How like the kind a noun is comes from word similarity, less sure than a
    recogniser's label: it counts `NOUN_WEIGHT`."""
    out = []
    for t in doc:
        if t.pos_ != "NOUN" or t.lemma_.lower() in q.terms:
            continue
        head = t.head
        if t.dep_ in ("compound", "amod") and head.pos_ == "NOUN" and head.i > t.i:
            if head.lemma_.lower() not in q.terms:
                continue  # a part of a longer phrase, judged at its head
            kind = sim(q.focus or "", head.lemma_.lower())
        else:
            kind = sim(q.focus or "", t.lemma_.lower())
        span = doc[min([t.i] + [m.i for m in t.lefts if m.dep_ in ("compound", "amod")]):t.i + 1]
        if any(w.lemma_.lower() in q.terms for w in span):
            continue
        of_verb = _clause_match(span, q, sim)
        attached = kind if of_verb is None else kind * (1 - PREDICATE_WEIGHT + PREDICATE_WEIGHT * of_verb)
        out.append((span, NOUN_WEIGHT * attached))
    return out


def _holds(q: Question, c: Sentence, doc: Any, lemmas: frozenset[str], sim: WordSimilarity, full: float,
           weight: float) -> None:
    """Score the sentence by the answer it holds: for an entity question the entity of an expected label,
    not in the question, most firmly attached to what is asked; else the words it adds to the question. A
    match of `full` counts in full, times `weight` (less for a sentence about another event: `_other_count`)."""
    c.untold = _untold(doc, q)
    fit = min(1.0, c.match / full) * weight
    if q.kind != ENTITY:
        c.score = fit * min(1.0, len(lemmas - q.terms) / NEW_WORDS)
        return
    found = [(e, _attached(e, q, sim, c.refers)) for e in doc.ents
             if e.label_ in q.labels and not _in_question(e, q) and _dated(e, q) and not _counts_focus(e, q)]
    if q.labels & NAMED:  # a name the small model left unlabelled: "her graphic novel Angel Catbird"
        found += [(s, _attached(s, q, sim, c.refers)) for s in unlabelled_names(doc) if not _in_question(s, q)]
        # or labelled as another kind of name ("the novel Angel Catbird" as a PERSON): a name, of a kind less sure
        found += [(e, OTHER_NAME * _attached(e, q, sim, c.refers)) for e in doc.ents
                  if e.label_ in NAMED and e.label_ not in q.labels and not _in_question(e, q)]
    if q.focus == "time" and q.labels & TIMES:  # a clock time the model left unlabelled or took for a number
        found += [(doc[t.i:t.i + 1], _attached(doc[t.i:t.i + 1], q, sim, c.refers)) for t in doc
                  if t.ent_type_ not in TIMES and names_unit(q.focus, t.text)]
    if q.labels & NUMBERS:  # a bare number the model left unlabelled
        found += [(doc[t.i:t.i + 1], _attached(doc[t.i:t.i + 1], q, sim, c.refers)) for t in doc
                  if t.like_num and not t.ent_type_ and t.lower_ not in q.words]
    if _takes_nouns(q):
        found += _nouns(doc, q, sim)
    if q.focus and q.wh in ("which", "what") and not q.labels <= NAMED:
        # an entity of any other label modifying the noun asked about: "what majority" is answered by "the
        # two-thirds majority", a count to the recogniser (where a name is asked, a number modifying the noun is
        # none: "the 15-year-old girl")
        found += [(e, OTHER_NAME * _attached(e, q, sim, c.refers)) for e in doc.ents
                  if e.label_ not in q.labels and e.root.head.lemma_.lower() == q.focus and e.root.head.i > e.root.i
                  and e.root.dep_ in ("nummod", "compound", "amod", "nmod", "quantmod") and not _in_question(e, q)]
    found = [(e, a * (OTHER_SUBJECT if _other_subject(e, q) else 1.0)) for e, a in found]
    if found:
        ent, attach = max(found, key=lambda f: f[1])
        c.answer, c.score = ent.text, fit * attach


def assess(question: str, passages: list[Passage], embeddings: Embeddings, least: float, threshold: float,
           articles: Mapping[str, str] | None = None) -> Assessment:
    """The answerability of a question over retrieved passages: see the module docstring. A question that
    joins several ("Who founded it, and when did it close?") is assessed part by part. `articles` holds the
    passages' whole articles by id, read for whether they name what the question names (else the passages
    are: a name can sit in a part of the article no passage holds)."""
    articles = articles or {}
    texts: dict[str, str] = {}
    for p in passages:
        if p.article_id not in texts:
            texts[p.article_id] = f"{p.title} {articles.get(p.article_id, '')}"
        if p.article_id not in articles:
            texts[p.article_id] += " " + p.text
    have = {a: name_tokens(text) for a, text in texts.items()}  # read once, for every name and part
    asked = question_parts(question)
    if len(asked) == 1:
        return _assess(analyze(question, embeddings), passages, have, embeddings, least, threshold)
    whole = analyze(question, embeddings)
    parts = []
    for part in asked:
        doc = parse_question(part)
        q = analyze(part, embeddings)
        if not q.names and any(t.tag_ in ("PRP", "PRP$") for t in doc):
            # "and how much did it pledge?": the pronoun stands for what the question named before
            q = replace(q, names=whole.names, places=whole.places, peoples=whole.peoples)
        parts.append(_assess(q, passages, have, embeddings, least, threshold))
    return _joined(parts)


def _joined(parts: list[Assessment]) -> Assessment:
    """The parts together: answered where any part is (with the best part's score; the others are named as
    unanswered), the parts' best sentences in turn."""
    answered = [p for p in parts if p.answerable]
    lead = max(answered or parts, key=lambda p: p.answerability.score)
    ranked = in_turn([p.ranked for p in parts], key=lambda s: (s.article_id, s.start))
    evidence = list(dict.fromkeys(e for p in parts for e in p.answerability.evidence))
    reason = "; ".join(p.answerability.reason for p in parts)
    # each by its question alone, without the sentence that sets the scene for both
    unanswered = [list(parse_question(p.question.text).sents)[-1].text for p in parts if not p.answerable] \
        if answered else []
    return Assessment(lead.question, Answerability(score=lead.answerability.score, reason=reason, evidence=evidence,
                                                   refused=not answered, unanswered=unanswered), ranked, parts)


def _assess(q: Question, passages: list[Passage], have: dict[str, set[str]], embeddings: Embeddings, least: float,
            threshold: float) -> Assessment:
    """`have`: each article's `name_tokens`, for the names it holds."""
    question = q.text
    best_dense = max((p.score for p in passages), default=0.0)
    # "What happened on December 10?" says little else for similarity to go on: a passage that reports the
    # day stands in for the similarity floor
    days = asked_days(question)
    on_the_day = bool(days) and any(reports_day(p.text, p.date, days) for p in passages)
    # a short question is far from every long passage by meaning; one that uses most of its words (bar the
    # noun naming the kind of answer: "which organisations") is about it
    want = content_tokens(" ".join(q.terms - {q.focus}))
    covered = max((len(want & content_tokens(f"{p.title} {p.text}")) / len(want) for p in passages), default=0.0) \
        if want else 0.0
    if best_dense < least and covered < COVERED and not on_the_day:
        return _refused(q, "nothing retrieved is about the question", best_dense, threshold)
    # an article that never names what the question names cannot answer it
    about = {a for a in have if _names_it(q, have[a])}
    if not about:
        missing = [n for n in q.names if not any(names_in(n, h) for h in have.values())]
        return _refused(q, f"no article retrieved names {', '.join(missing) or 'all of ' + ', '.join(q.names)}",
                        best_dense, threshold)
    cands = [s for s in sentences_of(passages) if s.article_id in about][:MOST_SENTENCES]
    if not cands:
        return _refused(q, "the retrieved passages hold no sentences", best_dense, threshold)
    docs = parse([c.text for c in cands])
    lemmas = [content_lemmas(d) for d in docs]
    _score_matches(q, cands, lemmas, embeddings)
    _referents(cands, docs)
    closest = max(cands, key=lambda c: c.match)
    full = min(MATCH_FULL, max(MATCH_FLOOR, closest.match))
    asked = _counts(parse_question(q.text))
    weights = [OTHER_COUNT if _other_count(doc, asked) else 1.0 for doc in docs]
    sim = WordSimilarity(embeddings)
    sim.collect()  # a dry run notes the words to compare, so they are embedded in one batch
    for c, doc, words, weight in zip(cands, docs, lemmas, weights):
        _holds(q, c, doc, words, sim, full, weight)
    sim.flush()
    for c, doc, words, weight in zip(cands, docs, lemmas, weights):
        _holds(q, c, doc, words, sim, full, weight)
    ranked = sorted(cands, key=lambda c: (-c.score, -c.match))
    best = ranked[0]
    score = decision(ranked)
    untold = [c for c in cands if c.untold and c.match >= UNTOLD_NEAR * closest.match]
    if untold and score < threshold + (1 - threshold) / 2:
        # a sentence nearly as like the question as any says it is not known, and nothing answers it outright
        told = max(untold, key=lambda c: c.match)
        return _decided(q, ranked, 0.0, "an article says this is not known", [told])
    if score < threshold:
        why = (f"no sentence gives {_kinds(q)} for {q.focus_phrase or q.predicate or 'what is asked'!r}"
               if q.kind == ENTITY else "no sentence says more than the question asks")
        return _decided(q, ranked, score, why, [closest])
    why = f"{best.answer!r} answers it" if best.answer else "a sentence answers it"
    return _decided(q, ranked, score, why, [best], refused=False)


# Fitted by bench/fit_answerability.py (logistic regression: answerable questions against near misses, over the
# question sets it names), for the inputs of `decision_inputs` in order, and the intercept.
DECISION_WEIGHTS = (1.181, -4.276, 1.362)
DECISION_BIAS = 3.505
SCORE_FLOOR = 0.1  # added to the best score before its logarithm: a score near 0 weighs little more than 0 does


def decision_inputs(ranked: list[Sentence]) -> tuple[float, float, float]:
    """What the decision weighs, of the scored sentences (best first): the logarithm of the best sentence's score,
    how closely any sentence matches the question, and the score of that closest sentence."""
    closest = max(ranked, key=lambda c: c.match)
    return math.log(ranked[0].score + SCORE_FLOOR), closest.match, closest.score


def decision(ranked: list[Sentence]) -> float:
    """The answerability of scored sentences, a probability: how likely a question whose sentences score so is
    answerable; 0 when no sentence holds an answer, 1 when one matches the question in full and holds its answer
    firmly attached. A question the articles' words match closely should find its answer plainly, and the sentence
    most like it should hold one; a question put in other words matches every sentence less, the one that answers
    it too."""
    if ranked[0].score <= 0 or ranked[0].score >= 1:
        return min(1.0, ranked[0].score)
    x = sum(w * v for w, v in zip(DECISION_WEIGHTS, decision_inputs(ranked))) + DECISION_BIAS
    return 1 / (1 + math.exp(-x))


KIND_WORDS = {"PERSON": "person", "NORP": "group", "ORG": "organisation", "GPE": "place", "LOC": "place",
              "FAC": "place", "DATE": "date", "TIME": "time", "CARDINAL": "number", "QUANTITY": "number",
              "MONEY": "amount", "PERCENT": "percentage", "PRODUCT": "name", "EVENT": "name",
              "WORK_OF_ART": "name", "LAW": "name"}


def _kinds(q: Question) -> str:
    """The expected answer in a reader's words: "a person, group or organisation"; "a name or a noun" where a
    common noun answers too."""
    labels = q.labels
    words = list(dict.fromkeys(KIND_WORDS.get(lb, "name") for lb in sorted(labels, key=list(KIND_WORDS).index)))
    if len(words) > 3:
        said = "name" if labels <= NAMED else "number or date" if not labels & NAMED else "name or number"
    else:
        said = words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
    said = ("an " if said[0] in "aeiou" else "a ") + said
    return f"{said} or a noun" if _takes_nouns(q) else said


def _refused(q: Question, reason: str, relevance: float, threshold: float) -> Assessment:
    """Refused before any sentence is scored: the score is the passages' relevance scaled below the threshold."""
    return Assessment(q, Answerability(score=round(min(relevance, 1.0) * threshold, 3), reason=reason, evidence=[],
                                       refused=True))


def _decided(q: Question, ranked: list[Sentence], score: float, reason: str, evidence: list[Sentence],
             refused: bool = True) -> Assessment:
    return Assessment(q, Answerability(score=round(score, 3), reason=reason, refused=refused,
                                       evidence=[e.text for e in evidence]), ranked)
