"""A lean HTTP/1.1 transport for the async client's own pools: httpx's API over asyncio directly.

Profiling 500 concurrent streams put about half of the async client's CPU in httpcore, h11 and
anyio: every SSE event read went through an anyio stream receive, h11 event objects, a
``fail_after`` scope and the pool's book-keeping. Here a connection is an ``asyncio.Protocol``
that buffers what the socket delivers; a body read takes everything buffered at once (several
SSE events arriving in one socket read come out as one chunk) and parses the framing
(Content-Length, chunked, or until close) in a few slices. httpx stays the API: requests and
responses are ``httpx.Request``/``httpx.Response`` and failures are httpx's exceptions, so the
flows map them exactly as before. Proxied routes keep httpcore (``pool.ShardedAsyncTransport``).

Pool. One keep-alive pool for every origin, at most ``max_connections`` connections (busy, idle
or connecting); the most recently used idle connection of the origin is reused; past the cap a
request waits (``pool`` timeout) or takes the place of another origin's idle connection. A
connection goes back to the pool only when its response was read to the end by its framing,
neither side asked to close, and the server has not closed it; one idle for ``keepalive_expiry``
seconds is closed.

Cancellation. Everything that changes the pool's state on the way out of a request (counting it
ended, aborting or pooling its connection) is synchronous, so a task cancelled at any await
(connecting, the TLS handshake, writing, waiting for the head, reading the body, closing) leaves
the count exact and no connection held: a connection whose exchange was interrupted is aborted,
never reused. Closing a response before the end of its body aborts its connection too (the
client drains what little is left first when that is worth it: ``client._read_to_end``).

After a fork, or once the loop is closed, ``sockets()`` lists the sockets to let go of without a
word on the wire (``sockets.release_sockets``).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import socket
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from .sockets import release_sockets

__all__ = ["HTTP1Transport"]

#: Unread bytes past which a connection stops reading from its socket until they are consumed.
_HIGH_WATER = 256 * 1024
#: The most a status line and its headers may take (h11's default is 16 KiB).
_MAX_HEAD = 64 * 1024
#: The most a chunk-size line (with extensions) or a trailer line may take.
_MAX_LINE = 4096
_DEFAULT_PORTS = {"http": 80, "https": 443}
_HTTP11 = b"HTTP/1.1"
_HEX_DIGITS = b"0123456789abcdefABCDEF"

Origin = tuple[str, str, int]


def _expire(waiter: asyncio.Future[None], error: type[httpx.TimeoutException]) -> None:
    if not waiter.done():
        waiter.set_exception(error(f"timed out ({error.__name__})"))


async def _bounded(
    future: asyncio.Future[None], timeout: float | None, error: type[httpx.TimeoutException]
) -> None:
    """Await ``future``, failing it with ``error`` after ``timeout`` seconds (a timer, cheaper
    than a task or a timeout scope per read)."""
    timer = (
        future.get_loop().call_later(timeout, _expire, future, error)
        if timeout is not None
        else None
    )
    try:
        await future
    finally:
        if timer is not None:
            timer.cancel()


class _Connection(asyncio.Protocol):
    """One socket: the bytes it delivered not consumed yet, and whether it can deliver more."""

    def __init__(self, loop: asyncio.AbstractEventLoop, origin: Origin) -> None:
        self.loop = loop
        self.origin = origin
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        #: No more bytes will come: the peer sent EOF or the connection is lost.
        self.closed = False
        self.error: Exception | None = None
        self.lost: asyncio.Future[None] = loop.create_future()
        self.waiter: asyncio.Future[None] | None = None
        self.drained: asyncio.Future[None] | None = None
        self.read_paused = False
        self.busy = False
        self.gone = False
        self.idle_since = 0.0

    def __repr__(self) -> str:  # no headers, no bytes: only what the state is
        state = "gone" if self.gone else "busy" if self.busy else "idle"
        scheme, host, port = self.origin
        return f"<_Connection {scheme}://{host}:{port} {state}{' closed' if self.closed else ''}>"

    # -- asyncio.Protocol --------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if not self.read_paused and len(self.buffer) > _HIGH_WATER and self.transport is not None:
            self.read_paused = True
            self.transport.pause_reading()
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def eof_received(self) -> bool | None:
        self._ended()
        return None  # the transport closes itself

    def connection_lost(self, exc: Exception | None) -> None:
        self.error = exc
        self._ended()
        if not self.lost.done():
            self.lost.set_result(None)
        drained = self.drained
        if drained is not None and not drained.done():
            drained.set_result(None)

    def pause_writing(self) -> None:
        if self.drained is None or self.drained.done():
            self.drained = self.loop.create_future()

    def resume_writing(self) -> None:
        if self.drained is not None and not self.drained.done():
            self.drained.set_result(None)

    def _ended(self) -> None:
        self.closed = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # -- reading and writing -----------------------------------------------------------------

    def consumed(self, count: int) -> None:
        """Drop ``count`` bytes from the front of the buffer, reading again once it is low."""
        del self.buffer[:count]
        if self.read_paused and len(self.buffer) <= _HIGH_WATER // 4 and self.transport:
            self.read_paused = False
            self.transport.resume_reading()

    async def wait(self, timeout: float | None) -> None:
        """Until more bytes or the end arrive; ``httpx.ReadTimeout`` after ``timeout``."""
        self.waiter = self.loop.create_future()
        try:
            await _bounded(self.waiter, timeout, httpx.ReadTimeout)
        finally:
            self.waiter = None

    async def write(self, data: bytes, timeout: float | None) -> None:
        transport = self.transport
        if self.closed or transport is None or transport.is_closing():
            raise httpx.WriteError("the connection was closed before the request was sent")
        transport.write(data)
        drained = self.drained
        if drained is not None and not drained.done():
            await _bounded(drained, timeout, httpx.WriteTimeout)
        if self.error is not None:
            raise httpx.WriteError(str(self.error) or type(self.error).__name__)

    def cut(self) -> None:
        """Close at once, sending nothing more (no TLS close_notify)."""
        transport = self.transport
        if transport is None:
            return
        if self.loop.is_closed():
            # A coroutine finalized after its loop closed: the transport cannot close without
            # its loop; let go of the socket as the closed-loop path does.
            release_sockets([self])
            return
        # The peer hears of it now (as from httpcore, whose anyio stream sends EOF at once):
        # asyncio closes an aborted socket only at the loop's next turn, and a caller may
        # block before that. Our own connection, never a forked parent's.
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        transport.abort()

    def raw_socket(self) -> Any:
        """The socket, for letting go of it without closing the connection the normal way."""
        return self.transport.get_extra_info("socket") if self.transport is not None else None


# -- parsing -----------------------------------------------------------------------------------


@dataclass(slots=True)
class _Head:
    """A response's status line and headers, and the framing they give its body."""

    status: int
    reason: bytes
    headers: list[tuple[bytes, bytes]]
    length: int | None
    chunked: bool
    keep_alive: bool


def _bad(message: str) -> httpx.RemoteProtocolError:
    return httpx.RemoteProtocolError(message)


def parse_head(head: bytes) -> _Head:
    """A response's status line and headers (without the blank line), as received."""
    lines = head.split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    code, _, reason = rest.partition(b" ")
    if version not in (_HTTP11, b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
        raise _bad("malformed status line in the response")
    headers: list[tuple[bytes, bytes]] = []
    length: int | None = None
    chunked = False
    keep_alive = version == _HTTP11
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or b" " in name or b"\t" in name:
            raise _bad("malformed header line in the response")
        value = value.strip(b" \t")
        headers.append((name, value))
        lowered = name.lower()
        if lowered == b"content-length":
            if not value.isdigit() or (length is not None and int(value) != length):
                raise _bad("invalid Content-Length in the response")
            length = int(value)
        elif lowered == b"transfer-encoding":
            codings = [c.strip() for c in value.lower().split(b",")]
            if codings[-1] != b"chunked":
                raise _bad("unsupported Transfer-Encoding in the response")
            chunked = True
        elif lowered == b"connection":
            tokens = {t.strip() for t in value.lower().split(b",")}
            if b"close" in tokens:
                keep_alive = False
            elif b"keep-alive" in tokens:
                keep_alive = keep_alive or version == b"HTTP/1.0"
    if chunked:
        length = None  # Transfer-Encoding wins (RFC 9112 6.3)
    return _Head(int(code), reason, headers, length, chunked, keep_alive)


class _Chunked:
    """Chunked transfer coding, decoded from whatever part of it is buffered."""

    __slots__ = ("done", "left", "state")

    def __init__(self) -> None:
        self.left = 0  # data bytes left in the current chunk
        self.state = 0  # 0 size line, 1 data, 2 CRLF after data, 3 trailers
        self.done = False

    def feed(self, buffer: bytearray) -> tuple[bytes, int]:
        """The data in ``buffer`` and how many of its bytes were consumed."""
        # One copy of the buffer, then slices of it: an SSE stream is one small chunk per
        # event, several per socket read, so this loop is the body's hot path.
        data = bytes(buffer)
        end = len(data)
        pieces: list[bytes] = []
        pos = 0
        left, state = self.left, self.state
        while pos < end:
            if state == 1:  # inside a chunk's data
                stop = pos + left
                if stop > end:
                    pieces.append(data[pos:])
                    left -= end - pos
                    pos = end
                    break
                pieces.append(data[pos:stop])
                pos, left, state = stop, 0, 2
                continue
            eol = data.find(b"\r\n", pos)
            if eol < 0:
                if end - pos > _MAX_LINE:
                    raise _bad("chunk-size line too long in the response")
                break
            if state == 0:  # a chunk-size line
                size = data[pos:eol].split(b";", 1)[0].strip(b" \t")
                # Hex digits only (``int`` alone would take "0x1f", "+5", "1_0").
                if not size or size.strip(_HEX_DIGITS):
                    raise _bad("malformed chunk size in the response")
                left = int(size, 16)
                state = 1 if left else 3
            elif eol != pos:  # state 2 (the CRLF after data) or 3 (trailers, until a blank)
                if state == 2:
                    raise _bad("missing CRLF after a chunk in the response")
            elif state == 2:
                state = 0
            else:
                self.done = True
                pos = eol + 2
                break
            pos = eol + 2
        self.left, self.state = left, state
        return b"".join(pieces), pos


# -- the body ----------------------------------------------------------------------------------


class _Empty(httpx.AsyncByteStream):
    async def __aiter__(self) -> AsyncIterator[bytes]:
        return
        yield b""  # pragma: no cover - makes this an async generator

    async def aclose(self) -> None:
        return None


class _Body(httpx.AsyncByteStream):
    """A response body, yielded as it arrives; its connection is given back (or aborted) the
    moment the body ends, fails, or is closed."""

    __slots__ = ("_chunked", "_conn", "_keep_alive", "_left", "_owner", "_timeout", "_total")

    def __init__(
        self,
        owner: HTTP1Transport,
        conn: _Connection,
        head: _Head,
        timeout: float | None,
    ) -> None:
        self._owner = owner
        self._conn: _Connection | None = conn
        self._chunked = _Chunked() if head.chunked else None
        self._left = head.length  # None: until the connection closes (or chunked)
        self._total = head.length or 0
        self._keep_alive = head.keep_alive and (head.chunked or head.length is not None)
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while (conn := self._conn) is not None:
                data = self._take(conn)
                if data:
                    yield data
                elif self._conn is not None:
                    await conn.wait(self._timeout)
        except BaseException:
            self._finish(reuse=False)
            raise

    def _take(self, conn: _Connection) -> bytes:
        """What is buffered of the body (finishing the exchange at its end)."""
        buffer = conn.buffer
        if self._chunked is not None:
            data, used = self._chunked.feed(buffer) if buffer else (b"", 0)
            if used:
                conn.consumed(used)
            if self._chunked.done:
                self._finish(reuse=self._keep_alive)
            elif not data and conn.closed:
                raise self._cut("incomplete chunked read")
            return data
        left = self._left
        if left is None:  # until the connection closes
            data = bytes(buffer)
            if data:
                conn.consumed(len(data))
            elif conn.closed:
                self._finish(reuse=False)
            return data
        data = bytes(buffer[:left]) if len(buffer) > left else bytes(buffer)
        if data:
            conn.consumed(len(data))
            left = self._left = left - len(data)
        if not left:
            self._finish(reuse=self._keep_alive)
        elif not data and conn.closed:
            raise self._cut(f"received {self._total - left} bytes, expected {self._total}")
        return data

    def _cut(self, detail: str) -> httpx.HTTPError:
        conn = self._conn
        if conn is not None and conn.error is not None:
            return httpx.ReadError(str(conn.error) or type(conn.error).__name__)
        return httpx.RemoteProtocolError(
            f"peer closed connection without sending complete message body ({detail})"
        )

    def _finish(self, *, reuse: bool) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._owner._finish(conn, reuse=reuse)

    async def aclose(self) -> None:
        # Synchronous on purpose: no cancellation can interrupt it half-way.
        self._finish(reuse=False)


# -- the transport -----------------------------------------------------------------------------


class HTTP1Transport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio with one keep-alive pool; bound to the event loop it first runs on
    (the async client keeps one per loop: ``loops.LoopClients``)."""

    def __init__(
        self,
        *,
        max_connections: int = 1024,
        keepalive_expiry: float = 5.0,
        ssl_context: Callable[[], ssl.SSLContext] | ssl.SSLContext | None = None,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self.max_connections = max_connections
        self.keepalive_expiry = keepalive_expiry
        self._ssl_source = ssl_context
        self._ssl_context: ssl.SSLContext | None = None
        self._conns: set[_Connection] = set()
        #: Idle connections per origin, least recently used first.
        self._idle: dict[Origin, collections.deque[_Connection]] = {}
        self._idle_count = 0
        #: Connections open or being opened (the cap counts both).
        self._open = 0
        self._in_flight = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._prune_at: asyncio.TimerHandle | None = None

    # -- what tests, stats and the fork/closed-loop paths read ------------------------------

    @property
    def in_flight(self) -> int:
        return self._in_flight

    @property
    def connections(self) -> list[_Connection]:
        return list(self._conns)

    def busy_connections(self) -> list[_Connection]:
        return [c for c in self._conns if c.busy]

    def pools(self) -> Iterator[HTTP1Transport]:
        """Itself, the one pool it is: ``sockets.client_pools`` lists a transport's pools, and
        ``connections`` gives their sockets (``_Connection.raw_socket``) to let go of."""
        yield self

    def ssl_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            source = self._ssl_source
            if source is None:
                source = httpx.create_ssl_context()
            self._ssl_context = source if isinstance(source, ssl.SSLContext) else source()
        return self._ssl_context

    # -- a request ---------------------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.scheme
        if scheme not in _DEFAULT_PORTS:
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {scheme!r}")
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        try:
            body = request.content
        except httpx.RequestNotRead:
            body = b"".join([part async for part in request.stream])  # type: ignore[union-attr]
        message = _encode(request, body)
        # The host as sent on the wire (IDNA-encoded), for connecting and SNI.
        origin = (scheme, url.raw_host.decode("ascii"), url.port or _DEFAULT_PORTS[scheme])
        method = request.method
        self._in_flight += 1
        conn: _Connection | None = None
        try:
            conn = await self._acquire(origin, timeouts)
            await conn.write(message, timeouts.get("write"))
            head = await self._read_head(conn, timeouts.get("read"))
        except BaseException:
            self._finish(conn, reuse=False)
            raise
        keep_alive = head.keep_alive and not _asks_to_close(request)
        head.keep_alive = keep_alive
        extensions = {"http_version": _HTTP11, "reason_phrase": head.reason}
        if method == "HEAD" or head.status in (204, 304) or head.length == 0:
            self._finish(conn, reuse=keep_alive)
            stream: httpx.AsyncByteStream = _Empty()
        else:
            stream = _Body(self, conn, head, timeouts.get("read"))
        return httpx.Response(
            head.status, headers=head.headers, stream=stream, extensions=extensions
        )

    async def _read_head(self, conn: _Connection, timeout: float | None) -> _Head:
        while True:
            buffer = conn.buffer
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > _MAX_HEAD:
                    raise _bad("response head too long")
                if conn.closed:
                    if conn.error is not None:
                        raise httpx.ReadError(str(conn.error) or type(conn.error).__name__)
                    raise httpx.RemoteProtocolError(
                        "Server disconnected without sending a response."
                    )
                await conn.wait(timeout)
                continue
            head = parse_head(bytes(buffer[:end]))
            conn.consumed(end + 4)
            if head.status >= 200:
                return head
            if head.status == 101:
                raise _bad("unexpected 101 Switching Protocols")
            # 1xx interim responses (100 Continue, 103 Early Hints): the real one follows

    # -- the pool ----------------------------------------------------------------------------

    async def _acquire(self, origin: Origin, timeouts: dict[str, float | None]) -> _Connection:
        loop = asyncio.get_running_loop()
        woken = False
        while True:
            idle = self._idle.get(origin)
            while idle:
                conn = idle.pop()
                self._idle_count -= 1
                # Anything buffered on an idle connection was not asked for: never reuse it.
                if conn.closed or conn.buffer or conn.gone:
                    self._discard(conn)
                    continue
                conn.busy = True
                return conn
            if self._open < self.max_connections:
                return await self._connect(origin, timeouts.get("connect"))
            if self._idle_count:
                self._close_one_idle()
                continue
            # A waiter woken for a place that a newcomer took before it ran waits again at the
            # front: requests get places in the order they first asked.
            await self._wait_for_room(loop, timeouts.get("pool"), front=woken)
            woken = True

    async def _wait_for_room(
        self, loop: asyncio.AbstractEventLoop, timeout: float | None, *, front: bool
    ) -> None:
        waiters = self._waiters
        while waiters and waiters[0].done():
            waiters.popleft()
        waiter: asyncio.Future[None] = loop.create_future()
        if front:
            waiters.appendleft(waiter)
        else:
            waiters.append(waiter)
        try:
            await _bounded(waiter, timeout, httpx.PoolTimeout)
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                self._wake_one()  # woken, then cancelled: the room goes to the next in line
            raise

    def _wake_one(self) -> None:
        waiters = self._waiters
        while waiters:
            waiter = waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return

    async def _connect(self, origin: Origin, timeout: float | None) -> _Connection:
        scheme, host, port = origin
        loop = asyncio.get_running_loop()
        conn = _Connection(loop, origin)
        tls = self.ssl_context() if scheme == "https" else None
        self._open += 1
        try:
            connecting = loop.create_connection(
                lambda: conn, host, port, ssl=tls, server_hostname=host if tls else None
            )
            await asyncio.wait_for(connecting, timeout)
        except BaseException as exc:
            self._open -= 1
            self._wake_one()
            conn.cut()
            if isinstance(exc, asyncio.TimeoutError):
                raise httpx.ConnectTimeout(f"timed out connecting to {host}:{port}") from exc
            if isinstance(exc, OSError):
                raise httpx.ConnectError(str(exc) or type(exc).__name__) from exc
            raise
        conn.busy = True
        self._conns.add(conn)
        return conn

    def _finish(self, conn: _Connection | None, *, reuse: bool) -> None:
        """The end of a request: it stops counting, and its connection is pooled or aborted."""
        self._in_flight -= 1
        if conn is None:
            return
        conn.busy = False
        if reuse and not conn.closed and not conn.buffer and not conn.gone:
            loop = conn.loop
            conn.idle_since = loop.time()
            idle = self._idle.get(conn.origin)
            if idle is None:
                idle = self._idle[conn.origin] = collections.deque()
            idle.append(conn)
            self._idle_count += 1
            if self._prune_at is None:
                self._prune_at = loop.call_at(conn.idle_since + self.keepalive_expiry, self._prune)
        else:
            self._discard(conn, abort=True)
        self._wake_one()

    def _discard(self, conn: _Connection, *, abort: bool = False) -> None:
        if conn.gone:
            return
        conn.gone = True
        self._open -= 1
        self._conns.discard(conn)
        transport = conn.transport
        if transport is None:
            return
        if abort or conn.closed or conn.loop.is_closed():
            conn.cut()
        else:
            transport.close()

    def _close_one_idle(self) -> None:
        """Make room under the cap: close the idle connection unused the longest."""
        oldest: collections.deque[_Connection] | None = None
        for idle in self._idle.values():
            if idle and (oldest is None or idle[0].idle_since < oldest[0].idle_since):
                oldest = idle
        assert oldest is not None
        self._idle_count -= 1
        self._discard(oldest.popleft())

    def _prune(self) -> None:
        """Close the connections idle for ``keepalive_expiry``; look again when the next is due."""
        self._prune_at = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        next_due: float | None = None
        for origin, idle in list(self._idle.items()):
            while idle and (idle[0].idle_since + self.keepalive_expiry <= now or idle[0].closed):
                self._idle_count -= 1
                self._discard(idle.popleft())
            if idle:
                due = idle[0].idle_since + self.keepalive_expiry
                next_due = due if next_due is None else min(next_due, due)
            else:
                del self._idle[origin]
        if next_due is not None:
            self._prune_at = loop.call_at(next_due, self._prune)

    async def aclose(self) -> None:
        if self._prune_at is not None:
            self._prune_at.cancel()
            self._prune_at = None
        conns = list(self._conns)
        self._idle.clear()
        self._idle_count = 0
        for conn in conns:
            # All are cut, idle ones too: a polite TLS close waits for the peer's close_notify,
            # and a server or balancer that never sends one would hold every loop's end (this
            # runs as each ``asyncio.run`` finishes) for the wait below. httpcore did not wait.
            self._discard(conn, abort=True)
        lost = [c.lost for c in conns if not c.lost.done()]
        if lost:
            try:
                await asyncio.wait(lost, timeout=1.0)
            finally:
                for conn in conns:
                    if not conn.lost.done() and conn.transport is not None:
                        conn.transport.abort()


def _asks_to_close(request: httpx.Request) -> bool:
    value = request.headers.get("connection")
    return value is not None and "close" in value.lower()


class _Wire(bytes):
    """A request as sent: its repr, in a traceback's locals (Sentry, ``capture_locals``), says
    how long it is, never what it holds (the Authorization header)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} bytes of request>"

    __str__ = __repr__  # bytes' own ``str`` is its repr, not this one


def _encode(request: httpx.Request, body: bytes) -> _Wire:
    """The request's head and body, for one write."""
    head = _head(request, body)
    if head is None:
        raise httpx.LocalProtocolError("illegal line break in a request header")
    return _Wire(head + body if body else head)


def _head(request: httpx.Request, body: bytes) -> bytes | None:
    """The request's head; None if a header would not stay on its line (its frame is gone by
    the time the caller raises, so no traceback shows the headers)."""
    url = request.url
    parts = [request.method.encode("ascii"), b" ", url.raw_path, b" HTTP/1.1\r\n"]
    has_host = has_length = False
    lines = 1
    for name, value in request.headers.raw:
        lowered = name.lower()
        if lowered == b"host":
            has_host = True
        elif lowered == b"content-length":
            has_length = True
        elif lowered == b"transfer-encoding":
            continue  # the body is sent whole, with its length
        parts += (name, b": ", value, b"\r\n")
        lines += 1
    if not has_host:
        parts += (b"Host: ", url.netloc, b"\r\n")
        lines += 1
    if not has_length and (body or request.method in ("POST", "PUT", "PATCH")):
        parts += (b"Content-Length: ", str(len(body)).encode("ascii"), b"\r\n")
        lines += 1
    parts.append(b"\r\n")
    head = b"".join(parts)
    # A CR or LF inside a name or value would split it into lines of its own.
    if head.count(b"\n") != lines + 1 or head.count(b"\r") != lines + 1:
        return None
    return head
