"""Wire copies and rewrites, found at briefing time: versions of one story, and sentences said again.

Wire services publish several versions of one story (a correction, a later toll, a rewrite for another
desk), and outlets reprint them. A briefing should read each thing once and say how many carried it.

- *Versions of one story*: articles whose word 5-gram shingles mostly coincide. Containment (shared
  shingles over the smaller article's) is 0.62 for the two versions in tests/data/wire and at most 0.09
  between different wikinews articles on one story (follow-ups repeat background, not whole paragraphs):
  `VERSION_MIN` = 0.3 sits between.
- *The same claim*: two sentences that say one thing, verbatim or reworded. MiniLM cosine is 0.91 to
  0.98 for the rewrites in tests/data/wire, but also 0.92 to 0.94 for different facts in one template
  ("The cut-off for a category 2 hurricane ... 96 mph" / "category 4 ... 130 mph"). So a claim needs
  `SAME_COSINE` (0.9) and the same numbers, or most of the same content words (`SAME_WORDS`).

At this size (tens of articles, hundreds of sentences) exact shingle sets and a cosine matrix are cheaper
than MinHash sketches and need no extra dependency.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from assistant.text import WORD_RE, fold

VERSION_MIN = 0.3
SAME_COSINE = 0.9
SAME_WORDS = 0.7
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def shingles(text: str, n: int = 5) -> set[int]:
    words = [fold(w) for w in WORD_RE.findall(text)]
    return {hash(tuple(words[i:i + n])) for i in range(max(1, len(words) - n + 1))}


def containment(a: set[int], b: set[int]) -> float:
    return len(a & b) / (min(len(a), len(b)) or 1)


def story_versions(texts: Sequence[str]) -> list[int]:
    """For each text, the index of the first text it is a version of (itself when it is the first)."""
    sets = [shingles(t) for t in texts]
    parent = list(range(len(texts)))
    for i in range(len(texts)):
        for j in range(i):
            if parent[j] == j and containment(sets[i], sets[j]) >= VERSION_MIN:
                parent[i] = j
                break
    return parent


def jaccard(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> float:
    return len(a & b) / (len(a | b) or 1)


def numbers(text: str) -> set[str]:
    return set(_NUMBER.findall(text))


def same_claims(texts: Sequence[str], words: Sequence[frozenset[str]], vectors: np.ndarray | None) -> list[int]:
    """Groups of sentences that say the same thing: for each sentence, the index of its group's first."""
    n = len(texts)
    parent = list(range(n))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sims = vectors @ vectors.T if vectors is not None and n else None
    nums = [numbers(t) for t in texts]
    for i in range(n):
        for j in range(i):
            if root(i) == root(j):
                continue
            close = sims is not None and sims[i, j] >= SAME_COSINE and nums[i] == nums[j]
            if close or jaccard(words[i], words[j]) >= SAME_WORDS:
                parent[root(i)] = root(j)
    return [root(i) for i in range(n)]
