"""``http1.HTTP1Transport`` against raw loopback servers: framing, errors, timeouts, keep-alive,
flow control, cancellation, TLS."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest

from hunyuan_api import AsyncHunyuanClient, Message
from hunyuan_api._transport import http1
from hunyuan_api._transport.http1 import HTTP1Transport, parse_head
from hunyuan_api._transport.sockets import client_pools, release_pool_sockets
from tests.support.pools import cancel_after_each_turn, stuck_connections

pytestmark = pytest.mark.timeout(30)

Respond = Callable[[bytes, asyncio.StreamWriter], Awaitable[bool]]


class RawServer:
    """Reads each request (head and Content-Length body) and lets ``respond`` write whatever
    bytes it likes; ``respond`` returns False to close the connection after it."""

    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.connections = 0
        self.requests: list[bytes] = []
        self.closed_by_client = 0
        self.server: asyncio.Server | None = None
        self.url = ""

    async def __aenter__(self) -> RawServer:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        self.server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.server.wait_closed(), 1)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    self.closed_by_client += 1
                    return
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                request = head + await reader.readexactly(length)
                self.requests.append(request)
                if not await self.respond(request, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError):
            self.closed_by_client += 1
        finally:
            writer.close()


def fixed(payload: bytes, *, keep: bool = True) -> Respond:
    async def respond(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(payload)
        await writer.drain()
        return keep

    return respond


OK = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello"


@contextlib.asynccontextmanager
async def serving(
    respond: Respond, **kwargs: object
) -> AsyncIterator[tuple[RawServer, HTTP1Transport, httpx.AsyncClient]]:
    transport = HTTP1Transport(**kwargs)  # type: ignore[arg-type]
    async with (
        RawServer(respond) as server,
        httpx.AsyncClient(transport=transport, timeout=5) as http,
    ):
        yield server, transport, http


async def _until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


# -- requests ----------------------------------------------------------------------------------


def test_a_request_is_encoded_head_and_body_together() -> None:
    request = httpx.Request(
        "POST",
        "https://example.com:8443/a/b?x=1&y=%20",
        headers={"X-Mixed-Case": "v"},
        content=b"{}",
    )
    encoded = http1._encode(request, b"{}")
    head, body = encoded.split(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"POST /a/b?x=1&y=%20 HTTP/1.1"
    assert b"Host: example.com:8443" in lines
    assert b"Content-Length: 2" in lines
    assert b"X-Mixed-Case: v" in lines  # case kept
    assert body == b"{}"


def test_an_encoded_request_shows_no_header_in_its_repr() -> None:
    request = httpx.Request("POST", "http://example.com/", headers={"Authorization": "TC3 s3cr3t"})
    encoded = http1._encode(request, b"{}")
    assert b"s3cr3t" in encoded
    assert "s3cr3t" not in repr(encoded)
    assert "s3cr3t" not in str(encoded)  # str of bytes is their repr


def test_a_line_break_inside_a_header_is_refused() -> None:
    request = httpx.Request("GET", "http://example.com/", headers={"X-A": "v"})
    request.headers._list.append((b"X-B", b"x-b", b"evil\r\nInjected: 1"))
    with pytest.raises(httpx.LocalProtocolError):
        http1._encode(request, b"")


async def test_the_server_receives_method_target_headers_and_body() -> None:
    async with serving(fixed(OK)) as (server, _, http):
        response = await http.post(server.url + "/path?q=1", content=b'{"a": 1}')
        assert response.text == "hello"
    request = server.requests[0]
    assert request.startswith(b"POST /path?q=1 HTTP/1.1\r\n")
    assert b"\r\nContent-Length: 8\r\n" in request
    assert request.endswith(b'\r\n\r\n{"a": 1}')


async def test_a_streamed_request_body_is_sent_whole() -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"ab"
        yield b"cd"

    async with serving(fixed(OK)) as (server, _, http):
        response = await http.post(server.url + "/", content=parts())
        assert response.status_code == 200
    assert b"\r\nContent-Length: 4\r\n" in server.requests[0]
    assert b"Transfer-Encoding" not in server.requests[0]
    assert server.requests[0].endswith(b"\r\n\r\nabcd")


async def test_an_unsupported_scheme_is_refused() -> None:
    with pytest.raises(httpx.UnsupportedProtocol):
        await HTTP1Transport().handle_async_request(httpx.Request("GET", "ftp://example.com/"))


# -- responses ---------------------------------------------------------------------------------


async def test_status_reason_and_headers_as_sent() -> None:
    payload = (
        b"HTTP/1.1 201 Made It\r\nX-Request-Id: abc\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n"
        b"Content-Length: 2\r\n\r\nok"
    )
    async with serving(fixed(payload)) as (server, _, http):
        response = await http.get(server.url + "/")
    assert (response.status_code, response.reason_phrase, response.http_version) == (
        201,
        "Made It",
        "HTTP/1.1",
    )
    assert response.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert ("X-Request-Id", "abc") in response.headers.multi_items() or response.headers.raw[0] == (
        b"X-Request-Id",
        b"abc",
    )
    assert response.headers.raw[0][0] == b"X-Request-Id"  # case kept
    assert response.text == "ok"


async def test_chunked_body_with_extensions_and_trailers() -> None:
    payload = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    async with serving(fixed(payload)) as (server, _, http):
        assert (await http.get(server.url + "/")).text == "hello world"
        # read to its end by the framing: kept for the next request
        assert (await http.get(server.url + "/")).text == "hello world"
    assert server.connections == 1


async def test_a_chunked_body_arriving_a_byte_at_a_time() -> None:
    body = b"5;x=y\r\nhello\r\n1\r\n \r\n10\r\n" + b"w" * 16 + b"\r\n0\r\nT: 1\r\n\r\n"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"

    async def trickle(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(head)
        for i in range(len(body)):
            writer.write(body[i : i + 1])
            await writer.drain()
            await asyncio.sleep(0.001)
        return True

    async with serving(trickle) as (server, transport, http):
        for _ in range(2):
            assert (await http.get(server.url + "/")).content == b"hello " + b"w" * 16
        assert len(transport.connections) == 1  # ended by its framing: kept


async def test_chunks_that_arrive_in_one_read_come_out_as_one_piece() -> None:
    events = [b'data: {"n": %d}\n\n' % i for i in range(5)]
    body = b"".join(b"%x\r\n%s\r\n" % (len(e), e) for e in events) + b"0\r\n\r\n"
    payload = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body
    async with (
        serving(fixed(payload)) as (server, _, http),
        http.stream("GET", server.url + "/") as response,
    ):
        pieces = [piece async for piece in response.aiter_raw()]
    assert pieces == [b"".join(events)]


async def test_body_until_the_connection_closes() -> None:
    payload = b"HTTP/1.1 200 OK\r\n\r\nall of it"
    async with serving(fixed(payload, keep=False)) as (server, transport, http):
        assert (await http.get(server.url + "/")).text == "all of it"
        assert transport.connections == []  # such a connection cannot serve again
        assert (await http.get(server.url + "/")).text == "all of it"
    assert server.connections == 2


@pytest.mark.parametrize(
    ("method", "payload"),
    [
        ("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
        ("GET", b"HTTP/1.1 204 No Content\r\n\r\n"),
        ("GET", b"HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n"),
    ],
)
async def test_responses_without_a_body(method: str, payload: bytes) -> None:
    async with serving(fixed(payload)) as (server, transport, http):
        for _ in range(2):
            response = await http.request(method, server.url + "/")
            assert response.content == b""
            assert transport.in_flight == 0
    assert server.connections == 1  # and the connection serves the next request


async def test_interim_responses_are_skipped() -> None:
    payload = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" + OK
    async with serving(fixed(payload)) as (server, _, http):
        response = await http.get(server.url + "/")
    assert (response.status_code, response.text) == (200, "hello")


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 2000 OK",
        b"HTTP/2 200 OK",
        b"garbage",
        b"HTTP/1.1 200 OK\r\nNo colon here",
        b"HTTP/1.1 200 OK\r\n folded: value",
        b"HTTP/1.1 200 OK\r\nBad Name: v",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip",
    ],
)
def test_malformed_heads_are_protocol_errors(head: bytes) -> None:
    with pytest.raises(httpx.RemoteProtocolError):
        parse_head(head)


@pytest.mark.parametrize(
    "chunks",
    [
        b"zz\r\nhello\r\n0\r\n\r\n",
        b"5\r\nhelloXX0\r\n\r\n",
        b"-5\r\nhello\r\n0\r\n\r\n",
        b"0x5\r\nhello\r\n0\r\n\r\n",
    ],
)
async def test_malformed_chunks_are_protocol_errors(chunks: bytes) -> None:
    payload = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks
    async with serving(fixed(payload)) as (server, transport, http):
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(server.url + "/")
        assert transport.in_flight == 0
        assert transport.connections == []


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf", "received 4 bytes, expected 10"),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nhalf\r\n",
            "incomplete chunked",
        ),
    ],
)
async def test_a_peer_closing_mid_body_is_a_protocol_error(payload: bytes, detail: str) -> None:
    async with serving(fixed(payload, keep=False)) as (server, transport, http):
        async with http.stream("GET", server.url + "/") as response:
            with pytest.raises(httpx.RemoteProtocolError, match="peer closed connection") as caught:
                await response.aread()
        assert detail in str(caught.value)
        assert transport.in_flight == 0
        assert transport.connections == []


async def test_a_server_closing_before_answering() -> None:
    async def hang_up(request: bytes, writer: asyncio.StreamWriter) -> bool:
        return False

    async with serving(hang_up) as (server, transport, http):
        with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
            await http.get(server.url + "/")
        assert transport.in_flight == 0


# -- timeouts and connection failures ----------------------------------------------------------


async def test_read_timeout() -> None:
    async def silent(request: bytes, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(10)
        return False

    async with serving(silent) as (server, transport, http):
        with pytest.raises(httpx.ReadTimeout):
            await http.get(server.url + "/", timeout=httpx.Timeout(5, read=0.05))
        assert transport.in_flight == 0
        assert transport.connections == []


async def test_read_timeout_mid_body() -> None:
    async def stall(request: bytes, writer: asyncio.StreamWriter) -> bool:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")
        await asyncio.sleep(10)
        return False

    async with serving(stall) as (server, transport, http):
        async with http.stream("GET", server.url + "/", timeout=httpx.Timeout(5, read=0.05)) as r:
            with pytest.raises(httpx.ReadTimeout):
                await r.aread()
        assert transport.in_flight == 0


async def test_connection_refused() -> None:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    transport = HTTP1Transport()
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/")
    assert (transport.in_flight, transport._open) == (0, 0)


async def test_connect_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    loop = asyncio.get_running_loop()

    async def never(*args: object, **kwargs: object) -> None:
        await asyncio.sleep(10)

    monkeypatch.setattr(loop, "create_connection", never)
    transport = HTTP1Transport()
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ConnectTimeout):
            await http.get("http://127.0.0.1:9/", timeout=httpx.Timeout(5, connect=0.05))
    assert (transport.in_flight, transport._open) == (0, 0)


async def test_pool_timeout_and_waiting_for_room() -> None:
    async with serving(fixed(OK), max_connections=1) as (server, transport, http):
        held = await http.send(http.build_request("GET", server.url + "/"), stream=True)
        with pytest.raises(httpx.PoolTimeout):
            await http.get(server.url + "/", timeout=httpx.Timeout(5, pool=0.05))
        waiting = asyncio.create_task(http.get(server.url + "/"))
        await asyncio.sleep(0.05)
        assert not waiting.done()
        await held.aread()  # gives its connection back: the waiting request takes it
        assert (await waiting).text == "hello"
        assert transport.in_flight == 0
    assert server.connections == 1


async def test_a_cancelled_waiter_passes_its_turn_on() -> None:
    async with serving(fixed(OK), max_connections=1) as (server, transport, http):
        held = await http.send(http.build_request("GET", server.url + "/"), stream=True)
        first = asyncio.create_task(http.get(server.url + "/"))
        second = asyncio.create_task(http.get(server.url + "/"))
        await asyncio.sleep(0.02)
        await held.aread()  # wakes ``first`` ...
        first.cancel()  # ... which is cancelled before it runs
        with contextlib.suppress(asyncio.CancelledError):
            await first
        assert (await asyncio.wait_for(second, 2)).text == "hello"
        assert transport.in_flight == 0


async def test_a_woken_waiter_keeps_its_place_when_a_newcomer_takes_the_room() -> None:
    async with serving(fixed(OK), max_connections=1) as (server, transport, http):
        held = await http.send(http.build_request("GET", server.url + "/"), stream=True)
        done: list[str] = []

        async def call(name: str) -> None:
            await http.get(server.url + "/")
            done.append(name)

        first = asyncio.create_task(call("first"))
        await asyncio.sleep(0.02)
        second = asyncio.create_task(call("second"))
        await asyncio.sleep(0.02)  # both wait, in that order
        newcomer = asyncio.create_task(call("newcomer"))  # runs before ``first`` wakes ...
        await held.aclose()  # ... for the place this frees, so ``first`` must wait again
        await asyncio.wait_for(asyncio.gather(first, second, newcomer), 5)
        assert done == ["newcomer", "first", "second"]
        assert transport.in_flight == 0


async def test_another_origins_idle_connection_makes_room() -> None:
    async with (
        RawServer(fixed(OK)) as other,
        serving(fixed(OK), max_connections=1) as (
            server,
            transport,
            http,
        ),
    ):
        assert (await http.get(other.url + "/")).text == "hello"
        assert (
            await http.get(server.url + "/", timeout=httpx.Timeout(5, pool=0.05))
        ).text == "hello"
        assert len(transport.connections) == 1
        await _until(lambda: other.closed_by_client == 1)


# -- keep-alive --------------------------------------------------------------------------------


async def test_keep_alive_reuses_the_most_recent_idle_connection() -> None:
    async with serving(fixed(OK)) as (server, transport, http):
        a = await http.send(http.build_request("GET", server.url + "/"), stream=True)
        (conn_a,) = transport.connections
        b = await http.send(http.build_request("GET", server.url + "/"), stream=True)
        (conn_b,) = set(transport.connections) - {conn_a}
        await a.aread()
        await b.aread()
        c = await http.send(http.build_request("GET", server.url + "/"), stream=True)
        assert transport.busy_connections() == [conn_b]
        await c.aread()
        assert {*transport.connections} == {conn_a, conn_b}
    assert server.connections == 2


@pytest.mark.parametrize(
    "payload",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello",
        b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello",
    ],
)
async def test_a_connection_the_server_closes_is_not_reused(payload: bytes) -> None:
    async with serving(fixed(payload, keep=False)) as (server, transport, http):
        for _ in range(3):
            assert (await http.get(server.url + "/")).text == "hello"
        assert transport.connections == []
    assert server.connections == 3


async def test_a_request_asking_to_close_does_not_keep_the_connection() -> None:
    async with serving(fixed(OK)) as (server, transport, http):
        await http.get(server.url + "/", headers={"Connection": "close"})
        assert transport.connections == []


async def test_an_idle_connection_the_server_dropped_is_not_reused() -> None:
    async with serving(fixed(OK, keep=False)) as (server, transport, http):
        assert (await http.get(server.url + "/")).text == "hello"  # the server closes after it
        await _until(lambda: all(c.closed for c in transport.connections))
        assert (await http.get(server.url + "/")).text == "hello"  # a new connection, no error
    assert server.connections == 2


async def test_a_response_closed_before_its_end_aborts_its_connection() -> None:
    payload = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 10
    async with serving(fixed(payload)) as (server, transport, http):
        async with http.stream("GET", server.url + "/") as response:
            async for _ in response.aiter_raw():
                break
        assert transport.in_flight == 0
        assert transport.connections == []
        await _until(lambda: server.closed_by_client == 1)


async def test_idle_connections_close_after_the_keepalive_period() -> None:
    async with serving(fixed(OK), keepalive_expiry=0.1) as (server, transport, http):
        responses = [
            await http.send(http.build_request("GET", server.url + "/"), stream=True)
            for _ in range(3)
        ]
        for response in responses:
            await response.aread()
        assert len(transport.connections) == 3
        await _until(lambda: transport.connections == [])
        await _until(lambda: server.closed_by_client == 3)
        assert (await http.get(server.url + "/")).text == "hello"
        assert stuck_connections(transport) == []


async def test_aclose_closes_every_connection() -> None:
    async with serving(fixed(OK)) as (server, transport, http):
        held = await http.send(http.build_request("GET", server.url + "/"), stream=True)
        await http.get(server.url + "/")
        assert len(transport.connections) == 2
        await transport.aclose()
        assert transport.connections == []
        await _until(lambda: server.closed_by_client == 2)
        with contextlib.suppress(httpx.HTTPError):
            await held.aclose()
        assert transport.in_flight == 0


# -- flow control ------------------------------------------------------------------------------


async def test_reading_pauses_while_the_reader_lags() -> None:
    size = 4 * 1024 * 1024
    payload = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % size + b"x" * size
    async with serving(fixed(payload)) as (server, transport, http):
        async with http.stream("GET", server.url + "/") as response:
            (conn,) = transport.connections
            await _until(lambda: conn.read_paused)
            await asyncio.sleep(0.05)  # the socket has more to give, but nothing is read
            assert len(conn.buffer) < 1024 * 1024
            received = 0
            async for piece in response.aiter_raw():
                received += len(piece)
        assert received == size
        assert not conn.read_paused
        assert transport.connections == [conn]  # read to its end: kept


# -- cancellation ------------------------------------------------------------------------------


async def _walk_cancellations(http: httpx.AsyncClient, url: str, transport: HTTP1Transport) -> None:
    """Cancel a request after 0, 1, 2, ... loop turns: connecting, the TLS handshake, the write,
    the head, the body, the close. After each, nothing is counted or held busy."""

    async def call() -> bytes:
        async with http.stream("POST", url, content=b"{}") as response:
            return await response.aread()

    async def check(turns: int) -> None:
        assert transport.in_flight == 0, turns
        assert stuck_connections(transport) == [], turns

    await cancel_after_each_turn(call, 60, check)
    assert await call() == b"hello"


async def test_a_cancel_at_any_point_leaves_nothing_busy() -> None:
    async with serving(fixed(OK)) as (server, transport, http):
        await _walk_cancellations(http, server.url + "/", transport)


@pytest.fixture(scope="module")
def tls() -> tuple[ssl.SSLContext, ssl.SSLContext]:
    trustme = pytest.importorskip("trustme")
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    client = ssl.create_default_context()
    ca.configure_trust(client)
    return server, client


async def test_tls_with_the_given_context_and_cancellation(
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    server_context, client_context = tls
    async with RawServer(fixed(OK)) as plain:
        # The same server behind TLS: asyncio's start_server with an SSL context.
        assert plain.server is not None
        server = await asyncio.start_server(plain._serve, "127.0.0.1", 0, ssl=server_context)
        port = server.sockets[0].getsockname()[1]
        transport = HTTP1Transport(ssl_context=lambda: client_context)
        try:
            async with httpx.AsyncClient(transport=transport, timeout=5) as http:
                url = f"https://127.0.0.1:{port}/"
                assert (await http.get(url)).text == "hello"
                assert transport.ssl_context() is client_context
                await _walk_cancellations(http, url, transport)
            # an untrusted certificate is a connection error
            async with httpx.AsyncClient(transport=HTTP1Transport(), timeout=5) as http:
                with pytest.raises(httpx.ConnectError):
                    await http.get(url)
        finally:
            server.close()


async def test_aclose_does_not_wait_for_a_peer_that_never_answers_close_notify(
    tls: tuple[ssl.SSLContext, ssl.SSLContext],
) -> None:
    """``aclose`` runs as every ``asyncio.run`` ends: an idle TLS connection is cut, not closed
    politely, which would wait for the peer's close_notify (here, never sent)."""
    server_context, client_context = tls
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    release = threading.Event()

    def serve() -> None:
        raw, _ = listener.accept()
        with server_context.wrap_socket(raw, server_side=True) as conn:
            conn.recv(65_536)
            conn.sendall(OK)
            release.wait(10)  # reads nothing more: a close_notify gets no answer

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    transport = HTTP1Transport(ssl_context=client_context)
    try:
        async with httpx.AsyncClient(transport=transport, timeout=5) as http:
            assert (await http.get(f"https://127.0.0.1:{port}/")).text == "hello"
            idle = transport.connections
            assert len(idle) == 1
            assert not idle[0].busy
            await transport.aclose()
            # It ended before aclose returned (a polite close would still be waiting, and be
            # cut only when a 1 s wait ran out, after aclose had returned).
            assert idle[0].lost.done()
            assert transport.connections == []
    finally:
        release.set()
        server.join(5)
        listener.close()


# -- the client, fork and closed loops ---------------------------------------------------------


async def test_the_async_client_uses_it_for_direct_routes(monkeypatch: pytest.MonkeyPatch) -> None:
    client = AsyncHunyuanClient(secret_id="AKIDx", secret_key="k", base_url="http://127.0.0.1:9/")
    try:
        transport = client._http._transport
        assert isinstance(transport, HTTP1Transport)
        assert transport.max_connections == client.settings.pool_size * 256
        assert client.pool_stats() == {"in_flight": 0, "pools": 1, "connections": 0}
        with pytest.raises(Exception, match="could not reach"):
            await client.chat([Message("user", "hi")])
        assert client.pool_stats()["in_flight"] == 0
    finally:
        await client.aclose()


async def test_sockets_are_let_go_of_without_closing_the_connection() -> None:
    """What a forked child and a closed loop do: drop this process's descriptor only."""
    async with serving(fixed(OK)) as (server, transport, http):
        await http.get(server.url + "/")
        (conn,) = transport.connections
        sock = conn.raw_socket()
        assert sock.fileno() >= 0
        assert release_pool_sockets(client_pools(http)) == 1
        assert sock.fileno() == -1


async def test_an_aborted_connection_is_cut_before_the_loop_turns_again() -> None:
    """A caller may block right after closing a response early (a test waiting on its server,
    a sync callback): the peer hears of the abort at once, not at the loop's next turn."""
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    heard_eof = threading.Event()

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
            conn.settimeout(5)
            with contextlib.suppress(OSError):
                if conn.recv(1) == b"":
                    heard_eof.set()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    transport = HTTP1Transport()
    port = listener.getsockname()[1]
    try:
        async with httpx.AsyncClient(transport=transport, timeout=5) as http:
            response = await http.send(
                http.build_request("GET", f"http://127.0.0.1:{port}/"), stream=True
            )
            await response.aclose()
            assert heard_eof.wait(2)  # blocking: the loop does not turn in between
    finally:
        listener.close()
        thread.join(5)
