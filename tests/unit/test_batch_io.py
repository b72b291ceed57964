"""Batch question files and output files: parsing, ids, and what --resume keeps after a killed run."""

from __future__ import annotations

import io
import json

import pytest

from assistant.batch import Question, existing_records, extra_keys, load_questions, make_record, open_sink, question_id
from assistant.errors import InputError
from assistant.types import Answer, Citation


def test_txt_skips_blank_lines_and_comments_and_ids_follow_the_text(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("# my questions\nWho won?\n\n   \n  # indented comment\nWhen was it?\n", encoding="utf-8")
    qs = load_questions(str(path))
    assert [q.question for q in qs] == ["Who won?", "When was it?"]
    # Adding a line above must not change an id, or --resume would skip the wrong question.
    path.write_text("A new first question?\nWho won?\nWhen was it?\n", encoding="utf-8")
    assert [q.id for q in load_questions(str(path))][1:] == [q.id for q in qs]


def test_the_same_question_twice_is_asked_twice(tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("Who won?\nWho won?\n", encoding="utf-8")
    ids = [q.id for q in load_questions(str(path))]
    assert len(set(ids)) == 2 and ids[0] == question_id("Who won?")


def test_csv_takes_id_and_question_columns_and_carries_the_rest(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text('\ufeffid,question,topic\n7,"Who won, in the end?",sport\n,Why?,misc\n', encoding="utf-8")
    qs = load_questions(str(path))
    assert (qs[0].id, qs[0].question, qs[0].extra) == ("7", "Who won, in the end?", {"topic": "sport"})
    assert qs[1].id == question_id("Why?")


def test_csv_without_a_question_column_is_an_input_error(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("id,text\n1,Who?\n", encoding="utf-8")
    with pytest.raises(InputError, match="question"):
        load_questions(str(path))


def test_jsonl_carries_extra_fields_and_rejects_duplicate_ids(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "Who?", "answer": "gold", "type": "single"}\n\n{"question": "Why?"}\n', encoding="utf-8")
    qs = load_questions(str(path))
    assert qs[0].extra == {"answer": "gold", "type": "single"} and qs[1].id == question_id("Why?")
    path.write_text('{"id": "a", "question": "Who?"}\n{"id": "a", "question": "Why?"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="twice"):
        load_questions(str(path))
    # a line that is no question is kept as one that failed, named by its line; the others are read
    path.write_text('{"id": "a", "question": "Who?"}\n{"id": "b", "question": \n[1]\n{"question": "Why?"}\n', encoding="utf-8")
    qs = load_questions(str(path))
    assert [q.id for q in qs] == ["a", "line-2", "line-3", question_id("Why?")]
    assert qs[0].error is None and ":2: not JSON" in str(qs[1].error) and "object" in str(qs[2].error)


@pytest.mark.parametrize("text, expected", [
    ("Who won?\nWhy?\n", ["Who won?", "Why?"]),
    ('{"question": "Who won?"}\n{"question": "Why?"}\n', ["Who won?", "Why?"]),
    ("id,question\n1,Who won?\n2,Why?\n", ["Who won?", "Why?"]),
])
def test_stdin_format_is_recognised(text, expected):
    assert [q.question for q in load_questions("-", stdin=io.StringIO(text))] == expected


def test_unknown_file_type_and_missing_file_are_input_errors(tmp_path):
    (tmp_path / "q.docx").write_text("x")
    with pytest.raises(InputError, match="unknown"):
        load_questions(str(tmp_path / "q.docx"))
    with pytest.raises(InputError, match="no question file"):
        load_questions(str(tmp_path / "nope.txt"))


def answer(q: Question) -> Answer:
    cite = Citation(n=1, article_id="a", source_path="/c/a.txt", title="T", date="2020-01-01", chunk_id="c",
                    quote="It rained.", start=0, end=10)
    return Answer(question=q.question, answer="It rained [1].", refused=False, citations=[cite], provider="p", model="m")


def test_a_gold_answer_in_the_input_never_overwrites_the_assistants_answer():
    q = Question("a", "Who?", {"answer": "gold", "topic": "x"})
    record = make_record(q, answer(q), "p", "m", 12, None)
    assert record["answer"] == "It rained [1]." and record["input_answer"] == "gold" and record["topic"] == "x"
    assert extra_keys([q]) == ["input_answer", "topic"]
    assert set(Answer.model_fields) | {"id", "latency_ms", "error"} <= set(record)


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "md"])
def test_resume_keeps_whole_answered_records_and_drops_failed_and_half_written_ones(tmp_path, fmt):
    out = tmp_path / f"out.{fmt}"
    qs = [Question(i, f"Question {i}?", {"topic": i}) for i in ("a", "b", "c")]
    sink, skip = open_sink(str(out), fmt, extra_keys(qs), resume=False)
    sink.write(make_record(qs[0], answer(qs[0]), "p", "m", 5, None))
    sink.write(make_record(qs[1], None, "p", "m", 5, "the LLM endpoint timed out"))
    sink.write(make_record(qs[2], answer(qs[2]), "p", "m", 5, None))
    sink.close()
    whole = out.read_text(encoding="utf-8")
    out.write_text(whole[: len(whole) - 40], encoding="utf-8")  # killed in the middle of writing "c"
    assert [(i, ok) for i, ok, _ in existing_records(out, fmt)] == [("a", True), ("b", False)]

    sink, skip = open_sink(str(out), fmt, extra_keys(qs), resume=True)
    assert skip == {"a"}
    sink.write(make_record(qs[1], answer(qs[1]), "p", "m", 5, None))
    sink.write(make_record(qs[2], answer(qs[2]), "p", "m", 5, None))
    sink.close()
    assert [(i, ok) for i, ok, _ in existing_records(out, fmt)] == [("a", True), ("b", True), ("c", True)]
    if fmt == "jsonl":
        rows = [json.loads(line) for line in out.read_text().splitlines()]
        assert [r["topic"] for r in rows] == ["a", "b", "c"] and all(r["error"] is None for r in rows)


def test_resume_to_stdout_is_refused():
    with pytest.raises(InputError, match="--resume"):
        open_sink("-", "jsonl", [], resume=True)


def test_a_line_separator_inside_an_answer_does_not_break_resume(tmp_path):
    out = tmp_path / "out.jsonl"
    q = Question("a", "Who?")
    sink, _ = open_sink(str(out), "jsonl", [], resume=False)
    record = make_record(q, answer(q), "p", "m", 5, None)
    record["answer"] = "First\u2028second [1]."
    sink.write(record)
    sink.close()
    assert [i for i, ok, _ in existing_records(out, "jsonl") if ok] == ["a"]
