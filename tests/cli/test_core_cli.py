"""`assistant ingest` and `assistant ask` run as a user runs them: a subprocess, a clean environment."""

import json
import shutil

from tests.conftest import DEMO, run_cli

QUESTION = "Which mineral deposits are said to be illegally exploited?"


def test_ingest_then_ask_json_has_the_documented_shape(tmp_path):
    store = tmp_path / "store"
    shutil.copytree(DEMO, tmp_path / "demo")
    first = run_cli("--store", str(store), "ingest", "demo", "--json", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert sorted(summary["added"]) == ["demo/000_6e7084da90daaea3.txt", "demo/004_c23c7751a1e3a64a.txt"]
    second = run_cli("--store", str(store), "ingest", "demo", cwd=tmp_path)
    assert second.returncode == 0 and "unchanged 2" in second.stdout and "added 0" in second.stdout

    asked = run_cli("--store", str(store), "ask", QUESTION, "--llm", "extractive", "--json", cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    answer = json.loads(asked.stdout)
    assert {"question", "answer", "refused", "citations", "retrieved"} <= set(answer)
    assert answer["refused"] is False and answer["provider"] == "extractive"
    for c in answer["citations"]:
        assert set(c) >= {"n", "article_id", "source_path", "title", "date", "chunk_id", "quote", "start", "end"}
        assert c["source_path"].startswith("demo/")
        body = (tmp_path / c["source_path"]).read_text()
        assert c["quote"] in body  # exact text of the file the user gave
    for r in answer["retrieved"]:
        assert set(r) == {"article_id", "source_path", "chunk_id", "score"}


def test_plain_ask_prints_the_answer_and_a_numbered_source_list(tmp_path):
    store = tmp_path / "store"
    assert run_cli("--store", str(store), "ingest", str(DEMO), cwd=tmp_path).returncode == 0
    out = run_cli("--store", str(store), "ask", QUESTION, "--llm", "extractive", cwd=tmp_path)
    assert out.returncode == 0
    assert "[1]" in out.stdout and "\nSources\n[1] " in out.stdout and "Trend, 2022-12-1" in out.stdout
    assert "answered by extractive" in out.stderr
    refused = run_cli("--store", str(store), "ask", "What is the population of Iceland?", "--llm", "extractive", cwd=tmp_path)
    assert refused.returncode == 0 and refused.stdout.strip() == "The articles do not say."
    assert "(why: " in refused.stderr and "answerability 0." in refused.stderr  # the refusal says why, aside
    # on topic but unanswered: the sentence that came closest is shown, quoted from the article
    near = run_cli("--store", str(store), "ask", "How many trucks were seen at the Kyzylbulag deposit?",
                   "--llm", "extractive", cwd=tmp_path)
    assert near.stdout.strip() == "The articles do not say."
    closest = near.stderr.split('(closest sentence: "')[1].split('")')[0]
    assert any(closest in p.read_text() for p in DEMO.iterdir())


def test_bad_input_is_named_and_the_rest_is_ingested(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(DEMO / "000_6e7084da90daaea3.txt", folder / "good.txt")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02garbage\x00")
    (folder / "latin1.txt").write_bytes("Caf\xe9 society.".encode("latin-1"))
    (folder / "empty.md").write_text("")
    (folder / "feed.jsonl").write_text('{"title": "Ok", "text": "Fine record text here."}\n{not json\n')
    result = run_cli("--store", str(tmp_path / "store"), "ingest", str(folder), str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr  # something was ingested
    assert "added 2" in result.stdout and "skipped 5" in result.stdout
    for name in ("binary.txt", "latin1.txt", "empty.md", "feed.jsonl:2", "missing"):
        assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_nothing_ingestible_exits_non_zero(tmp_path):
    (tmp_path / "empty.txt").write_text("")
    result = run_cli("--store", str(tmp_path / "store"), "ingest", str(tmp_path / "empty.txt"), cwd=tmp_path)
    assert result.returncode == 3 and "empty.txt: empty file" in result.stderr


def test_ask_without_a_store_tells_how_to_make_one(tmp_path):
    result = run_cli("--store", str(tmp_path / "nowhere"), "ask", QUESTION, cwd=tmp_path)
    assert result.returncode == 4
    assert "no store at" in result.stderr and "assistant ingest" in result.stderr


def test_an_unknown_setting_is_an_error(tmp_path):
    result = run_cli("ask", QUESTION, cwd=tmp_path, env={"ASSISTANT_TEMPRATURE": "0.5"})
    assert result.returncode == 2 and "unknown setting ASSISTANT_TEMPRATURE" in result.stderr
