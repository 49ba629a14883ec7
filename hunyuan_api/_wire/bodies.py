"""Request bodies of RunThread and ChatCompletions (API 3.0), from already validated input."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from .._types import Message, RunOptions, ToolCall, ToolSpec

__all__ = [
    "API_VERSION",
    "EMPTY_TOOL_RESULT",
    "build_chat_completions_body",
    "build_run_thread_body",
    "encode_json",
    "render_thread_message",
    "tool_result_text",
    "tool_to_wire",
    "with_call_ids",
]

API_VERSION = "2023-09-01"

#: ChatCompletions' switches, as settings and on the wire.
_CHAT_SWITCHES = (
    ("enable_enhancement", "EnableEnhancement"),
    ("force_search_enhancement", "ForceSearchEnhancement"),
    ("citation", "Citation"),
    ("enable_speed_search", "EnableSpeedSearch"),
    ("search_info", "SearchInfo"),
    ("stream_moderation", "StreamModeration"),
)

_REPLAY_OPEN = "<tool_calls>"
_REPLAY_CLOSE = "</tool_calls>"
#: Tool results must have non-empty Content on the wire.
EMPTY_TOOL_RESULT = "(no output)"


def tool_to_wire(tool: ToolSpec) -> dict[str, Any]:
    function: dict[str, Any] = {
        "Name": tool.name,
        "Parameters": json.dumps(tool.parameters, ensure_ascii=False),
    }
    if tool.description:
        function["Description"] = tool.description
    return {"Type": "function", "Function": function}


def _replay_arguments(call: ToolCall) -> Any:
    try:
        return call.parsed_arguments()
    except ValueError:
        return call.arguments


def render_thread_message(message: Message) -> dict[str, Any]:
    """RunThread messages carry only Role and Content (protocol §4.2 for tool calls)."""
    content = message.content
    if message.role == "assistant" and message.tool_calls:
        calls = [
            {"id": c.id, "name": c.name, "arguments": _replay_arguments(c)}
            for c in message.tool_calls
        ]
        # "<" as \u003c: the JSON can never contain the markup's own tags, so the block is
        # unambiguous even when arguments or the text before it mention them.
        payload = json.dumps(calls, ensure_ascii=False).replace("<", "\\u003c")
        markup = f"{_REPLAY_OPEN}{payload}{_REPLAY_CLOSE}"
        content = f"{content}\n{markup}" if content else markup
    elif message.role == "tool":
        content = tool_result_text(message)
    return {"Role": message.role, "Content": content}


def _set_sampling(body: dict[str, Any], options: RunOptions) -> None:
    if options.temperature is not None:
        body["Temperature"] = float(options.temperature)
    if options.top_p is not None:
        body["TopP"] = float(options.top_p)


def build_run_thread_body(
    thread_id: str, messages: Sequence[Message], options: RunOptions
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ThreadID": thread_id,
        "Model": options.model,
        "AdditionalMessages": [render_thread_message(m) for m in messages],
        "Stream": True,
    }
    _set_sampling(body, options)
    if options.max_prompt_tokens is not None:
        body["MaxPromptTokens"] = options.max_prompt_tokens
    if options.max_tokens is not None:
        body["MaxCompletionTokens"] = options.max_tokens
    tools = options.tools
    if options.forced_tool is not None:
        # RunThread has no CustomTool: offering only the named tool makes `custom` pick it.
        tools = tuple(t for t in tools if t.name == options.forced_tool)
    if tools:
        body["Tools"] = [tool_to_wire(t) for t in tools]
    if options.tool_choice is not None:
        body["ToolChoice"] = options.tool_choice
    body.update(options.extra_fields)
    return body


def render_chat_message(message: Message, call_id: str | None = None) -> dict[str, Any]:
    """ChatCompletions carries tool calls and call ids natively."""
    out: dict[str, Any] = {"Role": message.role, "Content": message.content}
    if message.images:
        # Multimodal messages carry Contents instead of Content.
        del out["Content"]
        text = [{"Type": "text", "Text": message.content}] if message.content else []
        images = [{"Type": "image_url", "ImageUrl": {"Url": url}} for url in message.images]
        out["Contents"] = text + images
    if message.role == "assistant" and message.tool_calls:
        out["ToolCalls"] = [
            {
                "Id": c.id,
                "Type": "function",
                "Function": {"Name": c.name, "Arguments": c.arguments or "{}"},
                "Index": i,
            }
            for i, c in enumerate(message.tool_calls)
        ]
    elif message.role == "tool":
        out["Content"] = tool_result_text(message)
        if call_id:
            out["ToolCallId"] = call_id
    return out


def with_call_ids(messages: Sequence[Message]) -> Iterator[tuple[Message, str | None]]:
    """Each message with the call id it answers: a tool result's own, or (histories written for
    RunThread, which needs none) the call in the same position of the assistant turn before it;
    None for every other message."""
    calls: tuple[ToolCall, ...] = ()
    position = 0
    for message in messages:
        call_id = None
        if message.role == "tool":
            call_id = message.tool_call_id
            if not call_id and position < len(calls):
                call_id = calls[position].id or None
            position += 1
        else:
            calls = message.tool_calls if message.role == "assistant" else ()
            position = 0
        yield message, call_id


def tool_result_text(message: Message) -> str:
    """Tool results must have non-empty content on the wire."""
    return message.content if message.content.strip() else EMPTY_TOOL_RESULT


def build_chat_completions_body(
    messages: Sequence[Message], options: RunOptions, *, stream: bool
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Model": options.model,
        "Messages": [render_chat_message(m, call_id) for m, call_id in with_call_ids(messages)],
        "Stream": stream,
    }
    _set_sampling(body, options)
    if options.tools:
        body["Tools"] = [tool_to_wire(t) for t in options.tools]
    if options.tool_choice is not None:
        body["ToolChoice"] = options.tool_choice
        if options.tool_choice == "custom":
            # ChatCompletions' custom always names one tool (CustomTool is required with it);
            # there is no "some tool, the model's pick". A named choice is exact. "any" with one
            # tool is exact too; with several it forces the first: a tool call is still
            # guaranteed (what "any"/"required" promise), the model just cannot pick which.
            # RunThread's custom lets the model pick; docs/transports.md says so.
            forced = options.forced_tool or options.tools[0].name
            spec = next(t for t in options.tools if t.name == forced)
            body["CustomTool"] = tool_to_wire(spec)
    if options.stop:
        body["Stop"] = list(options.stop)
    if options.seed is not None:
        body["Seed"] = options.seed
    for name, wire in _CHAT_SWITCHES:
        value = getattr(options, name)
        if value is not None:
            body[wire] = value
    body.update(options.extra_fields)
    return body


def encode_json(body: Mapping[str, Any]) -> bytes:
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates cannot be UTF-8; JSON's \\u escapes carry them intact.
        return json.dumps(body, separators=(",", ":")).encode("ascii")
