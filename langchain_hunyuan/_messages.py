"""LangChain messages → core ``Message`` values. Pure; the core merges and orders turns."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)

from hunyuan_api import Message, Role, ToolCall
from hunyuan_api.adapter import openai_tool_calls, thread_token, tool_arguments_text

__all__ = ["convert_messages", "render_for_count"]

# Content blocks that only carry text.
_TEXT_BLOCKS = frozenset({"text", "output_text", "input_text", "text-plain"})
# Blocks never sent back: tool calls travel in ``AIMessage.tool_calls``, and reasoning is the
# model's own scratch work.
_SKIPPED_BLOCKS = frozenset(
    {
        "tool_use",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "function_call",
        "reasoning",
        "thinking",
        "redacted_thinking",
    }
)
# Media in any of the LangChain, OpenAI, Anthropic or Google shapes.
_MEDIA_BLOCKS = frozenset(
    {
        "image",
        "image_url",
        "input_image",
        "audio",
        "input_audio",
        "file",
        "input_file",
        "video",
        "video_url",
        "document",
        "media",
    }
)

_CHAT_ROLES: dict[str, Role] = {
    "human": "user",
    "user": "user",
    "ai": "assistant",
    "assistant": "assistant",
    "system": "system",
    "tool": "tool",
}


def _media_error(index: int, kind: str) -> ValueError:
    return ValueError(
        f"messages[{index}] contains a {kind!r} content block, but Hunyuan RunThread carries "
        "text only: image, audio, video and file inputs cannot be sent. Remove the block or "
        "describe it in text."
    )


def content_text(content: str | list[str | dict[str, Any]], index: int) -> str:
    """The text of a message's content; media is refused, tool-call and reasoning blocks skipped."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
            continue
        kind = block.get("type")
        if kind in _TEXT_BLOCKS and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif kind in _SKIPPED_BLOCKS:
            continue
        elif kind in _MEDIA_BLOCKS or (kind == "text-plain" and "text" not in block):
            raise _media_error(index, str(kind))
        else:
            raise ValueError(
                f"messages[{index}] has a content block of type {kind!r} that Hunyuan cannot "
                "carry; RunThread accepts text only."
            )
    # ``AIMessage.text`` joins blocks the same way, so a streamed reply sent back unchanged
    # matches what the thread holds.
    return "".join(parts)


def _tool_calls(message: AIMessage, index: int) -> tuple[ToolCall, ...]:
    calls = [
        ToolCall(
            id=call.get("id") or "", name=call["name"], arguments=tool_arguments_text(call["args"])
        )
        for call in message.tool_calls
    ]
    # A call whose arguments failed to parse is still part of what the model said.
    calls.extend(
        ToolCall(
            id=call.get("id") or "", name=call.get("name") or "", arguments=call.get("args") or ""
        )
        for call in message.invalid_tool_calls
    )
    if calls:
        return tuple(calls)
    # Histories written by OpenAI-style integrations keep their calls here.
    return openai_tool_calls(
        message.additional_kwargs.get("tool_calls"),
        where=f"messages[{index}].additional_kwargs['tool_calls']",
    )


def _role(message: BaseMessage, index: int) -> Role:
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, AIMessage):
        return "assistant"
    if isinstance(message, ToolMessage):
        return "tool"
    if isinstance(message, ChatMessage):
        role = _CHAT_ROLES.get(message.role.lower())
        if role is None:
            raise ValueError(
                f"messages[{index}] is a ChatMessage with role {message.role!r}; Hunyuan accepts "
                "'system', 'user'/'human', 'assistant'/'ai' and 'tool'."
            )
        return role
    raise ValueError(
        f"messages[{index}] is a {type(message).__name__}, which Hunyuan cannot carry; use "
        "SystemMessage, HumanMessage, AIMessage, ToolMessage or ChatMessage."
    )


def _tool_result(block: Mapping[str, Any], index: int) -> Message:
    """An Anthropic ``tool_result`` block (inside a human message) as a tool result."""
    content = block.get("content", "")
    if not isinstance(content, (str, list)):
        raise ValueError(f"messages[{index}] has a tool_result block whose content is not text")
    return Message("tool", content_text(content, index), tool_call_id=block.get("tool_use_id"))


def convert_message(message: BaseMessage, index: int) -> list[Message]:
    role = _role(message, index)
    if role == "assistant":
        text = content_text(message.content, index)
        calls = _tool_calls(message, index) if isinstance(message, AIMessage) else ()
        token = thread_token(message.response_metadata)
        return [Message("assistant", text, calls, thread_token=token)]
    if role == "tool":
        text = content_text(message.content, index)
        call_id = getattr(message, "tool_call_id", None)
        if call_id is None and isinstance(message, ChatMessage):
            call_id = message.additional_kwargs.get("tool_call_id")
        return [Message("tool", text, tool_call_id=call_id)]
    content = message.content
    if role == "user" and isinstance(content, list):
        results = [
            _tool_result(block, index)
            for block in content
            if isinstance(block, dict) and block.get("type") == "tool_result"
        ]
        if results:
            rest = [
                block
                for block in content
                if not (isinstance(block, dict) and block.get("type") == "tool_result")
            ]
            text = content_text(rest, index)
            return [*results, Message("user", text)] if text else results
    return [Message(role, content_text(content, index))]


def convert_messages(messages: Sequence[BaseMessage]) -> list[Message]:
    """Every message converted (media refused) before anything is sent."""
    return [
        converted for i, message in enumerate(messages) for converted in convert_message(message, i)
    ]


def render_for_count(message: Message) -> str:
    """A message as plain text, for token counting."""
    text = f"{message.role}: {message.content}"
    if message.tool_calls:
        calls = [{"name": c.name, "arguments": c.arguments} for c in message.tool_calls]
        text += " " + json.dumps(calls, ensure_ascii=False)
    return text
