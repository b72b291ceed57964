"""Unit tests for the parts of a briefing that need no store: dates, batching, rendering, numbering."""

from __future__ import annotations

import json

from assistant.answerers.chat import ENDPOINT_CONTEXT
from assistant.briefing import Sentence, _dates_of, article_batches, budget_of, sub_queries
from assistant.dates import find_dates, show_dates
from assistant.language import parse
from assistant.render import render_briefing
from assistant.settings import load_settings
from assistant.types import Article, Briefing, BriefItem, BriefSource, Citation, TimelineEvent


def dates_in(text: str, published: str | None) -> list[tuple[str, ...]]:
    return [m.dates for m in find_dates(text, published)]


def test_a_weekday_resolves_to_the_last_such_day_before_publication():
    assert dates_in("Protesters gathered on Saturday.", "2022-12-11") == [("2022-12-10",)]  # a Sunday paper
    assert dates_in("They met yesterday.", "2022-12-11") == [("2022-12-10",)]


def _timeline_dates(text: str, published: str) -> list[tuple[str, ...]]:
    article = Article(id="x", source_path="x.txt", title="T", date=published, text=text)
    sentence = Sentence(article=article, start=0, end=len(text), position=0, words=frozenset(), span=parse([text])[0][:])
    return [m.dates for m in _dates_of(sentence)]


def test_a_weekday_said_of_what_is_to_come_is_the_coming_day():
    sunday = "2019-09-01"
    assert _timeline_dates("The storm is forecast to reach the coast of the county late on Monday.", sunday) == \
        [("2019-09-02",)]
    assert _timeline_dates("The county council will vote on the new flood barrier plan on Tuesday.", sunday) == \
        [("2019-09-03",)]
    assert _timeline_dates("The storm reached the coast of the county late on Saturday, officials said.", sunday) == \
        [("2019-08-31",)]
    assert _timeline_dates("The mayor of the county is said to have resigned on Friday after the vote.", sunday) == \
        [("2019-08-30",)]


def test_a_shared_year_gives_both_days_and_a_missing_year_comes_from_publication():
    assert dates_in("negotiations on December 3 and 7, 2022, then", None) == [("2022-12-03", "2022-12-07")]
    assert dates_in("Since December 3 this year, talks", "2022-12-11") == [("2022-12-03",)]
    assert dates_in("a tripartite statement from November 10, 2020, must", "2022-12-11") == [("2020-11-10",)]
    assert dates_in("on December 28 the", "2023-01-04") == [("2022-12-28",)]  # last year's December
    assert show_dates(("2022-12-03", "2022-12-07")) == "3 and 7 December 2022"


def test_a_month_day_without_a_year_is_the_one_nearest_publication():
    assert dates_in("a no-deal exit by October 31 looms", "2019-08-29") == [("2019-10-31",)]  # ahead, this year
    assert dates_in("talks on January 5 were", "2019-12-20") == [("2020-01-05",)]


def test_relative_dates_without_a_publication_date_are_not_guessed():
    assert dates_in("They met on Saturday, in May 2020.", None) == [("2020-05",)]


def test_sub_queries_are_the_topic_then_its_noun_phrases_and_names():
    qs = sub_queries("illegal mining at deposits in Karabakh")
    assert qs[0] == "illegal mining at deposits in Karabakh"
    assert {"illegal mining", "deposits", "Karabakh"} <= set(qs) and "at deposits" not in qs


def test_a_long_article_is_split_into_batches_that_fit_the_budget():
    text = " ".join(f"Sentence number {i} says something about the mine." for i in range(200))
    article = Article(id="x", source_path="x.txt", title="T", text=text)
    batches = article_batches(article, budget_chars=1500)
    assert len(batches) > 3
    for batch in batches:
        assert sum(len(p.text) + len(p.title) + 40 for p in batch) <= 1500 or len(batch) == 1
        for p in batch:
            assert text[p.start:p.end] == p.text
    covered = "".join(p.text for b in batches for p in b)
    assert covered.replace(" ", "") == text.replace(" ", "")


def test_the_budget_follows_the_writers_context_window():
    settings = load_settings(env={}, dotenv=None, local_context=2048, max_tokens=200)
    small = budget_of(2048, settings, None)
    assert small == (2048 - 350 - 200) * 3
    assert budget_of(ENDPOINT_CONTEXT, settings, None) > small
    assert budget_of(ENDPOINT_CONTEXT, settings, 2048) == small  # a window given for one briefing wins


def sample_briefing() -> Briefing:
    c = Citation(n=1, article_id="a", source_path="a.txt", title="A <b>", date="2022-12-11", outlet="Trend",
                 chunk_id="a:0", quote="It happened.", start=0, end=12)
    return Briefing(
        topic="t", title="Briefing: t", since="2022-12-11", until="2022-12-13",
        summary=[BriefItem(text="It happened. [1]", citations=[1])],
        timeline=[TimelineEvent(text="It happened. [1]", citations=[1], dates=["2022-12-10"], when="10 December 2022")],
        sources=[BriefSource(n=1, article_id="a", title="A <b>", outlet="Trend", date="2022-12-11", path="a.txt")],
        citations=[c],
    )


def test_markdown_has_every_section_and_the_sources_with_their_quotes():
    md = render_briefing(sample_briefing(), "md")
    for heading in ("# Briefing: t", "## Summary", "## Key facts", "## Timeline", "## Who is involved",
                    "## Where the sources differ", "## Sources"):
        assert heading in md
    assert "11 December 2022 – 13 December 2022" in md and "**10 December 2022**" in md
    assert "1. **A <b>** — Trend, 2022-12-11 — `a.txt`" in md and "[1] “It happened.”" in md


def test_json_is_the_serialisation_and_html_is_escaped_with_linked_markers():
    b = sample_briefing()
    assert Briefing.model_validate(json.loads(render_briefing(b, "json"))) == b
    page = render_briefing(b, "html")
    assert "A &lt;b&gt;" in page and '<a href="#c1">[1]</a>' in page and 'id="c1"' in page
