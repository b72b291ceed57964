from assistant.embeddings import ThreadChooser
from assistant.retrieval import question_names, question_window, relevant, subqueries
from assistant.text import skeleton, tokens
from assistant.types import Passage


def test_name_skeletons_join_transliterated_spellings_but_not_different_names():
    assert skeleton("Kyzylbulag") == skeleton("Gizilbulagh")
    assert skeleton("Demirli") == skeleton("Damirli")
    assert skeleton("Brudziński") == skeleton("Brudzinski")
    assert skeleton("Koszalin") != skeleton("Kosgei")
    assert "~" + skeleton("Kyzylbulag") in tokens("the Kyzylbulag deposit")
    assert not any(t.startswith("~") for t in tokens("the deposit was mined"))  # only capitalised names


def test_question_window_reads_the_period_a_question_names():
    assert question_window("the January 2019 escape room fire") == ("2019-01-01", "2019-02-10")
    assert question_window("on December 13, 2022 and in March 2023") == ("2022-12-01", "2023-04-10")
    assert question_window("what happened in 2019?") == ("2019-01-01", "2020-01-10")
    assert question_window("who won the cup?") is None


def test_a_combining_question_is_split_into_searchable_parts():
    parts = subqueries("Eliud Kipchoge ran a marathon in Vienna and Brigid Kosgei won the Chicago Marathon. "
                       "What were their times?")
    assert parts == ["Eliud Kipchoge ran a marathon in Vienna", "Brigid Kosgei won the Chicago Marathon."]
    assert subqueries("Which mineral deposits are said to be illegally exploited?") == []


def test_thread_chooser_settles_on_the_faster_choice_and_keeps_checking_the_other():
    chooser = ThreadChooser(cores=2)
    assert chooser.pick() == 1
    chooser.record(1, seconds=1.0, tokens=1000)
    assert chooser.pick() == 2
    chooser.record(2, seconds=8.0, tokens=1000)  # oversubscribed: two threads much slower
    picks = [chooser.pick() for _ in range(32)]
    assert picks.count(1) >= 28 and 2 in picks


def _passage(text: str, score: float) -> Passage:
    return Passage(chunk_id=text[:8], article_id=text[:8], source_path="a.txt", title="", text=text, start=0,
                   end=len(text), score=score)


def test_a_question_naming_what_no_passage_holds_is_not_relevant():
    """Passages that are only loosely similar must hold every name the question uses, each name's words
    together in one passage: club rugby plus world athletics is not the Rugby World Cup."""
    loose = [_passage("Caloundra defeated Maroochydore in the Sunshine Coast Rugby Union season.", 0.45),
             _passage("Warholm won gold at the 2019 World Athletics Championships in Doha.", 0.40)]
    assert not relevant("Which team won the 2019 Rugby World Cup?", loose, least=0.3, sure=0.5)
    cup = [*loose, _passage("South Africa won the Rugby World Cup final in Yokohama.", 0.44)]
    assert relevant("Which team won the 2019 Rugby World Cup?", cup, least=0.3, sure=0.5)
    # a name spelt another way still counts; a close enough passage needs no names; too far never passes
    variant = [_passage("Protests continue near the Kyzylbulag gold deposit.", 0.35)]
    assert relevant("What is mined at Gizilbulagh?", variant, least=0.3, sure=0.5)
    assert relevant("Which team won the 2019 Rugby World Cup?", [_passage("Rugby report.", 0.6)], least=0.3, sure=0.5)
    assert not relevant("Which deposits are exploited?", [_passage("Gold deposits.", 0.2)], least=0.3, sure=0.5)


def test_question_names_skip_question_words_and_months():
    assert question_names("What happened in Koszalin in January 2019?") == [{"koszalin"}]
    assert question_names("Kipchoge") == [{"kipchoge"}]
    assert question_names("What did US President Donald Trump say?") == [{"president", "donald", "trump"}]
    assert question_names("Which team won the 2019 Rugby World Cup?") == [{"rugby", "world", "cup"}]
