"""kill -9 rounds against `assistant ingest`, many more than the test runs; writes bench/crash.json.

Each round edits a few files and removes one, starts a real ingest and SIGKILLs it (half the rounds a few
milliseconds after it starts writing to Chroma, half at a random time); `doctor` records what the kill left.
After every few rounds a recovering ingest runs to completion and the store is verified: each current file
once with all its chunks, no orphans, lexical index equal to the store. Usage:
    python bench/crash_bench.py [--rounds 20] [--files 36]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability import crashkit as ck  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--files", type=int, default=36)
    parser.add_argument("--verify-every", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    rows, verifications = [], []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        full = ck.make_corpus(home / "full")
        corpus = home / "articles"
        corpus.mkdir()
        for f in sorted(full.glob("*.txt"))[:args.files]:
            shutil.copy(f, corpus)
        store = home / "store"
        for n in range(1, args.rounds + 1):
            ck.mutate(corpus, rng, n)
            mode = "on-write" if n % 2 else "timed"
            killed = (ck.ingest_killed_on_write(home, store, corpus, rng) if mode == "on-write"
                      else ck.ingest_killed_after(home, store, corpus, rng.uniform(2.5, 12.0)))
            code, found = ck.doctor(home, store) if (store / "chroma.sqlite3").exists() else (None, {})
            rows.append({"round": n, "mode": mode, "killed_running": killed, "doctor_exit": code,
                         **{k: found.get(k) for k in ("articles", "orphan_chunks", "incomplete_articles",
                                                      "stale_versions", "lexical_index")}})
            print(json.dumps(rows[-1]), flush=True)
            if n % args.verify_every == 0 or n == args.rounds:
                result = ck.cli(home, "--store", str(store), "ingest", str(corpus), "--prune")
                verdict = ck.verify(store, corpus)
                files = len(list(corpus.glob("*.txt")))
                verifications.append({"after_round": n, "ingest_exit": result.returncode, "files": files,
                                      "articles": verdict.articles, "files_lost": files - verdict.articles,
                                      "problems": verdict.problems})
                print("verify", json.dumps(verifications[-1]), flush=True)
    killed = sum(r["killed_running"] for r in rows)
    summary = {
        "rounds": len(rows), "killed_while_running": killed,
        "left_orphans": sum(bool(r["orphan_chunks"]) for r in rows),
        "left_stale_lexical": sum(r["lexical_index"] not in (None, "ok") for r in rows),
        "verifications": len(verifications),
        "verifications_clean": sum(not v["problems"] and v["ingest_exit"] == 0 for v in verifications),
        "files_lost": sum(v["files_lost"] for v in verifications),
        "seconds": round(time.perf_counter() - started, 1),
    }
    out = Path(__file__).with_name("crash.json")
    out.write_text(json.dumps({"summary": summary, "rounds": rows, "verifications": verifications}, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    print(f"-> {out}")


if __name__ == "__main__":
    main()
