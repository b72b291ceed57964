"""Hybrid retrieval: dense (Chroma) + lexical (BM25 over words and name skeletons), fused by RRF.

The lexical side indexes `text.tokens`, which adds a spelling-insensitive skeleton for every name, so a
question that writes `Gizilbulagh` finds the article that writes `Kyzylbulag`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.store import Store, date_number
from assistant.text import tokens
from assistant.types import Passage

RRF_K = 60


@dataclass
class LexicalIndex:
    """BM25 over the store's chunks, saved beside an embedded store and rebuilt when the store changes."""

    ids: list[str]
    fingerprint: str
    vocab: dict[str, int]
    postings: list[np.ndarray]  # per term: chunk indices
    weights: list[np.ndarray]  # per term: BM25 term weights for those chunks
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0))

    @staticmethod
    def fingerprint_of(ids: list[str]) -> str:
        return hashlib.sha1("\n".join(sorted(ids)).encode()).hexdigest()

    @classmethod
    def build(cls, ids: list[str], texts: list[str], k1: float = 1.2, b: float = 0.75) -> "LexicalIndex":
        docs = [tokens(t) for t in texts]
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if len(docs) else 1.0
        vocab: dict[str, int] = {}
        rows: list[list[tuple[int, int]]] = []
        for i, doc in enumerate(docs):
            counts: dict[str, int] = {}
            for t in doc:
                counts[t] = counts.get(t, 0) + 1
            for t, c in counts.items():
                tid = vocab.setdefault(t, len(vocab))
                if tid == len(rows):
                    rows.append([])
                rows[tid].append((i, c))
        n = len(docs)
        df = np.array([len(r) for r in rows], dtype=np.float32)
        idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
        postings, weights = [], []
        for tid, row in enumerate(rows):
            idx = np.array([i for i, _ in row], dtype=np.int32)
            tf = np.array([c for _, c in row], dtype=np.float32)
            norm = k1 * (1 - b + b * lengths[idx] / max(avg, 1e-9))
            postings.append(idx)
            weights.append((idf[tid] * tf * (k1 + 1) / (tf + norm)).astype(np.float32))
        return cls(ids, cls.fingerprint_of(ids), vocab, postings, weights, idf)

    def search(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        scores = np.zeros(len(self.ids), dtype=np.float32)
        for t in set(tokens(query)):
            tid = self.vocab.get(t)
            if tid is not None:
                scores[self.postings[tid]] += self.weights[tid]
        if allowed is not None:
            scores[~allowed] = 0.0
        top = np.argsort(-scores)[:n]
        return [(int(i), float(scores[i])) for i in top if scores[i] > 0]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / "lexical.npz.tmp"
        lengths = np.array([len(p) for p in self.postings], dtype=np.int64)
        with open(tmp, "wb") as fh:
            np.savez(
                fh,
                lengths=lengths,
                postings=np.concatenate(self.postings) if self.postings else np.zeros(0, np.int32),
                weights=np.concatenate(self.weights) if self.weights else np.zeros(0, np.float32),
                meta=np.frombuffer(json.dumps({"ids": self.ids, "fingerprint": self.fingerprint, "vocab": self.vocab}).encode(), dtype=np.uint8),
            )
        tmp.replace(folder / "lexical.npz")  # atomic: a reader sees the old index or the new one

    @classmethod
    def load(cls, folder: Path) -> "LexicalIndex | None":
        path = folder / "lexical.npz"
        if not path.exists():
            return None
        try:
            with np.load(path) as data:
                meta = json.loads(data["meta"].tobytes())
                splits = np.cumsum(data["lengths"])[:-1]
                postings = np.split(data["postings"], splits) if len(data["lengths"]) else []
                weights = np.split(data["weights"], splits) if len(data["lengths"]) else []
        except Exception:
            return None  # a damaged index is rebuilt from the store
        return cls(meta["ids"], meta["fingerprint"], meta["vocab"], postings, weights)


@dataclass
class Filters:
    since: str | None = None
    until: str | None = None
    outlet: str | None = None
    article_ids: list[str] | None = None

    def where(self) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if self.since:
            clauses.append({"date_n": {"$gte": date_number(self.since)}})
        if self.until:
            clauses.append({"date_n": {"$lte": date_number(self.until)}})
        if self.outlet:
            clauses.append({"outlet": self.outlet})
        if self.article_ids:
            clauses.append({"article_id": {"$in": list(self.article_ids)}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

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
    metas: list[dict[str, Any]] | None = None

    def lexical_index(self) -> LexicalIndex:
        """The saved index if it still matches the store's chunks, else a fresh one (saved when embedded)."""
        if self.lexical is not None:
            return self.lexical
        folder = self.store.settings.store / "lexical"
        ids, texts, metas = self.store.chunk_records(include_text=True)
        index = None if self.store.settings.server_mode else LexicalIndex.load(folder)
        if index is None or index.fingerprint != LexicalIndex.fingerprint_of(ids):
            index = LexicalIndex.build(ids, [f"{m.get('title', '')}\n{t}" for t, m in zip(texts, metas)])
            if not self.store.settings.server_mode:
                index.save(folder)
        by_id = dict(zip(ids, metas))
        self.metas = [by_id[i] for i in index.ids]
        self.lexical = index
        return index

    def search(self, query: str, filters: Filters | None = None, k: int | None = None) -> list[Passage]:
        k = k or self.k
        filters = filters or Filters()
        vector = self.embeddings.embed_query(query)
        dense = self.store.query(vector, self.candidates, filters.where())
        fused: dict[str, float] = {}
        best: dict[str, Passage] = {}
        for rank, p in enumerate(dense):
            fused[p.chunk_id] = self.dense_weight / (RRF_K + rank + 1)
            best[p.chunk_id] = p
        relevance = {p.chunk_id: p.score for p in dense}
        if self.lexical_weight > 0:
            index = self.lexical_index()
            assert self.metas is not None
            allowed = None
            if filters.where():
                allowed = np.array([filters.allows(m) for m in self.metas], dtype=bool)
            lex = index.search(query, self.candidates, allowed)
            for rank, (i, _) in enumerate(lex):
                cid = index.ids[i]
                fused[cid] = fused.get(cid, 0.0) + self.lexical_weight / (RRF_K + rank + 1)
            missing = [index.ids[i] for i, _ in lex if index.ids[i] not in best]
            if missing:
                got = self.store.get_chunks(missing)
                vecs = self.embeddings.embed_documents([p.text for p in got]) if got else []
                for p, v in zip(got, vecs):
                    p.score = float(np.dot(vector, v))
                    best[p.chunk_id] = p
                    relevance[p.chunk_id] = p.score
        ranked = sorted(fused, key=lambda c: -fused[c])
        out: list[Passage] = []
        per: dict[str, int] = {}
        for cid in ranked:
            p = best.get(cid)
            if p is None or per.get(p.article_id, 0) >= self.per_article:
                continue
            per[p.article_id] = per.get(p.article_id, 0) + 1
            p.score = relevance.get(cid, 0.0)
            out.append(p)
            if len(out) >= k:
                break
        return out

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        return [Document(page_content=p.text, metadata=p.model_dump(exclude={"text"})) for p in self.search(query)]
