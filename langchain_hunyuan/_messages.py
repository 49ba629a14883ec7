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
# Images, in LangChain's, OpenAI's or Anthropic's shapes; other media Hunyuan cannot take.
_IMAGE_BLOCKS = frozenset({"image", "image_url", "input_image"})
_MEDIA_BLOCKS = frozenset(
    {"audio", "input_audio", "file", "input_file", "video", "video_url", "document", "media"}
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
        f"messages[{index}] contains a {kind!r} content block, but Hunyuan takes text and "
        "images only: audio, video and file inputs cannot be sent. Remove the block or describe "
        "it in text."
    )


def _image_url(block: Mapping[str, Any], index: int) -> str:
    """An image block as the URL Hunyuan takes: an http(s) URL or a ``data:`` URI."""
    source = block.get("source")
    if isinstance(source, Mapping):  # Anthropic's {"source": {"type": "base64" | "url", ...}}
        block = {
            "url": source.get("url"),
            "base64": source.get("data"),
            "mime_type": source.get("media_type"),
        }
    url = block.get("image_url", block.get("url"))
    if isinstance(url, Mapping):  # OpenAI's {"image_url": {"url": ...}}
        url = url.get("url")
    data = block.get("base64")
    if data is None and block.get("source_type") == "base64":
        data = block.get("data")
    if isinstance(data, str) and data:
        return f"data:{block.get('mime_type') or 'image/jpeg'};base64,{data}"
    if isinstance(url, str) and url:
        return url
    raise ValueError(
        f"messages[{index}] has an image block with neither a URL nor base64 data (an uploaded "
        "file id cannot be sent to Hunyuan): give the image as a URL or as base64."
    )


def content_parts(
    content: str | list[str | dict[str, Any]], index: int
) -> tuple[str, tuple[str, ...]]:
    """The text of a message's content (blocks joined by newlines) and its images; other media
    is refused, tool-call and reasoning blocks skipped."""
    if isinstance(content, str):
        return content, ()
    parts: list[str] = []
    images: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
            continue
        kind = block.get("type")
        if kind in _TEXT_BLOCKS and isinstance(block.get("text"), str):
            parts.append(block["text"])
        elif kind in _SKIPPED_BLOCKS:
            continue
        elif kind in _IMAGE_BLOCKS:
            images.append(_image_url(block, index))
        elif kind in _MEDIA_BLOCKS or (kind == "text-plain" and "text" not in block):
            raise _media_error(index, str(kind))
        else:
            raise ValueError(
                f"messages[{index}] has a content block of type {kind!r} that Hunyuan cannot "
                "carry; it takes text and images."
            )
    return "\n".join(parts), tuple(images)


def content_text(content: str | list[str | dict[str, Any]], index: int) -> str:
    """The text of content that may not hold images (assistant turns, tool results)."""
    text, images = content_parts(content, index)
    if images:
        raise ValueError(
            f"messages[{index}] has an image outside a user message; Hunyuan takes images in "
            "user messages only."
        )
    return text


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
            text, images = content_parts(rest, index)
            return [*results, Message("user", text, images=images)] if text else results
    if role == "user":
        text, images = content_parts(content, index)
        return [Message("user", text, images=images)]
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
