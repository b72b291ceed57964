"""The TUI over the real Assistant on the seed store, answering extractively: question to evidence."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from assistant.service import Assistant
from assistant.tui.app import NewsApp
from assistant.tui.screens.article import ArticleScreen
from tests.tui.fake_service import wait_until

pytestmark = pytest.mark.anyio
QUESTION = "Which mineral deposits are said to be illegally exploited?"


async def test_real_service_answers_with_both_seed_articles_and_opens_the_cited_passage(make_settings, embeddings, seed_store):
    app = NewsApp(Assistant(make_settings(store=seed_store, llm="extractive"), embeddings=embeddings))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "2 articles" in str(app.main.query_one("#status").render()), timeout=60)
        assert "extractive" in str(app.main.query_one("#status").render())
        await pilot.click("#question-box")
        await pilot.press(*QUESTION, "enter")
        await wait_until(pilot, lambda: app.main.answer is not None, timeout=60)
        answer = app.main.answer
        assert not answer.refused and "[1]" in answer.answer
        assert {c.source_path.rsplit("/", 1)[-1] for c in answer.citations} == {"000_6e7084da90daaea3.txt", "004_c23c7751a1e3a64a.txt"}
        shown = str(app.main.query_one("#answer-text").render())
        assert "[1]" in shown and "Kyzylbulag" in shown

        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.article is not None, timeout=30)
        screen = app.screen
        cited = answer.citations[1]
        assert screen.article.id == cited.article_id
        assert screen.article.text[cited.start:cited.end] == cited.quote == screen.shown[slice(*screen.highlight)]
        await pilot.press("escape")
        assert app.focused is not None and app.screen is app.main
        assert isinstance(app.main.query_one("#question-box"), Input)


async def test_a_refusal_shows_the_article_that_says_the_answer_is_not_known(make_settings, embeddings, wikinews_store):
    app = NewsApp(Assistant(make_settings(store=wikinews_store, llm="extractive"), embeddings=embeddings))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#question-box")
        await pilot.press(*"What were the names of the people who died in the Magnitogorsk explosion?", "enter")
        await wait_until(pilot, lambda: app.main.answer is not None, timeout=60)
        answer = app.main.answer
        assert answer.refused and [c.quote for c in answer.citations] == [
            "Officials said three people died; their identities were not provided."]
        assert "the cited sentence shows why" in str(app.main.query_one("#answer-note").render())


async def test_a_refusal_shows_why_with_its_answerability(make_settings, embeddings, seed_store):
    app = NewsApp(Assistant(make_settings(store=seed_store, llm="extractive"), embeddings=embeddings))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "2 articles" in str(app.main.query_one("#status").render()), timeout=60)
        await pilot.click("#question-box")
        await pilot.press(*"What did the UN Security Council decide about the protests near Shusha?", "enter")
        await wait_until(pilot, lambda: app.main.answer is not None, timeout=60)
        assert app.main.answer.refused
        note = str(app.main.query_one("#answer-note").render())
        assert "Answerability" in note and "UN Security Council" in note
