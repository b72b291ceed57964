"""Seconds for an extractive briefing over 40 articles.

    python bench/brief_speed_bench.py --store /tmp/newsstore [--articles 40] [--topic "..."] [--profile]

The 40 articles are the ones the store ranks first for the topic (the hybrid search, then the nearest
chunks), handed to `build_briefing` as its retrieval, so the briefing reads exactly that many (it then
keeps those on the topic as sources). The models (MiniLM, spaCy) are
loaded and warmed once before the clock starts: this measures the briefing, not start-up, which is
printed apart. Writes bench/brief_speed.json.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.answerers.extractive import ExtractiveAnswerer  # noqa: E402
from assistant.briefing import build_briefing  # noqa: E402
from assistant.render import render_briefing  # noqa: E402
from assistant.retrieval import Filters  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402

TOPIC = "protests against the government"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, default=ROOT / "store/news")
    parser.add_argument("--topic", default=TOPIC)
    parser.add_argument("--articles", type=int, default=40)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/brief_speed.json")
    args = parser.parse_args()
    started = time.perf_counter()
    assistant = Assistant(load_settings(env={}, dotenv=None, store=args.store))
    passages = assistant.search(args.topic, 100, Filters())
    # the hybrid search returns a few dozen chunks at most: more articles come from the nearest chunks
    passages += assistant.store().query(assistant.embeddings.embed_query(args.topic), 1500)
    first: dict[str, object] = {}
    for p in passages:
        first.setdefault(p.article_id, p.model_copy(update={"score": 1.0}))
    chosen = list(first.values())[:args.articles]
    try:
        from assistant.language import nlp

        nlp()
    except ImportError:
        pass
    assistant.embeddings.embed_documents(["warm up"])
    setup = time.perf_counter() - started

    def brief():
        return build_briefing(args.topic, retrieve=lambda q, k, f: chosen, store=assistant.store(),
                              embeddings=assistant.embeddings, settings=assistant.settings,
                              writer=ExtractiveAnswerer(), max_articles=args.articles)

    profile = cProfile.Profile() if args.profile else None
    started = time.perf_counter()
    if profile:
        profile.enable()
    b = brief()
    if profile:
        profile.disable()
    seconds = time.perf_counter() - started
    md = render_briefing(b, "md")
    result = {"topic": args.topic, "articles_given": len(chosen), "sources": len(b.sources), "seconds": round(seconds, 2),
              "setup_seconds": round(setup, 2), "citations": len(b.citations), "markdown_lines": md.count("\n")}
    print(json.dumps(result, indent=2))
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
