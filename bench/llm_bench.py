"""The local model's answerer against a naive chain with the same GGUF, same questions, same run, and the
extractive answerer beside them; then the oracle survival rate over the whole question set. Writes bench/llm.json.

naive: the top 4 chunks, 1,000 characters each, stuffed in one prompt, free text out: the chain of
LangChain's RAG tutorial (its prompt, rlm/rag-prompt: "If you don't know the answer, just say that you
don't know. Use three sentences maximum"), the baseline of issue 14;
naive_strict: the same chunks, numbered, with the free-text prompt this project used before structured
evidence (bench/naive_answer.txt: cite every sentence, or reply exactly the refusal);
local: the structured-evidence answerer (numbered sentences in, JSON claims out, grammar-constrained).
Each has its own llama_cpp.server child with the same GGUF and the same server flags (as each would run
alone: its instruction prefix stays in that server's cache between questions); each answers one question
outside the sample first, untimed (loading the language pipeline, the retriever and that prefix), then the
sample's questions are interleaved, so a busy machine weighs on both alike. Per answerer: right fact (every
`must` group found in the answer), answerable questions refused, near misses (type unanswerable) refused,
p50/p95 seconds per answer, p50 seconds to the first streamed text. Usage:
    python bench/llm_bench.py --store STORE [--questions bench/fresh_a.jsonl] [--answerable 9 --near 3 --seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from langchain_core.prompts import ChatPromptTemplate  # noqa: E402

from assistant.answerers.evidence import build_evidence  # noqa: E402
from assistant.answerers.local import LocalAnswerer  # noqa: E402
from assistant.answerers.oracle import Gold, OracleAnswerer, gold_ids  # noqa: E402
from assistant.citations import format_sources, validate  # noqa: E402
from assistant.prompts import REFUSAL, load_prompt  # noqa: E402
from assistant.providers import make_endpoint_chat  # noqa: E402
from assistant.service import Assistant  # noqa: E402
from assistant.settings import load_settings  # noqa: E402
from assistant.types import Answer  # noqa: E402

NAIVE_K, NAIVE_CHARS = 4, 1000
# LangChain's RAG tutorial prompt (hub: rlm/rag-prompt), its context the chunks' text joined by blank lines
TUTORIAL = ChatPromptTemplate.from_messages([("human", (
    "You are an assistant for question-answering tasks. Use the following pieces of retrieved context to answer "
    "the question. If you don't know the answer, just say that you don't know. Use three sentences maximum and "
    "keep the answer concise.\nQuestion: {question} \nContext: {context} \nAnswer:"))])
DONT_KNOW = ("don't know", "do not know", REFUSAL.lower().rstrip("."))


def right(item: dict, text: str) -> bool:
    low = text.lower()
    return bool(item.get("must")) and all(any(alt.lower() in low for alt in group) for group in item["must"])


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(q * (len(v) - 1))))], 2)


def naive(assistant: Assistant, server: LocalAnswerer, question: str, strict: bool) -> tuple[str, bool, float | None]:
    started = time.perf_counter()
    passages = assistant.search(question, k=NAIVE_K)
    clipped = [p.model_copy(update={"text": p.text[:NAIVE_CHARS]}) for p in passages]
    s = assistant.settings  # llama_cpp.server reads max_tokens (ChatOpenAI sends max_completion_tokens)
    chat = make_endpoint_chat(s, server.server.base_url(), server.server.alias).bind(extra_body={"max_tokens": s.max_tokens})
    if strict:
        chain, values = load_prompt("naive_answer", ROOT / "bench") | chat, {"sources": format_sources(clipped)}
    else:
        chain, values = TUTORIAL | chat, {"context": "\n\n".join(p.text for p in clipped)}
    first, text = None, ""
    for chunk in chain.stream({"question": question, **values}):
        if chunk.content and first is None:
            first = time.perf_counter() - started
        text += str(chunk.content)
    refused = not text.strip() or any(p in text.lower().replace("’", "'") for p in DONT_KNOW)
    return text, refused, first


def ours(assistant: Assistant, llm: str, question: str) -> tuple[str, bool, float | None]:
    started, first, answer = time.perf_counter(), None, None
    for item in assistant.stream(question, llm=llm):
        if isinstance(item, Answer):
            answer = item
        elif first is None:
            first = time.perf_counter() - started
    assert answer is not None
    return answer.answer, answer.refused, first


def summary(rows: list[dict]) -> dict:
    answerable = [r for r in rows if r["type"] != "unanswerable"]
    near = [r for r in rows if r["type"] == "unanswerable"]
    return {
        "right_fact": sum(r["right"] for r in answerable), "answerable": len(answerable),
        "answerable_refused": sum(r["refused"] for r in answerable),
        "near_misses_refused": sum(r["refused"] for r in near), "near_misses": len(near),
        "p50_s": pct([r["seconds"] for r in rows], 0.5), "p95_s": pct([r["seconds"] for r in rows], 0.95),
        "first_token_p50_s": pct([r["first"] for r in rows if r["first"] is not None], 0.5),
    }


def oracle_rate(assistant: Assistant, items: list[dict]) -> dict:
    s = assistant.settings
    found = some = survived = 0
    for item in items:
        if item["type"] == "unanswerable":
            continue
        gold = Gold(item["answer"], [e["quote"] for e in item["evidence"]])
        passages = assistant.retrieve(item["question"])
        assessment = assistant.assess(item["question"], passages)
        evidence = build_evidence(assessment, passages)
        some += bool(gold_ids(evidence, gold))
        # the right sentences can be cited only when the evidence holds each gold sentence (a two-fact answer
        # citing the one sentence of its two that the evidence holds is rightly removed)
        if not all(gold_ids(evidence, Gold(gold.answer, [quote])) for quote in gold.quotes):
            continue
        found += 1
        draft = next(OracleAnswerer({item["question"]: gold}).stream(item["question"], passages, assessment))
        v = validate(draft.raw, passages, s.min_support)  # type: ignore[union-attr]
        survived += not v.refused and not v.removed
    answerable = sum(i["type"] != "unanswerable" for i in items)
    return {"answerable": answerable, "some_gold_sentence_in_evidence": some, "gold_sentence_in_evidence": found,
            "survived": survived,
            "survival_rate": round(survived / found, 3) if found else None}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--store", required=True)
    ap.add_argument("--questions", default=str(ROOT / "bench" / "fresh_a.jsonl"))
    ap.add_argument("--answerable", type=int, default=9)
    ap.add_argument("--near", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--max-tokens", type=int, default=200)
    ap.add_argument("-o", "--output", default=str(ROOT / "bench" / "llm.json"))
    args = ap.parse_args()
    items = [json.loads(line) for line in Path(args.questions).read_text().splitlines() if line.strip()]
    rng = random.Random(args.seed)
    sample = rng.sample([i for i in items if i["type"] != "unanswerable"], args.answerable) + \
        rng.sample([i for i in items if i["type"] == "unanswerable"], args.near)
    settings = load_settings(dotenv=None, store=args.store, max_tokens=args.max_tokens, timeout=600)
    assistant = Assistant(settings)
    local = assistant.answerer("local")
    assert isinstance(local, LocalAnswerer)
    t0 = time.perf_counter()
    local.server.base_url()
    start_s = round(time.perf_counter() - t0, 1)
    naive_servers = {name: LocalAnswerer(settings) for name in ("naive", "naive_strict")}  # the same GGUF
    for name, server in naive_servers.items():
        server.server.log = settings.cache_dir / f"{name.replace('_', '-')}-model.log"
    runs: dict[str, list[dict]] = {"naive": [], "naive_strict": [], "local": [], "extractive": []}

    def answer(name: str, question: str) -> tuple[str, bool, float | None]:
        if name in naive_servers:
            return naive(assistant, naive_servers[name], question, strict=name == "naive_strict")
        return ours(assistant, name, question)

    warm = next(i for i in items if i not in sample and i["type"] != "unanswerable")
    for name in runs:
        answer(name, warm["question"])
    for item in sample:  # interleaved, so a busy machine weighs on each answerer alike
        for name in runs:
            started = time.perf_counter()
            text, refused, first = answer(name, item["question"])
            seconds = time.perf_counter() - started
            row = {"id": item["id"], "type": item["type"], "right": right(item, text) and not refused,
                   "refused": refused, "seconds": round(seconds, 2), "first": first and round(first, 2),
                   "answer": text[:300]}
            runs[name].append(row)
            print(name, json.dumps(row), flush=True)
    result = {name: summary(rows) for name, rows in runs.items()}
    lo = result["local"]["p50_s"]
    result["ratios"] = {f"local_p50_over_{name}_p50": round(lo / result[name]["p50_s"], 3) for name in naive_servers}
    result["server_start_s"] = start_s
    result["oracle"] = oracle_rate(assistant, items)
    result["sample"] = [i["id"] for i in sample]
    result["warm_up"] = warm["id"]
    result["rows"] = runs
    assistant.close()
    for server in naive_servers.values():
        server.close()
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "rows"}, indent=2))


if __name__ == "__main__":
    main()
