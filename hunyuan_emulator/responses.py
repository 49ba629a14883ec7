"""ASGI responses with byte-exact control: delays before the first byte, paced deltas,
fault injection mid-stream, and dropping the connection.

Every response runs inside a cancel scope registered with the ``StreamRegistry`` so server
shutdown cancels it at once, and watches ``http.disconnect`` so a client hanging up frees
its concurrency slot. Returning without the final ``more_body=False`` message makes uvicorn
close the socket without the terminating chunk: that is how ``drop`` (and a cancelled
stream) looks to the client.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import anyio
import anyio.lowlevel
from starlette.types import Message, Receive, Scope, Send

from .errors import message_for
from .faults import MALFORMED_FRAME, Fault, http_status_body
from .plan import StreamPlan

__all__ = [
    "TC_REQUEST_ID",
    "BytesResponse",
    "EventStreamResponse",
    "StreamRegistry",
    "html_status_response",
]

#: The API 3.0 actions' request-id header; the OpenAI-compatible endpoint uses X-Request-Id.
TC_REQUEST_ID = "x-tc-requestid"
_FLUSH_AT = 16 * 1024
# With no pacing, let other connections run every this many frames.
_CHECKPOINT_EVERY = 128


class StreamRegistry:
    """The cancel scopes of responses in progress (all touched on the server's loop only)."""

    def __init__(self) -> None:
        self._scopes: set[anyio.CancelScope] = set()
        self.closing = False

    def add(self, scope: anyio.CancelScope) -> None:
        if self.closing:
            scope.cancel()
        self._scopes.add(scope)

    def discard(self, scope: anyio.CancelScope) -> None:
        self._scopes.discard(scope)

    def cancel_all(self) -> None:
        self.closing = True
        for scope in list(self._scopes):
            scope.cancel()


def _headers(
    content_type: str | None,
    request_id: str | None,
    id_header: str,
    extra: Sequence[tuple[str, str]] = (),
) -> list[tuple[bytes, bytes]]:
    headers: list[tuple[bytes, bytes]] = []
    if content_type is not None:
        headers.append((b"content-type", content_type.encode()))
    if request_id is not None:
        headers.append((id_header.encode(), request_id.encode()))
    headers.extend((name.encode(), value.encode()) for name, value in extra)
    return headers


class _Base:
    """Shared plumbing: delay, cancellation, disconnect watching, the finish hook."""

    def __init__(
        self,
        registry: StreamRegistry,
        *,
        delay: float = 0.0,
        on_finish: Callable[[], None] | None = None,
    ) -> None:
        self._registry = registry
        self._delay = delay
        self._on_finish = on_finish

    def finish(self) -> None:
        """Idempotent: frees the concurrency slot / thread lock before the last bytes go out."""
        hook, self._on_finish = self._on_finish, None
        if hook is not None:
            hook()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        cancel = anyio.CancelScope()
        self._registry.add(cancel)
        try:
            with cancel:
                async with anyio.create_task_group() as group:
                    group.start_soon(_watch_disconnect, receive, cancel)
                    try:
                        if self._delay > 0:
                            await anyio.sleep(self._delay)
                        await self._respond(send)
                    finally:
                        group.cancel_scope.cancel()
        finally:
            self._registry.discard(cancel)
            self.finish()

    async def _respond(self, send: Send) -> None:
        raise NotImplementedError


class BytesResponse(_Base):
    """A complete body with an exact Content-Type (no charset appended)."""

    def __init__(
        self,
        registry: StreamRegistry,
        body: bytes,
        *,
        status: int = 200,
        content_type: str | None = "application/json",
        request_id: str | None = None,
        id_header: str = TC_REQUEST_ID,
        headers: Sequence[tuple[str, str]] = (),
        delay: float = 0.0,
        on_finish: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(registry, delay=delay, on_finish=on_finish)
        self._body = body
        self._status = status
        self._headers = _headers(content_type, request_id, id_header, headers)
        self._headers.append((b"content-length", str(len(body)).encode()))

    async def _respond(self, send: Send) -> None:
        self.finish()
        await send(
            {"type": "http.response.start", "status": self._status, "headers": self._headers}
        )
        await send({"type": "http.response.body", "body": self._body, "more_body": False})


def html_status_response(
    registry: StreamRegistry,
    status: int,
    *,
    delay: float = 0.0,
    on_finish: Callable[[], None] | None = None,
) -> BytesResponse:
    return BytesResponse(
        registry,
        http_status_body(status),
        status=status,
        content_type="text/html",
        delay=delay,
        on_finish=on_finish,
    )


class EventStreamResponse(_Base):
    """``text/event-stream`` (exactly) walking a ``StreamPlan``, with an optional fault."""

    def __init__(
        self,
        registry: StreamRegistry,
        plan: StreamPlan,
        *,
        request_id: str,
        id_header: str = TC_REQUEST_ID,
        fault: Fault | None = None,
        delay: float = 0.0,
        tokens_per_second: float = 0.0,
        coalesce: bool = False,
        on_finish: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(registry, delay=delay, on_finish=on_finish)
        self._plan = plan
        self._request_id = request_id
        self._id_header = id_header
        self._fault = fault if fault is not None and fault.stream_only else None
        self._tps = tokens_per_second
        self._coalesce = coalesce
        self._buffer = bytearray()
        self._send: Send | None = None

    async def _write(self, chunk: bytes) -> None:
        assert self._send is not None
        if self._coalesce:
            self._buffer += chunk
            if len(self._buffer) >= _FLUSH_AT:
                await self._flush()
            return
        await self._send({"type": "http.response.body", "body": chunk, "more_body": True})

    async def _flush(self) -> None:
        assert self._send is not None
        if self._buffer:
            body, self._buffer = bytes(self._buffer), bytearray()
            await self._send({"type": "http.response.body", "body": body, "more_body": True})

    async def _end(self, last: bytes = b"") -> None:
        assert self._send is not None
        self.finish()
        body = bytes(self._buffer) + last
        self._buffer = bytearray()
        await self._send({"type": "http.response.body", "body": body, "more_body": False})

    async def _fire(self, fault: Fault, sent: int) -> None:
        if fault.kind == "error_frame":
            message = fault.message or message_for(fault.code)
            await self._end(self._plan.failure(fault.code, message, fault.form, sent))
        elif fault.kind == "malformed":
            await self._end(MALFORMED_FRAME)
        elif fault.kind == "truncate":
            await self._end()
        else:  # drop: flush what was produced, then leave without the terminating chunk
            await self._flush()
            self.finish()

    async def _respond(self, send: Send) -> None:
        self._send = send
        start: Message = {
            "type": "http.response.start",
            "status": 200,
            "headers": _headers("text/event-stream", self._request_id, self._id_header),
        }
        await send(start)
        plan = self._plan
        for chunk in plan.preamble:
            await self._write(chunk)
        fault = self._fault
        fire_at = fault.after if fault is not None else -1
        tps = self._tps
        began = time.monotonic()
        for index, chunk in enumerate(plan.deltas):
            if index == fire_at:
                assert fault is not None
                await self._fire(fault, index)
                return
            if tps > 0:
                wait = began + index / tps - time.monotonic()
                if wait > 0:
                    await self._flush()
                    await anyio.sleep(wait)
            elif index % _CHECKPOINT_EVERY == _CHECKPOINT_EVERY - 1:
                await anyio.lowlevel.checkpoint()
            await self._write(chunk)
        if fault is not None:
            await self._fire(fault, len(plan.deltas))
            return
        if plan.ending_error is not None:
            code, message, form = plan.ending_error
            await self._end(plan.failure(code, message, form, len(plan.deltas)))
            return
        if plan.on_success is not None:
            plan.on_success()
        for chunk in plan.epilogue[:-1]:
            await self._write(chunk)
        await self._end(plan.epilogue[-1] if plan.epilogue else b"")


async def _watch_disconnect(receive: Receive, cancel: anyio.CancelScope) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            cancel.cancel()
            return
