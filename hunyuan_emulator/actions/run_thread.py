"""RunThread: a streamed run on a thread; the thread's messages plus ``AdditionalMessages`` are
the conversation, and the new messages are stored once the run completes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import schema
from ..catalog import DEFAULT_RUN_MODEL, RUN_THREAD
from ..errors import RuleError
from ..model import ConvMessage, ToolSpec
from ..order import check_order, check_role, parse_replay_tool_calls
from ..plan import decide
from ..responses import BytesResponse, EventStreamResponse
from ..schema import ANY, FLOAT, INTEGER, STRING, array, obj, required
from ..state import StoredMessage, new_id
from .call import Call
from .params import TOOLS, model_family, sampling, tool_choice, tools
from .run_stream import model_reply, plan_run

__all__ = ["RunRequest", "run_thread", "validate_run_thread"]

_RUN_THREAD = obj(
    ThreadID=required(STRING),
    AssistantID=STRING,
    Model=STRING,
    AdditionalMessages=array(
        obj(
            Role=required(STRING),
            Content=required(STRING),
            Attachments=array(obj(FileID=required(STRING))),
        )
    ),
    Temperature=FLOAT,
    TopP=FLOAT,
    Stream=ANY,
    MaxPromptTokens=INTEGER,
    MaxCompletionTokens=INTEGER,
    Tools=TOOLS,
    ToolChoice=STRING,
)


@dataclass
class RunRequest:
    thread_id: str
    model: str
    messages: list[ConvMessage]
    raw_messages: list[dict[str, Any]]
    temperature: float | None
    top_p: float | None
    max_prompt_tokens: int
    max_completion_tokens: int
    tools: list[ToolSpec]
    raw_tools: list[dict[str, Any]]
    tool_choice: str | None
    #: Whether the model honours Tools/ToolChoice (the service ignores them elsewhere).
    model_takes_tools: bool

    @property
    def tools_enabled(self) -> bool:
        return self.model_takes_tools and bool(self.tools)


def validate_run_thread(body: dict[str, Any]) -> RunRequest:
    """Every RunThread rule that does not need the thread."""
    schema.check(body, _RUN_THREAD)
    model = body.get("Model", DEFAULT_RUN_MODEL)
    family = model_family(RUN_THREAD, model)
    temperature, top_p = sampling(body)
    if body.get("Stream") is not True:
        raise RuleError(
            "InvalidParameterValue",
            "The value of parameter `Stream` is invalid: 当前只允许 true (Stream must be true).",
        )
    max_prompt = schema.non_negative(body, "MaxPromptTokens")
    max_completion = schema.non_negative(body, "MaxCompletionTokens")
    raw_tools = body.get("Tools", [])
    offered = tools(raw_tools)
    choice = tool_choice(body)
    if choice == "custom" and not offered:
        raise schema.invalid("ToolChoice", "'custom' requires Tools.")
    raw_messages = body.get("AdditionalMessages", [])
    return RunRequest(
        thread_id=body["ThreadID"],
        model=model,
        messages=[_message(item, f"AdditionalMessages.{i}") for i, item in enumerate(raw_messages)],
        raw_messages=raw_messages,
        temperature=temperature,
        top_p=top_p,
        max_prompt_tokens=max_prompt,
        max_completion_tokens=max_completion,
        tools=offered,
        raw_tools=raw_tools,
        tool_choice=choice,
        model_takes_tools=family.tools,
    )


def _message(item: dict[str, Any], path: str) -> ConvMessage:
    role, content = item["Role"], item["Content"]
    check_role(role, f"{path}.Role")
    if not content.strip():
        raise schema.invalid(f"{path}.Content", "Content must not be empty.")
    calls = parse_replay_tool_calls(content, f"{path}.Content") if role == "assistant" else ()
    return ConvMessage(role, content, calls)


async def run_thread(call: Call) -> BytesResponse | EventStreamResponse:
    state = call.state
    request = validate_run_thread(call.body)
    run_id = new_id("run_")
    stored = state.begin_run(request.thread_id, run_id)
    held = len(stored)
    acquired = False

    def release() -> None:
        if acquired:
            call.release()
        state.end_run(request.thread_id, run_id)

    try:
        history = [m.as_conv() for m in stored] + request.messages
        check_order(
            history,
            lambda i: f"thread message {i}" if i < held else f"AdditionalMessages.{i - held}",
            by_id=False,
        )
        call.acquire()
        acquired = True
        fault, delay = call.take_fault("RunThread", streaming=True, latency=state.settings.latency)
        failed = call.pre_fault(fault, delay=delay, on_finish=release)
        if failed is not None:
            return failed
        outcome = decide(state.take_reply(request.thread_id) or model_reply(request, history))
        if outcome.error is not None and outcome.fails_before_stream:
            return call.error(outcome.error[0], outcome.error[1], delay=delay, on_finish=release)

        def commit(messages: list[StoredMessage]) -> None:
            state.end_run(request.thread_id, run_id, messages)

        plan = plan_run(
            request=request,
            history=history,
            outcome=outcome,
            now=int(state.now()),
            run_id=run_id,
            commit=commit,
        )
    except BaseException:
        release()
        raise
    return call.stream(plan, fault=fault, delay=delay, on_finish=release)
