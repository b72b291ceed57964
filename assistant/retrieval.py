"""Hybrid retrieval: dense (Chroma) + lexical (BM25 over words and name skeletons, `lexical.py`), fused by RRF.

The lexical side indexes `text.tokens`, which adds a spelling-insensitive skeleton for every name, so a
question that writes `Gizilbulagh` finds the article that writes `Kyzylbulag`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import chain, zip_longest
from typing import Any, TypeVar

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.articles import MONTH_RE, MONTHS
from assistant.lexical import LexicalIndex, load_lexical
from assistant.store import Store, date_number
from assistant.text import ACRONYM_FROM, content_tokens, initials, name_forms, skeleton, tokens
from assistant.types import Passage

RRF_K = 60
WIDE = 4  # the dense list is fetched this many times wider, to filter and date-boost without Chroma's where
DATE_BOOST = 0.5  # a passage dated in the period the question names: half a first place in one more list
_MONTH_YEAR = re.compile(MONTH_RE + r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+((?:19|20)\d{2})\b")
_YEAR = re.compile(r"\b(?:in|during|of|since)\s+((?:19|20)\d{2})\b")


def question_window(question: str) -> tuple[str, str] | None:
    """The period a question names ("in March 2019", "January 5, 2020", "in 2019"), as ISO dates from its
    first day to ten days after its last, since reports often follow the event."""
    months = [(int(y), MONTHS[m.lower()]) for m, y in _MONTH_YEAR.findall(question)]
    if months:
        first, last = min(months), max(months)
        end = date(last[0] + (last[1] == 12), last[1] % 12 + 1, 1) + timedelta(days=9)
        return date(first[0], first[1], 1).isoformat(), end.isoformat()
    years = [int(y) for y in _YEAR.findall(question)]
    if years:
        return date(min(years), 1, 1).isoformat(), date(max(years) + 1, 1, 10).isoformat()
    return None


T = TypeVar("T")


def distinct(items: Iterable[T], key: Callable[[T], Hashable]) -> list[T]:
    """The items in order, the first of each key only."""
    out: list[T] = []
    seen: set[Hashable] = set()
    for x in items:
        k = key(x)
        if k not in seen:
            seen.add(k)
            out.append(x)
    return out


def in_turn(lists: Sequence[Sequence[T]], key: Callable[[T], Hashable]) -> list[T]:
    """The lists' items taken in turn (each list's first, then each one's second, ...), the first of each key."""
    return distinct((x for x in chain.from_iterable(zip_longest(*lists)) if x is not None), key)


def mentions_name(name: str, text: str) -> bool:
    """Whether the text holds every word of a name, as itself or as a spelling variant (same skeleton):
    "Gizilbulagh" is mentioned by a text that writes "Kyzylbulag". Abbreviations ("U.S.") and single letters
    carry no index words and are not required."""
    return names_in(name, name_tokens(text))


def name_tokens(text: str) -> set[str]:
    """What `names_in` reads of a text: its content tokens and the short forms of the names it spells out."""
    return content_tokens(text) | name_forms(text)


def name_words(name: str) -> set[str]:
    """The words a name is found by: abbreviations, single letters and figures carry none."""
    return {t for t in tokens(name) if t.isalpha() and len(t) > 2}


def names_in(name: str, have: set[str]) -> bool:
    """`mentions_name` over a text's `name_tokens`, read once for many names. An acronym is named by the
    words it stands for ("EPA" by "Environmental Protection Agency"), and a name by its acronym."""
    words = name_words(name)
    if not words or _variant(words, have):
        return True
    if name.isupper() and " " not in name:
        return "^" + name.replace(".", "").lower() in have
    letters = initials(name)
    return len(letters) >= ACRONYM_FROM and len(name.split()) == len(letters) and letters in have


CLIPPED_FROM = 4  # letters a word of a name needs to stand for a longer name it begins ("Tech", "Technology")


def _variant(name: set[str], have: set[str]) -> bool:
    """Every word of the name is in the passage, as itself, as a spelling variant (same skeleton), or clipped
    from a capitalised word (`text.name_forms`)."""
    keys = {t[1:] for t in have if t.startswith("~")}
    whole = [t for t in have if t.startswith("=")]
    return all(t in have or skeleton(t) in keys or
               len(t) >= CLIPPED_FROM and any(w.startswith("=" + t) for w in whole) for t in name)


@dataclass
class Filters:
    since: str | None = None
    until: str | None = None
    outlet: str | None = None
    article_ids: list[str] | None = None

    @property
    def active(self) -> bool:
        """Whether these filters restrict anything."""
        return bool(self.since or self.until or self.outlet or self.article_ids)

    def allows(self, meta: dict[str, Any]) -> bool:
        d = meta.get("date_n")
        if self.since and (d is None or d < date_number(self.since)):
            return False
        if self.until and (d is None or d > date_number(self.until)):
            return False
        if self.outlet and meta.get("outlet") != self.outlet:
            return False
        if self.article_ids and meta.get("article_id") not in self.article_ids:
            return False
        return True


def _meta(p: Passage) -> dict[str, Any]:
    """What `Filters.allows` reads, from a passage."""
    return {"date_n": date_number(p.date), "outlet": p.outlet, "article_id": p.article_id}


class HybridRetriever(BaseRetriever):
    """Dense + lexical retrieval with reciprocal rank fusion and a per-article cap for diversity."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    store: Store
    embeddings: Embeddings
    k: int = 6
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    per_article: int = 2
    candidates: int = 40
    lexical: LexicalIndex | None = None

    def lexical_index(self) -> LexicalIndex:
        """The saved index if it is in step with the store, else one rebuilt from the store and saved."""
        if self.lexical is None:
            self.lexical = load_lexical(self.store)
        return self.lexical

    def search(self, query: str, filters: Filters | None = None, k: int | None = None,
               per_article: int | None = None) -> list[Passage]:
        """The k best passages: dense and lexical lists for the question, fused by RRF,
        boosted when their article's date falls in a period the question names, at most `per_article`
        passages from one article."""
        k = k or self.k
        per_article = per_article or self.per_article
        filters = filters or Filters()
        window = None if (filters.since or filters.until) else question_window(query)
        vector = self.embeddings.embed_query(query)
        fused: dict[str, float] = {}
        best: dict[str, Passage] = {}

        def add(ranked_ids: list[str], weight: float) -> None:
            for rank, cid in enumerate(ranked_ids):
                fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)

        dense, wide = self._dense(vector, filters)
        best.update({p.chunk_id: p for p in dense})
        add([p.chunk_id for p in dense], self.dense_weight)
        if window:
            # The question's period: the passages in it among a wider unfiltered list. A Chroma where
            # filter would find more, but costs ~250 ms a query on a 100k-chunk store, against ~5 ms.
            in_window = Filters(since=window[0], until=window[1], outlet=filters.outlet, article_ids=filters.article_ids)
            dated = [p for p in wide if in_window.allows(_meta(p))][:self.candidates]
            best.update({p.chunk_id: p for p in dated if p.chunk_id not in best})
            add([p.chunk_id for p in dated], self.dense_weight * 0.5)
        if self.lexical_weight > 0:
            index = self.lexical_index()
            allowed = np.array([filters.allows(m) for m in index.metas], dtype=bool) if filters.active else None
            add([index.ids[i] for i, _ in index.search(query, self.candidates, allowed)], self.lexical_weight)
        missing = [cid for cid in fused if cid not in best]
        for p in self.store.get_chunks(missing, vector):
            best[p.chunk_id] = p
        if window:
            lo, hi = date_number(window[0]), date_number(window[1])
            for cid, p in best.items():
                if (d := date_number(p.date)) is not None and lo <= d <= hi:  # type: ignore[operator]
                    fused[cid] = fused.get(cid, 0.0) + DATE_BOOST / (RRF_K + 1)
        out: list[Passage] = []
        per: dict[str, int] = {}
        for cid in sorted(fused, key=lambda c: -fused[c]):
            found = best.get(cid)
            if found is None or per.get(found.article_id, 0) >= per_article:
                continue
            per[found.article_id] = per.get(found.article_id, 0) + 1
            out.append(found)
            if len(out) >= k:
                break
        return out

    def _dense(self, vector: list[float], filters: Filters) -> tuple[list[Passage], list[Passage]]:
        """The `candidates` nearest chunks the filters allow, and the wider unfiltered list they came
        from. Filtering a wider list is exact when enough of it passes (the filtered ranking is a
        subsequence of the unfiltered one); only when too few pass does Chroma filter (slow on big stores)."""
        wide = self.store.query(vector, self.candidates * WIDE)
        if not filters.active:
            return wide[:self.candidates], wide
        kept = [p for p in wide if filters.allows(_meta(p))]
        if len(kept) >= self.candidates:
            return kept[:self.candidates], wide
        return self.store.query(vector, self.candidates, filters.since, filters.until, filters.outlet,
                                filters.article_ids), wide

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=p.text, metadata=p.model_dump(exclude={"text"})) for p in self.search(query)]
