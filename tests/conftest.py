"""Shared fixtures. The suite never reaches the network: every socket is limited to loopback."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.embeddings import Embeddings

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"
WIKINEWS = ROOT / "tests" / "data" / "wikinews"

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"


def _loopback(address: object) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    elif isinstance(address, (str, bytes)):
        return True  # a Unix socket path
    else:
        return False
    if host in ("localhost", "", None):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connections go to loopback only; anything else fails at once, loudly."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise ConnectionRefusedError(f"tests may not reach the network: {address}")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise ConnectionRefusedError(f"tests may not reach the network: {address}")
        return real_connect_ex(self, address)

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in (None, "localhost") and not _loopback((name,)):
            raise socket.gaierror(f"tests may not resolve {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


@pytest.fixture(scope="session")
def embeddings():
    """The real packaged MiniLM, loaded once for the session."""
    from assistant.embeddings import MiniLMEmbeddings

    return MiniLMEmbeddings()


class CountingEmbeddings(Embeddings):
    """Wraps an Embeddings and counts the texts it embeds, to prove what re-ingest costs."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.name = inner.name
        self.documents = 0

    def embed_documents(self, texts):
        self.documents += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def counting(embeddings) -> CountingEmbeddings:
    return CountingEmbeddings(embeddings)


@pytest.fixture
def make_settings(tmp_path: Path):
    from assistant.settings import load_settings

    def make(**overrides):
        overrides.setdefault("store", tmp_path / "store")
        overrides.setdefault("cache_dir", tmp_path / "cache")
        return load_settings(env={}, dotenv=None, **overrides)

    return make


@pytest.fixture
def demo_copy(tmp_path: Path) -> Path:
    target = tmp_path / "articles"
    shutil.copytree(DEMO, target)
    return target


@pytest.fixture(scope="session")
def seed_store(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Path:
    """A store with the two seed articles, ingested once for the session; tests must not write to it."""
    from assistant.service import Assistant
    from assistant.settings import load_settings

    store = tmp_path_factory.mktemp("seed") / "store"
    Assistant(load_settings(env={}, dotenv=None, store=store), embeddings=embeddings).ingest([str(DEMO)])
    return store


@pytest.fixture(scope="session")
def wikinews_store(tmp_path_factory: pytest.TempPathFactory, embeddings) -> Path:
    """A store with the ten Wikinews articles of tests/data, ingested once; tests must not write to it."""
    from assistant.service import Assistant
    from assistant.settings import load_settings

    store = tmp_path_factory.mktemp("wikinews") / "store"
    Assistant(load_settings(env={}, dotenv=None, store=store), embeddings=embeddings).ingest([str(WIKINEWS)])
    return store


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory):
    """A real `chroma run` on a free loopback port for the session; yields the port. Tests use their own
    collection names, so they do not see each other's articles."""
    exe = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "run", "--path", str(tmp_path_factory.mktemp("chroma-server")), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_port(port, proc, timeout=60)
        yield port
    finally:
        proc.kill()
        proc.wait()


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None, input: str | None = None):
    """Run `python -m assistant ...` as a user would, with a clean environment."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("ASSISTANT_", "OPENAI_", "CHROMA_"))}
    if cwd is not None:
        full_env["XDG_CACHE_HOME"] = str(Path(cwd) / ".cache")  # derived files stay in the test's folder
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args], cwd=cwd, env=full_env, input=input,
        capture_output=True, text=True, timeout=600,
    )
