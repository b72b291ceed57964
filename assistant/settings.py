"""One Settings object, built once at the entry point from the environment and `.env`, then passed down.

Keys are the field names upper-cased with the `ASSISTANT_` prefix (`ASSISTANT_STORE`, `ASSISTANT_LLM`),
plus the conventional `OPENAI_API_KEY`, `OPENAI_BASE_URL` (or `OPENAI_API_BASE`), `CHROMA_HOST` and
`CHROMA_PORT`. An unknown `ASSISTANT_*` key is an error, so a typo never passes silently.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from assistant.errors import ConfigError

PREFIX = "ASSISTANT_"
# Conventional names other tools use, mapped onto fields.
ALIASES = {
    "OPENAI_API_KEY": "openai_api_key",
    "OPENAI_BASE_URL": "openai_base_url",
    "OPENAI_API_BASE": "openai_base_url",
    "CHROMA_HOST": "chroma_host",
    "CHROMA_PORT": "chroma_port",
}

LLMChoice = Literal["auto", "openai", "local", "extractive"]


class Settings(BaseModel):
    """Everything the assistant can be configured with."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store: Path = Field(Path("store"), description="Folder of the embedded Chroma store.")
    collection: str = Field("articles", min_length=3, description="Chroma collection name prefix.")
    cache_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "news-assistant",
        description="Derived files: the assembled local model, lexical indexes of Chroma server collections.",
    )
    chroma_host: str | None = Field(None, description="Chroma server host; set it to use server mode.")
    chroma_port: int = Field(8000, description="Chroma server port.")

    embedding: Literal["minilm", "openai"] = Field(
        "minilm", description="minilm: packaged all-MiniLM-L6-v2, offline. openai: the OpenAI endpoint."
    )
    openai_embedding_model: str = Field("text-embedding-3-small", description="Embedding model name for openai.")

    llm: LLMChoice = Field(
        "auto", description="auto: openai if configured, else extractive (measured best offline; README)."
    )
    chat_model: str = Field("gpt-4o-mini", description="Model name sent to the OpenAI-compatible endpoint.")
    openai_api_key: SecretStr | None = Field(None, description="API key for the OpenAI-compatible endpoint.")
    openai_base_url: str | None = Field(None, description="Base URL of an OpenAI-compatible endpoint.")
    local_model: Path | None = Field(
        None, description="GGUF file for the local model; default: the packaged Qwen2.5-Coder-1.5B-Instruct."
    )
    local_threads: int = Field(
        0, ge=0, description="Threads the local model reads a prompt on (0 = all cores); it writes on half of them."
    )
    local_context: int = Field(4096, ge=512, description="Context window of the local model, in tokens.")
    temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    max_tokens: int = Field(400, ge=16, description="Most tokens an answer may take.")
    timeout: float = Field(60.0, gt=0, description="Seconds to wait for the LLM endpoint per request.")
    max_retries: int = Field(3, ge=0, description="Retries with backoff on 429 and 5xx.")

    k: int = Field(6, ge=1, le=50, description="Passages given to the answer.")
    chunk_chars: int = Field(900, ge=200, description="Target chunk size in characters (sentences kept whole).")
    chunk_overlap_sentences: int = Field(1, ge=0, description="Sentences repeated at the start of the next chunk.")
    dense_weight: float = Field(1.0, ge=0.0, description="Weight of dense retrieval in rank fusion.")
    lexical_weight: float = Field(1.0, ge=0.0, description="Weight of lexical retrieval in rank fusion.")
    min_support: float = Field(0.5, ge=0.0, le=1.0, description="Least support a cited sentence needs to stay.")
    min_relevance: float = Field(
        0.3, ge=0.0, le=1.0, description="Least question-passage relevance below which the answer is a refusal."
    )
    answerable: float = Field(
        0.4, ge=0.0, le=1.0,
        description="Least answerability score (see assistant/answerability.py) for an answer; below it, the refusal.",
    )

    def redacted(self) -> dict[str, object]:
        """The settings as shown to a user: the API key is never printed."""
        data = self.model_dump(mode="json")
        data["openai_api_key"] = "***" if self.openai_api_key else None
        return data

    @property
    def server_mode(self) -> bool:
        return bool(self.chroma_host)


def read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines of a .env file; comments, blanks and `export ` prefixes are allowed."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").strip()
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError(f"{path}:{number}: expected KEY=VALUE", "fix or remove that line")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def load_settings(
    env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env"), **overrides: object
) -> Settings:
    """Build the Settings from `.env`, then the environment (which wins), then explicit overrides."""
    merged = dict(read_dotenv(dotenv)) if dotenv else {}
    merged.update(os.environ if env is None else env)
    fields: dict[str, object] = {}
    for key, value in merged.items():
        if key in ALIASES:
            if value:
                fields.setdefault(ALIASES[key], value)
        elif key.startswith(PREFIX):
            name = key[len(PREFIX):].lower()
            if name not in Settings.model_fields:
                raise ConfigError(f"unknown setting {key}", "see .env.example for the keys the assistant reads")
            fields[name] = value
    fields.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**fields)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid settings: {problems}", "check .env and ASSISTANT_* variables") from None
