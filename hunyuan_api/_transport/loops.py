"""One ``httpx.AsyncClient`` per running event loop, closed when its loop ends.

Connection pools cannot cross event loops, so the async client keeps one per loop. Each must go
when its loop goes, or every ``asyncio.run(...)`` leaves a loop and its sockets behind:

- ``asyncio.run``, ``asyncio.Runner`` and pytest-asyncio end a loop with
  ``loop.shutdown_asyncgens()``, which closes every async generator started on the loop. Each
  loop's pool registers one such generator (a sentinel that only waits); its ``finally`` closes
  the pool on the loop, while the loop still runs.
- A loop closed without that (``loop.close()`` alone) is noticed the next time a pool is made
  for another loop: its sockets are let go (``sockets``; they cannot be closed the normal way
  without their loop) and its entry dropped.
- Entries are keyed by the loop's id and check a weak reference to it, so nothing here keeps a
  loop alive by itself (its connections do, until one of the above).
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field

import httpx

from . import fork
from .sockets import client_pools, release_pool_sockets

__all__ = ["LoopClients"]


@dataclass(eq=False)
class _Entry:
    loop: weakref.ref[asyncio.AbstractEventLoop]
    client: httpx.AsyncClient
    sentinel: AsyncGenerator[None, None] | None = field(default=None, repr=False)


class LoopClients:
    """The ``httpx.AsyncClient`` of each running event loop, built by ``factory``."""

    def __init__(self, factory: Callable[[], httpx.AsyncClient]) -> None:
        self._factory = factory
        self._entries: dict[int, _Entry] = {}
        fork.track(self)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self) -> httpx.AsyncClient:
        """The running loop's client, made (and set to close with the loop) on first use."""
        loop = asyncio.get_running_loop()
        entry = self._entries.get(id(loop))
        if entry is not None and entry.loop() is loop:
            return entry.client
        self._drop_closed_loops()
        entry = _Entry(weakref.ref(loop), self._factory())
        self._entries[id(loop)] = entry
        entry.sentinel = self._start_sentinel(entry)
        return entry.client

    def current(self) -> httpx.AsyncClient | None:
        """The running loop's client if it has one (none is made)."""
        loop = asyncio.get_running_loop()
        entry = self._entries.get(id(loop))
        return entry.client if entry is not None and entry.loop() is loop else None

    async def aclose_current(self) -> None:
        """Close the running loop's client now (a later use makes a new one)."""
        loop = asyncio.get_running_loop()
        entry = self._entries.get(id(loop))
        if entry is None or entry.loop() is not loop:
            return
        del self._entries[id(loop)]
        if entry.sentinel is not None:
            await entry.sentinel.aclose()  # its ``finally`` closes the client
        else:
            await entry.client.aclose()

    # -- the end of a loop ----------------------------------------------------------------------

    def _start_sentinel(self, entry: _Entry) -> AsyncGenerator[None, None]:
        sentinel = self._until_loop_shutdown(entry)
        # Run it to its first ``yield`` right here: starting it registers it with the running
        # loop's async-generator hooks, which is all that is needed.
        with contextlib.suppress(StopIteration):
            sentinel.asend(None).send(None)
        return sentinel

    async def _until_loop_shutdown(self, entry: _Entry) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            loop = entry.loop()
            if loop is not None and self._entries.get(id(loop)) is entry:
                del self._entries[id(loop)]
            with contextlib.suppress(Exception):
                await entry.client.aclose()

    def _drop_closed_loops(self) -> None:
        for key, entry in list(self._entries.items()):
            loop = entry.loop()
            if loop is None or loop.is_closed():
                del self._entries[key]
                # Its transports cannot close without their loop: let go of the sockets.
                release_pool_sockets(client_pools(entry.client))

    # -- fork -----------------------------------------------------------------------------------

    def _after_fork_in_child(self) -> None:
        entries, self._entries = self._entries, {}
        for entry in entries.values():
            release_pool_sockets(client_pools(entry.client))
            # Never finalized here: the sentinel belongs to a loop of the parent.
            fork.keep_inherited(entry)
