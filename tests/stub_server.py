"""A stand-in OpenAI-compatible endpoint on 127.0.0.1 for fault and payload tests.

It answers ``/v1/chat/completions`` from a schedule of behaviours and records every request
body. Used next to the real llama.cpp server, never instead of it.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def completion_body(text: str | dict, prompt_tokens: int = 11, completion_tokens: int = 7) -> bytes:
    """A chat completion answering ``text``, or the assistant message ``text`` (a dict, e.g.
    with ``tool_calls``)."""
    message = {"role": "assistant", **text} if isinstance(text, dict) else {"role": "assistant", "content": text}
    return json.dumps({
        "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": "stub",
        "choices": [{"index": 0, "finish_reason": "tool_calls" if message.get("tool_calls") else "stop",
                     "message": message}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    }).encode()


def error_body(status: int, code: str) -> bytes:
    """An OpenAI-style error object."""
    return json.dumps({"error": {"message": f"stub {status}", "type": code, "code": code}}).encode()


class _NoDelayHTTPServer(ThreadingHTTPServer):
    """Answers leave at once: without TCP_NODELAY, Nagle's algorithm holds a reply's last segment
    until the client's delayed ACK, which adds ~45 ms to every call on loopback."""

    def get_request(self):
        connection, address = super().get_request()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection, address


class LoopbackServer:
    """A threaded HTTP server on a free 127.0.0.1 port, serving while used as a context manager."""

    def serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.httpd = _NoDelayHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return self.url_for("/v1")

    def url_for(self, path: str) -> str:
        """The address of ``path`` on this server."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class StubServer(LoopbackServer):
    """``schedule`` items: "429", "429-quota", "500", "401", "garbage", "truncated", "slow:<s>",
    or "ok"; after the schedule every request is "ok". ``reply`` gives the text of "ok" answers
    (or a whole assistant message as a dict, to answer with ``tool_calls``)."""

    def __init__(self, schedule: list[str] | None = None, reply: Callable[[dict], str | dict] | None = None):
        self.schedule = list(schedule or [])
        self.reply = reply or (lambda body: "Hello.")
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.peak = 0  # the most requests it was answering at once
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                self._send(200, json.dumps({"object": "list", "data": [{"id": "stub"}]}).encode())

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
                with server.lock:
                    server.requests.append(body)
                    behaviour = server.schedule.pop(0) if server.schedule else "ok"
                    server.in_flight += 1
                    server.peak = max(server.peak, server.in_flight)
                try:
                    server.respond(self, behaviour, body)
                finally:
                    with server.lock:
                        server.in_flight -= 1

            def _send(self, status: int, payload: bytes, content_type: str = "application/json"):
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.serve(Handler)

    def respond(self, handler, behaviour: str, body: dict) -> None:
        error = lambda status, code: handler._send(status, error_body(status, code))  # noqa: E731
        if behaviour == "429":
            error(429, "rate_limit_exceeded")
        elif behaviour == "429-quota":
            error(429, "insufficient_quota")
        elif behaviour == "500":
            error(500, "server_error")
        elif behaviour == "401":
            error(401, "invalid_api_key")
        elif behaviour == "garbage":
            handler._send(200, b"<html>not json at all", "application/json")
        elif behaviour == "truncated":
            handler._send(200, completion_body("cut")[:25])
        elif behaviour.startswith("slow:"):
            time.sleep(float(behaviour.split(":", 1)[1]))
            handler._send(200, completion_body(self.reply(body)))
        else:
            handler._send(200, completion_body(self.reply(body)))
