"""LlamaIndex ``ChatMessage`` → core ``Message``. Ordering and merging are the core's job."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    CitableBlock,
    CitationBlock,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)

from hunyuan_api import Message, Role, ToolCall

__all__ = [
    "legacy_tool_calls",
    "read_legacy_tool_call",
    "to_core_message",
    "to_core_messages",
    "tool_arguments_text",
]

_ROLES: dict[str, Role] = {
    MessageRole.SYSTEM.value: "system",
    MessageRole.DEVELOPER.value: "system",
    MessageRole.USER.value: "user",
    MessageRole.ASSISTANT.value: "assistant",
    MessageRole.CHATBOT.value: "assistant",
    MessageRole.MODEL.value: "assistant",
    MessageRole.TOOL.value: "tool",
    MessageRole.FUNCTION.value: "tool",
}

_MEDIA = (ImageBlock, AudioBlock, VideoBlock, DocumentBlock)


def _refuse_media(index: int, block: object) -> ValueError:
    kind = type(block).__name__
    return ValueError(
        f"messages[{index}] contains a {kind}: Hunyuan RunThread carries text only, so images, "
        "audio, video and documents cannot be sent. Remove the block or describe it in text."
    )


def tool_arguments_text(arguments: object) -> str:
    """Tool arguments as the JSON text the core sends: strings pass through unchanged (so a
    reply's calls round-trip exactly), anything else is JSON-encoded."""
    if arguments is None:
        return "{}"
    if isinstance(arguments, str):
        return arguments
    return json.dumps(arguments, ensure_ascii=False)


def read_legacy_tool_call(raw: object) -> tuple[str, str, object] | None:
    """(id, name, arguments) of one ``additional_kwargs["tool_calls"]`` entry, written by this or
    another integration: an OpenAI-shaped dict or an OpenAI SDK object. None if it has no name."""
    if isinstance(raw, Mapping):
        fn = raw.get("function")
        fn_map: Mapping[str, Any] = fn if isinstance(fn, Mapping) else {}
        call_id, name, arguments = raw.get("id"), fn_map.get("name"), fn_map.get("arguments")
    else:
        fn_obj = getattr(raw, "function", None)
        call_id = getattr(raw, "id", None)
        name = getattr(fn_obj, "name", None)
        arguments = getattr(fn_obj, "arguments", None)
    if not isinstance(name, str) or not name:
        return None
    return (call_id if isinstance(call_id, str) else ""), name, arguments


def legacy_tool_calls(kwargs: Mapping[str, Any]) -> list[tuple[str, str, object]]:
    raw = kwargs.get("tool_calls")
    if not isinstance(raw, Sequence) or isinstance(raw, (str, bytes)):
        return []
    return [c for c in map(read_legacy_tool_call, raw) if c is not None]


def _text_of(index: int, block: object) -> str | None:
    if isinstance(block, TextBlock):
        return block.text
    if isinstance(block, CitableBlock):
        parts = []
        for inner in block.content:
            if not isinstance(inner, TextBlock):
                raise _refuse_media(index, inner)
            parts.append(inner.text)
        return "\n".join(parts)
    return None


def to_core_message(index: int, message: ChatMessage) -> Message:
    role_name = message.role.value if isinstance(message.role, MessageRole) else str(message.role)
    role = _ROLES.get(role_name)
    if role is None:
        raise ValueError(
            f"messages[{index}].role is {role_name!r}; Hunyuan accepts system, user, assistant "
            "and tool messages"
        )
    texts: list[str] = []
    calls: list[ToolCall] = []
    for block in message.blocks:
        if isinstance(block, _MEDIA):
            raise _refuse_media(index, block)
        text = _text_of(index, block)
        if text is not None:
            texts.append(text)
        elif isinstance(block, ToolCallBlock):
            calls.append(
                ToolCall(
                    id=block.tool_call_id or "",
                    name=block.tool_name,
                    arguments=tool_arguments_text(block.tool_kwargs),
                )
            )
        elif isinstance(block, (ThinkingBlock, CachePoint, CitationBlock)):
            # Reasoning is never sent back (Tencent's rule); cache hints and citations of
            # earlier output are annotations, not conversation content.
            continue
        else:
            raise ValueError(
                f"messages[{index}] contains a {type(block).__name__}, which Hunyuan cannot carry"
            )
    # "\n" matches ChatMessage.content, so the text sent is the text callers see.
    content = "\n".join(texts)
    if role == "assistant":
        if not calls:
            calls = [
                ToolCall(id=call_id, name=name, arguments=tool_arguments_text(arguments))
                for call_id, name, arguments in legacy_tool_calls(message.additional_kwargs)
            ]
        return Message("assistant", content, tuple(calls))
    if role == "tool":
        call_id = message.additional_kwargs.get("tool_call_id")
        return Message("tool", content, tool_call_id=str(call_id) if call_id else None)
    return Message(role, content)


def to_core_messages(
    messages: Sequence[ChatMessage], system_prompt: str | None = None
) -> list[Message]:
    """Convert every message, refusing content RunThread cannot carry before anything is sent.

    ``system_prompt`` (the LLM's field) leads the conversation unless the caller already supplied
    a system message, so paths that add it themselves (``predict``, programs) do not double it.
    """
    out = [to_core_message(i, m) for i, m in enumerate(messages)]
    if system_prompt and not any(m.role == "system" for m in out):
        out.insert(0, Message("system", system_prompt))
    return out
