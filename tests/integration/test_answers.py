import json
from collections import Counter

from assistant.prompts import REFUSAL
from assistant.retrieval import Filters
from assistant.service import Assistant
from assistant.types import Answer
from tests.fakes import fake_answerer
from tests.openai_fake import FakeOpenAI, echo_first_source, last_user_text

QUESTION = "Which mineral deposits are said to be illegally exploited?"


def claim(text: str, sentence: int = 1) -> str:
    """A model's structured answer: one claim citing one evidence sentence."""
    return json.dumps({"claims": [{"text": text, "sentences": [sentence]}], "cannot_answer": ""})


SEATS = claim("The Liberal Party lost a net of 20 seats.")


def test_extractive_answer_names_both_deposits_and_cites_both_seed_articles(make_settings, embeddings, seed_store):
    answer = Assistant(make_settings(store=seed_store), embeddings=embeddings).ask(QUESTION, llm="extractive")
    assert not answer.refused and answer.provider == "extractive"
    text = answer.answer.lower()
    assert ("kyzylbulag" in text or "gizilbulagh" in text) and ("demirli" in text or "damirli" in text)
    assert {c.source_path.rsplit("/", 1)[-1] for c in answer.citations} == {"000_6e7084da90daaea3.txt", "004_c23c7751a1e3a64a.txt"}
    store = Assistant(make_settings(store=seed_store), embeddings=embeddings).store()
    for c in answer.citations:
        assert store.article_text(c.article_id)[c.start:c.end] == c.quote
        assert f"[{c.n}]" in answer.answer


def test_a_question_the_articles_do_not_answer_is_refused(make_settings, embeddings, seed_store):
    answer = Assistant(make_settings(store=seed_store), embeddings=embeddings).ask(
        "Who won the 2018 FIFA World Cup final?", llm="extractive")
    assert answer.refused and answer.answer == REFUSAL and answer.citations == []


def test_a_variant_spelling_finds_the_article_that_writes_the_other(make_settings, embeddings, seed_store):
    assistant = Assistant(make_settings(store=seed_store, dense_weight=0.0), embeddings=embeddings)
    passages = assistant.retrieve("Kyzylbulag", k=4)
    assert passages[0].source_path.endswith("004_c23c7751a1e3a64a.txt")
    assert any(p.source_path.endswith("000_6e7084da90daaea3.txt") and "Gizilbulagh" in p.text for p in passages)


def test_the_model_sees_numbered_evidence_sentences_and_its_claims_are_validated(make_settings, embeddings, seed_store):
    fake, chat = fake_answerer(json.dumps({"claims": [
        {"text": "Illegal exploitation is observed in the Kyzylbulag gold deposit and the Demirli copper-molybdenum "
                 "deposit.", "sentences": [1, 99]},
        {"text": "The deposits are on the Moon.", "sentences": [2]}], "cannot_answer": ""}))
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings, answerer=fake)
    streamed = list(assistant.stream(QUESTION))
    answer = streamed[-1]
    assert isinstance(answer, Answer)
    assert len([s for s in streamed if isinstance(s, str)]) > 3  # it streamed word by word
    prompt = chat.prompts[0][-1].content
    assert "\n[1] " in prompt and "Article: " in prompt and QUESTION in prompt
    assert answer.answer.count("[1]") == 1 and "[9]" not in answer.answer and "Moon" not in answer.answer
    assert answer.removed == ["The deposits are on the Moon."]
    quote = answer.citations[0].quote  # either spelling supports the claim
    assert ("Kyzylbulag" in quote or "Gizilbulagh" in quote) and ("Demirli" in quote or "Damirli" in quote)


def test_a_model_whose_words_fail_on_an_answerable_question_gives_the_quoted_sentences(make_settings, embeddings,
                                                                                        seed_store):
    """The assessment found the answer; what the model wrote is not what the articles say. The reader gets
    sentences of the articles, verbatim, not a refusal, and is told whose choice they are."""
    store = Assistant(make_settings(store=seed_store), embeddings=embeddings).store()
    # uncited text: the sentences the assessment ranked first, quoted by the extractive answerer
    fake, _ = fake_answerer("Probably gold and silver mines somewhere.")
    answer = Assistant(make_settings(store=seed_store), embeddings=embeddings, answerer=fake).ask(QUESTION)
    assert not answer.refused and answer.provider == "extractive" and answer.citations
    assert "Probably" not in answer.answer and "supported" in answer.quoted
    # a claim its sentence does not support: that sentence, the model's choice, quoted as the article has it
    fake, chat = fake_answerer(claim("The deposits are on the Moon."))
    answer = Assistant(make_settings(store=seed_store), embeddings=embeddings, answerer=fake).ask(QUESTION)
    assert not answer.refused and answer.provider == "fake" and "Moon" not in answer.answer
    assert answer.removed == ["The deposits are on the Moon."] and answer.quoted
    first = chat.prompts[0][-1].content.split("\n[1] ", 1)[1].split("\n", 1)[0]
    assert [c.quote for c in answer.citations] == [first]
    for c in answer.citations:
        assert store.article_text(c.article_id)[c.start:c.end] == c.quote


def test_a_model_that_cites_nothing_on_a_question_the_gate_refuses_gives_a_refusal(make_settings, embeddings,
                                                                                     seed_store):
    fake, chat = fake_answerer("Probably gold and silver mines somewhere.")
    answer = Assistant(make_settings(store=seed_store), embeddings=embeddings, answerer=fake).ask(
        "Who won the 2018 FIFA World Cup final?")
    assert answer.refused and answer.answer == REFUSAL and not chat.prompts


def test_date_filters_reach_retrieval(make_settings, embeddings, seed_store):
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings)
    only_13th = assistant.retrieve(QUESTION, k=6, filters=Filters(since="2022-12-12"))
    assert only_13th and {p.date for p in only_13th} == {"2022-12-13"}
    nothing = assistant.ask(QUESTION, llm="extractive", filters=Filters(until="2020-01-01"))
    assert nothing.refused


def test_a_near_miss_question_is_refused_while_its_answerable_neighbour_is_answered(make_settings, embeddings,
                                                                                       wikinews_store):
    """The election article gives seat counts but no percentage: asked for a percentage, the extractive
    answerer says the articles do not say instead of quoting a number of another kind."""
    assistant = Assistant(make_settings(store=wikinews_store), embeddings=embeddings)
    near_miss = assistant.ask("What percentage of the seats did the Liberals win in the 2019 Canadian election?",
                              llm="extractive")
    assert near_miss.refused and near_miss.answer == REFUSAL
    answer = assistant.ask("How many seats did the Liberals lose in the 2019 Canadian election?", llm="extractive")
    assert not answer.refused and "20 seats" in answer.answer
    assert all(c.source_path.endswith("canada-2019-general-election-produces-liberal-minority-government.txt")
               for c in answer.citations if "seats" in c.quote)


def test_the_local_model_is_not_asked_when_the_passages_hold_no_answer_of_the_kind_asked(
        make_settings, embeddings, wikinews_store):
    """A small local model answers with whatever is closest; when no near-best sentence holds a percentage,
    it is not asked and the answer is the refusal (no decision is left to its judgement here). An answerable
    question still reaches it, and when the model finds that no evidence sentence states the fact, the sentence
    the assessment found is quoted, answered by extractive, and the model's reason is given."""
    nothing = json.dumps({"claims": [], "cannot_answer": "no sentence gives the seats lost"})
    local, chat = fake_answerer(SEATS, nothing, name="local")
    settings = make_settings(store=wikinews_store, judged_from=1.0)
    assistant = Assistant(settings, embeddings=embeddings, answerer=local)
    near_miss = assistant.ask("What percentage of the seats did the Liberals win in the 2019 Canadian election?")
    assert near_miss.refused and near_miss.provider == "local" and chat.prompts == []
    question = "How many seats did the Liberals lose in the 2019 Canadian election?"
    answer = assistant.ask(question)
    assert not answer.refused and len(chat.prompts) == 1 and "20 seats" in answer.citations[0].quote
    assert answer.answerability and not answer.answerability.refused
    judged = assistant.ask(question)
    assert not judged.refused and judged.provider == "extractive" and len(chat.prompts) == 2
    assert "20 seats" in judged.answer and judged.answerability and not judged.answerability.refused
    assert "no sentence gives the seats lost" in judged.quoted


def test_a_question_that_names_only_a_day_is_answered_from_the_articles_that_report_it(make_settings, embeddings,
                                                                                          seed_store):
    """"What happened on December 10?" gives similarity little to go on; the articles that report that day
    answer it, and a day they do not report is refused."""
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings)
    answer = assistant.ask("What happened on December 10?", llm="extractive")
    assert not answer.refused and any("December 10" in c.quote for c in answer.citations)
    assert assistant.ask("What happened on December 25?", llm="extractive").refused


def test_a_list_of_organisations_is_answered_and_an_unmentioned_body_is_refused(make_settings, embeddings, seed_store):
    """The organisations a group came from fill the slot of "from"; a council the articles never name
    cannot have decided anything in them, however close the protests it is asked about."""
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings)
    answer = assistant.ask("Which organisations did the group of experts come from?", llm="extractive")
    assert not answer.refused and "Ministry of Ecology" in answer.answer and "AzerGold" in answer.answer
    refused = assistant.ask("What did the UN Security Council decide about the protests near Shusha?", llm="extractive")
    assert refused.refused and refused.answer == REFUSAL
    assert refused.answerability and "UN Security Council" in refused.answerability.reason


def test_the_answerer_gets_ready_once_while_the_first_question_is_read_and_its_failure_is_not_the_answer(
        make_settings, embeddings, seed_store):
    """A one-off question starts the model getting ready (loading, reading its instructions) at once, in the
    background; getting ready fails here, and the questions are answered all the same."""
    import threading

    from assistant.errors import ProviderError

    fake, chat = fake_answerer(claim("Illegal exploitation is observed in the Kyzylbulag gold deposit."),
                               claim("Illegal exploitation is observed in the Kyzylbulag gold deposit."))
    readied = threading.Event()
    calls: list[str] = []

    def warm() -> None:
        calls.append("warm")
        readied.set()
        raise ProviderError("the model is still loading", "wait")

    fake.warm = warm  # type: ignore[method-assign]
    assistant = Assistant(make_settings(store=seed_store), embeddings=embeddings, answerer=fake)
    first, second = assistant.ask(QUESTION), assistant.ask(QUESTION)
    assert readied.wait(10) and calls == ["warm"]
    assert not first.refused and not second.refused and "Kyzylbulag" in first.answer
    assert len(chat.prompts) == 2


def test_a_question_that_joins_two_reads_each_parts_story_even_at_one_passage(make_settings, embeddings, wikinews_store):
    assistant = Assistant(make_settings(store=wikinews_store), embeddings=embeddings)
    question = "How many girls died in the escape room fire in Poland, and which station did the Crew Dragon dock with?"
    files = [p.source_path.rsplit("/", 1)[-1] for p in assistant.retrieve(question, k=1)]
    assert len(files) == 2
    assert any("escape-room-fire" in f for f in files) and any("crew-dragon" in f for f in files)
    # one search for the whole question gives one story
    assert len(assistant.search(question, k=1)) == 1


def test_an_answer_in_a_later_part_of_a_long_story_is_found(make_settings, embeddings, tmp_path):
    """The question names what most of the story's passages speak of; the sentence that answers is in
    another. An answer reads up to four passages of one article; a briefing's search still takes two."""
    places = ["the old stone bridge", "the market square", "the sports centre shelter", "the east bank barrier",
              "the school buses", "the power cuts", "the sandbag volunteers", "the helpline for families",
              "the insurance claims", "the town hall", "the lower streets", "the river gauge"]
    paragraphs = ["Riverton Flood Leaves Town Under Water\n\nMarch 3, 2021\n\nHeavy rain flooded the town of Riverton "
                  "in Westshire on Tuesday, forcing hundreds of residents from their homes. The River Alder burst its "
                  "banks shortly after midnight, and water rose quickly through the lower streets of Riverton."]
    paragraphs += [f"The Riverton flood also reached {p}, the council said. Officials in Riverton said the flood had "
                   f"left damage around {p} that would take weeks to repair. Residents near {p} were told the Riverton "
                   f"flood warning would stay in place until Thursday morning, and crews checked {p} again on Wednesday."
                   for p in places]
    paragraphs.insert(9, "Insurers said claims would take weeks to settle. The Westshire fire brigade said its crews "
                         "rescued 37 people from cars and houses during the night.")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "flood.txt").write_text("\n\n".join(paragraphs) + "\n")
    (folder / "rail.txt").write_text("New Rail Line Approved\n\nMarch 5, 2021\n\nWestshire county approved a new rail "
                                     "line between Portmarsh and Kelby on Friday.\n")
    assistant = Assistant(make_settings(), embeddings=embeddings)
    assistant.ingest([str(folder)])
    question = ("During the Riverton flood, which damaged the old stone bridge and the market square, how many people "
                "did the fire brigade save?")
    answer = assistant.ask(question, llm="extractive")
    assert not answer.refused and "rescued 37 people" in answer.answer
    assert max(Counter(p.article_id for p in assistant.search(question)).values()) == 2


def test_a_refusal_in_doubt_is_answered_when_the_model_finds_the_answer_stated(make_settings, embeddings,
                                                                                 wikinews_store):
    """A question refused in doubt (here, doubt set wide: any score short of the threshold) is shown to the model
    with the sentence ranked first: its yes answers it, its no leaves the refusal. A question the assessment
    answers is not shown to it; the extractive answerer has no judgement to give."""
    answerable = "How many girls died in the Koszalin escape room fire?"
    doubtful = "What percentage of the seats did the Liberals win in the 2019 Canadian election?"
    settings = make_settings(store=wikinews_store, judged_from=0.0)
    extractive = Assistant(settings, embeddings=embeddings)
    assert extractive.ask(doubtful, llm="extractive").refused

    model, chat = fake_answerer("No.", SEATS, name="local")
    assert Assistant(settings, embeddings=embeddings, answerer=model).ask(doubtful).refused
    shown = chat.prompts[0][-1].content
    assert doubtful in shown and "Reply yes or no" in shown and len(chat.prompts) == 1

    model, chat = fake_answerer("Yes", SEATS, name="local")
    answered = Assistant(settings, embeddings=embeddings, answerer=model).ask(doubtful)
    assert not answered.refused and len(chat.prompts) == 2 and "20 seats" in answered.answer
    assert answered.answerability and "states it" in answered.answerability.reason

    model, chat = fake_answerer(claim("Five girls died in the fire."), name="local")
    assert Assistant(settings, embeddings=embeddings, answerer=model).ask(answerable).answerability
    assert "Reply yes or no" not in chat.prompts[0][-1].content and len(chat.prompts) == 1


def test_an_openai_compatible_endpoint_is_asked_for_its_judgement_over_the_wire(make_settings, embeddings,
                                                                                wikinews_store):
    """The same judgement from a real OpenAI client against a loopback endpoint: a plain chat request, no
    answer format, whose yes lets the structured answer follow."""
    def judging(body: dict) -> str:
        return "Yes." if "Reply yes or no" in last_user_text(body) else echo_first_source(body)

    doubtful = "What percentage of the seats did the Liberals win in the 2019 Canadian election?"
    with FakeOpenAI(reply=judging) as fake:
        settings = make_settings(store=wikinews_store, judged_from=0.0, llm="openai", openai_base_url=fake.base_url,
                                 openai_api_key="x", chat_model="fake-model", max_retries=0)
        answer = Assistant(settings, embeddings=embeddings).ask(doubtful)
        asked = [last_user_text(b) for b in fake.requests]
        formats = [b.get("response_format") for b in fake.requests]
    assert len(asked) == 2 and doubtful in asked[0] and "Reply yes or no" in asked[0]
    assert formats[0] is None and formats[1] is not None
    assert not answer.refused and answer.citations and answer.answerability
    assert "states it" in answer.answerability.reason
