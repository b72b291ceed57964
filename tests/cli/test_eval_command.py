"""`assistant eval`: answers and scores a gold set, or scores an existing batch output without answering."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

QUESTION = "Which mineral deposits are said to be illegally exploited?"
GOLD = [
    {"id": "d1", "type": "multi", "question": QUESTION, "answer": "Kyzylbulag gold and Demirli copper-molybdenum",
     "must": [["kyzylbulag", "gizilbulagh"], ["demirli", "damirli"]],
     "evidence": [{"file": "004_c23c7751a1e3a64a.txt", "quote": ""}, {"file": "000_6e7084da90daaea3.txt", "quote": ""}]},
    {"id": "u1", "type": "unanswerable", "question": "Who won the 2018 FIFA World Cup final?", "answer": None,
     "must": [], "evidence": []},
]


@pytest.fixture
def cli(monkeypatch, embeddings, seed_store):
    import assistant.cli as cli_module
    from assistant.service import Assistant

    monkeypatch.setattr(cli_module, "make_assistant", lambda settings: Assistant(settings, embeddings=embeddings))
    for key in [k for k in os.environ if k.startswith(("ASSISTANT_", "OPENAI_"))]:
        monkeypatch.delenv(key)
    return lambda *args: CliRunner().invoke(cli_module.main, ["--env-file", "/nonexistent", "--store", str(seed_store), *args],
                                            catch_exceptions=False)


@pytest.fixture
def gold(tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(g) + "\n" for g in GOLD), encoding="utf-8")
    return path


def test_eval_answers_scores_and_writes_a_report_per_type(cli, gold, tmp_path):
    report_path = tmp_path / "bench" / "report.json"
    result = cli("eval", str(gold), "--llm", "extractive", "-o", str(report_path))
    assert result.exit_code == 0, result.output
    assert "retrieval hit@1" in result.stdout and "unanswerable" in result.stdout  # the table
    report = json.loads(report_path.read_text())
    overall = report["overall"]
    assert report["provider"] == "extractive" and overall["n"] == 2 and overall["errors"] == 0
    assert overall["hit@1"] == 1.0 and overall["all_gold@10"] == 1.0
    assert overall["must_accuracy"] == 1.0 and overall["refusal_precision"] == 1.0 and overall["refusal_recall"] == 1.0
    assert overall["quote_exact"] == 1.0 and overall["citation_precision"] == 1.0 and overall["citation_recall"] == 1.0
    assert set(report["by_type"]) == {"multi", "unanswerable"} and report["by_type"]["unanswerable"]["hit@1"] is None


def test_eval_of_an_answers_file_scores_that_file_without_answering(cli, gold, tmp_path):
    out = tmp_path / "out.jsonl"
    assert cli("batch", str(gold), "-o", str(out), "--llm", "extractive").exit_code == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    for row in rows:
        row["latency_ms"] = 1234
        if row["id"] == "d1":  # a worse answer than the assistant would give now
            row.update(answer="Gold, somewhere [1].", citations=row["citations"][:1])
            row["citations"][0]["quote"] = "Gold is mined illegally."
    out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report_path = tmp_path / "report.json"
    assert cli("eval", str(gold), "--answers", str(out), "-o", str(report_path)).exit_code == 0
    overall = json.loads(report_path.read_text())["overall"]
    assert overall["must_accuracy"] == 0.0 and overall["quote_exact"] == 0.0 and overall["citation_recall"] == 0.5
    assert overall["latency_p50_ms"] == 1234 and overall["hit@1"] == 1.0  # retrieval is still measured


def test_eval_sample_takes_n_questions(cli, gold, tmp_path):
    report_path = tmp_path / "report.json"
    assert cli("eval", str(gold), "--llm", "extractive", "--sample", "1", "-o", str(report_path)).exit_code == 0
    report = json.loads(report_path.read_text())
    assert report["overall"]["n"] == 1 and report["sample"] == 1


def test_a_malformed_gold_file_is_an_input_error(cli, tmp_path):
    path = tmp_path / "gold.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b", "question": "Why?"}\n', encoding="utf-8")
    result = cli("eval", str(path), "--llm", "extractive")
    assert result.exit_code == 3 and "gold.jsonl:1" in result.stderr
