"""Short builders for core ``Message`` histories, as the core tests write them."""

from __future__ import annotations

from hunyuan_api import Message, ToolCall

__all__ = ["A", "R", "S", "U"]


def U(text: str) -> Message:
    return Message("user", text)


def A(text: str, *calls: ToolCall) -> Message:
    return Message("assistant", text, tuple(calls))


def R(text: str, call_id: str) -> Message:
    return Message("tool", text, tool_call_id=call_id)


def S(text: str) -> Message:
    return Message("system", text)
