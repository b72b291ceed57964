"""Formats read from text: whether a sentence asks."""

from assistant.text import is_question


def test_a_question_is_told_from_a_sentence_that_reports_one():
    assert is_question("What would you change first as mayor of Millbrook? ")
    assert not is_question('Asked about the plan, the mayor replied "Why not?"')
    assert not is_question("She promised a new central library.")
