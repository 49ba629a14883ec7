"""What the loopback test servers (the pool server, scripted streams, proxies) share: a
``socketserver`` serving from a daemon thread for the length of a ``with`` block, and a
request handler that answers like the service's actions."""

from __future__ import annotations

import itertools
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from typing_extensions import Self

__all__ = ["ActionHandler", "InBackground", "http_server"]


class InBackground:
    """Base of a test server: call ``_serve(server)`` in ``__init__``; ``with`` runs it."""

    server: socketserver.BaseServer
    port: int

    def _serve(self, server: socketserver.BaseServer) -> None:
        self.server = server
        address: Any = server.server_address
        self.port = int(address[1])
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class ActionHandler(BaseHTTPRequestHandler):
    """A loopback stand-in for the service: RunThread is ``run_thread`` (a subclass streams its
    body with ``start_stream``/``chunk``/``end_stream``); any other action answers with a new
    thread, as CreateThread does."""

    protocol_version = "HTTP/1.1"
    _ids = itertools.count(1)

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        n = next(self._ids)
        try:
            if self.headers.get("X-TC-Action") == "RunThread":
                self.run_thread(body["ThreadID"], n)
            else:
                self._new_thread(n)
        except OSError:
            self.close_connection = True

    def run_thread(self, thread_id: str, n: int) -> None:
        raise NotImplementedError

    def _new_thread(self, n: int) -> None:
        data = json.dumps(
            {
                "Response": {
                    "ID": f"thread_{n}",
                    "Object": "thread",
                    "CreatedAt": 0,
                    "RequestId": f"r{n}",
                }
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def start_stream(self, n: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("X-TC-RequestId", f"r{n}")
        self.end_headers()

    def chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


def http_server(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    return server
