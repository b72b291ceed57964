"""Who is involved: names and kinds from the language pipeline's NER, mentions joined into entities."""

from __future__ import annotations

from assistant.entities import Mention, join_entities, mentions_in, variant_spellings
from assistant.language import parse


def entities_of(*texts: str):
    found = []
    for n, doc in enumerate(parse(list(texts))):
        found += mentions_in(doc, f"a{n}")
    return join_entities(found)


def named(entities, kind: str) -> list[str]:
    return sorted(e.name for e in entities if e.kind == kind)


def test_a_title_or_an_abbreviated_title_is_not_part_of_the_name():
    found = entities_of("Gov. Maria Lindqvist visited the plant on Monday. Dr. Tomas Berg said it was safe.",
                        "President Alan Moreau met President Kofi Mensah in Accra.")
    assert named(found, "person") == ["Alan Moreau", "Kofi Mensah", "Maria Lindqvist", "Tomas Berg"]
    assert named(found, "place") == ["Accra"]


def test_a_surname_joins_the_full_name_used_earlier_in_the_story():
    found = entities_of("Anna Kowalczyk, the mayor of Gdynia, opened the bridge. Kowalczyk said it cost four million euros.")
    people = [e for e in found if e.kind == "person"]
    assert [e.name for e in people] == ["Anna Kowalczyk"] and len(people[0].mentions) == 2


def test_month_abbreviations_and_capitalised_words_are_no_names():
    found = entities_of("Talks were held on Jan. 12 and Feb. 3. Though the sides disagreed, Dec. 1 was set as a "
                        "deadline. Gen. Omar Haddad attended.")
    assert [e.name for e in found] == ["Omar Haddad"]


def test_a_title_with_a_name_is_no_place_and_a_ministry_building_is_no_person():
    found = entities_of("Defense Secretary Mark Holloway flew to Brussels.",
                        "The Finance Ministry building in Riga was evacuated.")
    assert named(found, "person") == ["Mark Holloway"]
    assert named(found, "place") == ["Brussels", "Riga"]


def test_spellings_of_one_name_in_two_sources_are_one_entity():
    found = entities_of("Exploitation is observed in the Kyzylbulag gold deposit.",
                        "Experts planned to inspect the 'Gizilbulagh' gold deposit.")
    assert len(found) == 1 and sorted(variant_spellings(found[0])) == ["Gizilbulagh", "Kyzylbulag"]
    assert {a for a, _, _ in found[0].mentions} == {"a0", "a1"}


def test_names_alike_but_for_a_leading_vowel_or_in_few_letters_are_two_entities():
    """"Eastern" and "Southern" share their consonants, but one opens with a vowel; "Bost" and "Post" share
    too few to say they are one name spelt two ways."""
    found = join_entities([mention("Southern District", "place", "a"), mention("Eastern District", "place", "b"),
                           mention("Post", "organisation", "a", 40), mention("Bost", "organisation", "b", 40)])
    assert sorted(e.name for e in found) == ["Bost", "Eastern District", "Post", "Southern District"]
    assert all(variant_spellings(e) == [] for e in found)


def mention(name: str, kind: str | None, article: str = "a", start: int = 0, weight: float = 1.0) -> Mention:
    title = name.split()[0] if " " in name else ""
    return Mention(name, kind, article, start, start + len(name), weight, title)


def test_the_kind_is_the_majority_of_the_mentions_across_sources():
    found = join_entities([mention("Nadia Farouk", "person", "a"), mention("Nadia Farouk", "organisation", "b"),
                           mention("Farouk", "person", "c", 40), mention("Farouk", "organisation", "c", 90)])
    assert [(e.name, e.kind, len(e.mentions)) for e in found] == [("Nadia Farouk", "person", 4)]


def test_an_acronym_joins_the_name_it_spells_and_a_word_is_no_spelling_of_its_derivative():
    found = join_entities([mention("European Space Agency", "organisation", "a"), mention("ESA", "organisation", "b"),
                           mention("Azerbaijan", "place", "a", 50), mention("Azerbaijani", "place", "b", 50)])
    agency = next(e for e in found if e.name == "European Space Agency")
    assert "ESA" in agency.spellings and len(agency.mentions) == 2
    country = next(e for e in found if e.name.startswith("Azerbaijan"))
    assert variant_spellings(country) == []


def test_a_word_before_two_peoples_names_is_a_title_but_a_shared_first_name_is_not():
    found = join_entities([mention("Minister Olga Petrova", "person", "a"), mention("Minister Ivan Sokol", "person", "a", 40),
                           mention("Pedro Alvarez", "person", "b"), mention("Pedro J. Alvarez Ruiz", "person", "b", 40)])
    names = sorted(e.name for e in found)
    assert "Olga Petrova" in names and "Ivan Sokol" in names
    assert "Pedro J. Alvarez Ruiz" in names and len(found) == 3  # "Pedro Alvarez" joined the fuller name


def test_a_one_word_name_alone_is_of_no_sure_kind():
    found = join_entities([mention("Humberto", "person", "a"), mention("Humberto", "person", "b", 30)])
    assert [e.kind for e in found] == ["other"]


def test_a_name_only_in_a_photo_credit_is_no_one_involved():
    found = entities_of("Mayor Lena Voss opened the new bridge on Friday. Image: Tomas Rehn.",
                        "The bridge cost four million euros, Lena Voss said. Image: Tomas Rehn (photo).")
    assert [e.name for e in found] == ["Lena Voss"]


def test_a_named_storm_is_no_one_involved_and_its_short_name_is_the_storm():
    """The small model calls a storm's one-word name a person or a place; the full name, an event, says what
    it is: the storm is named, not listed among the people or places."""
    found = entities_of("Hurricane Mira hit the coast of Florida on Monday. Hurricane Mira weakened overnight.",
                        "Mira had also been downgraded to a category 2 storm, said forecaster Lena Ortiz.",
                        "The governor declared an emergency in anticipation of Mira.")
    assert named(found, "person") == ["Lena Ortiz"] and named(found, "place") == ["Florida"]
    storm = [e for e in found if "Mira" in e.name]
    assert [e.name for e in storm] == ["Hurricane Mira"] and storm[0].kind == "other" and len(storm[0].mentions) == 4
