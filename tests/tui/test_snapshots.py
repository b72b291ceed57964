"""Snapshots of the key screens (pytest-textual-snapshot): answer with sources, article view at a
quote, the empty store, help. Update with `python -m pytest tests/tui --snapshot-update` after a
deliberate change, and look at the SVGs before committing them."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from assistant.tui.app import NewsApp
from assistant.tui.screens.article import ArticleScreen
from assistant.tui.screens.empty import EmptyStoreScreen
from tests.tui.fake_service import FakeService, wait_until

STORE = Path("/snapshots/store")  # shown in the status line; a fixed path keeps the snapshots stable


def no_blink(app: NewsApp) -> None:
    for box in app.screen.query(Input):
        box.cursor_blink = False


def make_app(make_settings, **fake: object) -> NewsApp:
    service = FakeService(make_settings(store=STORE))
    for key, value in fake.items():
        setattr(service, key, value)
    return NewsApp(service)


async def answered(pilot) -> None:
    app = pilot.app
    await wait_until(pilot, lambda: "2 articles" in str(app.main.query_one("#status").render()))
    app.main.query_one("#question-box", Input).value = "Which deposits are exploited illegally?"
    await pilot.press("enter")
    await wait_until(pilot, lambda: app.main.answer is not None)
    no_blink(app)
    await pilot.pause()


def test_answer_with_sources(snap_compare, make_settings):
    assert snap_compare(make_app(make_settings), terminal_size=(120, 40), run_before=answered)


def test_answer_with_sources_at_80x24(snap_compare, make_settings):
    assert snap_compare(make_app(make_settings), terminal_size=(80, 24), run_before=answered)


def test_article_view_at_the_quote(snap_compare, make_settings):
    async def open_source(pilot) -> None:
        await answered(pilot)
        await pilot.press("1")  # the sources have the focus once the answer is in
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ArticleScreen) and pilot.app.screen.quote_line > 0)
        await wait_until(pilot, lambda: pilot.app.screen.query_one("#article-scroll").scroll_y > 0)

    assert snap_compare(make_app(make_settings), terminal_size=(120, 40), run_before=open_source)


def test_empty_store(snap_compare, make_settings):
    async def wait_empty(pilot) -> None:
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, EmptyStoreScreen))
        no_blink(pilot.app)
        await pilot.pause()

    assert snap_compare(make_app(make_settings, missing=True), terminal_size=(80, 24), run_before=wait_empty)


def test_help(snap_compare, make_settings):
    async def open_help(pilot) -> None:
        await wait_until(pilot, lambda: "2 articles" in str(pilot.app.main.query_one("#status").render()))
        no_blink(pilot.app)
        await pilot.press("f1")
        await pilot.pause()

    assert snap_compare(make_app(make_settings), terminal_size=(120, 40), run_before=open_help)
