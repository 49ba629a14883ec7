"""The sync and async clients over httpx.MockTransport: one test body covers both."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from hunyuan_api import (
    AccountError,
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ContentFilterError,
    HunyuanClient,
    HunyuanError,
    Message,
    RateLimitError,
    RunFinished,
    RunOptions,
    ServerError,
    StreamError,
    TextDelta,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
    Usage,
)
from hunyuan_api._wire.signing import authorization_header
from tests.support.fake_service import (
    USAGE,
    ChunkStream,
    FakeService,
    Harness,
    delta_frame,
    error_response,
    finished,
    json_response,
    message_frame,
    run_frame,
    run_stream,
    sse,
    text_of,
)
from tests.support.messages import A, R, U


def streamed(service: FakeService, pieces: list[str], **kwargs: Any):
    """A scripted RunThread reply streaming ``pieces`` on whatever thread was asked for."""
    return lambda request, body: service.stream(run_stream(body["ThreadID"], pieces, **kwargs))


def frames_reply(service: FakeService, *frames: Any, error: BaseException | None = None):
    def reply(request: httpx.Request, body: dict[str, Any]) -> httpx.Response:
        thread = body.get("ThreadID", "t")
        chunks = [sse(f(thread) if callable(f) else f) for f in frames]
        return service.stream(chunks, error=error, request_id="req-frames")

    return reply


# -- a full run ----------------------------------------------------------------------------


async def test_full_run_creates_a_thread_then_runs_it(
    harness: Harness, service: FakeService
) -> None:
    history = [Message("system", "你是助手"), U("你好")]
    events = await harness.stream(history, RunOptions(model="hunyuan-pro", temperature=0.5))

    assert service.actions() == ["CreateThread", "RunThread"]
    assert events[:-1] == [TextDelta("reply"), TextDelta(" 1")]
    result = finished(events)
    assert result.text == "reply 1"
    assert (result.thread_id, result.request_id, result.run_id) == (
        "thread_1",
        "req-run-1",
        "run_1",
    )
    assert result.finish_reason == "stop"
    assert result.usage == Usage(11, 7, 18, 0)
    assert not result.continued_thread
    assert result.messages_sent == 2

    create, run = service.requests
    assert create.body == {}
    assert run.body == {
        "ThreadID": "thread_1",
        "Model": "hunyuan-pro",
        "AdditionalMessages": [
            {"Role": "system", "Content": "你是助手"},
            {"Role": "user", "Content": "你好"},
        ],
        "Stream": True,
        "Temperature": 0.5,
    }
    for request in service.requests:
        headers = request.headers
        assert request.url == "https://hunyuan.tencentcloudapi.com/"
        assert headers["X-TC-Version"] == "2023-09-01"
        assert headers["X-TC-Region"] == "ap-guangzhou"
        assert headers["Content-Type"] == "application/json"
        assert headers["Host"] == "hunyuan.tencentcloudapi.com"
        assert "X-TC-Token" not in headers
        # The signature is right for exactly the bytes that were sent.
        assert headers["Authorization"] == authorization_header(
            secret_id="AKIDexample",
            secret_key="example-key",
            host="hunyuan.tencentcloudapi.com",
            body=request.content,
            timestamp=int(headers["X-TC-Timestamp"]),
        )
    assert create.headers["X-TC-Action"] == "CreateThread"
    assert run.headers["X-TC-Action"] == "RunThread"
    assert "你好".encode() in run.content  # UTF-8 on the wire, not \u escapes


async def test_chat_returns_the_result(harness: Harness, service: FakeService) -> None:
    result = await harness.chat([U("hi")])
    assert result.text == "reply 1"
    assert result.finish_reason == "stop"
    assert service.actions() == ["CreateThread", "RunThread"]


async def test_token_is_sent_as_x_tc_token(make_harness, service: FakeService) -> None:
    harness = make_harness(token="temporary-token")
    await harness.chat([U("hi")])
    assert all(r.headers["X-TC-Token"] == "temporary-token" for r in service.requests)


async def test_no_region_header_without_a_region(make_harness, service: FakeService) -> None:
    await make_harness(region=None).chat([U("hi")])
    assert all("X-TC-Region" not in r.headers for r in service.requests)


# -- threads -------------------------------------------------------------------------------


async def test_continuation_sends_only_the_new_messages(
    harness: Harness, service: FakeService
) -> None:
    first = await harness.chat([U("one")])
    history = [U("one"), A(first.text), U("two")]
    result = finished(await harness.stream(history))

    # A new turn checks the thread's newest message first and the run's place after it
    # (another process may hold the conversation too: docs/threads.md).
    assert service.actions() == [
        "CreateThread",
        "RunThread",
        "GetThreadMessageList",
        "RunThread",
        "GetThreadMessageList",
    ]
    second = service.bodies("RunThread")[1]
    assert second["ThreadID"] == "thread_1"
    assert second["AdditionalMessages"] == [{"Role": "user", "Content": "two"}]
    assert result.continued_thread
    assert result.messages_sent == 1
    assert result.thread_id == "thread_1"


def script_two_tool_calls(service: FakeService) -> list[ToolCall]:
    """The next RunThread streams two tool calls (the first in two fragments)."""
    calls = [ToolCall("call_a", "weather", '{"city": "北京"}'), ToolCall("call_b", "time", "{}")]
    required = {
        "Type": "submit_tool_outputs",
        "SubmitToolOutputs": {
            "ToolCalls": [
                {
                    "Id": c.id,
                    "Type": "function",
                    "Function": {"Name": c.name, "Arguments": c.arguments},
                }
                for c in calls
            ]
        },
    }
    service.script(
        "RunThread",
        frames_reply(
            service,
            lambda t: run_frame(t, "in_progress"),
            delta_frame(
                tool_calls=[
                    {
                        "Index": 0,
                        "Id": "call_a",
                        "Type": "function",
                        "Function": {"Name": "weather", "Arguments": '{"city": '},
                    }
                ]
            ),
            delta_frame(tool_calls=[{"Index": 0, "Function": {"Arguments": '"北京"}'}}]),
            lambda t: run_frame(t, "requires_action", RequiredAction=required, Usage=USAGE),
        ),
    )
    return calls


async def test_tool_loop_continues_with_tool_results_in_call_order(
    harness: Harness, service: FakeService
) -> None:
    calls = script_two_tool_calls(service)
    opts = RunOptions(tools=(ToolSpec("weather"), ToolSpec("time")))
    events = await harness.stream([U("weather and time?")], opts)
    result = finished(events)
    assert result.finish_reason == "tool_calls"
    assert result.tool_calls == tuple(calls)
    assert [e for e in events if isinstance(e, ToolCallDelta)] == [
        ToolCallDelta(0, "call_a", "weather", '{"city": '),
        ToolCallDelta(0, None, None, '"北京"}'),
        ToolCallDelta(1, "call_b", "time", "{}"),
    ]

    history = [
        U("weather and time?"),
        A("", *result.tool_calls),
        R("12:00", "call_b"),
        R("晴", "call_a"),
    ]
    follow = finished(await harness.stream(history, opts))
    assert follow.continued_thread
    body = service.bodies("RunThread")[1]
    assert body["ThreadID"] == "thread_1"
    assert body["AdditionalMessages"] == [
        {"Role": "tool", "Content": "晴"},
        {"Role": "tool", "Content": "12:00"},
    ]


async def test_parallel_tool_calls_false_keeps_the_first_call_and_replays_next_turn(
    harness: Harness, service: FakeService
) -> None:
    calls = script_two_tool_calls(service)
    opts = RunOptions(tools=(ToolSpec("weather"), ToolSpec("time")), parallel_tool_calls=False)
    events = await harness.stream([U("weather and time?")], opts)
    result = finished(events)
    # RunThread has no such field: nothing about it is sent, the client keeps the first call.
    assert "ParallelToolCalls" not in json.dumps(service.bodies("RunThread")[0])
    assert result.finish_reason == "tool_calls"
    assert result.tool_calls == (calls[0],)
    assert [e for e in events if isinstance(e, ToolCallDelta)] == [
        ToolCallDelta(0, "call_a", "weather", '{"city": '),
        ToolCallDelta(0, None, None, '"北京"}'),
    ]
    # The thread holds both calls, the caller saw one: the next turn cannot continue it.
    history = [U("weather and time?"), A("", *result.tool_calls), R("晴", "call_a")]
    follow = finished(await harness.stream(history, opts))
    assert not follow.continued_thread
    assert service.actions() == ["CreateThread", "RunThread", "CreateThread", "RunThread"]


async def test_edited_history_replays_on_a_fresh_thread(
    harness: Harness, service: FakeService
) -> None:
    first = await harness.chat([U("one")])
    result = await harness.chat([U("one (edited)"), A(first.text), U("two")])
    assert not result.continued_thread
    assert service.actions() == ["CreateThread", "RunThread", "CreateThread", "RunThread"]
    replay = service.bodies("RunThread")[1]
    assert replay["ThreadID"] == "thread_2"
    assert [m["Content"] for m in replay["AdditionalMessages"]] == [
        "one (edited)",
        first.text,
        "two",
    ]


async def test_fresh_replay_renders_tool_calls_as_markup(
    harness: Harness, service: FakeService
) -> None:
    history = [U("q"), A("checking", ToolCall("c1", "f", '{"x": 1}')), R("done", "c1")]
    await harness.chat(history)
    sent = service.bodies("RunThread")[0]["AdditionalMessages"]
    assert [m["Role"] for m in sent] == ["user", "assistant", "tool"]
    assistant = sent[1]["Content"]
    assert assistant.startswith("checking\n<tool_calls>")
    assert assistant.endswith("</tool_calls>")
    assert json.loads(assistant[len("checking\n<tool_calls>") : -len("</tool_calls>")]) == [
        {"id": "c1", "name": "f", "arguments": {"x": 1}}
    ]


async def test_pinned_thread_is_used_as_given(harness: Harness, service: FakeService) -> None:
    result = await harness.chat([U("hi")], RunOptions(thread_id="my_thread"))
    assert service.actions() == ["RunThread"]
    assert service.bodies("RunThread")[0]["ThreadID"] == "my_thread"
    assert result.thread_id == "my_thread"
    await harness.chat([U("hi"), A(result.text), U("next")], RunOptions(thread_id="my_thread"))
    assert service.bodies("RunThread")[1]["AdditionalMessages"] == [
        {"Role": "user", "Content": "next"}
    ]


async def test_continued_thread_gone_is_replayed_on_a_fresh_thread(
    harness: Harness, service: FakeService
) -> None:
    first = await harness.chat([U("one")])
    service.script("RunThread", error_response("ResourceNotFound", "thread expired"))
    result = await harness.chat([U("one"), A(first.text), U("two")])
    assert service.actions() == [
        "CreateThread",
        "RunThread",
        "GetThreadMessageList",  # still there when checked, gone when run
        "RunThread",
        "CreateThread",
        "RunThread",
    ]
    assert result.thread_id == "thread_2"
    assert not result.continued_thread
    assert len(service.bodies("RunThread")[2]["AdditionalMessages"]) == 3


async def test_a_thread_in_use_is_not_continued_by_a_second_call(
    harness: Harness, service: FakeService
) -> None:
    first = await harness.chat([U("one")])
    history = [U("one"), A(first.text), U("two")]
    if harness.sync:
        assert isinstance(harness.client, HunyuanClient)
        running = harness.client.stream_chat(history)
        assert isinstance(next(running), TextDelta)  # the first call holds thread_1
        second = harness.client.chat(history)
        rest = list(running)
    else:
        running_async = harness.client.stream_chat(history)
        assert isinstance(await running_async.__anext__(), TextDelta)
        second = await harness.client.chat(history)
        rest = [e async for e in running_async]
    assert not second.continued_thread
    assert second.thread_id == "thread_2"
    assert finished(rest).continued_thread
    assert finished(rest).thread_id == "thread_1"


# -- retries before the stream -------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        lambda: error_response("FailedOperation.EngineServerLimitExceeded", "busy"),
        lambda: error_response("InternalError", "oops"),
        lambda: error_response("RequestLimitExceeded.UinLimitExceeded", "slow"),
        lambda: error_response("InternalError", "oops", status=502),
    ],
)
async def test_transient_refusal_before_the_stream_is_retried_on_the_same_thread(
    harness: Harness, service: FakeService, failure
) -> None:
    service.script("RunThread", failure(), failure())
    result = finished(await harness.stream([U("hi")]))
    assert result.text == "reply 1"
    assert service.actions() == ["CreateThread", "RunThread", "RunThread", "RunThread"]
    # the service's own error envelope proves it never acted: the same thread is reused
    assert {b["ThreadID"] for b in service.bodies("RunThread")} == {"thread_1"}


@pytest.mark.parametrize(
    "failure",
    [
        lambda: httpx.Response(502, headers={"Content-Type": "text/html"}, content=b"<h1>502</h1>"),
        lambda: httpx.Response(503, content=b""),
        lambda: httpx.Response(504, headers={"Content-Type": "text/html"}, content=b"timeout"),
    ],
)
async def test_gateway_5xx_before_the_stream_is_retried_on_a_fresh_thread(
    harness: Harness, service: FakeService, failure
) -> None:
    # A gateway page proves nothing about the service: it may have run and changed the thread.
    service.script("RunThread", failure())
    result = finished(await harness.stream([U("hi")]))
    assert result.text == "reply 1"
    assert service.actions() == ["CreateThread", "RunThread", "CreateThread", "RunThread"]
    assert [b["ThreadID"] for b in service.bodies("RunThread")] == ["thread_1", "thread_2"]


async def test_transient_create_thread_error_is_retried(
    harness: Harness, service: FakeService
) -> None:
    service.script("CreateThread", error_response("InternalError"))
    result = await harness.chat([U("hi")])
    assert result.text == "reply 1"
    assert service.actions() == ["CreateThread", "CreateThread", "RunThread"]


@pytest.mark.parametrize("max_retries", [0, 1, 3])
async def test_max_retries_bounds_the_attempts(
    make_harness, service: FakeService, max_retries: int
) -> None:
    harness = make_harness(max_retries=max_retries)
    service.script(
        "RunThread",
        *(error_response("LimitExceeded", "x", request_id=f"rid{i}") for i in range(10)),
    )
    with pytest.raises(RateLimitError) as info:
        await harness.stream([U("hi")])
    assert service.actions().count("RunThread") == max_retries + 1
    assert info.value.code == "LimitExceeded"
    assert info.value.request_id == f"rid{max_retries}"


@pytest.mark.parametrize(
    ("code", "cls"),
    [
        ("AuthFailure.SignatureFailure", AuthenticationError),
        ("InvalidParameterValue.Model", BadRequestError),
        ("OperationDenied.TextIllegalDetected", ContentFilterError),
        ("ResourceUnavailable.InArrears", AccountError),
    ],
)
async def test_non_transient_error_is_raised_at_once(
    harness: Harness, service: FakeService, code: str, cls: type[HunyuanError]
) -> None:
    service.script("RunThread", error_response(code, "no", request_id="rid-x"))
    with pytest.raises(cls) as info:
        await harness.stream([U("hi")])
    err = info.value
    assert err.code == code
    assert err.request_id == "rid-x"
    assert "rid-x" in str(err)
    assert code in str(err)
    assert service.actions() == ["CreateThread", "RunThread"]


async def test_auth_failure_on_create_thread_never_runs(
    harness: Harness, service: FakeService
) -> None:
    service.script(
        "CreateThread", error_response("AuthFailure.SecretIdNotFound", "who?", request_id="r1")
    )
    with pytest.raises(AuthenticationError) as info:
        await harness.chat([U("hi")])
    assert info.value.request_id == "r1"
    assert service.actions() == ["CreateThread"]


async def test_json_action_retries_transient_errors(harness: Harness, service: FakeService) -> None:
    service.script(
        "GetThread",
        error_response("InternalError"),
        json_response({"ID": "t9", "Object": "thread"}),
    )
    thread = await harness.call("get_thread", "t9")
    assert thread.id == "t9"
    assert service.actions() == ["GetThread", "GetThread"]
    assert service.bodies("GetThread")[0] == {"ThreadID": "t9"}


# -- errors during the stream --------------------------------------------------------------


async def test_error_frame_after_text_raises_with_partial_and_is_not_retried(
    harness: Harness, service: FakeService
) -> None:
    service.script(
        "RunThread",
        frames_reply(
            service,
            lambda t: run_frame(t, "in_progress"),
            delta_frame("Hello "),
            delta_frame("wor"),
            {"Error": {"Code": "FailedOperation.EngineServerError", "Message": "engine died"}},
        ),
    )
    events, error = await harness.collect([U("hi")])
    assert isinstance(error, ServerError)
    assert error.retryable
    assert text_of(events) == "Hello wor"
    assert error.partial is not None
    assert error.partial.text == "Hello wor"
    assert error.partial.thread_id == "thread_1"
    assert error.request_id == "req-frames"
    assert service.actions() == ["CreateThread", "RunThread"]  # no duplicated output
    assert not any(isinstance(e, RunFinished) for e in events)


async def test_failed_run_after_text_raises_with_partial(
    harness: Harness, service: FakeService
) -> None:
    service.script(
        "RunThread",
        frames_reply(
            service,
            delta_frame("partial"),
            lambda t: run_frame(t, "failed", LastError={"Code": "InternalError", "Message": "x"}),
        ),
    )
    _events, error = await harness.collect([U("hi")])
    assert isinstance(error, ServerError)
    assert error.partial_text == "partial"
    assert service.actions().count("RunThread") == 1


async def test_error_frame_before_content_is_retried_on_a_fresh_thread(
    harness: Harness, service: FakeService
) -> None:
    service.script(
        "RunThread",
        frames_reply(
            service,
            lambda t: run_frame(t, "queued"),
            lambda t: run_frame(t, "in_progress"),
            {"ErrorMsg": {"Code": 4000, "Msg": "internal"}},
        ),
    )
    history = [U("hi"), A("earlier"), U("again")]
    events = await harness.stream(history)
    result = finished(events)
    assert text_of(events) == "reply 1"
    assert service.actions() == ["CreateThread", "RunThread", "CreateThread", "RunThread"]
    first, second = service.bodies("RunThread")
    assert (first["ThreadID"], second["ThreadID"]) == ("thread_1", "thread_2")
    assert second["AdditionalMessages"] == first["AdditionalMessages"]
    assert len(second["AdditionalMessages"]) == 3
    assert result.thread_id == "thread_2"


async def test_truncated_stream_is_a_stream_error(harness: Harness, service: FakeService) -> None:
    service.script(
        "RunThread",
        frames_reply(service, lambda t: run_frame(t, "in_progress"), delta_frame("half an ans")),
    )
    events, error = await harness.collect([U("hi")])
    assert isinstance(error, StreamError)
    assert error.code == "StreamTruncated"
    assert error.partial_text == "half an ans" == text_of(events)
    assert error.request_id == "req-frames"


async def test_truncated_continuation_does_not_keep_the_thread_claimed(
    harness: Harness, service: FakeService
) -> None:
    first = await harness.chat([U("one")])
    history = [U("one"), A(first.text), U("two")]
    service.script("RunThread", frames_reply(service, delta_frame("cut")))
    _, error = await harness.collect(history)
    assert isinstance(error, StreamError)
    ledger = harness.client.ledger
    assert not ledger.is_claimed(harness.client.flows.scope, "thread_1")
    # thread_1's content is unknown now: the same history replays on a fresh thread
    result = await harness.chat(history)
    assert not result.continued_thread


async def test_malformed_frame_is_a_stream_error(harness: Harness, service: FakeService) -> None:
    service.script(
        "RunThread", lambda req, body: service.stream([sse(delta_frame("ok ")), b"data: {oops\n\n"])
    )
    _events, error = await harness.collect([U("hi")])
    assert isinstance(error, StreamError)
    assert error.code == "StreamMalformed"
    assert error.partial_text == "ok "


async def test_connection_error_becomes_api_connection_error_after_retries(
    make_harness, service: FakeService
) -> None:
    harness = make_harness(max_retries=2)
    service.script("CreateThread", *(httpx.ConnectError("refused") for _ in range(5)))
    with pytest.raises(APIConnectionError) as info:
        await harness.chat([U("hi")])
    assert type(info.value) is APIConnectionError
    assert info.value.code == "ClientConnection"
    assert "refused" in str(info.value)
    assert service.actions() == ["CreateThread"] * 3


async def test_read_timeout_becomes_api_timeout_error(make_harness, service: FakeService) -> None:
    harness = make_harness(max_retries=1)
    service.script("RunThread", *(httpx.ReadTimeout("slow") for _ in range(5)))
    with pytest.raises(APITimeoutError) as info:
        await harness.chat([U("hi")])
    assert info.value.code == "ClientTimeout"
    assert service.actions().count("RunThread") == 2


async def test_read_timeout_mid_stream_keeps_partial_and_is_not_retried(
    harness: Harness, service: FakeService
) -> None:
    service.script(
        "RunThread",
        frames_reply(
            service,
            lambda t: run_frame(t, "in_progress"),
            delta_frame("so far"),
            error=httpx.ReadTimeout("stalled"),
        ),
    )
    events, error = await harness.collect([U("hi")])
    assert isinstance(error, APITimeoutError)
    assert error.partial_text == "so far" == text_of(events)
    assert service.actions().count("RunThread") == 1


async def test_connection_dropped_mid_stream_is_a_stream_error(
    harness: Harness, service: FakeService
) -> None:
    service.script(
        "RunThread",
        frames_reply(
            service, delta_frame("so far"), error=httpx.RemoteProtocolError("peer closed")
        ),
    )
    _events, error = await harness.collect([U("hi")])
    assert isinstance(error, StreamError)
    assert error.code == "StreamInterrupted"
    assert error.partial_text == "so far"


async def test_connection_dropped_after_the_terminal_frame_is_success(
    harness: Harness, service: FakeService
) -> None:
    service.script(
        "RunThread",
        lambda req, body: service.stream(
            run_stream(body["ThreadID"], ["all", " there"], done=False),
            error=httpx.RemoteProtocolError("peer closed"),
        ),
    )
    result = finished(await harness.stream([U("hi")]))
    assert result.text == "all there"


# -- stop sequences ------------------------------------------------------------------------


async def test_stop_sequence_cuts_the_stream_and_closes_the_response(
    harness: Harness, service: FakeService
) -> None:
    pieces = ["Hello", " wor", "ld EN", "D and more", " text", " after"]
    service.script("RunThread", streamed(service, pieces))
    events = await harness.stream([U("hi")], RunOptions(stop=("END",)))
    result = finished(events)
    assert text_of(events) == "Hello world " == result.text
    assert result.stop_sequence == "END"
    assert result.finish_reason == "stop"
    body = service.streams[-1]
    assert body.closed
    assert body.yielded < len(body.chunks)  # reading stopped at the stop sequence
    assert "Stop" not in service.bodies("RunThread")[0]
    # the thread holds more than the caller saw, so it is not continued
    follow = await harness.chat([U("hi"), A(result.text), U("next")])
    assert not follow.continued_thread


async def test_stop_sequence_never_found_releases_held_text(
    harness: Harness, service: FakeService
) -> None:
    service.script("RunThread", streamed(service, ["ab", "cE", "N"]))
    result = await harness.chat([U("hi")], RunOptions(stop=("END",)))
    assert result.text == "abcEN"
    assert result.stop_sequence is None


# -- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("messages", "options", "pattern"),
    [
        ([U("hi")], RunOptions(temperature=3.0), "temperature"),
        ([U("hi")], RunOptions(model="hunyuan-lite", tools=(ToolSpec("f"),)), "ignores tools"),
        ([U("hi")], RunOptions(seed=3), "seed"),
        ([], RunOptions(), "messages is empty"),
        ([U("hi"), A("trailing")], RunOptions(), "last message is from the assistant"),
        ([R("orphan", "c1")], RunOptions(), "tool result"),
    ],
)
async def test_validation_errors_raise_before_any_request(
    harness: Harness, service: FakeService, messages, options, pattern: str
) -> None:
    with pytest.raises(ValueError, match=pattern):
        harness.client.stream_chat(messages, options)  # raised at call time, not on iteration
    with pytest.raises(ValueError, match=pattern):
        await harness.chat(messages, options)
    assert service.requests == []


# -- early exit ----------------------------------------------------------------------------


async def test_consumer_breaking_early_closes_the_response(
    harness: Harness, service: FakeService
) -> None:
    first = await harness.chat([U("one")])
    history = [U("one"), A(first.text), U("two")]
    events, error = await harness.collect(history, limit=1)
    assert error is None
    assert len(events) == 1
    assert service.streams[-1].closed
    scope = harness.client.flows.scope
    assert not harness.client.ledger.is_claimed(scope, "thread_1")
    # the run was abandoned half-way: the thread is not continued
    assert not (await harness.chat(history)).continued_thread


# -- ChatCompletions -----------------------------------------------------------------------


async def test_chat_completions_stream(harness: Harness, service: FakeService) -> None:
    options = RunOptions(api="chat_completions", seed=5, stop=("zzz",))
    events = await harness.stream([U("hi")], options)
    assert service.actions() == ["ChatCompletions"]
    body = service.bodies("ChatCompletions")[0]
    assert body["Stream"] is True
    assert body["Seed"] == 5
    assert body["Stop"] == ["zzz"]
    assert body["Messages"] == [{"Role": "user", "Content": "hi"}]
    result = finished(events)
    assert (result.text, result.finish_reason, result.usage) == ("hi!", "stop", Usage(11, 7, 18, 0))


async def test_chat_completions_non_stream(harness: Harness, service: FakeService) -> None:
    service.script(
        "ChatCompletions",
        json_response(
            {
                "Id": "cc-1",
                "Choices": [
                    {"Message": {"Role": "assistant", "Content": "whole"}, "FinishReason": "stop"}
                ],
                "Usage": USAGE,
            },
            request_id="cc-rid",
        ),
    )
    result = await harness.chat([U("hi")], RunOptions(api="chat_completions"))
    assert service.bodies("ChatCompletions")[0]["Stream"] is False
    assert (result.text, result.request_id) == ("whole", "cc-rid")


async def test_chat_completions_max_tokens_enforced_client_side(
    harness: Harness, service: FakeService
) -> None:
    frames = [
        sse(
            {
                "Id": "c",
                "Choices": [{"Delta": {"Content": f"w{i} "}}],
                "Usage": {"PromptTokens": 1, "CompletionTokens": i + 1, "TotalTokens": i + 2},
            }
        )
        for i in range(10)
    ]
    service.script("ChatCompletions", lambda req, body: service.stream(frames))
    events = await harness.stream([U("hi")], RunOptions(api="chat_completions", max_tokens=3))
    result = finished(events)
    assert result.finish_reason == "length"
    assert text_of(events) == "w0 w1 w2 "
    assert service.streams[-1].closed


# -- several event loops -------------------------------------------------------------------


def test_async_client_with_injected_transport_across_asyncio_run(service: FakeService) -> None:
    harness = Harness(False, service)

    async def once(n: int) -> str:
        return (await harness.chat([U(f"q{n}")])).text

    assert [asyncio.run(once(n)) for n in range(3)] == ["reply 1", "reply 2", "reply 3"]


async def test_snapshot_only_run_through_the_client(harness: Harness, service: FakeService) -> None:
    service.script(
        "RunThread",
        frames_reply(
            service,
            lambda t: message_frame(t, "", "in_progress"),
            lambda t: message_frame(t, "from snapshot", "completed"),
            lambda t: run_frame(t, "completed"),
        ),
    )
    events = await harness.stream([U("hi")])
    assert text_of(events) == "from snapshot" == finished(events).text


async def test_truncated_stream_before_any_output_is_retried_on_a_fresh_thread(
    harness: Harness, service: FakeService
) -> None:
    # The run started (thread touched) but no output reached the caller: retrying loses and
    # duplicates nothing, and it must not reuse the touched thread.
    service.script("RunThread", frames_reply(service, lambda t: run_frame(t, "in_progress")))
    events = await harness.stream([U("hi")])
    assert text_of(events) == "reply 1"
    assert service.actions() == ["CreateThread", "RunThread", "CreateThread", "RunThread"]
    assert finished(events).thread_id == "thread_2"


async def test_truncated_stream_after_output_is_not_retried(
    harness: Harness, service: FakeService
) -> None:
    service.script("RunThread", frames_reply(service, delta_frame("seen ")))
    events, error = await harness.collect([U("hi")])
    assert isinstance(error, StreamError)
    assert error.partial_text == "seen " == text_of(events)
    assert service.actions().count("RunThread") == 1


async def test_error_frame_request_id_is_kept_when_the_header_has_none(
    harness: Harness, service: FakeService
) -> None:
    frame = {
        "Error": {"Code": "OperationDenied.TextIllegalDetected", "Message": "denied"},
        "RequestId": "req-in-frame",
    }
    service.script(
        "RunThread",
        lambda req, body: httpx.Response(
            200,
            headers={"Content-Type": "text/event-stream"},
            stream=ChunkStream([sse(delta_frame("x")), sse(frame)]),
        ),
    )
    _events, error = await harness.collect([U("hi")])
    assert isinstance(error, ContentFilterError)
    assert error.request_id == "req-in-frame"
    assert error.message == "denied"
