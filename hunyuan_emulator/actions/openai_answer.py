"""What ``/v1/chat/completions`` answers: one ``chat.completion`` body, or the chunks of a stream.

Both render the same delivered units: reasoning pieces, then the text ended *before* the first
stop string (OpenAI's semantics; ChatCompletions keeps the string), then each tool call's name
and argument pieces; the units stop where ``max_tokens`` would be exceeded (finish_reason
``length``). A queued reply's ``finish_reason`` is sent as queued.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import RuleError
from ..frames import DONE, dumps, frame
from ..openai_errors import openai_error
from ..plan import Outcome, StreamPlan, Unit, apply_stop, prompt_tokens, stream_units
from .chat_answer import search_info
from .search import with_search_info

if TYPE_CHECKING:
    from ..faults import ErrorForm
    from .chat_completions import ChatRequest

__all__ = ["openai_json", "plan_openai_stream"]


def _delivered(request: ChatRequest, outcome: Outcome) -> tuple[list[Unit], int, str]:
    """The units sent, the completion tokens they cost, and the finish reason."""
    text, stopped = apply_stop(outcome.text, request.stop, keep=False)
    # Generation ends at a stop string: calls after the text are never made.
    calls = () if stopped else outcome.tool_calls
    kept: list[Unit] = []
    spent = 0
    for unit in stream_units(text, calls, outcome.reasoning):
        if request.max_tokens is not None and spent + unit[3] > request.max_tokens:
            return kept, spent, "length"
        kept.append(unit)
        spent += unit[3]
    finish = outcome.finish_reason or ("tool_calls" if calls else "stop")
    return kept, spent, finish


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _delta(unit: Unit, outcome: Outcome) -> dict[str, Any]:
    kind, index, piece, _ = unit
    if kind == "reasoning":
        return {"reasoning_content": piece}
    if kind == "text":
        return {"content": piece}
    if kind == "start":
        call = outcome.tool_calls[index]
        opened = {"name": piece, "arguments": ""}
        return {
            "tool_calls": [{"index": index, "id": call.id, "type": "function", "function": opened}]
        }
    return {"tool_calls": [{"index": index, "function": {"arguments": piece}}]}


def openai_json(
    request: ChatRequest, outcome: Outcome, now: int, completion_id: str
) -> dict[str, Any]:
    units, spent, finish = _delivered(request, outcome)
    parts: dict[str, list[str]] = {"reasoning": [], "text": []}
    calls: list[dict[str, Any]] = []
    for unit in units:
        delta = _delta(unit, outcome)
        if unit[0] in parts:
            parts[unit[0]].append(unit[2])
        elif unit[0] == "start":
            calls.append(delta["tool_calls"][0])
        else:
            calls[-1]["function"]["arguments"] += unit[2]
    text = "".join(parts["text"])
    message: dict[str, Any] = {"role": "assistant", "content": text or (None if calls else "")}
    if parts["reasoning"]:
        message["reasoning_content"] = "".join(parts["reasoning"])
    if calls:
        message["tool_calls"] = [{k: v for k, v in c.items() if k != "index"} for c in calls]
    body = {
        "id": completion_id,
        "object": "chat.completion",
        "created": now,
        "model": request.model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": _usage(prompt_tokens(request.messages), spent),
    }
    info = search_info(request, pascal=False)
    return body if info is None else {**body, "search_info": info}


class _Chunks:
    """``chat.completion.chunk`` frames of one response; the first delta names the role."""

    def __init__(self, completion_id: str, created: int, model: str, include_usage: bool):
        self._envelope: dict[str, Any] = {
            "id": completion_id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
        }
        head = dumps(self._envelope)[:-1]
        self._head = f'data: {head},"choices":[{{"index":0,"delta":'.encode()
        # With include_usage every chunk but the last says "usage": null (OpenAI's format).
        self._tail = ',"usage":null}' if include_usage else "}"
        self._role_sent = False

    def delta(self, delta: dict[str, Any], finish: str | None) -> bytes:
        if not self._role_sent:
            delta, self._role_sent = {"role": "assistant", **delta}, True
        tail = f',"finish_reason":{dumps(finish)}}}]{self._tail}\n\n'
        return self._head + dumps(delta).encode() + tail.encode()

    def usage(self, usage: dict[str, int]) -> bytes:
        return frame({**self._envelope, "choices": [], "usage": usage})


def plan_openai_stream(
    request: ChatRequest, outcome: Outcome, now: int, completion_id: str
) -> StreamPlan:
    chunks = _Chunks(completion_id, now, request.model, request.include_usage)
    units, spent, finish = _delivered(request, outcome)
    ending = outcome.stream_error()
    deltas = [_delta(unit, outcome) for unit in units] or [{"content": ""}]
    last = len(deltas) - 1
    frames = [
        chunks.delta(delta, finish if position == last and ending is None else None)
        for position, delta in enumerate(deltas)
    ]
    info = search_info(request, pascal=False)
    if info is not None:
        frames[0] = with_search_info(frames[0], "search_info", info)
    epilogue = [DONE]
    if request.include_usage:
        epilogue.insert(0, chunks.usage(_usage(prompt_tokens(request.messages), spent)))

    def failure(code: str, message: str, form: ErrorForm, sent: int) -> bytes:
        return frame({"error": openai_error(RuleError(code, message))[1]})

    return StreamPlan(
        preamble=[], deltas=frames, epilogue=epilogue, failure=failure, ending_error=ending
    )
