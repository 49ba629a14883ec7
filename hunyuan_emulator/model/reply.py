"""The reply to a conversation: a tool call, a summary of tool results, JSON, or text."""

from __future__ import annotations

import json
from collections.abc import Sequence

from .arguments import build_arguments
from .grounding import grounded_answer
from .json_mode import find_json_schema, without_schemas
from .messages import ConvMessage, Reply, ToolCallSpec, ToolSpec
from .tokens import has_cjk, snippet
from .tool_choice import match_tool
from .vision import Image, describe_images

__all__ = ["generate"]


def generate(
    messages: Sequence[ConvMessage],
    *,
    tools: Sequence[ToolSpec] = (),
    tool_choice: str | None = None,
    forced_tool: ToolSpec | None = None,
    reasoning: bool = False,
) -> Reply:
    """The reply to ``messages``; ``tools`` empty means tools are off (or ignored by the model).

    ``tool_choice`` is ``none``/``auto``/``custom`` (None = auto). With ``custom`` the model
    calls ``forced_tool`` if given, else the best-matching tool, else the first one.
    """
    last_user = next((m.content for m in reversed(messages) if m.role == "user"), "")
    thinking = _reasoning_text(last_user) if reasoning else ""
    last = messages[-1] if messages else None
    if last is not None and last.role == "user" and tool_choice != "none":
        chosen: ToolSpec | None = None
        if tool_choice == "custom":
            chosen = forced_tool or (match_tool(tools, last.content) if tools else None)
            if chosen is None and tools:
                chosen = tools[0]
        elif tools:
            chosen = match_tool(tools, last.content)
        if chosen is not None:
            args = build_arguments(chosen.parameters, last.content)
            call = ToolCallSpec(chosen.name, json.dumps(args, ensure_ascii=False))
            return Reply(tool_calls=(call,), reasoning=thinking)
    if last is not None and last.role == "tool":
        results = []
        for message in reversed(messages):
            if message.role != "tool":
                break
            results.append(message.content)
        results.reverse()
        return Reply(text=_tool_results_text(results, last_user), reasoning=thinking)
    schema = find_json_schema(messages)
    if schema is not None:
        value = build_arguments(schema, without_schemas(last_user))
        return Reply(text=json.dumps(value, ensure_ascii=False), reasoning=thinking)
    grounded = grounded_answer(last_user)
    if grounded is not None:
        return Reply(text=grounded, reasoning=thinking)
    images = last.images if last is not None and last.role == "user" else ()
    return Reply(text=_text_reply(last_user, images), reasoning=thinking)


def _text_reply(last_user: str, images: tuple[Image, ...] = ()) -> str:
    quoted = snippet(last_user) or "…"
    chinese = has_cjk(last_user)
    if chinese:
        text = f"您好！您说的是：「{quoted}」。这是混元模拟器根据对话生成的确定性回复。"
    else:
        text = f'You said: "{quoted}". This is a deterministic reply from the Hunyuan emulator.'
    # A vision model answers with what it read of each image.
    if images:
        text += ("" if chinese else " ") + describe_images(images, chinese)
    return text


def _tool_results_text(results: Sequence[str], last_user: str) -> str:
    if has_cjk(last_user):
        return "根据工具返回的结果：" + "、".join(f"「{snippet(r)}」" for r in results) + "。"
    return "Based on the tool results: " + "; ".join(f'"{snippet(r)}"' for r in results) + "."


def _reasoning_text(last_user: str) -> str:
    if has_cjk(last_user):
        return f"用户问：「{snippet(last_user, 60)}」。我来直接回答。"
    return f'The user asked: "{snippet(last_user, 60)}". I will answer it directly.'
