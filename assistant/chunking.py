"""Article -> Chunks of whole sentences, with overlap and character offsets into the article text.

Sentence spans are also what citations quote, so the splitter lives here and `citations` reuses it.
"""

from __future__ import annotations

import re

from assistant.types import Article, Chunk

# A sentence ends at . ! ? (optionally followed by a closing quote or bracket) before whitespace and an
# upper-case letter, digit or opening quote; or at a paragraph break.
_END = re.compile(r"""(?<=[.!?])["'”’)\]]*(?=\s+["'“‘(\[]?[A-Z0-9])|\n\s*\n""")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Gen|Col|Lt|Sgt|Capt|Gov|Sen|Rep|Rev|Inc|Ltd|Co|Corp|No|vs|etc|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.K|U\.N|a\.m|p\.m|e\.g|i\.e)|\b[A-Z])\.$"
)


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of every sentence in text, shifted by offset; whitespace between sentences excluded."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _END.finditer(text):
        paragraph = m.group().startswith("\n")
        end = m.start() if paragraph else m.end()
        if not paragraph and _ABBREV.search(text[max(start, m.start() - 12):m.start()]):
            continue
        _add(text, start, end, offset, spans)
        start = m.end()
    _add(text, start, len(text), offset, spans)
    return spans


def _add(text: str, start: int, end: int, offset: int, spans: list[tuple[int, int]]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append((offset + start + lead, offset + start + lead + len(stripped)))


def chunk_article(article: Article, max_chars: int = 900, overlap: int = 1) -> list[Chunk]:
    """Pack whole sentences into chunks of about max_chars; each chunk repeats the last `overlap`
    sentences of the one before, so a fact that straddles a boundary is whole in one of them."""
    spans = sentence_spans(article.text)
    chunks: list[Chunk] = []
    i = 0
    while i < len(spans):
        j = i
        # Always take one sentence; take more while they fit.
        while j + 1 < len(spans) and spans[j + 1][1] - spans[i][0] <= max_chars:
            j += 1
        start, end = spans[i][0], spans[j][1]
        chunks.append(
            Chunk(
                id=f"{article.id}:{len(chunks)}",
                article_id=article.id,
                index=len(chunks),
                text=article.text[start:end],
                start=start,
                end=end,
            )
        )
        if j + 1 >= len(spans):
            break
        i = max(j + 1 - overlap, i + 1)
    return chunks
