"""The only module that imports chromadb: open the store, write articles atomically, delete, query.

Two collections: `<name>` holds the chunks (text, metadata, embedding) and `<name>_articles` holds one
record per article (full text and metadata). An article's record is written after its chunks and deleted
before them, so the record is the commit marker: chunks without a record are leftovers of an interrupted
ingest, and `check(fix=True)` removes them. Readers only trust chunks whose article has a record.

It also owns Chroma's `where` dialect (`where_filter`; callers pass dates, outlet and article ids) and knows
where every file derived from the store lives: the lexical index (`lexical_dir`) and the write lock.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from assistant.errors import StoreError
from assistant.settings import Settings
from assistant.types import Article, Chunk, Passage

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

PAGE = 2000


def _clean(meta: dict[str, Any]) -> dict[str, Any]:
    """Chroma metadata takes no None values."""
    return {k: v for k, v in meta.items() if v is not None}


def date_number(date: str | None) -> int | None:
    """YYYY-MM-DD as the integer YYYYMMDD, which Chroma can compare in a where filter."""
    return int(date.replace("-", "")) if date else None


class Store:
    """A Chroma store of articles and their chunks, embedded on disk or on a Chroma server."""

    # Chroma's collections, read as plain dicts and lists: its result types change from release to release
    chunks: Any
    articles: Any

    def __init__(self, settings: Settings, embedding_name: str, create: bool = False) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.settings = settings
        self.embedding_name = embedding_name
        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        if settings.server_mode:
            where = f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
            try:
                self.client = chromadb.HttpClient(
                    host=str(settings.chroma_host), port=settings.chroma_port, settings=chroma_settings
                )
                self.client.heartbeat()
            except Exception as exc:
                raise StoreError(
                    f"cannot reach the {where}: {type(exc).__name__}",
                    "start it with `chroma run --path DIR --host H --port P`, or unset CHROMA_HOST",
                ) from None
        else:
            where = str(settings.store)
            if not create and not (settings.store / "chroma.sqlite3").exists():
                raise StoreError(f"no store at {where}", "run `assistant ingest PATH...` first, or pass --store DIR")
            settings.store.mkdir(parents=True, exist_ok=True)
            self.client = chromadb.PersistentClient(path=str(settings.store), settings=chroma_settings)
        self.where = where
        name = settings.collection
        try:
            if create:
                meta = {"embedding": embedding_name, "hnsw:space": "cosine"}
                self.chunks = self.client.get_or_create_collection(name, metadata=meta, embedding_function=None)
                self.articles = self.client.get_or_create_collection(
                    f"{name}_articles", metadata=meta, embedding_function=None
                )
            else:
                self.chunks = self.client.get_collection(name, embedding_function=None)
                self.articles = self.client.get_collection(f"{name}_articles", embedding_function=None)
        except Exception as exc:
            if "does not exist" in str(exc) or "NotFound" in type(exc).__name__:
                raise StoreError(f"the store at {where} has no articles yet", "run `assistant ingest PATH...`") from None
            raise StoreError(f"cannot open the store at {where}: {exc}", "check the path or server") from None
        recorded = (self.chunks.metadata or {}).get("embedding")
        if recorded and recorded != embedding_name:
            raise StoreError(
                f"the store at {where} was built with embedding model {recorded!r}, not {embedding_name!r}",
                "use the same ASSISTANT_EMBEDDING as when it was built, or ingest into a new --store",
            )

    def close(self) -> None:
        """Release the client (an embedded one drops its in-memory vector index with it)."""
        close = getattr(self.client, "close", None)
        if close:
            close()

    # ---- writing ----------------------------------------------------------------------------------

    @contextmanager
    def writer(self) -> Iterator[None]:
        """Hold the store's write lock: one ingest at a time per store folder. A second one fails at once
        rather than queueing behind an ingest that may take minutes. The lock is the OS's (flock, never
        filelock's soft fallback, whose marker file would outlive a kill), so a killed ingest releases it."""
        lock = FileLock(self.lock_path(), timeout=0, fallback_to_soft=False)
        try:
            lock.acquire()
        except Timeout:
            raise StoreError(
                f"another ingest is writing to {self.where}", "wait for it to finish, then run this again"
            ) from None
        try:
            yield
        finally:
            lock.release()

    def write(self, items: Sequence[tuple[Article, list[Chunk], list[list[float]]]]) -> None:
        """Write articles with their chunks and embeddings: all chunks first, then the article records."""
        ids, docs, metas, vecs = [], [], [], []
        for article, chunks, vectors in items:
            for chunk, vector in zip(chunks, vectors, strict=True):
                ids.append(chunk.id)
                docs.append(chunk.text)
                vecs.append(vector)
                metas.append(
                    _clean(
                        {
                            "article_id": article.id,
                            "source_path": article.source_path,
                            "title": article.title,
                            "date": article.date,
                            "date_n": date_number(article.date),
                            "outlet": article.outlet,
                            "index": chunk.index,
                            "start": chunk.start,
                            "end": chunk.end,
                        }
                    )
                )
        for s in range(0, len(ids), PAGE):
            self.chunks.upsert(
                ids=ids[s:s + PAGE], documents=docs[s:s + PAGE], metadatas=metas[s:s + PAGE], embeddings=vecs[s:s + PAGE]
            )
        now = time.time()
        self.articles.upsert(
            ids=[a.id for a, _, _ in items],
            documents=[a.text for a, _, _ in items],
            embeddings=[v[0] for _, _, v in items],
            metadatas=[
                _clean(
                    {
                        "source_path": a.source_path,
                        "title": a.title,
                        "date": a.date,
                        "date_n": date_number(a.date),
                        "outlet": a.outlet,
                        "url": a.url,
                        "dateline": a.dateline,
                        "chunks": len(c),
                        "ingested_at": now,
                    }
                )
                for a, c, _ in items
            ],
        )

    def delete(self, article_ids: Sequence[str]) -> None:
        """Remove articles: the record first (so the article is gone at once), then its chunks."""
        if not article_ids:
            return
        self.articles.delete(ids=list(article_ids))
        for article_id in article_ids:
            self.chunks.delete(where={"article_id": article_id})

    def set_summary(self, article_id: str, summary: str) -> None:
        record = self.articles.get(ids=[article_id], include=["metadatas"])
        if record["ids"]:
            meta = dict(record["metadatas"][0])
            meta["summary"] = summary
            self.articles.update(ids=[article_id], metadatas=[meta])

    # ---- reading ----------------------------------------------------------------------------------

    def article_records(self) -> dict[str, dict[str, Any]]:
        """Every committed article's metadata, by article id."""
        out: dict[str, dict[str, Any]] = {}
        offset = 0
        while True:
            page = self.articles.get(include=["metadatas"], limit=PAGE, offset=offset)
            for id_, meta in zip(page["ids"], page["metadatas"]):
                out[id_] = dict(meta or {})
            if len(page["ids"]) < PAGE:
                return out
            offset += PAGE

    def chunk_records(self, include_text: bool = True) -> tuple[list[str], list[str], list[dict[str, Any]]]:
        ids: list[str] = []
        docs: list[str] = []
        metas: list[dict[str, Any]] = []
        offset = 0
        include = ["metadatas", "documents"] if include_text else ["metadatas"]
        while True:
            page = self.chunks.get(include=include, limit=PAGE, offset=offset)
            ids += page["ids"]
            metas += [dict(m or {}) for m in page["metadatas"]]
            if include_text:
                docs += page["documents"]
            if len(page["ids"]) < PAGE:
                return ids, docs, metas
            offset += PAGE

    def get_article(self, article_id: str) -> Article | None:
        got = self.articles.get(ids=[article_id], include=["documents", "metadatas"])
        if not got["ids"]:
            return None
        return record_to_article(got["ids"][0], got["documents"][0], got["metadatas"][0])

    def article_text(self, article_id: str) -> str | None:
        return self.article_texts([article_id]).get(article_id)

    def article_texts(self, article_ids: Sequence[str]) -> dict[str, str]:
        """The articles' texts by id, in one read; ids not in the store are left out."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        got = _reading(lambda: self.articles.get(ids=ids, include=["documents"]), self.where)
        return dict(zip(got["ids"], got["documents"]))

    def fingerprint(self) -> str:
        """Changes whenever the set of committed articles or the chunk count changes. Article ids are
        content hashes, so this is cheap to read and still catches every replaced article."""
        ids: list[str] = []
        offset = 0
        while True:
            page = self.articles.get(include=[], limit=PAGE, offset=offset)
            ids += page["ids"]
            if len(page["ids"]) < PAGE:
                break
            offset += PAGE
        digest = hashlib.sha1("\n".join(sorted(ids)).encode())
        digest.update(str(self.chunks.count()).encode())
        return digest.hexdigest()

    def derived_dir(self) -> Path:
        """Where files derived from this store live: beside an embedded store, or in the cache for a server."""
        if self.settings.server_mode:
            name = f"{self.settings.chroma_host}-{self.settings.chroma_port}-{self.settings.collection}"
            return self.settings.cache_dir / "servers" / re.sub(r"[^\w.-]", "_", name)
        return self.settings.store

    def lexical_dir(self) -> Path:
        """The folder of the lexical index built from this store's chunks."""
        return self.derived_dir() / "lexical"

    def lock_path(self) -> Path:
        """The write lock's file (for a server: per user; the server itself takes concurrent writers)."""
        folder = self.derived_dir()
        folder.mkdir(parents=True, exist_ok=True)
        return folder / ".assistant-ingest.lock"

    def count(self) -> int:
        return self.chunks.count()

    def article_count(self) -> int:
        return self.articles.count()

    def query(self, vector: list[float], n: int, since: str | None = None, until: str | None = None,
              outlet: str | None = None, article_ids: Sequence[str] | None = None) -> list[Passage]:
        """The n chunks nearest the vector, among those dated since..until (ISO dates, inclusive), from the
        outlet and of the articles given (each restriction only when given)."""
        where = where_filter(since, until, outlet, article_ids)
        # No min(n, count()): Chroma returns what there is, and count() costs ~9 ms on a 100k-chunk store.
        res = _reading(lambda: self.chunks.query(
            query_embeddings=[vector], n_results=n, where=where, include=["documents", "metadatas", "distances"]
        ), self.where)
        return [
            meta_to_passage(id_, doc, meta, 1.0 - dist)
            for id_, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0])
        ]

    def get_chunks(self, ids: Sequence[str], vector: Sequence[float] | None = None) -> list[Passage]:
        """Chunks by id, in that order; with a query vector, scored by cosine against their stored embeddings."""
        if not ids:
            return []
        include = ["documents", "metadatas", "embeddings"] if vector is not None else ["documents", "metadatas"]
        try:
            got = self.chunks.get(ids=list(ids), include=include)
        except Exception:
            # Embedded Chroma in this process can lag another process's deletes ("Error finding id"): fetch
            # one by one and leave out the chunks that are gone, rather than failing the whole question.
            got = {"ids": [], "documents": [], "metadatas": [], "embeddings": []}
            for chunk_id in ids:
                try:
                    one = self.chunks.get(ids=[chunk_id], include=include)
                except Exception:  # noqa: BLE001 - a chunk being deleted right now is simply not a candidate
                    continue
                for key in got:
                    if key == "ids" or key in include:
                        got[key] = list(got[key]) + list(one[key])
        scores = [0.0] * len(got["ids"])
        if vector is not None and len(got["ids"]):
            import numpy as np

            scores = (np.asarray(got["embeddings"], dtype=np.float32) @ np.asarray(vector, dtype=np.float32)).tolist()
        by_id = {i: meta_to_passage(i, d, m, sc) for i, d, m, sc in zip(got["ids"], got["documents"], got["metadatas"], scores)}
        return [by_id[i] for i in ids if i in by_id]

    def chunk_vectors(self, article_ids: Sequence[str]) -> list[tuple[str, int, int, list[float]]]:
        """(article id, start, end, stored embedding) of every chunk of the articles."""
        if not article_ids:
            return []
        where: Any = {"article_id": {"$in": list(article_ids)}}
        got = _reading(lambda: self.chunks.get(where=where, include=["metadatas", "embeddings"]), self.where)
        return [(m.get("article_id", ""), int(m.get("start", 0)), int(m.get("end", 0)), list(v))
                for m, v in zip(got["metadatas"], got["embeddings"])]

    # ---- consistency ------------------------------------------------------------------------------

    def check(self, fix: bool = False) -> dict[str, int]:
        """Find (and with fix=True remove) chunks without an article record and articles whose chunks are
        incomplete; such articles are re-ingested by the next `ingest` of their files."""
        records = self.article_records()
        ids, _, metas = self.chunk_records(include_text=False)
        per_article: dict[str, int] = {}
        orphans: list[str] = []
        for id_, meta in zip(ids, metas):
            article_id = meta.get("article_id", "")
            if article_id in records:
                per_article[article_id] = per_article.get(article_id, 0) + 1
            else:
                orphans.append(id_)
        incomplete = [a for a, meta in records.items() if per_article.get(a, 0) != meta.get("chunks")]
        # Two committed versions of one file: an update writes the new version before deleting the old, so
        # a kill in between leaves both; the newer one is the file's current text.
        by_path: dict[str, list[str]] = {}
        for a, meta in records.items():
            if a not in incomplete:
                by_path.setdefault(meta.get("source_path", ""), []).append(a)
        stale = [a for versions in by_path.values() if len(versions) > 1
                 for a in sorted(versions, key=lambda v: records[v].get("ingested_at", 0.0))[:-1]]
        if fix:
            for s in range(0, len(orphans), PAGE):
                self.chunks.delete(ids=orphans[s:s + PAGE])
            self.delete(incomplete + stale)
        return {"articles": len(records), "chunks": len(ids), "orphan_chunks": len(orphans),
                "incomplete_articles": len(incomplete), "stale_versions": len(stale)}


def where_filter(since: str | None = None, until: str | None = None, outlet: str | None = None,
                 article_ids: Sequence[str] | None = None) -> dict[str, Any] | None:
    """Chroma's `where` filter for these restrictions (None: no restriction). Dates are compared as the
    YYYYMMDD numbers every chunk carries in `date_n`."""
    clauses: list[dict[str, Any]] = []
    if since:
        clauses.append({"date_n": {"$gte": date_number(since)}})
    if until:
        clauses.append({"date_n": {"$lte": date_number(until)}})
    if outlet:
        clauses.append({"outlet": outlet})
    if article_ids:
        clauses.append({"article_id": {"$in": list(article_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def _reading(read: Callable[[], Any], where: str) -> Any:
    """A Chroma read, tried again once: an embedded store read while another process writes to it can fail
    on an id that was just deleted. A second failure is a StoreError with a hint, never a traceback."""
    try:
        return read()
    except Exception:
        time.sleep(0.2)
    try:
        return read()
    except Exception as exc:
        raise StoreError(f"reading the store at {where} failed while it was being written ({type(exc).__name__})",
                         "ask again; it settles once the ingest finishes") from None


def meta_to_passage(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    return Passage(
        chunk_id=chunk_id,
        article_id=meta.get("article_id", ""),
        source_path=meta.get("source_path", ""),
        title=meta.get("title", ""),
        date=meta.get("date"),
        outlet=meta.get("outlet"),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", len(text))),
        score=float(score),
    )


def record_to_article(article_id: str, text: str, meta: dict[str, Any]) -> Article:
    return Article(
        id=article_id,
        source_path=meta.get("source_path", ""),
        title=meta.get("title", ""),
        date=meta.get("date"),
        outlet=meta.get("outlet"),
        url=meta.get("url"),
        dateline=meta.get("dateline"),
        text=text,
    )
