"""Helpers for tests/langchain: one test body for the sync and async paths, and log readers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from langchain_core.messages import AIMessageChunk, BaseMessageChunk

if TYPE_CHECKING:
    from langchain_core.runnables import Runnable

    from hunyuan_emulator import EmulatorHandle, RecordedRequest


async def invoke(runnable: Runnable[Any, Any], value: Any, sync: bool, **kwargs: Any) -> Any:
    if sync:
        return runnable.invoke(value, **kwargs)
    return await runnable.ainvoke(value, **kwargs)


async def collect(runnable: Runnable[Any, Any], value: Any, sync: bool, **kwargs: Any) -> list[Any]:
    if sync:
        return list(runnable.stream(value, **kwargs))
    return [chunk async for chunk in runnable.astream(value, **kwargs)]


def aggregate(chunks: list[Any]) -> AIMessageChunk:
    merged: BaseMessageChunk = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    assert isinstance(merged, AIMessageChunk)
    return merged


def runs(emu: EmulatorHandle) -> list[RecordedRequest]:
    """The RunThread requests the emulator received, in order."""
    return [r for r in emu.state.requests if r.action == "RunThread"]


def actions(emu: EmulatorHandle) -> list[str]:
    return [r.action for r in emu.state.requests]


def sent(request: RecordedRequest) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = request.body["AdditionalMessages"]
    return messages
