"""Where sources differ: slots read from the parse; versions of one story and repeated sentences."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.articles import load_articles
from assistant.differences import compare, numeral, slots
from assistant.duplicates import same_claims, story_versions
from assistant.language import parse
from assistant.text import content_tokens

WIRE = Path(__file__).resolve().parent.parent / "data" / "wire"


def differ(a: str, b: str) -> tuple[str, str, str, str] | None:
    da, db = parse([a, b])
    found = compare(slots(da[:]), slots(db[:]))
    if found is None:
        return None
    x, y = found
    return x.kind, x.value, y.value, f"{da.text[x.start:x.end]} / {db.text[y.start:y.end]}"


def test_a_count_given_two_values_is_a_difference_with_the_words_that_give_it():
    got = differ("A storm caused a crane to fall, killing 107 or more and wounding 238, officials said.",
                 "A storm brought down a crane, killing at least 111 people and wounding 238, officials said.")
    assert got == ("count", "107", "111", "killing 107 or more / killing at least 111 people")


def test_numbers_written_in_words_agree_with_digits():
    assert numeral(["seven"]) == numeral(["7"]) == 7 and numeral(["1.7", "million"]) == 1_700_000
    assert differ("Seven people were killed in the blast.", "7 people were killed in the blast.") is None


def test_a_label_is_no_count_and_sentences_that_differ_everywhere_are_about_different_things():
    assert differ("The cut-off for a category 2 storm is 96 miles per hour.",
                  "The cut-off for a category 4 storm is 130 miles per hour.") is None
    assert differ("Five people were injured and two died.", "Three cars were towed and one bus burned.") is None


def test_a_cause_a_name_for_a_role_and_a_denial_are_slots():
    assert differ("The fire was caused by an electrical fault.", "The fire was caused by arson.")[:3] == \
        ("cause", "fault", "arson")
    assert differ("The driver, John Smith, was arrested.", "The driver, Peter Brown, was arrested.")[0] == "role"
    assert differ("The company confirmed the layoffs.", "The company did not confirm the layoffs.")[:3] == \
        ("denial", "yes", "no")
    assert differ("The fire was caused by strong winds.", "The fire was caused by strong winds and rain.") is None


def test_two_versions_of_one_story_are_found_and_an_unrelated_article_is_not():
    articles, _ = load_articles([str(WIRE / n) for n in ("a.txt", "b.txt", "c.txt")])
    assert story_versions([a.text for a in articles]) == [0, 0, 2]


def test_a_sentence_said_again_in_other_words_is_one_claim_but_other_numbers_are_not():
    texts = ["The bridge opened on Monday after two years of work.",
             "After two years of work, the bridge opened on Monday.",
             "The cut-off for a category 2 storm is 96 miles per hour.",
             "The cut-off for a category 4 storm is 130 miles per hour."]
    vectors = np.array([[1.0, 0.0], [0.99, 0.141], [0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    groups = same_claims(texts, [frozenset(content_tokens(t)) for t in texts], vectors)
    assert groups[0] == groups[1] and groups[2] != groups[3]
