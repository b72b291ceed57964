"""LLM faults injected for real by a loopback OpenAI-compatible server (tests/openai_fake.py): slow first
token, a stream cut off mid-answer, 429 with Retry-After, 500s, malformed JSON, a wrong model name. The
real `openai` client, its retries and its timeouts are what is exercised. Where a retry helps the user
gets an answer; where it cannot they get one clear error (with exit code 5 at the CLI), never a traceback,
and a batch run records the failure and answers the other questions."""

from __future__ import annotations

import json
import time

import pytest

from assistant.errors import ProviderError
from assistant.service import Assistant
from tests.conftest import run_cli
from tests.openai_fake import FakeOpenAI

QUESTION = "Which mineral deposits are said to be illegally exploited?"


@pytest.fixture
def ask(make_settings, embeddings, seed_store):
    """Ask QUESTION through the fake with the given settings; returns the Answer or the ProviderError."""

    def run(fake: FakeOpenAI, **overrides):
        overrides = {"max_retries": 2, "timeout": 5.0, "chat_model": "fake-model", **overrides}
        settings = make_settings(store=seed_store, openai_base_url=fake.base_url, openai_api_key="sk-x", llm="openai",
                                 **overrides)
        try:
            return Assistant(settings, embeddings=embeddings).ask(QUESTION)
        except ProviderError as exc:
            return exc

    return run


def test_slow_first_token_within_the_timeout_still_answers(ask):
    with FakeOpenAI(first_token_delay=1.0) as fake:
        answer = ask(fake, timeout=10.0)
    assert not isinstance(answer, ProviderError) and not answer.refused and answer.citations


def test_first_token_slower_than_the_timeout_is_a_clear_retryable_error_in_bounded_time(ask):
    with FakeOpenAI(first_token_delay=30.0) as fake:
        started = time.monotonic()
        error = ask(fake, timeout=1.0, max_retries=1)
        elapsed = time.monotonic() - started
    assert isinstance(error, ProviderError) and error.retryable and "timed out" in error.message
    assert elapsed < 15  # two tries of one second plus backoff, not the 30 s the server would take


def test_429_with_retry_after_is_waited_out_and_then_answered(ask):
    with FakeOpenAI(retry_after="1") as fake:
        fake.fail_next(429)
        started = time.monotonic()
        answer = ask(fake)
        elapsed = time.monotonic() - started
    assert fake.statuses == [429, 200]
    assert elapsed >= 1.0  # the server's Retry-After was honoured, not hammered
    assert not isinstance(answer, ProviderError) and not answer.refused


def test_transient_500s_are_retried_with_backoff_until_an_answer(ask):
    with FakeOpenAI() as fake:
        fake.fail_next(500, 503)
        answer = ask(fake, max_retries=3)
    assert fake.statuses == [500, 503, 200]
    assert not isinstance(answer, ProviderError) and answer.citations


@pytest.mark.parametrize(
    ("fault", "statuses", "message", "retryable"),
    [
        (500, [500, 500, 500], "failed (500) after retries", True),
        (429, [429, 429, 429], "rate limiting (429)", True),
        ("drop", ["drop"], "dropped the connection in the middle of the answer", True),
        ("garbage", ["garbage"], "malformed response", True),
    ],
)
def test_faults_a_retry_cannot_fix_are_one_clear_error(ask, fault, statuses, message, retryable):
    with FakeOpenAI() as fake:
        fake.rule(lambda q: True, fault)
        error = ask(fake, max_retries=2)
    assert isinstance(error, ProviderError), error
    assert message in error.message and error.retryable is retryable and error.hint
    assert fake.statuses == statuses


def test_wrong_model_name_says_which_setting_to_fix(ask):
    with FakeOpenAI(strict_model=True) as fake:
        error = ask(fake, chat_model="gpt-typo")
    assert isinstance(error, ProviderError) and not error.retryable
    assert "does not know that model" in error.message and "ASSISTANT_CHAT_MODEL" in error.hint
    assert fake.statuses == [404]  # a 404 is not retried


def test_cli_turns_a_dropped_stream_into_exit_5_without_a_traceback(seed_store, tmp_path):
    with FakeOpenAI() as fake:
        fake.rule(lambda q: True, "drop")
        result = run_cli("--store", str(seed_store), "ask", QUESTION, cwd=tmp_path, env={
            "OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-x", "ASSISTANT_CHAT_MODEL": "fake-model",
            "ASSISTANT_MAX_RETRIES": "1"})
    assert result.returncode == 5, result.stderr
    assert "dropped the connection" in result.stderr and "Traceback" not in result.stderr


def test_batch_records_each_kind_of_fault_and_answers_the_rest(seed_store, tmp_path):
    questions = tmp_path / "q.jsonl"
    rows = [{"id": "ok1", "question": QUESTION}, {"id": "drop", "question": f"{QUESTION} (drop)"},
            {"id": "garbage", "question": f"{QUESTION} (garbage)"}, {"id": "e500", "question": f"{QUESTION} (500)"},
            {"id": "ok2", "question": "Who is said to exploit the mineral deposits illegally?"}]
    questions.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    with FakeOpenAI() as fake:
        fake.rule(lambda q: "(drop)" in q, "drop")
        fake.rule(lambda q: "(garbage)" in q, "garbage")
        fake.rule(lambda q: "(500)" in q, 500)
        result = run_cli("--store", str(seed_store), "batch", str(questions), "-o", str(out), "--concurrency", "2",
                         cwd=tmp_path, env={"OPENAI_BASE_URL": fake.base_url, "OPENAI_API_KEY": "sk-x",
                                            "ASSISTANT_CHAT_MODEL": "fake-model", "ASSISTANT_MAX_RETRIES": "1"})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    got = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert set(got) == {r["id"] for r in rows}  # every question has its record
    assert got["ok1"]["error"] is None and got["ok2"]["error"] is None and not got["ok1"]["refused"]
    assert "dropped the connection" in got["drop"]["error"]
    assert "malformed response" in got["garbage"]["error"]
    assert "(500)" in got["e500"]["error"]
    assert "answered 2, failed 3" in result.stderr
