"""Briefing checklists: run `assistant brief TOPIC --llm extractive --format json` for each checklist in
bench/brief_checklists.jsonl over a store holding the wikinews and gum-wikinews corpora, and score it.

    python bench/brief_checklist_eval.py --store /tmp/newsstore [--out bench/brief_checklists_after.json]

Per checklist (and summed or averaged over all):
- people / organisations / places: the share of the listed names found among the briefing's entities
  *as that kind*, and the names found but listed under another kind (each entity counts for the listed
  name closest to it: "Puerto Rico" the place for "Puerto Rico", not for "Puerto Rico Senate");
- timeline_dates: the share of the checklist's event dates that some timeline line carries;
- must_not: strings listed as an entity (its name or a spelling equal to it, or starting with it as a title:
  "Governor Rosselló" for "Governor");
- repeated_timeline: timeline lines that repeat an earlier line (same date, mostly the same words);
- citations, most citations of one entity, quotes exact (quote == article text[start:end]), seconds.

Each briefing is one run of the real CLI (model loading included in its seconds).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.text import content_tokens, fold  # noqa: E402

KINDS = {"people": "person", "organisations": "organisation", "places": "place"}


def norm(name: str) -> str:
    name = re.sub(r"^the\s+", "", fold(name).strip())
    return re.sub(r"['’]s$", "", name).strip(" .,")


def names_of(entity: dict) -> list[str]:
    """What an entity is called: the shown name (its text without markers and notes) and every spelling."""
    shown = re.sub(r"\s*\(spelled [^)]*\)", "", re.sub(r"\s*(\[\d+\])+\s*$", "", entity["text"])).strip()
    return [norm(n) for n in [shown, *entity.get("spellings", [])] if n.strip()]


def closeness(expected: str, got: str) -> float:
    """2 for the same name; else, when one holds the other word by word and is at least half as long, the
    share of the longer it covers; else 0."""
    if expected == got:
        return 2.0
    short, long_ = sorted((expected, got), key=len)
    if re.search(r"(?<!\w)" + re.escape(short) + r"(?!\w)", long_) and len(short) >= 0.5 * len(long_):
        return len(short) / len(long_)
    return 0.0


def assign(check: dict, entities: list[dict]) -> dict[str, list[str]]:
    """For each listed name (people by name or surname), the kinds of the entities whose closest listed
    name it is: "Puerto Rico" the place counts for "Puerto Rico", not for "Puerto Rico Senate"."""
    wanted: list[tuple[str, list[str]]] = []
    for key in KINDS:
        for item in check[key]:
            names = [item["name"], item["surname"]] if isinstance(item, dict) else [item]
            wanted.append((names[0], [norm(n) for n in names if n]))
    kinds: dict[str, list[str]] = {shown: [] for shown, _ in wanted}
    for e in entities:
        best, score = None, 0.0
        for shown, names in wanted:
            c = max(closeness(w, n) for w in names for n in names_of(e))
            if c > score:
                best, score = shown, c
        if best is not None:
            kinds[best].append(e["kind"])
    return kinds


def repeated_lines(timeline: list[dict]) -> int:
    """Lines that say again, for the same date, what an earlier line said (most of its content words)."""
    seen: list[tuple[str, set[str]]] = []
    repeats = 0
    for e in timeline:
        words = content_tokens(re.sub(r"\[\d+\]", "", e["text"]))
        when = (e.get("dates") or [""])[0]
        if any(d == when and len(words & w) >= 0.6 * min(len(words), len(w) or 1) for d, w in seen):
            repeats += 1
        seen.append((when, words))
    return repeats


def must_not_hits(must_not: list[str], entities: list[dict]) -> list[str]:
    hits = []
    for bad in must_not:
        b = norm(bad)
        for e in entities:
            if any(n == b or n.startswith(b + " ") for n in names_of(e)):
                hits.append(f"{bad} -> {e['text']} ({e['kind']})")
    return hits


def run_brief(store: Path, topic: str) -> tuple[dict, float]:
    env = dict(os.environ, HF_HUB_OFFLINE="1", ORT_DISABLE_TELEMETRY="1", ANONYMIZED_TELEMETRY="False",
               PYTHONPATH=str(ROOT))
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "assistant", "--store", str(store), "brief", topic, "--llm", "extractive",
                          "--format", "json"], capture_output=True, text=True, env=env, cwd=str(ROOT), check=True)
    return json.loads(out.stdout), time.perf_counter() - started


def score(check: dict, b: dict, seconds: float, texts: dict[str, str]) -> dict:
    entities = b["entities"]
    result: dict = {"id": check["id"], "topic": check["topic"], "seconds": round(seconds, 1)}
    assigned = assign(check, entities)
    for key, kind in KINDS.items():
        found = wrong = 0
        missed, misfiled = [], []
        for item in check[key]:
            shown = item["name"] if isinstance(item, dict) else item
            kinds = assigned[shown]
            if kind in kinds:
                found += 1
            else:
                missed.append(shown)
            if any(k != kind for k in kinds):
                wrong += 1
                misfiled.append(f"{shown} as {'/'.join(sorted(set(k for k in kinds if k != kind)))}")
        result[key] = {"found": found, "of": len(check[key]), "also_listed_as_other_kind": wrong,
                       "missed": missed, "misfiled": misfiled}
    days = {d for e in b["timeline"] for d in e["dates"]}
    wanted = [t["date"] for t in check["timeline"]]
    result["timeline_dates"] = {"found": sum(d in days for d in wanted), "of": len(wanted),
                                "missed": [d for d in wanted if d not in days]}
    result["timeline_lines"] = len(b["timeline"])
    result["repeated_timeline"] = repeated_lines(b["timeline"])
    result["must_not"] = must_not_hits(check["must_not"], entities)
    result["entities"] = len(entities)
    result["citations"] = len(b["citations"])
    result["most_citations_of_one_entity"] = max((len(e["citations"]) for e in entities), default=0)
    exact = sum(texts.get(c["article_id"], "")[c["start"]:c["end"]] == c["quote"] for c in b["citations"])
    result["quotes_exact"] = {"exact": exact, "of": len(b["citations"])}
    result["summary"] = len(b["summary"])
    result["key_facts"] = len(b["key_facts"])
    result["differences"] = len(b["differences"])
    wanted_files = set(check["articles"])
    got_files = {Path(s["path"]).name for s in b["sources"]}
    result["sources"] = {"story_articles_found": len(wanted_files & got_files), "of": len(wanted_files),
                         "sources": len(got_files)}
    result["who_is_involved"] = [f"{e['kind']}: {e['text']}" for e in entities]
    return result


def totals(rows: list[dict]) -> dict:
    def share(key: str) -> float:
        return round(sum(r[key]["found"] for r in rows) / max(1, sum(r[key]["of"] for r in rows)), 3)

    cites = sum(r["quotes_exact"]["of"] for r in rows)
    return {
        **{f"{k}_share": share(k) for k in (*KINDS, "timeline_dates")},
        "names_listed_as_another_kind": sum(r[k]["also_listed_as_other_kind"] for r in rows for k in KINDS),
        "of_which_a_wrong_kind": sum(1 for r in rows for k in KINDS for m in r[k]["misfiled"]
                                     if set(m.rsplit(" as ", 1)[1].split("/")) - {"other"}),
        "must_not_listed": sum(len(r["must_not"]) for r in rows),
        "repeated_timeline_lines": sum(r["repeated_timeline"] for r in rows),
        "timeline_lines": sum(r["timeline_lines"] for r in rows),
        "citations_mean": round(sum(r["citations"] for r in rows) / len(rows), 1),
        "citations_max": max(r["citations"] for r in rows),
        "most_citations_of_one_entity": max(r["most_citations_of_one_entity"] for r in rows),
        "quotes_exact": f"{sum(r['quotes_exact']['exact'] for r in rows)}/{cites}",
        "story_articles_found": f"{sum(r['sources']['story_articles_found'] for r in rows)}/"
                                f"{sum(r['sources']['of'] for r in rows)}",
        # sources outside the checklist's story (another storm for a storm's briefing)
        "other_sources": sum(r["sources"]["sources"] - r["sources"]["story_articles_found"] for r in rows),
        "seconds_mean": round(sum(r["seconds"] for r in rows) / len(rows), 1),
        "seconds_max": max(r["seconds"] for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", type=Path, default=ROOT / "store/news")
    parser.add_argument("--checklists", type=Path, default=ROOT / "bench/brief_checklists.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "bench/brief_checklists_after.json")
    args = parser.parse_args()
    checks = [json.loads(line) for line in args.checklists.read_text(encoding="utf-8").splitlines() if line.strip()]
    store = Assistant(load_settings(env={}, dotenv=None, store=args.store)).store()
    rows = []
    for check in checks:
        b, seconds = run_brief(args.store, check["topic"])
        texts = {c["article_id"]: store.article_text(c["article_id"]) or "" for c in b["citations"]}
        row = score(check, b, seconds, texts)
        rows.append(row)
        print(f"{row['id']}: people {row['people']['found']}/{row['people']['of']}, orgs "
              f"{row['organisations']['found']}/{row['organisations']['of']}, places {row['places']['found']}/"
              f"{row['places']['of']}, dates {row['timeline_dates']['found']}/{row['timeline_dates']['of']}, "
              f"misfiled {sum(row[k]['also_listed_as_other_kind'] for k in KINDS)}, must_not {len(row['must_not'])}, "
              f"repeats {row['repeated_timeline']}/{row['timeline_lines']}, citations {row['citations']}, "
              f"quotes {row['quotes_exact']['exact']}/{row['quotes_exact']['of']}, {row['seconds']} s")
    report = {"totals": totals(rows), "checklists": rows}
    print(json.dumps(report["totals"], indent=2))
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
