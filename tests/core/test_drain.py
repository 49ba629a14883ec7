"""``drain``: the sync client's wait for the end of a finished body."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest

from hunyuan_api._transport.drain import _has_bytes

resource = pytest.importorskip("resource")  # not on Windows


@pytest.fixture
def high_socket() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected pair whose reading end has a descriptor past 1023, as in a busy server."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = 1500
    if hard != resource.RLIM_INFINITY and hard <= target:
        pytest.skip(f"the hard limit on open files ({hard}) is too low")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, target + 1), hard))
    reader, writer = socket.socketpair()
    try:
        os.dup2(reader.fileno(), target)
        high = socket.socket(fileno=target)
        try:
            yield high, writer
        finally:
            high.close()
    finally:
        reader.close()
        writer.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_readiness_is_seen_on_a_descriptor_past_1023(
    high_socket: tuple[socket.socket, socket.socket],
) -> None:
    high, writer = high_socket
    assert high.fileno() > 1023
    assert not _has_bytes(high, 0.01)
    writer.sendall(b"0\r\n\r\n")
    assert _has_bytes(high, 5.0)
