"""Helpers shared by the tests in tests/core: SSE frame builders, a scripted fake Hunyuan
service for ``httpx.MockTransport``, a harness that drives the sync or the async client with one
test body, and a small threaded loopback HTTP server for the tests that need real pools."""

from __future__ import annotations

import itertools
import json
import threading
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from hunyuan_api import (
    AsyncHunyuanClient,
    HunyuanClient,
    HunyuanError,
    Message,
    RetryPolicy,
    RunFinished,
    RunOptions,
    RunResult,
    StreamEvent,
    TextDelta,
    ThreadLedger,
)
from tests.support.servers import ActionHandler, InBackground, http_server

# -- wire helpers ---------------------------------------------------------------------------


def sse(obj: Any, *, event: str | None = None) -> bytes:
    """One SSE frame: optional ``event:`` line, one ``data:`` line, blank line."""
    data = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n".encode()


def run_frame(thread_id: str, status: str, **fields: Any) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "Object": "thread.run",
        "ID": fields.pop("run_id", "run_1"),
        "ThreadID": thread_id,
        "Status": status,
        "Model": "hunyuan-turbo",
    }
    frame.update(fields)
    return frame


def delta_frame(text: str | None = None, *, tool_calls: Any = None) -> dict[str, Any]:
    delta: dict[str, Any] = {"Role": "assistant"}
    if text is not None:
        delta["Content"] = text
    if tool_calls is not None:
        delta["ToolCalls"] = tool_calls
    return {"Object": "thread.message.delta", "ID": "msg_1", "Delta": delta}


def message_frame(
    thread_id: str, content: str, status: str, *, message_id: str = "msg_1"
) -> dict[str, Any]:
    return {
        "Object": "thread.message",
        "ID": message_id,
        "RunID": "run_1",
        "ThreadID": thread_id,
        "Role": "assistant",
        "Content": content,
        "Status": status,
    }


USAGE = {"PromptTokens": 11, "CompletionTokens": 7, "TotalTokens": 18}


def run_stream(
    thread_id: str,
    pieces: Sequence[str],
    *,
    final: dict[str, Any] | None = None,
    done: bool = True,
    message_id: str = "msg_1",
) -> list[bytes]:
    """The frames of a successful RunThread stream that streams ``pieces`` as text deltas."""
    text = "".join(pieces)
    frames = [
        sse(run_frame(thread_id, "queued")),
        sse(run_frame(thread_id, "in_progress")),
        sse(message_frame(thread_id, "", "in_progress", message_id=message_id)),
        *(sse(delta_frame(p)) for p in pieces),
        sse(message_frame(thread_id, text, "completed", message_id=message_id)),
        sse(final if final is not None else run_frame(thread_id, "completed", Usage=USAGE)),
    ]
    if done:
        frames.append(sse("[DONE]"))
    return frames


class ChunkStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body delivered in the given chunks, for sync and async clients alike.

    Records how many chunks were handed out and whether it was closed; optionally raises
    ``error`` after the last chunk (a connection that breaks)."""

    def __init__(self, chunks: Iterable[bytes], *, error: BaseException | None = None) -> None:
        self.chunks = list(chunks)
        self.error = error
        self.yielded = 0
        self.closed = False

    def _iter(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.yielded += 1
            yield chunk
        if self.error is not None:
            raise self.error

    def __iter__(self) -> Iterator[bytes]:
        yield from self._iter()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._iter():
            yield chunk

    def close(self) -> None:
        self.closed = True

    async def aclose(self) -> None:
        self.closed = True


def json_response(payload: dict[str, Any], *, status: int = 200, request_id: str = "req-json"):
    body = {"Response": {**payload, "RequestId": request_id}}
    return httpx.Response(
        status, headers={"Content-Type": "application/json"}, content=json.dumps(body).encode()
    )


def error_response(code: str, message: str = "", *, request_id: str = "req-err", status=200):
    return json_response(
        {"Error": {"Code": code, "Message": message}}, status=status, request_id=request_id
    )


# -- the fake service -----------------------------------------------------------------------


@dataclass
class Recorded:
    action: str
    body: dict[str, Any]
    headers: httpx.Headers
    content: bytes
    url: str


Reply = httpx.Response | BaseException | Callable[[httpx.Request, dict[str, Any]], Any]


class FakeService:
    """Answers CreateThread / RunThread / GetThreadMessageList / ChatCompletions like the real
    service would, unless a reply was scripted for the action. Each unscripted RunThread reply
    streams ``reply <n>`` and is stored, with the messages it was sent, in its thread (scripted
    runs store nothing: the fake cannot tell whether they succeed)."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self.streams: list[ChunkStream] = []
        #: The message ids each thread holds, oldest first.
        self.threads: dict[str, list[str]] = {}
        self._thread_ids = itertools.count(1)
        self._runs = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._lock = threading.Lock()

    # scripting
    def script(self, action: str, *replies: Reply) -> None:
        self.scripts[action].extend(replies)

    def stream(
        self,
        chunks: Iterable[bytes],
        *,
        error: BaseException | None = None,
        request_id: str = "req-stream",
        content_type: str = "text/event-stream",
    ) -> httpx.Response:
        body = ChunkStream(chunks, error=error)
        self.streams.append(body)
        return httpx.Response(
            200,
            headers={"Content-Type": content_type, "X-TC-RequestId": request_id},
            stream=body,
        )

    # inspection
    def actions(self) -> list[str]:
        return [r.action for r in self.requests]

    def bodies(self, action: str) -> list[dict[str, Any]]:
        return [r.body for r in self.requests if r.action == action]

    # the handler
    def __call__(self, request: httpx.Request) -> httpx.Response:
        content = request.content
        body = json.loads(content) if content else {}
        action = request.headers.get("X-TC-Action", "")
        with self._lock:
            self.requests.append(
                Recorded(action, body, request.headers.copy(), content, str(request.url))
            )
            queue = self.scripts.get(action)
            reply: Reply | None = queue.popleft() if queue else None
        if reply is None:
            reply = self.default(action, body)
        if callable(reply) and not isinstance(reply, (httpx.Response, BaseException)):
            reply = reply(request, body)
        if isinstance(reply, BaseException):
            raise reply
        assert isinstance(reply, httpx.Response)
        return reply

    def default(self, action: str, body: dict[str, Any]) -> httpx.Response:
        if action == "CreateThread":
            n = next(self._thread_ids)
            self.threads[f"thread_{n}"] = []
            return json_response(
                {
                    "ID": f"thread_{n}",
                    "Object": "thread",
                    "CreatedAt": 1700000000,
                    "ToolResources": None,
                },
                request_id=f"req-create-{n}",
            )
        if action == "RunThread":
            n = next(self._runs)
            stored = self.threads.setdefault(body["ThreadID"], [])
            stored.extend(f"msg_in_{next(self._message_ids)}" for _ in body["AdditionalMessages"])
            stored.append(f"msg_{next(self._message_ids)}")
            return self.stream(
                run_stream(body["ThreadID"], ["reply", f" {n}"], message_id=stored[-1]),
                request_id=f"req-run-{n}",
            )
        if action == "GetThreadMessageList":
            held = self.threads.get(body["ThreadID"])
            if held is None:
                return error_response("ResourceNotFound", "thread not found")
            newest = held[::-1] if body.get("Order", "desc") == "desc" else held
            limit = body.get("Limit", 20)
            return json_response(
                {"Data": [{"ID": i} for i in newest[:limit]], "HasMore": len(held) > limit}
            )
        if action == "ChatCompletions":
            return self.stream(
                [
                    sse(
                        {
                            "Id": "cc1",
                            "Choices": [{"Delta": {"Role": "assistant", "Content": "hi"}}],
                        }
                    ),
                    sse(
                        {
                            "Id": "cc1",
                            "Choices": [{"Delta": {"Content": "!"}, "FinishReason": "stop"}],
                            "Usage": USAGE,
                        }
                    ),
                ]
            )
        return error_response("InvalidAction", f"unknown action {action!r}")


# -- one test body for both clients ---------------------------------------------------------


class Harness:
    """Drives HunyuanClient or AsyncHunyuanClient through the same awaitable calls."""

    def __init__(self, sync: bool, service: FakeService, **kwargs: Any) -> None:
        self.sync = sync
        self.service = service
        options: dict[str, Any] = {
            "secret_id": "AKIDexample",
            "secret_key": "example-key",
            "base_url": "https://hunyuan.tencentcloudapi.com",
            "region": "ap-guangzhou",
            "retry_policy": RetryPolicy(initial_delay=0.0),
            "ledger": ThreadLedger(),
        }
        options.update(kwargs)
        transport = httpx.MockTransport(service)
        self.client: HunyuanClient | AsyncHunyuanClient
        if sync:
            self.client = HunyuanClient(http_client=httpx.Client(transport=transport), **options)
        else:
            self.client = AsyncHunyuanClient(
                http_async_client=httpx.AsyncClient(transport=transport), **options
            )

    async def collect(
        self,
        messages: Sequence[Message],
        options: RunOptions | None = None,
        *,
        limit: int | None = None,
    ) -> tuple[list[StreamEvent], HunyuanError | None]:
        """Every event until the end, ``limit`` events, or an error (returned, not raised)."""
        events: list[StreamEvent] = []
        try:
            if isinstance(self.client, HunyuanClient):
                it = self.client.stream_chat(messages, options)
                try:
                    for event in it:
                        events.append(event)
                        if limit is not None and len(events) >= limit:
                            break
                finally:
                    it.close()  # type: ignore[attr-defined]
            else:
                agen = self.client.stream_chat(messages, options)
                try:
                    async for event in agen:
                        events.append(event)
                        if limit is not None and len(events) >= limit:
                            break
                finally:
                    await agen.aclose()  # type: ignore[attr-defined]
        except HunyuanError as exc:
            return events, exc
        return events, None

    async def stream(
        self, messages: Sequence[Message], options: RunOptions | None = None
    ) -> list[StreamEvent]:
        events, error = await self.collect(messages, options)
        if error is not None:
            raise error
        return events

    async def chat(
        self, messages: Sequence[Message], options: RunOptions | None = None
    ) -> RunResult:
        if isinstance(self.client, HunyuanClient):
            return self.client.chat(messages, options)
        return await self.client.chat(messages, options)

    async def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        result = getattr(self.client, name)(*args, **kwargs)
        if not self.sync:
            result = await result
        return result


def text_of(events: Sequence[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def finished(events: Sequence[StreamEvent]) -> RunResult:
    ends = [e for e in events if isinstance(e, RunFinished)]
    assert len(ends) == 1, events
    assert events[-1] is ends[0]
    return ends[0].result


# -- a real loopback server (for connection pools) -----------------------------------------


class LoopbackServer(InBackground):
    """HTTP/1.1 on 127.0.0.1. CreateThread answers JSON; RunThread streams a run in chunked
    encoding, sending the headers and the first frames at once and the rest only when ``gate``
    is set (clear it to hold streams open)."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.gate.set()
        self.requests = 0
        owner = self

        class Handler(ActionHandler):
            def do_POST(self) -> None:
                owner.requests += 1
                super().do_POST()

            def run_thread(self, thread_id: str, n: int) -> None:
                frames = run_stream(thread_id, ["Hello", " from", " loopback"])
                self.start_stream(n)
                self.chunk(b"".join(frames[:4]))  # up to the first text delta
                owner.gate.wait(10)
                for frame in frames[4:]:
                    self.chunk(frame)
                self.end_stream()

        self._serve(http_server(Handler))
        self.url = f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.gate.set()
        super().__exit__(*exc)
