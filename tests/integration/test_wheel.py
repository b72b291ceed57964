"""A non-editable install works: the wheel built from this repo, installed with `pip install --target`, run
from a folder that is not the repo, ingests, answers with citations and starts the TUI with its styles. This
is what `pipx install .` gives a user: no `prompts/` or `app.tcss` beside it to fall back on."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DEMO, ROOT

pytestmark = pytest.mark.slow

QUESTION = "Which mineral deposits are said to be illegally exploited?"

# The TUI from the installed package over the store the CLI made: it starts headless, shows the store's
# articles, has its stylesheet (a rule of app.tcss applies), and exits.
TUI_SMOKE = """
import asyncio, sys, time
from pathlib import Path

from assistant.service import Assistant
from assistant.settings import load_settings
from assistant.tui.app import NewsApp


async def smoke(store):
    app = NewsApp(Assistant(load_settings(dotenv=None, store=Path(store), llm="extractive")))
    async with app.run_test(size=(120, 40)) as pilot:
        deadline = time.monotonic() + 60
        while "2 articles" not in str(app.main.query_one("#status").render()):
            assert time.monotonic() < deadline, "the status line never showed the store's articles"
            await pilot.pause(0.1)
        css = [str(p) for p in app.css_path]
        loaded = [path for path, _ in app.stylesheet.source if path in css]
        height = str(app.main.query_one("#filters-line").styles.height)
    print(f"css={loaded[0] if loaded else ''}")
    print(f"filters_line_height={height}")
    print("exited")


asyncio.run(smoke(sys.argv[1]))
"""


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args[:4]} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], Path]:
    """(site folder holding the installed wheel, environment to run it with, an empty folder to run it in)."""
    tmp = tmp_path_factory.mktemp("wheel")
    # Build from a copy, so setuptools' build/ and egg-info never land in the repo and no stale build/lib
    # file from an earlier build can slip into the wheel.
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("assistant", "prompts"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    pip_env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    pip = [sys.executable, "-m", "pip"]
    run([*pip, "wheel", "--no-deps", "--no-build-isolation", str(src), "-w", str(tmp / "dist")], tmp, pip_env)
    (wheel,) = (tmp / "dist").glob("news_assistant-*.whl")
    site = tmp / "site"
    run([*pip, "install", "--no-deps", "--target", str(site), str(wheel)], tmp, pip_env)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "CHROMA_", "PYTHON"))}
    env.update(PYTHONPATH=str(site), XDG_CACHE_HOME=str(tmp / "cache"), HF_HUB_OFFLINE="1",
               ANONYMIZED_TELEMETRY="False", ORT_DISABLE_TELEMETRY="1")
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return site, env, elsewhere


def test_wheel_holds_every_module_prompt_and_stylesheet(installed):
    site, _, _ = installed
    for source in ROOT.joinpath("assistant").rglob("*.py"):
        assert (site / source.relative_to(ROOT)).is_file(), f"{source.relative_to(ROOT)} is missing from the wheel"
    prompts = {p.name for p in ROOT.joinpath("prompts").glob("*.txt")}
    assert prompts and {p.name for p in (site / "assistant" / "prompt_files").glob("*.txt")} == prompts
    assert (site / "assistant" / "tui" / "app.tcss").read_text() == (ROOT / "assistant" / "tui" / "app.tcss").read_text()


def test_installed_package_is_the_one_imported_and_reads_its_own_prompts(installed):
    site, env, elsewhere = installed
    out = run([sys.executable, "-c", "import assistant, assistant.prompts as p; p.load_prompt('answer_evidence');"
               "print(assistant.__file__); print(p.PROMPTS_DIR)"], elsewhere, env).stdout.splitlines()
    assert Path(out[0]).resolve().is_relative_to(site.resolve())
    assert Path(out[1]) == (site / "assistant" / "prompt_files").resolve()


def test_installed_command_ingests_and_answers_with_citations(installed):
    site, env, elsewhere = installed
    command = [str(site / "bin" / "assistant")]  # the console script pip wrote, as pipx would put on PATH
    store = elsewhere / "store"
    ingested = json.loads(run([*command, "--store", str(store), "ingest", str(DEMO), "--json"], elsewhere, env).stdout)
    assert len(ingested["added"]) == 2

    asked = run([*command, "ask", QUESTION, "--llm", "extractive", "--json", "--store", str(store)], elsewhere, env)
    answer = json.loads(asked.stdout)
    assert not answer["refused"] and "[1]" in answer["answer"] and answer["citations"]
    for c in answer["citations"]:
        assert c["quote"] and c["quote"] in Path(c["source_path"]).read_text(encoding="utf-8")


def test_installed_tui_starts_with_its_stylesheet_and_exits(installed):
    site, env, elsewhere = installed
    store = elsewhere / "tui-store"
    run([str(site / "bin" / "assistant"), "--store", str(store), "ingest", str(DEMO)], elsewhere, env)
    out = run([sys.executable, "-c", TUI_SMOKE, str(store)], elsewhere, env).stdout
    shown = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    assert Path(shown["css"]) == site / "assistant" / "tui" / "app.tcss"
    assert shown["filters_line_height"] == "1"  # `#filters-line { height: 1; }` in app.tcss
    assert out.rstrip().endswith("exited")
