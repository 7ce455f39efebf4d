"""A fault-injecting OpenAI-compatible proxy on 127.0.0.1: forwards to a real server, but a
seeded fraction of requests get 429, 500, a stall past the client's timeout, a truncated body
or garbage instead."""

from __future__ import annotations

import random
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler

from stub_server import LoopbackServer, error_body

FAULTS = ("429", "500", "stall", "truncated", "garbage")


class FaultProxy(LoopbackServer):
    def __init__(self, upstream: str, fault_rate: float, seed: int = 0, stall_s: float = 3.0):
        self.upstream = upstream.rstrip("/")
        self.rng = random.Random(seed)
        self.fault_rate, self.stall_s = fault_rate, stall_s
        self.lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.forwarded = 0
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.forward(self, None)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with proxy.lock:
                    fault = proxy.rng.choice(FAULTS) if proxy.rng.random() < proxy.fault_rate else None
                    if fault:
                        proxy.injected[fault] += 1
                if fault:
                    proxy.inject(self, fault)
                else:
                    proxy.forward(self, body)

            def send(self, status: int, payload: bytes):
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.serve(Handler)

    def inject(self, handler, fault: str) -> None:
        error = lambda status, code: handler.send(status, error_body(status, code))  # noqa: E731
        try:
            if fault == "429":
                error(429, "rate_limit_exceeded")
            elif fault == "500":
                error(500, "server_error")
            elif fault == "stall":
                time.sleep(self.stall_s)  # longer than the client's timeout: it gives up and retries
                error(504, "gateway_timeout")
            elif fault == "truncated":
                handler.send(200, b'{"id": "x", "choices": [{"mess')
            else:
                handler.send(200, b"<html>upstream exploded</html>")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client already gave up

    def forward(self, handler, body: bytes | None) -> None:
        # The upstream URL ends in /v1 like ours: forward the path below it.
        request = urllib.request.Request(self.upstream + handler.path.removeprefix("/v1"), data=body, method="POST" if body is not None else "GET",
                                         headers={"content-type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=600) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, payload = exc.code, exc.read()
        with self.lock:
            self.forwarded += 1
        try:
            handler.send(status, payload)
        except (BrokenPipeError, ConnectionResetError):
            pass
