"""Eval metrics on small hand-made fixtures whose right numbers are known, each able to fail."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from assistant.evaluate import EvalQuestion, aggregate, evaluate, must_ok, percentile, sample, score_question

TEXTS = {
    "a1": "Five girls died. The cause was carbon monoxide poisoning.",
    "a2": "Kosgei finished in 2:14:04.",
    "a3": "Unrelated article about weather.",
}
FILES = {"a1": "fire.txt", "a2": "kosgei.txt", "a3": "weather.txt"}


def q(id_: str, type_: str = "single", answer: str | None = "x", must=(), files=()) -> EvalQuestion:
    return EvalQuestion(id=id_, type=type_, question=f"question {id_}?", answer=answer, must=[list(g) for g in must],
                        evidence=[{"file": f, "quote": ""} for f in files])


def cite(article: str, quote: str) -> dict:
    return {"article_id": article, "source_path": f"/corpus/{FILES[article]}", "quote": quote}


def rec(answer: str = "", refused: bool = False, citations=(), error=None, latency=100, usage=None) -> dict:
    return {"answer": answer, "refused": refused, "citations": list(citations), "error": error,
            "latency_ms": latency, "usage": usage or {}}


def score(question: EvalQuestion, record: dict | None, ranked=()) -> dict:
    return score_question(question, record, list(ranked), TEXTS.get)


def test_must_needs_every_group_and_ignores_case():
    must = [["1:59:40", "59 minutes 40"], ["2:14:04"]]
    assert must_ok(must, "Kipchoge ran 1:59:40 and Kosgei 2:14:04 [1][2].")
    assert must_ok(must, "He ran 1 hour 59 MINUTES 40 seconds; she ran 2:14:04.")
    assert not must_ok(must, "Kipchoge ran 1:59:40 [1].")  # second group missing


def test_a_citation_marker_never_satisfies_a_gold_number():
    assert not must_ok([["3", "three"]], "The House would be limited [3].")
    assert must_ok([["3", "three"]], "Representatives: three terms [1].")


def test_gold_article_rank_gives_hit_at_k_and_reciprocal_rank():
    question = q("r", files=["fire.txt"])
    third = score(question, rec(), ["x.txt", "y.txt", "fire.txt", "fire.txt"])
    assert (third["hit@1"], third["hit@5"], third["hit@10"], third["mrr@10"]) == (False, True, True, pytest.approx(1 / 3, abs=1e-3))
    first = score(question, rec(), ["fire.txt"])
    assert first["hit@1"] and first["mrr@10"] == 1.0
    eleventh = score(question, rec(), [f"{i}.txt" for i in range(10)] + ["fire.txt"])
    assert not eleventh["hit@10"] and eleventh["mrr@10"] == 0.0


def test_multi_article_question_needs_all_gold_in_top_ten():
    question = q("m", "multi", files=["fire.txt", "kosgei.txt"])
    assert score(question, rec(), ["fire.txt", "a.txt", "kosgei.txt"])["all_gold@10"] is True
    one_missing = score(question, rec(), ["fire.txt"] * 10 + ["kosgei.txt"])
    assert one_missing["all_gold@10"] is False and one_missing["hit@1"] is True
    assert "all_gold@10" not in score(q("s", files=["fire.txt"]), rec(), ["fire.txt"])


def test_unanswerable_questions_have_no_retrieval_scores():
    s = score(q("u", "unanswerable", answer=None), rec(refused=True), ["fire.txt"])
    assert "hit@1" not in s and "citation_recall" not in s
    assert aggregate([s])["hit@1"] is None


def test_refusal_precision_recall_and_answered_share():
    scored = [
        score(q("u1", "unanswerable", answer=None), rec("The articles do not say.", refused=True)),  # right refusal
        score(q("u2", "unanswerable", answer=None), rec("It was Acme [1].", citations=[cite("a3", "Unrelated")])),  # missed
        score(q("a1"), rec("The articles do not say.", refused=True)),  # wrong refusal
        score(q("a2"), rec("Carbon monoxide [1].")),
    ]
    m = aggregate(scored)
    assert m["refusal_precision"] == 0.5 and m["refusal_recall"] == 0.5
    assert m["answered"] == 0.5  # of the two answerable questions, one was wrongly refused
    assert aggregate(scored[3:])["refusal_precision"] is None  # nothing refused: undefined, not 0 or 1


def test_quote_exact_counts_quotes_found_verbatim_in_the_stored_article():
    good = cite("a1", "The cause was carbon monoxide poisoning.")
    altered = cite("a1", "The cause was carbon dioxide poisoning.")
    gone = {"article_id": "missing", "source_path": "/corpus/gone.txt", "quote": "anything"}
    m = aggregate([score(q("c", files=["fire.txt"]), rec("x [1][2][3]", citations=[good, altered, gone]))])
    assert m["citations"] == 3 and m["quote_exact"] == pytest.approx(1 / 3, abs=1e-3)


def test_citation_precision_and_recall_against_gold_articles():
    question = q("m", "multi", files=["fire.txt", "kosgei.txt"])
    s = score(question, rec("x [1][2]", citations=[cite("a1", "Five girls died."), cite("a3", "Unrelated")]))
    assert s["citation_precision"] == 0.5 and s["citation_recall"] == 0.5
    full = score(question, rec("x", citations=[cite("a1", "Five girls died."), cite("a2", "Kosgei finished in 2:14:04.")]))
    assert full["citation_precision"] == 1.0 and full["citation_recall"] == 1.0
    refused = score(question, rec("The articles do not say.", refused=True))
    assert "citation_precision" not in refused and refused["citation_recall"] == 0.0
    m = aggregate([s, full, refused])
    assert m["citation_precision"] == 0.75 and m["citation_recall"] == pytest.approx(0.5)


def test_citing_on_an_unanswerable_question_costs_precision():
    s = score(q("u", "unanswerable", answer=None), rec("It was Acme [1].", citations=[cite("a3", "Unrelated")]))
    assert s["citation_precision"] == 0.0


def test_a_failed_question_counts_against_the_answer_metrics():
    question = q("e", must=[["carbon monoxide"]], files=["fire.txt"])
    s = score(question, rec("carbon monoxide", refused=True, citations=[cite("a1", "Five girls died.")], error="timed out"))
    assert s["must_ok"] is False and s["refused"] is False and s["citations"] == 0
    missing = score(question, None)
    assert missing["error"] and missing["must_ok"] is False
    assert aggregate([s, missing])["errors"] == 2


def test_latency_percentiles_and_tokens_only_where_reported():
    scored = [score(q(str(i)), rec(latency=ms)) for i, ms in enumerate([400, 100, 300, 200])]
    m = aggregate(scored)
    assert m["latency_p50_ms"] == 250 and m["latency_p95_ms"] == pytest.approx(385)
    assert m["input_tokens"] is None and m["output_tokens"] is None
    scored.append(score(q("t"), rec(usage={"input_tokens": 900, "output_tokens": 40, "total_tokens": 940})))
    assert aggregate(scored)["input_tokens"] == 900
    assert percentile([], 50) is None


def test_evaluate_reports_overall_and_per_type_from_an_answers_file():
    questions = [
        q("s1", "single", must=[["carbon monoxide"]], files=["fire.txt"]),
        q("m1", "multi", must=[["2:14:04"], ["carbon monoxide"]], files=["fire.txt", "kosgei.txt"]),
        q("u1", "unanswerable", answer=None),
    ]
    answers = {
        "s1": {"id": "s1", "provider": "p", "model": "m", **rec("Carbon monoxide poisoning [1].", citations=[cite("a1", "The cause was carbon monoxide poisoning.")])},
        "m1": {"id": "m1", "provider": "p", "model": "m", **rec("2:14:04 [1].", citations=[cite("a2", "Kosgei finished in 2:14:04.")])},
        "u1": {"id": "u1", "provider": "p", "model": "m", **rec("The articles do not say.", refused=True)},
    }
    ranked = {"question s1?": ["weather.txt", "fire.txt"], "question m1?": ["kosgei.txt", "fire.txt"], "question u1?": ["fire.txt"]}
    fake = SimpleNamespace(
        settings=SimpleNamespace(k=6),
        retrieve=lambda question, k: [SimpleNamespace(source_path=f"/corpus/{f}") for f in ranked[question]],
        store=lambda: SimpleNamespace(article_texts=lambda ids: {i: TEXTS[i] for i in ids if i in TEXTS}),
    )
    report = evaluate(fake, questions, answers=answers)
    overall, by_type = report["overall"], report["by_type"]
    assert set(by_type) == {"single", "multi", "unanswerable"} and overall["n"] == 3
    assert overall["hit@1"] == 0.5 and overall["mrr@10"] == 0.75
    assert by_type["multi"]["all_gold@10"] == 1.0 and by_type["single"]["all_gold@10"] is None
    assert overall["must_accuracy"] == 0.5 and by_type["multi"]["must_accuracy"] == 0.0
    assert overall["refusal_precision"] == 1.0 and overall["refusal_recall"] == 1.0
    assert overall["quote_exact"] == 1.0 and overall["citation_recall"] == 0.75
    assert (report["provider"], report["model"]) == ("p", "m")


def test_sample_is_seeded_and_keeps_file_order():
    questions = [q(str(i)) for i in range(50)]
    a, b = sample(questions, 10, seed=1), sample(questions, 10, seed=1)
    assert [x.id for x in a] == [x.id for x in b] and len(a) == 10
    assert [int(x.id) for x in a] == sorted(int(x.id) for x in a)
    assert [x.id for x in sample(questions, 10, seed=2)] != [x.id for x in a]
    assert sample(questions, None) == questions
