"""The lexical index: BM25 (bm25s, Lucene's variant) over the words and name skeletons of every chunk.

Chunks are tokenized by `text.tokens`, which adds a spelling-insensitive skeleton for each name, so a question
that writes `Gizilbulagh` finds the article that writes `Kyzylbulag`; bm25s indexes those token lists as given.

bm25s keeps final per-chunk scores, which every added chunk changes (idf, average length), so it cannot add or
drop a chunk. The index therefore also keeps each chunk's tokens (as ids into its vocabulary): an ingest
tokenizes only its new chunks and re-indexes from the kept tokens instead of reading every chunk back from the
store. It is saved in the store's derived-files folder, each save in a new version folder that `CURRENT` then
names (an atomic rename), so a reader sees the old index or the new one, never half of one. Its fingerprint
says which state of the store it was built from.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from filelock import FileLock

from assistant.store import Store, date_number
from assistant.text import tokens
from assistant.types import Article, Chunk

if TYPE_CHECKING:
    import bm25s  # type: ignore[import-untyped]  # no type information shipped

K1, B = 1.2, 0.75
FILTER_KEYS = ("article_id", "date_n", "outlet")  # what retrieval's filters read of a chunk
CURRENT = "CURRENT"  # names the version folder in use
LOCK = ".lock"


class LexicalIndex:
    """BM25 over chunks; `ids[i]` and `metas[i]` describe the chunk that `search` returns as `i`."""

    def __init__(self, ids: list[str], metas: list[dict[str, Any]], fingerprint: str, vocab: dict[str, int],
                 token_ids: np.ndarray, lengths: np.ndarray, bm25: bm25s.BM25 | None = None) -> None:
        self.ids = ids
        self.metas = metas
        self.fingerprint = fingerprint
        self._vocab = vocab  # token -> id; equal to bm25s's vocabulary once indexed
        self._tokens = token_ids  # every chunk's token ids, one after another (int32)
        self._lengths = lengths  # tokens per chunk (int64)
        self._bm25 = bm25  # None when it holds no token at all
        self._dirty = bm25 is None  # chunks added or removed since it was last indexed
        self._removed = False  # some of them removed: the vocabulary may hold words no chunk has

    @classmethod
    def build(cls, ids: list[str], texts: list[str], metas: list[dict[str, Any]], fingerprint: str) -> LexicalIndex:
        index = cls([], [], fingerprint, {}, np.zeros(0, np.int32), np.zeros(0, np.int64))
        index.add(ids, texts, metas)
        return index

    def add(self, ids: list[str], texts: list[str], metas: list[dict[str, Any]]) -> None:
        """Add chunks; only their own text is tokenized. Indexed again at the next search or save."""
        docs = [[self._vocab.setdefault(t, len(self._vocab)) for t in tokens(text)] for text in texts]
        self._tokens = np.concatenate([self._tokens, np.fromiter(chain.from_iterable(docs), np.int32)])
        self._lengths = np.concatenate([self._lengths, np.array([len(d) for d in docs], np.int64)])
        self.ids = self.ids + list(ids)
        self.metas = self.metas + [{k: m[k] for k in FILTER_KEYS if k in m} for m in metas]
        self._dirty = True

    def add_article(self, article: Article, chunks: list[Chunk]) -> None:
        meta = {"article_id": article.id, "date_n": date_number(article.date), "outlet": article.outlet}
        self.add([c.id for c in chunks], [lexical_text(article.title, c.text) for c in chunks],
                 [{k: v for k, v in meta.items() if v is not None}] * len(chunks))

    def remove_articles(self, article_ids: set[str]) -> None:
        """Drop the chunks of these articles. Indexed again at the next search or save."""
        keep = np.array([m.get("article_id") not in article_ids for m in self.metas], dtype=bool)
        if keep.all():
            return
        self._tokens = self._tokens[np.repeat(keep, self._lengths)]
        self._lengths = self._lengths[keep]
        self.ids = [i for i, k in zip(self.ids, keep) if k]
        self.metas = [m for m, k in zip(self.metas, keep) if k]
        self._dirty = self._removed = True

    def _indexed(self) -> bm25s.BM25 | None:
        """The bm25s index of the chunks as they are now; built here when they changed since."""
        if not self._dirty:
            return self._bm25
        import bm25s

        if self._removed:  # renumber the tokens some chunk still holds, so the vocabulary forgets the rest
            used = np.bincount(self._tokens, minlength=len(self._vocab)) > 0
            renumber = (np.cumsum(used) - 1).astype(np.int32)
            self._tokens = renumber[self._tokens]
            self._vocab = {w: int(renumber[i]) for w, i in self._vocab.items() if used[i]}
            self._removed = False
        self._bm25 = None
        if self._vocab:
            flat, ends = self._tokens.tolist(), np.cumsum(self._lengths).tolist()
            docs = [flat[start:end] for start, end in zip([0, *ends[:-1]], ends)]
            self._bm25 = bm25s.BM25(method="lucene", k1=K1, b=B, csc_backend="auto")
            self._bm25.index((docs, dict(self._vocab)), create_empty_token=False, show_progress=False)
        self._dirty = False
        return self._bm25

    def search(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The n best chunks for the query as (position, score), best first, ties in chunk order; with
        `allowed` (one bool per chunk), only those chunks."""
        bm25 = self._indexed()
        words = [t for t in dict.fromkeys(tokens(query)) if t in self._vocab]  # a repeated word counts once
        if bm25 is None or not words or n <= 0:
            return []
        mask = None if allowed is None else allowed.astype(np.float32)
        scores = bm25.get_scores(words, weight_mask=mask)
        # Only the chunks holding a query word can rank, and only n of them are wanted: sorting those few
        # instead of every chunk is what a query costs on a 100k-chunk index.
        hits = np.flatnonzero(scores > 0)
        if len(hits) > n:
            hits = hits[np.argpartition(-scores[hits], n - 1)[:n]]
        top = hits[np.lexsort((hits, -scores[hits]))]
        return [(int(i), float(scores[i])) for i in top]

    def save(self, folder: Path) -> None:
        """Write a new version folder and point CURRENT at it, then remove the versions it replaces."""
        bm25 = self._indexed()
        folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):
            name = f"v{time.time_ns()}-{os.getpid()}"
            tmp = folder / f"{name}.tmp"
            tmp.mkdir()
            if bm25 is not None:
                bm25.save(tmp, show_progress=False)
            np.save(tmp / "tokens.npy", self._tokens)
            np.save(tmp / "lengths.npy", self._lengths)
            (tmp / "chunks.json").write_text(json.dumps({"fingerprint": self.fingerprint, "ids": self.ids,
                                                         "metas": self.metas}))
            tmp.rename(folder / name)
            pointer = folder / f"{CURRENT}.tmp"
            pointer.write_text(name)
            pointer.replace(folder / CURRENT)  # atomic: a reader sees the old index or the new one
            _prune(folder, name)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        """The saved index, or None when there is none or it is damaged."""
        for _ in range(3):
            name = version(folder)
            if name is None:
                return None
            try:
                return cls._load(folder / name)
            except Exception:
                if version(folder) == name:
                    return None  # damaged (or of an older format): rebuilt from the store
                # else a save replaced (and removed) the version while it was being read: read the new one
        return None

    @classmethod
    def _load(cls, path: Path) -> LexicalIndex:
        meta = json.loads((path / "chunks.json").read_text())
        token_ids = np.load(path / "tokens.npy", mmap_mode="r")  # read only when an ingest updates the index
        lengths = np.load(path / "lengths.npy")
        bm25 = None
        if (path / "params.index.json").exists():
            import bm25s

            bm25 = bm25s.BM25.load(path, show_progress=False)
        ids, vocab = meta["ids"], (dict(bm25.vocab_dict) if bm25 is not None else {})
        if len(lengths) != len(ids) or len(meta["metas"]) != len(ids) or int(lengths.sum()) != len(token_ids) \
                or (bm25 is not None and bm25.scores["num_docs"] != len(ids)) or (bm25 is None) != (len(token_ids) == 0):
            raise ValueError(f"inconsistent lexical index at {path}")
        return cls(ids, meta["metas"], meta["fingerprint"], vocab, token_ids, lengths, bm25)


def version(folder: Path) -> str | None:
    """The name of the saved version (changes with every save), or None when there is none."""
    try:
        return (folder / CURRENT).read_text().strip() or None
    except OSError:
        return None


def _locked(folder: Path) -> FileLock:
    """One save at a time per index folder (an ingest and an ask that rebuilt a stale index may both save);
    the OS's lock, so a process killed while saving releases it."""
    return FileLock(folder / LOCK, fallback_to_soft=False)


def _prune(folder: Path, keep: str | None) -> None:
    """Remove every version but `keep`: replaced ones, and those a process killed while saving left behind.
    Called holding the lock, so no other save is writing any of them."""
    for path in folder.iterdir():
        if path.name in (keep, CURRENT, LOCK):
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def lexical_text(title: str, text: str) -> str:
    """What the lexical index reads of a chunk: its article's title, then its text."""
    return f"{title}\n{text}"


def build_lexical(store: Store, fingerprint: str) -> LexicalIndex:
    """Build the lexical index from every chunk in the store and save it."""
    ids, texts, metas = store.chunk_records(include_text=True)
    titled = [lexical_text(m.get("title", ""), t) for t, m in zip(texts, metas)]
    index = LexicalIndex.build(ids, titled, metas, fingerprint)
    index.save(store.lexical_dir())
    return index


def load_lexical(store: Store) -> LexicalIndex:
    """The saved index if it is in step with the store, else one rebuilt from the store's chunks and saved.
    For a Chroma server the copy lives in the cache and is checked the same way, so it never silently
    diverges from the server's collection."""
    fingerprint = store.fingerprint()
    index = LexicalIndex.load(store.lexical_dir())
    if index is None or index.fingerprint != fingerprint:
        index = build_lexical(store, fingerprint)
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


def lexical_version(store: Store) -> str | None:
    """Which saved index is current; it changes whenever an ingest (in any process) saves one."""
    return version(store.lexical_dir())


def check_lexical(store: Store, fix: bool = False) -> str:
    """Whether the saved lexical index agrees with the store: `ok`, `missing`, `damaged` or `stale` (built
    from other chunks than the store holds); with fix=True a disagreeing index is rebuilt (`rebuilt`) and
    what a killed save left behind is removed. Compares the chunk ids themselves, not only the fingerprint,
    so an index that merely carries the right fingerprint over the wrong chunks is caught too."""
    folder = store.lexical_dir()
    fingerprint = store.fingerprint()
    index = LexicalIndex.load(folder)
    if index is None:
        state = "damaged" if version(folder) is not None else "missing"
    else:
        ids, _, _ = store.chunk_records(include_text=False)
        same = index.fingerprint == fingerprint and sorted(index.ids) == sorted(ids)
        state = "ok" if same else "stale"
    if fix and state != "ok":
        build_lexical(store, fingerprint)
        return "rebuilt"
    if fix and folder.is_dir():
        with _locked(folder):
            _prune(folder, version(folder))
    return state
