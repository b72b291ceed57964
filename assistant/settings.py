"""One Settings object, built once at the entry point from the environment and `.env`, then passed down.

A pydantic-settings class. Keys are the field names upper-cased with the `ASSISTANT_` prefix
(`ASSISTANT_STORE`, `ASSISTANT_LLM`), plus the conventional `OPENAI_API_KEY`, `OPENAI_BASE_URL` (or
`OPENAI_API_BASE`), `CHROMA_HOST` and `CHROMA_PORT`. What wins: explicit values (command-line flags), then
the environment, then `.env`, then the defaults. An empty value counts as unset. An unknown `ASSISTANT_*`
key is an error, so a typo never passes silently. The API key is a `SecretStr`: printed, it is `**********`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from dotenv.parser import parse_stream
from pydantic import AliasChoices, Field, SecretStr, ValidationError
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    EnvSettingsSource,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from assistant.errors import ConfigError

PREFIX = "ASSISTANT_"
LLMChoice = Literal["auto", "openai", "local", "extractive"]


def _also(name: str, *conventional: str) -> AliasChoices:
    """A field read from ASSISTANT_<NAME> or, failing that, from the names other tools use."""
    return AliasChoices(PREFIX + name.upper(), *conventional)


class Settings(BaseSettings):
    """Everything the assistant can be configured with."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_file=".env", env_file_encoding="utf-8", env_ignore_empty=True,
        dotenv_filtering="only_existing", extra="forbid", frozen=True, populate_by_name=True,
    )

    store: Path = Field(Path("store"), description="Folder of the embedded Chroma store.")
    collection: str = Field("articles", min_length=3, description="Chroma collection name prefix.")
    cache_dir: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "news-assistant",
        description="Derived files: the assembled local model, lexical indexes of Chroma server collections.",
    )
    chroma_host: str | None = Field(None, validation_alias=_also("chroma_host", "CHROMA_HOST"),
                                    description="Chroma server host; set it to use server mode.")
    chroma_port: int = Field(8000, validation_alias=_also("chroma_port", "CHROMA_PORT"),
                             description="Chroma server port.")

    embedding: Literal["minilm", "openai"] = Field(
        "minilm", description="minilm: packaged all-MiniLM-L6-v2, offline. openai: the OpenAI endpoint."
    )
    openai_embedding_model: str = Field("text-embedding-3-small", description="Embedding model name for openai.")

    llm: LLMChoice = Field(
        "auto", description="auto: openai if configured, else extractive (measured best offline; README)."
    )
    chat_model: str = Field("gpt-4o-mini", description="Model name sent to the OpenAI-compatible endpoint.")
    openai_api_key: SecretStr | None = Field(None, validation_alias=_also("openai_api_key", "OPENAI_API_KEY"),
                                             description="API key for the OpenAI-compatible endpoint.")
    openai_base_url: str | None = Field(
        None, validation_alias=_also("openai_base_url", "OPENAI_BASE_URL", "OPENAI_API_BASE"),
        description="Base URL of an OpenAI-compatible endpoint.",
    )
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
    per_article: int = Field(
        4, ge=1, le=50, description="Most of the answer's passages from one article (a briefing's searches take 2)."
    )
    chunk_chars: int = Field(900, ge=200, description="Target chunk size in characters (sentences kept whole).")
    chunk_overlap_sentences: int = Field(1, ge=0, description="Sentences repeated at the start of the next chunk.")
    dense_weight: float = Field(1.0, ge=0.0, description="Weight of dense retrieval in rank fusion.")
    lexical_weight: float = Field(1.0, ge=0.0, description="Weight of lexical retrieval in rank fusion.")
    min_support: float = Field(0.5, ge=0.0, le=1.0, description="Least support a cited sentence needs to stay.")
    min_relevance: float = Field(
        0.3, ge=0.0, le=1.0, description="Least question-passage relevance below which the answer is a refusal."
    )
    answerable: float = Field(
        0.6, ge=0.0, le=1.0,
        description="Least answerability score (see assistant/answerability.py) for an answer; below it, the refusal.",
    )
    judged_from: float = Field(
        0.4, ge=0.0, le=1.0,
        description="With a model, a question whose answerability is from here up to `answerable` is answered if the "
                    "model finds that the sentence ranked first states the answer.",
    )

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource, dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, dotenv_settings  # no secrets directory

    @property
    def server_mode(self) -> bool:
        return bool(self.chroma_host)


class _Environment(EnvSettingsSource):
    """The environment source over a given mapping (tests pass a clean one) instead of `os.environ`."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self.environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {k.lower(): v for k, v in self.environ.items() if v}


def _check_keys(variables: Mapping[str, str | None], where: str) -> None:
    """An ASSISTANT_* key that names no setting is an error, so a typo never passes silently."""
    for key in variables:
        name = key.lower().removeprefix(PREFIX.lower())
        if key.lower().startswith(PREFIX.lower()) and name not in Settings.model_fields:
            raise ConfigError(f"unknown setting {key.upper()} in {where}",
                              "see .env.example for the keys the assistant reads")


def _check_dotenv(path: Path) -> None:
    """A `.env` line python-dotenv cannot read, or a key without `=`, is an error naming the line (the
    parser alone would skip it with a warning)."""
    if not path.is_file():
        return
    with open(path, encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error or (binding.key is not None and binding.value is None):
                raise ConfigError(f"{path}:{binding.original.line}: expected KEY=VALUE", "fix or remove that line")


def _variables(loc: str) -> str:
    """The variable(s) a user sets for the field a validation error names (by field name or alias)."""
    for name, info in Settings.model_fields.items():
        choices = info.validation_alias.choices if isinstance(info.validation_alias, AliasChoices) else []
        if loc == name or loc in choices:
            return " or ".join(map(str, choices)) or PREFIX + name.upper()
    return PREFIX + loc.upper()


def load_settings(
    env: Mapping[str, str] | None = None, dotenv: Path | None = Path(".env"), **overrides: object
) -> Settings:
    """Build the Settings: explicit overrides (None means not given), then `env` (default: the process
    environment), then the `dotenv` file if it exists, then the defaults."""
    environment = _Environment(Settings, os.environ if env is None else env)
    _check_keys(environment.env_vars, "the environment")
    if dotenv is not None:
        _check_dotenv(dotenv)
    dotenv_source = DotEnvSettingsSource(Settings, env_file=dotenv)
    _check_keys(dotenv_source.env_vars, str(dotenv))
    given: dict[str, Any] = {k: v for k, v in overrides.items() if v is not None}
    sources = (InitSettingsSource(Settings, init_kwargs=given), environment, dotenv_source)
    try:
        return Settings(_build_sources=(sources, given))  # type: ignore[call-arg]  # mypy sees only the fields
    except ValidationError as exc:
        problems = "; ".join(f"{_variables(str(e['loc'][0])) if e['loc'] else 'settings'}: {e['msg']}"
                             for e in exc.errors())
        raise ConfigError(f"invalid settings: {problems}", "check .env and the ASSISTANT_* variables") from None
