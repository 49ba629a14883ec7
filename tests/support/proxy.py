"""A forward proxy and a TLS front for loopback tests of proxies from the environment.

``ForwardProxy`` is what ``HTTPS_PROXY``/``HTTP_PROXY`` point at: ``CONNECT host:port`` opens a
tunnel (for https targets); an absolute-form request (``POST http://host:port/ ...``, for http
targets) is forwarded to its origin. It records every request line it served, so a test can
tell that traffic went through it. ``TLSFront`` terminates TLS with a certificate from a test
CA (``trustme``) and relays the plain bytes to a server behind it (the emulator), so the client
really verifies a certificate against the ``ca_bundle`` it was given.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import ssl
from typing import Any

from tests.support.servers import InBackground

__all__ = ["ForwardProxy", "TLSFront"]


def _pipe(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until either side closes, in one thread (an SSL socket must not be
    read and written from two threads at once)."""
    selector = selectors.DefaultSelector()
    selector.register(a, selectors.EVENT_READ, b)
    selector.register(b, selectors.EVENT_READ, a)
    try:
        while True:
            for key, _ in selector.select(timeout=60):
                src, dst = key.fileobj, key.data
                assert isinstance(src, socket.socket)
                try:
                    data = src.recv(65536)
                    while isinstance(src, ssl.SSLSocket) and src.pending():
                        data += src.recv(65536)
                except ssl.SSLWantReadError:
                    continue
                except OSError:
                    return
                if not data:
                    return
                dst.sendall(data)
    except OSError:
        return
    finally:
        selector.close()
        for sock in (a, b):
            with contextlib.suppress(OSError):
                sock.close()


def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    """The request head (up to the blank line) and whatever body bytes came with it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ForwardProxy(InBackground):
    def __init__(self) -> None:
        self.seen: list[str] = []
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                client: socket.socket = self.request
                head, rest = _read_head(client)
                if not head:
                    return
                request_line, *headers = head.decode("latin-1").split("\r\n")
                owner.seen.append(request_line)
                method, target, version = request_line.split(" ")
                if method == "CONNECT":
                    host, _, port = target.rpartition(":")
                    upstream = socket.create_connection((host.strip("[]"), int(port)))
                    client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    if rest:
                        upstream.sendall(rest)
                    _pipe(client, upstream)
                    return
                # Absolute form: forward one request to its origin, in origin form.
                assert target.startswith("http://"), target
                authority, _, path = target[len("http://") :].partition("/")
                host, _, port = authority.rpartition(":")
                upstream = socket.create_connection((host.strip("[]"), int(port or 80)))
                kept = [h for h in headers if not h.lower().startswith(("connection:", "proxy-"))]
                upstream.sendall(
                    "\r\n".join([f"{method} /{path} {version}", *kept, "Connection: close"]).encode(
                        "latin-1"
                    )
                    + b"\r\n\r\n"
                    + rest
                )
                _pipe(client, upstream)

        self._serve(_Server(("127.0.0.1", 0), Handler))
        self.url = f"http://127.0.0.1:{self.port}"


class TLSFront(InBackground):
    """``https://localhost:<port>/`` in front of ``target`` (host, port), with a certificate for
    ``localhost`` and ``127.0.0.1`` issued by ``ca`` (a ``trustme.CA``)."""

    def __init__(self, target: tuple[str, int], ca: Any) -> None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                try:
                    tls = context.wrap_socket(self.request, server_side=True)
                except (OSError, ssl.SSLError):
                    return  # a client that refused our certificate
                upstream = socket.create_connection(target)
                _pipe(tls, upstream)

        self._serve(_Server(("127.0.0.1", 0), Handler))
        self.url = f"https://localhost:{self.port}/"
