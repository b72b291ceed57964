"""The API key never leaves the settings: it is not in anything `ingest`, `ask`, `batch`, `eval`, `doctor`
or an error prints, not in their output files, and not in the store or the cache. A careless LLM server that
echoes the Authorization header in its error messages is part of the scenario."""

from __future__ import annotations

import json
import os
from pathlib import Path

from click.testing import CliRunner

from tests.conftest import DEMO
from tests.openai_fake import FakeOpenAI

SECRET = "sk-proj-SECRETabc123XYZ789leak"
QUESTION = "Which mineral deposits are said to be illegally exploited?"


def leaks(root: Path) -> list[str]:
    """Files under root whose bytes contain the key (raw, or its distinctive middle part)."""
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".env":
            data = path.read_bytes()
            if SECRET.encode() in data or b"SECRETabc123" in data:
                found.append(str(path.relative_to(root)))
    return found


def test_the_api_key_is_in_no_output_file_message_or_store(tmp_path, monkeypatch, embeddings):
    import assistant.cli as cli_module
    from assistant.service import Assistant

    # in-process (the session's embeddings, no model load per command); the key comes from a .env file
    monkeypatch.setattr(cli_module, "make_assistant", lambda settings: Assistant(settings, embeddings=embeddings))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".cache"))
    for key in [k for k in os.environ if k.startswith(("ASSISTANT_", "OPENAI_", "CHROMA_"))]:
        monkeypatch.delenv(key)
    (tmp_path / ".env").write_text(f"OPENAI_API_KEY={SECRET}\nASSISTANT_CHAT_MODEL=fake-model\n"
                                   "ASSISTANT_MAX_RETRIES=0\n", encoding="utf-8")
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "ok", "question": QUESTION}) + "\n"
                         + json.dumps({"id": "bad", "question": f"{QUESTION} (fail)"}) + "\n", encoding="utf-8")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g1", "type": "single", "question": QUESTION, "answer": "gold",
                                "must": [["kyzylbulag", "gizilbulagh"]], "evidence": []}) + "\n", encoding="utf-8")
    printed = []
    with FakeOpenAI(echo_auth=True) as fake:
        fake.rule(lambda q: "(fail)" in q, 401)
        env = {"OPENAI_BASE_URL": fake.base_url}
        runs = [
            ("--store", "store", "ingest", str(DEMO)),
            ("--store", "store", "ask", QUESTION),
            ("--store", "store", "ask", f"{QUESTION} (fail)"),
            ("--store", "store", "batch", str(questions), "-o", "out.jsonl"),
            ("--store", "store", "batch", str(questions), "-o", "out.md"),
            ("--store", "store", "eval", str(gold), "-o", "report.json"),
            ("--store", "store", "doctor"),
        ]
        for args in runs:
            result = CliRunner().invoke(cli_module.main, ["--env-file", str(tmp_path / ".env"), *args], env=env)
            printed.append((args[2], result.exit_code, result.stdout + result.stderr))
    assert 401 in fake.statuses  # the careless server did answer with the key in its message
    codes = {cmd: code for cmd, code, _ in printed}
    assert codes["ingest"] == 0 and codes["doctor"] == 0
    failed = next(out for cmd, code, out in printed if cmd == "ask" and code == 5)
    assert "rejected the API key (401)" in failed  # the error is clear without showing the key
    assert all(SECRET not in out and "SECRETabc123" not in out for _, _, out in printed)
    assert (tmp_path / "out.jsonl").exists() and (tmp_path / "report.json").exists()
    assert leaks(tmp_path) == []
