"""Briefings and summaries over the seed store: extractive, a scripted fake model, a small context window."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from assistant.prompts import CITATION_RE
from assistant.render import render_briefing
from assistant.service import Assistant
from assistant.text import content_tokens, skeleton
from assistant.types import Briefing
from tests.fakes import fake_answerer

TOPIC = "illegal mining at deposits in Karabakh"
SEEDS = {"000_6e7084da90daaea3.txt", "004_c23c7751a1e3a64a.txt"}

MAP_REPLY = (
    "- Illegal exploitation is observed in the Kyzylbulag gold deposit and the Demirli copper-molybdenum deposit [1].\n"
    "- Hajizade said the trip to the regions on December 10 was disrupted [2].\n"
    "- The planned inspection and monitoring did not take place [3].\n"
    "- The deposits are on the Moon [1]."
)
COMPOSE_REPLY = (
    "SUMMARY\n"
    "- Illegal exploitation is observed in the Kyzylbulag gold deposit and the Demirli copper-molybdenum deposit [1].\n"
    "- Hajizade said the trip to the regions on December 10 was disrupted [2].\n"
    "- The planned inspection and monitoring did not take place [3].\n"
    "- Gold was found on Mars [1].\n"
    "DIFFERENCES\n"
    "- The planned inspection and monitoring did not take place [3], and Hajizade said the trip on December 10 was disrupted [2]."
)


def assert_valid(b: Briefing, assistant: Assistant) -> None:
    """Every item cites known citations, every quote is its article's text at its offsets."""
    store = assistant.store()
    numbers = {c.n for c in b.citations}
    for c in b.citations:
        assert store.article_text(c.article_id)[c.start:c.end] == c.quote
    for item in b.summary + b.key_facts + b.timeline + b.entities + b.differences:
        assert item.citations and set(item.citations) <= numbers
        assert all(f"[{n}]" in item.text for n in item.citations)
        assert {int(n) for n in re.findall(r"\[(\d+)\]", item.text)} <= numbers


@pytest.fixture
def extractive_briefing(make_settings, embeddings, seed_store) -> tuple[Briefing, Assistant]:
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings)
    return assistant.brief(TOPIC, llm="extractive"), assistant


def test_extractive_briefing_has_every_section_and_cites_both_seed_articles(extractive_briefing):
    b, assistant = extractive_briefing
    assert 3 <= len(b.summary) <= 6 and b.key_facts and b.timeline and b.entities and b.differences
    assert {s.path.rsplit("/", 1)[-1] for s in b.sources} == SEEDS
    assert {c.source_path.rsplit("/", 1)[-1] for c in b.citations} == SEEDS
    assert (b.since, b.until) == ("2022-12-11", "2022-12-13")
    assert_valid(b, assistant)
    md = render_briefing(b, "md")
    assert md.count("## ") == 6 and "1. **" in md and "2. **" in md


def test_the_timeline_is_sorted_and_resolves_dates_from_text_and_publication(extractive_briefing):
    b, _ = extractive_briefing
    firsts = [e.dates[0] for e in b.timeline]
    assert firsts == sorted(firsts)
    days = {d for e in b.timeline for d in e.dates}
    assert {"2020-11-10", "2022-12-03", "2022-12-07", "2022-12-10"} <= days
    # "Since December 3 this year" has no year: it comes from the article's date, 2022-12-11.
    assert any(e.as_written == "December 3 this year" and e.dates == ["2022-12-03"] for e in b.timeline)


def test_the_deposits_are_named_once_each_with_their_variant_spellings(extractive_briefing):
    b, _ = extractive_briefing
    gold = [e for e in b.entities if skeleton("Kyzylbulag") in {skeleton(w) for w in e.text.split()}]
    copper = [e for e in b.entities if skeleton("Demirli") in {skeleton(w) for w in e.text.split()}]
    assert len(gold) == 1 and len(copper) == 1
    assert {"Kyzylbulag", "Gizilbulagh"} <= {s.split()[0] for s in gold[0].spellings}
    assert {"Demirli", "Damirli"} <= {s.split()[0] for s in copper[0].spellings}
    assert "Kyzylbulag" in gold[0].text and "Gizilbulagh" in gold[0].text
    sources_of = lambda e: {c.article_id for c in b.citations if c.n in e.citations}  # noqa: E731
    assert len(sources_of(gold[0])) == 2  # cited in both spellings' articles


def test_a_model_briefing_is_map_reduced_and_validated(make_settings, embeddings, seed_store):
    fake, chat = fake_answerer(MAP_REPLY, MAP_REPLY, COMPOSE_REPLY)
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings, answerer=fake)
    b = assistant.brief(TOPIC)
    assert len(chat.prompts) == 3  # one map call per article, one compose call
    assert "Facts:" in chat.prompts[2][-1].content and "(article 1)" in chat.prompts[2][-1].content
    assert b.provider == "fake"
    everything = " ".join(i.text for i in b.summary + b.key_facts + b.differences)
    assert "Moon" not in everything and "Mars" not in everything
    assert any("Moon" in r for r in b.removed) and any("Mars" in r for r in b.removed)
    assert any("Kyzylbulag gold deposit" in i.text for i in b.summary)
    assert b.differences and all(len(i.citations) >= 1 for i in b.differences)
    assert_valid(b, assistant)


def test_a_small_context_window_splits_articles_into_batches_that_fit(make_settings, embeddings, seed_store):
    fake, chat = fake_answerer(MAP_REPLY)
    assistant = Assistant(make_settings(store=seed_store, max_tokens=100), embeddings=embeddings, answerer=fake)
    b = assistant.brief(TOPIC, context_tokens=600)  # (600 - 350 - 100) * 3 = 450 characters of sources
    map_prompts = [p[-1].content for p in chat.prompts if "Sources:" in p[-1].content]
    assert len(map_prompts) > 2  # more calls than articles
    for prompt in map_prompts:
        sources = prompt.split("Sources:\n", 1)[1].split("\n\nFacts about", 1)[0]
        # Within the budget (plus a fenced header), unless one sentence alone is longer: sentences stay whole.
        assert len(sources) <= 450 + 120 or "\n[2] " not in sources
    assert_valid(b, assistant)


def test_summaries_are_cached_and_a_changed_article_gets_a_new_one(make_settings, embeddings, demo_copy):
    assistant = Assistant(make_settings(), embeddings=embeddings)
    assistant.ingest([str(demo_copy)])
    path = str(demo_copy / "004_c23c7751a1e3a64a.txt")
    first = assistant.summarize(path, sentences=2)[0]
    assert not first.cached and len(first.citations) == 2
    text = assistant.store().article_text(first.article_id)
    assert all(text[c.start:c.end] == c.quote and f"[{c.n}]" in first.text for c in first.citations)
    again = assistant.summarize(first.article_id, sentences=2)[0]
    assert again.cached and again.text == first.text
    assert not assistant.summarize(path, sentences=3)[0].cached  # another length is made anew
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\nThe Russian side said it would reply to the note within a week.\n")
    assistant.ingest([str(demo_copy)])
    changed = assistant.summarize(path, sentences=3)[0]
    assert not changed.cached and changed.article_id != first.article_id
    assert first.article_id not in assistant.store().article_records()
    titled = assistant.summarize("Azerbaijanis living abroad", sentences=2)[0]
    assert titled.title.startswith("Azerbaijanis")


def test_a_model_summary_is_validated_and_cached_per_provider(make_settings, embeddings, seed_store, tmp_path):
    import shutil

    store = tmp_path / "copy"
    shutil.copytree(seed_store, store)
    fake, chat = fake_answerer(
        "Illegal exploitation is observed in the Kyzylbulag gold deposit and the Demirli copper-molybdenum deposit [1]. "
        "The note was written on the Moon [1].")
    assistant = Assistant(make_settings(store=store), embeddings=embeddings, answerer=fake)
    s = assistant.summarize("Foreign Ministry note", sentences=2, llm="fake")[0]
    assert s.provider == "fake" and "Moon" not in s.text and s.removed == ["The note was written on the Moon."]
    assert assistant.summarize("Foreign Ministry note", sentences=2, llm="fake")[0].cached
    assert len(chat.prompts) == 1


def test_repeated_mislabelled_and_cut_off_model_bullets_are_dropped(make_settings, embeddings, seed_store):
    # What a small local model wrote on the seed articles: the same fact twice, "article 3" of two sources,
    # a bullet that stops inside a quotation, and a difference that only repeats a summary bullet.
    cut_map = MAP_REPLY + "\n- It was planned to inspect the environmental conditions at the 'G. [1]"
    compose = (
        "SUMMARY\n"
        "- Illegal exploitation is observed in the Kyzylbulag gold deposit and the Demirli copper-molybdenum deposit [1].\n"
        "- Illegal exploitation is observed in the Kyzylbulag gold deposit and the Demirli copper-molybdenum deposit [1].\n"
        "- Hajizade said the trip to the regions on December 10 was disrupted [2].\n"
        "- The planned inspection and monitoring did not take place [3].\n"
        "DIFFERENCES\n"
        "- Article 1 says that Hajizade said the trip to the regions on December 10 was disrupted [2].\n"
        "- Article 3 says that the planned inspection and monitoring did not take place [3].\n"
    )
    fake, _ = fake_answerer(cut_map, cut_map, compose)
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings, answerer=fake)
    b = assistant.brief(TOPIC)
    texts = [i.text for i in b.summary + b.key_facts]
    assert sum("Kyzylbulag gold deposit and the Demirli" in t for t in texts) == 1
    assert not any(t.rstrip(" []0123456789").endswith("'G.") for t in texts)
    assert not any("Article 3" in i.text for i in b.differences)
    assert not any("Article 1 says" in i.text for i in b.differences)  # a summary bullet again
    assert b.differences  # what is left comes from the articles themselves
    assert_valid(b, assistant)


WIRE = Path(__file__).resolve().parent.parent / "data" / "wire"


@pytest.fixture(scope="module")
def wire_briefing(tmp_path_factory, embeddings) -> tuple[Briefing, Assistant]:
    """Two versions of one wire story (death toll 107, then 111) and an unrelated article."""
    from assistant.settings import load_settings

    store = tmp_path_factory.mktemp("wire") / "store"
    assistant = Assistant(load_settings(env={}, dotenv=None, store=store), embeddings=embeddings)
    assistant.ingest([str(WIRE)])
    return assistant.brief("crane collapse at the Grand Mosque in Mecca", llm="extractive"), assistant


def test_two_versions_of_a_story_are_cited_once_with_one_timeline_line_per_event(wire_briefing):
    b, assistant = wire_briefing
    assert_valid(b, assistant)
    assert sorted(Path(s.path).name for s in b.sources) == ["a.txt", "b.txt"]  # the library story is not it
    assert [s.version_of for s in b.sources] == [None, 1]
    # A sentence both versions carry is quoted once, and says it was carried by both.
    hajj = [c for c in b.citations if c.quote.startswith("The crane accident comes just ten days")]
    assert len(hajj) == 1
    everything = b.summary + b.key_facts + b.timeline
    assert any(hajj[0].n in i.citations and "in 2 sources" in i.text for i in everything)
    # One line per dated event: the storm on 11 September is told by both versions, once.
    lines = [(e.dates[0], content_tokens(CITATION_RE.sub("", e.text))) for e in b.timeline]
    for i, (day, words) in enumerate(lines):
        for other_day, other in lines[:i]:
            assert day != other_day or len(words & other) < 0.6 * min(len(words), len(other))
    storm = [e for e in b.timeline if e.dates == ["2015-09-11"] and "storm" in e.text]
    assert len(storm) == 1 and "in 2 sources" in storm[0].text


def test_the_death_toll_the_versions_disagree_on_is_the_difference(wire_briefing):
    b, _ = wire_briefing
    differ = [i for i in b.differences if i.text.startswith("The numbers differ")]
    assert len(differ) == 1 and "107" in differ[0].text and "111" in differ[0].text and len(differ[0].citations) == 2
    # the paragraph one version dropped is no disagreement: at most what one source adds
    assert not any("uncrowded" in i.text for i in b.differences if "differ" in i.text)


def test_a_briefing_is_short_and_cites_each_name_at_most_three_times(wire_briefing, extractive_briefing):
    for b in (wire_briefing[0], extractive_briefing[0]):
        assert len(b.summary) <= 5 and len(b.key_facts) <= 10
        assert all(len(e.citations) <= 3 for e in b.entities)
        assert sorted({n for i in b.summary + b.key_facts + b.timeline + b.entities + b.differences
                       for n in i.citations}) == [c.n for c in b.citations] == list(range(1, len(b.citations) + 1))


def test_the_topic_itself_is_not_listed_among_those_involved(make_settings, embeddings, seed_store):
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings)
    b = assistant.brief("Kyzylbulag", llm="extractive")
    named = [{skeleton(w) for w in e.text.split()} for e in b.entities]
    assert b.entities and not any(skeleton("Kyzylbulag") in words for words in named)
    assert any(skeleton("Demirli") in words for words in named)  # the other deposit is still named


STORMS = {
    "alba-1.txt": ("Hurricane Alba strengthens to Category 4 and makes landfall in Florida", "2021-09-10",
                   "Hurricane Alba made landfall near Naples, Florida on Saturday as a Category 4 hurricane with "
                   "winds of 140 miles per hour, the National Hurricane Center said. Forecasters said Alba would "
                   "weaken over Georgia by Monday. The governor ordered 400,000 people to leave the coast."),
    "alba-2.txt": ("Hurricane Alba leaves flooding across Florida", "2021-09-13",
                   "Residents of Naples began clearing debris on Monday after Hurricane Alba moved inland. "
                   "Officials said two people died when a tree fell on their car. Power was restored to most homes "
                   "by Monday evening, the utility said."),
    "brenda.txt": ("Hurricane Brenda strengthens to Category 3 while approaching Bermuda", "2021-09-20",
                   "Hurricane Brenda strengthened to a Category 3 hurricane with winds of 120 miles per hour on "
                   "Wednesday, the National Hurricane Center said. The hurricane center issued a hurricane warning "
                   "for Bermuda. Forecasters said the hurricane would pass north of the island on Thursday."),
}


def brief_over(tmp_path: Path, embeddings, articles: dict[str, tuple[str, str, str]], topic: str) -> Briefing:
    """An extractive briefing on `topic` over a store of these articles (file name: title, date, body)."""
    from assistant.settings import load_settings

    for name, (title, date, body) in articles.items():
        (tmp_path / name).write_text(f"{title}\ndate {date}\n\n{body}\n")
    assistant = Assistant(load_settings(env={}, dotenv=None, store=tmp_path / "store"), embeddings=embeddings)
    assistant.ingest([str(tmp_path / name) for name in articles])
    return assistant.brief(topic, llm="extractive")


def test_a_briefing_on_a_named_storm_leaves_out_another_storm_that_reads_the_same(tmp_path, embeddings):
    """Another storm's story is close by meaning; it never names the one asked about, so it is no source."""
    b = brief_over(tmp_path, embeddings, STORMS, "Hurricane Alba")
    assert sorted(Path(s.path).name for s in b.sources) == ["alba-1.txt", "alba-2.txt"]
    assert b.summary and not any("Brenda" in i.text for i in b.summary + b.key_facts + b.timeline)


def test_an_article_naming_the_topic_by_its_last_word_is_kept(tmp_path, embeddings):
    """A story may give only a surname ("Mayor Okafor"); it is still a story about "Linda Okafor"."""
    articles = {
        "a.txt": ("Linda Okafor wins the Millbrook mayoral election", "2021-05-02",
                  "Linda Okafor won the Millbrook mayoral election on Saturday with 54 percent of the vote. "
                  "She promised a new central library and cheaper buses."),
        "b.txt": ("Mayor Okafor sets out her first budget", "2021-06-10",
                  "Mayor Okafor presented her first budget on Thursday, a month after she won the Millbrook "
                  "mayoral election. Okafor set aside 18 million dollars for the new central library she had "
                  "promised. Councillors will vote on it next month."),
    }
    b = brief_over(tmp_path, embeddings, articles, "Linda Okafor")
    assert sorted(Path(s.path).name for s in b.sources) == ["a.txt", "b.txt"]


def test_an_interviewers_questions_are_no_facts_of_the_briefing(tmp_path, embeddings):
    """An interview's questions state nothing: the briefing quotes the answers, never a question."""
    articles = {
        "i.txt": ("Millbrook mayoral candidate Linda Okafor talks about her campaign", "2021-04-20",
                  "Linda Okafor, a candidate in the Millbrook mayoral election, answered questions about her campaign. "
                  "Why did you decide to run in the Millbrook mayoral election? "
                  "I decided to run in the mayoral election because Millbrook needs a new central library. "
                  "What would you change first if you won the Millbrook mayoral election? "
                  "If I won the election I would make the buses of Millbrook cheaper within a year."),
    }
    b = brief_over(tmp_path, embeddings, articles, "Linda Okafor Millbrook mayoral election campaign")
    said = [CITATION_RE.sub("", i.text).strip() for i in b.summary + b.key_facts + b.timeline]
    assert said and any("central library" in s for s in said)
    assert not any(s.endswith("?") for s in said), said
