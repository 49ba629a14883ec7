"""SSE decoding alone: the project's decoder vs httpx-sse vs the official SDK's parser, on the
same bytes split into the same network-sized chunks."""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Callable
from typing import Any

from ._util import measure_both


def sample_body(n: int) -> bytes:
    frames = (
        {
            "ID": "msg_x",
            "Object": "thread.message.delta",
            "Delta": {"Role": "assistant", "Content": "你好" if i % 2 else "hello "},
        }
        for i in range(n)
    )
    return b"".join(
        b"data: " + json.dumps(f, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"
        for f in frames
    )


def _chunks(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)]


def project(chunks: list[bytes]) -> int:
    from hunyuan_api._wire.sse import SSEDecoder

    decoder = SSEDecoder()
    count = 0
    for chunk in chunks:
        count += len(decoder.feed(chunk))
    return count + len(decoder.flush())


def httpx_sse(chunks: list[bytes]) -> int:
    from httpx_sse._decoders import SSEDecoder, SSELineDecoder

    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    lines = SSELineDecoder()
    events = SSEDecoder()
    count = 0
    for chunk in chunks:
        for line in lines.decode(text.decode(chunk)):
            if events.decode(line) is not None:
                count += 1
    return count


def tencent_sdk(chunks: list[bytes]) -> int:
    import requests
    from tencentcloud.common.abstract_client import AbstractClient

    response = requests.Response()
    response.raw = io.BytesIO(b"".join(chunks))
    response.status_code = 200
    return sum(1 for event in AbstractClient._process_response_sse(response) if event)


DECODERS: dict[str, Callable[[list[bytes]], int]] = {
    "hunyuan_api.SSEDecoder": project,
    "httpx-sse": httpx_sse,
    "tencentcloud SDK": tencent_sdk,
}


def run(n: int, repeat: int, chunk_size: int = 4096) -> dict[str, Any]:
    chunks = _chunks(sample_body(n), chunk_size)
    out: dict[str, Any] = {
        "events": n,
        "chunk_size": chunk_size,
        "bytes": sum(map(len, chunks)),
        "repeat": repeat,
        "times": {},
    }
    for name, decode in DECODERS.items():
        if decode(chunks) != n:
            raise AssertionError(f"{name} decoded the wrong number of events")
        out["times"][name] = measure_both(lambda d=decode: d(chunks), repeat=repeat)
    return out
