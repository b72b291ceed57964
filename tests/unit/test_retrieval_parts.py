from assistant.embeddings import ThreadChooser
from assistant.retrieval import question_window
from assistant.text import skeleton, tokens


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


def test_thread_chooser_settles_on_the_faster_choice_and_keeps_checking_the_other():
    chooser = ThreadChooser(cores=2)
    assert chooser.pick() == 1
    chooser.record(1, seconds=1.0, tokens=1000)
    assert chooser.pick() == 2
    chooser.record(2, seconds=8.0, tokens=1000)  # oversubscribed: two threads much slower
    picks = [chooser.pick() for _ in range(32)]
    assert picks.count(1) >= 28 and 2 in picks
