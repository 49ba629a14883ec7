"""Stream plans: every frame of a RunThread or ChatCompletions response, built up front.

A plan is data (preamble, deltas, epilogue) plus two hooks: ``failure`` renders the error
frame a fault or a queued error ends the stream with, ``on_success`` stores the run's
messages once the terminal snapshot went out. The streaming response in ``_app`` walks it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._codes import CHAT_ERROR_MSG_CODE
from ._faults import ErrorForm
from ._frames import (
    DONE,
    NOTE,
    ChatChunkEncoder,
    RunDeltaEncoder,
    RunInfo,
    frame,
    tool_call_json,
    usage,
)
from ._model import ConvMessage, Reply, ToolCallSpec, count_tokens, generate, split_pieces
from ._rules import ChatRequest, RunRequest
from ._state import QueuedReply, StoredMessage, new_id

__all__ = [
    "Outcome",
    "StreamPlan",
    "chat_json",
    "decide",
    "error_msg_code",
    "plan_chat_stream",
    "plan_run",
    "prompt_tokens",
]


@dataclass
class StreamPlan:
    preamble: list[bytes]
    deltas: list[bytes]
    epilogue: list[bytes]
    #: (code, message, form, deltas sent) -> the one error frame that ends a failed stream.
    failure: Callable[[str, str, ErrorForm, int], bytes]
    #: Called once the terminal snapshot has been handed to the server.
    on_success: Callable[[], None] | None = None
    #: A queued mid-stream error replaces the epilogue with this (code, message, form).
    ending_error: tuple[str, str, ErrorForm] | None = None


@dataclass
class Outcome:
    """What the model (or a queued reply) answers, with call ids assigned."""

    text: str = ""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    reasoning: str = ""
    finish_reason: str | None = None
    error: tuple[str, str, str] | None = None
    queued: bool = field(default=False)


def _with_ids(calls: Sequence[ToolCallSpec]) -> tuple[ToolCallSpec, ...]:
    return tuple(ToolCallSpec(c.name, c.arguments, new_id("call_")) for c in calls)


def decide(reply: Reply | QueuedReply) -> Outcome:
    if isinstance(reply, QueuedReply):
        return Outcome(
            reply.text,
            _with_ids(reply.tool_calls),
            reply.reasoning,
            reply.finish_reason,
            reply.error,
            queued=True,
        )
    return Outcome(reply.text, _with_ids(reply.tool_calls), reply.reasoning)


def prompt_tokens(messages: Sequence[ConvMessage]) -> int:
    total = 0
    for message in messages:
        total += count_tokens(message.content)
        total += sum(1 + count_tokens(call.arguments) for call in message.tool_calls)
    return total


def error_msg_code(code: str) -> int:
    return int(code) if code.isdigit() else CHAT_ERROR_MSG_CODE


def _error_msg_text(code: str, message: str) -> str:
    return message if code.isdigit() else f"{code}: {message}"


def _units(outcome: Outcome) -> list[tuple[str, int, str, int]]:
    """(kind, call index, piece, token cost) in emission order; kinds: text, start, args."""
    units = [("text", 0, p, 0 if p.isspace() else 1) for p in split_pieces(outcome.text)]
    for index, call in enumerate(outcome.tool_calls):
        units.append(("start", index, call.name, 1))
        units.extend(
            ("args", index, p, 0 if p.isspace() else 1) for p in split_pieces(call.arguments)
        )
    return units


# --------------------------------------------------------------------------- RunThread


def plan_run(
    *,
    request: RunRequest,
    history: Sequence[ConvMessage],
    outcome: Outcome,
    now: int,
    run_id: str,
    commit: Callable[[list[StoredMessage]], None],
) -> StreamPlan:
    """The frames of one run; ``history`` is the thread's messages plus AdditionalMessages."""
    thread_id = request.thread_id
    run = RunInfo(
        id=run_id,
        thread_id=thread_id,
        created_at=now,
        model=request.model,
        tools=request.raw_tools,
        temperature=request.temperature or 0,
        top_p=request.top_p or 0,
        max_prompt_tokens=request.max_prompt_tokens,
        max_completion_tokens=request.max_completion_tokens,
    )
    message = StoredMessage(
        id=new_id("msg_"),
        thread_id=thread_id,
        role="assistant",
        content="",
        created_at=now,
        run_id=run_id,
        status="in_progress",
    )
    prompt = prompt_tokens(history)
    preamble = [
        frame(run.snapshot("created")),
        frame(run.snapshot("in_progress", started_at=now)),
        frame(message.to_wire()),
    ]
    encoder = RunDeltaEncoder(message.id)
    deltas: list[bytes] = []
    spent: list[int] = []
    completion = 0
    text: list[str] = []
    arguments: dict[int, list[str]] = {}
    started: list[int] = []
    reason: str | None = None
    limit = request.max_completion_tokens
    if request.max_prompt_tokens and prompt > request.max_prompt_tokens:
        reason = "max_prompt_tokens"
    else:
        for kind, index, piece, cost in _units(outcome):
            if limit and completion + cost > limit:
                reason = "max_tokens"
                break
            completion += cost
            if kind == "text":
                deltas.append(encoder.text(piece))
                text.append(piece)
            elif kind == "start":
                deltas.append(encoder.tool_start(index, outcome.tool_calls[index]))
                started.append(index)
                arguments[index] = []
            else:
                deltas.append(encoder.tool_arguments(index, piece))
                arguments[index].append(piece)
            spent.append(completion)
    if reason is None and outcome.finish_reason in ("sensitive", "length"):
        reason = "sensitive" if outcome.finish_reason == "sensitive" else "max_tokens"

    def failure(code: str, text_: str, form: ErrorForm, sent: int) -> bytes:
        if form == "error":
            return frame({"Error": {"Code": code, "Message": text_}})
        if form == "error_msg":
            return frame(
                {"ErrorMsg": {"Code": error_msg_code(code), "Msg": _error_msg_text(code, text_)}}
            )
        used = spent[sent - 1] if sent else 0
        snapshot = run.snapshot(
            "failed",
            started_at=now,
            failed_at=now,
            usage=usage(prompt, used),
            last_error={"Code": code, "Message": text_},
        )
        return frame(snapshot)

    ending: tuple[str, str, ErrorForm] | None = None
    if outcome.error is not None and outcome.error[2] != "before":
        code, text_, where = outcome.error
        ending = (code, text_, where)  # type: ignore[assignment]

    message.content = "".join(text)
    calls = tuple(outcome.tool_calls[i] for i in started) if reason is None else ()
    message.tool_calls = calls
    if reason is None:
        message.status, message.completed_at = "completed", now
    else:
        message.status, message.incomplete_at, message.incomplete_reason = "incomplete", now, reason
    final = usage(prompt, completion)
    if reason is not None:
        terminal = run.snapshot("incomplete", started_at=now, usage=final, incomplete_reason=reason)
    elif calls:
        required = {
            "Type": "submit_tool_outputs",
            "SubmitToolOutputs": {"ToolCalls": [tool_call_json(i, c) for i, c in enumerate(calls)]},
        }
        terminal = run.snapshot(
            "requires_action", started_at=now, usage=final, required_action=required
        )
    else:
        terminal = run.snapshot("completed", started_at=now, completed_at=now, usage=final)
    epilogue = [frame(message.to_wire()), frame(terminal), DONE]

    new_messages = [
        StoredMessage(
            id=new_id("msg_"),
            thread_id=thread_id,
            role=m.role,
            content=m.content,
            created_at=now,
            completed_at=now,
            tool_calls=m.tool_calls,
            attachments=list(raw.get("Attachments", [])),
        )
        for m, raw in zip(request.messages, request.raw_messages, strict=True)
    ]
    new_messages.append(message)
    return StreamPlan(
        preamble=preamble,
        deltas=deltas,
        epilogue=epilogue,
        failure=failure,
        on_success=lambda: commit(new_messages),
        ending_error=ending,
    )


def model_reply(request: RunRequest, history: Sequence[ConvMessage]) -> Reply:
    return generate(
        history,
        tools=request.tools if request.tools_enabled else (),
        tool_choice=request.tool_choice if request.tools_enabled else None,
    )


# --------------------------------------------------------------------------- ChatCompletions


def chat_model_reply(request: ChatRequest) -> Reply:
    enabled = request.tools_enabled
    return generate(
        request.messages,
        tools=request.tools if enabled else (),
        tool_choice=request.tool_choice if enabled else None,
        forced_tool=request.forced_tool if enabled else None,
        reasoning=request.reasoning,
    )


def _apply_stop(text: str, stops: Sequence[str]) -> tuple[str, bool]:
    """Hunyuan stops *after* the matched stop string (it stays in the output)."""
    cut = min(
        (text.find(s) + len(s) for s in stops if s and text.find(s) >= 0),
        default=-1,
    )
    return (text[:cut], True) if cut >= 0 else (text, False)


def _finish_reason(outcome: Outcome) -> str:
    if outcome.finish_reason:
        return outcome.finish_reason
    return "tool_calls" if outcome.tool_calls else "stop"


def chat_json(
    request: ChatRequest, outcome: Outcome, *, now: int, request_id: str
) -> dict[str, Any]:
    text, _ = _apply_stop(outcome.text, request.stop)
    message: dict[str, Any] = {"Role": "assistant", "Content": text}
    if outcome.tool_calls:
        message["ToolCalls"] = [tool_call_json(i, c) for i, c in enumerate(outcome.tool_calls)]
    if outcome.reasoning:
        message["ReasoningContent"] = outcome.reasoning
    completion = (
        count_tokens(text)
        + count_tokens(outcome.reasoning)
        + sum(1 + count_tokens(c.arguments) for c in outcome.tool_calls)
    )
    return {
        "Id": request_id,
        "Created": now,
        "Note": NOTE,
        "Choices": [{"Index": 0, "Message": message, "FinishReason": _finish_reason(outcome)}],
        "Usage": usage(prompt_tokens(request.messages), completion),
    }


def plan_chat_stream(
    request: ChatRequest, outcome: Outcome, *, now: int, request_id: str
) -> StreamPlan:
    encoder = ChatChunkEncoder(request_id, now, prompt_tokens(request.messages))
    text, _ = _apply_stop(outcome.text, request.stop)
    units: list[tuple[str, int, str]] = [
        ("reasoning", 0, p) for p in split_pieces(outcome.reasoning)
    ]
    units.extend(("text", 0, p) for p in split_pieces(text))
    for index, call in enumerate(outcome.tool_calls):
        units.append(("start", index, ""))
        units.extend(("args", index, p) for p in split_pieces(call.arguments))
    if not units:
        units.append(("text", 0, ""))
    finish = _finish_reason(outcome)
    deltas: list[bytes] = []
    completion = 0
    last = len(units) - 1
    for position, (kind, index, piece) in enumerate(units):
        completion += 1 if kind == "start" or (piece and not piece.isspace()) else 0
        done = finish if position == last and outcome.error is None else ""
        if kind == "reasoning":
            deltas.append(encoder.reasoning(piece, completion, done))
        elif kind == "text":
            deltas.append(encoder.content(piece, completion, done))
        elif kind == "start":
            deltas.append(encoder.tool_start(index, outcome.tool_calls[index], completion, done))
        else:
            deltas.append(encoder.tool_arguments(index, piece, completion, done))

    def failure(code: str, message: str, form: ErrorForm, sent: int) -> bytes:
        return encoder.error_msg(error_msg_code(code), _error_msg_text(code, message))

    ending: tuple[str, str, ErrorForm] | None = None
    if outcome.error is not None and outcome.error[2] != "before":
        ending = (outcome.error[0], outcome.error[1], "error_msg")
    return StreamPlan(preamble=[], deltas=deltas, epilogue=[], failure=failure, ending_error=ending)
