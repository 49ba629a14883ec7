"""An async transport that spreads requests over several small connection pools.

The async client uses it for proxied routes (httpcore speaks to proxies); direct routes go over
its own HTTP/1.1 transport (``http1``), which costs about half the CPU per streamed call.

One httpcore pool re-examines every connection for every waiting request whenever a request
starts or ends, so its cost grows with connections × waiting requests: hundreds of concurrent
streams in one pool spend most of their CPU there. Streams hold their connection for their whole
life, so instead each pool is kept small and never has waiting requests; new pools open as load
grows. The pools share one SSL context (building one loads the CA bundle, ~45 ms here).

``bench/concurrency.py`` measures this against a single pool: at 500 concurrent streams the
client's CPU falls as pools shrink (32 → 16 → 8 → 4 connections each), levelling off at 2-4, so
4 is the default. See ``docs/benchmarks.md``.

Cancellation. A task cancelled while httpcore assigns or sets up a connection can leave that
connection in the pool neither idle nor closed, holding one of the pool's few slots for good
(encode/httpcore#1093; the connection may even hold an open socket). Each shard therefore counts
its requests exactly (a response's close runs to the end even when the closing task is
cancelled, and the count drops only when it has), and after every request compares that count
with what its pool reports: a pool holding more busy connections than it has requests, or one
that timed out waiting for a connection it should have had, is retired, never picked again, and
closed (with whatever it leaked) once its last request ends. A new pool takes its place.

Idle pools are dropped after ``keepalive_expiry`` seconds without a request, closing their
sockets, so a burst does not leave hundreds of idle connections open.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from .sockets import pool_connections, release_sockets

__all__ = ["MAX_SHARDS", "ShardedAsyncTransport"]

#: Pools at most (the bound on connections is ``shard_size`` × this; ``http1`` uses the same).
MAX_SHARDS = 256


class _Shard:
    __slots__ = ("idle_since", "in_flight", "transport")

    def __init__(self, transport: httpx.AsyncHTTPTransport) -> None:
        self.transport = transport
        self.in_flight = 0
        self.idle_since = 0.0

    def leaked(self) -> bool:
        """Whether the pool holds busy connections no request of ours accounts for."""
        # httpx keeps its httpcore pool in ``_pool``; ``connections`` and the states are httpcore's
        # public API. Without them (another httpx) nothing can be told, and nothing is retired.
        pool = getattr(self.transport, "_pool", None)
        connections = getattr(pool, "connections", ())
        busy = sum(1 for c in connections if not c.is_idle() and not c.is_closed())
        return busy > self.in_flight


class _ReleasingStream(httpx.AsyncByteStream):
    """Counts the request as in flight until its body is closed, and closes it to the end even
    if the task closing it is cancelled (an interrupted close would leave httpcore's pool
    believing the connection is still in use)."""

    __slots__ = ("_owner", "_released", "_shard", "_stream")

    def __init__(
        self, stream: httpx.AsyncByteStream, owner: ShardedAsyncTransport, shard: _Shard
    ) -> None:
        self._stream = stream
        self._owner = owner
        self._shard = shard
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        if self._released:
            return
        self._released = True
        closing = asyncio.ensure_future(self._stream.aclose())
        try:
            await asyncio.shield(closing)
        finally:
            if closing.done():
                self._owner._request_ended(self._shard)
            else:  # cancelled while closing: the close goes on, and counts when it is over
                closing.add_done_callback(self._closed_later)

    def _closed_later(self, closing: asyncio.Future[None]) -> None:
        if not closing.cancelled():
            closing.exception()  # retrieved: a failed close is not worth a warning
        self._owner._request_ended(self._shard)


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        shard_size: int = 4,
        max_shards: int = MAX_SHARDS,
        verify: ssl.SSLContext | Callable[[], ssl.SSLContext] | bool = True,
        trust_env: bool = True,
        proxy: httpx.Proxy | str | None = None,
        keepalive_expiry: float = 5.0,
    ) -> None:
        if shard_size < 1 or max_shards < 1:
            raise ValueError("shard_size and max_shards must be at least 1")
        self.shard_size = shard_size
        self.max_shards = max_shards
        self.keepalive_expiry = keepalive_expiry
        self._verify = verify
        self._trust_env = trust_env
        self._proxy = proxy
        self._ssl_context: ssl.SSLContext | None = None
        self._shards: list[_Shard] = []
        #: Shards that may not serve again; each is closed once its last request ends.
        self._retired: set[_Shard] = set()
        #: Pools being closed in the background, with the connections each held.
        self._closing: dict[asyncio.Task[None], list[Any]] = {}
        self._prune_at: asyncio.TimerHandle | None = None
        self.retired_count = 0

    @property
    def in_flight(self) -> int:
        return sum(s.in_flight for s in self._shards) + sum(s.in_flight for s in self._retired)

    @property
    def shard_count(self) -> int:
        return len(self._shards)

    def pools(self) -> Iterator[Any]:
        """The httpcore pools this transport holds, serving or retired."""
        for shard in (*self._shards, *self._retired):
            pool = getattr(shard.transport, "_pool", None)
            if pool is not None:
                yield pool

    def _new_shard(self) -> _Shard:
        if self._ssl_context is None:
            # Building an SSL context loads the CA bundle (tens of milliseconds): build it once and
            # share it, or every new pool under a burst of requests pays that again.
            verify = self._verify
            if isinstance(verify, bool):
                verify = httpx.create_ssl_context(verify=verify, trust_env=self._trust_env)
            self._ssl_context = verify if isinstance(verify, ssl.SSLContext) else verify()
        transport = httpx.AsyncHTTPTransport(
            verify=self._ssl_context,
            trust_env=self._trust_env,
            proxy=self._proxy,
            limits=httpx.Limits(
                max_connections=self.shard_size,
                max_keepalive_connections=self.shard_size,
                keepalive_expiry=self.keepalive_expiry,
            ),
        )
        shard = _Shard(transport)
        self._shards.append(shard)
        return shard

    def _pick(self) -> _Shard:
        # Fill the first shard with room: at low load everything shares one warm pool.
        for shard in self._shards:
            if shard.in_flight < self.shard_size:
                return shard
        if len(self._shards) < self.max_shards:
            return self._new_shard()
        return min(self._shards, key=lambda s: s.in_flight)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        shard = self._pick()
        shard.in_flight += 1
        try:
            response = await shard.transport.handle_async_request(request)
        except BaseException as exc:
            if isinstance(exc, httpx.PoolTimeout):
                self._retire(shard)  # a pool we counted room in could not give a connection
            self._request_ended(shard)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, self, shard),
            extensions=response.extensions,
        )

    # -- book-keeping ------------------------------------------------------------------------

    def _request_ended(self, shard: _Shard) -> None:
        shard.in_flight -= 1
        if shard not in self._retired and shard.leaked():
            self._retire(shard)
        if shard.in_flight:
            return
        if shard in self._retired:
            self._retired.discard(shard)
            self._close_later(shard)
            return
        loop = asyncio.get_running_loop()
        shard.idle_since = loop.time()
        if self._prune_at is None:
            self._prune_at = loop.call_later(self.keepalive_expiry, self._prune)

    def _retire(self, shard: _Shard) -> None:
        if shard in self._shards:
            self._shards.remove(shard)
            self._retired.add(shard)
            self.retired_count += 1

    def _prune(self) -> None:
        """Close the pools idle for ``keepalive_expiry``; look again when the next one is due."""
        self._prune_at = None
        loop = asyncio.get_running_loop()
        now = loop.time()
        next_due: float | None = None
        for shard in list(self._shards):
            if shard.in_flight:
                continue
            due = shard.idle_since + self.keepalive_expiry
            if due <= now:
                self._shards.remove(shard)
                self._close_later(shard)
            elif next_due is None or due < next_due:
                next_due = due
        if next_due is not None:
            self._prune_at = loop.call_at(next_due, self._prune)

    def _close_later(self, shard: _Shard) -> None:
        held = pool_connections([getattr(shard.transport, "_pool", None)])
        task = asyncio.get_running_loop().create_task(shard.transport.aclose())
        self._closing[task] = held
        task.add_done_callback(self._closed)

    def _closed(self, task: asyncio.Task[None]) -> None:
        held = self._closing.pop(task, [])
        if task.cancelled() or task.exception() is not None:
            # Interrupted (a loop shutting down cancels every task) or failed: the pool had
            # already let go of the connections it had not closed yet. Their sockets go here.
            release_sockets(held)

    async def aclose(self) -> None:
        if self._prune_at is not None:
            self._prune_at.cancel()
            self._prune_at = None
        shards = [*self._shards, *self._retired]
        held = pool_connections(self.pools())
        self._shards = []
        self._retired = set()
        try:
            for shard in shards:
                with contextlib.suppress(Exception):
                    await shard.transport.aclose()
            if self._closing:
                await asyncio.gather(*self._closing, return_exceptions=True)
        except BaseException:
            release_sockets(held)  # cancelled half-way: nothing may stay open
            raise
