"""A loopback HTTP server whose RunThread responses follow a script of timed writes, for the
edges of real streams: what comes after the terminal frame, heartbeats that never end, a frame
trickling in byte by byte. It records whether the client hung up while the server was still
writing, which is how a test tells "the client stopped reading" from "the server stopped".
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: One step of a script: bytes to write, then seconds to wait.
Step = tuple[bytes, float]
Script = Callable[[str], Sequence[Step]]


def heartbeats(every: float, for_seconds: float) -> list[Step]:
    """SSE comments, as services send to keep a connection open."""
    return [(b": ping\n", every)] * max(1, int(for_seconds / every))


def trickle(data: bytes, every: float) -> list[Step]:
    """``data`` one byte at a time."""
    return [(data[i : i + 1], every) for i in range(len(data))]


@dataclass
class Served:
    """What happened to one RunThread response."""

    hung_up: bool = False  # the client closed the connection while steps remained
    steps_written: int = 0
    ended: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float = 10.0) -> Served:
        """Until the server stopped writing (it notices a hang-up at its next write)."""
        assert self.ended.wait(timeout), "the server is still writing"
        return self


@dataclass
class StreamServer:
    """``script(thread_id)`` gives the steps of each RunThread body (chunked encoding);
    CreateThread answers with a new thread."""

    script: Script
    served: list[Served] = field(default_factory=list)

    def __post_init__(self) -> None:
        ids = itertools.count(1)
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                n = next(ids)
                if self.headers.get("X-TC-Action") == "RunThread":
                    self._stream(owner.script(body["ThreadID"]), n)
                    return
                data = json.dumps(
                    {"Response": {"ID": f"thread_{n}", "Object": "thread", "RequestId": f"r{n}"}}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, steps: Sequence[Step], n: int) -> None:
                served = Served()
                owner.served.append(served)
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("X-TC-RequestId", f"r{n}")
                self.end_headers()
                try:
                    for data, pause in steps:
                        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                        self.wfile.flush()
                        served.steps_written += 1
                        time.sleep(pause)
                    self.wfile.write(b"0\r\n\r\n")
                    self.wfile.flush()
                except OSError:
                    served.hung_up = True
                    self.close_connection = True
                served.ended.set()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> StreamServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
