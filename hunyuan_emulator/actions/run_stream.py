"""The frames of one RunThread response, built up front (see ``plan.StreamPlan``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import error_msg
from ..faults import ErrorForm
from ..frames import DONE, RunDeltaEncoder, RunInfo, frame, tool_call_json, usage
from ..model import ConvMessage, Reply, ToolCallSpec, generate
from ..plan import Outcome, StreamPlan, prompt_tokens, stream_units
from ..state import StoredMessage, new_message_id

if TYPE_CHECKING:
    from .run_thread import RunRequest

__all__ = ["model_reply", "plan_run"]


def model_reply(request: RunRequest, history: Sequence[ConvMessage]) -> Reply:
    return generate(
        history,
        tools=request.tools if request.tools_enabled else (),
        tool_choice=request.tool_choice if request.tools_enabled else None,
    )


@dataclass
class _Deltas:
    """The delta frames a run sends before a token limit stops it (``reason``)."""

    frames: list[bytes] = field(default_factory=list)
    #: Completion tokens spent once each frame is out.
    spent: list[int] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    started: list[int] = field(default_factory=list)
    completion: int = 0
    reason: str | None = None


def _deltas(
    request: RunRequest, outcome: Outcome, encoder: RunDeltaEncoder, prompt: int
) -> _Deltas:
    out = _Deltas()
    limit = request.max_completion_tokens
    if request.max_prompt_tokens and prompt > request.max_prompt_tokens:
        out.reason = "max_prompt_tokens"
        return out
    for kind, index, piece, cost in stream_units(outcome.text, outcome.tool_calls):
        if limit and out.completion + cost > limit:
            out.reason = "max_tokens"
            return out
        out.completion += cost
        if kind == "text":
            out.frames.append(encoder.text(piece))
            out.text.append(piece)
        elif kind == "start":
            out.frames.append(encoder.tool_start(index, outcome.tool_calls[index]))
            out.started.append(index)
        else:
            out.frames.append(encoder.tool_arguments(index, piece))
        out.spent.append(out.completion)
    if outcome.finish_reason in ("sensitive", "length"):
        out.reason = "sensitive" if outcome.finish_reason == "sensitive" else "max_tokens"
    return out


def _terminal(
    run: RunInfo,
    calls: Sequence[ToolCallSpec],
    reason: str | None,
    now: int,
    final: dict[str, int],
) -> dict[str, Any]:
    """The run's last snapshot: incomplete, requires_action (tool calls) or completed."""
    if reason is not None:
        return run.snapshot("incomplete", started_at=now, usage=final, incomplete_reason=reason)
    if calls:
        required = {
            "Type": "submit_tool_outputs",
            "SubmitToolOutputs": {"ToolCalls": [tool_call_json(i, c) for i, c in enumerate(calls)]},
        }
        return run.snapshot(
            "requires_action", started_at=now, usage=final, required_action=required
        )
    return run.snapshot("completed", started_at=now, completed_at=now, usage=final)


def _stored_requests(request: RunRequest, now: int) -> list[StoredMessage]:
    """The run's AdditionalMessages as the thread keeps them."""
    return [
        StoredMessage(
            id=new_message_id(),
            thread_id=request.thread_id,
            role=m.role,
            content=m.content,
            created_at=now,
            completed_at=now,
            tool_calls=m.tool_calls,
            attachments=list(raw.get("Attachments", [])),
        )
        for m, raw in zip(request.messages, request.raw_messages, strict=True)
    ]


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
    run = RunInfo(
        id=run_id,
        thread_id=request.thread_id,
        created_at=now,
        model=request.model,
        tools=request.raw_tools,
        temperature=request.temperature or 0,
        top_p=request.top_p or 0,
        max_prompt_tokens=request.max_prompt_tokens,
        max_completion_tokens=request.max_completion_tokens,
    )
    # The run's own messages first: ids follow the order the thread stores them in.
    stored_requests = _stored_requests(request, now)
    message = StoredMessage(
        id=new_message_id(),
        thread_id=request.thread_id,
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
    deltas = _deltas(request, outcome, RunDeltaEncoder(message.id), prompt)

    def failure(code: str, text: str, form: ErrorForm, sent: int) -> bytes:
        if form == "error":
            return frame({"Error": {"Code": code, "Message": text}})
        if form == "error_msg":
            return frame({"ErrorMsg": error_msg(code, text)})
        used = deltas.spent[sent - 1] if sent else 0
        snapshot = run.snapshot(
            "failed",
            started_at=now,
            failed_at=now,
            usage=usage(prompt, used),
            last_error={"Code": code, "Message": text},
        )
        return frame(snapshot)

    reason = deltas.reason
    message.content = "".join(deltas.text)
    message.tool_calls = (
        tuple(outcome.tool_calls[i] for i in deltas.started) if reason is None else ()
    )
    if reason is None:
        message.status, message.completed_at = "completed", now
    else:
        message.status, message.incomplete_at, message.incomplete_reason = "incomplete", now, reason
    terminal = _terminal(run, message.tool_calls, reason, now, usage(prompt, deltas.completion))
    new_messages = [*stored_requests, message]
    return StreamPlan(
        preamble=preamble,
        deltas=deltas.frames,
        epilogue=[frame(message.to_wire()), frame(terminal), DONE],
        failure=failure,
        on_success=lambda: commit(new_messages),
        ending_error=outcome.stream_error(),
    )
