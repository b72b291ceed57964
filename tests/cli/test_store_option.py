"""`--store` goes before the subcommand or after it, for every subcommand; after it, it wins."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from tests.conftest import DEMO

QUESTION = "Which mineral deposits are said to be illegally exploited?"


@pytest.fixture
def cli(monkeypatch, embeddings):
    """`assistant ...` in-process, with the session's embeddings (no model load per call)."""
    import assistant.cli as cli_module
    from assistant.service import Assistant

    monkeypatch.setattr(cli_module, "make_assistant", lambda settings: Assistant(settings, embeddings=embeddings))
    for key in [k for k in os.environ if k.startswith(("ASSISTANT_", "OPENAI_", "CHROMA_"))]:
        monkeypatch.delenv(key)
    return lambda *args: CliRunner().invoke(cli_module.main, ["--env-file", "/nonexistent", *args])


def test_store_after_the_subcommand_is_used_by_ingest_ask_and_articles(cli, tmp_path):
    store = str(tmp_path / "store")
    ingested = cli("ingest", str(DEMO), "--json", "--store", store)
    assert ingested.exit_code == 0, ingested.output
    assert len(json.loads(ingested.stdout)["added"]) == 2

    asked = cli("ask", QUESTION, "--store", store, "--llm", "extractive", "--json")
    assert asked.exit_code == 0, asked.output
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and answer["citations"]

    listed = cli("articles", "--json", "--store", store)
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)) == 2


def test_store_after_the_subcommand_wins_over_the_one_before_it(cli, tmp_path):
    store, nowhere = str(tmp_path / "store"), str(tmp_path / "nowhere")
    assert cli("--store", store, "ingest", str(DEMO)).exit_code == 0

    found = cli("--store", nowhere, "ask", QUESTION, "--llm", "extractive", "--store", store)
    assert found.exit_code == 0, found.output
    missing = cli("--store", store, "ask", QUESTION, "--llm", "extractive", "--store", nowhere)
    assert missing.exit_code == 4 and "no store at" in missing.stderr


def test_every_subcommand_accepts_store_after_it():
    from assistant.cli import main

    without = [name for name, command in main.commands.items() if "store" not in {p.name for p in command.params}]
    assert without == []
