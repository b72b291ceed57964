"""What a question asks (the parse) and whether retrieved sentences answer it, on small made-up stories."""

from __future__ import annotations

import pytest

from assistant.answerability import assess
from assistant.embeddings import make_embeddings
from assistant.extractive import extractive_answer
from assistant.language import MEASURES, NAMED, NUMBERS, PERSONS, analyze, question_parts
from assistant.prompts import REFUSAL
from assistant.settings import Settings
from assistant.types import Passage


@pytest.fixture(scope="module")
def embeddings():
    return make_embeddings(Settings())


def _passages(*texts: str, title: str = "Flood in Riverton", score: float = 0.6) -> list[Passage]:
    out, start = [], 0
    body = " ".join(texts)
    for i, text in enumerate(texts):
        start = body.index(text)
        out.append(Passage(chunk_id=f"a:{i}", article_id="a", source_path="a.txt", title=title, date="2021-03-05",
                           text=text, start=start, end=start + len(text), score=score))
    return out


ANSWERABLE = Settings.model_fields["answerable"].default  # the product's threshold


def _assess(question: str, passages: list[Passage], embeddings, threshold: float = ANSWERABLE):
    return assess(question, passages, embeddings, least=0.3, threshold=threshold)


def test_question_analysis_reads_the_focus_and_the_kind_of_answer(embeddings):
    q = analyze("How many rescue boats did the council send to Riverton?", embeddings)
    assert q.wh == "how many" and q.focus == "boat" and q.focus_phrase == "rescue boats"
    assert q.labels == NUMBERS - {"PERCENT"} and "send" in q.verbs and "Riverton" in q.names
    who = analyze("Who opened the new bridge in Riverton?", embeddings)
    assert who.labels >= PERSONS and who.focus is None and who.predicate == "open"
    assert analyze("Why did the dam fail?", embeddings).kind == "cause"
    assert analyze("What was the cause of the flood?", embeddings).kind == "cause"
    # a noun asking for a reason is typed like the labels, by what it is like: no list of such nouns
    assert analyze("What motive did the police give for the attack?", embeddings).kind == "cause"
    assert analyze("What injury did the player suffer?", embeddings).kind == "entity"
    # "how" before a verb asks in what way, not how much
    assert analyze("How did the mayor describe the new bridge?", embeddings).kind == "description"
    assert analyze("How deep was the flood water in Riverton?", embeddings).labels == MEASURES


def test_a_which_noun_is_typed_by_what_it_names(embeddings):
    assert "GPE" in analyze("In which city did the summit take place?", embeddings).labels
    assert "ORG" in analyze("Which company built the dam?", embeddings).labels
    assert "DATE" in analyze("In what year was the dam built?", embeddings).labels
    # a role is a person's: "which judge" wants a name, not a number
    assert {"PERSON"} <= analyze("Which judge sentenced the mayor?", embeddings).labels <= NAMED
    # a wh-word in a clause that sets the scene is not the one asked
    q = analyze("When the storm hit, how many homes lost power?", embeddings)
    assert q.wh == "how many" and q.focus == "home"
    # though the small parser takes the opening clause for the main one when the whole is read at once
    q = analyze("When the Riverton council met in May to discuss the flood, which engineer did it hire?", embeddings)
    assert q.wh == "which" and q.focus == "engineer" and q.verbs == ("hire",) and q.names == ("Riverton",)
    # "on what share" is asked, though the small parser labels the noun as a clause after a preposition
    q = analyze("When the storm hit Riverton, on what share of homes did the power fail?", embeddings)
    assert q.wh == "what" and q.focus == "share"
    # the clause that sets the scene may itself follow a phrase that does
    q = analyze("As of Friday, when the city's mayor declared an emergency in May, how far from the dam was the fire?",
                embeddings)
    assert q.wh == "how far" and q.labels == MEASURES
    q = analyze("On Monday, when the Riverton mayor announced the closure, which road was flooded?", embeddings)
    assert q.wh == "which" and q.focus == "road"


@pytest.mark.parametrize("question, read, sentences, answer", [
    # a possessive asks of the noun it owns as well: "which residents' group" asks for a group
    ("Which residents' group does Tom Reyes belong to?", {"focus": "resident", "about": "group"},
     ("Heavy rain flooded Riverton on Tuesday.",
      "Tom Reyes of the tenant group Riverton Watch said the council had failed them."), "Riverton Watch"),
    # a relative clause set off by commas is not what is asked (the small parser hangs "built" from the noun)
    ("When was the old mill, which the council sold last year, built?", {"verbs": ("build",)},
     ("The old mill was sold by the council in 2021 for a small sum.", "The mill was built in 1850 by a local family."),
     "1850"),
    # a passive participle after a long subject is the verb asked about (the parser hangs it from the subject)
    ("At what hour was the new Riverton museum director introduced after the board meeting in May?",
     {"verbs": ("introduce",)},
     ("The board met at 3 p.m. to discuss the budget of the museum.",
      "Jane Roe was introduced to the staff at 10 a.m. on the steps of the museum."), "10 a.m."),
    # or from a noun deep inside the subject, tagged as a past tense
    ("When was a decision on protecting the hill ponies of Riverton expected, according to the council?",
     {"verbs": ("expect",)},
     ("A decision on protecting the hill ponies of Riverton was first debated by the council on Monday.",
      "The council said the decision is expected in June."), "June"),
])
def test_what_the_small_parser_misreads_in_a_question_is_read_from_its_grammar(embeddings, question, read, sentences,
                                                                              answer):
    q = analyze(question, embeddings)
    assert {k: getattr(q, k) for k in read} == read
    a = _assess(question, _passages(*sentences), embeddings)
    assert a.answerable and a.ranked[0].answer == answer


def test_a_question_joining_two_is_split_into_its_parts():
    assert question_parts("Who built the Riverton dam, and in what year did it open?") == [
        "Who built the Riverton dam?", "In what year did it open?"]
    # a sentence that sets the scene goes with each part
    assert question_parts("A dam burst in Riverton. How many homes flooded, and who paid for the repairs?") == [
        "A dam burst in Riverton. How many homes flooded?", "A dam burst in Riverton. Who paid for the repairs?"]
    # one question: two things asked of one verb, a relative pronoun repeated, a clause that sets the scene
    for one in ("Who won the silver and bronze medals in Riverton?",
                "Which engineer, who designed the dam, and who later led the council, retired in 2019?",
                "When the dam burst, how many homes flooded?"):
        assert question_parts(one) == [one]


def test_each_part_of_a_joined_question_is_answered_from_its_own_sentence(embeddings):
    passages = _passages("The Riverton dam was built by the engineering firm Kessler Works.",
                         "Heavy rain fell on the town for a week.",
                         "The dam opened in 1962, the council said.")
    a = _assess("Which firm built the Riverton dam, and in what year did the dam open?", passages, embeddings)
    assert a.answerable and len(a.parts) == 2
    answer = extractive_answer(a)
    assert "Kessler Works" in answer and "1962" in answer and "Heavy rain" not in answer
    # a part the story does not answer is left out; the part it answers still is
    b = _assess("Which firm built the Riverton dam, and how many workers died building it?", passages, embeddings)
    assert b.answerable and [p.answerable for p in b.parts] == [True, False]
    assert "Kessler Works" in extractive_answer(b)


def test_a_part_that_says_it_or_his_is_about_what_the_question_named_before(embeddings):
    """"...and who was its chief engineer?": a story about another dam cannot answer that part."""
    dam = _passages("The Riverton dam was built by the engineering firm Kessler Works.")
    text = "Maria Lopez was the chief engineer of the Lakeside dam."
    other = Passage(chunk_id="b:0", article_id="b", source_path="b.txt", title="Lakeside dam", date="2021-04-01",
                    text=text, start=0, end=len(text), score=0.6)
    a = _assess("Which firm built the Riverton dam, and who was its chief engineer?", dam + [other], embeddings)
    assert a.answerable and [p.answerable for p in a.parts] == [True, False]
    assert "Kessler Works" in extractive_answer(a) and "Maria Lopez" not in extractive_answer(a)
    assert a.answerability.unanswered == ["Who was its chief engineer?"]
    # a sentence that sets the scene is not repeated in what is unanswered
    b = _assess("A dam opened in Riverton. Which firm built it, and who was its chief engineer?", dam + [other],
                embeddings)
    assert b.answerable and b.answerability.unanswered == ["Who was its chief engineer?"]


def test_a_place_in_the_slot_of_another_event_does_not_say_where_this_one_happened(embeddings):
    born = _passages("The singer Anna Berg was born in Riverton.", "Berg died in 2020 after a long illness.",
                     title="Singer Anna Berg dies")
    a = _assess("In which city did the singer Anna Berg die?", born, embeddings)
    assert not a.answerable
    died = _passages("The singer Anna Berg died in Lakeside.", "Berg was born in 1950.", title="Singer Anna Berg dies")
    b = _assess("In which city did the singer Anna Berg die?", died, embeddings)
    assert b.answerable and b.ranked[0].answer == "Lakeside"


def test_the_verb_asked_about_is_read_from_its_auxiliary_when_tagged_as_a_noun(embeddings):
    question = "On what date did the Riverton council vote to close the old bridge?"
    q = analyze(question, embeddings)
    assert q.verbs == ("vote",) and q.predicate == "vote"
    opened = _passages("The old bridge in Riverton opened on June 2, 1950.", "Engineers said the bridge was no longer "
                       "safe.", "The council will vote on the bridge's future.", title="Riverton council to vote on bridge")
    other = _assess(question, opened, embeddings)
    voted = _passages("The Riverton council voted on May 4 to close the old bridge.", "Engineers said the bridge was "
                      "no longer safe.", title="Riverton council closes old bridge")
    a = _assess(question, voted, embeddings)
    assert a.answerable and a.ranked[0].answer == "May 4"
    # the day the bridge opened is the date of another event: weakly attached, less sure than the vote's day
    assert other.ranked[0].score < a.ranked[0].score / 2
    assert other.answerability.score < a.answerability.score


def test_the_verb_asked_about_is_read_when_the_parser_takes_did_for_the_main_verb(embeddings):
    question = "In which month did the Riverton library reopen?"
    assert analyze(question, embeddings).predicate == "reopen"
    passages = _passages("After two years of repairs, the Riverton library reopened to readers in June.",
                         "The council paid for the work.")
    a = _assess(question, passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "June"


def test_a_did_before_its_subject_is_no_event_where_the_parser_lost_the_verb_it_helps(embeddings):
    """A long subject can make the small parser read the verb after it as a noun ("date" in "does the hall, the
    former hotel ..., date to"): the question then asks of no event, not of doing."""
    question = "What year does Riverton Hall, the former hotel hit by a fire in June, date to?"
    assert "do" not in analyze(question, embeddings).verbs
    passages = _passages("Riverton Hall dates to 1873 and was a country house before becoming a hotel.",
                         "The fire broke out on Monday.")
    a = _assess(question, passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "1873"


def test_how_many_of_a_noun_counts_that_noun(embeddings):
    q = analyze("How many of the county's delegates did Jane Doe win?", embeddings)
    assert q.focus == "delegate" and q.verbs == ("win",)
    # a count of the noun the copula gives stays the one asked: "how many of the victims were children"
    assert analyze("How many of the flood victims were children?", embeddings).focus == "child"
    a = _assess("How many of the county's election delegates did Jane Doe secure in May?",
                _passages("Jane Doe secured all 25 of the county's delegates in May.", "Her rival conceded on Sunday."),
                embeddings)
    assert a.answerable and a.ranked[0].answer == "25"


def test_the_name_of_the_captain_of_a_ferry_is_no_name_said_of_the_ferry(embeddings):
    question = "What was the name of the captain of the ferry that sank on Monday?"
    unnamed = _assess(question, _passages("The ferry, owned by Blue Line Shipping, sank near Eastport on Monday with 40 "
                                          "people on board.", "Its captain was rescued by a fishing boat."), embeddings)
    assert not unnamed.answerable
    named = _assess(question, _passages("The ferry sank near Eastport on Monday with 40 people on board.",
                                        "Its captain, Ann Moss, was rescued by a fishing boat."), embeddings)
    assert named.answerable and named.ranked[0].answer == "Ann Moss"
    # what is said of a noun is still asked of it where it is no name: "the age of the owner"
    aged = _assess("What was the age of the owner of the ferry?",
                   _passages("The ferry's owner, John Reed, is 64.", "Its captain was rescued by a fishing boat."),
                   embeddings)
    assert aged.answerable and aged.ranked[0].answer == "64"


def test_the_slot_asked_about_belongs_to_the_verb_it_hangs_from(embeddings):
    # "returning from which country": the slot is returning's, though the main verb is "involved"
    passages = _passages("The first recorded cases of the fever in Riverton were on May 3, in two people who "
                         "returned from Spain.", "The town's hospital set up a ward with 40 beds.",
                         title="Fever reaches Riverton")
    a = _assess("The first fever infections in Riverton involved two people returning from which country?",
                passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "Spain"


@pytest.mark.parametrize("question, sentences, threshold, answer", [
    # a verb's object may name the event whose slot is asked: "received treatment at X" says where he was treated
    ("At which medical centre had the Riverton mayor been treated?",
     ("According to his wife, the Riverton mayor succumbed to a lung disorder, for which he received treatment at "
      "Lakeside General.", "He was 71."), 0.4, "Lakeside General"),
    # a title written right before a name is said of it, though the small parser leaves "head of the fire service"
    # unattached to "Tom Reyes": the name is firmly the head's, not only an argument of the verb
    ("Which head of the Riverton fire service thanked volunteers after the flood?",
     ("Thanking the volunteers, head of the fire service Tom Reyes said the town owed them a great deal.",
      "The flood killed two people in Riverton."), 0.7, "Tom Reyes"),
])
def test_an_answer_said_of_what_is_asked_where_the_small_parser_hides_it(embeddings, question, sentences, threshold,
                                                                         answer):
    a = _assess(question, _passages(*sentences), embeddings, threshold=threshold)
    assert a.answerable and a.ranked[0].answer == answer


def test_a_question_in_other_words_than_its_article_is_answered_at_a_lower_score(embeddings):
    # "fix the damaged dam" for "carry out the repairs to the dam": every sentence matches the question less,
    # the one that answers it too; the decision weighs the answer's score against how closely anything matches
    passages = _passages("Kessler Works will carry out the repairs to the dam, the council said on Monday.",
                         "Heavy rain flooded Riverton.")
    a = _assess("Which company will fix the damaged Riverton dam?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "Kessler Works"
    # a question the story's words match closely, whose closest sentence holds no answer, is a near miss
    passages = _passages("The Riverton dam failed on Tuesday, flooding 40 homes.", "Engineers blamed heavy rain.")
    near = _assess("How many people were injured when the Riverton dam failed on Tuesday?", passages, embeddings)
    assert not near.answerable and extractive_answer(near).startswith(REFUSAL)


def test_a_common_noun_of_the_kind_asked_about_answers_what_noun(embeddings):
    """"What weapon" asks for no name: a crossbow is one, and "propane gas" says which gas; a story that
    names neither does not say."""
    passages = _passages("A man attacked two guards with a crossbow at the Riverton depot on Tuesday, police said.",
                         "Both guards were taken to hospital.")
    a = _assess("What weapon did the man use to attack the guards at the Riverton depot?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "crossbow"
    passages = _passages("The Riverton bakery ran out of propane gas on Sunday.", "Its ovens stayed cold all day.")
    a = _assess("What gas did the Riverton bakery run out of?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "propane"
    passages = _passages("A man attacked two guards at the Riverton depot on Tuesday, police said.",
                         "Both guards were taken to hospital.")
    near = _assess("What weapon did the man use to attack the guards at the Riverton depot?", passages, embeddings)
    assert not near.answerable and extractive_answer(near).startswith(REFUSAL)


def test_a_common_noun_is_no_answer_to_what_something_was_named(embeddings):
    """"The name of the horse" asks for a name: "a grey mare" says what the horse was, not what it was called."""
    question = "What was the name of the horse that won the Riverton Cup on Saturday?"
    near = _assess(question, _passages("A grey mare won the Riverton Cup on Saturday.",
                                       "Her jockey was thrown at the last fence."), embeddings)
    assert not near.answerable and extractive_answer(near).startswith(REFUSAL)
    a = _assess(question, _passages("A grey mare called Silver Lining won the Riverton Cup on Saturday.",
                                    "Her jockey was thrown at the last fence."), embeddings)
    assert a.answerable and a.ranked[0].answer == "Silver Lining"


def test_which_of_several_asks_for_one_of_them_as_who_does(embeddings):
    """"Which of the three candidates won" asks who won, one of them by name; a story that does not say who won
    does not answer it."""
    question = "Which of the three candidates won the Riverton mayoral election?"
    a = _assess(question, _passages("Three candidates stood in the Riverton mayoral election on Sunday.",
                                    "Jane Doe won the Riverton mayoral election with 54 percent of the vote."), embeddings)
    assert a.answerable and a.ranked[0].answer == "Jane Doe"
    near = _assess(question, _passages("Three candidates stood in the Riverton mayoral election on Sunday.",
                                       "The result of the Riverton mayoral election will be announced next week by "
                                       "the town council."), embeddings)
    assert not near.answerable and extractive_answer(near).startswith(REFUSAL)


def test_a_number_attached_to_the_noun_asked_about_answers(embeddings):
    passages = _passages("Heavy rain flooded Riverton on Tuesday.",
                         "The council sent 14 rescue boats to the town, officials said.")
    a = _assess("How many rescue boats did the council send to Riverton?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "14"
    assert "14 rescue boats" in extractive_answer(a)


def test_a_place_naming_someones_title_does_not_say_where_they_did_it(embeddings):
    passages = _passages("Former Lakeside mayor Jane Doe died on Sunday at the age of 80.",
                         "She died at a hospital in Greenfield, her family said.")
    a = _assess("Where did Jane Doe die?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "Greenfield"
    assert a.ranked[1].answer == "Lakeside" and a.ranked[1].score < a.ranked[0].score


def test_a_question_in_other_words_than_the_article_is_measured_against_the_sentence_closest_to_it(embeddings):
    """Put in other words than the article's, a question matches every sentence less, the one that answers it
    too: when no sentence matches it well, that sentence's match counts against the best any makes."""
    passages = _passages("Heavy rain flooded Riverton on Tuesday.",
                         "The council sent 14 rescue boats to Riverton, officials said.")
    a = _assess("How many vessels did the local authority dispatch to help?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "14"


def test_a_number_about_another_noun_is_no_answer(embeddings):
    """The story has numbers, but none counts what is asked: the articles do not say."""
    passages = _passages("Heavy rain flooded Riverton on Tuesday.",
                         "The council sent 14 rescue boats to the town, officials said.",
                         "About 300 homes lost power.")
    a = _assess("How many firefighters were injured in the Riverton flood?", passages, embeddings)
    assert not a.answerable
    assert extractive_answer(a).startswith(REFUSAL)
    assert a.answerability.score < 0.3 and a.answerability.reason


def test_a_count_of_days_tagged_as_a_date_answers_how_many_days(embeddings):
    passages = _passages("The mayor of Riverton tested positive for the flu on Monday.",
                         "She will work from home during a 10-day isolation, her office said.")
    a = _assess("How many days will the mayor of Riverton isolate?", passages, embeddings)
    assert a.answerable and "10" in a.ranked[0].answer
    took = _passages("The rescue in Riverton took three hours, the fire service said.", "The water reached the town hall.")
    a = _assess("How much time did the rescue in Riverton take?", took, embeddings)
    assert a.answerable and a.ranked[0].answer == "three hours"


@pytest.mark.parametrize("said, answer", [("at 9:40am on Saturday", "9:40am"), ("on Saturday morning", None)])
def test_what_time_is_answered_by_a_clock_time(embeddings, said, answer):
    passages = _passages(f"The ferry left Riverton {said}, the harbour office said.", "The crossing was calm.")
    a = _assess("At what time did the ferry leave Riverton?", passages, embeddings)
    assert a.answerable == (answer is not None)
    if answer:
        assert answer in a.ranked[0].answer


def test_a_day_does_not_count_how_many_times(embeddings):
    passages = _passages("The Riverton ferry was inspected on Friday, March 3, the harbour office said.",
                         "Inspectors found rust on the hull.")
    a = _assess("How many times was the Riverton ferry inspected?", passages, embeddings)
    assert not a.answerable


@pytest.mark.parametrize("amount", ["CDN$4,500", "NZ$300"])
def test_an_amount_after_a_lettered_dollar_sign_answers_how_much(embeddings, amount):
    passages = _passages(f"The fair raised nearly {amount} for the animal shelter.", "It drew 800 visitors.",
                         title="Riverton fair")
    a = _assess("How much money did the Riverton fair raise for the animal shelter?", passages, embeddings)
    assert a.answerable and amount in a.ranked[0].answer


def test_a_share_does_not_say_how_many(embeddings):
    passages = _passages("About 40% of the homes in Riverton were flooded, the council said.",
                         "The water reached the town hall.")
    assert not _assess("How many homes in Riverton were flooded?", passages, embeddings).answerable
    passages = _passages("About 400 homes in Riverton were flooded, the council said.", "The water reached the town hall.")
    assert _assess("How many homes in Riverton were flooded?", passages, embeddings).answerable


def test_an_age_is_said_of_the_person_not_the_day_of_what_they_did(embeddings):
    question = "How old was the captain of the Riverton ferry that sank?"
    day = ["The Riverton ferry sank in the river on Tuesday.", "Its captain was rescued on Wednesday by fishermen."]
    assert not _assess(question, _passages(*day), embeddings).answerable
    a = _assess(question, _passages(*day, "The 62-year-old captain had sailed the route for decades."), embeddings)
    assert a.answerable and a.ranked[0].answer == "62-year-old"


def test_an_age_said_of_the_name_the_question_gives_its_noun_answers(embeddings):
    # "the singer Anna Berg": the age is said of Berg, the singer's name
    passages = _passages("The singer Anna Berg died on Monday in Riverton.", "Berg was 81 years old.",
                         title="Singer Anna Berg dies")
    a = _assess("How old was the singer Anna Berg when she died?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "81 years old"


def test_a_number_said_of_someone_else_is_no_answer(embeddings):
    """The vote count of another candidate does not say how many votes the one asked about received."""
    race = ["Three candidates stood for mayor of Riverton in the March election.",
            "Mark Ellis received 4,120 votes and won the seat."]
    question = "How many votes did Jane Holt receive in the Riverton mayoral election?"
    q = analyze(question, embeddings)
    assert q.subject == "Jane Holt"
    other = _assess(question, _passages(*race, "Jane Holt also stood, her first campaign."), embeddings)
    own = _assess(question, _passages(*race, "Jane Holt received 2,305 votes."), embeddings)
    assert own.answerable and own.ranked[0].answer == "2,305"
    assert "4,120" not in {c.answer for c in other.ranked if c.score >= own.ranked[0].score / 2}
    assert other.answerability.score < own.answerability.score


AWARD = ["A fire destroyed the old mill in Riverton on Tuesday night, and firefighter Tom Reed saved two workers.",
         "Governor Anna Berg and Mayor Jane Holt visited the mill."]


def test_in_a_passive_clause_the_name_after_by_is_who_did_it(embeddings):
    """"Reed was given two medals by Berg" says how many Berg gave him; by someone else, it does not."""
    question = "How many medals did Governor Anna Berg give the firefighter Tom Reed?"
    own = _assess(question, _passages(*AWARD, "Reed was given two medals by Governor Anna Berg on Friday."), embeddings)
    other = _assess(question, _passages(*AWARD, "Reed was given two medals by Mayor Jane Holt on Friday."), embeddings)
    assert own.answerable and own.ranked[0].answer == "two"
    assert not other.answerable


def test_a_name_is_of_the_kind_its_last_word_says(embeddings):
    """"the Valour Medal" is a medal: it answers "which medal" though no other word says so."""
    a = _assess("Which medal did Governor Anna Berg give the firefighter Tom Reed?",
                _passages(*AWARD, "Reed was presented the Valour Medal by Governor Anna Berg on Friday."), embeddings)
    assert a.answerable and a.ranked[0].answer == "the Valour Medal"


def test_a_name_in_the_question_is_no_answer_to_it(embeddings):
    passages = _passages("Mayor Jane Holt visited Riverton after the flood.",
                         "Holt praised the volunteers who filled sandbags.")
    a = _assess("Who praised the volunteers in Riverton, according to Mayor Jane Holt?", passages, embeddings)
    assert all(c.answer not in ("Jane Holt", "Holt") for c in a.ranked)


def test_a_longer_name_ending_in_a_place_the_question_names_is_not_that_place(embeddings):
    """"the Global Bird Fund Chile" is an organisation, not the Chile the question speaks of."""
    passages = _passages("Scientists from the Global Bird Fund Chile estimate the population by counting nests on the "
                         "cliffs.", "The colony lies in the south of Chile.", title="Condor count in Chile")
    a = _assess("Scientists from which organisation estimate the number of condors in Chile?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "the Global Bird Fund Chile"


def test_a_relative_sharing_the_family_name_asked_about_answers(embeddings):
    passages = _passages("Nadia Holt, 14, was given an award for her science project.",
                         "Her father Samir Holt said the family was proud of her.")
    a = _assess("What is the name of Nadia Holt's father?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "Samir Holt"


def test_a_number_counting_the_noun_asked_about_does_not_say_which(embeddings):
    passages = _passages("The Riverton council voted on Tuesday to ban plastic bags.",
                         "One official proposed the ban last year.")
    a = _assess("Which official proposed the ban on plastic bags in Riverton?", passages, embeddings)
    assert not a.answerable and all(c.answer != "One" for c in a.ranked)


def test_a_name_sharing_a_common_noun_of_the_question_still_answers_it(embeddings):
    passages = _passages("The river rose two metres overnight in Riverton.",
                         "In an interview with Valley Radio, the mayor said the levee would hold.")
    a = _assess("In an interview with which radio station did the mayor of Riverton say the levee would hold?", passages,
                embeddings)
    assert a.answerable and a.ranked[0].answer == "Valley Radio"


@pytest.mark.parametrize("asked, said, answer", [("what year", "in 2019", "2019"), ("what year", "in 1873", "1873"),
                                                  ("what year", "last year", None),
                                                  ("which month", "in May 2019", "May 2019"),
                                                  ("which month", "two months ago", None)])
def test_a_year_or_month_is_answered_by_a_date_that_names_it(embeddings, asked, said, answer):
    passages = _passages(f"The council built the Riverton bridge {said}.",
                         "The council said the crossing cost more than planned.")
    a = _assess(f"In {asked} did the council build the Riverton bridge?", passages, embeddings)
    assert a.answerable == (answer is not None)
    if answer:
        assert a.ranked[0].answer == answer


def test_a_year_is_said_of_the_event_not_of_the_word_year(embeddings):
    passages = _passages("Jane Doe was first elected mayor of Riverton in 2011.", "She has since won two more terms.")
    a = _assess("Since what year has Jane Doe been mayor of Riverton?", passages, embeddings)
    assert a.ranked[0].answer == "2011" and a.ranked[0].score >= 0.5


def test_a_date_modifying_a_noun_of_the_question_says_when_that_was(embeddings):
    passages = _passages("Under the 2008 merger, the Riverton mill became part of Kessler Works.",
                         "The mill employs 300 people.")
    a = _assess("In what year was the merger of the Riverton mill agreed?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "2008"
    passages = _passages("In a 2008 agreement, the council handed the Riverton mill to Kessler Works.",
                         "The mill employs 300 people.")
    a = _assess("When was the agreement on the Riverton mill signed?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "2008"


def test_a_refusal_says_what_kind_of_answer_was_looked_for(embeddings):
    passages = _passages("The Riverton dam was finished in 1990.", "The dam holds back the Riverton reservoir.")
    a = _assess("Which company built the Riverton dam?", passages, embeddings)
    assert not a.answerable and a.answerability.reason == "no sentence gives a name or a noun for 'company'"
    a = _assess("How many days did the Riverton dam take to fill?", passages, embeddings)
    assert not a.answerable and a.answerability.reason == "no sentence gives a number or date for 'days'"


def test_a_sentence_saying_it_is_not_known_is_believed_and_quoted(embeddings):
    passages = _passages("A man drowned in the Riverton flood on Tuesday.",
                         "The name of the man has not been released by the police.")
    a = _assess("What was the name of the man who drowned in the Riverton flood?", passages, embeddings)
    assert not a.answerable and "not known" in a.answerability.reason
    text = extractive_answer(a)
    assert text.startswith(REFUSAL) and "has not been released" in text


def test_an_article_that_never_names_what_is_asked_about_cannot_answer(embeddings):
    passages = _passages("Heavy rain flooded Riverton on Tuesday.", "Sandbags were handed out at the town hall.")
    a = _assess("What did the United Nations Security Council decide about the Riverton flood?", passages, embeddings)
    assert not a.answerable and "names" in a.answerability.reason


def test_an_article_names_what_is_asked_about_where_no_retrieved_passage_does(embeddings):
    passages = _passages("Four people were hurt when the old bridge fell into the river.", title="Bridge collapse")
    question = "How many people were hurt when the old bridge in Riverton collapsed?"
    assert "names Riverton" in _assess(question, passages, embeddings).answerability.reason
    article = "The old bridge in Riverton collapsed on Monday. Four people were hurt when the old bridge fell into the river."
    a = assess(question, passages, embeddings, least=0.3, threshold=ANSWERABLE, articles={"a": article})
    assert a.answerable and a.ranked[0].answer == "Four"


def test_a_nationality_may_be_said_by_naming_the_country(embeddings):
    """"Irish" in the question, "Ireland" in the article: a people is said of a place, not a name to find."""
    passages = _passages("Storm Aine reached Ireland on Sunday night.",
                         "Forecasters said 40,000 homes in Ireland lost power during the storm.")
    a = _assess("How many Irish homes lost power during Storm Aine?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "40,000"


@pytest.mark.parametrize("asked, written", [
    ("When did the mill warn the RWA about the spill?", "the Riverton Water Authority"),
    ("When did the mill warn the Riverton Water Authority about the spill?", "the RWA"),
    ("When did the mill warn UNE about the spill?", "the University of Northland, Eastport"),
    ("When did the mill warn Northland Tech about the spill?", "the Northland Institute of Technology"),
])
def test_an_acronym_or_a_clipped_name_names_what_it_stands_for(embeddings, asked, written):
    """The question shortens what the article spells out, or the other way round: the article still names it."""
    passages = _passages(f"The mill warned {written} about the spill on March 3.", "Fish died along two miles of the river.",
                         title="Chemical spill at Riverton mill")
    a = _assess(asked, passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "March 3"


def test_nothing_relevant_retrieved_is_refused(embeddings):
    a = _assess("Who won the chess championship?", _passages("Heavy rain flooded Riverton.", score=0.1), embeddings)
    assert not a.answerable and a.answerability.score < 0.3


def test_a_refusal_never_shows_a_score_the_threshold_would_answer(embeddings):
    """Close by meaning, but no article names what is asked about: the score shown stays below the bar."""
    passages = _passages("Heavy rain flooded the town on Tuesday.", "The council sent 14 rescue boats.", score=0.9)
    a = _assess("How many boats did the council of Lakeside send?", passages, embeddings)
    assert not a.answerable and "names Lakeside" in a.answerability.reason
    assert a.answerability.score < ANSWERABLE


def test_a_question_naming_many_things_may_name_one_its_own_way(embeddings):
    """Four names, one of them put the question's own way: the article still answers; with only two names,
    one the article never uses is still a refusal (the test above)."""
    passages = _passages("Heavy rain flooded Riverton, Westshire, on Tuesday.",
                         "Mayor Jane Holt said the council sent 14 rescue boats from Portmarsh to the town.")
    a = _assess("How many rescue boats did Riverton Town Hall send from Portmarsh to Riverton in Westshire, "
                "according to Jane Holt?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "14"


def test_the_event_asked_about_is_the_main_verb_not_a_describing_one(embeddings):
    q = analyze("Who was to chair the cancelled meeting of the Riverton council?", embeddings)
    assert "chair" in q.verbs and "cancel" not in q.verbs
    # nor the verb of a phrase that sets the scene: "after testing positive" asks of staying, not testing
    q = analyze("How many days did the mayor of Riverton stay home after testing positive?", embeddings)
    assert "stay" in q.verbs and "test" not in q.verbs


def test_a_did_the_parser_takes_for_the_main_verb_asks_of_the_verb_it_helps(embeddings):
    """The small parser may read "did Tom Reyes rescue" as "did" with the object "rescue": the question still asks
    of rescuing, though a clause sets the scene ("when the river flooded Riverton")."""
    passages = _passages("When the river flooded Riverton, Tom Reyes took his boat out.",
                         "Reyes rescued 14 people from the water.")
    a = _assess("How many people did Tom Reyes rescue when the river flooded Riverton?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "14" and a.question.verbs == ("rescue",)


def test_a_day_of_the_week_is_no_length_of_time(embeddings):
    """"How many days" and "how long" ask for a span: "on Friday" is none, "for about an hour" is one."""
    a = _assess("How many days did the Riverton power cut last?",
                _passages("The Riverton power cut began on Friday and the lights came back on Sunday."), embeddings)
    assert not a.answerable
    a = _assess("How long did the Riverton power cut last?",
                _passages("The Riverton power cut began on Friday, and the power was out for about an hour."),
                embeddings)
    assert a.answerable and a.ranked[0].answer == "about an hour"


def test_a_number_of_another_kind_modifying_the_noun_asked_about_answers_it(embeddings):
    """"What majority" asks for a share; the recogniser calls "two-thirds" a count. Said of "majority" itself, it
    answers; a number said of the noun in a question asking a name does not ("the 12-year-old girl")."""
    passages = _passages("The council debated the Riverton housing bill on Monday.",
                         "The bill needed a two-thirds majority to pass.")
    a = _assess("What majority did the Riverton housing bill need to pass?", passages, embeddings)
    assert a.answerable and "two-thirds" in a.ranked[0].answer
    a = _assess("What is the name of the girl who found the Riverton fossil?",
                _passages("A 12-year-old girl found the Riverton fossil on a beach walk."), embeddings)
    assert not a.answerable


def test_a_relative_pronoun_stands_for_the_noun_its_clause_describes(embeddings):
    """"Reyes, who is 31 years old" gives the age of Reyes, not of "who"."""
    passages = _passages("On Sunday, Tom Reyes of Lakeside won the Riverton marathon in 2:10:05.",
                         "Reyes, who is 31 years old, finished ten seconds ahead of the field.")
    a = _assess("How old was Tom Reyes when he won the Riverton marathon?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "31 years old"


def test_where_a_fact_comes_from_is_not_the_event_asked_about(embeddings):
    """"according to the harbour office" says who tells, not what happened: the month the ferry is expected back
    is October, not the month of a sentence that also says "according to"; unless the question asks who told."""
    passages = _passages("According to the harbour office, storms closed the Riverton ferry in March.",
                         "The service is suspended and expected back in October.")
    for question in ("In which month was the Riverton ferry service expected back, according to the harbour office?",
                     "When is the Riverton ferry service expected back, according to the harbour office?"):
        a = _assess(question, passages, embeddings)
        assert a.answerable and a.ranked[0].answer == "October" and a.question.verbs == ("expect",)
    passages = _passages("According to the Westshire Courier, 40 houses were flooded in Riverton.",
                         "The Riverton council said 12 families were rehoused.")
    a = _assess("According to which newspaper were 40 houses flooded in Riverton?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "the Westshire Courier"


def test_a_relative_that_is_not_the_question_word(embeddings):
    q = analyze("What is the name of the bridge near Riverton that was closed by the flood?", embeddings)
    assert q.kind == "entity" and q.focus == "bridge"
    assert analyze("How many present-day bridges did the flood close?", embeddings).focus == "bridge"


@pytest.mark.parametrize("sentence, title, question, name", [
    # the small model tags no entity in "40 Van Gogh drawings"; the parser still says the words are a name
    ("The museum lent more than 40 Van Gogh drawings and other works to the town gallery.", "Riverton museum reopens",
     "Which artist's drawings did the Riverton museum lend to the town gallery?", "Van Gogh"),
    # it calls the novel's title a person: still the name asked for, of a kind less sure
    ("Author Ann Lee launched her new novel Maria Cortez at the fair, her publisher said.", "Book fair in Riverton",
     "Which novel did Ann Lee launch at the Riverton book fair?", "Maria Cortez"),
])
def test_a_name_the_recogniser_leaves_unlabelled_or_mislabels_answers_a_which_question(embeddings, sentence, title,
                                                                                       question, name):
    passages = _passages("Riverton reopened its town centre on Saturday after a flood.", sentence, title=title)
    a = _assess(question, passages, embeddings)
    assert a.answerable and a.ranked[0].answer == name


def test_a_story_filed_twice_is_quoted_once(embeddings):
    """Two articles carrying the same sentence: the answer quotes it once, not twice in a row."""
    same = "The council sent 14 rescue boats to the town, officials said."
    first = _passages("Heavy rain flooded Riverton on Tuesday.", same)
    second = [Passage(chunk_id="b:0", article_id="b", source_path="b.txt", title="Riverton flooded", date="2021-03-05",
                      text=same, start=0, end=len(same), score=0.6)]
    a = _assess("How many rescue boats did the council send to Riverton?", first + second, embeddings)
    assert a.answerable
    assert extractive_answer(a).count("14 rescue boats") == 1


def test_another_article_is_quoted_for_a_time_only_when_it_gives_that_time(embeddings):
    first = _passages("The ferry left Riverton at 9:40am on Saturday, the harbour office said.", "The crossing was calm.")
    other = "The ferry to Riverton was late again on Sunday, the harbour office said."
    second = [Passage(chunk_id="b:0", article_id="b", source_path="b.txt", title="Riverton ferry", date="2021-03-07",
                      text=other, start=0, end=len(other), score=0.6)]
    a = _assess("At what time did the ferry leave Riverton?", first + second, embeddings)
    assert a.answerable and "9:40am" in extractive_answer(a) and other not in extractive_answer(a)


def test_a_model_reads_the_sentence_that_answers_first(embeddings):
    """The evidence is numbered best first, even where the answer comes late in its article; a claim whose
    words fail falls back to the sentences it cites, each quoted once, in the order cited."""
    from assistant.answerers.evidence import build_evidence, cited_text

    passages = _passages("Heavy rain flooded Riverton on Tuesday.", "Schools in the town were closed.",
                         "The council sent 14 rescue boats to the town, officials said.")
    a = _assess("How many rescue boats did the council send to Riverton?", passages, embeddings)
    evidence = build_evidence(a, passages)
    assert "14 rescue boats" in evidence.sentences[0].text
    assert "\n[1] The council sent 14 rescue boats" in evidence.text
    reply = {"claims": [{"text": "Fourteen boats.", "sentences": [1, 1]}, {"text": "Rain.", "sentences": [2, 1, 9]}]}
    first, second = evidence.sentences[0], evidence.sentences[1]
    assert cited_text(reply, evidence) == f"{first.text} [{first.passage_n}] {second.text} [{second.passage_n}]"


def test_a_capped_evidence_keeps_the_best_sentences_within_its_length(embeddings):
    """The local model reads a capped evidence: the best sentence always, then the next best while they fit;
    a long headline is cut at a word."""
    from assistant.answerers.evidence import LONGEST_TITLE, build_evidence

    title = "Riverton floods after two days of rain close schools, roads and the town's only bridge to traffic"
    passages = _passages("Heavy rain flooded Riverton on Tuesday.", "Schools in the town were closed.",
                         "The council sent 14 rescue boats to the town, officials said.", title=title)
    a = _assess("How many rescue boats did the council send to Riverton?", passages, embeddings)
    whole = build_evidence(a, passages)
    best = len(whole.sentences[0].text)
    capped = build_evidence(a, passages, chars=best + len(whole.sentences[1].text))
    assert capped.sentences == whole.sentences[:2] and len(whole.sentences) == 3
    assert build_evidence(a, passages, chars=1).sentences == whole.sentences[:1]
    header = capped.text.splitlines()[0]
    assert header.startswith("Article: Riverton floods after two days") and "…" in header
    shown = header.removeprefix("Article: ").split("…")[0]
    assert len(shown) <= LONGEST_TITLE and title.startswith(shown) and title[len(shown)] == " "


def test_a_pronoun_stands_for_the_subject_of_the_sentence_before(embeddings):
    story = ["The singer Anna Berg died in Riverton on Monday.", "She was 81."]
    a = _assess("How old was the singer Anna Berg?", _passages(*story, title="Singer Anna Berg dies"), embeddings)
    assert a.answerable and a.ranked[0].answer == "81"
    # the quote says who "she" is
    assert extractive_answer(a) == "The singer Anna Berg died in Riverton on Monday. [1] She was 81. [2]"
    other = ["The mayor Jane Holt thanked the singer Anna Berg on Monday.", "She was 81."]
    b = _assess("How old was the singer Anna Berg?", _passages(*other, title="Singer Anna Berg dies"), embeddings)
    assert not b.answerable


def test_a_verb_asked_about_is_read_as_the_noun_the_article_uses(embeddings):
    # the lemmatizer reads "fined" as "fine" (it also knows "fin"), so the noun "a fine" says of what was asked
    story = ["A judge in Riverton jailed the landlord Tom Reed for two years on Monday.",
             "He was also given a fine of $12,000 for the flooded flats."]
    a = _assess("How much was the Riverton landlord fined?", _passages(*story, title="Riverton landlord jailed"),
                embeddings)
    assert a.answerable and "12,000" in a.ranked[0].answer
    assert analyze("How much was the landlord fined?", embeddings).predicate == "fine"


@pytest.mark.parametrize("question, said, answerable", [
    ("Which judge sentenced the Riverton banker to 47 months in prison?",
     "The banker was sentenced by Judge Ann Lee to 47 months in prison.", True),
    ("Which judge sentenced the Riverton banker to 47 months in prison?",
     "The banker was sentenced by Judge Ann Lee to 73 months in prison.", False),  # another sentence
    ("Who won the second round of the Riverton chess open?", "Anna Berg won the second round of the Riverton chess open.",
     True),
    ("Who won the second round of the Riverton chess open?", "Anna Berg won the first round of the Riverton chess open.",
     False),  # another round
])
def test_a_sentence_giving_a_noun_of_the_question_another_number_or_rank_is_about_another_event(embeddings, question,
                                                                                                said, answerable):
    passages = _passages("The Riverton banker was jailed for fraud on Friday, after the chess open drew 80 players.", said)
    assert _assess(question, passages, embeddings).answerable is answerable


def test_a_name_written_with_an_ampersand_is_the_question_s_own(embeddings):
    passages = _passages("Engineers worked through the night on the cut cable in Riverton.",
                         "AT&T said the Riverton cable was repaired on Monday.")
    a = _assess("Which contractor did AT&T hire to repair the Riverton cable?", passages, embeddings)
    assert all(c.answer != "AT&T" for c in a.ranked)


def test_the_question_s_own_name_written_as_a_possessive_is_no_answer(embeddings):
    passages = _passages("Jan van Berg kept six dogs on his farm near Riverton.",
                         "In the wake of van Berg's death, the dogs were given away.")
    a = _assess("Who took in the dogs of Jan van Berg after he died?", passages, embeddings)
    assert all("Berg" not in (c.answer or "") for c in a.ranked)


def test_the_country_of_a_nationality_the_question_names_is_no_answer(embeddings):
    passages = _passages("The new ferry line will link Greece with Brindisi, Italy, from next spring.",
                         "Italy said the line would open in April.")
    a = _assess("Which Italian port will the new ferry line from Greece link to?", passages, embeddings)
    assert a.ranked[0].answer == "Brindisi" and all(c.answer != "Italy" for c in a.ranked)


def test_an_event_put_in_other_words_is_matched_by_its_phrase_not_its_verb_alone(embeddings):
    # "taken into hospital" and "hospitalized": the verbs are far apart, their phrases near
    passages = _passages("Riverton's mayor Jane Doe served on the council for five years before her election.",
                         "Doe was hospitalized on March 2 after a fall at her home.", title="Riverton mayor in hospital")
    a = _assess("On what date was the Riverton mayor taken into hospital after her fall?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "March 2"
    assert analyze("On what date was the Riverton mayor taken into hospital?", embeddings).events == (
        "taken into hospital",)


def test_how_soon_asks_for_a_span_of_time(embeddings):
    passages = _passages("The flooded bridge in Riverton will reopen in three weeks, the council said.",
                         "Repairs to the railings began on Monday.")
    a = _assess("How soon will the Riverton bridge reopen?", passages, embeddings)
    assert a.answerable and a.ranked[0].answer == "three weeks"


@pytest.mark.parametrize("question, focus", [("What kind of boats did the council send to Riverton?", "boat"),
                                             ("Which model of pump failed at the Riverton plant?", "pump")])
def test_a_kind_of_a_noun_asks_about_that_noun(embeddings, question, focus):
    """"What kind of boats" asks what the boats were: "kind" is like no label, so the noun it is a kind of is
    the one typed and looked for; "what percentage of residents" still asks for a percentage."""
    assert analyze(question, embeddings).focus == focus
    assert analyze("What percentage of residents backed the plan?", embeddings).focus == "percentage"
    assert analyze("What was the outcome of the vote in Riverton?", embeddings).focus == "outcome"
    passages = _passages("The thief used a battery drill to open the safe at the Riverton post office.",
                         "Nothing else was taken.")
    a = _assess("What kind of tool did the thief in Riverton use?", passages, embeddings)
    assert a.answerable and "drill" in a.ranked[0].answer


def test_a_place_near_what_is_named_is_not_its_name(embeddings):
    asked = "What is the name of the hotel where the Riverton mayor gave her speech?"
    passages = _passages("The Riverton mayor gave her speech at a hotel outside Lakeside on Monday.",
                         "The mayor announced a new budget in the speech.")
    assert not _assess(asked, passages, embeddings).answerable
    passages = _passages("The Riverton mayor gave her speech at the Grand Plaza Hotel on Monday.",
                         "The mayor announced a new budget in the speech.")
    a = _assess(asked, passages, embeddings)
    assert a.answerable and "Grand Plaza" in a.ranked[0].answer
