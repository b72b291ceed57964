"""A fake OpenAI-compatible server on loopback, for tests of the wire path: `/v1/chat/completions`
(plain JSON and streamed SSE, with usage) and `/v1/models`, with scripted faults.

It is a real HTTP server (stdlib `http.server` in a thread), so the real `openai` client, its retries and
its timeouts are what the tests exercise. Faults are scripted per request:

    with FakeOpenAI(reply=echo_first_source, delay=0.2) as fake:
        fake.fail_next(429)                                  # the next request gets a 429
        fake.rule(lambda q: "moon" in q, 429)                # every request whose question matches: 429
        fake.rule(lambda q: "slow" in q, "hang")             # ... never answers (until stopped)
        settings = make_settings(openai_base_url=fake.base_url, openai_api_key="x", llm="openai")

A fault is an HTTP status (int), "hang", "drop" (a streamed answer cut off mid-way: the connection closes
inside a chunked body) or "garbage" (a 200 whose body is not valid JSON / SSE). `retry_after` is the header
sent with every error status; `first_token_delay` holds a stream's first token back (headers already sent);
`strict_model=True` answers 404 model_not_found to a request for any model but `model`; `echo_auth=True`
puts the request's Authorization header in every error message, as careless servers do.
`fake.requests` keeps every request body received, in order.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Fault = int | str  # an HTTP status code, "hang", "drop" or "garbage"
Reply = Callable[[dict[str, Any]], str]

_SOURCE = re.compile(r"\[1\][^\n]*\n<<<\n(.*?)\n>>>", re.S)
_EVIDENCE = re.compile(r"^\[1\] (.+)$", re.M)
_SENTENCE = re.compile(r"(.+?[.!?])(?:\s|$)", re.S)


def last_user_text(body: dict[str, Any]) -> str:
    """The text of the last user message of a chat completion request."""
    for message in reversed(body.get("messages", [])):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, list):  # the content-parts form
                return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return str(content or "")
    return ""


def echo_first_source(body: dict[str, Any]) -> str:
    """A well-behaved model: answers with the first sentence of source [1], cited. The assistant's
    validation accepts it, so an answer from this fake is a real cited answer. Asked for JSON (the
    structured-evidence answer), it claims evidence sentence [1] in that form."""
    if body.get("response_format"):
        first = _EVIDENCE.search(last_user_text(body))
        claims = [{"text": first.group(1).strip(), "sentences": [1]}] if first else []
        return json.dumps({"claims": claims, "cannot_answer": "" if first else "no evidence"})
    match = _SOURCE.search(last_user_text(body))
    if not match:
        return "The articles do not say."
    sentence = _SENTENCE.match(match.group(1).strip())
    text = (sentence.group(1) if sentence else match.group(1)).strip()
    return f"{text} [1]"


class FakeOpenAI:
    """A configurable OpenAI-compatible chat completions server; use as a context manager."""

    def __init__(self, reply: Reply = echo_first_source, delay: float = 0.0, model: str = "fake-model",
                 hang_seconds: float = 60.0, retry_after: str = "0", first_token_delay: float = 0.0,
                 strict_model: bool = False, echo_auth: bool = False) -> None:
        self.reply = reply
        self.delay = delay  # seconds before each successful reply, to make a run slow enough to kill
        self.model = model
        self.hang_seconds = hang_seconds
        self.retry_after = retry_after
        self.first_token_delay = first_token_delay
        self.strict_model = strict_model
        self.echo_auth = echo_auth
        self.requests: list[dict[str, Any]] = []
        self.statuses: list[int | str] = []  # what each request got, in order
        self._next: deque[Fault] = deque()
        self._rules: list[tuple[Callable[[str], bool], Fault, int | None]] = []
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._server: ThreadingHTTPServer | None = None

    # ---- scripting ----------------------------------------------------------------------------------

    def fail_next(self, *faults: Fault) -> None:
        """The next requests (whatever they ask) get these faults, in order."""
        with self._lock:
            self._next.extend(faults)

    def rule(self, matches: Callable[[str], bool], fault: Fault, times: int | None = None) -> None:
        """Requests whose last user message satisfies `matches` get `fault` (`times` times, or always)."""
        with self._lock:
            self._rules.append((matches, fault, times))

    def _fault_for(self, body: dict[str, Any]) -> Fault | None:
        with self._lock:
            self.requests.append(body)
            if self._next:
                return self._next.popleft()
            text = last_user_text(body)
            for i, (matches, fault, times) in enumerate(self._rules):
                if matches(text) and times != 0:
                    if times is not None:
                        self._rules[i] = (matches, fault, times - 1)
                    return fault
            return None

    # ---- lifecycle ----------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start the server first"
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(200, {"object": "list", "data": [{"id": fake.model, "object": "model"}]})
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})
                    return
                fault = fake._fault_for(body)
                if fault is None and fake.strict_model and body.get("model") != fake.model:
                    fake.statuses.append(404)
                    self._json(404, {"error": {"message": f"The model `{body.get('model')}` does not exist",
                                               "type": "invalid_request_error", "code": "model_not_found"}})
                    return
                if fault == "garbage":
                    fake.statuses.append("garbage")
                    data = b'{"id": "chatcmpl-fake", "choices": [{"index": 0, "delta": {"content": "Tru'
                    kind = "text/event-stream" if body.get("stream") else "application/json"
                    payload = b"data: " + data + b"\n\n" if body.get("stream") else data
                    self.send_response(200)
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                if fault == "hang":
                    fake.statuses.append("hang")
                    fake._stopped.wait(fake.hang_seconds)
                    return
                if isinstance(fault, int):
                    fake.statuses.append(fault)
                    # retry-after 0 lets the client use its own short backoff, so tests stay quick
                    message = f"scripted {fault}" + (f" for {self.headers.get('Authorization')}" if fake.echo_auth else "")
                    self._json(fault, {"error": {"message": message, "type": "fake", "code": fault}},
                               {"retry-after": fake.retry_after})
                    return
                if fake.delay:
                    time.sleep(fake.delay)
                fake.statuses.append("drop" if fault == "drop" else 200)
                text = fake.reply(body)
                if fault == "drop":
                    self._dropped(text)
                elif body.get("stream"):
                    self._stream(body, text)
                else:
                    self._json(200, fake._completion(body, text))

            def _json(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def _dropped(self, text: str) -> None:
                """The first words of the answer as a chunked SSE stream, then the connection is cut."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.close_connection = True
                for word in text.split(" ")[:3]:
                    event = f"data: {json.dumps(fake._chunk({'content': word + ' '}, None))}\n\n".encode()
                    self.wfile.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
                    self.wfile.flush()
                self.wfile.write(b"400\r\ndata: {")  # a chunk announced and never finished
                self.wfile.flush()
                self.connection.shutdown(2)

            def _stream(self, body: dict[str, Any], text: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                if fake.first_token_delay:
                    fake._stopped.wait(fake.first_token_delay)
                words = text.split(" ")
                parts = [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]
                events = [fake._chunk({"role": "assistant", "content": ""}, None)]
                events += [fake._chunk({"content": p}, None) for p in parts]
                events.append(fake._chunk({}, "stop"))
                if (body.get("stream_options") or {}).get("include_usage"):
                    usage = fake._chunk(None, None)
                    usage["choices"] = []
                    usage["usage"] = fake._usage(body, text)
                    events.append(usage)
                for event in events:
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up (timeout, killed run) is part of what tests script

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()  # releases hanging handlers
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- payloads -----------------------------------------------------------------------------------

    def _usage(self, body: dict[str, Any], text: str) -> dict[str, int]:
        prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []))
        completion = len(text.split())
        return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}

    def _completion(self, body: dict[str, Any], text: str) -> dict[str, Any]:
        return {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": self.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": self._usage(body, text),
        }

    def _chunk(self, delta: dict[str, Any] | None, finish: str | None) -> dict[str, Any]:
        chunk: dict[str, Any] = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
                                 "model": self.model}
        if delta is not None:
            chunk["choices"] = [{"index": 0, "delta": delta, "finish_reason": finish}]
        return chunk


if __name__ == "__main__":  # a manual server: python -m tests.openai_fake [delay]
    import sys

    server = FakeOpenAI(delay=float(sys.argv[1]) if len(sys.argv) > 1 else 0.0).start()
    print(server.base_url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()
