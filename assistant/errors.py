"""The project's small error hierarchy.

Every error carries a hint a user can act on. Errors become messages and exit codes only at the
edges (the CLI and the TUI); inside the package they are raised and passed up unchanged.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base of every error the assistant raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(AssistantError):
    """Settings that cannot work: unknown keys, bad values, a model that is not installed."""

    exit_code = 2


class InputError(AssistantError):
    """A file or question the assistant cannot read."""

    exit_code = 3


class StoreError(AssistantError):
    """The Chroma store is missing, unreachable, locked or built with another embedding model."""

    exit_code = 4


class ProviderError(AssistantError):
    """The LLM or embedding provider failed; `retryable` says whether trying again may help."""

    exit_code = 5

    def __init__(self, message: str, hint: str = "", retryable: bool = False) -> None:
        super().__init__(message, hint)
        self.retryable = retryable
