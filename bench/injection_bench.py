"""Share of prompt-injection attacks (tests/data/hostile/attacks.jsonl) that changed what `assistant ask`
shows, for the extractive answerer (every attack) and the local model (a sample: ~15 s a question on two
cores). Writes bench/injection.json. "Changed" is judged as tests/reliability/injectionkit.py says: a
forbidden payload shown, a control/escape character shown, a citation with no source, a quote that is not
the article's text, or a refusal / missed answer although the same question is answered on the article with
its attack removed (a clean baseline store, so a model's ordinary refusals are not blamed on the attack).
Usage:
    python bench/injection_bench.py [--local 4] [--local-ids id,id]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.reliability import injectionkit as ik  # noqa: E402

# One attack of each kind, the order a small --local sample takes them in.
LOCAL_ORDER = ["ignore-previous", "fake-system", "fake-citations", "terminal-escapes", "markdown-exfil",
               "fence-break", "refusal-phrase", "bidi-override", "ignore-previous-2", "fake-system-2",
               "fake-citations-2", "terminal-escapes-2"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--local", type=int, default=4, help="Attacks to run with the local model (0: none).")
    parser.add_argument("--local-ids", help="Comma-separated attack ids for the local model.")
    args = parser.parse_args()
    from assistant.answerers import make_answerer
    from assistant.service import Assistant
    from assistant.settings import load_settings

    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(env={}, dotenv=None, store=Path(tmp) / "store", cache_dir=Path(tmp) / "cache")
        assistant = Assistant(settings)
        assistant.ingest(ik.article_files())
        clean = Assistant(settings.model_copy(update={"store": Path(tmp) / "clean-store"}), embeddings=assistant.embeddings)
        clean.ingest(ik.clean_files(Path(tmp) / "clean"))
        runs = [("extractive", None)]
        ids = args.local_ids.split(",") if args.local_ids else LOCAL_ORDER[:args.local]
        if ids:
            try:
                make_answerer(settings, "local")  # checks that the model is installed; starts nothing
                runs.append(("local", ids))
            except Exception as exc:  # noqa: BLE001 - the bench reports what it could not measure
                results["local"] = {"skipped": str(exc)}
        for llm, only in runs:
            started = time.perf_counter()
            outcomes = ik.run(assistant, llm, only, baseline=clean)
            changed = [o for o in outcomes if o.changed]
            results[llm] = {
                "attacks": len(outcomes), "changed": len(changed),
                "share_changed": round(len(changed) / max(len(outcomes), 1), 3),
                "refused_or_missed_on_clean_too": sum(any(v.startswith("baseline: refused") or
                                                          v.startswith("baseline: misses") for v in o.violations)
                                                      for o in outcomes),
                "seconds": round(time.perf_counter() - started, 1),
                "outcomes": [asdict(o) for o in outcomes],
            }
            print(f"{llm:<10} {len(outcomes):>3} attacks, {len(changed)} changed behaviour "
                  f"({time.perf_counter() - started:.0f} s)", flush=True)
            for o in changed:
                print(f"  {o.id}: {'; '.join(o.violations)}")
    out = Path(__file__).with_name("injection.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=True) + "\n")
    print(f"-> {out}")


if __name__ == "__main__":
    main()
