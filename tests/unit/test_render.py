"""One renderer: an answer reads the same in batch's Markdown report as in the TUI's export, and no
rendering lets an article's terminal escapes through."""

from __future__ import annotations

from assistant.batch import Question, make_record, markdown_block
from assistant.render import answer_markdown, answer_text, render_briefing
from assistant.types import Answer, Answerability, Briefing, BriefItem, BriefSource, Citation

ESCAPE = "\x1b]52;c;cGF5bG9hZA==\x07"  # an OSC 52 clipboard write hidden in an article


def citation(n: int, title: str, outlet: str | None, quote: str) -> Citation:
    return Citation(n=n, article_id=f"a{n}", source_path=f"data/{n}.txt", title=title, date="2022-12-11" if outlet else None,
                    outlet=outlet, chunk_id=f"a{n}:0", quote=quote, start=10, end=10 + len(quote))


ANSWER = Answer(question="Which deposits are exploited?", answer="Gold [1] and copper [2].", refused=False,
                provider="openai", model="gpt-4o-mini",
                citations=[citation(1, "Deposits in dispute", "Trend", "Gold is mined."),
                           citation(2, f"Copper{ESCAPE} report", None, f"Copper{ESCAPE} too.")])


def test_the_batch_report_shows_an_answer_and_its_sources_as_the_tui_export_does():
    exported = answer_markdown(ANSWER)
    block = markdown_block(make_record(Question("q1", ANSWER.question), ANSWER, "openai", "gpt-4o-mini", 12, None))
    body = exported[:exported.index("_Answered by")]  # all but the footer, which adds the time in batch
    question, rest = body.split("\n\n", 1)
    assert question in block and rest in block and "`q1`" in block
    assert "### Sources" in rest and "1. **Deposits in dispute** — Trend · 2022-12-11" in rest and "> Gold is mined." in rest
    assert exported.endswith("_Answered by openai: gpt-4o-mini._\n") and "_Answered by openai: gpt-4o-mini in 12 ms._" in block


def test_an_answer_to_part_of_a_question_says_which_part_the_articles_do_not_answer():
    partial = ANSWER.model_copy(update={
        "question": "Which deposits are exploited, and who owns them?",
        "answerability": Answerability(score=0.8, reason="'Gold' answers it; no sentence gives a person",
                                       refused=False, unanswered=["Who owns them?"])})
    assert "_The articles do not say: Who owns them?_" in answer_markdown(partial)
    assert "do not say" not in answer_markdown(ANSWER)


def test_a_failed_question_in_the_batch_report_shows_the_error_not_an_answer():
    block = markdown_block(make_record(Question("q2", "Why?"), None, "openai", "gpt-4o-mini", 30000, "the LLM timed out"))
    assert "**Error:** the LLM timed out" in block and "Sources" not in block and "Answered" not in block
    assert "_Failed with openai: gpt-4o-mini after 30000 ms._" in block


def test_no_rendering_lets_an_articles_terminal_escape_through():
    briefing = Briefing(topic="mining", title=f"Mining{ESCAPE}", summary=[BriefItem(text=f"Copper{ESCAPE} too [2].", citations=[2])],
                        sources=[BriefSource(n=1, article_id="a2", title=f"Copper{ESCAPE} report", path="data/2.txt")],
                        citations=[ANSWER.citations[1]], provider="extractive", model="extractive")
    record = make_record(Question("q1", ANSWER.question), ANSWER, "openai", "gpt-4o-mini", 12, None)
    shown = [answer_text(ANSWER), answer_markdown(ANSWER), markdown_block(record),
             *(render_briefing(briefing, fmt) for fmt in ("md", "html"))]
    for text in shown:
        assert "Copper" in text and "\x1b" not in text and "\x07" not in text


def test_a_quote_the_briefing_already_shows_is_shortened_between_words_in_its_sources():
    quote = ("In an advisory issued this morning the weather service said the storm over Riverton had strengthened "
             "into a Category 5 hurricane.")
    cited = citation(1, "Storm report", "Trend", quote)
    briefing = Briefing(topic="storm", title="Storm", summary=[BriefItem(text=f"{quote} [1]", citations=[1])],
                        sources=[BriefSource(n=1, article_id="a1", title="Storm report", path="data/1.txt")],
                        citations=[cited], provider="extractive", model="extractive")
    line = next(t for t in render_briefing(briefing, "md").splitlines() if t.strip().startswith("- [1]"))
    shown = line[line.index("“") + 1:line.index("”")]
    head, tail = shown.split(" … ")
    assert quote.startswith(head) and quote.endswith(tail) and len(shown) < len(quote)
    assert set(head.split()) <= set(quote.split()) and set(tail.split()) <= set(quote.split())  # whole words only


def test_a_refusal_just_under_the_threshold_never_prints_the_threshold(capsys):
    """A refusal scored 0.598 against a threshold of 0.6 reads 0.59: a reader shown 0.60 would ask why it was
    refused."""
    from assistant.cli import print_answer

    refused = Answer(question="Which boat sank?", answer="The articles do not say.", refused=True,
                     answerability=Answerability(score=0.598, reason="no sentence gives a name for 'boat'",
                                                 evidence=["The ferry left Riverton at noon."]))
    print_answer(refused)
    notes = capsys.readouterr().err  # the notes under an answer go to stderr
    assert "answerability 0.59" in notes and "0.60" not in notes
