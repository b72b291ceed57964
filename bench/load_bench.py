"""N concurrent `ask` sessions (extractive) against one store, embedded and on a `chroma run` server on
loopback: throughput, p50/p95 latency and memory for N = 1, 4, 16. Writes bench/load.json.

Each session is its own Assistant (as each TUI or `ask` user has), in a thread of this process, sharing the
one loaded MiniLM; every session asks the same rotation of questions. Memory is this process's resident
set after each N: it must level off, not grow with the number of questions asked. Usage:
    python bench/load_bench.py [--per-session 3] [--sessions 1,4,16] [--no-server]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

QUESTIONS = [
    "Which mineral deposits are said to be illegally exploited?",
    "How many people died in the Magnitogorsk building collapse?",
    "What caused the deaths in the Koszalin escape room fire?",
    "When did the SpaceX Crew Dragon dock with the International Space Station?",
    "Which party won the 2019 Canadian general election?",
    "How old was Robert Mugabe when he died?",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def run_level(settings, embeddings, sessions: int, per_session: int) -> dict[str, object]:
    from assistant.service import Assistant

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(sessions)

    def session(n: int) -> None:
        assistant = Assistant(settings, embeddings=embeddings)
        start.wait()
        for i in range(per_session):
            q = QUESTIONS[(n + i) % len(QUESTIONS)]
            t0 = time.perf_counter()
            try:
                assistant.ask(q, llm="extractive")
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")
                continue
            with lock:
                latencies.append(time.perf_counter() - t0)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(sessions)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    lat = sorted(latencies)
    p95 = lat[min(len(lat) - 1, int(round(0.95 * (len(lat) - 1))))] if lat else None
    return {"sessions": sessions, "asks": len(lat), "errors": len(errors), "first_error": errors[:1],
            "seconds": round(wall, 2), "throughput_per_s": round(len(lat) / wall, 2),
            "p50_s": round(statistics.median(lat), 3) if lat else None, "p95_s": round(p95, 3) if p95 else None,
            "rss_mb": rss_mb()}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_chroma(path: Path) -> tuple[subprocess.Popen, int]:
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, port
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chroma run did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--per-session", type=int, default=3)
    parser.add_argument("--sessions", default="1,4,16")
    parser.add_argument("--no-server", action="store_true")
    args = parser.parse_args()
    from assistant.embeddings import MiniLMEmbeddings
    from assistant.service import Assistant
    from assistant.settings import load_settings

    embeddings = MiniLMEmbeddings()
    corpus = [str(ROOT / "tests" / "data" / "wikinews"), str(ROOT / "data" / "demo")]
    results: dict[str, object] = {"per_session": args.per_session, "cores": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        modes = [("embedded", {"store": Path(tmp) / "store"})]
        server = None
        if not args.no_server:
            server, port = start_chroma(Path(tmp) / "server")
            modes.append(("server", {"chroma_host": "127.0.0.1", "chroma_port": port, "store": Path(tmp) / "unused"}))
        try:
            for mode, extra in modes:
                settings = load_settings(env={}, dotenv=None, cache_dir=Path(tmp) / "cache", **extra)
                report = Assistant(settings, embeddings=embeddings).ingest(corpus)
                Assistant(settings, embeddings=embeddings).ask(QUESTIONS[0], llm="extractive")  # warm
                levels = []
                for n in (int(x) for x in args.sessions.split(",")):
                    levels.append(run_level(settings, embeddings, n, args.per_session))
                    print(mode, json.dumps(levels[-1]), flush=True)
                results[mode] = {"chunks": report.chunks, "levels": levels}
        finally:
            if server is not None:
                server.kill()
                server.wait()
    out = Path(__file__).with_name("load.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"-> {out}")


if __name__ == "__main__":
    main()
