"""One attempt at a streamed run: network chunks in, the caller's events out. Pure (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from .._errors import HunyuanError, PartialOutput, StreamError
from .._types import FinishReason, RunResult, StreamEvent, TextDelta, ToolCallDelta
from .._wire.frames import Frame, parse_frame
from .._wire.sse import SSEDecoder
from .accumulator import RunAccumulator, TextBuffer
from .stop import StopCutter

__all__ = ["RunSession"]


class RunSession:
    """SSE decoding, frame parsing, accumulation, and the limits the client enforces itself:
    stop sequences (RunThread has no Stop field; ChatCompletions has one, but its output keeps
    the matched stop string, so the same cut gives both transports the same text) and a
    completion-token cap (ChatCompletions has no MaxCompletionTokens field, but reports
    cumulative usage in every frame), and one tool call per reply when asked (neither API has
    a parallel-tool-calls switch)."""

    __slots__ = (
        "_cutter",
        "_decoder",
        "_emitted",
        "_limit",
        "_single_call",
        "acc",
        "cut",
        "delivered",
        "dropped_calls",
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
    ) -> None:
        self._decoder = SSEDecoder()
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

    @property
    def done(self) -> bool:
        return self.cut is not None

    def feed(self, chunk: bytes) -> list[StreamEvent]:
        return self._take(parse_frame(sse) for sse in self._decoder.feed(chunk))

    def end(self) -> list[StreamEvent]:
        """The body ended (or the connection broke after the terminal frame)."""
        if self.cut is not None:
            return []
        return self._take(parse_frame(sse) for sse in self._decoder.flush())

    def feed_frame(self, frame: Frame) -> list[StreamEvent]:
        """One already-parsed frame, such as a whole non-stream ChatCompletions answer: the
        same accumulation and client-side limits as a streamed frame."""
        return self._take((frame,))

    def _take(self, frames: Iterable[Frame]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        try:
            for frame in frames:
                events.extend(self._on_frame_events(self.acc.feed(frame)))
                if self.cut is not None:
                    break
        except HunyuanError as exc:
            self._with_partial(exc)
            raise
        if events:
            self.delivered = True
        return events

    def result(self) -> RunResult:
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
        """What the caller has received so far."""
        partial = self.acc.partial()
        if self._cutter is not None:
            partial.text = self._emitted.value
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
