"""The Textual terminal UI: ask, read the sources, follow the evidence. `run(service)` starts it."""

from __future__ import annotations

from typing import Any


def run(service: Any) -> None:
    """Run the app over an Assistant (or anything with its interface) until the user quits."""
    from assistant.tui.app import NewsApp

    NewsApp(service).run()
