"""What kind of answer a question asks for, and whether a sentence holds one: the extractive answerer's
check that the articles answer the question instead of merely speaking of its subject."""

from assistant.slots import answer_slot, answers, fills

MEAT = "How many tonnes of meat was the cargo plane carrying when it crashed in Karaj?"
JAZZ = "Which Utah Jazz player's positive test led the NBA to suspend its season?"


def test_a_count_is_answered_by_a_new_number_beside_what_is_counted():
    assert fills(answer_slot(MEAT), MEAT, "The plane was carrying 40 tonnes of meat from Bishkek.")
    assert not fills(answer_slot(MEAT), MEAT, "The tanker, gross tonnage around 1,150, had over ten crewmembers.")
    assert not fills(answer_slot(MEAT), MEAT, "The meat was bound for Karaj; the crash killed 15 of the 16 on board"
                     " the Boeing, an aircraft built more than fifty years ago.")
    q = "How many felony charges did the couple plead guilty to?"
    assert fills(answer_slot(q), q, "They admitted fourteen felony charges each.")  # number words count


def test_money_percentages_and_tallies_need_their_own_kind_of_number():
    q = "How much money did the event raise?"
    assert fills(answer_slot(q), q, "The event raised nearly CDN$11,000 for Pet Patrol.")
    p = "What percentage of the vote did she receive?"
    assert not fills(answer_slot(p), p, "She received 2.5 million votes.")
    assert fills(answer_slot(p), p, "She received about 10 percent of the vote.")
    t = "What was the final Senate vote on the article?"
    assert fills(answer_slot(t), t, "The Senate vote was 52 to 48.")
    assert not fills(answer_slot(t), t, "A vote will be held today on whether to submit the articles.")


def test_which_wants_a_name_beside_its_noun_unless_the_noun_is_no_kind_of_name():
    assert fills(answer_slot(JAZZ), JAZZ, "The decision followed Utah Jazz player Rudy Gobert testing positive.")
    assert not fills(answer_slot(JAZZ), JAZZ, "The NBA's decision followed a Utah Jazz player testing positive.")
    assert answer_slot("Which animals' ribs did Neanderthals use?").kind is None  # the answer is "bovids"


def test_sentences_that_speak_of_the_subject_without_the_answer_do_not_answer():
    near_miss = ["The NBA's decision followed a Utah Jazz player testing positive.",
                 "The game in Oklahoma City was called off minutes before tip-off."]
    assert not answers(JAZZ, near_miss)
    assert answers(JAZZ, [*near_miss, "Utah Jazz center Rudy Gobert tested positive on Wednesday."])
    # a paraphrase that never uses the question's words is given the benefit of the doubt
    assert answers("How many storeys did the hotel have?", ["The hotel had been built up to six floors."])
    # a question asking for no particular kind of answer is not checked
    assert answers("Why did the building collapse?", ["A gas leak led to an explosion."])


def test_the_extractive_answer_adds_the_sentence_that_holds_the_answer_when_the_best_ones_do_not():
    from assistant.extractive import Candidate, extractive_answer

    def cand(n: int, text: str, score: float) -> Candidate:
        return Candidate(n, f"a{n}", text, 0, score)

    ranked = [cand(1, "The Liberals, who had held a majority since 2015, lost that majority.", 0.8),
              cand(2, "Turnout across Canada was higher than in the last election.", 0.7),
              cand(3, "The party lost a net of 20 seats, according to preliminary results.", 0.5),
              cand(4, "Polls had predicted a close race with 12 parties standing.", 0.3)]
    answer = extractive_answer("How many seats did the Liberals lose?", ranked)
    assert answer.startswith("The Liberals, who had held") and answer.endswith("preliminary results. [3]")
    assert "12 parties" not in answer  # too far below the best sentence to be offered
