"""Connection pools on a real loopback server: ShardedAsyncTransport, pool_stats, event loops."""

from __future__ import annotations

import asyncio
import contextlib
import time

import httpx
import pytest

from hunyuan_api import (
    AsyncHunyuanClient,
    HunyuanClient,
    Message,
    RunFinished,
    TextDelta,
)
from hunyuan_api._transport.pool import ShardedAsyncTransport
from tests.support.fake_service import LoopbackServer
from tests.support.messages import U
from tests.support.pools import cancel_after_each_turn, stuck_connections

pytestmark = pytest.mark.timeout(30)


def _client(server: LoopbackServer, **kwargs) -> AsyncHunyuanClient:
    return AsyncHunyuanClient(secret_id="AKIDpool", secret_key="k", base_url=server.url, **kwargs)


async def _open_stream(http: httpx.AsyncClient, server: LoopbackServer) -> httpx.Response:
    request = http.build_request(
        "POST", server.url + "/", json={"ThreadID": "t"}, headers={"X-TC-Action": "RunThread"}
    )
    return await http.send(request, stream=True)


async def _until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


# -- ShardedAsyncTransport -----------------------------------------------------------------


async def test_second_pool_opens_only_when_the_first_is_full(loopback: LoopbackServer) -> None:
    loopback.gate.clear()  # hold every stream open after its first frames
    transport = ShardedAsyncTransport(shard_size=2)
    async with httpx.AsyncClient(transport=transport, timeout=10) as http:
        assert (transport.in_flight, transport.shard_count) == (0, 0)
        first = await _open_stream(http, loopback)
        assert (transport.in_flight, transport.shard_count) == (1, 1)
        second = await _open_stream(http, loopback)
        assert (transport.in_flight, transport.shard_count) == (2, 1)
        third = await _open_stream(http, loopback)
        assert (transport.in_flight, transport.shard_count) == (3, 2)

        await first.aclose()
        assert transport.in_flight == 2
        # the first pool has room again: no third pool
        fourth = await _open_stream(http, loopback)
        assert (transport.in_flight, transport.shard_count) == (3, 2)

        loopback.gate.set()
        body = await second.aread()
        assert b"loopback" in body
        assert transport.in_flight == 2  # reading to the end closes the response
        for response in (third, fourth):
            await response.aclose()
        assert transport.in_flight == 0
    assert transport.shard_count == 0  # closed with the client


async def test_max_shards_bounds_the_pools(loopback: LoopbackServer) -> None:
    loopback.gate.clear()
    transport = ShardedAsyncTransport(shard_size=1, max_shards=2)
    async with httpx.AsyncClient(transport=transport, timeout=10) as http:
        a = await _open_stream(http, loopback)
        b = await _open_stream(http, loopback)
        assert (transport.in_flight, transport.shard_count) == (2, 2)
        # a third request queues on the least busy pool instead of opening a third one
        third = asyncio.create_task(_open_stream(http, loopback))
        await _until(lambda: transport.in_flight == 3)
        assert transport.shard_count == 2
        loopback.gate.set()
        assert b"loopback" in await a.aread()  # frees the connection the third one waits for
        assert b"loopback" in await b.aread()
        assert b"loopback" in await (await third).aread()
        assert (transport.in_flight, transport.shard_count) == (0, 2)


async def test_failed_request_does_not_stay_in_flight() -> None:
    transport = ShardedAsyncTransport(shard_size=4)
    async with httpx.AsyncClient(transport=transport, timeout=2) as http:
        # a loopback port nobody listens on
        with contextlib.closing(__import__("socket").socket()) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        with pytest.raises(httpx.ConnectError):
            await http.post(f"http://127.0.0.1:{port}/", content=b"{}")
        assert transport.in_flight == 0


async def test_a_cancel_at_any_point_of_a_request_leaves_no_busy_connection(
    loopback: LoopbackServer,
) -> None:
    """The cancellation point walks through the request one event-loop turn at a time: pool
    assignment, connection set-up, the request, the headers, the body, the close. After each,
    no serving pool holds a connection that is neither idle nor closed, and a request works."""
    transport = ShardedAsyncTransport(shard_size=2)
    async with httpx.AsyncClient(transport=transport, timeout=5) as http:

        async def call() -> bytes:
            response = await _open_stream(http, loopback)
            try:
                return await response.aread()
            finally:
                await response.aclose()

        async def check(turns: int) -> None:
            await _until(lambda: transport.in_flight == 0)
            assert stuck_connections(transport) == [], turns

        for _ in range(5):
            await cancel_after_each_turn(call, 40, check)
        assert b"loopback" in await call()


async def test_idle_pools_are_closed_after_the_keepalive_period(loopback: LoopbackServer) -> None:
    loopback.gate.clear()
    transport = ShardedAsyncTransport(shard_size=2, keepalive_expiry=0.3)
    async with httpx.AsyncClient(transport=transport, timeout=10) as http:
        streams = [await _open_stream(http, loopback) for _ in range(10)]
        assert transport.shard_count == 5
        loopback.gate.set()
        for response in streams:
            await response.aread()
        # A burst leaves its pools idle, with their sockets kept alive for a while ...
        pools = [shard.transport._pool for shard in transport._shards]
        assert sum(len(pool.connections) for pool in pools) == 10
        # ... and then closed: no pool, no socket.
        await _until(lambda: transport.shard_count == 0)
        await _until(lambda: not transport._closing)
        assert all(pool.connections == [] for pool in pools)
        # The next request opens a fresh pool.
        response = await _open_stream(http, loopback)
        assert b"loopback" in await response.aread()
        assert transport.shard_count == 1


def test_invalid_shard_settings() -> None:
    with pytest.raises(ValueError, match="shard_size"):
        ShardedAsyncTransport(shard_size=0)
    with pytest.raises(ValueError, match="max_shards"):
        ShardedAsyncTransport(max_shards=0)


# -- pool_stats through the client ---------------------------------------------------------


async def test_pool_stats_return_to_zero_after_streams(loopback: LoopbackServer) -> None:
    client = _client(loopback, pool_size=2)
    try:
        results = await asyncio.gather(*(client.chat([U(f"q{i}")]) for i in range(5)))
        assert all(r.text == "Hello from loopback" for r in results)
        stats = client.pool_stats()
        assert stats["in_flight"] == 0
        assert stats["pools"] >= 1
    finally:
        await client.aclose()


async def test_pool_stats_during_and_after_concurrent_streams(loopback: LoopbackServer) -> None:
    loopback.gate.clear()
    client = _client(loopback, pool_size=2)
    try:
        streams = [client.stream_chat([U(f"q{i}")]) for i in range(3)]
        firsts = [await s.__anext__() for s in streams]
        assert all(isinstance(e, TextDelta) for e in firsts)
        stats = client.pool_stats()
        assert stats == {"in_flight": 3, "pools": 1, "connections": 3}
        loopback.gate.set()
        for s in streams:
            rest = [e async for e in s]
            assert isinstance(rest[-1], RunFinished)
        assert client.pool_stats()["in_flight"] == 0
    finally:
        await client.aclose()


async def test_pool_stats_after_consumer_breaks_out_early(loopback: LoopbackServer) -> None:
    loopback.gate.clear()
    client = _client(loopback)
    try:
        async with contextlib.aclosing(client.stream_chat([U("hi")])) as stream:
            async for event in stream:
                assert isinstance(event, TextDelta)
                assert client.pool_stats()["in_flight"] == 1
                break
        assert client.pool_stats()["in_flight"] == 0

        # a plain `break` with no aclose: the event loop finalizes the generator soon after
        stream2 = client.stream_chat([U("hi")])
        async for _event in stream2:
            break
        del stream2
        await _until(lambda: client.pool_stats()["in_flight"] == 0)
    finally:
        loopback.gate.set()
        await client.aclose()


async def test_injected_http_client_reports_unknown_pool() -> None:
    client = AsyncHunyuanClient(
        secret_id="a",
        secret_key="b",
        http_async_client=httpx.AsyncClient(
            transport=httpx.MockTransport(lambda r: httpx.Response(200))
        ),
    )
    assert client.pool_stats() == {"in_flight": -1, "pools": 1}


# -- several event loops -------------------------------------------------------------------


def test_async_client_works_across_asyncio_run_calls(loopback: LoopbackServer) -> None:
    client = _client(loopback)

    async def once(n: int) -> tuple[str, dict[str, int]]:
        result = await client.chat([U(f"q{n}")])
        return result.text, client.pool_stats()

    # no aclose between runs: each loop's pool is its own, so a pooled connection from a closed
    # loop is never reused
    for n in range(3):
        text, stats = asyncio.run(once(n))
        assert text == "Hello from loopback"
        assert stats["in_flight"] == 0

    async def close() -> None:
        await client.aclose()

    asyncio.run(close())
    assert loopback.requests == 6  # CreateThread + RunThread per run


def test_sync_client_on_loopback(loopback: LoopbackServer) -> None:
    # The loopback server lists no thread messages: threads stay with this process.
    with HunyuanClient(
        secret_id="AKIDpool", secret_key="k", base_url=loopback.url, resume_threads=False
    ) as client:
        first = client.chat([U("hi")])
        assert first.text == "Hello from loopback"
        second = client.chat([U("hi"), Message("assistant", first.text), U("more")])
        assert second.continued_thread
