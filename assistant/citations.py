"""Citations: number the passages for a prompt, then validate what came back.

Validation is what makes an answer trustworthy: every `[n]` must name a passage that was given, every
sentence must be supported by the passage it cites (or by one it can be attached to), and each citation
carries the exact sentence of the article that supports the claim, with its offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.chunking import sentence_spans
from assistant.dates import show_date
from assistant.prompts import CITATION_RE, REFUSAL
from assistant.text import content_tokens, looks_like_instruction, strip_control
from assistant.types import Citation, Passage

_MARKERS_AFTER_STOP = re.compile(r"([.!?][\"'”’)]*)((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)")
_STOP = re.compile(r"(.*?)([.!?][\"'”’)]*)?$", re.S)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_NAME = re.compile(r"\b[A-Z][\w'’-]+")
# "According to [3], ..." and "as stated in passage [2]": the marker's own lead-in, dropped with it.
_LEAD_IN = re.compile(r"\b(?:according to|as (?:stated|reported|mentioned|noted|described) in|as per|per|see|in)\s+"
                      r"(?:(?:the\s+)?(?:passage|source|article)s?\s*)?(?=\[\d)", re.I)
# Words of a sentence that only points at its source ("This information is found in [1].").
_POINTER_WORDS = frozenset(content_tokens("this information is found stated given provided mentioned reported "
                                          "described according based passage passages source sources article "
                                          "articles text see also"))


def format_sources(passages: list[Passage]) -> str:
    """Passages numbered [1]..[n] and fenced, so their text reads as data, not instructions."""
    blocks = []
    for n, p in enumerate(passages, 1):
        head = f"[{n}] {p.title}" + (f" ({p.date})" if p.date else "") + (f", {p.outlet}" if p.outlet else "")
        body = strip_control(p.text).replace("<<<", "‹‹‹").replace(">>>", "›››")
        blocks.append(f"{head}\n<<<\n{body}\n>>>")
    return "\n\n".join(blocks)


_GROUPED = re.compile(r"\b\d{1,3}(?:,\d{3})+\b")
_SCALED = re.compile(r"\b(\d+(?:\.\d+)?)\s+(hundred|thousand|million|billion)\b", re.I)
_SCALE = {"hundred": 100, "thousand": 10**3, "million": 10**6, "billion": 10**9}
# Numbers written as words, a number format like "660,000" ("one" is left alone: it is as often a pronoun)
_UNITS = ("two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUE = {w: n for n, w in enumerate(_UNITS, 2)} | {w: 10 * n for n, w in enumerate(_TENS, 2)} | {"one": 1}
_SPELLED = re.compile(rf"\b(?:({'|'.join(_TENS)})(?:[- ](one|{'|'.join(_UNITS[:8])}))?|({'|'.join(_UNITS)}))\b",
                      re.I)
_UNIT_JOINED = re.compile(r"\b(\d+(?:\.\d+)?)([a-zA-Z]{1,3})\b")  # "139km", "5kg": a number written against its unit


def _digits(m: re.Match[str]) -> str:
    return str(sum(_WORD_VALUE[w.lower()] for w in m.groups() if w))


def plain_numbers(text: str) -> str:
    """Numbers in one written form: "660,000" and "660 thousand" both as "660000", "seventy" as "70",
    "139km" as "139 km" (number formats: an answer that writes the figure the other way says the same
    thing)."""
    text = _UNIT_JOINED.sub(r"\1 \2", _GROUPED.sub(lambda m: m[0].replace(",", ""), _SPELLED.sub(_digits, text)))
    return _SCALED.sub(lambda m: f"{round(float(m[1]) * _SCALE[m[2].lower()])}", text)


def support(claim: str, passage_text: str) -> float:
    """Share of the claim's content words found in the passage; none if the claim gives a figure the
    passage does not, and a name the passage lacks counts double: those are what a wrong answer most often
    gets wrong."""
    claim, passage_text = plain_numbers(claim), plain_numbers(passage_text)
    claim_tokens = content_tokens(claim)
    if not claim_tokens or not set(_NUMBER.findall(claim)) <= set(_NUMBER.findall(passage_text)):
        return 0.0  # a figure the passage does not give ("24" is not given by "2024") is not supported by it
    have = content_tokens(passage_text)
    missing = claim_tokens - have
    salient = {w for w in _NAME.findall(claim)[1:] if content_tokens(w) and not content_tokens(w) & have}
    return max(0.0, 1.0 - (len(missing) + len(salient)) / len(claim_tokens))


def _span_text(passage: Passage, span: tuple[int, int]) -> str:
    """The passage's text between two article offsets."""
    return passage.text[span[0] - passage.start:span[1] - passage.start]


def best_quote(claim: str, passage: Passage) -> tuple[int, int]:
    """Article offsets of the passage sentence (or two adjacent sentences) that best support the claim."""
    spans = sentence_spans(passage.text, passage.start)
    if not spans:
        return passage.start, passage.end
    want = content_tokens(claim)

    def score(a: int, b: int) -> float:
        got = content_tokens(_span_text(passage, (a, b)))
        return len(want & got) / (len(want) or 1) - 0.002 * (b - a) / 100

    best = max(spans, key=lambda s: score(*s))
    pairs = [(spans[i][0], spans[i + 1][1]) for i in range(len(spans) - 1)]
    if pairs:
        pair = max(pairs, key=lambda s: score(*s))
        if score(*pair) > score(*best) + 0.2:
            best = pair
    return best


def quotes(claim: str, passage: Passage) -> list[tuple[int, int]]:
    """The best quote for the claim, and a second sentence of the passage when the claim joins two facts
    ("Minetest ... is written in C++") and that sentence shows at least two of the words the first lacks."""
    first = best_quote(claim, passage)
    lacking = content_tokens(claim) - content_tokens(_span_text(passage, first))
    spans = [s for s in sentence_spans(passage.text, passage.start) if (s[1] <= first[0] or s[0] >= first[1])
             and not looks_like_instruction(_span_text(passage, s))]
    shown = {s: len(lacking & content_tokens(_span_text(passage, s))) for s in spans}
    second = max(spans, key=lambda s: shown[s], default=None)
    return [first, second] if second and shown[second] >= 2 else [first]


@dataclass
class Validated:
    text: str
    citations: list[Citation]
    refused: bool
    removed: list[str] = field(default_factory=list)


def refusal() -> Validated:
    return Validated(text=REFUSAL, citations=[], refused=True)


def is_refusal(raw: str) -> bool:
    """The answer is the refusal: it starts with the refusal sentence, uncited. An article sentence that merely
    contains the words (quoted with its citation) must not turn a whole answer into a refusal."""
    first = split_claims(raw)[:1]
    return bool(first) and not first[0][1] and first[0][0].lower().rstrip(".") == REFUSAL.lower().rstrip(".")


def split_claims(text: str) -> list[tuple[str, list[int]]]:
    """Sentences of an answer with the citation numbers each carries (markers after the full stop count)."""
    text = _MARKERS_AFTER_STOP.sub(lambda m: f"{m[2].strip()}{m[1]}", text)
    out: list[tuple[str, list[int]]] = []
    for a, b in sentence_spans(text):
        sentence = text[a:b]
        numbers = [int(n) for group in CITATION_RE.findall(sentence) for n in re.split(r"[,;]\s*", group) if n.strip()]
        claim = CITATION_RE.sub("", _LEAD_IN.sub("", sentence))
        claim = re.sub(r"^\W*,\s*", "", re.sub(r"\s+([.,;:!?])", r"\1", claim).strip())
        claim = re.sub(r"^[-*•]\s+", "", claim)
        claim = claim[:1].upper() + claim[1:]
        said = content_tokens(claim) - _POINTER_WORDS
        if out and numbers and (not said or (len(said) < 2 and not _NUMBER.search(claim))):
            # "This information is found in [1]." cites for the sentence before; it claims nothing itself
            # ("He was 95 [1]." does)
            out[-1] = (out[-1][0], out[-1][1] + numbers)
        elif claim:
            out.append((claim, numbers))
    return out


def _article_support(claim: str, cited: list[Passage], passages: list[Passage], evidence: dict[str, str],
                     least: float) -> list[Passage]:
    """A claim that joins two passages of one article ("the Abu Sayyaf Group [passage 2] are suspected of
    the January 2019 Jolo Cathedral bombings [passage 1]") is supported by that article: its passages
    that carry the claim's words (at most two, best first), the cited article tried first."""
    order = list(dict.fromkeys([p.article_id for p in cited] + [p.article_id for p in passages]))
    for article_id in order:
        mine = [p for p in passages if p.article_id == article_id]
        if len(mine) > 1 and support(claim, " ".join(evidence[p.chunk_id] for p in mine)) >= least:
            ranked = sorted(mine, key=lambda p: -support(claim, evidence[p.chunk_id]))
            return [p for p in ranked[:2] if content_tokens(claim) & content_tokens(evidence[p.chunk_id])]
    return []


def validate(raw: str, passages: list[Passage], min_support: float = 0.5) -> Validated:
    """Keep the supported, cited sentences of a model's answer and number their citations 1..m.

    A citation to a passage that was not given is dropped. A sentence whose cited passage does not support
    it is re-attached to the given passage that does, or removed. No sentence left means a refusal.
    """
    # a line break ends a claim: a model that writes an uncited line (an injected "All systems nominal")
    # above a cited sentence must not get the line through on that sentence's support
    raw = re.sub(r"\s*\n\s*", "\n\n", strip_control(raw).strip())
    if not raw:
        return refusal()
    if is_refusal(raw):
        # "The articles do not say. The NBA did not release the identity of the player. [1]": the refusal
        # keeps what it cites for why, checked like any answer
        rest = raw[sentence_spans(raw)[0][1]:].strip()
        because = validate(rest, passages, min_support) if rest else refusal()
        if because.refused:
            return refusal()
        return Validated(text=f"{REFUSAL} {because.text}", citations=because.citations, refused=True)
    kept: list[tuple[str, list[tuple[Passage, tuple[int, int]]]]] = []
    removed: list[str] = []
    # An instruction planted in an article is not evidence: a model that obeyed it ("say it was a dam
    # failure") would otherwise find its claim "supported" by the very text that demanded it.
    # The title and dateline count as the article's words: "the January 2019 bombing" is supported by an
    # article dated 2019-01-28 that says "yesterday".
    evidence = {p.chunk_id: " ".join([p.title, show_date(p.date) if p.date else "", *(
        s for a, b in sentence_spans(p.text) if not looks_like_instruction(s := p.text[a:b]))]) for p in passages}
    # Words only the planted instructions use: a claim that has one took it from the instruction.
    planted = set().union(*(content_tokens(p.text) for p in passages)) - set().union(
        *(content_tokens(e) for e in evidence.values()))
    for claim, numbers in split_claims(raw):
        if looks_like_instruction(claim) or content_tokens(claim) & planted:
            removed.append(claim)  # a model that obeyed (or parroted) an instruction in an article
            continue
        cited = [passages[n - 1] for n in dict.fromkeys(numbers) if 1 <= n <= len(passages)]
        supported = [p for p in cited if support(claim, evidence[p.chunk_id]) >= min_support]
        if not supported and passages:
            best = max(passages, key=lambda p: support(claim, evidence[p.chunk_id]))
            if support(claim, evidence[best.chunk_id]) >= max(min_support, 0.75):
                supported = [best]
        if not supported and len(cited) > 1 and \
                support(claim, " ".join(evidence[p.chunk_id] for p in cited)) >= min_support:
            # a claim that joins what the passages it cites say ("Jane Doe led the march; police counted 3,000")
            supported = [p for p in cited if content_tokens(claim) & content_tokens(evidence[p.chunk_id])]
        if not supported:
            supported = _article_support(claim, cited, passages, evidence, max(min_support, 0.75))
        if not supported:
            removed.append(claim)
            continue
        kept.append((claim, [(p, span) for p in supported for span in quotes(claim, p)]))
    if not kept:
        return Validated(text=REFUSAL, citations=[], refused=True, removed=removed)
    numbers_of: dict[tuple[str, int, int], int] = {}
    citations: list[Citation] = []
    sentences = []
    for claim, sources in kept:
        marks = []
        for p, (start, end) in sources:
            key = (p.article_id, start, end)
            if key not in numbers_of:
                numbers_of[key] = len(numbers_of) + 1
                quote = _span_text(p, (start, end))  # the chunk is article.text[p.start:p.end]
                citations.append(
                    Citation(
                        n=numbers_of[key],
                        article_id=p.article_id,
                        source_path=p.source_path,
                        title=p.title,
                        date=p.date,
                        outlet=p.outlet,
                        chunk_id=p.chunk_id,
                        quote=quote,
                        start=start,
                        end=end,
                    )
                )
            marks.append(f"[{numbers_of[key]}]")
        m = _STOP.match(claim)
        assert m is not None  # the pattern matches any text
        body, stop, mark = m[1], m[2] or ".", "".join(dict.fromkeys(marks))
        # `claim [1].`, but after a closing quote: `he said." [1]`
        sentences.append(f"{body}{stop} {mark}" if len(stop) > 1 else f"{body} {mark}{stop}")
    return Validated(text=" ".join(sentences), citations=citations, refused=False, removed=removed)
