"""Structured evidence: the assessment's best sentences, numbered [1]..[n] best first and grouped by article
(title, date, outlet), given to a model that answers in JSON: claims, each with the numbers of the sentences
that state it, or "cannot_answer" with a reason. The JSON schema is built per question, so a sentence number
outside 1..n cannot even be written (a llama.cpp grammar enforces it; a JSON-schema endpoint validates it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from assistant.answerability import Assessment, Sentence
from assistant.prompts import REFUSAL
from assistant.text import strip_control
from assistant.types import Passage

# The evidence is most of a local answer's time (a prompt token costs about a fifth of a written one, and there
# are ten times as many). On 18 answerable fresh_a questions, 8 sentences of at most 400 characters found the
# right fact 17 times, 6 of at most 300 16 times at 0.86x the time, 5 of at most 300 16 times at 0.88x of that.
MOST_EVIDENCE = 5  # sentences given to the model, best ranked first
LONGEST_SENTENCE = 300  # characters; a run-on "sentence" (a table, a list) is cut here
LONGEST_TITLE = 60  # characters of an article's title in the evidence: which story it is, not its whole headline
MOST_CLAIMS = 2  # the questions ask for one fact; a second claim may add the one that completes it


@dataclass
class Evidence:
    text: str  # what the model reads
    sentences: list[Sentence]  # sentences[i] is number i + 1


def build_evidence(assessment: Assessment, passages: list[Passage], most: int = MOST_EVIDENCE,
                   chars: int | None = None) -> Evidence:
    """The top sentences, grouped by article in order of their best sentence, best first within each: [1] is
    the sentence the assessment ranked first. On 44 answerable fresh_a-d questions past the gate (two seeded
    samples, interleaved) the local model found 36 facts this way and 34 with each article's sentences in
    their article order, and none the other way round. `chars` caps the sentences' length together (the
    first is always given)."""
    top: list[Sentence] = []
    used = 0
    for s in assessment.ranked[:most]:
        used += min(len(s.text), LONGEST_SENTENCE)
        if top and chars is not None and used > chars:
            break
        top.append(s)
    articles = list(dict.fromkeys(s.article_id for s in top))
    ordered = [s for a in articles for s in top if s.article_id == a]
    lines: list[str] = []
    for a in articles:
        p = passages[next(s.passage_n for s in ordered if s.article_id == a) - 1]
        about = ", ".join(x for x in (p.date, p.outlet) if x)
        lines.append(f"Article: {short_title(strip_control(p.title))}" + (f" ({about})" if about else ""))
        for s in ordered:
            if s.article_id == a:
                text = strip_control(s.text).replace("\n", " ")[:LONGEST_SENTENCE]
                lines.append(f"[{ordered.index(s) + 1}] {text}")
        lines.append("")
    return Evidence("\n".join(lines).strip(), ordered)


def short_title(title: str) -> str:
    """A headline cut at a word before LONGEST_TITLE characters."""
    title = " ".join(title.split())
    if len(title) <= LONGEST_TITLE:
        return title
    return title[:LONGEST_TITLE].rsplit(" ", 1)[0].rstrip(",;:–-") + "…"


def answer_schema(n: int, strict: bool = True) -> dict[str, Any]:
    """JSON schema of an answer citing sentences 1..n. `strict` (OpenAI structured outputs) requires every key;
    otherwise "cannot_answer" may be left out, so an answer ends with its claims (a grammar-bound local model
    would otherwise spend tokens writing an empty reason after every answer)."""
    return {
        "type": "object",
        "properties": {
            "claims": {
                "type": "array",
                "maxItems": MOST_CLAIMS,
                "items": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "sentences": {"type": "array", "minItems": 1, "maxItems": 3,
                                      "items": {"type": "integer", "enum": list(range(1, n + 1))}},
                    },
                    "required": ["text", "sentences"],
                    "additionalProperties": False,
                },
            },
            "cannot_answer": {"type": "string"},
        },
        "required": ["claims", "cannot_answer"] if strict else ["claims"],
        "additionalProperties": False,
    }


def parse_reply(text: str) -> dict[str, Any]:
    """The model's JSON, tolerating a truncated end (max_tokens) and a code fence around it."""
    from langchain_core.utils.json import parse_partial_json

    body = text.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        data = json.loads(body)
    except ValueError:
        try:
            data = parse_partial_json(body)
        except ValueError:
            data = None
    return data if isinstance(data, dict) else {}


def claims_of(data: dict[str, Any]) -> list[tuple[str, list[int]]]:
    out = []
    for c in data.get("claims") or []:
        if isinstance(c, dict) and isinstance(c.get("text"), str) and c["text"].strip():
            ids = [i for i in c.get("sentences") or [] if isinstance(i, int)]
            out.append((c["text"].strip(), ids))
    return out


def shown_text(data: dict[str, Any]) -> str:
    """The answer as far as it has been written, for streaming: the claims' text, joined."""
    return " ".join(text for text, _ in claims_of(data))


def cited_text(data: dict[str, Any], evidence: Evidence) -> str | None:
    """The evidence sentences the claims cite, verbatim, each with its passage marker: what an answer whose
    own words fail validation falls back to (the model chose the sentences; the article says them)."""
    n = len(evidence.sentences)
    ids = dict.fromkeys(i for _, cites in claims_of(data) for i in cites if 1 <= i <= n)  # each once, in order
    return " ".join(f"{evidence.sentences[i - 1].text} [{evidence.sentences[i - 1].passage_n}]" for i in ids) or None


def to_raw(data: dict[str, Any], evidence: Evidence) -> str:
    """Claims as answer text with `[n]` passage markers, for `citations.validate`; no claim is the refusal."""
    parts = []
    for text, ids in claims_of(data):
        cited = [evidence.sentences[i - 1] for i in ids if 1 <= i <= len(evidence.sentences)]
        marks = "".join(f"[{n}]" for n in dict.fromkeys(s.passage_n for s in cited))
        body = text.rstrip()
        stop = body[-1] if body[-1] in ".!?" else "."
        body = body.rstrip(".!?")
        parts.append(f"{body} {marks}{stop}" if marks else f"{body}{stop}")
    return " ".join(parts) or REFUSAL
