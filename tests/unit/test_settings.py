"""Settings: `.env`, the environment and flags, in that order of strength; typos are errors; the key is
never shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.errors import ConfigError
from assistant.settings import load_settings

SECRET = "sk-proj-DOTENVsecret4242"


@pytest.fixture
def dotenv(tmp_path: Path) -> Path:
    path = tmp_path / ".env"
    path.write_text(f'# the key lives here, nowhere else\nexport OPENAI_API_KEY="{SECRET}"\nASSISTANT_K=4\n'
                    "ASSISTANT_CHAT_MODEL='from-dotenv'\nCHROMA_PORT=9001\nUNRELATED_TOOL_SETTING=1\n", encoding="utf-8")
    return path


def test_dotenv_values_are_used_and_the_key_never_shows_in_the_settings(dotenv):
    s = load_settings(env={}, dotenv=dotenv)
    assert s.openai_api_key is not None and s.openai_api_key.get_secret_value() == SECRET
    assert (s.k, s.chat_model, s.chroma_port) == (4, "from-dotenv", 9001)
    assert all(SECRET not in text for text in (str(s), repr(s), s.model_dump_json(), str(s.model_dump())))


def test_flags_win_over_the_environment_which_wins_over_dotenv(dotenv, tmp_path):
    env = {"ASSISTANT_K": "7", "ASSISTANT_CHAT_MODEL": "", "OPENAI_API_BASE": "http://127.0.0.1:1/v1"}
    s = load_settings(env=env, dotenv=dotenv, k=9, store=tmp_path / "flag", chat_model=None)
    assert s.k == 9 and s.store == tmp_path / "flag"
    assert s.chat_model == "from-dotenv"  # empty in the environment and no flag: .env's value
    assert s.openai_base_url == "http://127.0.0.1:1/v1"
    assert load_settings(env=env, dotenv=dotenv).k == 7
    assert load_settings(env={}, dotenv=None).k == 6  # no .env: the default


@pytest.mark.parametrize("where", ["environment", "dotenv"])
def test_an_unknown_assistant_key_is_an_error_that_names_it(tmp_path, where):
    path = tmp_path / ".env"
    path.write_text("ASSISTANT_TEMPRATURE=0.5\n" if where == "dotenv" else "", encoding="utf-8")
    env = {"ASSISTANT_TEMPRATURE": "0.5"} if where == "environment" else {}
    with pytest.raises(ConfigError, match="unknown setting ASSISTANT_TEMPRATURE"):
        load_settings(env=env, dotenv=path)


def test_a_dotenv_line_that_is_not_key_value_is_an_error(tmp_path):
    path = tmp_path / ".env"
    path.write_text("ASSISTANT_K=4\nASSISTANT_LLM extractive\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="expected KEY=VALUE"):
        load_settings(env={}, dotenv=path)


def test_a_bad_value_names_the_variable_and_not_the_key(dotenv):
    dotenv.write_text(dotenv.read_text() + "ASSISTANT_LLM=gpt\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_settings(env={"CHROMA_PORT": "eighty"}, dotenv=dotenv)
    message = f"{err.value.message} {err.value.hint}"
    assert "ASSISTANT_LLM" in message and "CHROMA_PORT" in message and SECRET not in message


def test_the_cli_reads_dotenv_lets_store_win_and_never_prints_the_key(dotenv, tmp_path, monkeypatch, embeddings):
    import assistant.cli as cli_module
    from assistant.service import Assistant

    monkeypatch.setattr(cli_module, "make_assistant", lambda settings: Assistant(settings, embeddings=embeddings))
    for key in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE", "ASSISTANT_STORE", "ASSISTANT_K"):
        monkeypatch.delenv(key, raising=False)
    dotenv.write_text(dotenv.read_text() + f"ASSISTANT_STORE={tmp_path / 'from-dotenv'}\n", encoding="utf-8")

    def run(*args: str):
        return CliRunner().invoke(cli_module.main, ["--env-file", str(dotenv), *args])

    outputs = [run("--help"), run("ask", "--help"), run("doctor"), run("--store", str(tmp_path / "flag"), "doctor"),
               run("doctor", "--store", str(tmp_path / "after")), run("ask", "Who?", "--llm", "openai")]
    for result in outputs:
        assert SECRET not in result.output and "DOTENVsecret" not in result.output
    assert f"no store at {tmp_path / 'from-dotenv'}" in outputs[2].output  # .env's store is the one used
    assert f"no store at {tmp_path / 'flag'}" in outputs[3].output  # the flag wins over .env
    assert f"no store at {tmp_path / 'after'}" in outputs[4].output
    assert outputs[5].exit_code == 4  # the openai answerer was made with the key; the store is what is missing
    dotenv.write_text(dotenv.read_text() + "ASSISTANT_K=many\n", encoding="utf-8")
    bad = run("doctor")
    assert bad.exit_code == 2 and "ASSISTANT_K" in bad.output and SECRET not in bad.output
