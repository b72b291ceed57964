"""Batch Q&A: read a file of questions, answer each through the Assistant, write one record per answer.

Owns the question file formats (.txt, .csv, .jsonl, `-` for stdin), the output formats (JSONL, CSV,
Markdown, `-` for stdout), resuming a killed run, and running questions concurrently for remote LLMs.

A record is `Answer.model_dump()` (what `ask --json` prints) plus `id`, `provider`, `model`, `latency_ms`
and `error` (None when the question was answered), plus the question file's extra fields. Each record is
written and flushed as soon as its answer is ready, so a killed run loses only the questions in flight.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TextIO

from assistant.errors import AssistantError, InputError
from assistant.render import answer_markdown
from assistant.types import Answer

FORMATS = ("jsonl", "csv", "md")
# Providers that run in this process: one question at a time (a second llama.cpp call only competes for
# the same cores, and the extractive answerer is CPU-bound numpy).
SERIAL_PROVIDERS = ("local", "extractive")
RECORD_KEYS = ("id", *Answer.model_fields, "latency_ms", "error")
CSV_COLUMNS = ("id", "question", "answer", "refused", "citations", "sources", "removed", "retrieved",
               "provider", "model", "latency_ms", "input_tokens", "output_tokens", "error")


@dataclass
class Question:
    id: str
    question: str
    extra: dict[str, Any] = field(default_factory=dict)  # other input fields, carried through to the record
    error: str | None = None  # why its row could not be read: it is written as a failed record, not asked


@dataclass
class BatchSummary:
    total: int = 0  # questions in the file
    skipped: int = 0  # already answered in OUT (--resume)
    answered: int = 0
    failed: int = 0
    seconds: float = 0.0


OnRecord = Callable[[dict[str, Any]], None]
Row = tuple[int, dict[str, Any] | InputError]  # a question file's line number and its fields, or why it has none

# ---- reading questions ------------------------------------------------------------------------------


def question_id(text: str) -> str:
    """An id from the question's text: stable when lines are added, removed or reordered, so --resume
    still skips the right questions after the file was edited."""
    return "q-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def sniff_format(text: str) -> str:
    """The format of questions piped on stdin: JSONL if it starts with `{`, CSV if its first line is a
    header with a `question` column, else one question a line."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("{"):
        return "jsonl"
    if "question" in [c.strip().strip('"').lower() for c in first.split(",")] and "," in first:
        return "csv"
    return "txt"


def load_questions(source: str, stdin: TextIO | None = None) -> list[Question]:
    """Questions from a .txt, .csv or .jsonl file, or from stdin when source is `-`."""
    if source == "-":
        text = (stdin or sys.stdin).read()
        kind = sniff_format(text)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"no question file at {source}", "give a .txt, .csv or .jsonl file, or - for stdin")
        kind = path.suffix.lower().lstrip(".")
        kind = {"ndjson": "jsonl", "text": "txt"}.get(kind, kind)
        if kind not in ("txt", "csv", "jsonl"):
            raise InputError(f"{source}: unknown question file type {path.suffix!r}", "use .txt, .csv or .jsonl")
        try:
            text = path.read_text(encoding="utf-8-sig")  # -sig: spreadsheets write a BOM into CSV
        except UnicodeDecodeError:
            raise InputError(f"{source} is not UTF-8 text", "save it as UTF-8") from None
    rows = {"txt": _rows_txt, "csv": _rows_csv, "jsonl": _rows_jsonl}[kind](text, source)
    return _with_ids(rows, source)


def _rows_txt(text: str, source: str) -> list[Row]:
    return [(n, {"question": line.strip()}) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]


def _rows_csv(text: str, source: str) -> list[Row]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "question" not in reader.fieldnames:
        raise InputError(f"{source}: the CSV has no 'question' column", "add a header line: id,question")
    return [(n, {k: v for k, v in row.items() if k is not None}) for n, row in enumerate(reader, 2)]


def _rows_jsonl(text: str, source: str) -> list[Row]:
    """Each line's object, or the error that says why it is none (the other lines are still asked)."""
    rows: list[Row] = []
    for n, line in enumerate(text.split("\n"), 1):  # not splitlines: U+2028 may sit inside a JSON string
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            rows.append((n, InputError(f"{source}:{n}: not JSON ({exc.msg})", "one JSON object a line")))
            continue
        rows.append((n, row if isinstance(row, dict) else
                     InputError(f"{source}:{n}: expected a JSON object", 'write {"question": "..."}')))
    return rows


def _with_ids(rows: list[Row], source: str) -> list[Question]:
    """Questions with their ids. A row that cannot be asked (not JSON, no question) becomes a question with its
    `error` and the id `line-<n>`, so the run goes on, the output names the line, and a --resume after the line
    is mended asks it."""
    out: list[Question] = []
    seen: set[str] = set()
    for n, row in rows:
        text = str(row.get("question") or "").strip() if isinstance(row, dict) else ""
        if isinstance(row, dict) and not text:
            row = InputError(f"{source}:{n}: the question is empty", "every row needs a question")
        if isinstance(row, InputError):
            out.append(Question(f"line-{n}", "", error=str(row)))
            continue
        given = row.get("id")
        qid = str(given).strip() if given not in (None, "") else question_id(text)
        if qid in seen:
            if given not in (None, ""):
                raise InputError(f"{source}:{n}: id {qid!r} appears twice", "ids must be unique, or --resume cannot work")
            qid = f"{qid}-{n}"  # the same question twice: both are asked
        seen.add(qid)
        out.append(Question(qid, text, {k: v for k, v in row.items() if k not in ("id", "question")}))
    return out


# ---- records ----------------------------------------------------------------------------------------


def extra_keys(questions: list[Question]) -> list[str]:
    """The record keys the questions' extra fields become, in first-seen order (CSV needs them upfront)."""
    keys = (k for q in questions for k in q.extra)
    return list(dict.fromkeys(f"input_{k}" if k in RECORD_KEYS else k for k in keys))


def make_record(q: Question, answer: Answer | None, provider: str, model: str, latency_ms: int,
                error: str | None) -> dict[str, Any]:
    """One output record. Input fields that clash with a record field (e.g. a gold `answer`) are kept
    as `input_<name>`, so carrying them through never overwrites what the assistant said."""
    if answer is None:
        answer = Answer(question=q.question, answer="", refused=False, provider=provider, model=model)
    record: dict[str, Any] = {"id": q.id}
    record.update(answer.model_dump(mode="json"))
    record.update(provider=answer.provider or provider, model=answer.model or model, latency_ms=latency_ms, error=error)
    for k, v in q.extra.items():
        record[f"input_{k}" if k in record else k] = v
    return record


def answer_record(assistant: Any, q: Question, llm: str | None, k: int | None, provider: str, model: str) -> dict[str, Any]:
    """Ask one question; a failure becomes the record's `error` instead of stopping the run."""
    if q.error:
        return make_record(q, None, provider, model, 0, q.error)
    started = time.perf_counter()
    answer, error = None, None
    try:
        answer = assistant.ask(q.question, k=k, llm=llm)
    except AssistantError as exc:
        error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one odd question must not cost the other answers
        error = f"{type(exc).__name__}: {exc}"
    return make_record(q, answer, provider, model, round((time.perf_counter() - started) * 1000), error)


# ---- output -----------------------------------------------------------------------------------------


class Sink(Protocol):
    def write(self, record: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


def format_of(out: str, fmt: str | None) -> str:
    if fmt:
        return fmt
    suffix = Path(out).suffix.lower()
    return {".csv": "csv", ".md": "md", ".markdown": "md"}.get(suffix, "jsonl")


def _flat(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def csv_row(record: dict[str, Any], extra_keys: list[str]) -> dict[str, str]:
    """A record flattened for a spreadsheet: citations as `[n] path (chars a-b): "quote"` lines."""
    cites = record.get("citations") or []
    usage = record.get("usage") or {}
    row = {
        "id": record["id"], "question": record["question"], "answer": record["answer"],
        "refused": str(bool(record["refused"])).lower(),
        "citations": "\n".join(f'[{c["n"]}] {c["source_path"]} (chars {c["start"]}-{c["end"]}): "{c["quote"]}"' for c in cites),
        "sources": "; ".join(dict.fromkeys(c["source_path"] for c in cites)),
        "removed": "\n".join(record.get("removed") or []),
        "retrieved": "; ".join(dict.fromkeys(r["source_path"] for r in record.get("retrieved") or [])),
        "provider": record["provider"], "model": record["model"], "latency_ms": str(record["latency_ms"]),
        "input_tokens": str(usage.get("input_tokens", "")), "output_tokens": str(usage.get("output_tokens", "")),
        "error": record.get("error") or "",
    }
    row.update({k: _flat(record[k]) for k in extra_keys if k in record and record[k] is not None})
    return row


def markdown_block(record: dict[str, Any]) -> str:
    """A readable answer with its sources, between markers that let --resume find whole records."""
    marker = json.dumps({"id": record["id"], "ok": record.get("error") is None}, ensure_ascii=True).replace(">", "\\u003e")
    body = answer_markdown(Answer.model_validate(record), label=record["id"], error=record.get("error"),
                           latency_ms=record.get("latency_ms"))
    return f"<!-- record {marker} -->\n{body}\n<!-- /record -->\n\n"


MD_HEADER = "# Answers\n\n"
_MD_RECORD = re.compile(r"<!-- record (\{.*?\}) -->\n(.*?)<!-- /record -->\n\n", re.S)


class FileSink:
    """Writes records to a file or stdout in one format, each flushed as soon as it is written."""

    def __init__(self, handle: TextIO, fmt: str, extra_keys: list[str], fresh: bool) -> None:
        self.handle = handle
        self.fmt = fmt
        self.extra_keys = extra_keys
        self.writer = csv.DictWriter(handle, [*CSV_COLUMNS, *extra_keys], lineterminator="\n") if fmt == "csv" else None
        if fresh and self.writer:
            self.writer.writeheader()
        if fresh and fmt == "md":
            handle.write(MD_HEADER)
        handle.flush()

    def write(self, record: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            text = json.dumps(record, ensure_ascii=False) + "\n"
        elif self.fmt == "csv":
            buf = io.StringIO()
            csv.DictWriter(buf, [*CSV_COLUMNS, *self.extra_keys], lineterminator="\n").writerow(csv_row(record, self.extra_keys))
            text = buf.getvalue()
        else:
            text = markdown_block(record)
        # One write of the whole record, then flush and fsync: a kill leaves whole records behind, or a
        # partial last one that --resume drops.
        self.handle.write(text)
        self.handle.flush()
        if self.handle is not sys.stdout:
            os.fsync(self.handle.fileno())

    def close(self) -> None:
        if self.handle is not sys.stdout:
            self.handle.close()


def existing_records(path: Path, fmt: str) -> list[tuple[str, bool, Any]]:
    """(id, answered without error, what to write back) for each whole record already in OUT."""
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    out: list[tuple[str, bool, Any]] = []
    if fmt == "jsonl":
        # split on \n only: str.splitlines would also split at U+2028 inside a JSON string
        *lines, _partial = text.split("\n")  # what follows the last newline is a half-written record
        for line in lines:
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(rec, dict) and "id" in rec:
                out.append((str(rec["id"]), rec.get("error") is None, rec))
    elif fmt == "csv":
        try:
            rows = list(csv.DictReader(io.StringIO(text)))
        except csv.Error:
            rows = []
        if rows and not text.endswith("\n"):
            rows = rows[:-1]  # the half-written row of a killed run
        for row in rows:
            if row.get("id") and None not in row.values():
                out.append((row["id"], not row.get("error"), row))
    else:
        for m in _MD_RECORD.finditer(text):
            meta = json.loads(m.group(1))
            out.append((str(meta["id"]), bool(meta["ok"]), m.group(0)))
    return out


def open_sink(out: str, fmt: str, extra_keys: list[str], resume: bool) -> tuple[Sink, set[str]]:
    """The sink for OUT and the ids to skip. With resume, OUT is first rewritten without failed and
    half-written records (atomically), so retried questions never appear twice."""
    if out == "-":
        if resume:
            raise InputError("--resume needs an output file", "write to -o FILE instead of -")
        return FileSink(sys.stdout, fmt, extra_keys, fresh=True), set()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not resume or not path.exists():
        return FileSink(open(path, "w", encoding="utf-8", newline=""), fmt, extra_keys, fresh=True), set()
    kept = [(i, payload) for i, ok, payload in existing_records(path, fmt) if ok]
    tmp = path.with_name(f".{path.name}.resume{os.getpid()}")
    with open(tmp, "w", encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            handle.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for _, rec in kept)
        elif fmt == "csv":
            # Earlier columns first, so a question file with new fields still lines up.
            old_extra = [k for _, row in kept for k in row if k not in CSV_COLUMNS]
            extra_keys[:] = list(dict.fromkeys([*old_extra, *extra_keys]))
            writer = csv.DictWriter(handle, [*CSV_COLUMNS, *extra_keys], lineterminator="\n", restval="")
            writer.writeheader()
            writer.writerows(row for _, row in kept)
        else:
            handle.write(MD_HEADER + "".join(block for _, block in kept))
    tmp.replace(path)
    return FileSink(open(path, "a", encoding="utf-8", newline=""), fmt, extra_keys, fresh=False), {i for i, _ in kept}


# ---- running ----------------------------------------------------------------------------------------


def run_batch(assistant: Any, questions: list[Question], sink: Sink | None = None, *, llm: str | None = None,
              k: int | None = None, concurrency: int = 1, skip: set[str] | None = None,
              on_record: OnRecord | None = None) -> BatchSummary:
    """Answer the questions not in `skip`, writing each record to the sink as soon as it is ready."""
    started = time.perf_counter()
    skip = skip or set()
    todo = [q for q in questions if q.id not in skip]
    summary = BatchSummary(total=len(questions), skipped=len(questions) - len(todo))
    provider, model = assistant.llm_name(llm)  # fails fast on a provider that cannot work at all
    workers = 1 if provider in SERIAL_PROVIDERS else max(1, concurrency)

    def done(record: dict[str, Any]) -> None:
        if sink is not None:
            sink.write(record)
        if record["error"]:
            summary.failed += 1
        else:
            summary.answered += 1
        if on_record:
            on_record(record)

    if workers == 1 or len(todo) <= 1:
        for q in todo:
            done(answer_record(assistant, q, llm, k, provider, model))
    else:
        # Open the store, embeddings and lexical index once, before threads race to build them.
        assistant.search(todo[0].question, k=1)
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="batch") as pool:
            pending: set[Future[dict[str, Any]]] = set()
            queue = iter(todo)
            try:
                # Keep only `workers` questions in flight, so a kill loses at most those.
                for q in queue:
                    pending.add(pool.submit(answer_record, assistant, q, llm, k, provider, model))
                    if len(pending) >= workers:
                        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for f in finished:
                            done(f.result())
                while pending:
                    finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                    for f in finished:
                        done(f.result())
            except BaseException:
                for f in pending:
                    f.cancel()
                raise
    summary.seconds = time.perf_counter() - started
    return summary


# ---- progress ---------------------------------------------------------------------------------------


@contextmanager
def progress_bar(total: int, label: str = "answering") -> Iterator[OnRecord]:
    """A rich progress bar on stderr (questions done, failed, rate, ETA); a no-op when stderr is not a
    terminal, so logs and pipes stay clean."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            if not speed:
                return Text("-- s/q", style="progress.data.speed")
            return Text(f"{speed:.1f} q/s" if speed >= 1 else f"{1 / speed:.1f} s/q", style="progress.data.speed")

    console = Console(stderr=True)
    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[failed]} failed"),
        RateColumn(), TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
        console=console, transient=False, disable=not console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=total, failed=0)
        failed = 0

        def advance(record: dict[str, Any]) -> None:
            nonlocal failed
            failed += bool(record.get("error"))
            bar.update(task, advance=1, failed=failed)

        yield advance
