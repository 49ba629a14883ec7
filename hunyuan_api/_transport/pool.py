"""An async transport that spreads requests over several small connection pools.

One httpcore pool re-examines every connection for every waiting request whenever a request
starts or ends, so its cost grows with connections × waiting requests: hundreds of concurrent
streams in one pool spend most of their CPU there. Streams hold their connection for their whole
life, so instead each pool is kept small and never has waiting requests; new pools open as load
grows. The pools share one SSL context (building one loads the CA bundle, ~45 ms here).

``bench/concurrency.py`` measures this against a single pool: at 500 concurrent streams the
client's CPU falls as pools shrink (32 → 16 → 8 → 4 connections each), levelling off at 2-4, so
4 is the default. See ``docs/benchmarks.md``.
"""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator

import httpx

__all__ = ["ShardedAsyncTransport"]


class _Shard:
    __slots__ = ("in_flight", "transport")

    def __init__(self, transport: httpx.AsyncHTTPTransport) -> None:
        self.transport = transport
        self.in_flight = 0


class _ReleasingStream(httpx.AsyncByteStream):
    """Counts the request as in flight until its body is closed."""

    __slots__ = ("_released", "_shard", "_stream")

    def __init__(self, stream: httpx.AsyncByteStream, shard: _Shard) -> None:
        self._stream = stream
        self._shard = shard
        self._released = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        if not self._released:
            self._released = True
            self._shard.in_flight -= 1
        await self._stream.aclose()


class ShardedAsyncTransport(httpx.AsyncBaseTransport):
    def __init__(
        self,
        *,
        shard_size: int = 4,
        max_shards: int = 256,
        verify: bool | str = True,
        trust_env: bool = True,
    ) -> None:
        if shard_size < 1 or max_shards < 1:
            raise ValueError("shard_size and max_shards must be at least 1")
        self.shard_size = shard_size
        self.max_shards = max_shards
        self._verify = verify
        self._trust_env = trust_env
        self._ssl_context: ssl.SSLContext | None = None
        self._shards: list[_Shard] = []

    @property
    def in_flight(self) -> int:
        return sum(s.in_flight for s in self._shards)

    @property
    def shard_count(self) -> int:
        return len(self._shards)

    def _new_shard(self) -> _Shard:
        if self._ssl_context is None:
            # Building an SSL context loads the CA bundle (tens of milliseconds): build it once and
            # share it, or every new pool under a burst of requests pays that again.
            self._ssl_context = httpx.create_ssl_context(
                verify=self._verify, trust_env=self._trust_env
            )
        transport = httpx.AsyncHTTPTransport(
            verify=self._ssl_context,
            trust_env=self._trust_env,
            limits=httpx.Limits(
                max_connections=self.shard_size, max_keepalive_connections=self.shard_size
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
        except BaseException:
            shard.in_flight -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, shard),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        shards, self._shards = self._shards, []
        for shard in shards:
            await shard.transport.aclose()
