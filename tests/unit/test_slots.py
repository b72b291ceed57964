"""What kind of answer a question asks for, and whether a sentence holds one: the extractive answerer's
check that the articles answer the question instead of merely speaking of its subject."""

from assistant.slots import Seen, answer_slot, answers, fills, untold

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


def seen(*sentences: str, article: str = "a", on_topic: bool = True) -> list[Seen]:
    return [Seen(article, s, on_topic) for s in sentences]


def test_sentences_that_speak_of_the_subject_without_the_answer_do_not_answer():
    near_miss = seen("The NBA's decision followed a Utah Jazz player testing positive.",
                     "They were to play against the Oklahoma City Thunder in Oklahoma City.")
    assert not answers(JAZZ, near_miss)
    assert answers(JAZZ, [*near_miss, *seen("Utah Jazz center Rudy Gobert tested positive on Wednesday.")])
    # a paraphrase that never uses the question's words is given the benefit of the doubt
    assert answers("How many storeys did the hotel have?", seen("The hotel had been built up to six floors."))
    # but only when it is the sentence most like the question: a number further down is about something else
    assert not answers("How many votes did Jo Jorgensen receive?",
                       seen("Those giving their final pleas are Jo Jorgensen and Phil Collins.",
                            "The foundation held two debates in October."))
    # a question asking for no particular kind of answer is not checked
    assert answers("Why did the building collapse?", seen("A gas leak led to an explosion."))
    # but money shows itself: no amount, no answer
    assert not answers("How much prize money did Kosgei earn?", seen("Kosgei won the race in record time."))


def test_a_name_that_the_asked_word_qualifies_is_no_answer():
    pilot = "What were the names of the pilots of Air India Express flight 1344?"
    assert not fills(answer_slot(pilot), pilot, "It cited the Air Force as stating Saha Airlines owned the plane.")
    assert fills(answer_slot(pilot), pilot, "The pilots, Deepak Sathe and Akhilesh Kumar, died in the crash.")
    group = "Which group did the army name as the suspected perpetrators?"
    assert fills(answer_slot(group), group, "The army said the Abu Sayyaf Group are the suspected perpetrators.")
    student = "Which student was shot by police?"
    assert not fills(answer_slot(student), student, "Footage from the City University Student Union showed police.")


def test_a_surname_must_follow_the_given_name():
    q = "What is the surname of Łukasz, the Polish chef who confronted the attacker?"
    assert not fills(answer_slot(q), q, "Łukasz, who reportedly works at Fishmongers' Hall as a chef, stayed.")
    assert not fills(answer_slot(q), q, "Another, a Polish chef named Łukasz, harried him with a narwhal tusk.")
    assert fills(answer_slot(q), q, "The chef, Łukasz Koczocik, harried him with a narwhal tusk.")


def test_the_name_of_something_possessed_is_asked_of_the_possession():
    q = "What was the previous name of the charity Sea-Eye's rescue ship?"
    assert answer_slot(q).focus == {"rescu", "ship"}
    assert fills(answer_slot(q), q, "Their ship, MV Alan Kurdi, was previously MV Professor Albrecht Penck.")


def test_an_article_saying_the_answer_is_not_known_is_believed_over_its_other_names():
    q = "Which Utah Jazz player tested positive?"
    withheld = "The NBA did not release the identity of the player in question."
    assert untold(answer_slot(q), withheld)
    assert not untold(answer_slot(q), "The player did not travel with the team.")  # "not" about something else
    cause = "What was the cause of the fire at Notre Dame?"
    assert untold(answer_slot(cause), "As of late yesterday, the fire's cause had not been officially stated.")
    article = seen(withheld, "Utah Jazz center Rudy Gobert sat out the game.")
    assert not answers(q, article)
    # a later report that names him still answers
    assert answers(q, [*article, *seen("Utah Jazz center Rudy Gobert was the player who tested positive.", article="b")])
    assert not answers(cause, seen("As of late yesterday, the fire's cause had not been officially stated."))
    # "what symptoms" asks for anything, but about symptoms
    symptoms = "What symptoms did Igor Matovič have after testing positive?"
    assert not answers(symptoms, seen("Without mentioning any symptoms, his office said he cancelled all events."))
    assert answers(symptoms, seen("Matovič said he had a mild fever and a cough."))


def test_only_a_sentence_about_what_the_question_names_can_hold_its_answer():
    q = "How much prize money did Brigid Kosgei earn?"
    assert not answers(q, seen("He has made a career total $5,479,761 in prize money earnings.", on_topic=False)
                       + seen("Brigid Kosgei won the race."))
    assert answers(q, seen("Brigid Kosgei took home $100,000 in prize money."))


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


def test_articles_written_before_the_period_asked_about_cannot_answer_it():
    from assistant.extractive import Candidate, answerable

    q = "How many votes did Jo Jorgensen receive in the November 2020 election?"
    before = [Candidate(1, "a1", "Jorgensen received a total of 485,798 votes as the running mate.", 0, 0.6,
                        date="2020-10-29")]
    assert not answerable(q, before)
    after = [Candidate(1, "a2", "Jorgensen received a total of 1,865,724 votes.", 0, 0.6, date="2020-11-20")]
    assert answerable(q, after)
    # a question about what is to come is not one about what happened
    assert answerable("How many votes will Jo Jorgensen receive in the November 2020 election?", before)


def test_an_article_looking_ahead_to_an_event_cannot_tell_its_outcome():
    from assistant.extractive import Candidate, answerable

    won = "Which candidate won the by-election in the electorate of Groom?"
    preview = [Candidate(1, "a1", "Tomorrow, voters in Groom are scheduled to go to the polls in a by-election.", 0, 0.6),
               Candidate(1, "a1", "At the last federal election, the Liberal National Party won this seat.", 0, 0.5)]
    assert not answerable(won, preview)
    assert answerable("Which party held the seat of Groom before the by-election?", preview)  # not an outcome
    report = Candidate(2, "a2", "Garth Hamilton of the Liberal National Party won the Groom by-election.", 0, 0.55)
    assert answerable(won, [*preview, report])


def test_counts_ages_and_money_are_numbers_of_their_own_kind():
    shutdown = "How many days had the government shutdown lasted?"
    assert not fills(answer_slot(shutdown), shutdown, "The shutdown began on December 22 and 800,000 employees were idle.")
    assert not answers(shutdown, seen("About 800,000 federal employees were not paid during the shutdown."))  # no days
    assert answers(shutdown, seen("The shutdown had lasted 13 days."))
    age = "How old was Volodoymyr Zhukovskyy, the driver in the crash?"
    assert fills(answer_slot(age), age, "Acting via his lawyers, Volodoymyr Zhukovskyy, 23, pleaded not guilty.")
    assert not fills(answer_slot(age), age, "The crash happened on Route 2 on June 21.")
    assert answer_slot("By how much did the suicide rate rise?").money is False
    assert answer_slot("How much did the painting sell for at the auction, in dollars?").money
    attendance = "What was the total attendance at Anime North 2019?"
    assert answer_slot(attendance).kind == "number"
    assert not answers(attendance, seen("Many thousands of fans came to Anime North, a convention launched in 1997."))


def test_a_cause_is_answered_only_by_a_sentence_that_gives_one():
    fire = "What caused the apartment block fire in Badalona?"
    assert not answers(fire, seen("An apartment block caught fire on Saturday morning in Badalona.",
                                  "The blaze killed three, including a 92-year-old woman."))
    assert answers(fire, seen("The fire in Badalona was caused by a faulty heater."))
    why = "Why did Arnav Gupta set himself on fire?"
    assert not answers(why, seen("Arnav Gupta, 33, set himself on fire near the White House on Wednesday."))
    assert answers(why, seen("Gupta set himself on fire in protest against the government."))
    assert answers("Why was Dorsa Derakhshani banned from the national team?",
                   seen("Dorsa Derakhshani was banned since she did not wear a hijab at the festival."))
    # news gives many causes as what came first
    assert answers("Why did Chile's president declare a state of emergency?",
                   seen("The president declared a state of emergency after protests turned violent."))
    # "specified no cause" says the cause is not known, whatever else the article says
    death = "What was the cause of death of Robert Hunter?"
    article = seen("His family's announcement of his death specified no cause.", "He died due to old age, friends guessed.")
    assert untold(answer_slot(death), article[0].text)
    assert not answers(death, article)
    absent = "Why had Jon Huber been absent from television tapings?"
    assert not answers(absent, seen("Huber had been absent from tapings since October for reasons not publicized."))


def test_how_long_wants_a_number_of_units_of_time():
    q = "How long were the prison sentences given to the nine men?"
    assert not answers(q, seen("Nine men were jailed on Wednesday.", "The nine men were prosecuted for 22 different crimes."))
    assert answers(q, seen("The men were jailed for between 10 and 18 years."))


def test_a_capitalised_common_word_is_no_name():
    q = "What is the name of the inmate who stabbed Sirhan?"
    assert not fills(answer_slot(q), q, 'The warden said: "There is an inmate in hospital."')
    assert fills(answer_slot(q), q, "The inmate, John Smith, was moved to another prison.")


def test_the_name_of_an_unnamed_person_is_a_full_name():
    q = "What was the name of the woman who died in the fire at Bontddu Hall?"
    assert not fills(answer_slot(q), q, "The woman died at Bontddu Hall near Dolgellau in Gwynedd, Wales.")
    assert fills(answer_slot(q), q, "The woman, Jane Evans, died at the scene.")
    assert not answers(q, seen("A fire broke out yesterday at Bontddu Hall near Dolgellau in Gwynedd, Wales."))
    # the noun asked about, not the clause after it: a name beside "stabbing" is not the man's
    man = "What is the name of the man accused of stabbing mayor Paweł Adamowicz?"
    assert answer_slot(man).focus == {"man"}
    assert not fills(answer_slot(man), man, "Interior Minister Joachim Brudziński called the stabbing barbaric.")


def test_the_words_of_a_question_that_say_what_kind_of_answer_it_wants():
    # ", which premiered" is a clause about the film, not a "which" question
    budget = "What was the production budget of the film Mister America, which premiered in Hollywood?"
    assert answer_slot(budget).kind == "number" and answer_slot(budget).money
    # the noun before "of" is what is asked for: a cost, not damage
    assert answer_slot("What was the estimated cost of the damage the typhoon caused?").money
    crash = "What did the NTSB conclude caused the B-17 to crash?"
    assert answer_slot(crash).kind == "cause"
    assert not answers(crash, seen("The B-17 crashed at Bradley International Airport, killing seven."))
    examiner = "What did the medical examiner determine was the cause of death of Andrea Zamperoni?"
    assert not answers(examiner, seen("Police were investigating, with no cause of death confirmed yet by the medical examiner."))


def test_a_name_before_the_counted_noun_does_not_hide_it():
    q = "How many Iraqi MPs voted in favour of the resolution?"
    assert answer_slot(q).focus  # not "any number at all"
    assert not fills(answer_slot(q), q, "The resolution, backed by 170 Shia members, calls for US troops to leave.")
    assert fills(answer_slot(q), q, "The resolution passed after 170 MPs voted in favour.")
