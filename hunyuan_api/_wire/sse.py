"""Server-sent events decoding with no I/O: bytes in, events out (WHATWG event-stream rules).

Written here rather than taken from httpx-sse because httpx-sse decodes text before splitting lines
(an extra pass over every byte) and works on whole responses; this decoder splits at the byte level,
where a multi-byte UTF-8 character can never contain CR or LF, and decodes only complete fields.
It is measured against httpx-sse in ``bench/``.

Its memory and time are bounded: a line longer than ``max_line`` bytes, or an event whose data
exceeds ``max_event`` bytes, raises ``StreamError`` (code ``StreamFrameTooLarge``) as soon as the
limit is crossed, and a line arriving in many chunks is joined once, when it ends, so decoding
stays linear in the bytes received however the stream is split.
"""

from __future__ import annotations

from typing import Literal, NamedTuple, NoReturn

from .._errors import StreamError

__all__ = ["MAX_FRAME_BYTES", "SSEDecoder", "ServerSentEvent"]

# A partial line up to this size is simply concatenated with the next chunk (cheapest for real
# frames); beyond it, pieces are collected and joined once, so long lines stay linear.
_JOIN_AT = 16 * 1024

#: The default bound on one line and on one event's data: 8 MiB. A RunThread frame is a few
#: hundred bytes; the largest real one, a whole-message snapshot at the end of a long reply, is
#: well under 1 MiB even with every character \u-escaped.
MAX_FRAME_BYTES = 8 * 1024 * 1024


class ServerSentEvent(NamedTuple):
    event: str
    data: str
    id: str
    retry: int | None


class SSEDecoder:
    """Feed it network chunks split anywhere; it returns each event once complete.

    A stream it cannot decode (too large, or invalid UTF-8 under ``errors="strict"``) raises
    ``StreamError``; the events completed before the fault in the same chunk are still returned
    first (so the outcome does not depend on how the bytes were chunked), the error is kept in
    ``error``, and every later call raises it.

    ``errors="replace"`` (the event-stream standard) turns invalid UTF-8 into U+FFFD;
    ``errors="strict"`` raises ``StreamError`` (code ``StreamMalformed``) instead, for callers
    whose data must arrive intact (the clients: a corrupted tool argument must not pass).
    """

    __slots__ = (
        "_buf",
        "_data",
        "_data_size",
        "_errors",
        "_event",
        "_events",
        "_last_id",
        "_parts",
        "_parts_size",
        "_retry",
        "_skip_lf",
        "_started",
        "error",
        "max_event",
        "max_line",
    )

    def __init__(
        self,
        *,
        max_line: int = MAX_FRAME_BYTES,
        max_event: int = MAX_FRAME_BYTES,
        errors: Literal["replace", "strict"] = "replace",
    ) -> None:
        self.max_line = max_line
        self.max_event = max_event
        self._errors = errors
        self._started = False
        # The unfinished last line: its first piece, then (for a line longer than a chunk) the
        # pieces that followed, joined once when the line ends.
        self._buf = b""
        self._parts: list[bytes] = []
        self._parts_size = 0
        self._skip_lf = False
        self._data: list[bytes] = []
        # Bytes received since the open event's first data line (an upper bound of its size).
        self._data_size = 0
        self._event = b""
        self._last_id = ""
        self._retry: int | None = None
        #: The fault that ended decoding, if any.
        self.error: StreamError | None = None
        # The events of the chunk being decoded (returned even if a fault follows them).
        self._events: list[ServerSentEvent] = []

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if self.error is not None:
            raise self.error
        # The commonest chunk by far is one whole `data: <json>` frame between frames: decoded
        # here without splitting lines (the general path below gives the same event).
        if (
            chunk[-2:] == b"\n\n"
            and chunk[:6] == b"data: "
            and chunk.find(b"\n") == len(chunk) - 2
            and self._started
            and not (self._buf or self._skip_lf or self._data or self._event)
            and len(chunk) <= self.max_line
            and b"\r" not in chunk
        ):
            try:
                data = chunk[6:-2].decode("utf-8", self._errors)
            except UnicodeDecodeError:
                pass  # the general path reports it
            else:
                return [ServerSentEvent("message", data, self._last_id, self._retry)]
        self._events = []
        try:
            return self._feed(chunk)
        except StreamError as exc:
            self.error = exc
            if self._events:
                return self._events
            raise

    def _feed(self, chunk: bytes) -> list[ServerSentEvent]:
        if not chunk:
            return []
        if not self._started:
            chunk = self._strip_bom(chunk)
            if not chunk:
                return []
        if self._skip_lf:
            # A CR ended the previous chunk; an LF starting this one belongs to the same line break.
            self._skip_lf = False
            if chunk[0] == 0x0A:
                chunk = chunk[1:]
                if not chunk:
                    return []
        buf = self._buf
        if buf:
            if len(buf) <= _JOIN_AT and not self._parts:
                data = buf + chunk
            elif b"\n" in chunk or b"\r" in chunk:
                data = b"".join([buf, *self._parts, chunk])
                self._parts.clear()
                self._parts_size = 0
            else:
                # Inside a long line: keep its pieces and join them once, when it ends, so no
                # byte is copied twice however finely the line is split.
                return self._extend_line(chunk)
        else:
            data = chunk
        if b"\r" in data:
            if data[-1] == 0x0D:
                self._skip_lf = True
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = data.split(b"\n")
        self._buf = tail = lines.pop()
        if len(data) > self.max_line:
            self._check_lines(lines, tail)
        events = self._events
        pending = self._data
        errors = self._errors
        try:
            # The hot path is `data: <json>` followed by a blank line; everything else is rarer.
            for line in lines:
                if line[:6] == b"data: ":
                    pending.append(line[6:])
                elif not line:
                    if pending:
                        if len(pending) == 1 and not self._event:
                            events.append(
                                ServerSentEvent(
                                    "message",
                                    pending[0].decode("utf-8", errors),
                                    self._last_id,
                                    self._retry,
                                )
                            )
                            pending.clear()
                        else:
                            events.append(self._dispatch())
                        self._data_size = 0
                    else:
                        self._event = b""
                elif line[:5] == b"data:":
                    pending.append(line[5:])
                else:
                    self._field(line)
        except UnicodeDecodeError as exc:
            self._not_utf8(exc)
        if pending:
            # An event still open: bound the bytes it has taken so far (counting whole chunks
            # keeps the hot path free of per-line bookkeeping).
            self._data_size += len(data)
            if self._data_size > self.max_event:
                self._too_large("an event", self.max_event)
        return events

    def _strip_bom(self, chunk: bytes) -> bytes:
        # The event-stream spec drops one leading UTF-8 BOM; it may arrive split.
        head = self._buf + chunk
        if len(head) < 3 and b"\xef\xbb\xbf".startswith(head):
            self._buf = head
            return b""
        self._started = True
        self._buf = b""
        return head[3:] if head.startswith(b"\xef\xbb\xbf") else head

    def _extend_line(self, chunk: bytes) -> list[ServerSentEvent]:
        self._parts.append(chunk)
        self._parts_size += len(chunk)
        if len(self._buf) + self._parts_size > self.max_line:
            self._too_large("a line", self.max_line)
        return []

    def _check_lines(self, lines: list[bytes], tail: bytes) -> None:
        if len(tail) > self.max_line or max(map(len, lines), default=0) > self.max_line:
            self._too_large("a line", self.max_line)

    def flush(self) -> list[ServerSentEvent]:
        """End of body: a final event whose lines all ended is delivered even without the blank
        line; a half-received line is dropped (it can only be a fragment of a frame)."""
        if self.error is not None:
            raise self.error
        self._buf = b""
        self._parts.clear()
        self._parts_size = 0
        self._skip_lf = False
        if self._data:
            try:
                return [self._dispatch()]
            except UnicodeDecodeError as exc:
                self._not_utf8(exc)
        return []

    def _too_large(self, what: str, limit: int) -> NoReturn:
        self._reset()
        raise StreamError(
            f"malformed stream: {what} exceeds {limit} bytes; no Hunyuan frame is that large",
            code="StreamFrameTooLarge",
        )

    def _not_utf8(self, exc: UnicodeDecodeError) -> NoReturn:
        self._reset()
        raise StreamError(
            f"malformed frame: not valid UTF-8 ({exc.reason} at byte {exc.start}): "
            f"{exc.object[:200]!r}",
            code="StreamMalformed",
        ) from None

    def _reset(self) -> None:
        # After an error the decoder holds nothing, so its memory is released at once.
        self._buf = b""
        self._parts.clear()
        self._parts_size = 0
        self._data.clear()
        self._data_size = 0

    def _field(self, line: bytes) -> None:
        if line[0] == 0x3A:  # ':' comment, used as a heartbeat
            return
        name, sep, value = line.partition(b":")
        if sep and value[:1] == b" ":
            value = value[1:]
        if name == b"data":  # "data" without a colon
            self._data.append(value)
        elif name == b"event":
            self._event = value
        elif name == b"id":
            if b"\x00" not in value:
                self._last_id = value.decode("utf-8", "replace")
        elif name == b"retry" and value.isdigit():
            self._retry = int(value)

    def _dispatch(self) -> ServerSentEvent:
        raw = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
        event = ServerSentEvent(
            self._event.decode("utf-8", self._errors) if self._event else "message",
            raw.decode("utf-8", self._errors),
            self._last_id,
            self._retry,
        )
        self._data.clear()
        self._event = b""
        return event
