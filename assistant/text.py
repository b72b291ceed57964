"""Text normalisation shared by the lexical index, citation checks and name-variant joining.

`skeleton` is a spelling-insensitive key for a name: `Kyzylbulag` and `Gizilbulagh` both become `kslplk`
(diacritics, vowels and soft letters dropped, voiced/unvoiced pairs merged).
"""

from __future__ import annotations

import re
import unicodedata

STOPWORDS = frozenset(
    """a an and are as at be been but by did do does for from had has have he her his how i in into is it its
    of on or she so than that the their them then there these they this to was were what when where which who
    whom whose why will with would you your about after against all also any because before being between both
    can could during each few more most other our out over said same should some such through under until up
    very while according not no""".split()
)
WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.U)
# Terminal control and escape sequences (CSI, OSC such as window titles, clipboard writes and hyperlinks),
# other C0/C1 control characters, and the invisible format characters that reorder or hide text on screen
# (bidi overrides and isolates, zero-width spaces and joiners, a stray BOM).
_CONTROL = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
    r"|[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]"
)


# A sentence written to an AI rather than to a reader: the shape of prompt injection in an article. News
# quotes people, not prompts, so a false positive costs one sentence of one answer.
_INSTRUCTION = re.compile(
    r"\[/?\s*(?:system|inst|assistant|user|admin)\s*\]|<\|im_(?:start|end)\|>|^\s*(?:system|assistant)\s*:"
    r"|\b(?:ignore|disregard|forget|override)\s+(?:all\s+|any\s+|the\s+|your\s+)*(?:previous|prior|earlier|above|"
    r"preceding|system|original)\s+(?:instructions?|rules|prompts?|messages?)"
    r"|\b(?:the|this|an?)\s+(?:ai\s+)?(?:assistant|language model|chatbot|llm)\s+(?:must|should|shall|will|is to)\b"
    r"|\byou are (?:now|no longer)\b|\bfrom now on,? (?:you|answer|reply|respond)"
    r"|\b(?:reveal|print|show|repeat) (?:your|the) (?:system )?(?:prompt|instructions)",
    re.I,
)


def looks_like_instruction(sentence: str) -> bool:
    """Whether a sentence addresses an AI (an injected instruction) instead of reporting news."""
    return bool(_INSTRUCTION.search(sentence))


def is_question(sentence: str) -> bool:
    """A sentence that asks (it ends in a question mark): an interviewer's question states nothing an answer
    or a briefing could quote as a fact. One that ends quoting a question ('... asked "What is it?"') reports."""
    return sentence.rstrip().endswith("?")


def strip_control(text: str) -> str:
    """Text safe to show in a terminal: escape sequences, control and invisible format characters removed."""
    return _CONTROL.sub("", text)


def fold(text: str) -> str:
    """Lower-case and strip diacritics: `Brudziński` -> `brudzinski`."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A light English stemmer: enough to meet plurals and simple verb forms, never over-merging names."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


_SKELETON = str.maketrans({"g": "k", "q": "k", "c": "k", "z": "s", "v": "f", "w": "f", "d": "t", "b": "p"})


def skeleton(word: str) -> str:
    """A spelling-insensitive key for a name: consonants only, soft letters and voicing folded."""
    w = fold(word)
    w = w.replace("kh", "k").replace("gh", "g").replace("ph", "f").replace("sh", "s").replace("ch", "k")
    w = re.sub(r"[aeiouyhj'’]", "", w).translate(_SKELETON)
    return re.sub(r"(.)\1+", r"\1", w)


def tokens(text: str) -> list[str]:
    """Words for the lexical index, plus a `~skeleton` token for every capitalised name of 6+ letters."""
    out: list[str] = []
    for m in WORD_RE.finditer(text):
        raw = m.group()
        word = fold(raw).replace("’", "'").removesuffix("'s")
        if word in STOPWORDS or (len(word) < 2 and not word.isdigit()):
            continue
        out.append(stem(word))
        if raw[0].isupper() and len(raw) >= 6:
            key = skeleton(raw)
            if len(key) >= 4:
                out.append("~" + key)
    return out


def content_tokens(text: str) -> set[str]:
    """The set of index tokens of a text, names' skeletons included."""
    return set(tokens(text))


# A run of capitalised words, a comma or one short lower-case word allowed between two of them ("Bureau of
# Investigation", "University of California, Los Angeles")
_NAME_RUN = re.compile(r"[A-Z][\w’'.-]*(?:(?:,\s+|\s+(?:[a-z]{1,3}\s+)?)[A-Z][\w’'.-]*)+")
_CAPITALISED = re.compile(r"\b[A-Z][^\W_]+")


ACRONYM_FROM = 3  # letters an acronym needs to be told from a word ("EPA"; "UN" carries no index word)


def initials(name: str) -> str:
    """The initials of a name's capitalised words, lower-cased: "Environmental Protection Agency" -> "epa"."""
    return "".join(w[0] for w in name.replace("-", " ").split() if w[:1].isupper()).lower()


def name_forms(text: str) -> set[str]:
    """The short forms of names a text spells out in full, as tokens: `^epa` for each acronym ("the U.S.
    Environmental Protection Agency": `^epa`, `^uepa`, every run of `ACRONYM_FROM` or more of its capitalised
    words' initials) and `=technology` for each capitalised word, which a clipped name begins ("Georgia Tech" for
    "Georgia Institute of Technology"): formats, like a date's."""
    out: set[str] = set()
    for m in _NAME_RUN.finditer(text):
        letters = initials(m.group())
        out.update("^" + letters[i:j] for i in range(len(letters)) for j in range(i + ACRONYM_FROM, len(letters) + 1))
    out.update("=" + fold(m.group()) for m in _CAPITALISED.finditer(text))
    return out
