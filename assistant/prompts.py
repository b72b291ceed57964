"""Prompts are data: `prompts/<name>.txt` with `### system` and `### user` sections, loaded by name (an
installed wheel holds them as `assistant/prompt_files/`).

The refusal sentence and the citation format are constants here, imported by code and tests alike.
"""

from __future__ import annotations

import re
import string
from functools import cache
from pathlib import Path

from langchain_core.prompts import ChatPromptTemplate

from assistant.errors import ConfigError

REFUSAL = "The articles do not say."
CITATION_RE = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")


def find_prompts_dir() -> Path:
    """The prompts of this copy of the package: `assistant/prompt_files/` in an installed wheel (pyproject.toml
    maps the repo's top-level `prompts/` there), else `prompts/` beside the package in a source checkout or an
    editable install. Found by this file's place, not by import, so a checkout on PYTHONPATH never reads the
    prompts of another copy that an editable install points at."""
    package = Path(__file__).resolve().parent
    installed = package / "prompt_files"
    return installed if installed.is_dir() else package.parent / "prompts"


PROMPTS_DIR = find_prompts_dir()

# The variables each prompt must use, checked when it is loaded.
EXPECTED = {
    # the structured-evidence answer: numbered sentences in, JSON claims out (assistant/answerers/evidence.py)
    "answer_evidence": {"evidence", "question"},
    # the model's yes or no on a refusal in doubt: does the sentence state the answer? (the service's `_judge`)
    "judge_answer": {"question", "sentence"},
    "brief_facts": {"topic", "sources", "refusal"},
    "brief_compose": {"topic", "facts"},
    "summarize": {"title", "sources", "sentences", "refusal"},
}


def cite(n: int) -> str:
    return f"[{n}]"


@cache
def load_prompt(name: str, folder: Path = PROMPTS_DIR) -> ChatPromptTemplate:
    path = folder / f"{name}.txt"
    if not path.is_file():
        raise ConfigError(f"prompt {name!r} not found at {path}", "reinstall the package, or restore prompts/ in a source checkout")
    sections = re.split(r"^### (system|user)\s*$", path.read_text(encoding="utf-8"), flags=re.M)
    parts = {role: body.strip() for role, body in zip(sections[1::2], sections[2::2])}
    if set(parts) != {"system", "user"}:
        raise ConfigError(f"prompt {path} needs a '### system' and a '### user' section")
    used = {f for text in parts.values() for _, f, _, _ in string.Formatter().parse(text) if f}
    expected = EXPECTED.get(name, used)
    if used != expected:
        raise ConfigError(f"prompt {path} uses {sorted(used)}, expected {sorted(expected)}")
    template = ChatPromptTemplate.from_messages([("system", parts["system"]), ("human", parts["user"])])
    return template.partial(refusal=REFUSAL) if "refusal" in used else template
