"""`assistant batch`: every input and output format, failures amid good answers against a loopback fake
OpenAI server, resuming after a run that was really killed, and stdin/stdout pipelines."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.types import Answer
from tests.conftest import run_cli
from tests.openai_fake import FakeOpenAI

QUESTION = "Which mineral deposits are said to be illegally exploited?"
OFF_TOPIC = "Who won the 2018 FIFA World Cup final?"


@pytest.fixture
def cli(monkeypatch, embeddings, seed_store):
    """`assistant --store SEED ...` in-process, with the session's embeddings (no model load per test)."""
    import assistant.cli as cli_module
    from assistant.service import Assistant

    monkeypatch.setattr(cli_module, "make_assistant", lambda settings: Assistant(settings, embeddings=embeddings))
    for key in [k for k in os.environ if k.startswith(("ASSISTANT_", "OPENAI_"))]:
        monkeypatch.delenv(key)

    def run(*args: str, input: str | None = None, env: dict | None = None):
        return CliRunner().invoke(cli_module.main, ["--env-file", "/nonexistent", "--store", str(seed_store), *args],
                                  input=input, env=env, catch_exceptions=False)

    return run


def records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_txt_questions_become_jsonl_records_like_ask_json(cli, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text(f"# deposits\n{QUESTION}\n\n{OFF_TOPIC}\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli("batch", str(questions), "-o", str(out), "--llm", "extractive")
    assert result.exit_code == 0, result.output
    answered, refused = records(out)
    assert set(Answer.model_fields) | {"id", "provider", "model", "latency_ms", "error"} <= set(answered)
    assert answered["question"] == QUESTION and answered["error"] is None and answered["provider"] == "extractive"
    assert not answered["refused"] and {Path(c["source_path"]).name for c in answered["citations"]} == {
        "000_6e7084da90daaea3.txt", "004_c23c7751a1e3a64a.txt"}
    assert refused["refused"] and refused["citations"] == [] and refused["latency_ms"] >= 0
    assert "answered 2, failed 0" in result.stderr


def test_csv_in_csv_out_keeps_ids_extra_columns_and_flattens_citations(cli, tmp_path):
    questions = tmp_path / "q.csv"
    questions.write_text(f'id,question,topic\nd1,"{QUESTION}",mining\nw1,{OFF_TOPIC},sport\n', encoding="utf-8")
    out = tmp_path / "answers.csv"
    assert cli("batch", str(questions), "-o", str(out), "--llm", "extractive").exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["id"], r["topic"], r["refused"]) for r in rows] == [("d1", "mining", "false"), ("w1", "sport", "true")]
    cites = rows[0]["citations"].splitlines()
    assert len(cites) >= 2 and cites[0].startswith("[1] ") and "(chars " in cites[0]
    assert all(c.startswith(f"[{n}] ") for n, c in enumerate(cites, 1)) and any("deposit" in c for c in cites)
    assert "004_c23c7751a1e3a64a.txt" in rows[0]["sources"] and rows[0]["error"] == ""


def test_jsonl_in_markdown_out_is_a_readable_report_with_sources(cli, tmp_path):
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "dep", "question": QUESTION, "answer": "gold and copper"}) + "\n", encoding="utf-8")
    out = tmp_path / "report.md"
    assert cli("batch", str(questions), "-o", str(out), "--llm", "extractive").exit_code == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Answers") and f"## {QUESTION}" in text and "### Sources" in text
    assert "   > According to the information received" in text and "`dep`" in text
    # --format wins over the suffix, and the gold answer rides along without replacing the assistant's
    jsonl = tmp_path / "report.txt"
    assert cli("batch", str(questions), "-o", str(jsonl), "--format", "jsonl", "--llm", "extractive").exit_code == 0
    (rec,) = records(jsonl)
    assert rec["input_answer"] == "gold and copper" and "Kyzylbulag" in rec["answer"]


def test_a_line_that_is_no_question_is_a_failed_record_and_the_rest_are_answered(cli, tmp_path):
    questions = tmp_path / "q.jsonl"
    good = json.dumps({"id": "dep", "question": QUESTION})
    questions.write_text(f'{good}\n{{"question": "Who signed\n{{"question": ""}}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = cli("batch", str(questions), "-o", str(out), "--llm", "extractive")
    assert result.exit_code == 1 and f"{questions}:2: not JSON" in result.stderr
    by_id = {r["id"]: r for r in records(out)}
    assert by_id["dep"]["error"] is None and "Kyzylbulag" in by_id["dep"]["answer"]
    assert "not JSON" in by_id["line-2"]["error"] and "empty" in by_id["line-3"]["error"]
    report = tmp_path / "out.md"  # the Markdown report heads a line that held no question with its id
    cli("batch", str(questions), "-o", str(report), "--llm", "extractive")
    assert "## line-2\n" in report.read_text(encoding="utf-8")
    # mended, the lines are asked on --resume; the answered question is not asked again
    questions.write_text(f'{good}\n{json.dumps({"question": OFF_TOPIC})}\n', encoding="utf-8")
    result = cli("batch", str(questions), "-o", str(out), "--llm", "extractive", "--resume")
    assert result.exit_code == 0 and "skipped 1" in result.stderr
    assert [r["question"] for r in records(out)] == [QUESTION, OFF_TOPIC]


def test_stdin_to_stdout_composes_in_a_pipeline(seed_store, tmp_path):
    result = run_cli("--store", str(seed_store), "batch", "-", "-o", "-", "--llm", "extractive",
                     input=json.dumps({"id": "x1", "question": QUESTION}) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (rec,) = [json.loads(line) for line in result.stdout.splitlines()]  # stdout is only the records
    assert rec["id"] == "x1" and rec["citations"] and "answered 1" in result.stderr


# ---- a remote LLM that fails --------------------------------------------------------------------------


def openai_env(fake: FakeOpenAI) -> dict[str, str]:
    return {"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-test", "ASSISTANT_TIMEOUT": "1",
            "ASSISTANT_MAX_RETRIES": "1", "ASSISTANT_CHAT_MODEL": "fake-model"}


def test_a_rate_limited_and_a_hanging_question_are_recorded_and_the_others_answered(cli, tmp_path):
    tags = ["good-one", "flaky", "limited", "stuck", "good-two"]
    questions = tmp_path / "q.txt"
    questions.write_text("".join(f"{QUESTION} ({t})\n" for t in tags), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with FakeOpenAI() as fake:
        fake.rule(lambda text: "(flaky)" in text, 429, times=1)  # 429, then 200 on the client's retry
        fake.rule(lambda text: "(limited)" in text, 429)  # 429 on every retry
        fake.rule(lambda text: "(stuck)" in text, "hang")  # never answers: the 1 s timeout fires
        started = time.monotonic()
        result = cli("batch", str(questions), "-o", str(out), "--llm", "openai", "--concurrency", "2", env=openai_env(fake))
        elapsed = time.monotonic() - started
        by_tag = {r["question"].rsplit("(", 1)[1].rstrip(")"): r for r in records(out)}
        assert result.exit_code == 1 and "failed 2" in result.stderr
        assert "rate limiting" in by_tag["limited"]["error"]
        assert "timed out" in by_tag["stuck"]["error"] or "Timeout" in by_tag["stuck"]["error"]  # see providers.provider_error
        for tag in ("good-one", "flaky", "good-two"):
            assert by_tag[tag]["error"] is None and by_tag[tag]["citations"], by_tag[tag]
            assert by_tag[tag]["provider"] == "openai" and by_tag[tag]["model"] == "fake-model"
        assert by_tag["good-one"]["usage"]["output_tokens"] > 0  # the server's streamed usage reaches the record
        assert by_tag["limited"]["provider"] == "openai" and by_tag["limited"]["answer"] == ""
        assert elapsed < 30

        # Once the endpoint recovers, --resume asks only the two that failed, and each id appears once.
        fake._rules.clear()
        asked_before = len(fake.requests)
        again = cli("batch", str(questions), "-o", str(out), "--llm", "openai", "--resume", env=openai_env(fake))
        assert again.exit_code == 0, again.output
        assert len(fake.requests) - asked_before == 2
        final = records(out)
        assert len(final) == 5 and len({r["id"] for r in final}) == 5 and all(r["error"] is None for r in final)


def test_resume_after_a_killed_run_answers_each_question_exactly_once(seed_store, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text("".join(f"{QUESTION} (number {i})\n" for i in range(8)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with FakeOpenAI(delay=0.8) as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "CHROMA_"))}
        env.update(openai_env(fake), ASSISTANT_TIMEOUT="10")
        args = [sys.executable, "-m", "assistant", "--store", str(seed_store), "batch", str(questions), "-o", str(out),
                "--llm", "openai", "--concurrency", "1"]
        proc = subprocess.Popen(args, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                if out.exists() and out.read_text().count("\n") >= 3:
                    break
                time.sleep(0.05)
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            proc.send_signal(signal.SIGKILL)  # no cleanup, no flush: as if the machine lost power
            proc.wait()
        finally:
            if proc.poll() is None:
                proc.kill()
        done_before = {r["id"] for r in records(out)}
        assert 3 <= len(done_before) < 8
        asked_before = len(fake.requests)

        result = run_cli("--store", str(seed_store), "batch", str(questions), "-o", str(out), "--llm", "openai",
                         "--resume", env={**openai_env(fake), "ASSISTANT_TIMEOUT": "10"}, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert len(fake.requests) - asked_before == 8 - len(done_before)  # nothing answered twice
    final = records(out)
    assert sorted(r["id"] for r in final) == sorted({r["id"] for r in final})  # no duplicates
    assert len(final) == 8 and all(r["error"] is None and r["citations"] for r in final)
    assert f"skipped {len(done_before)}" in result.stderr


def test_a_provider_that_cannot_work_fails_before_touching_the_output(cli, tmp_path):
    questions = tmp_path / "q.txt"
    questions.write_text(QUESTION + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "precious"}\n', encoding="utf-8")
    result = cli("batch", str(questions), "-o", str(out), "--llm", "openai")  # no endpoint configured
    assert result.exit_code == 2 and "OPENAI" in result.stderr
    assert out.read_text(encoding="utf-8") == '{"id": "precious"}\n'


def test_a_missing_question_file_is_a_clear_input_error(cli, tmp_path):
    result = cli("batch", str(tmp_path / "nope.txt"), "-o", "-")
    assert result.exit_code == 3 and "no question file" in result.stderr
