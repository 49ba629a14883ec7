"""What the async client's sharded pool holds, read the way the load and cancellation tests
check it."""

from __future__ import annotations

from hunyuan_api._transport.pool import ShardedAsyncTransport

__all__ = ["stuck_connections"]


def stuck_connections(transport: ShardedAsyncTransport) -> list[str]:
    """The connections of the serving pools that are neither idle nor closed (after every
    request has ended there should be none)."""
    return [
        connection.info()
        for shard in transport._shards
        for connection in shard.transport._pool.connections
        if not (connection.is_idle() or connection.is_closed())
    ]
