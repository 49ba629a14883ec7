"""What a ChatCompletions call answers: one JSON body, or the chunks of a stream."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import error_msg
from ..faults import ErrorForm
from ..frames import NOTE, ChatChunkEncoder, tool_call_json, usage
from ..model import Reply, cite, count_tokens, generate
from ..plan import Outcome, StreamPlan, apply_stop, call_tokens, prompt_tokens, stream_units
from .search import with_search_info

if TYPE_CHECKING:
    from .chat_completions import ChatRequest

__all__ = ["chat_json", "model_reply", "plan_chat_stream", "search_info"]


def model_reply(request: ChatRequest) -> Reply:
    enabled = request.tools_enabled
    reply = generate(
        request.messages,
        tools=request.tools if enabled else (),
        tool_choice=request.tool_choice if enabled else None,
        forced_tool=request.forced_tool if enabled else None,
        reasoning=request.reasoning,
    )
    search = request.search
    if search is not None and search.cited and reply.text:
        reply = replace(reply, text=cite(reply.text, search.results))
    return reply


def search_info(request: ChatRequest, *, pascal: bool) -> dict[str, Any] | None:
    """The search results a response returns: only when a search ran and they were asked for."""
    search = request.search
    return search.info(pascal=pascal) if search is not None and search.returned else None


def _finish_reason(outcome: Outcome) -> str:
    if outcome.finish_reason:
        return outcome.finish_reason
    return "tool_calls" if outcome.tool_calls else "stop"


def chat_json(
    request: ChatRequest, outcome: Outcome, *, now: int, request_id: str
) -> dict[str, Any]:
    text, _ = apply_stop(outcome.text, request.stop, keep=True)
    message: dict[str, Any] = {"Role": "assistant", "Content": text}
    if outcome.tool_calls:
        message["ToolCalls"] = [tool_call_json(i, c) for i, c in enumerate(outcome.tool_calls)]
    if outcome.reasoning:
        message["ReasoningContent"] = outcome.reasoning
    completion = (
        count_tokens(text) + count_tokens(outcome.reasoning) + call_tokens(outcome.tool_calls)
    )
    body = {
        "Id": request_id,
        "Created": now,
        "Note": NOTE,
        "Choices": [{"Index": 0, "Message": message, "FinishReason": _finish_reason(outcome)}],
        "Usage": usage(prompt_tokens(request.messages), completion),
    }
    info = search_info(request, pascal=True)
    return body if info is None else {**body, "SearchInfo": info}


def plan_chat_stream(
    request: ChatRequest, outcome: Outcome, *, now: int, request_id: str
) -> StreamPlan:
    encoder = ChatChunkEncoder(request_id, now, prompt_tokens(request.messages))
    text, _ = apply_stop(outcome.text, request.stop, keep=True)
    # An empty reply still sends one chunk: the one that carries the FinishReason.
    units = stream_units(text, outcome.tool_calls, outcome.reasoning) or [("text", 0, "", 0)]
    finish = _finish_reason(outcome)
    deltas: list[bytes] = []
    completion = 0
    last = len(units) - 1
    for position, (kind, index, piece, cost) in enumerate(units):
        completion += cost
        done = finish if position == last and outcome.error is None else ""
        if kind == "reasoning":
            deltas.append(encoder.reasoning(piece, completion, done))
        elif kind == "text":
            deltas.append(encoder.content(piece, completion, done))
        elif kind == "start":
            deltas.append(encoder.tool_start(index, outcome.tool_calls[index], completion, done))
        else:
            deltas.append(encoder.tool_arguments(index, piece, completion, done))

    info = search_info(request, pascal=True)
    if info is not None:
        deltas[0] = with_search_info(deltas[0], "SearchInfo", info)

    def failure(code: str, message: str, form: ErrorForm, sent: int) -> bytes:
        return encoder.error_msg(error_msg(code, message))

    # ChatCompletions has one error form, whatever form the error was queued with.
    queued = outcome.stream_error()
    ending: tuple[str, str, ErrorForm] | None = (
        (queued[0], queued[1], "error_msg") if queued is not None else None
    )
    return StreamPlan(preamble=[], deltas=deltas, epilogue=[], failure=failure, ending_error=ending)
