"""False removals: an answer written from the gold facts, citing the evidence sentences that state them (the
oracle answerer), must survive validation. bench/llm_bench.py prints the rate over a whole question set."""

from __future__ import annotations

import json

from assistant.answerers.oracle import Gold, OracleAnswerer
from assistant.service import Assistant
from tests.conftest import ROOT

# (question, gold answer, the article sentence that states it): written for this test over tests/data/wikinews
OWN = [
    ("How many seats did the Liberals lose in the 2019 Canadian election?", "The Liberals lost a net of 20 seats.",
     "lost a net of 20 seats"),
    ("What did the SpaceX Crew Dragon capsule dock with in March 2019?",
     "The Crew Dragon capsule docked with the International Space Station.",
     "the SpaceX Crew Dragon capsule successfully docked with the International Space Station"),
    ("Who was the sole survivor of the block of flats collapse in Aleppo's Salaheddin district?", "A child.",
     "The accident in Salaheddin district killed eleven, with a child the sole survivor."),
]


def gold_set() -> dict[str, Gold]:
    gold = {q: Gold(a, [quote]) for q, a, quote in OWN}
    for line in (ROOT / "tests" / "data" / "wikinews_eval.jsonl").read_text().splitlines():
        item = json.loads(line)
        if item["type"] != "unanswerable":
            gold[item["question"]] = Gold(item["answer"], [e["quote"] for e in item["evidence"]])
    return gold


def test_gold_answers_citing_the_right_sentences_survive_validation(make_settings, embeddings, wikinews_store):
    gold = gold_set()
    assistant = Assistant(make_settings(store=wikinews_store, answerable=0.0), embeddings=embeddings,
                          answerer=OracleAnswerer(gold))
    answers = {q: assistant.ask(q) for q in gold}
    cited = {q: a for q, a in answers.items() if a.removed or not a.refused}  # the gold sentence was in the evidence
    assert len(cited) >= len(gold) - 1
    survived = [q for q, a in cited.items() if not a.refused and not a.removed]
    assert len(survived) / len(cited) >= 0.95, {q: a.removed for q, a in cited.items()}
