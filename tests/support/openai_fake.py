"""A small OpenAI-format server for ``httpx.MockTransport``, written from OpenAI's wire format
rather than from the emulator: the OpenAI-compatible transport is checked against something
the emulator did not shape."""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.fake_service import ChunkStream

KEY = "sk-test-openai-fake-0001"
BASE_URL = "https://api.hunyuan.cloud.tencent.com/v1"
USAGE = {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}


def data(obj: Any) -> bytes:
    text = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    return f"data: {text}\n\n".encode()


def chunk(delta: dict[str, Any] | None = None, finish: str | None = None, **extra: Any) -> bytes:
    choices = [] if delta is None else [{"index": 0, "delta": delta, "finish_reason": finish}]
    body = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "choices": choices, **extra}
    return data(body)


def text_stream(*pieces: str, finish: str = "stop") -> list[bytes]:
    """A stream of ``pieces`` as OpenAI sends it, with the usage chunk and [DONE]."""
    frames = [chunk({"role": "assistant", "content": ""})]
    frames += [chunk({"content": p}) for p in pieces]
    frames += [chunk({}, finish), chunk(None, usage=USAGE), data("[DONE]")]
    return frames


def error_body(status: int, message: str, code: str, kind: str, **headers: str) -> httpx.Response:
    body = {"error": {"message": message, "type": kind, "code": code, "param": None}}
    return httpx.Response(
        status,
        headers={"Content-Type": "application/json", "X-Request-Id": f"req-{status}", **headers},
        content=json.dumps(body).encode(),
    )


@dataclass
class Seen:
    path: str
    body: dict[str, Any]
    headers: httpx.Headers


class OpenAIFake:
    """Answers ``POST /v1/chat/completions`` with scripted replies (a stream of ``reply`` by
    default), recording every request."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.replies: deque[httpx.Response] = deque()
        self._lock = threading.Lock()

    def reply(self, *responses: httpx.Response) -> None:
        self.replies.extend(responses)

    def stream(self, frames: Iterable[bytes], **headers: str) -> httpx.Response:
        return httpx.Response(
            200,
            headers={"Content-Type": "text/event-stream", "X-Request-Id": "req-stream", **headers},
            stream=ChunkStream(frames),
        )

    def answer(self, message: dict[str, Any], finish: str = "stop") -> httpx.Response:
        body = {
            "id": "chatcmpl-2",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": USAGE,
        }
        return httpx.Response(
            200,
            headers={"Content-Type": "application/json", "X-Request-Id": "req-answer"},
            content=json.dumps(body).encode(),
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        with self._lock:
            self.requests.append(Seen(request.url.path, body, request.headers.copy()))
            queued = self.replies.popleft() if self.replies else None
        if request.headers.get("Authorization") != f"Bearer {KEY}":
            return error_body(401, "Incorrect API key provided", "invalid_api_key", "auth")
        if queued is not None:
            return queued
        if body.get("stream"):
            return self.stream(text_stream("re", "ply"))
        return self.answer({"role": "assistant", "content": "reply"})
