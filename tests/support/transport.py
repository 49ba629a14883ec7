"""Helpers for tests/transport: what the emulator received, per transport."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle

#: The action (or, on the OpenAI-compatible endpoint, the path) that answers on each transport.
ACTION = {
    "run_thread": "RunThread",
    "chat_completions": "ChatCompletions",
    "openai": "v1/chat/completions",
}
_SAME_FIELDS = (
    ("temperature", "Temperature"),
    ("top_p", "TopP"),
    ("seed", "Seed"),
    ("stop", "Stop"),
    ("enable_enhancement", "EnableEnhancement"),
)


def _as_chat_message(message: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Role": message["role"], "Content": message.get("content") or ""}
    if isinstance(message.get("content"), list):
        out["Contents"] = message["content"]
        del out["Content"]
    calls = message.get("tool_calls")
    if calls:
        out["ToolCalls"] = [
            {
                "Id": call["id"],
                "Type": call["type"],
                "Function": {
                    "Name": call["function"]["name"],
                    "Arguments": call["function"]["arguments"],
                },
                "Index": i,
            }
            for i, call in enumerate(calls)
        ]
    if "tool_call_id" in message:
        out["ToolCallId"] = message["tool_call_id"]
    return out


def as_chat_completions(body: dict[str, Any]) -> dict[str, Any]:
    """An OpenAI-format body in ChatCompletions' terms, so one assertion reads both wires:
    ``tool_choice`` "required" is ``custom``, a named choice ``custom`` with that ``CustomTool``."""
    out: dict[str, Any] = {
        "Model": body["model"],
        "Messages": [_as_chat_message(m) for m in body["messages"]],
        "Stream": body.get("stream", False),
    }
    tools = [
        {
            "Type": "function",
            "Function": {
                "Name": t["function"]["name"],
                **(
                    {"Description": t["function"]["description"]}
                    if t["function"].get("description")
                    else {}
                ),
                "Parameters": json.dumps(t["function"]["parameters"], ensure_ascii=False),
            },
        }
        for t in body.get("tools", [])
    ]
    if tools:
        out["Tools"] = tools
    choice = body.get("tool_choice")
    if choice in ("auto", "none"):
        out["ToolChoice"] = choice
    elif choice is not None:
        out["ToolChoice"] = "custom"
        if isinstance(choice, dict):
            name = choice["function"]["name"]
            out["CustomTool"] = next(t for t in tools if t["Function"]["Name"] == name)
    for field, wire in _SAME_FIELDS:
        if field in body:
            out[wire] = body[field]
    return out


def bodies(emu: EmulatorHandle, action: str) -> list[dict[str, Any]]:
    """The bodies of ``action`` requests the emulator received, in order."""
    return [r.body for r in emu.state.requests if r.action == action]


def model_calls(emu: EmulatorHandle, api: str) -> list[dict[str, Any]]:
    """The model-call bodies ``api`` made: RunThread's, or ChatCompletions' (the OpenAI-compatible
    endpoint's read in ChatCompletions' terms)."""
    calls = bodies(emu, ACTION[api])
    return [as_chat_completions(b) for b in calls] if api == "openai" else calls


def actions(emu: EmulatorHandle) -> list[str]:
    return [r.action for r in emu.state.requests]


def creates(emu: EmulatorHandle) -> int:
    return actions(emu).count("CreateThread")


def messages_sent(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The messages of one model call: AdditionalMessages (RunThread) or Messages."""
    sent: list[dict[str, Any]] = body.get("AdditionalMessages") or body["Messages"]
    return sent


def no_reasoning_sent(emu: EmulatorHandle, reasoning: str) -> None:
    """Reasoning never travels back: no ReasoningContent field, and not its text either."""
    for request in emu.state.requests:
        if request.action not in ACTION.values():
            continue
        body = request.body
        if request.action == ACTION["openai"]:
            assert all("reasoning_content" not in m for m in body["messages"])
            body = as_chat_completions(body)
        for message in messages_sent(body):
            assert "ReasoningContent" not in message
            assert reasoning not in message.get("Content", "")


def message_parts(body: dict[str, Any], api: str) -> tuple[list[str], list[str]]:
    """The text parts and image URLs of the last user message of a model-call body, read from
    ChatCompletions' ``Content``/``Contents`` or the OpenAI-compatible ``content``."""
    if api == "openai":
        content = [m for m in body["messages"] if m["role"] == "user"][-1]["content"]
        if isinstance(content, str):
            return [content], []
        texts = [p["text"] for p in content if p["type"] == "text"]
        return texts, [p["image_url"]["url"] for p in content if p["type"] == "image_url"]
    message = [m for m in messages_sent(body) if m["Role"] == "user"][-1]
    if "Contents" not in message:
        return [message["Content"]], []
    parts = message["Contents"]
    texts = [p["Text"] for p in parts if p["Type"] == "text"]
    return texts, [p["ImageUrl"]["Url"] for p in parts if p["Type"] == "image_url"]


def user_parts(emu: EmulatorHandle, api: str) -> tuple[list[str], list[str]]:
    """``message_parts`` of the last model call ``api`` made."""
    return message_parts(bodies(emu, ACTION[api])[-1], api)
