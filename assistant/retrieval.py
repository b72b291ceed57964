"""Hybrid retrieval: dense (Chroma) + lexical (BM25 over words and name skeletons), fused by RRF.

The lexical side indexes `text.tokens`, which adds a spelling-insensitive skeleton for every name, so a
question that writes `Gizilbulagh` finds the article that writes `Kyzylbulag`.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.articles import MONTH_RE, MONTHS
from assistant.store import Store, date_number
from assistant.text import content_tokens, skeleton, tokens
from assistant.types import Article, Chunk, Passage

RRF_K = 60
SUBQUERY_WEIGHT = 0.5  # a part of the question counts half as much as the whole
WIDE = 4  # the dense list is fetched this many times wider, to filter and date-boost without Chroma's where
DATE_BOOST = 0.5  # a passage dated in the period the question names: half a first place in one more list
_MONTH_YEAR = re.compile(MONTH_RE + r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,?\s+((?:19|20)\d{2})\b")
_YEAR = re.compile(r"\b(?:in|during|of|since)\s+((?:19|20)\d{2})\b")
_SPLIT_CLAUSES = re.compile(r",?\s+\b(?:and|or|while|whereas|but|versus|vs\.?)\s+", re.I)


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


def subqueries(question: str, most: int = 4) -> list[str]:
    """Parts of a question that combines or compares: its sentences, else its clauses joined by
    and/or/while/but. Each part must carry at least three content words to be worth a search."""
    sentences = [p for p in re.split(r"(?<=[.?!;])\s+", question.strip()) if len(content_tokens(p)) >= 3]
    parts = [c.strip() for p in sentences for c in _SPLIT_CLAUSES.split(p)]
    parts = [p for p in dict.fromkeys(parts) if len(content_tokens(p)) >= 3]
    if len(parts) < 2:
        parts = sentences
    return parts[:most] if len(parts) > 1 else []


def mentions_name(name: str, text: str) -> bool:
    """Whether the text holds every word of a name, as itself or as a spelling variant (same skeleton):
    "Gizilbulagh" is mentioned by a text that writes "Kyzylbulag". Abbreviations ("U.S.") and single letters
    carry no index words and are not required."""
    words = {t for t in tokens(name) if t.isalpha() and len(t) > 2}
    return not words or _variant(words, content_tokens(text))


def _variant(name: set[str], have: set[str]) -> bool:
    """Every word of the name is in the passage, as itself or as a spelling variant (same skeleton)."""
    keys = {t[1:] for t in have if t.startswith("~")}
    return all(t in have or skeleton(t) in keys for t in name)


@dataclass
class LexicalIndex:
    """BM25 over the store's chunks, saved beside an embedded store. Ingest updates it in place: new
    chunks are appended, removed ones marked dead (and dropped for good once they are a quarter of the
    index). It keeps term counts rather than weights, so BM25's idf and length norms are computed at query
    time from the live chunks and an updated index scores exactly like one built from scratch."""

    ids: list[str]
    fingerprint: str
    metas: list[dict[str, Any]]  # per chunk: what filters need (article_id, date_n, outlet)
    vocab: dict[str, int]
    postings: list[np.ndarray]  # per term: chunk indices (int32)
    counts: list[np.ndarray]  # per term: its count in those chunks (float32)
    lengths: np.ndarray  # per chunk: tokens (float32)
    alive: np.ndarray  # per chunk: False once removed
    k1: float = 1.2
    b: float = 0.75

    @classmethod
    def build(cls, ids: list[str], texts: list[str], metas: list[dict[str, Any]], fingerprint: str) -> LexicalIndex:
        index = cls([], fingerprint, [], {}, [], [], np.zeros(0, np.float32), np.zeros(0, bool))
        index.add(ids, texts, metas)
        return index

    def add(self, ids: list[str], texts: list[str], metas: list[dict[str, Any]]) -> None:
        """Append chunks; each touched term's postings grow once per call."""
        base = len(self.ids)
        grown: dict[int, tuple[list[int], list[int]]] = {}
        lengths = []
        for i, text in enumerate(texts, base):
            doc = tokens(text)
            lengths.append(len(doc))
            counts: dict[str, int] = {}
            for t in doc:
                counts[t] = counts.get(t, 0) + 1
            for t, c in counts.items():
                tid = self.vocab.setdefault(t, len(self.vocab))
                rows, tfs = grown.setdefault(tid, ([], []))
                rows.append(i)
                tfs.append(c)
        for tid, (rows, tfs) in grown.items():
            if tid == len(self.postings):
                self.postings.append(np.array(rows, np.int32))
                self.counts.append(np.array(tfs, np.float32))
            else:
                self.postings[tid] = np.concatenate([self.postings[tid], np.array(rows, np.int32)])
                self.counts[tid] = np.concatenate([self.counts[tid], np.array(tfs, np.float32)])
        keep = ("article_id", "date_n", "outlet")
        self.ids += ids
        self.metas += [{k: m[k] for k in keep if k in m} for m in metas]
        self.lengths = np.concatenate([self.lengths, np.array(lengths, np.float32)])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), bool)])

    def add_article(self, article: Article, chunks: list[Chunk]) -> None:
        meta = {"article_id": article.id, "date_n": date_number(article.date), "outlet": article.outlet}
        self.add([c.id for c in chunks], [lexical_text(article.title, c.text) for c in chunks],
                 [{k: v for k, v in meta.items() if v is not None}] * len(chunks))

    def remove_articles(self, article_ids: set[str]) -> None:
        """Mark the chunks of these articles dead; compact once the dead are a quarter of the index."""
        if not article_ids:
            return
        for i, m in enumerate(self.metas):
            if m.get("article_id") in article_ids:
                self.alive[i] = False
        if (~self.alive).sum() * 4 > len(self.ids):
            self._compact()

    def _compact(self) -> None:
        renumber = np.cumsum(self.alive) - 1
        for tid, rows in enumerate(self.postings):
            live = self.alive[rows]
            self.postings[tid] = renumber[rows[live]].astype(np.int32)
            self.counts[tid] = self.counts[tid][live]
        self.ids = [i for i, a in zip(self.ids, self.alive) if a]
        self.metas = [m for m, a in zip(self.metas, self.alive) if a]
        self.lengths = self.lengths[self.alive]
        self.alive = np.ones(len(self.ids), bool)

    def live_ids(self) -> list[str]:
        return [i for i, a in zip(self.ids, self.alive) if a]

    def search(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        scores = np.zeros(len(self.ids), dtype=np.float32)
        live_n = int(self.alive.sum())
        if not live_n or n <= 0:
            return []
        avg = float(self.lengths[self.alive].mean()) or 1.0
        for t in set(tokens(query)):
            tid = self.vocab.get(t)
            if tid is None:
                continue
            rows, tf = self.postings[tid], self.counts[tid]
            live = self.alive[rows]
            df = int(live.sum())
            if not df:
                continue
            idf = np.log(1.0 + (live_n - df + 0.5) / (df + 0.5))
            norm = self.k1 * (1 - self.b + self.b * self.lengths[rows] / avg)
            scores[rows] += live * (idf * tf * (self.k1 + 1) / (tf + norm)).astype(np.float32)
        if allowed is not None:
            scores[~allowed] = 0.0
        # Only the chunks holding a query word can rank, and only n of them are wanted: sorting those few
        # instead of every chunk is what a query costs on a 100k-chunk index (argsort alone was ~8 ms).
        hits = np.flatnonzero(scores > 0)
        if len(hits) > n:
            hits = hits[np.argpartition(-scores[hits], n - 1)[:n]]
        top = hits[np.lexsort((hits, -scores[hits]))]  # best first; ties in index order
        return [(int(i), float(scores[i])) for i in top]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        # a tmp name of its own: an ask during an ingest (or two asks) may rebuild at the same time, and a
        # shared tmp file would let one process rename the other's half-written index into place
        tmp = folder / f"lexical.npz.{os.getpid()}.{threading.get_ident()}.tmp"
        sizes = np.array([len(p) for p in self.postings], dtype=np.int64)
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                sizes=sizes,
                postings=np.concatenate(self.postings) if self.postings else np.zeros(0, np.int32),
                counts=np.concatenate(self.counts) if self.counts else np.zeros(0, np.float32),
                lengths=self.lengths,
                alive=self.alive,
                meta=np.frombuffer(json.dumps({"ids": self.ids, "fingerprint": self.fingerprint, "metas": self.metas,
                                                "vocab": self.vocab}).encode(), dtype=np.uint8),
            )
        tmp.replace(folder / "lexical.npz")  # atomic: a reader sees the old index or the new one

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        path = folder / "lexical.npz"
        if not path.exists():
            return None
        try:
            with np.load(path) as data:
                meta = json.loads(data["meta"].tobytes())
                splits = np.cumsum(data["sizes"])[:-1]
                postings = np.split(data["postings"], splits) if len(data["sizes"]) else []
                counts = np.split(data["counts"], splits) if len(data["sizes"]) else []
                lengths, alive = data["lengths"], data["alive"]
            if len(lengths) != len(meta["ids"]) or len(alive) != len(meta["ids"]):
                return None
            return cls(meta["ids"], meta["fingerprint"], meta["metas"], meta["vocab"], postings, counts, lengths, alive)
        except Exception:
            return None  # a damaged or older index is rebuilt from the store


def build_lexical(store: Store, fingerprint: str) -> LexicalIndex:
    """Build the lexical index from the store's chunks and save it where the store's derived files live."""
    ids, texts, metas = store.chunk_records(include_text=True)
    titled = [lexical_text(m.get("title", ""), t) for t, m in zip(texts, metas)]
    index = LexicalIndex.build(ids, titled, metas, fingerprint)
    index.save(store.lexical_dir())
    return index


def lexical_for_update(store: Store) -> LexicalIndex | None:
    """The saved lexical index if it is in step with the store (so an ingest can update it), else None."""
    index = LexicalIndex.load(store.lexical_dir())
    return index if index is not None and index.fingerprint == store.fingerprint() else None


def save_lexical(store: Store, index: LexicalIndex | None) -> LexicalIndex:
    """Save an index an ingest updated, stamped with the store's new fingerprint; with none, build one."""
    fingerprint = store.fingerprint()
    if index is None:
        return build_lexical(store, fingerprint)
    if index.fingerprint == fingerprint:
        return index  # nothing changed: an unchanged re-ingest writes nothing
    index.fingerprint = fingerprint
    index.save(store.lexical_dir())
    return index


def lexical_text(title: str, text: str) -> str:
    """What the lexical index reads of a chunk: its article's title, then its text."""
    return f"{title}\n{text}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def check_lexical(store: Store, fix: bool = False) -> str:
    """Whether the saved lexical index agrees with the store: `ok`, `missing`, `damaged` or `stale` (built
    from other chunks than the store holds); with fix=True a disagreeing index is rebuilt (`rebuilt`).
    Compares the chunk ids themselves, not only the fingerprint, so an index that merely carries the
    right fingerprint over the wrong chunks is caught too."""
    folder = store.lexical_dir()
    fingerprint = store.fingerprint()
    index = LexicalIndex.load(folder)
    if index is None:
        state = "damaged" if (folder / "lexical.npz").exists() else "missing"
    else:
        ids, _, _ = store.chunk_records(include_text=False)
        same = index.fingerprint == fingerprint and sorted(index.live_ids()) == sorted(ids)
        state = "ok" if same else "stale"
    if fix:
        for tmp in folder.glob("lexical.npz.*.tmp"):  # left by a process killed while saving
            pid = tmp.name.split(".")[2]
            if pid.isdigit() and not _alive(int(pid)):
                tmp.unlink(missing_ok=True)
    if fix and state != "ok":
        build_lexical(store, fingerprint)
        return "rebuilt"
    return state


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
        """The saved index if its fingerprint still matches the store's, else one rebuilt from the store's
        chunks and saved. For a Chroma server the copy lives in the cache and is checked the same way, so
        it never silently diverges from the server's collection."""
        if self.lexical is not None:
            return self.lexical
        folder = self.store.lexical_dir()
        fingerprint = self.store.fingerprint()
        index = LexicalIndex.load(folder)
        if index is None or index.fingerprint != fingerprint:
            index = build_lexical(self.store, fingerprint)
        self.lexical = index
        return index

    def search(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[Passage]:
        """The k best passages: dense and lexical lists for the question and its parts, fused by RRF,
        boosted when their article's date falls in a period the question names, at most `per_article`
        passages from one article."""
        k = k or self.k
        filters = filters or Filters()
        window = None if (filters.since or filters.until) else question_window(query)
        queries = [query, *subqueries(query)]
        vectors = self.embeddings.embed_documents(queries) if len(queries) > 1 else [self.embeddings.embed_query(query)]
        fused: dict[str, float] = {}
        best: dict[str, Passage] = {}

        def add(ranked_ids: list[str], weight: float) -> None:
            for rank, cid in enumerate(ranked_ids):
                fused[cid] = fused.get(cid, 0.0) + weight / (RRF_K + rank + 1)

        index = self.lexical_index() if self.lexical_weight > 0 else None
        allowed = None
        if index is not None and filters.active:
            allowed = np.array([filters.allows(m) for m in index.metas], dtype=bool)
        in_window = Filters(since=window[0], until=window[1], outlet=filters.outlet,
                            article_ids=filters.article_ids) if window else None
        for n, (q, vector) in enumerate(zip(queries, vectors)):
            weight = 1.0 if n == 0 else SUBQUERY_WEIGHT
            dense, wide = self._dense(vector, filters)
            for p in dense:
                if p.chunk_id not in best or p.score > best[p.chunk_id].score:
                    best[p.chunk_id] = p
            add([p.chunk_id for p in dense], self.dense_weight * weight)
            if in_window:
                # The question's period: the passages in it among a wider unfiltered list. A Chroma where
                # filter would find more, but costs ~250 ms a query on a 100k-chunk store, against ~5 ms.
                dated = [p for p in wide if in_window.allows(_meta(p))][:self.candidates]
                best.update({p.chunk_id: p for p in dated if p.chunk_id not in best})
                add([p.chunk_id for p in dated], self.dense_weight * weight * 0.5)
            if index is not None:
                add([index.ids[i] for i, _ in index.search(q, self.candidates, allowed)], self.lexical_weight * weight)
        missing = [cid for cid in fused if cid not in best]
        for p in self.store.get_chunks(missing, vectors[0]):
            best[p.chunk_id] = p
        if window:
            lo, hi = date_number(window[0]), date_number(window[1])
            for cid, p in best.items():
                if (d := date_number(p.date)) is not None and lo <= d <= hi:  # type: ignore[operator]
                    fused[cid] = fused.get(cid, 0.0) + DATE_BOOST / (RRF_K + 1)
        out: list[Passage] = []
        per: dict[str, int] = {}
        for cid in sorted(fused, key=lambda c: -fused[c]):
            p = best.get(cid)
            if p is None or per.get(p.article_id, 0) >= self.per_article:
                continue
            per[p.article_id] = per.get(p.article_id, 0) + 1
            out.append(p)
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
