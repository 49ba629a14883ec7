"""Core results and stream events → LlamaIndex ``ChatResponse``s."""

from __future__ import annotations

import dataclasses
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ContentBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from hunyuan_api import (
    ReasoningDelta,
    RunFinished,
    RunResult,
    StreamEvent,
    TextDelta,
    ToolCall,
    ToolCallDelta,
)

__all__ = ["ChatStream", "chat_response", "result_to_dict"]


def _tool_call_dict(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": arguments},
    }


def _message(text: str, reasoning: str, calls: list[ToolCall]) -> ChatMessage:
    blocks: list[ContentBlock] = []
    if reasoning:
        blocks.append(ThinkingBlock(content=reasoning))
    blocks.append(TextBlock(text=text))
    # Arguments stay the JSON text the model produced (as OpenAI's integration keeps them), so
    # sending the message back reproduces the thread's content exactly.
    blocks.extend(
        ToolCallBlock(tool_call_id=c.id, tool_name=c.name, tool_kwargs=c.arguments) for c in calls
    )
    kwargs: dict[str, Any] = {}
    if calls:
        kwargs["tool_calls"] = [_tool_call_dict(c.id, c.name, c.arguments) for c in calls]
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=kwargs)


def result_to_dict(result: RunResult) -> dict[str, Any]:
    """The run as plain JSON-ready values (``ChatResponse.raw``; agents copy it into events)."""
    raw = dataclasses.asdict(result)
    raw["tool_calls"] = [dataclasses.asdict(c) for c in result.tool_calls]
    return raw


def _response_kwargs(result: RunResult) -> dict[str, Any]:
    kwargs: dict[str, Any] = {}
    if result.usage is not None:
        kwargs["prompt_tokens"] = result.usage.prompt_tokens
        kwargs["completion_tokens"] = result.usage.completion_tokens
        kwargs["total_tokens"] = result.usage.total_tokens
    kwargs["thread_id"] = result.thread_id
    kwargs["run_id"] = result.run_id
    kwargs["request_id"] = result.request_id
    kwargs["finish_reason"] = result.finish_reason
    return kwargs


def chat_response(result: RunResult, delta: str | None = None) -> ChatResponse:
    """The complete reply: what ``chat`` returns and what a stream ends with."""
    return ChatResponse(
        message=_message(result.text, result.reasoning, list(result.tool_calls)),
        raw=result_to_dict(result),
        delta=delta,
        additional_kwargs=_response_kwargs(result),
    )


class _PartialCall:
    __slots__ = ("arguments", "id", "name")

    def __init__(self) -> None:
        self.id = ""
        self.name = ""
        self.arguments: list[str] = []


class ChatStream:
    """Folds the core's events into cumulative responses: each carries the whole message so far
    and ``delta`` (new text only); the last one is built from the final ``RunResult``."""

    def __init__(self) -> None:
        self._text = ""
        self._reasoning = ""
        self._calls: dict[int, _PartialCall] = {}

    def feed(self, event: StreamEvent) -> ChatResponse:
        if isinstance(event, RunFinished):
            return chat_response(event.result, delta="")
        kwargs: dict[str, Any] = {}
        delta = ""
        if isinstance(event, TextDelta):
            delta = event.text
            self._text += delta
        elif isinstance(event, ReasoningDelta):
            self._reasoning += event.text
            kwargs["thinking_delta"] = event.text
        elif isinstance(event, ToolCallDelta):
            call = self._calls.setdefault(event.index, _PartialCall())
            call.id = event.id or call.id
            call.name = event.name or call.name
            call.arguments.append(event.arguments)
        calls = [
            ToolCall(id=c.id, name=c.name, arguments="".join(c.arguments))
            for _, c in sorted(self._calls.items())
        ]
        return ChatResponse(
            message=_message(self._text, self._reasoning, calls),
            raw={"event": type(event).__name__, **dataclasses.asdict(event)},
            delta=delta,
            additional_kwargs=kwargs,
        )
