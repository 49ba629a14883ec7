"""Reading the end of a finished body, without waiting long for it.

After a run ends the server closes its body at once (at most a ``[DONE]`` and the terminating
chunk are left). Read to its end, the connection goes back to the pool and the next call skips
the TCP and TLS handshakes; closed early, it is thrown away. ``drain_async`` bounds that read
with ``asyncio.wait_for``. A blocking read cannot be bounded that way (httpx fixed its timeout
when the request was sent), so here a read is made only when it has something to read: bytes
the HTTP parser received and has not processed yet (often the whole end came with the last
frame), decrypted TLS bytes, or a socket that turns readable within what is left of the bound.
A body that goes on after that (heartbeats) is cut at ``seconds`` or ``max_bytes``.

The parser is reached through httpx's and httpcore's private links (``_httpcore_stream``,
``_stream``, ``_connection``, ``_h11_state``), read defensively as in ``sockets``; what it
holds is h11's public ``trailing_data``. Without them only the socket is watched.

What remains unbounded is a read that finds only part of what it needs (a TLS record cut in
two, a chunk-size line without its end) and waits for the rest: a server ending a body does not
write that way, and the read's own timeout still ends it.
"""

from __future__ import annotations

import asyncio
import select
import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx

__all__ = ["drain_async", "drain_blocking"]


_PARSER_PATH = ("_httpcore_stream", "_stream", "_connection", "_h11_state")


def _parsed_ahead(response: httpx.Response) -> bool:
    node: object = response.stream
    for name in _PARSER_PATH:
        node = getattr(node, name, None)
        if node is None:
            return False
    trailing = getattr(node, "trailing_data", None)
    return isinstance(trailing, tuple) and bool(trailing[0])


def _has_bytes(sock: socket.socket, seconds: float) -> bool:
    pending = getattr(sock, "pending", None)  # ssl.SSLSocket: bytes decrypted, not yet read
    if callable(pending) and pending() > 0:
        return True
    if hasattr(select, "poll"):
        # poll, not select: select refuses descriptors past 1023, which a busy server reaches.
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(seconds * 1000))
    readable, _, _ = select.select([sock], [], [], seconds)  # Windows: no poll, no such limit
    return bool(readable)


def drain_blocking(
    response: httpx.Response, chunks: Iterator[bytes], seconds: float, max_bytes: int
) -> bool:
    """Read ``chunks`` (``response``'s body) to its end if it ends within ``seconds`` and
    ``max_bytes``; whether it did. Without a socket to watch, nothing is read."""
    stream = response.extensions.get("network_stream")
    get_extra_info = getattr(stream, "get_extra_info", None)
    sock = get_extra_info("socket") if callable(get_extra_info) else None
    if not isinstance(sock, socket.socket):  # ssl.SSLSocket is one
        return False
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not (_parsed_ahead(response) or _has_bytes(sock, left)):
            return False
        try:
            chunk = next(chunks)
        except StopIteration:
            return True
        max_bytes -= len(chunk)
        if max_bytes < 0:
            return False


async def _read_to_end(chunks: AsyncIterator[bytes], max_bytes: int) -> bool:
    async for chunk in chunks:
        max_bytes -= len(chunk)
        if max_bytes < 0:
            return False
    return True


async def drain_async(chunks: AsyncIterator[bytes], seconds: float, max_bytes: int) -> bool:
    """``drain_blocking`` for an async body: read ``chunks`` to the end if it ends within
    ``seconds`` and ``max_bytes``; whether it did."""
    try:
        return await asyncio.wait_for(_read_to_end(chunks, max_bytes), seconds)
    except asyncio.TimeoutError:
        return False
