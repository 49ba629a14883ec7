"""What the async client's pools hold, read the way the load and cancellation tests check it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from hunyuan_api._transport.http1 import HTTP1Transport
from hunyuan_api._transport.pool import ShardedAsyncTransport

__all__ = ["cancel_after_each_turn", "direct_transport", "stuck_connections"]


def direct_transport(aclient: Any) -> HTTP1Transport:
    """The running loop's transport of an ``AsyncHunyuanClient`` for unproxied routes."""
    transport = aclient._http._transport
    assert isinstance(transport, HTTP1Transport)
    return transport


def stuck_connections(transport: ShardedAsyncTransport | HTTP1Transport) -> list[str]:
    """The connections that are neither idle nor closed, or counted busy by no request (after
    every request has ended there should be none)."""
    if isinstance(transport, HTTP1Transport):
        held = transport.connections
        busy = [repr(c) for c in held if c.busy or c.gone]
        # every connection is in the idle lists exactly once, or busy; the counts agree
        idle = [c for deque in transport._idle.values() for c in deque if not c.gone]
        if len(idle) != len(set(idle)) or set(idle) != {c for c in held if not c.busy}:
            busy.append(f"idle lists {idle} disagree with {held}")
        if transport._open != len(held) or transport._idle_count != len(idle):
            busy.append(f"counted {transport._open} open, {transport._idle_count} idle")
        return busy
    return [
        connection.info()
        for shard in transport._shards
        for connection in shard.transport._pool.connections
        if not (connection.is_idle() or connection.is_closed())
    ]


async def cancel_after_each_turn(
    call: Callable[[], Awaitable[object]], turns: int, check: Callable[[int], Awaitable[None]]
) -> None:
    """Start ``call`` and cancel it after 0, 1, 2, ... event-loop turns (so the cancellation
    lands at each await of a request in turn); ``await check(n)`` after each."""
    for n in range(turns):
        task = asyncio.ensure_future(call())
        for _ in range(n):
            await asyncio.sleep(0)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await check(n)
