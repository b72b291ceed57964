# One target per habit. `make demo` and `make test` are the README's two quick-start commands.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# A portable llama.cpp build (AVX2/FMA), so a cached wheel runs on any x86-64-v3 machine.
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
export ORT_DISABLE_TELEMETRY := 1
export ANONYMIZED_TELEMETRY := False
export HF_HUB_OFFLINE := 1
DEMO_STORE ?= store/demo
QUESTION ?= Which mineral deposits are said to be illegally exploited?

# the news articles the fresh_a questions were written from (bench/llm_bench.py)
LLM_STORE ?= store/news

.PHONY: install install-test demo test lint bench eval clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install -q -e ".[local]"

install-test: $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"

demo: install
	$(BIN)/assistant --store $(DEMO_STORE) ingest data/demo
	$(BIN)/assistant --store $(DEMO_STORE) ask "$(QUESTION)"

test: install-test
	$(BIN)/python -m pytest -q -p no:cacheprovider; code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$code

lint: install-test
	$(BIN)/ruff check assistant tests bench
	$(BIN)/mypy assistant

bench: install
	$(BIN)/python bench/ingest_bench.py
	$(BIN)/python bench/retrieval_bench.py --source $(EVAL_STORE)
	$(BIN)/python bench/crash_bench.py --rounds 20
	$(BIN)/python bench/injection_bench.py --local 4
	$(BIN)/python bench/load_bench.py
	$(BIN)/python bench/llm_bench.py --store $(LLM_STORE)

# The dev set: the extractive answerer on every question, the local model on a seeded 20-question sample;
# then 210 questions written by readers who never saw the code, from articles the dev set does not use.
EVAL_STORE ?= store/wikinews
EVAL_CORPUS ?= ../shared/corpus/wikinews/articles ../shared/corpus/gum-wikinews/articles
EVAL_SET ?= ../shared/eval/wikinews_dev.jsonl
EVAL_LOCAL_SAMPLE ?= 20

eval: install
	$(BIN)/assistant --store $(EVAL_STORE) ingest $(EVAL_CORPUS)
	$(BIN)/assistant --store $(EVAL_STORE) eval $(EVAL_SET) --llm extractive -o bench/eval_extractive.json
	$(BIN)/assistant --store $(EVAL_STORE) eval $(EVAL_SET) --llm local --sample $(EVAL_LOCAL_SAMPLE) -o bench/eval_local.json
	$(BIN)/assistant --store $(EVAL_STORE) eval bench/heldout_questions.jsonl --llm extractive -o bench/eval_heldout.json
	$(BIN)/assistant --store $(EVAL_STORE) eval bench/fresh_a.jsonl --llm extractive -o bench/eval_fresh_a.json
	$(BIN)/assistant --store $(EVAL_STORE) eval bench/fresh_b.jsonl --llm extractive -o bench/eval_fresh_b.json
	$(BIN)/assistant --store $(EVAL_STORE) eval bench/fresh_c.jsonl --llm extractive -o bench/eval_fresh_c.json
	$(BIN)/assistant --store $(EVAL_STORE) eval bench/fresh_d.jsonl --llm extractive -o bench/eval_fresh_d.json
	$(BIN)/assistant --store $(EVAL_STORE) eval bench/fresh_e.jsonl --llm extractive -o bench/eval_fresh_e.json

clean:
	rm -rf $(VENV) store/demo .pytest_cache

# Summary score on the GUM Wikinews corpus: ROUGE-L against human summaries + citation validity.
.PHONY: eval-summary
eval: eval-summary
eval-summary: install
	$(BIN)/python bench/summary_eval.py
