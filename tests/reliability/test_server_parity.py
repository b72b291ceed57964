"""Scale-out: the wikinews test corpus ingested into a real `chroma run` server on loopback gives the same
eval numbers as the embedded store, and `doctor` checks (and repairs) the server collection and its cached
lexical index the same way. tests/data/wikinews_eval.jsonl: two dev-set questions whose articles are in
tests/data/wikinews (from ../shared/eval) and four written for this test."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant import evaluate as ev
from assistant.service import Assistant
from tests.conftest import DEMO, WIKINEWS, run_cli

pytestmark = pytest.mark.slow
EVAL = Path(__file__).resolve().parents[1] / "data" / "wikinews_eval.jsonl"


def test_eval_numbers_on_the_server_equal_the_embedded_stores(make_settings, embeddings, chroma_server, tmp_path):
    corpus = [str(WIKINEWS), str(DEMO)]
    questions = ev.load_eval_questions(EVAL)
    reports = {}
    for mode, settings in {
        "embedded": make_settings(store=tmp_path / "embedded"),
        "server": make_settings(chroma_host="127.0.0.1", chroma_port=chroma_server, collection="parity",
                                store=tmp_path / "unused"),
    }.items():
        ingest = Assistant(settings, embeddings=embeddings).ingest(corpus)
        assert len(ingest.added) == 12
        reports[mode] = ev.evaluate(Assistant(settings, embeddings=embeddings), questions, llm="extractive")
    # everything but the timings (which measure the machine, not the store) must be equal
    embedded, server = ({k: v for k, v in reports[m]["overall"].items() if "latency" not in k}
                        for m in ("embedded", "server"))
    assert embedded["n"] == server["n"] == len(questions) and server["errors"] == 0
    assert server == embedded
    assert embedded["hit@1"] > 0  # the numbers compared are real, not two empty reports
    assert not (tmp_path / "unused" / "chroma.sqlite3").exists()


def test_doctor_checks_and_repairs_the_server_collection_and_its_lexical_index(chroma_server, tmp_path):
    env = {"CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma_server), "ASSISTANT_COLLECTION": "doctor_test"}
    assert run_cli("ingest", str(DEMO), cwd=tmp_path, env=env).returncode == 0
    healthy = run_cli("doctor", cwd=tmp_path, env=env)
    assert healthy.returncode == 0 and '"lexical_index": "ok"' in healthy.stdout, healthy.stdout + healthy.stderr
    damaged_files = list((tmp_path / ".cache").glob("**/lexical/v*/*"))
    assert damaged_files
    for part in damaged_files:
        part.write_bytes(b"damaged")  # a cached copy gone bad (disk, a killed process)
    damaged = run_cli("doctor", cwd=tmp_path, env=env)
    assert damaged.returncode == 1 and '"lexical_index": "damaged"' in damaged.stdout
    fixed = run_cli("doctor", "--fix", cwd=tmp_path, env=env)
    assert fixed.returncode == 0 and '"lexical_index": "rebuilt"' in fixed.stdout
    assert run_cli("doctor", cwd=tmp_path, env=env).returncode == 0
