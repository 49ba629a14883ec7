"""Frames and the run accumulator: what a stream of frames turns into (events, result, errors)."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hunyuan_api as hy
from hunyuan_api._run.accumulator import RunAccumulator
from hunyuan_api._run.session import RunSession
from hunyuan_api._wire.frames import (
    ChatCompletionChunk,
    DoneFrame,
    ErrorFrame,
    MessageDeltaFrame,
    MessageFrame,
    RunFrame,
    UnknownFrame,
    parse_frame,
)
from hunyuan_api._wire.sse import (
    ServerSentEvent,
    SSEDecoder,
)
from tests.support.fake_service import delta_frame, message_frame, run_frame, sse

T = "thread_1"
USAGE = {"PromptTokens": 5, "CompletionTokens": 3, "TotalTokens": 8}


def run(frames: list[Any], *, request_id: str | None = "req-1") -> tuple[list[Any], RunSession]:
    """Feed whole frames through a RunSession in one chunk; returns events and the session, or
    raises the error a frame ended the session with (as the flow does)."""
    session = RunSession(model="hunyuan-turbo", request_id=request_id, thread_id=T)
    raw = b"".join(f if isinstance(f, bytes) else sse(f) for f in frames)
    events = session.feed(raw)
    events += session.end()
    if session.failure is not None:
        session.result()
    return events, session


def texts(events: list[Any]) -> str:
    return "".join(e.text for e in events if isinstance(e, hy.TextDelta))


def completed(**fields: Any) -> dict[str, Any]:
    return run_frame(T, "completed", Usage=USAGE, **fields)


def call_fragment(
    index: int, *, id: str | None = None, name: str | None = None, args: str | None = None
):
    fragment: dict[str, Any] = {"Index": index}
    if id is not None:
        fragment["Id"] = id
        fragment["Type"] = "function"
    function: dict[str, Any] = {}
    if name is not None:
        function["Name"] = name
    if args is not None:
        function["Arguments"] = args
    if function:
        fragment["Function"] = function
    return fragment


def required(*calls: tuple[str, str, str]) -> dict[str, Any]:
    return run_frame(
        T,
        "requires_action",
        Usage=USAGE,
        RequiredAction={
            "Type": "submit_tool_outputs",
            "SubmitToolOutputs": {
                "ToolCalls": [
                    {"Id": i, "Type": "function", "Function": {"Name": n, "Arguments": a}}
                    for i, n, a in calls
                ]
            },
        },
    )


# -- text ----------------------------------------------------------------------------------


def test_text_deltas_stream_and_complete() -> None:
    events, session = run(
        [
            run_frame(T, "in_progress"),
            message_frame(T, "", "in_progress"),
            delta_frame("你好"),
            delta_frame("，世界"),
            message_frame(T, "你好，世界", "completed"),
            completed(),
            "[DONE]",
        ]
    )
    assert events == [hy.TextDelta("你好"), hy.TextDelta("，世界")]
    result = session.result()
    assert result.text == "你好，世界"
    assert result.finish_reason == "stop"
    assert result.usage == hy.Usage(5, 3, 8, 0)
    assert (result.run_id, result.thread_id, result.message_id, result.request_id) == (
        "run_1",
        T,
        "msg_1",
        "req-1",
    )
    assert result.tool_calls == ()


def test_message_snapshots_alone_deliver_the_text() -> None:
    events, session = run(
        [
            message_frame(T, "", "in_progress"),
            message_frame(T, "only a snapshot", "completed"),
            completed(),
        ]
    )
    assert texts(events) == "only a snapshot"
    assert session.result().text == "only a snapshot"


def test_snapshot_longer_than_deltas_emits_the_remainder_once() -> None:
    events, session = run(
        [
            delta_frame("abc"),
            message_frame(T, "abcdef", "completed"),
            message_frame(T, "abcdef", "completed"),  # a repeated snapshot adds nothing
            completed(),
        ]
    )
    assert events == [hy.TextDelta("abc"), hy.TextDelta("def")]
    assert session.result().text == "abcdef"


def test_snapshot_that_disagrees_with_the_deltas_is_not_spliced_in() -> None:
    events, session = run(
        [delta_frame("abc"), message_frame(T, "xyz-longer", "completed"), completed()]
    )
    assert texts(events) == "abc"
    assert session.result().text == "abc"


def test_usage_total_and_cached_tokens() -> None:
    usage = {"PromptTokens": 4, "CompletionTokens": 6, "PromptTokensDetails": {"CachedTokens": 3}}
    _, session = run([delta_frame("x"), run_frame(T, "completed", Usage=usage)])
    assert session.result().usage == hy.Usage(4, 6, 10, 3)


@pytest.mark.parametrize(
    ("cached", "expected"),
    [(3, 3), ("3", 3), ("²", 0), ("-1", 0), ("1.5", 0), (None, 0), (True, 0), ({"n": 1}, 0)],
)
def test_cached_tokens_taken_only_from_whole_numbers(cached: object, expected: int) -> None:
    usage = {
        "PromptTokens": 1,
        "CompletionTokens": 1,
        "PromptTokensDetails": {"CachedTokens": cached},
    }
    _, session = run([delta_frame("x"), run_frame(T, "completed", Usage=usage)])
    result = session.result()
    assert result.usage == hy.Usage(1, 1, 2, expected)


# -- tool calls ----------------------------------------------------------------------------


def test_tool_call_fragments_keyed_by_index() -> None:
    events, session = run(
        [
            delta_frame(tool_calls=[call_fragment(5, id="call_a", name="get_weather", args="")]),
            delta_frame(tool_calls=[call_fragment(2, id="call_b", name="get_time")]),
            delta_frame(tool_calls=[call_fragment(5, args='{"city": ')]),
            delta_frame(
                tool_calls=[
                    call_fragment(2, args='{"tz": "UTC"}'),
                    call_fragment(5, args='"深圳"}'),
                ]
            ),
            required(
                ("call_a", "get_weather", '{"city": "深圳"}'),
                ("call_b", "get_time", '{"tz": "UTC"}'),
            ),
        ]
    )
    deltas = [e for e in events if isinstance(e, hy.ToolCallDelta)]
    assert deltas == [
        hy.ToolCallDelta(0, "call_a", "get_weather", ""),
        hy.ToolCallDelta(1, "call_b", "get_time", ""),
        hy.ToolCallDelta(0, None, None, '{"city": '),
        hy.ToolCallDelta(1, None, None, '{"tz": "UTC"}'),
        hy.ToolCallDelta(0, None, None, '"深圳"}'),
    ]
    result = session.result()
    assert result.finish_reason == "tool_calls"
    assert result.tool_calls == (
        hy.ToolCall("call_a", "get_weather", '{"city": "深圳"}'),
        hy.ToolCall("call_b", "get_time", '{"tz": "UTC"}'),
    )


def _aggregate(events: list[Any]) -> dict[int, dict[str, Any]]:
    calls: dict[int, dict[str, Any]] = {}
    for event in events:
        if isinstance(event, hy.ToolCallDelta):
            call = calls.setdefault(event.index, {"id": None, "name": None, "arguments": ""})
            for key in ("id", "name"):
                value = getattr(event, key)
                if value is not None:
                    assert call[key] is None, f"{key} sent twice for call {event.index}"
                    call[key] = value
            call["arguments"] += event.arguments
    return calls


def test_required_action_completes_short_arguments_and_adds_unstreamed_calls() -> None:
    events, session = run(
        [
            delta_frame(tool_calls=[call_fragment(0, id="c1", name="search", args='{"q": "混')]),
            required(("c1", "search", '{"q": "混元"}'), ("c2", "lookup", '{"id": 7}')),
        ]
    )
    deltas = [e for e in events if isinstance(e, hy.ToolCallDelta)]
    assert deltas == [
        hy.ToolCallDelta(0, "c1", "search", '{"q": "混'),
        hy.ToolCallDelta(0, None, None, '元"}'),
        hy.ToolCallDelta(1, "c2", "lookup", '{"id": 7}'),
    ]
    final = session.result().tool_calls
    assert final == (
        hy.ToolCall("c1", "search", '{"q": "混元"}'),
        hy.ToolCall("c2", "lookup", '{"id": 7}'),
    )
    # What a consumer aggregates from the stream equals the final list.
    assert _aggregate(events) == {
        i: {"id": c.id, "name": c.name, "arguments": c.arguments} for i, c in enumerate(final)
    }


def test_required_action_alone_emits_every_call_whole() -> None:
    events, session = run(
        [run_frame(T, "in_progress"), required(("x", "f", "{}"), ("y", "g", '{"a":1}'))]
    )
    assert [e for e in events if isinstance(e, hy.ToolCallDelta)] == [
        hy.ToolCallDelta(0, "x", "f", "{}"),
        hy.ToolCallDelta(1, "y", "g", '{"a":1}'),
    ]
    assert session.result().finish_reason == "tool_calls"


def test_required_action_wins_over_streamed_arguments_that_disagree() -> None:
    _events, session = run(
        [
            delta_frame(tool_calls=[call_fragment(0, id="c1", name="f", args='{"a": 1}')]),
            required(("c1", "f", '{"a": 2}')),
        ]
    )
    assert session.result().tool_calls == (hy.ToolCall("c1", "f", '{"a": 2}'),)


def test_tool_calls_without_required_action_still_finish_as_tool_calls() -> None:
    _, session = run(
        [
            delta_frame(tool_calls=[call_fragment(0, id="c1", name="f", args="{}")]),
            completed(),
        ]
    )
    result = session.result()
    assert result.finish_reason == "tool_calls"
    assert result.tool_calls == (hy.ToolCall("c1", "f", "{}"),)


# -- statuses and finish reasons -----------------------------------------------------------


@pytest.mark.parametrize(
    ("frame", "finish"),
    [
        (run_frame(T, "completed"), "stop"),
        (required(("c", "f", "{}")), "tool_calls"),
        (
            run_frame(T, "incomplete", InCompleteDetails={"Reason": "max_completion_tokens"}),
            "length",
        ),
        (run_frame(T, "incomplete", InCompleteDetails={"Reason": "max_prompt_tokens"}), "length"),
        (run_frame(T, "incomplete"), "length"),
        (run_frame(T, "incomplete", InCompleteDetails={"Reason": "sensitive"}), "content_filter"),
        (
            run_frame(T, "incomplete", InCompleteDetails={"Reason": "content_filter"}),
            "content_filter",
        ),
    ],
)
def test_terminal_status_maps_to_finish_reason(frame: dict[str, Any], finish: str) -> None:
    _, session = run([delta_frame("partial answer"), frame])
    assert session.result().finish_reason == finish


@pytest.mark.parametrize("status", ["created", "queued", "in_progress", "cancelling", "weird"])
def test_non_terminal_statuses_do_not_finish(status: str) -> None:
    _, session = run([delta_frame("x"), run_frame(T, status)])
    with pytest.raises(hy.StreamError):
        session.result()


def test_output_after_the_terminal_frame_is_ignored() -> None:
    events, session = run(
        [delta_frame("a"), completed(), delta_frame("late"), {"Error": {"Code": "InternalError"}}]
    )
    assert texts(events) == "a"
    assert session.result().text == "a"


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error_frame", "cls", "code"),
    [
        (
            run_frame(
                T,
                "failed",
                LastError={"Code": "FailedOperation.EngineServerError", "Message": "boom"},
            ),
            hy.ServerError,
            "FailedOperation.EngineServerError",
        ),
        (
            {"Error": {"Code": "OperationDenied.TextIllegalDetected", "Message": "违规"}},
            hy.ContentFilterError,
            "OperationDenied.TextIllegalDetected",
        ),
        ({"ErrorMsg": {"Code": 4001, "Msg": "model timeout"}}, hy.ServerError, "4001"),
        (
            {"ErrorMsg": {"Code": "RequestLimitExceeded", "Msg": "slow down"}},
            hy.RateLimitError,
            "RequestLimitExceeded",
        ),
        (run_frame(T, "failed"), hy.ServerError, "InternalError"),
        (run_frame(T, "cancelled"), hy.HunyuanError, "FailedOperation.RunCancelled"),
        (run_frame(T, "expired"), hy.HunyuanError, "FailedOperation.RunExpired"),
    ],
)
def test_error_forms_raise_typed_errors_with_partial(
    error_frame: dict[str, Any], cls: type[hy.HunyuanError], code: str
) -> None:
    with pytest.raises(cls) as info:
        run([run_frame(T, "in_progress"), delta_frame("半"), delta_frame("句"), error_frame])
    err = info.value
    assert err.code == code
    assert err.request_id == "req-1"
    assert err.partial is not None
    assert err.partial.text == "半句"
    assert err.partial.thread_id == T
    assert err.partial.run_id == "run_1"
    assert "req-1" in str(err)
    assert code in str(err)


def test_error_message_text_is_kept() -> None:
    with pytest.raises(hy.AuthenticationError) as info:
        run([{"Error": {"Code": "AuthFailure.SignatureExpire", "Message": "签名过期"}}])
    assert "签名过期" in info.value.message
    assert info.value.partial is not None
    assert info.value.partial.text == ""


def test_error_event_line_names_an_error_frame() -> None:
    raw = b'event: error\ndata: {"Code": "InternalError", "Message": "down"}\n\n'
    with pytest.raises(hy.ServerError) as info:
        run([delta_frame("so far"), raw])
    assert info.value.code == "InternalError"
    assert info.value.partial_text == "so far"


def test_truncated_stream_is_a_stream_error_with_partial() -> None:
    events, session = run([run_frame(T, "in_progress"), delta_frame("cut "), delta_frame("off")])
    assert texts(events) == "cut off"
    with pytest.raises(hy.StreamError) as info:
        session.result()
    assert info.value.code == "StreamTruncated"
    assert info.value.partial_text == "cut off"
    assert info.value.request_id == "req-1"
    assert info.value.retryable


def test_done_before_the_terminal_frame_is_still_truncated() -> None:
    _, session = run([delta_frame("x"), "[DONE]"])
    with pytest.raises(hy.StreamError, match="ended before"):
        session.result()


@pytest.mark.parametrize("data", ["{not json", '"a string"', "[1, 2]", "42", "null", "{"])
def test_malformed_frames_raise_stream_error(data: str) -> None:
    session = RunSession(model="m", request_id="req-1", thread_id=T)
    session.feed(sse(delta_frame("before ")))
    assert session.feed(f"data: {data}\n\n".encode()) == []
    assert session.done
    with pytest.raises(hy.StreamError) as info:
        session.result()
    assert info.value.code == "StreamMalformed"
    assert info.value.partial_text == "before "
    assert info.value.request_id == "req-1"


def test_deeply_nested_json_is_a_stream_error() -> None:
    with pytest.raises(hy.StreamError):
        parse_frame(ServerSentEvent("message", "[" * 100_000 + "]" * 100_000, "", None))


def test_frame_with_wrong_field_types_is_a_stream_error() -> None:
    with pytest.raises(hy.StreamError):
        parse_frame(
            ServerSentEvent("message", json.dumps({"Object": "thread.run", "Status": 3}), "", None)
        )


# -- tolerance -----------------------------------------------------------------------------


def test_unknown_objects_and_unknown_fields_are_ignored() -> None:
    events, session = run(
        [
            {"Object": "thread.run.step", "ID": "step_1", "StepDetails": {"x": 1}},
            {"Object": "something.new", "Delta": {"Content": "NOT TEXT"}},
            {"NoObject": True},
            {
                "Object": "thread.message.delta",
                "ID": "msg_1",
                "Delta": {"Content": "ok", "Annotations": [1, 2], "Future": {"x": None}},
                "Extra": "ignored",
            },
            completed(NewField={"a": 1}),
        ]
    )
    assert events == [hy.TextDelta("ok")]
    assert session.result().text == "ok"


def _event(name: str, data: Any) -> bytes:
    return sse(data, event=name)


def test_frames_named_only_by_event_lines() -> None:
    events, session = run(
        [
            _event("thread.run.created", {"ID": "run_e", "Status": "queued"}),
            _event("thread.message.created", {"ID": "msg_e", "Content": ""}),
            _event("thread.message.delta", {"ID": "msg_e", "Delta": {"Content": "by "}}),
            _event("thread.message.delta", {"Delta": {"Content": "event"}}),
            _event("thread.message.completed", {"ID": "msg_e", "Content": "by event!"}),
            _event("thread.run.completed", {"ID": "run_e", "Status": "completed", "Usage": USAGE}),
            _event("done", "[DONE]"),
        ]
    )
    assert texts(events) == "by event!"
    result = session.result()
    assert (result.run_id, result.message_id, result.finish_reason) == ("run_e", "msg_e", "stop")


def test_parse_frame_kinds() -> None:
    def parse(data: Any, event: str = "message") -> Any:
        text = data if isinstance(data, str) else json.dumps(data)
        return parse_frame(ServerSentEvent(event, text, "", None))

    assert isinstance(parse("[DONE]"), DoneFrame)
    assert isinstance(parse("anything", "done"), DoneFrame)
    assert isinstance(parse({"Object": "thread.run", "Status": "queued"}), RunFrame)
    assert isinstance(parse({"Object": "thread.message"}), MessageFrame)
    assert isinstance(parse({"Object": "thread.message.delta"}), MessageDeltaFrame)
    assert isinstance(parse({"Choices": []}), ChatCompletionChunk)
    assert isinstance(parse({"Object": "nope"}), UnknownFrame)
    assert parse({"Object": "nope"}).object == "nope"
    error = parse({"ErrorMsg": {"Code": 4000, "Msg": "内部错误"}})
    assert isinstance(error, ErrorFrame)
    assert (error.code, error.message) == ("4000", "内部错误")
    # the Object field wins over the event line
    assert isinstance(
        parse({"Object": "thread.run", "Status": "x"}, "thread.message.delta"), RunFrame
    )


# -- ChatCompletions -----------------------------------------------------------------------


def cc(delta: dict[str, Any] | None = None, finish: str | None = None, usage: dict | None = None):
    choice: dict[str, Any] = {"Index": 0, "Delta": delta or {}}
    if finish is not None:
        choice["FinishReason"] = finish
    frame: dict[str, Any] = {"Id": "cc-req", "Created": 1, "Choices": [choice]}
    if usage is not None:
        frame["Usage"] = usage
    return frame


def test_chat_completions_text_reasoning_and_cumulative_usage() -> None:
    events, session = run(
        [
            cc(
                {"Role": "assistant", "ReasoningContent": "想一想"},
                usage={"PromptTokens": 3, "CompletionTokens": 1, "TotalTokens": 4},
            ),
            cc(
                {"Content": "Hi"},
                usage={"PromptTokens": 3, "CompletionTokens": 2, "TotalTokens": 5},
            ),
            cc(
                {"Content": " there"},
                finish="stop",
                usage={"PromptTokens": 3, "CompletionTokens": 4, "TotalTokens": 7},
            ),
            "[DONE]",
        ],
        request_id=None,
    )
    assert events == [hy.ReasoningDelta("想一想"), hy.TextDelta("Hi"), hy.TextDelta(" there")]
    result = session.result()
    assert (result.text, result.reasoning, result.finish_reason) == ("Hi there", "想一想", "stop")
    assert result.usage == hy.Usage(3, 4, 7, 0)
    assert result.request_id == "cc-req"


def test_chat_completions_usage_after_finish_is_kept() -> None:
    _, session = run(
        [cc({"Content": "x"}, finish="stop"), {"Id": "cc-req", "Choices": [], "Usage": USAGE}]
    )
    assert session.result().usage == hy.Usage(5, 3, 8, 0)


def test_chat_completions_tool_calls() -> None:
    events, session = run(
        [
            cc({"ToolCalls": [call_fragment(0, id="t1", name="calc", args='{"x":')]}),
            cc({"ToolCalls": [call_fragment(0, args="1}")]}),
            cc({"ToolCalls": [call_fragment(1, id="t2", name="calc", args='{"x":2}')]}),
            cc({}, finish="tool_calls"),
        ]
    )
    assert [e for e in events if isinstance(e, hy.ToolCallDelta)] == [
        hy.ToolCallDelta(0, "t1", "calc", '{"x":'),
        hy.ToolCallDelta(0, None, None, "1}"),
        hy.ToolCallDelta(1, "t2", "calc", '{"x":2}'),
    ]
    result = session.result()
    assert result.finish_reason == "tool_calls"
    assert result.tool_calls == (
        hy.ToolCall("t1", "calc", '{"x":1}'),
        hy.ToolCall("t2", "calc", '{"x":2}'),
    )


@pytest.mark.parametrize(
    ("reason", "finish"),
    [
        ("stop", "stop"),
        ("tool_calls", "tool_calls"),
        ("sensitive", "content_filter"),
        ("length", "length"),
    ],
)
def test_chat_completions_finish_reasons(reason: str, finish: str) -> None:
    _, session = run([cc({"Content": "x"}, finish=reason)])
    assert session.result().finish_reason == finish


def test_chat_completions_error_msg_mid_stream() -> None:
    with pytest.raises(hy.ServerError) as info:
        run([cc({"Content": "abc"}), {"ErrorMsg": {"Code": 4000, "Msg": "internal"}}])
    assert info.value.code == "4000"
    assert info.value.partial_text == "abc"


# -- chunking and robustness ---------------------------------------------------------------


def _tool_stream() -> bytes:
    frames = [
        run_frame(T, "in_progress"),
        delta_frame("让我查一下😀"),
        delta_frame(tool_calls=[call_fragment(0, id="c1", name="f", args='{"城市": ')]),
        delta_frame(tool_calls=[call_fragment(0, args='"北京"}')]),
        message_frame(T, "让我查一下😀", "completed"),
        required(("c1", "f", '{"城市": "北京"}')),
        "[DONE]",
    ]
    return b"".join(sse(f).replace(b"\n", b"\r\n") for f in frames)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_chunking_does_not_change_events_or_result(data: st.DataObject) -> None:
    raw = _tool_stream()
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(raw)), max_size=20))) | {0, len(raw)})

    def drive(chunks: list[bytes]) -> tuple[list[Any], Any]:
        session = RunSession(model="m", request_id="r", thread_id=T)
        events = [e for c in chunks for e in session.feed(c)] + session.end()
        return events, session.result()

    whole = drive([raw])
    assert drive([raw[a:b] for a, b in itertools.pairwise(cuts)]) == whole
    assert texts(whole[0]) == "让我查一下😀"


_KEYS = [
    "Object",
    "ID",
    "Status",
    "Delta",
    "Content",
    "ToolCalls",
    "Index",
    "Id",
    "Function",
    "Name",
    "Arguments",
    "RequiredAction",
    "SubmitToolOutputs",
    "Usage",
    "PromptTokens",
    "CompletionTokens",
    "TotalTokens",
    "PromptTokensDetails",
    "CachedTokens",
    "Error",
    "ErrorMsg",
    "Code",
    "Message",
    "Msg",
    "Choices",
    "FinishReason",
    "ReasoningContent",
    "InCompleteDetails",
    "Reason",
    "LastError",
    "Model",
    "ThreadID",
    "RunID",
    "Role",
    "Type",
    "Message",
]
_VALUES = [
    "thread.run",
    "thread.message",
    "thread.message.delta",
    "completed",
    "requires_action",
    "failed",
    "incomplete",
    "cancelled",
    "in_progress",
    "stop",
    "tool_calls",
    "sensitive",
    "InternalError",
    "AuthFailure",
    "²",
    "12",
    "",
]
_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 2**40)
    | st.floats(allow_nan=False)
    | st.sampled_from(_VALUES)
    | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(_KEYS) | st.text(max_size=3), inner, max_size=5)
    ),
    max_leaves=15,
)
_frames = st.dictionaries(st.sampled_from(_KEYS), _json, max_size=6)
_event_names = st.sampled_from(
    ["message", "error", "done", "thread.run.completed", "thread.message.delta", "x"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_event_names, _frames | _json), max_size=8))
def test_random_json_frames_raise_only_hunyuan_errors(frames: list[tuple[str, Any]]) -> None:
    acc = RunAccumulator(model="m", request_id="r")
    try:
        for name, obj in frames:
            acc.feed(parse_frame(ServerSentEvent(name, json.dumps(obj), "", None)))
        acc.result()
    except hy.HunyuanError:
        pass


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.binary(max_size=60)
        | st.sampled_from(
            [
                b"data: ",
                b"\n\n",
                b"\r",
                b"event: error\n",
                b'{"Object":"thread.run","Status":"completed"}',
            ]
        ),
        max_size=12,
    )
)
def test_random_bytes_raise_only_hunyuan_errors(chunks: list[bytes]) -> None:
    session = RunSession(model="m", request_id="r", thread_id=None, stop=("\n\n",))
    try:
        for chunk in chunks:
            session.feed(chunk)
        session.end()
        session.result()
    except hy.HunyuanError:
        pass


def test_sse_decoder_and_accumulator_compose_directly() -> None:
    decoder = SSEDecoder()
    acc = RunAccumulator(model="m", request_id="r")
    events = []
    for sse_event in decoder.feed(sse(delta_frame("a")) + sse(completed())):
        events += acc.feed(parse_frame(sse_event))
    assert events == [hy.TextDelta("a")]
    assert acc.finished


def test_event_error_frame_uses_its_message_field() -> None:
    frame = parse_frame(
        ServerSentEvent("error", '{"Code": "InternalError", "Message": "boom"}', "", None)
    )
    assert isinstance(frame, ErrorFrame)
    assert (frame.code, frame.message) == ("InternalError", "boom")


def test_negative_usage_is_reported_as_unknown() -> None:
    # Impossible counts make the whole report unknown rather than partly wrong.
    bad = {"PromptTokens": -5, "CompletionTokens": 7, "TotalTokens": 2}
    _, session = run([delta_frame("a"), run_frame(T, "completed", Usage=bad)])
    assert session.result().usage is None
    _, session = run([delta_frame("a"), completed()])
    assert session.result().usage is not None


def test_done_after_a_completed_message_finishes_the_run_without_usage() -> None:
    _events, session = run([delta_frame("a"), message_frame(T, "a", "completed"), "[DONE]"])
    result = session.result()
    assert (result.text, result.finish_reason, result.usage) == ("a", "stop", None)
    assert session.done  # nothing after [DONE] is read


def test_done_after_an_incomplete_message_is_still_truncated() -> None:
    _, session = run([delta_frame("a"), message_frame(T, "a", "in_progress"), "[DONE]"])
    with pytest.raises(hy.StreamError, match="ended before"):
        session.result()


def test_one_tool_call_id_under_two_indexes_is_one_call() -> None:
    # Tencent merges fragments by Id ("以Id为标识...进行合并"): the Id wins over the index. The
    # merged arguments are not JSON here, which the adapters then report as an invalid call.
    first = [{"Index": 0, "Id": "call_1", "Type": "function", "Function": {"Name": "f"}}]
    again = [{"Index": 1, "Id": "call_1", "Function": {"Arguments": "{}"}}]
    more = [{"Index": 0, "Function": {"Arguments": "{}"}}]
    _, session = run(
        [
            delta_frame(tool_calls=first),
            delta_frame(tool_calls=more),
            delta_frame(tool_calls=again),
            message_frame(T, "", "completed"),
            "[DONE]",
        ]
    )
    result = session.result()
    assert result.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in result.tool_calls] == [("call_1", "f", "{}{}")]


@pytest.mark.parametrize(
    ("frames", "stop", "ended_by_server"),
    [
        # The stream ended the run: the server is ending its body, worth reading to the end.
        ([delta_frame("Hello"), completed()], (), True),
        ([delta_frame("Hello"), message_frame(T, "Hello", "completed"), "[DONE]"], (), True),
        # The client cut the output: the server is still generating, so hang up at once.
        ([delta_frame("Hello world"), delta_frame(" more")], ("world",), False),
        # A failure, or a run not finished yet: nothing to wait for.
        ([delta_frame("Hello"), {"Error": {"Code": "InternalError", "Message": "x"}}], (), False),
        ([delta_frame("Hello")], (), False),
    ],
    ids=["terminal-run", "done-after-message", "stop-cut", "error-frame", "unfinished"],
)
def test_only_a_run_the_stream_ended_leaves_its_body_to_be_read_to_the_end(
    frames: list[Any], stop: tuple[str, ...], ended_by_server: bool
) -> None:
    session = RunSession(model="hunyuan-turbo", request_id="r", thread_id=T, stop=stop)
    session.feed(b"".join(sse(f) for f in frames))
    assert session.ended_by_server is ended_by_server


def test_frames_parse_as_json_loads_reads_them() -> None:
    """The fast JSON parser hands what it refuses to ``json.loads``: a lone surrogate escape (an
    emoji split across two frames) still arrives as it was sent, and deep nesting or broken
    JSON is still a malformed frame."""
    half = '{"Object":"thread.message.delta","Delta":{"Content":"\\ud83d"}}'
    frame = parse_frame(ServerSentEvent("message", half, "", None))
    assert isinstance(frame, MessageDeltaFrame)
    assert frame.delta is not None
    assert frame.delta.content == "\ud83d" == json.loads(half)["Delta"]["Content"]
    for bad in ("[" * 5000 + "]" * 5000, '{"a": 1', '{"a": 1} trailing', "[1]"):
        with pytest.raises(hy.StreamError, match="malformed frame"):
            parse_frame(ServerSentEvent("message", bad, "", None))
