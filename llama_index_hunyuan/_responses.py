"""Core results and stream events → LlamaIndex ``ChatResponse``s."""

from __future__ import annotations

import dataclasses
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    ContentBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from hunyuan_api import (
    AsyncRunStream,
    PartialOutput,
    ReasoningDelta,
    RunFinished,
    RunResult,
    RunStream,
    StreamEvent,
    TextDelta,
    ThreadToken,
    ToolCall,
)
from hunyuan_api.adapter import THREAD_TOKEN_KEY, run_metadata

__all__ = [
    "astream_responses",
    "chat_response",
    "result_to_dict",
    "stream_responses",
    "streamed_response",
]


def _tool_call_dict(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": call.arguments},
    }


def _message(
    text: str, reasoning: str, calls: tuple[ToolCall, ...], token: ThreadToken | None = None
) -> ChatMessage:
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
        kwargs["tool_calls"] = [_tool_call_dict(c) for c in calls]
    if token is not None:
        # On the message itself: that is what chat memories and stores keep.
        kwargs[THREAD_TOKEN_KEY] = token.as_metadata()
    return ChatMessage(role=MessageRole.ASSISTANT, blocks=blocks, additional_kwargs=kwargs)


def result_to_dict(result: RunResult) -> dict[str, Any]:
    """The run as plain JSON-ready values (``ChatResponse.raw``; agents copy it into events)."""
    raw = dataclasses.asdict(result)
    raw["tool_calls"] = [dataclasses.asdict(c) for c in result.tool_calls]
    if result.thread_id is None:
        # No thread (ChatCompletions, the OpenAI-compatible endpoint): "continued: False, 0 sent"
        # would read as a fact about a thread; left out, as in ``run_metadata``.
        del raw["continued_thread"], raw["messages_sent"]
    return raw


def _response_kwargs(result: RunResult) -> dict[str, Any]:
    """The core's run metadata (the keys LangChain reports too), with the token counts also at
    the top level, where LlamaIndex's token counters and OpenAI's integration put them."""
    kwargs = run_metadata(result, result.model)
    usage = kwargs.get("token_usage")
    if usage is not None:
        kwargs.update(usage)
    return kwargs


def chat_response(result: RunResult, delta: str | None = None) -> ChatResponse:
    """The complete reply: what ``chat`` returns and what a stream ends with."""
    return ChatResponse(
        message=_message(result.text, result.reasoning, result.tool_calls, result.thread_token),
        raw=result_to_dict(result),
        delta=delta,
        additional_kwargs=_response_kwargs(result),
    )


def streamed_response(event: StreamEvent, so_far: PartialOutput) -> ChatResponse:
    """One streamed response: the whole message so far (accumulated by the core) and ``delta``,
    the new text only; the last one is built from the final ``RunResult``."""
    if isinstance(event, RunFinished):
        return chat_response(event.result, delta="")
    kwargs: dict[str, Any] = {}
    if isinstance(event, ReasoningDelta):
        kwargs["thinking_delta"] = event.text
    return ChatResponse(
        message=_message(so_far.text, so_far.reasoning, so_far.tool_calls),
        raw={"event": type(event).__name__, **dataclasses.asdict(event)},
        delta=event.text if isinstance(event, TextDelta) else "",
        additional_kwargs=kwargs,
    )


def stream_responses(stream: RunStream) -> ChatResponseGen:
    # Leaving early closes the run at once: the connection is released and the thread ledger
    # learns the thread's content is unknown.
    with stream:
        for event in stream:
            yield streamed_response(event, stream.partial())


async def astream_responses(stream: AsyncRunStream) -> ChatResponseAsyncGen:
    async with stream:
        async for event in stream:
            yield streamed_response(event, stream.partial())
