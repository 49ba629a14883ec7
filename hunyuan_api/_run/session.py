"""One attempt at a streamed run: network chunks in, the caller's events out. Pure (no I/O)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from .._errors import APITimeoutError, HunyuanError, PartialOutput, StreamError
from .._types import FinishReason, RunResult, StreamEvent, TextDelta, ToolCallDelta
from .._wire.frames import Frame, parse_frame
from .._wire.sse import SSEDecoder
from .accumulator import Mark, RunAccumulator, TextBuffer
from .stop import StopCutter

__all__ = ["RunSession"]


class RunSession:
    """SSE decoding, frame parsing, accumulation, and the limits the client enforces itself:
    stop sequences (RunThread has no Stop field; ChatCompletions has one, but its output keeps
    the matched stop string, so the same cut gives both transports the same text) and a
    completion-token cap (ChatCompletions has no MaxCompletionTokens field, but reports
    cumulative usage in every frame), and one tool call per reply when asked (neither API has
    a parallel-tool-calls switch).

    It also decides when to stop reading: once the run has ended (``done``), and when the
    stream makes no progress (no complete frame) for ``stall_timeout`` seconds however many
    bytes arrive (heartbeats, a frame trickling in byte by byte): that is an ``APITimeoutError``
    with the output delivered so far, or, after the run finished, simply the end.
    """

    __slots__ = (
        "_clock",
        "_cutter",
        "_decoder",
        "_emitted",
        "_last_progress",
        "_limit",
        "_mark",
        "_single_call",
        "_stall_timeout",
        "_stalled",
        "acc",
        "cut",
        "delivered",
        "dropped_calls",
        "failure",
    )

    def __init__(
        self,
        *,
        model: str,
        request_id: str | None,
        thread_id: str | None,
        stop: Sequence[str] = (),
        completion_token_limit: int | None = None,
        single_tool_call: bool = False,
        stall_timeout: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # Strict: Hunyuan writes UTF-8, so anything else is a corrupted frame, not text to guess.
        self._decoder = SSEDecoder(errors="strict")
        self.acc = RunAccumulator(model=model, request_id=request_id, thread_id=thread_id)
        self._cutter = StopCutter(stop) if stop else None
        self._emitted = TextBuffer()
        self._limit = completion_token_limit or None
        self._single_call = single_tool_call
        #: Whether tool calls after the first were withheld (``single_tool_call``): the reply
        #: the caller sees is then not what the service stored in its thread.
        self.dropped_calls = False
        #: Set when the client ended the output itself; the caller then closes the stream.
        self.cut: FinishReason | None = None
        #: Whether any output reached the caller (after which nothing may be retried).
        self.delivered = False
        #: What the caller has been handed (None: nothing yet).
        self._mark: Mark | None = None
        self._stall_timeout = stall_timeout
        self._clock = clock
        self._last_progress = clock()
        self._stalled = False
        #: The error a frame raised; the events decoded before it in the same chunk are still
        #: handed out first, so what the caller gets does not depend on how bytes were chunked.
        self.failure: HunyuanError | None = None

    @property
    def done(self) -> bool:
        """Nothing more is to be read: the client cut the output, the stream ended the run
        (terminal snapshot, ``[DONE]``), it failed, or it stalled after the run had finished."""
        return self.cut is not None or self.acc.ended or self._stalled or self.failure is not None

    @property
    def ended_by_server(self) -> bool:
        """The stream itself ended the run (not the client's cut, a failure or a stall), so the
        server is ending its body too."""
        return self.acc.ended and self.cut is None and self.failure is None and not self._stalled

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        """The events of the frames ``chunk`` completes. A failure (an error frame, a malformed
        frame, a stall) ends the session: ``done`` turns true and ``result()`` raises it."""
        if self.failure is not None:
            return []
        try:
            frames = self._decoder.feed(chunk)
        except HunyuanError as exc:
            self.failure = exc
            return []
        if frames:
            events = self._take(map(parse_frame, frames))
            self._last_progress = self._clock()
        else:
            events = []
        if not self.done:
            try:
                if self._decoder.error is not None:
                    raise self._decoder.error  # after the events completed before it
                if not frames and self._stall_timeout is not None:
                    self._check_stall()
            except HunyuanError as exc:
                self.failure = exc
        return events

    def end(self) -> list[StreamEvent]:
        """The body ended: a last event its blank line never completed."""
        if self.done:
            return []
        try:
            frames = self._decoder.flush()
        except HunyuanError as exc:
            self.failure = exc
            return []
        return self._take(map(parse_frame, frames))

    def feed_frame(self, frame: Frame) -> list[StreamEvent]:
        """One already-parsed frame, such as a whole non-stream ChatCompletions answer: the
        same accumulation and client-side limits as a streamed frame."""
        return self._take((frame,))

    def _take(self, frames: Iterable[Frame]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        acc = self.acc
        # Most runs ask for no client-side limit: their frames' events pass through as they are.
        limited = self._single_call or self._cutter is not None or self._limit is not None
        try:
            for frame in frames:
                got = acc.feed(frame)
                events.extend(self._on_frame_events(got) if limited else got)
                if acc.ended or self.cut is not None or self._stalled:  # ``done``
                    break
        except HunyuanError as exc:
            self.failure = exc
        if events:
            # About to reach the caller: remember how far the output got.
            self.delivered = True
            self._mark = self.acc.mark(self._emitted.length if self._cutter else None)
        return events

    def _check_stall(self) -> None:
        stalled = self._clock() - self._last_progress
        assert self._stall_timeout is not None
        if stalled <= self._stall_timeout:
            return
        if self.acc.finished:
            self._stalled = True  # a finished run waiting only for its end: that is the end
            return
        raise APITimeoutError(
            f"the stream made no progress for {stalled:.1f} s (bytes arrived, but no complete "
            f"frame within `timeout`={self._stall_timeout:g} s); raise `timeout` if the model "
            "needs longer",
            code="ClientTimeout",
        )

    def result(self) -> RunResult:
        """The run's result, or the error that ended it, with the output handed out so far."""
        if self.failure is not None:
            raise self._with_partial(self.failure)
        if self.cut is not None:
            result = self.acc.snapshot(self.cut)
        else:
            try:
                result = self.acc.result()
            except HunyuanError as exc:
                self._with_partial(exc)
                raise
        if self._cutter is not None:
            result = replace(result, text=self._emitted.value, stop_sequence=self._cutter.matched)
        if self._single_call and len(result.tool_calls) > 1:
            self.dropped_calls = True
            result = replace(result, tool_calls=result.tool_calls[:1])
        return result

    def partial(self) -> PartialOutput:
        """What the caller has received so far: the output up to the last events handed out
        (events decoded from a chunk that then failed never reach the caller)."""
        if self._mark is None:
            partial = self.acc.partial(self.acc.mark(0), "")
        else:
            text = self._emitted.value if self._cutter is not None else None
            partial = self.acc.partial(self._mark, text)
        if self._single_call:
            partial.tool_calls = partial.tool_calls[:1]
        return partial

    def _with_partial(self, exc: HunyuanError) -> HunyuanError:
        exc.partial = self.partial()
        if exc.request_id is None:
            exc.request_id = self.acc.request_id
        if isinstance(exc, StreamError) and exc.code is None:
            exc.code = "StreamMalformed"
        return exc

    def _on_frame_events(self, events: list[StreamEvent]) -> list[StreamEvent]:
        if self._single_call:
            # Indexes are dense in order of appearance: the first call is index 0.
            kept = [e for e in events if not (isinstance(e, ToolCallDelta) and e.index > 0)]
            self.dropped_calls = self.dropped_calls or len(kept) < len(events)
            events = kept
        if self._cutter is not None and events:
            events = self._cut_at_stop(events)
        elif self._cutter is not None and self.acc.finished:
            events = self._release_held()
        if (
            self._limit is not None
            and self.cut is None
            and not self.acc.finished
            and self.acc.usage is not None
            and self.acc.usage.completion_tokens >= self._limit
        ):
            self.cut = "length"
        return events

    def _cut_at_stop(self, events: list[StreamEvent]) -> list[StreamEvent]:
        assert self._cutter is not None
        out: list[StreamEvent] = []
        for event in events:
            if isinstance(event, TextDelta):
                text = self._cutter.feed(event.text)
                if text:
                    self._emitted.append(text)
                    out.append(TextDelta(text))
                if self._cutter.matched is not None:
                    self.cut = "stop"
                    return out
            else:
                out.append(event)
        if self.acc.finished:
            out.extend(self._release_held())
        return out

    def _release_held(self) -> list[StreamEvent]:
        assert self._cutter is not None
        held = self._cutter.flush()
        if self._cutter.matched is not None:
            self.cut = "stop"  # the held text contained a stop sequence after all
        if not held:
            return []
        self._emitted.append(held)
        return [TextDelta(held)]
