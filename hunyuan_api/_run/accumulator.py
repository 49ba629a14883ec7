"""Frames in, events and a final result out. Pure: the sync and async clients and the tests all
drive it the same way, and it serves RunThread and ChatCompletions frames alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .._errors import PartialOutput, StreamError, make_api_error
from .._types import (
    FinishReason,
    ReasoningDelta,
    RunResult,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    Usage,
)
from .._wire.frames import (
    ChatCompletionChunk,
    DoneFrame,
    ErrorFrame,
    Frame,
    MessageDeltaFrame,
    MessageFrame,
    RunFrame,
    WireToolCall,
    WireUsage,
    search_info_of,
)

__all__ = ["Mark", "RunAccumulator", "TextBuffer", "usage_from_wire"]

_TERMINAL_RUN_STATUSES = frozenset(
    {"completed", "requires_action", "incomplete", "failed", "cancelled", "expired"}
)
_CHAT_FINISH: dict[str, FinishReason] = {
    "stop": "stop",
    "tool_calls": "tool_calls",
    "sensitive": "content_filter",
    "content_filter": "content_filter",
    "length": "length",
}


def usage_from_wire(usage: WireUsage | None) -> Usage | None:
    """The usage a frame reports; None when it reports none, or a negative count (impossible,
    so the whole report is unknown rather than partly wrong)."""
    if usage is None:
        return None
    if min(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) < 0:
        return None
    cached = 0
    details = usage.prompt_tokens_details or {}
    raw_cached = details.get("CachedTokens", details.get("cached_tokens"))
    # isdecimal, not isdigit: "²" is a digit that int() refuses.
    if isinstance(raw_cached, (int, str)) and str(raw_cached).isdecimal():
        cached = int(raw_cached)
    total = usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
    return Usage(usage.prompt_tokens, usage.completion_tokens, total, cached)


def _incomplete_reason(reason: str | None) -> FinishReason:
    text = (reason or "").lower()
    if any(word in text for word in ("sensitive", "content", "filter", "moderation", "audit")):
        return "content_filter"
    return "length"


class TextBuffer:
    """Text arriving in pieces. Reading it joins only what arrived since the last read, so a
    caller that reads after every piece (a growing message) pays for each character once."""

    __slots__ = ("_joined", "_pending", "length")

    def __init__(self) -> None:
        self._joined = ""
        self._pending: list[str] = []
        self.length = 0

    def append(self, piece: str) -> None:
        self._pending.append(piece)
        self.length += len(piece)

    @property
    def value(self) -> str:
        if self._pending:
            self._joined += "".join(self._pending)
            self._pending.clear()
        return self._joined


class Mark(NamedTuple):
    """How much of a run had reached the caller: text and reasoning lengths, and per tool call
    its id, name and the number of argument pieces. (A named tuple: one is made per chunk
    delivered, and a tuple is the cheapest object to make.)"""

    text: int
    reasoning: int
    calls: tuple[tuple[str | None, str | None, int], ...]


@dataclass
class _CallBuilder:
    index: int
    id: str | None = None
    name: str | None = None
    arguments: list[str] = field(default_factory=list)

    @property
    def args_text(self) -> str:
        return "".join(self.arguments)


class RunAccumulator:
    """Accumulates one run. ``feed`` returns the events a caller should see for a frame and raises
    the typed error (with the partial output attached) when the service reports a failure."""

    def __init__(
        self,
        *,
        model: str,
        request_id: str | None = None,
        thread_id: str | None = None,
    ) -> None:
        self.model = model
        self.request_id = request_id
        self.thread_id = thread_id
        self.run_id: str | None = None
        self.message_id: str | None = None
        self.finish_reason: FinishReason | None = None
        self.usage: Usage | None = None
        self.search_info: dict[str, Any] | None = None
        self._text = TextBuffer()
        self._reasoning = TextBuffer()
        self._calls: list[_CallBuilder] = []
        self._call_keys: dict[object, _CallBuilder] = {}
        self._final_calls: tuple[ToolCall, ...] | None = None
        #: The stream has nothing more to say: its terminal run snapshot, a ``[DONE]``, or a
        #: ChatCompletions finish with its usage. Nothing after it is read.
        self.ended = False
        #: A ``thread.message`` snapshot said the assistant message is ``completed``.
        self.message_completed = False

    # -- state -------------------------------------------------------------------------------

    @property
    def finished(self) -> bool:
        return self.finish_reason is not None

    @property
    def text(self) -> str:
        return self._text.value

    def mark(self, text_length: int | None = None) -> Mark:
        """Where the run stands now (``text_length``: the text the caller got, when a stop
        sequence holds some back)."""
        return Mark(
            self._text.length if text_length is None else text_length,
            self._reasoning.length,
            tuple((c.id, c.name, len(c.arguments)) for c in self._calls) if self._calls else (),
        )

    def partial(self, mark: Mark | None = None, text: str | None = None) -> PartialOutput:
        """The output so far, or only up to ``mark`` (what had reached the caller)."""
        text = self.text if text is None else text
        reasoning = self._reasoning.value
        if mark is None:
            calls = tuple(
                ToolCall(id=c.id or "", name=c.name or "", arguments=c.args_text)
                for c in self._calls
            )
        else:
            text = text[: mark.text]
            reasoning = reasoning[: mark.reasoning]
            calls = tuple(
                ToolCall(id=call_id or "", name=name or "", arguments="".join(c.arguments[:n]))
                for (call_id, name, n), c in zip(mark.calls, self._calls, strict=False)
            )
        return PartialOutput(
            text=text,
            reasoning=reasoning,
            tool_calls=calls,
            thread_id=self.thread_id,
            run_id=self.run_id,
            request_id=self.request_id,
        )

    def result(self) -> RunResult:
        """The completed run. A body that ended before the terminal frame is an error."""
        if self.finish_reason is None:
            raise StreamError(
                "the stream ended before the run finished (no terminal run snapshot): "
                "the output is incomplete",
                code="StreamTruncated",
                request_id=self.request_id,
                partial=self.partial(),
            )
        return self.snapshot(self.finish_reason)

    def snapshot(self, finish_reason: FinishReason) -> RunResult:
        """The run as received so far, ended by the client (a stop sequence or token limit)."""
        calls = self._final_calls
        if calls is None:
            calls = tuple(
                ToolCall(id=c.id or f"call_{c.index}", name=c.name or "", arguments=c.args_text)
                for c in self._calls
            )
        return RunResult(
            text=self.text,
            tool_calls=calls,
            finish_reason=finish_reason,
            usage=self.usage,
            model=self.model,
            reasoning=self._reasoning.value,
            thread_id=self.thread_id,
            run_id=self.run_id,
            message_id=self.message_id,
            request_id=self.request_id,
            search_info=self.search_info,
        )

    # -- frames ------------------------------------------------------------------------------

    def feed(self, frame: Frame) -> list[StreamEvent]:
        if isinstance(frame, DoneFrame):
            self._on_done()
            return []
        if self.finish_reason is not None:
            # Output after the terminal frame is ignored; late usage and search results (the
            # OpenAI-compatible endpoint sends usage in a chunk of its own) are still welcome.
            if isinstance(frame, ChatCompletionChunk):
                self._on_chunk_metadata(frame)
                self.ended = self.usage is not None
            return []
        if isinstance(frame, MessageDeltaFrame):
            return self._on_delta(frame)
        if isinstance(frame, RunFrame):
            return self._on_run(frame)
        if isinstance(frame, MessageFrame):
            return self._on_message(frame)
        if isinstance(frame, ChatCompletionChunk):
            return self._on_chat_chunk(frame)
        if isinstance(frame, ErrorFrame):
            raise make_api_error(
                frame.code,
                frame.message,
                request_id=self.request_id or frame.request_id,
                partial=self.partial(),
            )
        return []

    def _on_done(self) -> None:
        """``[DONE]``: the stream is over. After a ``completed`` message snapshot it is a finished
        run even without a terminal run snapshot (protocol, "RunThread response"): finish reason
        ``tool_calls`` if the message carried tool calls, all named, else ``stop``; usage unknown.
        Otherwise the run stays unfinished, and its result is a truncated-stream error."""
        self.ended = True
        if self.finish_reason is None and self.message_completed:
            if not self._calls:
                self.finish_reason = "stop"
            elif all(c.name for c in self._calls):
                self.finish_reason = "tool_calls"

    def _text_event(self, text: str) -> list[StreamEvent]:
        self._text.append(text)
        return [TextDelta(text)]

    def _on_delta(self, frame: MessageDeltaFrame) -> list[StreamEvent]:
        if frame.id:
            self.message_id = frame.id
        delta = frame.delta
        if delta is None:
            return []
        events: list[StreamEvent] = []
        if delta.reasoning_content:
            self._reasoning.append(delta.reasoning_content)
            events.append(ReasoningDelta(delta.reasoning_content))
        if delta.content:
            events.extend(self._text_event(delta.content))
        if delta.tool_calls:
            for position, call in enumerate(delta.tool_calls):
                events.extend(self._on_tool_fragment(call, position))
        return events

    def _builder_for(self, call: WireToolCall, position: int) -> tuple[_CallBuilder, bool]:
        key: object
        if call.index is not None:
            key = ("index", call.index)
        elif call.id:
            key = ("id", call.id)
        elif self._calls:
            return self._calls[-1], False
        else:
            key = ("position", position)
        builder = self._call_keys.get(key)
        if call.id and builder is not None and builder.id not in (None, call.id):
            # Another call's id under the same index: ids identify calls (Tencent's SDK: merge
            # fragments by Id), so this starts or continues that other call.
            builder = None
        if builder is None and call.id:
            builder = self._call_keys.get(("id", call.id))
            if builder is not None:
                self._call_keys[key] = builder
        if builder is None:
            builder = _CallBuilder(index=len(self._calls))
            self._calls.append(builder)
            self._call_keys[key] = builder
            if call.id:
                self._call_keys[("id", call.id)] = builder
            return builder, True
        return builder, False

    def _on_tool_fragment(self, call: WireToolCall, position: int) -> list[StreamEvent]:
        builder, _ = self._builder_for(call, position)
        new_id = None
        new_name = None
        if call.id and builder.id is None:
            builder.id = new_id = call.id
        fn = call.function
        if fn is not None and fn.name and builder.name is None:
            builder.name = new_name = fn.name
        piece = (fn.arguments or "") if fn is not None else ""
        if piece:
            builder.arguments.append(piece)
        if new_id is None and new_name is None and not piece:
            return []
        return [ToolCallDelta(builder.index, new_id, new_name, piece)]

    def _on_message(self, frame: MessageFrame) -> list[StreamEvent]:
        if frame.id:
            self.message_id = frame.id
        if frame.status == "completed" and frame.role in (None, "assistant"):
            self.message_completed = True
        if frame.run_id:
            self.run_id = self.run_id or frame.run_id
        content = frame.content
        # A service that sends only snapshots, or whose deltas fell short, still delivers its text:
        # emit whatever the snapshot has beyond what was streamed.
        length = self._text.length
        if content and len(content) > length and content.startswith(self.text):
            return self._text_event(content[length:])
        return []

    def _on_run(self, frame: RunFrame) -> list[StreamEvent]:
        if frame.id:
            self.run_id = frame.id
        if frame.thread_id:
            self.thread_id = frame.thread_id
        if frame.model and frame.model not in ("", "hunyuan"):
            self.model = frame.model
        status = frame.status
        if status not in _TERMINAL_RUN_STATUSES:
            return []
        self.ended = True
        if frame.usage is not None:
            self.usage = usage_from_wire(frame.usage)
        if status == "failed":
            err = frame.last_error
            raise make_api_error(
                (err.code if err else None) or "InternalError",
                (err.message if err else None) or "the run failed",
                request_id=self.request_id,
                partial=self.partial(),
            )
        if status in ("cancelled", "expired"):
            raise make_api_error(
                f"FailedOperation.Run{status.capitalize()}",
                f"the run ended with status {status!r}",
                request_id=self.request_id,
                partial=self.partial(),
            )
        events: list[StreamEvent] = []
        if status == "requires_action":
            required = frame.required_action
            wire_calls = (
                required.submit_tool_outputs.tool_calls
                if required is not None and required.submit_tool_outputs is not None
                else []
            )
            events = self._reconcile_calls(wire_calls)
            self.finish_reason = "tool_calls"
        elif status == "incomplete":
            self.finish_reason = _incomplete_reason(
                frame.incomplete_details.reason if frame.incomplete_details else None
            )
        else:
            self.finish_reason = "tool_calls" if self._calls else "stop"
        return events

    def _reconcile_calls(self, wire_calls: list[WireToolCall]) -> list[StreamEvent]:
        """RequiredAction is authoritative. Streamed fragments are completed where they fell short;
        calls never streamed are emitted whole, so the stream's aggregate equals the final list."""
        events: list[StreamEvent] = []
        final: list[ToolCall] = []
        for position, call in enumerate(wire_calls):
            fn = call.function
            name = (fn.name if fn else None) or ""
            args = (fn.arguments if fn else None) or ""
            builder = self._call_keys.get(("id", call.id)) if call.id else None
            if builder is None and call.index is not None:
                builder = self._call_keys.get(("index", call.index))
            if (
                builder is None
                and not call.id
                and call.index is None
                and position < len(self._calls)
            ):
                builder = self._calls[position]
            if builder is None:
                builder = _CallBuilder(index=len(self._calls), id=call.id, name=name)
                self._calls.append(builder)
                if call.id:
                    self._call_keys[("id", call.id)] = builder
                builder.arguments.append(args)
                events.append(ToolCallDelta(builder.index, call.id, name, args))
            else:
                new_id = None
                new_name = None
                if builder.id is None and call.id:
                    builder.id = new_id = call.id
                if builder.name is None and name:
                    builder.name = new_name = name
                streamed = builder.args_text
                rest = args[len(streamed) :] if args.startswith(streamed) else ""
                if rest:
                    builder.arguments.append(rest)
                if new_id or new_name or rest:
                    events.append(ToolCallDelta(builder.index, new_id, new_name, rest))
            final.append(
                ToolCall(
                    id=call.id or builder.id or f"call_{builder.index}",
                    name=name or (builder.name or ""),
                    arguments=args or builder.args_text,
                )
            )
        if final:
            self._final_calls = tuple(final)
        return events

    def _on_chunk_metadata(self, frame: ChatCompletionChunk) -> None:
        if frame.usage is not None:
            self.usage = usage_from_wire(frame.usage) or self.usage
        search_info = search_info_of(frame.search_info)
        if search_info is not None:
            self.search_info = search_info

    def _on_chat_chunk(self, frame: ChatCompletionChunk) -> list[StreamEvent]:
        if frame.id and self.request_id is None:
            self.request_id = frame.id
        self._on_chunk_metadata(frame)
        events: list[StreamEvent] = []
        for choice in frame.choices:
            part = choice.delta if choice.delta is not None else choice.message
            if part is not None:
                if part.reasoning_content:
                    self._reasoning.append(part.reasoning_content)
                    events.append(ReasoningDelta(part.reasoning_content))
                if part.content:
                    events.extend(self._text_event(part.content))
                for position, call in enumerate(part.tool_calls or ()):
                    events.extend(self._on_tool_fragment(call, position))
            if choice.finish_reason:
                self.finish_reason = _CHAT_FINISH.get(choice.finish_reason, "stop")
                if self.finish_reason == "stop" and self._calls:
                    self.finish_reason = "tool_calls"
        # Finished with its usage known: nothing later can change the result.
        self.ended = self.finish_reason is not None and self.usage is not None
        return events
