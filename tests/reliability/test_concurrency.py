"""Concurrent use of one store: questions answered while a real `assistant ingest` process writes to it
never fail and cite only what the store really holds, and a second ingest is refused with a clear message
while the first holds the lock, then succeeds once it is done."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.service import Assistant
from tests.conftest import DEMO
from tests.reliability import crashkit as ck

pytestmark = pytest.mark.slow
QUESTIONS = ["Which mineral deposits are said to be illegally exploited?",
             "How many people died in the Magnitogorsk building collapse?",
             "What did the Taiwan legislature vote on?"]


def start_ingest(home: Path, store: Path, corpus: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assistant", "--store", str(store), "ingest", str(corpus)],
                            cwd=home, env=ck.cli_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_lock_holder(proc: subprocess.Popen, store: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not (store / ".assistant-ingest.lock").exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    full = ck.make_corpus(tmp_path / "full")
    small = tmp_path / "articles"
    small.mkdir()
    for f in sorted(full.glob("*.txt"))[:40]:
        shutil.copy(f, small)
    return small


def test_questions_during_an_ingest_are_answered_from_what_the_store_holds(tmp_path, corpus, make_settings,
                                                                          embeddings):
    settings = make_settings()
    Assistant(settings, embeddings=embeddings).ingest([str(DEMO)])
    proc = start_ingest(tmp_path, settings.store, corpus)
    errors: list[str] = []
    answers = []

    def asker(n: int) -> None:
        while proc.poll() is None:
            assistant = Assistant(settings, embeddings=embeddings)  # a new session sees the store as it is now
            try:
                answer = assistant.ask(QUESTIONS[n % len(QUESTIONS)], llm="extractive")
            except Exception as exc:  # noqa: BLE001 - any failure is what the test is looking for
                errors.append(f"{type(exc).__name__}: {exc}")
                return
            store = assistant.store()
            for c in answer.citations:  # every quote is the text of an article the store holds
                text = store.article_text(c.article_id)
                if text is not None and text[c.start:c.end] != c.quote:
                    errors.append(f"citation {c.n} does not match its article")
            answers.append(answer)
            n += 1

    threads = [threading.Thread(target=asker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=600)
    _, stderr = proc.communicate()
    assert proc.returncode == 0, stderr
    assert errors == []
    assert len(answers) >= 2  # questions really were answered while the ingest ran
    assert any(not a.refused for a in answers)
    # a new `ask` process finds the new articles once the ingest is done
    after = ck.cli(tmp_path, "--store", str(settings.store), "ask", QUESTIONS[1], "--llm", "extractive")
    assert after.returncode == 0 and "Magnitogorsk" in after.stdout, after.stdout + after.stderr
    assert ck.verify(settings.store, corpus, embeddings).problems == ["articles: 0 missing, 2 extra"]  # + demo


def test_a_second_ingest_waits_its_turn_with_a_clear_message(tmp_path, corpus):
    store = tmp_path / "store"
    # the whole corpus: embedding is fast enough that forty articles are written before the second starts
    first = start_ingest(tmp_path, store, corpus.parent / "full")
    wait_for_lock_holder(first, store)
    time.sleep(1.0)  # the lock file exists before the lock is taken; give the holder a moment
    assert first.poll() is None, "the first ingest ended before the second could start"
    second = ck.cli(tmp_path, "--store", str(store), "ingest", str(DEMO))
    assert second.returncode == 4
    assert "another ingest is writing to" in second.stderr and "wait for it to finish" in second.stderr
    assert "Traceback" not in second.stderr
    _, stderr = first.communicate()
    assert first.returncode == 0, stderr
    again = ck.cli(tmp_path, "--store", str(store), "ingest", str(DEMO))
    assert again.returncode == 0 and "added 2" in again.stdout
