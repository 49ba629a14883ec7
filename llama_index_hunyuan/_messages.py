"""LlamaIndex ``ChatMessage`` → core ``Message``. Ordering and merging are the core's job."""

from __future__ import annotations

from collections.abc import Sequence

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
from hunyuan_api.adapter import openai_tool_calls, thread_token, tool_arguments_text

__all__ = ["to_core_message", "to_core_messages"]

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

_MEDIA = (AudioBlock, VideoBlock, DocumentBlock)


def _refuse_media(index: int, block: object) -> ValueError:
    kind = type(block).__name__
    return ValueError(
        f"messages[{index}] contains a {kind}: Hunyuan takes text and images only, so audio, "
        "video and documents cannot be sent. Remove the block or describe it in text."
    )


def _image_url(block: ImageBlock) -> str:
    """An ``ImageBlock`` as the URL Hunyuan takes: its http(s) URL, or its bytes (inline, or
    read from its path) as a ``data:`` URI."""
    if block.url is not None and not block.image and block.path is None:
        return str(block.url)
    data = block.resolve_image(as_base64=True).read().decode("ascii")
    return f"data:{block.image_mimetype or 'image/jpeg'};base64,{data}"


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
    images: list[str] = []
    calls: list[ToolCall] = []
    for block in message.blocks:
        if isinstance(block, _MEDIA):
            raise _refuse_media(index, block)
        text = _text_of(index, block)
        if text is not None:
            texts.append(text)
        elif isinstance(block, ImageBlock):
            images.append(_image_url(block))
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
            # Histories written by OpenAI-style integrations keep their calls here.
            calls = list(
                openai_tool_calls(
                    message.additional_kwargs.get("tool_calls"),
                    where=f"messages[{index}].additional_kwargs['tool_calls']",
                )
            )
        token = thread_token(message.additional_kwargs)
        return Message("assistant", content, tuple(calls), thread_token=token)
    if role == "tool":
        call_id = message.additional_kwargs.get("tool_call_id")
        return Message("tool", content, tool_call_id=str(call_id) if call_id else None)
    # The core refuses images where Hunyuan takes none (RunThread, non-user messages, models
    # without vision), with the reason.
    return Message(role, content, images=tuple(images))


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
