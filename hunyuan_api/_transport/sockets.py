"""Letting go of pooled sockets without a word on the wire.

Two situations need it: a forked child holds copies of its parent's pooled sockets (closing
them the normal way could send a TLS ``close_notify`` on the parent's live connection, or talk
to the parent's event loop), and a pool whose event loop was closed cannot be closed the normal
way any more (its transports need the loop). In both, this process only drops its own file
descriptor: no ``shutdown``, no TLS alert, nothing the peer or another process can notice except,
once no process holds the socket, the connection closing.

httpx and httpcore expose connections (``pool.connections``) and each network stream's socket
(``get_extra_info("socket")``) publicly; the links between them (``_pool``, ``_connection``,
``_network_stream``) are private attributes, read here defensively: anything unexpected is
skipped, never fatal.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["client_pools", "pool_connections", "release_pool_sockets", "release_sockets"]

# Proxy connections wrap the connection that owns the socket; never more than a few levels.
_MAX_DEPTH = 4


def client_pools(client: Any) -> Iterator[Any]:
    """The httpcore pools behind an ``httpx.Client``/``AsyncClient``: its transport's and its
    mounts' (env proxies); a transport with ``pools()`` (``ShardedAsyncTransport``,
    ``HTTP1Transport``) lists its own."""
    transports = [getattr(client, "_transport", None)]
    transports += list(getattr(client, "_mounts", {}).values())
    for transport in transports:
        if transport is None:
            continue
        pools = getattr(transport, "pools", None)
        if callable(pools):
            yield from pools()
        elif (pool := getattr(transport, "_pool", None)) is not None:
            yield pool


def pool_connections(pools: Iterable[Any]) -> list[Any]:
    """The connections the httpcore ``pools`` hold now."""
    return [c for pool in pools for c in list(getattr(pool, "connections", ()))]


def _sockets(connections: Iterable[Any]) -> Iterator[Any]:
    for connection in connections:
        raw_socket = getattr(connection, "raw_socket", None)
        if callable(raw_socket):  # ``http1.HTTP1Transport``'s own connections
            if (sock := raw_socket()) is not None:
                yield sock
            continue
        node = connection
        for _ in range(_MAX_DEPTH):
            stream = getattr(node, "_network_stream", None)
            if stream is not None:
                sock = stream.get_extra_info("socket")
                if sock is not None:
                    yield sock
                break
            node = getattr(node, "_connection", None)
            if node is None:
                break


def _release(sock: Any) -> None:
    # An ssl.SSLSocket is a socket.socket whose close() sends nothing (only unwrap() would).
    # asyncio hands out a TransportSocket wrapper; the socket it wraps is closed the same way.
    raw = sock if isinstance(sock, socket.socket) else getattr(sock, "_sock", None)
    if isinstance(raw, socket.socket):
        raw.close()
        return
    fileno = getattr(sock, "fileno", None)
    if callable(fileno) and (fd := fileno()) >= 0:
        # Unknown wrapper: point the descriptor at /dev/null. The connection is released, and
        # the number stays owned by the wrapper, which closes it in due course.
        null = os.open(os.devnull, os.O_RDWR)
        try:
            os.dup2(null, fd)
        finally:
            os.close(null)


def release_sockets(connections: Iterable[Any]) -> int:
    """Drop this process's descriptors of the sockets of ``connections`` (httpcore's or
    ``HTTP1Transport``'s); how many were dropped."""
    count = 0
    for sock in _sockets(connections):
        try:
            _release(sock)
        except OSError:
            continue
        count += 1
    return count


def release_pool_sockets(pools: Iterable[Any]) -> int:
    """``release_sockets`` for every connection in ``pools``."""
    return release_sockets(pool_connections(pools))
