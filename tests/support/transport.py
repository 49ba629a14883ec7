"""Helpers for tests/transport: what the emulator received, per transport."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle

#: The action that answers on each transport.
ACTION = {"run_thread": "RunThread", "chat_completions": "ChatCompletions"}


def bodies(emu: EmulatorHandle, action: str) -> list[dict[str, Any]]:
    """The bodies of ``action`` requests the emulator received, in order."""
    return [r.body for r in emu.state.requests if r.action == action]


def model_calls(emu: EmulatorHandle, api: str) -> list[dict[str, Any]]:
    """The RunThread or ChatCompletions bodies, as ``api`` makes them."""
    return bodies(emu, ACTION[api])


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
        for message in messages_sent(request.body):
            assert "ReasoningContent" not in message
            assert reasoning not in message.get("Content", "")
