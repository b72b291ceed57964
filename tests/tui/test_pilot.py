"""Pilot tests of the TUI over a fake service: ask, stream, follow a citation, filters, history, export,
ingest, errors. The fake stands in for the Assistant; the app never knows the difference."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual import events
from textual.widgets import DataTable, Input, ProgressBar

from assistant.errors import ProviderError
from assistant.retrieval import Filters
from assistant.tui.app import NewsApp
from assistant.tui.screens.article import ArticleScreen
from assistant.tui.screens.briefing import BriefingScreen
from assistant.tui.screens.browser import BrowserScreen
from assistant.tui.screens.dialogs import FiltersScreen, HistoryScreen, PromptScreen
from assistant.tui.screens.empty import EmptyStoreScreen
from assistant.tui.widgets.answer import AnswerView
from assistant.tui.widgets.sources import SourcesPanel
from tests.tui.fake_service import ANSWER_TEXT, QUOTE, good_briefing, wait_until

pytestmark = pytest.mark.anyio
QUESTION = "Which deposits are exploited illegally?"


def notifications(app: NewsApp) -> list[str]:
    return [n.message for n in app._notifications]


async def ask(app: NewsApp, pilot, question: str = QUESTION) -> None:
    box = app.main.query_one("#question-box", Input)
    box.focus()
    box.value = question
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.main.answer is not None and app.main.answer.question == question)


async def test_answer_streams_then_a_chosen_citation_opens_the_article_at_the_quote(service):
    service.gate = threading.Event()
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: "2 articles" in str(app.main.query_one("#status").render()))
        await pilot.click("#question-box")
        await pilot.press(*QUESTION, "enter")
        view = app.main.query_one("#answer", AnswerView)
        await wait_until(pilot, lambda: view.streamed.startswith("The Kyzylbulag gold"))
        assert app.main.answer is None and view.streamed != ANSWER_TEXT  # mid-stream, before the answer is final
        service.gate.set()
        await wait_until(pilot, lambda: app.main.answer is not None)
        sources = app.main.query_one("#sources", SourcesPanel)
        assert [c.n for c in sources.citations] == [1, 2] and sources.option_count == 2

        assert app.focused is sources  # the answer came while the user waited: the evidence is one key away
        await pilot.press("down", "up", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.article is not None)
        screen = app.screen
        assert screen.shown[slice(*screen.highlight)] == QUOTE
        scroll = screen.query_one("#article-scroll")
        await wait_until(pilot, lambda: scroll.scroll_y > 0)
        assert scroll.scroll_y <= screen.quote_line < scroll.scroll_y + scroll.size.height  # the quote is in view
        await pilot.press("escape")
        assert app.screen is app.main


async def test_clicking_a_source_and_pressing_its_number_open_the_article(service):
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(app, pilot)
        await pilot.click("#sources", offset=(4, 2))  # the first entry
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.article is not None)
        assert app.screen.article.id == "a1"
        await pilot.press("escape")
        app.main.query_one("#sources").focus()
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.article is not None)
        assert app.screen.article.id == "a2" and app.screen.shown[slice(*app.screen.highlight)].startswith("The Demirli")


async def test_typing_outside_the_question_box_starts_a_new_question(service):
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(app, pilot)
        assert app.focused is app.main.query_one("#sources")
        await pilot.press(*"who")
        box = app.main.query_one("#question-box", Input)
        assert app.focused is box and box.value == "who"
        # typed fast, the letters arrive before the box has the focus: none is lost
        await ask(app, pilot)
        assert app.focused is app.main.query_one("#sources")
        for ch in "which 2":
            app.post_message(events.Key("space" if ch == " " else ch, ch))
        await wait_until(pilot, lambda: box.value == "which 2")


async def test_after_a_refusal_typing_replaces_the_question_and_the_arrows_keep_it(service):
    service.refuse = True
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(app, pilot)
        box = app.main.query_one("#question-box", Input)
        assert app.main.answer.refused and app.focused is box
        await pilot.press(*"who")
        assert box.value == "who"
        await ask(app, pilot)
        await pilot.press("end", "s")
        assert box.value == QUESTION + "s"


async def test_filters_and_marked_articles_reach_the_service(service):
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, FiltersScreen))
        dialog = app.screen
        await wait_until(pilot, lambda: len(dialog.query_one("#outlet")._options) > 1)
        dialog.query_one("#since", Input).value = "2022-12-01"
        dialog.query_one("#until", Input).value = "December 31, 2022"
        dialog.query_one("#outlet").value = "APA"
        await pilot.click("#apply")
        await wait_until(pilot, lambda: app.screen is app.main)

        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen) and app.screen.rows)
        await pilot.press("space")  # marks the newest article, a2
        await pilot.press("escape")
        assert "outlet APA" in str(app.main.query_one("#filters-line").render())

        await ask(app, pilot)
        _, filters = service.questions[-1]
        assert (filters.since, filters.until, filters.outlet, filters.article_ids) == ("2022-12-01", "2022-12-31", "APA", ["a2"])


async def test_a_bad_date_in_the_filters_is_an_error_and_the_dialog_stays(service):
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: isinstance(app.screen, FiltersScreen))
        app.screen.query_one("#since", Input).value = "last week"
        await pilot.click("#apply")
        await pilot.pause()
        assert isinstance(app.screen, FiltersScreen)
        assert any("not a date" in m and "YYYY-MM-DD" in m for m in notifications(app))


async def test_history_reopens_an_earlier_answer(service):
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(app, pilot, "first question?")
        await ask(app, pilot, "second question?")
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        await pilot.press("down", "enter")  # newest first: the second entry is the first question
        await wait_until(pilot, lambda: app.screen is app.main)
        assert app.main.answer.question == "first question?"
        assert app.main.query_one("#question-box", Input).value == "first question?"


async def test_export_writes_markdown_with_the_sources_and_copy_uses_the_clipboard(service, tmp_path: Path):
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await ask(app, pilot)
        await pilot.press("ctrl+y")
        assert "### Sources" in app.clipboard and QUOTE in app.clipboard
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        target = tmp_path / "out" / "answer.md"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, target.exists)
        text = target.read_text()
        assert text.startswith(f"## {QUESTION}") and "[1]" in text and f"> {QUOTE}" in text and "data/two.txt" in text


async def test_an_llm_error_is_a_notification_with_a_hint_and_the_app_stays_usable(service):
    service.fail = ProviderError("cannot reach the LLM endpoint", "check OPENAI_BASE_URL and that the server runs")
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        app.main.query_one("#question-box", Input).value = QUESTION
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("cannot reach" in m for m in notifications(app)))
        assert any("OPENAI_BASE_URL" in m for m in notifications(app))
        service.fail = None
        await ask(app, pilot)  # the next question works
        assert app.main.answer.citations


async def test_an_empty_store_opens_on_the_ingest_screen_and_ingest_runs_with_progress(service):
    service.missing = True
    service.ingest_gate = threading.Event()
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, EmptyStoreScreen))
        await pilot.press(*"data", "enter")  # data/ exists relative to the repo root
        await wait_until(pilot, lambda: app.screen is app.main and app.main.ingesting)
        bar = app.main.query_one("#ingest-progress", ProgressBar)
        await wait_until(pilot, lambda: bar.progress == 5)
        app.main.query_one("#question-box", Input).value = "typing while it ingests"  # the app still responds
        await pilot.press("ctrl+r")
        assert any("No questions" in m for m in notifications(app))
        service.ingest_gate.set()
        await wait_until(pilot, lambda: not app.main.ingesting)
        assert any("Ingest done" in m for m in notifications(app))
        await wait_until(pilot, lambda: "2 articles" in str(app.main.query_one("#status").render()))


async def test_the_browser_searches_sorts_and_opens_an_article(service):
    app = NewsApp(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: isinstance(app.screen, BrowserScreen) and app.screen.rows)
        browser = app.screen
        table = browser.query_one(DataTable)
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == ["2022-12-13", "2022-12-11"]
        await pilot.press("s")
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == ["2022-12-11", "2022-12-13"]
        await pilot.press("slash", *"copper")
        assert table.row_count == 1
        await pilot.press("enter", "enter")  # leave the search box, open the row
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.article is not None)
        assert app.screen.article.id == "a2" and app.screen.highlight is None


async def test_brief_shows_progress_then_the_briefing_whose_citation_opens_the_article_and_exports(service, tmp_path: Path):
    service.brief_gate = threading.Event()
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        app.filters = Filters(since="2022-12-01", until="2022-12-31")
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press(*"Karabakh mining", "enter")
        bar = app.main.query_one("#brief-bar")
        await wait_until(pilot, lambda: "reading 2 articles" in str(bar.render()))  # the stage, while it works
        assert app.screen is app.main and bar.display and "briefing" in str(app.main.query_one("#status").render())
        app.main.query_one("#question-box", Input).value = "still typing"  # the app responds meanwhile
        service.brief_gate.set()
        await wait_until(pilot, lambda: isinstance(app.screen, BriefingScreen))
        assert service.briefs == [("Karabakh mining", "2022-12-01", "2022-12-31")]
        assert not bar.display
        screen = app.screen
        text = str(screen.query_one("#brief-text").render())
        assert "Briefing: Karabakh mining" in text and "Key facts" in text and "Kyzylbulag" in text
        citations = screen.query_one("#brief-citations", SourcesPanel)
        await wait_until(pilot, lambda: app.focused is citations)  # focus lands once the screen has mounted
        assert [c.n for c in citations.citations] == [1, 2]
        assert QUOTE in str(citations.get_option_at_index(0).prompt)

        await pilot.press("enter")  # the first citation
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.article is not None)
        assert app.screen.article.id == "a1" and app.screen.shown[slice(*app.screen.highlight)] == QUOTE
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("2")
        await wait_until(pilot, lambda: isinstance(app.screen, ArticleScreen) and app.screen.article is not None)
        assert app.screen.article.id == "a2"
        await pilot.press("escape")

        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert app.screen.query_one(Input).value.endswith(".md")
        target = tmp_path / "out" / "brief.md"
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, target.exists)
        exported = target.read_text()
        assert exported.startswith("# Briefing: Karabakh mining") and "## Key facts" in exported and QUOTE in exported
        assert any("Exported" in m for m in notifications(app))
        await pilot.press("escape")
        assert app.screen is app.main


async def test_a_brief_error_is_a_notification_and_the_next_brief_works(service):
    service.fail = ProviderError("cannot reach the LLM endpoint", "check OPENAI_BASE_URL and that the server runs")
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+b")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("enter")  # an empty topic is refused, the dialog stays
        assert isinstance(app.screen, PromptScreen) and any("Type a topic" in m for m in notifications(app))
        await pilot.press(*"gold", "enter")
        await wait_until(pilot, lambda: any("briefing: cannot reach" in m for m in notifications(app)))
        assert app.screen is app.main and not app.main.briefing and not app.main.query_one("#brief-bar").display
        service.fail = None
        await pilot.press("ctrl+b", *"gold", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BriefingScreen))
        assert app.screen.briefing == good_briefing("gold")


async def test_a_failed_briefing_export_is_a_notification(service, tmp_path: Path):
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+b", *"gold", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, BriefingScreen))
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = str(blocker / "brief.md")
        await pilot.press("enter")
        await wait_until(pilot, lambda: any("cannot write" in m for m in notifications(app)))
        assert isinstance(app.screen, BriefingScreen)


async def test_the_llm_is_started_when_the_app_opens_and_a_start_that_fails_is_a_notification(service):
    def crashes(llm: str | None = None) -> None:
        raise ProviderError("the local model process exited while loading (killed by SIGSEGV)", "see its log")

    service.warm = crashes
    app = NewsApp(service)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: any("exited while loading" in n for n in notifications(app)))
        await ask(app, pilot)  # the app stays usable: the next question tries again
