"""Core stream events → LangChain chunks. Pure: ``_stream``, ``_astream``, ``_generate`` and
``_agenerate`` of both models all go through these functions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar, cast

from langchain_core.language_models.chat_models import generate_from_stream
from langchain_core.messages import AIMessage, AIMessageChunk, InvalidToolCall, UsageMetadata
from langchain_core.messages.tool import (
    ToolCall,
    invalid_tool_call,
    tool_call,
    tool_call_chunk,
)
from langchain_core.outputs import ChatGenerationChunk, ChatResult, GenerationChunk
from pydantic import BaseModel

from hunyuan_api import (
    ReasoningDelta,
    RunFinished,
    RunResult,
    StreamEvent,
    TextDelta,
    ToolCallDelta,
    Usage,
)
from hunyuan_api.adapter import PROVIDER, result_events, run_metadata

__all__ = [
    "chat_chunk",
    "chat_result",
    "final_metadata",
    "llm_output",
    "text_chunk",
    "usage_metadata",
]


def usage_metadata(usage: Usage) -> UsageMetadata:
    metadata: dict[str, Any] = {
        "input_tokens": usage.prompt_tokens,
        "output_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
    }
    if usage.cached_tokens > 0:
        metadata["input_token_details"] = {"cache_read": usage.cached_tokens}
    # langchain-core spells the optional keys with typing.NotRequired, which mypy's Python 3.10
    # target does not know, so it would demand them.
    return cast("UsageMetadata", metadata)


def final_metadata(result: RunResult, model: str) -> dict[str, Any]:
    """What the last chunk carries: the core's run metadata (the keys LlamaIndex reports too)
    and the provider. ``model`` is the model this call asked for."""
    return {**run_metadata(result, model), "model_provider": PROVIDER}


def llm_output(runs: Iterable[Mapping[str, Any] | None], model: str) -> dict[str, Any]:
    """LangChain's ``llm_output`` (read by older callbacks) for these runs, each given by its
    final metadata or by an ``llm_output`` already made: ``token_usage`` summed over them (the
    keys of ``run_metadata``), and the model the first run names (else ``model``)."""
    usage: dict[str, int] = {}
    names: list[str] = []
    for run in runs:
        if not run:
            continue
        for key, value in (run.get("token_usage") or {}).items():
            usage[key] = usage.get(key, 0) + int(value)
        if run.get("model_name"):
            names.append(run["model_name"])
    return {
        "token_usage": usage,
        "model_name": names[0] if names else model,
        "model_provider": PROVIDER,
    }


class _TextChunks:
    """Text-delta chunks (nearly every chunk of a stream) built without running pydantic's
    validation each time: a copy of what validating one gives, with the text put in and every
    mutable field fresh. Validation costs ~6 µs of the ~9 µs a chunk takes, and a stream has one
    chunk per delta.

    The shortcut is checked once, against validation itself: if the copy of a sample chunk
    differs in any field, in the fields counted as set, or in pydantic's other state (a
    langchain-core with new validators or fields), every chunk is validated as before."""

    __slots__ = ("_chunk", "_message", "ok")

    def __init__(self) -> None:
        sample = _validated_text_chunk("sample")
        self._message = _State(sample.message)
        self._chunk = _State(sample)
        self.ok = _same_state(self.build("sample"), sample)

    def build(self, text: str) -> ChatGenerationChunk:
        message = self._message.new(AIMessageChunk, content=text)
        return self._chunk.new(ChatGenerationChunk, message=message, text=text)


_M = TypeVar("_M", bound=BaseModel)


class _State:
    """A validated model's pydantic state, to stamp out equal instances from."""

    __slots__ = ("containers", "extra", "fields", "fields_set", "private")

    def __init__(self, model: BaseModel) -> None:
        self.fields = dict(model.__dict__)
        # Copied per instance: a caller may mutate one chunk's without touching another's.
        self.containers = tuple(k for k, v in self.fields.items() if type(v) in (dict, list))
        self.fields_set = frozenset(model.__pydantic_fields_set__)
        self.extra = model.__pydantic_extra__
        self.private = model.__pydantic_private__

    def new(self, cls: type[_M], **values: Any) -> _M:
        model = cls.__new__(cls)
        data = self.fields.copy()
        for name in self.containers:
            data[name] = data[name].copy()
        data.update(values)
        # What pydantic's own ``model_construct`` sets, without its per-field default handling.
        setattr_ = object.__setattr__
        setattr_(model, "__dict__", data)
        setattr_(model, "__pydantic_fields_set__", set(self.fields_set))
        extra, private = self.extra, self.private
        setattr_(model, "__pydantic_extra__", None if extra is None else dict(extra))
        setattr_(model, "__pydantic_private__", None if private is None else dict(private))
        return model


def _state(model: BaseModel) -> tuple[Any, ...]:
    return (
        model.__dict__,
        model.__pydantic_fields_set__,
        model.__pydantic_extra__,
        model.__pydantic_private__,
    )


def _same_state(a: BaseModel, b: BaseModel) -> bool:
    if type(a) is not type(b) or _state(a) != _state(b):
        return False
    return all(
        _same_state(x, y) if isinstance(x, BaseModel) else x == y
        for x, y in zip(a.__dict__.values(), b.__dict__.values(), strict=True)
    )


def _validated_text_chunk(text: str) -> ChatGenerationChunk:
    return ChatGenerationChunk(
        message=AIMessageChunk(content=text, response_metadata={"model_provider": PROVIDER})
    )


_text_chunks: _TextChunks | None = None


def _text_chunk(text: str) -> ChatGenerationChunk:
    global _text_chunks
    if _text_chunks is None:
        _text_chunks = _TextChunks()
    return _text_chunks.build(text) if _text_chunks.ok else _validated_text_chunk(text)


def chat_chunk(event: StreamEvent, model: str) -> ChatGenerationChunk:
    """One chunk per event. Strings concatenate and usage sums when LangChain merges chunks,
    so usage, finish reason and ids appear once, on the last chunk; ``model_provider`` is
    merged as equal and may repeat."""
    if type(event) is TextDelta:
        return _text_chunk(event.text)
    provider = {"model_provider": PROVIDER}
    message: AIMessageChunk
    if isinstance(event, TextDelta):
        message = AIMessageChunk(content=event.text, response_metadata=provider)
    elif isinstance(event, ReasoningDelta):
        message = AIMessageChunk(
            content="",
            additional_kwargs={"reasoning_content": event.text},
            response_metadata=provider,
        )
    elif isinstance(event, ToolCallDelta):
        message = AIMessageChunk(
            content="",
            tool_call_chunks=[
                tool_call_chunk(
                    name=event.name, args=event.arguments, id=event.id, index=event.index
                )
            ],
            response_metadata=provider,
        )
    else:
        result = event.result
        message = AIMessageChunk(
            content="",
            usage_metadata=usage_metadata(result.usage) if result.usage is not None else None,
            response_metadata=final_metadata(result, model),
            chunk_position="last",
        )
    return ChatGenerationChunk(message=message)


def text_chunk(event: StreamEvent, model: str) -> GenerationChunk | None:
    """The completion-model view: text only (None for events without text), with the run's
    metadata and usage on the last chunk."""
    if isinstance(event, TextDelta):
        return GenerationChunk(text=event.text)
    if isinstance(event, RunFinished):
        result = event.result
        info: dict[str, Any] = final_metadata(result, model)
        if result.usage is not None:
            info["usage_metadata"] = dict(usage_metadata(result.usage))
        if result.reasoning:
            info["reasoning_content"] = result.reasoning
        return GenerationChunk(text="", generation_info=info)
    return None


def _checked_calls(result: RunResult) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """The reply's tool calls, parsed strictly: arguments that are not a JSON object (the
    model's output was cut or malformed) make an invalid call, never a guessed one."""
    valid: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for call in result.tool_calls:
        text = call.arguments
        try:
            args = json.loads(text) if text.strip() else {}
            problem = None if isinstance(args, dict) else "are not a JSON object"
        except ValueError as exc:
            problem = f"are not valid JSON ({exc})"
        if problem is None:
            valid.append(tool_call(name=call.name, args=args, id=call.id or None))
        else:
            error = f"the arguments of tool call {call.name!r} {problem}"
            invalid.append(
                invalid_tool_call(name=call.name, args=text, id=call.id or None, error=error)
            )
    return valid, invalid


def chat_result(result: RunResult, model: str) -> ChatResult:
    """A whole run as LangChain's result: the same message its stream's chunks add up to,
    except that tool calls are parsed strictly (chunk merging parses partial JSON leniently)."""
    chat = generate_from_stream(iter([chat_chunk(e, model) for e in result_events(result)]))
    message = chat.generations[0].message
    assert isinstance(message, AIMessage)
    message.tool_calls, message.invalid_tool_calls = _checked_calls(result)
    return chat
