from assistant.articles import load_articles
from assistant.chunking import chunk_article, sentence_spans
from tests.conftest import DEMO, WIKINEWS


def test_chunks_keep_sentences_whole_and_offsets_point_into_the_article():
    articles, _ = load_articles([str(DEMO), str(WIKINEWS)])
    for article in articles:
        chunks = chunk_article(article, max_chars=600, overlap=1)
        assert chunks, article.source_path
        sentences = {(a, b) for a, b in sentence_spans(article.text)}
        starts = {a for a, _ in sentences}
        ends = {b for _, b in sentences}
        for chunk in chunks:
            assert article.text[chunk.start:chunk.end] == chunk.text
            assert chunk.start in starts and chunk.end in ends
            assert chunk.id == f"{article.id}:{chunk.index}"
        # together the chunks cover every sentence
        covered = [(a, b) for a, b in sentences if any(c.start <= a and b <= c.end for c in chunks)]
        assert len(covered) == len(sentences)


def test_consecutive_chunks_overlap_by_a_sentence():
    article = load_articles([str(DEMO / "000_6e7084da90daaea3.txt")])[0][0]
    chunks = chunk_article(article, max_chars=400, overlap=1)
    assert len(chunks) > 2
    spans = sentence_spans(article.text)
    for before, after in zip(chunks, chunks[1:]):
        sentences_in_before = [s for s in spans if before.start <= s[0] and s[1] <= before.end]
        if len(sentences_in_before) > 1:
            assert after.start == sentences_in_before[-1][0]  # the last sentence of one opens the next
        else:
            assert after.start > before.start


def test_sentence_splitter_keeps_abbreviations_and_quotes():
    text = 'Dr. Smith arrived at 5 p.m. on Monday. "We are ready," he said. The U.S. team agreed! Then it ended.'
    got = [text[a:b] for a, b in sentence_spans(text)]
    assert got == ["Dr. Smith arrived at 5 p.m. on Monday.", '"We are ready," he said.', "The U.S. team agreed!", "Then it ended."]
