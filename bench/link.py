"""A simulated network link: a TCP proxy that delays every byte by a fixed one-way delay.

    with running(Link("127.0.0.1", emulator_port, delay=0.040)) as link:
        ...  # talk to link.url instead of the emulator

Each direction of each connection is delayed by ``delay`` seconds: a chunk read at time t is
written at t + delay, in the order it was read (a FIFO per direction, so data keeps its order and
a stream's pacing is preserved, only shifted). A new connection waits one round trip (2 ×
``delay``) before any of its bytes move, which models TCP's handshake; TLS is not modelled (the
emulator speaks plain HTTP), so over a real link a new connection costs one or two round trips
more than here, the same for every contender that has to open one. Bandwidth is not limited.

The proxy runs on its own event loop in a daemon thread, so sync and async clients in the
benchmark's thread are measured alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Iterator

__all__ = ["Link", "running"]

_CHUNK = 65_536


class Link:
    """A delaying TCP proxy from ``url`` to ``upstream_host:upstream_port``."""

    def __init__(self, upstream_host: str, upstream_port: int, *, delay: float = 0.040) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.delay = delay
        self.port = 0
        self.connections = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bench-link", daemon=True)
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the simulated link did not start")

    def stop(self) -> None:
        loop = self._loop
        if loop is not None:
            loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        loop = self._loop = asyncio.new_event_loop()
        server = loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._started.set()
        try:
            loop.run_forever()
        finally:
            # Every connection's tasks end here, on their loop, before it closes.
            server.close()
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            # The handshake: one round trip before the first byte moves either way.
            await asyncio.sleep(2 * self.delay)
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        try:
            await asyncio.gather(
                self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
            )
        except asyncio.CancelledError:
            # The link is stopping. Ending normally: asyncio's stream server logs a traceback
            # for every connection handler that ends cancelled.
            return

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()

        async def deliver() -> None:
            while True:
                due, chunk = await queue.get()
                wait = due - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                if not chunk:
                    break
                writer.write(chunk)
                await writer.drain()

        sender = asyncio.create_task(deliver())
        try:
            while True:
                chunk = await reader.read(_CHUNK)
                queue.put_nowait((time.perf_counter() + self.delay, chunk))
                if not chunk:
                    break
            await sender
        except BaseException:
            sender.cancel()
            raise
        finally:
            with contextlib.suppress(Exception):
                if writer.can_write_eof():
                    writer.write_eof()
            with contextlib.suppress(Exception):
                writer.close()


@contextlib.contextmanager
def running(link: Link) -> Iterator[Link]:
    """``link``, started, and stopped on the way out."""
    link.start()
    try:
        yield link
    finally:
        link.stop()
