"""The command line: turns arguments into service calls, and errors into messages and exit codes."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from pathlib import Path
from typing import Any, Callable

import click

from assistant.errors import AssistantError
from assistant.settings import Settings, load_settings

LLM_CHOICE = click.Choice(["auto", "openai", "local", "extractive"])


def fail(message: str, hint: str = "", code: int = 1) -> None:
    click.secho(f"error: {message}", fg="red", err=True)
    if hint:
        click.echo(f"  hint: {hint}", err=True)
    sys.exit(code)


def edge(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command; an AssistantError becomes a message and its exit code, never a traceback."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except AssistantError as exc:
            fail(exc.message, exc.hint, exc.exit_code)
        except KeyboardInterrupt:
            fail("interrupted", code=130)

    return run


def settings_of(ctx: click.Context, **overrides: Any) -> Settings:
    base: Settings = ctx.obj["settings"]
    updates = {k: v for k, v in overrides.items() if v is not None}
    return base.model_copy(update=updates) if updates else base


def make_assistant(settings: Settings) -> Any:
    from assistant.service import Assistant

    return Assistant(settings)


@click.group(invoke_without_command=True)
@click.option("--store", type=click.Path(path_type=Path), help="Store folder (default: ./store, ASSISTANT_STORE).")
@click.option("--env-file", type=click.Path(path_type=Path), default=Path(".env"), show_default=True)
@click.pass_context
@edge
def main(ctx: click.Context, store: Path | None, env_file: Path) -> None:
    """A news assistant that answers with citations you can check."""
    ctx.ensure_object(dict)
    ctx.obj["settings"] = load_settings(dotenv=env_file, store=store)
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--prune", is_flag=True, help="Remove articles whose files are gone.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
@edge
def ingest(ctx: click.Context, paths: tuple[str, ...], prune: bool, as_json: bool) -> None:
    """Add articles (files or folders of .txt .md .html .json .jsonl) to the store."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    assistant = make_assistant(settings_of(ctx))
    console = Console(stderr=True)
    with Progress(
        TextColumn("embedding"), BarColumn(), MofNCompleteColumn(), TextColumn("chunks"), TimeRemainingColumn(),
        console=console, transient=True, disable=as_json or not console.is_terminal,
    ) as bar:
        task = bar.add_task("ingest", total=None)
        report = assistant.ingest(list(paths), prune=prune, progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        click.echo(report.model_dump_json(indent=2))
    else:
        click.echo(
            f"added {len(report.added)}, updated {len(report.updated)}, unchanged {len(report.unchanged)}, "
            f"removed {len(report.removed)}, skipped {len(report.skipped)} "
            f"({report.chunks} chunks embedded in {report.seconds:.1f} s) -> {assistant.store().where}"
        )
        for s in report.skipped:
            click.echo(f"  skipped {s.path}: {s.reason}", err=True)
    if report.ingested_nothing and report.skipped:
        sys.exit(3)


def filters_of(since: str | None, until: str | None, outlet: str | None) -> Any:
    from assistant.articles import parse_date
    from assistant.retrieval import Filters

    def check(value: str | None, name: str) -> str | None:
        if value is None:
            return None
        parsed = parse_date(value)
        if not parsed:
            raise AssistantError(f"--{name} {value!r} is not a date", "write it as YYYY-MM-DD")
        return parsed

    return Filters(since=check(since, "since"), until=check(until, "until"), outlet=outlet)


def print_answer(answer: Any) -> None:
    from assistant.citations import strip_control

    click.echo(strip_control(answer.answer))
    if answer.citations:
        click.echo("\nSources")
        for c in answer.citations:
            meta = ", ".join(x for x in (c.outlet, c.date) if x)
            click.echo(f"[{c.n}] {strip_control(c.title)}" + (f" — {meta}" if meta else ""))
            click.echo(f"    {c.source_path}  (chars {c.start}-{c.end})")
            click.echo(f'    "{strip_control(c.quote)}"')
    if answer.removed:
        click.echo(f"\n({len(answer.removed)} unsupported sentence(s) removed)", err=True)
    click.echo(f"\n(answered by {answer.provider}" + (f": {answer.model}" if answer.provider != "extractive" else "") + ")", err=True)


@main.command()
@click.argument("question")
@click.option("--k", type=click.IntRange(1, 50), help="Passages to give the answer.")
@click.option("--llm", type=LLM_CHOICE, help="Who answers (default: auto).")
@click.option("--since", help="Only articles dated on or after YYYY-MM-DD.")
@click.option("--until", help="Only articles dated on or before YYYY-MM-DD.")
@click.option("--outlet", help="Only articles from this outlet.")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as JSON.")
@click.pass_context
@edge
def ask(ctx: click.Context, question: str, k: int | None, llm: str | None, since: str | None, until: str | None,
        outlet: str | None, as_json: bool) -> None:
    """Answer a question from the articles, with citations."""
    assistant = make_assistant(settings_of(ctx))
    answer = assistant.ask(question, k=k, llm=llm, filters=filters_of(since, until, outlet))
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
    else:
        print_answer(answer)


@main.command()
@click.option("--fix", is_flag=True, help="Remove what an interrupted ingest left behind.")
@click.pass_context
@edge
def doctor(ctx: click.Context, fix: bool) -> None:
    """Check the store: orphan chunks, incomplete articles, lexical index."""
    assistant = make_assistant(settings_of(ctx))
    store = assistant.store()
    with store.writer() if fix else contextlib.nullcontext():
        found = store.check(fix=fix)
    click.echo(json.dumps({"store": store.where, **found, "fixed": fix}, indent=2))
    if not fix and (found["orphan_chunks"] or found["incomplete_articles"]):
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@edge
def articles(ctx: click.Context, as_json: bool) -> None:
    """List the ingested articles, newest first."""
    store = make_assistant(settings_of(ctx)).store()
    rows = sorted(store.article_records().items(), key=lambda r: r[1].get("date") or "", reverse=True)
    if as_json:
        click.echo(json.dumps([{"id": i, **m} for i, m in rows], indent=2))
        return
    for article_id, m in rows:
        click.echo(f"{m.get('date') or '----------'}  {article_id}  {m.get('outlet') or '-':<12.12}  {m.get('title', '')}")

