"""The command line: turns arguments into service calls, and errors into messages and exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from assistant.errors import AssistantError
from assistant.settings import Settings, load_settings

LLM_CHOICE = click.Choice(["auto", "openai", "local", "extractive"])
STORE_HELP = "Store folder (default: ./store, ASSISTANT_STORE)."


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


def store_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """`--store` after the subcommand too (`assistant ingest data --store S`); there it wins over one given
    before the subcommand. It replaces the settings in this subcommand's context only."""

    def use_store(ctx: click.Context, _param: click.Parameter, store: Path | None) -> None:
        if store is not None:
            ctx.obj = {**ctx.obj, "settings": settings_of(ctx, store=store)}

    return click.option("--store", type=click.Path(path_type=Path), expose_value=False, callback=use_store,
                        help=STORE_HELP)(command)


def make_assistant(settings: Settings) -> Any:
    from assistant.service import Assistant

    return Assistant(settings)


@click.group(invoke_without_command=True)
@click.option("--store", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option("--env-file", type=click.Path(path_type=Path), default=Path(".env"), show_default=True)
@click.pass_context
@edge
def main(ctx: click.Context, store: Path | None, env_file: Path) -> None:
    """A news assistant that answers with citations you can check."""
    ctx.ensure_object(dict)
    ctx.obj["settings"] = load_settings(dotenv=env_file, store=store)
    if ctx.invoked_subcommand is None:
        if sys.stdin.isatty() and sys.stdout.isatty():
            run_tui(ctx.obj["settings"])  # a person at a terminal gets the app; pipes and scripts get help
        else:
            click.echo(ctx.get_help())


def run_tui(settings: Settings) -> None:
    from assistant.tui import run

    run(make_assistant(settings))


@main.command()
@store_option
@click.option("--llm", type=LLM_CHOICE, help="Who answers (default: auto).")
@click.pass_context
@edge
def tui(ctx: click.Context, llm: str | None) -> None:
    """Open the terminal app: ask, read the sources, follow the evidence."""
    run_tui(settings_of(ctx, llm=llm))


@main.command()
@store_option
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
            f"({report.chunks} chunks embedded in {report.seconds:.1f} s) -> {assistant.where()}"
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
    from assistant.render import answer_text, answered_by, clean, closest_sentence, score_shown, unanswered_note

    click.echo(answer_text(answer), nl=False)
    notes = []
    a = answer.answerability
    if answer.refused and a is not None:
        # why, and the sentence that came closest, so the reader can judge the refusal for themselves
        notes.append(f"(why: {clean(a.reason)}; answerability {score_shown(a.score)})")
        if closest := closest_sentence(answer):
            notes.append(f'(closest sentence: "{closest}")')
    if part := unanswered_note(answer):
        notes.append(f"({part})")
    if answer.removed:
        notes.append(f"({len(answer.removed)} unsupported sentence(s) removed)")
    notes.append(f"(answered by {clean(answered_by(answer))})")
    click.echo("\n" + "\n".join(notes), err=True)


@main.command()
@store_option
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
@store_option
@click.option("--fix", is_flag=True, help="Remove what an interrupted ingest left behind and rebuild the lexical index.")
@click.pass_context
@edge
def doctor(ctx: click.Context, fix: bool) -> None:
    """Check the store: orphan chunks, incomplete articles, stale versions, lexical index; exit 1 if unfixed."""
    report = make_assistant(settings_of(ctx)).doctor(fix=fix)
    click.echo(json.dumps(report, indent=2))
    if not fix and (report["orphan_chunks"] or report["incomplete_articles"] or report["stale_versions"]
                    or report["lexical_index"] != "ok"):
        sys.exit(1)


@main.command()
@store_option
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@edge
def articles(ctx: click.Context, as_json: bool) -> None:
    """List the ingested articles, newest first."""
    records = make_assistant(settings_of(ctx)).article_records()
    rows = sorted(records.items(), key=lambda r: r[1].get("date") or "", reverse=True)
    if as_json:
        click.echo(json.dumps([{"id": i, **m} for i, m in rows], indent=2))
        return
    for article_id, m in rows:
        click.echo(f"{m.get('date') or '----------'}  {article_id}  {m.get('outlet') or '-':<12.12}  {m.get('title', '')}")


@main.command()
@store_option
@click.argument("questions")
@click.option("-o", "--out", required=True, help="Output file, or - for stdout.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "md"]),
              help="Output format (default: from OUT's suffix, .csv or .md, else jsonl).")
@click.option("--llm", type=LLM_CHOICE, help="Who answers (default: auto).")
@click.option("--k", type=click.IntRange(1, 50), help="Passages to give each answer.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Questions in flight for a remote LLM; local and extractive answer one at a time.")
@click.option("--resume", is_flag=True, help="Skip questions already answered in OUT; retry the failed ones.")
@click.pass_context
@edge
def batch(ctx: click.Context, questions: str, out: str, fmt: str | None, llm: str | None, k: int | None,
          concurrency: int, resume: bool) -> None:
    """Answer a file of questions (.txt, .csv, .jsonl, or - for stdin); exit 1 if any failed."""
    from assistant import batch as b

    qs = b.load_questions(questions)
    for q in qs:
        if q.error:  # written as a failed record; the other questions are asked
            click.echo(f"not asked: {q.error}", err=True)
    assistant = make_assistant(settings_of(ctx))
    assistant.llm_name(llm)  # a provider that cannot work fails before OUT is touched
    sink, skip = b.open_sink(out, b.format_of(out, fmt), b.extra_keys(qs), resume)
    try:
        with b.progress_bar(sum(q.id not in skip for q in qs)) as advance:
            summary = b.run_batch(assistant, qs, sink, llm=llm, k=k, concurrency=concurrency, skip=skip, on_record=advance)
    finally:
        sink.close()
    click.echo(f"answered {summary.answered}, failed {summary.failed}, skipped {summary.skipped} already in {out} "
               f"({summary.seconds:.1f} s)", err=True)
    if summary.failed:
        sys.exit(1)


@main.command(name="eval")
@store_option
@click.argument("questions", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--llm", type=LLM_CHOICE, help="Who answers (default: auto).")
@click.option("--k", type=click.IntRange(1, 50), help="Passages to give each answer.")
@click.option("--answers", "answers_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Score this batch output (JSONL) instead of answering again.")
@click.option("--sample", type=click.IntRange(1), help="Evaluate a seeded random sample of N questions.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --sample.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
              help="Questions in flight for a remote LLM.")
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), help="Write the report as JSON here.")
@click.pass_context
@edge
def eval_(ctx: click.Context, questions: Path, llm: str | None, k: int | None, answers_file: Path | None,
          sample: int | None, seed: int, concurrency: int, out: Path | None) -> None:
    """Score answers, citations and retrieval against a gold question set (JSONL)."""
    from rich.console import Console

    from assistant import evaluate as ev
    from assistant.batch import progress_bar

    qs = ev.sample(ev.load_eval_questions(questions), sample, seed)
    answers = ev.load_answers(answers_file) if answers_file else None
    assistant = make_assistant(settings_of(ctx))
    with progress_bar(len(qs) if answers is None else 0) as advance:
        report = ev.evaluate(assistant, qs, answers=answers, llm=llm, k=k, concurrency=concurrency, on_record=advance)
    report = {"questions_file": str(questions), "answers_file": str(answers_file) if answers_file else None,
              "sample": sample, "seed": seed if sample else None, **report}
    Console().print(ev.report_table(report))
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        click.echo(f"report written to {out}", err=True)



@main.command()
@store_option
@click.argument("topic")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the briefing to this file.")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "html"]),
              help="Output format (default: from the -o suffix, else md).")
@click.option("--since", help="Only articles dated on or after YYYY-MM-DD.")
@click.option("--until", help="Only articles dated on or before YYYY-MM-DD.")
@click.option("--max-articles", type=click.IntRange(1, 50), default=8, show_default=True)
@click.option("--llm", type=LLM_CHOICE, help="Who writes the briefing (default: auto).")
@click.pass_context
@edge
def brief(ctx: click.Context, topic: str, output: Path | None, fmt: str | None, since: str | None,
          until: str | None, max_articles: int, llm: str | None) -> None:
    """Write a cited briefing on TOPIC: summary, key facts, timeline, who is involved, sources."""
    from assistant.render import render_briefing

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = {"json": "json", "html": "html", "htm": "html"}.get(suffix, "md")
    filters = filters_of(since, until, None)
    assistant = make_assistant(settings_of(ctx))
    briefing = assistant.brief(topic, since=filters.since, until=filters.until, max_articles=max_articles, llm=llm,
                               progress=lambda stage: click.echo(f"  {stage}…", err=True))
    text = render_briefing(briefing, fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output} ({len(briefing.sources)} sources, {len(briefing.citations)} citations)", err=True)
    else:
        click.echo(text, nl=False)
    if briefing.removed:
        click.echo(f"({len(briefing.removed)} unsupported line(s) removed)", err=True)


@main.command()
@store_option
@click.argument("article", required=False)
@click.option("--all", "all_articles", is_flag=True, help="Summarise every article in the store.")
@click.option("--sentences", type=click.IntRange(1, 10), default=3, show_default=True)
@click.option("--llm", type=LLM_CHOICE, default="extractive", show_default=True, help="Who writes the summary.")
@click.option("--refresh", is_flag=True, help="Ignore the cached summary.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@edge
def summarize(ctx: click.Context, article: str | None, all_articles: bool, sentences: int, llm: str,
              refresh: bool, as_json: bool) -> None:
    """Summarise ARTICLE (id, path or title words), or --all; summaries are cached in the store."""
    from assistant.citations import strip_control

    if bool(article) == all_articles:
        raise AssistantError("name one article or pass --all", "assistant summarize PATH|ID|TITLE, or --all")
    summaries = make_assistant(settings_of(ctx)).summarize(article, all_articles, sentences, llm, refresh)
    if as_json:
        click.echo(json.dumps([s.model_dump() for s in summaries], indent=2))
        return
    for s in summaries:
        click.secho(strip_control(s.title), bold=True)
        click.echo(strip_control(s.text))
        for c in s.citations:
            click.echo(f"  [{c.n}] chars {c.start}-{c.end}")
        click.echo(f"({s.provider}{', cached' if s.cached else ''})\n", err=True)
