
import pytest

from assistant.errors import StoreError
from assistant.service import Assistant
from tests.conftest import WIKINEWS


def test_seed_ingest_stores_articles_with_metadata_on_every_chunk(make_settings, counting, demo_copy):
    assistant = Assistant(make_settings(), embeddings=counting)
    report = assistant.ingest([str(demo_copy)])
    assert len(report.added) == 2 and report.skipped == []
    store = assistant.store()
    ids, texts, metas = store.chunk_records()
    assert len(ids) == report.chunks == counting.documents
    for text, meta in zip(texts, metas):
        article = store.get_article(meta["article_id"])
        assert article.text[meta["start"]:meta["end"]] == text
        assert meta["outlet"] == "Trend" and meta["date"] in ("2022-12-11", "2022-12-13")
        assert meta["source_path"].startswith(str(demo_copy))


def test_reingest_of_unchanged_articles_embeds_nothing(make_settings, counting, demo_copy):
    Assistant(make_settings(), embeddings=counting).ingest([str(demo_copy)])
    before = counting.documents
    report = Assistant(make_settings(), embeddings=counting).ingest([str(demo_copy)])
    assert counting.documents == before
    assert len(report.unchanged) == 2 and not report.added and not report.updated


def test_changed_file_replaces_its_chunks(make_settings, counting, demo_copy):
    assistant = Assistant(make_settings(), embeddings=counting)
    assistant.ingest([str(demo_copy)])
    path = demo_copy / "004_c23c7751a1e3a64a.txt"
    path.write_text(path.read_text() + "\n\nA new closing paragraph about copper was added later.")
    report = Assistant(make_settings(), embeddings=counting).ingest([str(demo_copy)])
    assert report.updated == [str(path)] and len(report.unchanged) == 1
    store = Assistant(make_settings(), embeddings=counting).store()
    records = store.article_records()
    assert len(records) == 2
    _, texts, metas = store.chunk_records()
    assert {m["article_id"] for m in metas} == set(records)
    assert any("new closing paragraph" in t for t in texts)
    assert store.check() == {"articles": 2, "chunks": len(texts), "orphan_chunks": 0, "incomplete_articles": 0,
                             "stale_versions": 0}


def test_prune_removes_articles_whose_files_are_gone(make_settings, counting, demo_copy):
    Assistant(make_settings(), embeddings=counting).ingest([str(demo_copy)])
    gone = demo_copy / "000_6e7084da90daaea3.txt"
    gone.unlink()
    kept = Assistant(make_settings(), embeddings=counting).ingest([str(demo_copy)])
    assert kept.removed == [] and Assistant(make_settings(), embeddings=counting).store().article_count() == 2
    report = Assistant(make_settings(), embeddings=counting).ingest([str(demo_copy)], prune=True)
    assert report.removed == [str(gone)]
    store = Assistant(make_settings(), embeddings=counting).store()
    assert store.article_count() == 1
    assert all(m["source_path"] != str(gone) for m in store.chunk_records()[2])


def test_wikinews_sample_ingests_with_offsets(make_settings, embeddings):
    assistant = Assistant(make_settings(), embeddings=embeddings)
    report = assistant.ingest([str(WIKINEWS)])
    assert len(report.added) == 10
    store = assistant.store()
    _, texts, metas = store.chunk_records()
    for text, meta in zip(texts, metas):
        assert store.article_text(meta["article_id"])[meta["start"]:meta["end"]] == text
        assert meta["outlet"] == "Wikinews"


def test_interrupted_write_leaves_orphans_that_the_next_ingest_cleans(make_settings, embeddings, demo_copy):
    assistant = Assistant(make_settings(), embeddings=embeddings)
    assistant.ingest([str(demo_copy)])
    store = assistant.store()
    article_id = next(iter(store.article_records()))
    store.articles.delete(ids=[article_id])  # as if killed between chunks and the commit record
    assert store.check()["orphan_chunks"] > 0
    report = Assistant(make_settings(), embeddings=embeddings).ingest([str(demo_copy)])
    assert len(report.added) == 1 and len(report.unchanged) == 1
    assert Assistant(make_settings(), embeddings=embeddings).store().check()["orphan_chunks"] == 0


def test_asking_without_a_store_says_how_to_make_one(make_settings, embeddings, tmp_path):
    with pytest.raises(StoreError) as err:
        Assistant(make_settings(store=tmp_path / "nowhere"), embeddings=embeddings).ask("anything?", llm="extractive")
    assert "assistant ingest" in err.value.hint
    assert not (tmp_path / "nowhere").exists()


def test_a_store_built_with_another_embedding_model_is_refused(make_settings, embeddings, demo_copy):
    Assistant(make_settings(), embeddings=embeddings).ingest([str(demo_copy)])

    class Other:
        name = "other-model"

        def embed_query(self, text):
            return [0.0] * 384

    with pytest.raises(StoreError, match="all-MiniLM-L6-v2"):
        Assistant(make_settings(), embeddings=Other()).store()


def test_a_second_ingest_at_the_same_time_is_refused_with_a_clear_message(make_settings, embeddings, demo_copy):
    assistant = Assistant(make_settings(), embeddings=embeddings)
    assistant.ingest([str(demo_copy)])
    with assistant.store().writer():
        with pytest.raises(StoreError, match="another ingest"):
            Assistant(make_settings(), embeddings=embeddings).ingest([str(demo_copy)])


def test_ingest_updates_the_lexical_index_from_its_saved_tokens(make_settings, embeddings, demo_copy, monkeypatch):
    """After the first ingest, adding, changing and pruning articles update the saved BM25 index from its own
    tokens instead of rebuilding it from every chunk in the store; what it finds is what the store holds."""
    from assistant import lexical

    Assistant(make_settings(), embeddings=embeddings).ingest([str(demo_copy)])

    def no_rebuild(*args, **kwargs):
        raise AssertionError("the lexical index was rebuilt from the whole store")

    monkeypatch.setattr(lexical, "build_lexical", no_rebuild)
    (demo_copy / "new.txt").write_text("Quarry near Zangilan\n\nA limestone quarry near Zangilan reopened on Monday.")
    (demo_copy / "000_6e7084da90daaea3.txt").unlink()
    report = Assistant(make_settings(), embeddings=embeddings).ingest([str(demo_copy)], prune=True)
    assert len(report.added) == 1 and len(report.removed) == 1
    assistant = Assistant(make_settings(), embeddings=embeddings)
    assert lexical.check_lexical(assistant.store()) == "ok"
    words_only = make_settings(dense_weight=0.0)
    found = Assistant(words_only, embeddings=embeddings).retrieve("Zangilan limestone quarry", k=3)
    assert found[0].source_path.endswith("new.txt")
    assert not any(p.source_path.endswith("000_6e7084da90daaea3.txt")
                   for p in Assistant(words_only, embeddings=embeddings).retrieve("Gizilbulagh Damirli", k=5))


def test_an_open_assistant_finds_articles_another_process_ingests(make_settings, embeddings, demo_copy):
    """The TUI stays open while `assistant ingest` runs in another terminal: its next question must reach
    the new article, by meaning (Chroma's vector index) and by its words (the lexical index)."""
    from tests.conftest import run_cli

    store = make_settings().store
    assert run_cli("--store", str(store), "ingest", str(demo_copy)).returncode == 0
    for n, settings in enumerate((make_settings(lexical_weight=0.0), make_settings(dense_weight=0.0))):
        assistant = Assistant(settings, embeddings=embeddings)
        question = f"Did the limestone quarry near Zangilan{n} reopen?"
        assert not any(p.source_path.endswith(f"new{n}.txt") for p in assistant.ask(question, llm="extractive").retrieved)
        (demo_copy / f"new{n}.txt").write_text(f"Quarry near Zangilan{n}\n\nA limestone quarry near Zangilan{n} "
                                               "reopened on Monday after two years, its owner said.")
        assert run_cli("--store", str(store), "ingest", str(demo_copy)).returncode == 0
        assert assistant.ask(question, llm="extractive").retrieved[0].source_path.endswith(f"new{n}.txt")
        assistant.store().close()
