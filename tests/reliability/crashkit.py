"""The kill -9 harness shared by tests/reliability/test_crash.py (a few rounds) and bench/crash_bench.py
(many rounds): build a corpus big enough that an ingest writes several groups, run `assistant ingest` as a
real process, SIGKILL it at a random moment, and check the store the way a user would rely on it.

The corpus is the wikinews test articles split into paragraphs, one article per paragraph, so an ingest
writes ~80 articles in three groups of 32 and a kill lands between, inside or after writes. Between rounds
some files are edited (an update: the new version is written before the old one is deleted) and one is
removed (so `--prune` deletes), which exercises every write path the ingest has.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WIKINEWS = ROOT / "tests" / "data" / "wikinews"


def make_corpus(target: Path) -> Path:
    """One article file per paragraph of the wikinews test articles (~80 files)."""
    target.mkdir(parents=True, exist_ok=True)
    for source in sorted(WIKINEWS.glob("*.txt")):
        lines = source.read_text(encoding="utf-8").split("\n")
        title, date = lines[0].strip(), lines[1].removeprefix("date ").strip()
        body = "\n".join(lines[3:])
        paragraphs = [p.strip() for p in body.split("\n\n") if len(p.strip()) > 150]
        for n, paragraph in enumerate(paragraphs, 1):
            (target / f"{source.stem[:40]}_{n:02d}.txt").write_text(
                f"{title} (part {n})\ndate {date}\n\n{paragraph}\n", encoding="utf-8")
    return target


def mutate(corpus: Path, rng: random.Random, round_no: int) -> None:
    """Edit a few files (updates) and remove one (a prune), as a newsroom's folder changes between runs."""
    files = sorted(corpus.glob("*.txt"))
    for path in rng.sample(files, min(3, len(files))):
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(f"\nCorrection {round_no}: an earlier version of this report misstated a detail.\n")
    if len(files) > 40:
        rng.choice(files).unlink()


def cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "CHROMA_"))}
    env.update(XDG_CACHE_HOME=str(home / ".cache"), HF_HUB_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               ORT_DISABLE_TELEMETRY="1")
    return env


def cli(home: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=home, env=cli_env(home),
                          capture_output=True, text=True, timeout=timeout)


def ingest_killed_after(home: Path, store: Path, corpus: Path, seconds: float) -> bool:
    """Start a real ingest and SIGKILL it after `seconds`; True if it was still running when killed."""
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "--store", str(store), "ingest", str(corpus),
                             "--prune", "--json"], cwd=home, env=cli_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=seconds)
        return False
    except subprocess.TimeoutExpired:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        return True


def store_stamp(store: Path) -> tuple[int, int]:
    """(newest mtime, total size) of the store's files: changes as soon as Chroma writes anything."""
    newest = total = 0
    for root, _, files in os.walk(store):
        for name in files:
            try:
                st = os.stat(os.path.join(root, name))
            except FileNotFoundError:
                continue
            newest, total = max(newest, st.st_mtime_ns), total + st.st_size
    return newest, total


def ingest_killed_on_write(home: Path, store: Path, corpus: Path, rng: random.Random,
                           limit: float = 300.0) -> bool:
    """Start a real ingest and SIGKILL it a few milliseconds after its n-th burst of writes to the store
    (n random), so kills land inside Chroma upserts and between a group's chunks and its records, not
    only during embedding. True if it was still running when killed."""
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "--store", str(store), "ingest", str(corpus),
                             "--prune", "--json"], cwd=home, env=cli_env(home),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wanted, seen = rng.randint(1, 4), 0
    deadline = time.monotonic() + limit
    while proc.poll() is None and time.monotonic() < deadline and not (store / ".assistant-ingest.lock").exists():
        time.sleep(0.01)  # armed once the ingest holds the lock: opening the store is not the point
    last = store_stamp(store)
    while proc.poll() is None and time.monotonic() < deadline:
        now = store_stamp(store)
        if now != last:
            seen, last = seen + 1, now
            if seen >= wanted:
                time.sleep(rng.uniform(0, 0.03))
                break
        time.sleep(0.002)
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


@dataclass
class Verdict:
    """What a user relies on after the recovering ingest; every list must be empty."""

    problems: list[str] = field(default_factory=list)
    articles: int = 0
    chunks: int = 0


def verify(store: Path, corpus: Path, embeddings: object | None = None) -> Verdict:
    """The store holds exactly the corpus's current files, each once and with all its chunks; no orphan
    chunks; the saved lexical index covers exactly the store's chunks; `doctor` agrees."""
    from assistant.articles import load_articles
    from assistant.service import Assistant
    from assistant.settings import load_settings

    settings = load_settings(env={}, dotenv=None, store=store, cache_dir=store.parent / "cache")
    assistant = Assistant(settings, embeddings=embeddings)  # type: ignore[arg-type]
    st = assistant.store()
    verdict = Verdict()
    records = st.article_records()
    ids, _, metas = st.chunk_records(include_text=False)
    expected, _ = load_articles([str(corpus)])
    want = {a.id: a.source_path for a in expected}
    got = {i: m.get("source_path") for i, m in records.items()}
    if set(got) != set(want):
        verdict.problems.append(f"articles: {len(set(want) - set(got))} missing, {len(set(got) - set(want))} extra")
    paths = list(got.values())
    if len(paths) != len(set(paths)):
        verdict.problems.append(f"{len(paths) - len(set(paths))} duplicate versions of a file")
    per: dict[str, int] = {}
    for m in metas:
        per[m.get("article_id", "")] = per.get(m.get("article_id", ""), 0) + 1
    orphans = sum(n for a, n in per.items() if a not in records)
    if orphans:
        verdict.problems.append(f"{orphans} orphan chunks")
    short = [a for a, m in records.items() if per.get(a, 0) != m.get("chunks")]
    if short:
        verdict.problems.append(f"{len(short)} articles with missing chunks")
    if len(ids) != len(set(ids)):
        verdict.problems.append("duplicate chunk ids")
    from assistant.lexical import LexicalIndex

    index = LexicalIndex.load(st.lexical_dir())
    if index is None or sorted(index.ids) != sorted(ids) or index.fingerprint != st.fingerprint():
        verdict.problems.append("lexical index does not match the store")
    verdict.articles, verdict.chunks = len(records), len(ids)
    return verdict


def fresh_copy(corpus: Path, target: Path) -> Path:
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(corpus, target)
    return target


def timed_ingest(home: Path, store: Path, corpus: Path) -> float:
    started = time.perf_counter()
    result = cli(home, "--store", str(store), "ingest", str(corpus), "--json")
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return time.perf_counter() - started


def doctor(home: Path, store: Path, fix: bool = False) -> tuple[int, dict[str, object]]:
    result = cli(home, "--store", str(store), "doctor", *(["--fix"] if fix else []))
    try:
        return result.returncode, json.loads(result.stdout)
    except json.JSONDecodeError:
        return result.returncode, {"stderr": result.stderr[-2000:]}
