"""Typed frames of RunThread and ChatCompletions streams, and the parser from SSE events.

Models use the service's PascalCase names as aliases and ignore unknown fields, because the
RunThread stream format is only partly documented (protocol file, "Tolerance").
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.alias_generators import to_pascal, to_snake
from pydantic_core import from_json

from .._errors import StreamError
from .sse import ServerSentEvent

__all__ = [
    "ChatCompletionChoice",
    "ChatCompletionChunk",
    "DoneFrame",
    "ErrorFrame",
    "Frame",
    "MessageDelta",
    "MessageDeltaFrame",
    "MessageFrame",
    "RunFrame",
    "Thread",
    "ThreadMessage",
    "ThreadMessageList",
    "UnknownFrame",
    "WireToolCall",
    "WireUsage",
    "error_in_response",
    "parse_frame",
    "parse_json_object",
    "search_info_of",
]


class _Wire(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_pascal,
        populate_by_name=True,
        extra="ignore",
        frozen=True,
        # Schemas build on first use: importing the package stays cheap.
        defer_build=True,
    )


class WireUsage(_Wire):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: dict[str, Any] | None = None


class WireFunction(_Wire):
    name: str | None = None
    arguments: str | None = None


class WireToolCall(_Wire):
    index: int | None = None
    id: str | None = None
    type: str | None = None
    function: WireFunction | None = None


class SubmitToolOutputs(_Wire):
    tool_calls: list[WireToolCall] = Field(default_factory=list)


class RequiredAction(_Wire):
    type: str | None = None
    submit_tool_outputs: SubmitToolOutputs | None = None


class LastError(_Wire):
    code: str | None = None
    message: str | None = None


class IncompleteDetails(_Wire):
    reason: str | None = None


class RunFrame(_Wire):
    """``Object: thread.run``: a run snapshot at each status change."""

    id: str | None = Field(default=None, alias="ID")
    thread_id: str | None = Field(default=None, alias="ThreadID")
    status: str = ""
    model: str | None = None
    usage: WireUsage | None = None
    required_action: RequiredAction | None = None
    last_error: LastError | None = None
    incomplete_details: IncompleteDetails | None = Field(default=None, alias="InCompleteDetails")


class MessageFrame(_Wire):
    """``Object: thread.message``: an assistant message snapshot."""

    id: str | None = Field(default=None, alias="ID")
    run_id: str | None = Field(default=None, alias="RunID")
    thread_id: str | None = Field(default=None, alias="ThreadID")
    role: str | None = None
    content: str | None = None
    status: str | None = None
    incomplete_details: IncompleteDetails | None = Field(default=None, alias="InCompleteDetails")


class MessageDelta(_Wire):
    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[WireToolCall] | None = None


class MessageDeltaFrame(_Wire):
    """``Object: thread.message.delta``: a streamed piece of the assistant message."""

    id: str | None = Field(default=None, alias="ID")
    delta: MessageDelta | None = None


class ChatCompletionMessage(_Wire):
    role: str | None = None
    content: str | None = None
    reasoning_content: str | None = None
    tool_calls: list[WireToolCall] | None = None


class ChatCompletionChoice(_Wire):
    index: int | None = None
    finish_reason: str | None = None
    delta: MessageDelta | None = None
    message: ChatCompletionMessage | None = None


class ChatCompletionChunk(_Wire):
    """A ChatCompletions stream frame, or a whole non-stream response."""

    id: str | None = None
    created: int | None = None
    choices: list[ChatCompletionChoice] = Field(default_factory=list)
    usage: WireUsage | None = None
    request_id: str | None = None
    #: Search enhancement's results (``SearchInfo``, or ``search_info`` on the OpenAI-compatible
    #: endpoint), kept as sent; ``search_info_of`` normalises them.
    search_info: dict[str, Any] | None = None


class ErrorFrame(_Wire):
    """Any of the three in-stream error forms, normalised."""

    code: str
    message: str
    request_id: str | None = None


class DoneFrame(_Wire):
    pass


class UnknownFrame(_Wire):
    object: str | None = None


Frame = (
    RunFrame
    | MessageFrame
    | MessageDeltaFrame
    | ChatCompletionChunk
    | ErrorFrame
    | DoneFrame
    | UnknownFrame
)


class Thread(_Wire):
    id: str = Field(alias="ID")
    object: str | None = None
    created_at: int | None = None
    request_id: str | None = None


class ThreadMessage(_Wire):
    id: str = Field(alias="ID")
    object: str | None = None
    created_at: int | None = None
    thread_id: str | None = Field(default=None, alias="ThreadID")
    status: str | None = None
    role: str | None = None
    content: str | None = None
    run_id: str | None = Field(default=None, alias="RunID")


class ThreadMessageList(_Wire):
    data: list[ThreadMessage] = Field(default_factory=list)
    has_more: bool = False
    first_msg_id: str | None = Field(default=None, alias="FirstMsgID")
    last_msg_id: str | None = Field(default=None, alias="LastMsgID")
    request_id: str | None = None


_DONE = DoneFrame()

# Frames without an ``Object`` field are named by their SSE event line instead.
_EVENT_OBJECTS = {
    "thread.run": "thread.run",
    "thread.message": "thread.message",
    "thread.message.delta": "thread.message.delta",
}


def _object_from_event(event: str) -> str | None:
    if event in _EVENT_OBJECTS:
        return _EVENT_OBJECTS[event]
    if event.startswith("thread.message.") and event != "thread.message.delta":
        return "thread.message"
    if event.startswith("thread.run."):
        return "thread.run"
    return None


def parse_json_object(text: str) -> dict[str, Any]:
    try:
        # pydantic-core's parser takes a third of ``json.loads``'s time on a frame. What it
        # refuses goes to ``json.loads``, which decides as before: it also accepts lone
        # surrogate escapes (an emoji split across two frames), which pydantic-core does not.
        try:
            value = from_json(text)
        except ValueError:
            value = json.loads(text)
    except (ValueError, RecursionError) as exc:  # RecursionError: absurdly deep nesting
        raise StreamError(f"malformed frame: data is not JSON ({exc}): {text[:200]!r}") from exc
    if not isinstance(value, dict):
        raise StreamError(f"malformed frame: expected a JSON object, got {text[:200]!r}")
    return value


# API 3.0's error, ChatCompletions' in-stream ErrorMsg, and the OpenAI-compatible endpoint's.
_ERROR_ENVELOPES = (
    ("Error", "Code", "Message"),
    ("ErrorMsg", "Code", "Msg"),
    ("error", "code", "message"),
)


def _error_frame(obj: dict[str, Any]) -> ErrorFrame | None:
    if "Error" not in obj and "ErrorMsg" not in obj and "error" not in obj:
        return None  # every frame of a healthy stream: decided without the loop below
    for key, code_key, message_key in _ERROR_ENVELOPES:
        err = obj.get(key)
        # An empty envelope (null, or Code 0 without a message) reports no error.
        if isinstance(err, dict) and (
            err.get(code_key) not in (None, 0, "0", "") or err.get(message_key)
        ):
            code = err.get(code_key) or err.get("type")
            request_id = obj.get("RequestId") or obj.get("Id")
            return ErrorFrame(
                code=str(code) if code is not None else "InternalError",
                message=str(err.get(message_key) or ""),
                request_id=request_id if isinstance(request_id, str) else None,
            )
    return None


def _snake_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {to_snake(str(k)): _snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_snake_keys(v) for v in value]
    return value


def search_info_of(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """Search results as snake_case JSON (``search_results``: [{index, title, url, text,
    icon}], ``mindmap``, ...), whichever API sent them; None when there are none."""
    if not raw:
        return None
    info: dict[str, Any] = _snake_keys(raw)
    return info if any(info.values()) else None


def error_in_response(obj: dict[str, Any]) -> ErrorFrame | None:
    """The error a JSON answer or frame carries (``Error`` or ChatCompletions' ``ErrorMsg``)."""
    return _error_frame(obj)


_OBJECT_MODELS: dict[str, type[MessageDeltaFrame | RunFrame | MessageFrame]] = {
    "thread.message.delta": MessageDeltaFrame,
    "thread.run": RunFrame,
    "thread.message": MessageFrame,
}


def parse_frame(event: ServerSentEvent) -> Frame:
    """One SSE event to one typed frame. Raises StreamError on data that is not a JSON object."""
    data = event.data
    if data == "[DONE]" or event.event == "done":
        return _DONE
    obj = parse_json_object(data)
    error = _error_frame(obj)
    if error is not None:
        return error
    if event.event == "error":
        # An `event: error` frame without a recognised envelope: keep whatever it says.
        message = obj.get("Message") or obj.get("Msg") or data
        return ErrorFrame(code=str(obj.get("Code") or "InternalError"), message=str(message))
    kind = obj.get("Object") or _object_from_event(event.event)
    try:
        model = _OBJECT_MODELS.get(kind) if isinstance(kind, str) else None
        if model is not None:
            return model.model_validate(obj)
        if kind is None and ("Choices" in obj or "choices" in obj):
            # ChatCompletions' PascalCase chunk, or the OpenAI-compatible endpoint's snake_case
            # one: the same model reads both (fields by alias or by name).
            return ChatCompletionChunk.model_validate(obj)
    except ValidationError as exc:
        raise StreamError(f"malformed {kind or 'ChatCompletions'} frame: {exc}") from exc
    return UnknownFrame(object=kind if isinstance(kind, str) else None)
