"""The OpenAI-compatible transport (``api="openai"``) against a fake written from OpenAI's wire
format: request bodies, stream decoding, non-stream answers, errors and retries, credentials and
the endpoint."""

from __future__ import annotations

import json
import pickle

import pytest

from hunyuan_api import (
    AsyncHunyuanClient,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    HunyuanClient,
    HunyuanSettings,
    Message,
    NotFoundError,
    ReasoningDelta,
    RetryPolicy,
    RunOptions,
    ServerError,
    ToolCall,
    ToolCallDelta,
    ToolSpec,
)
from hunyuan_api._wire.openai import build_openai_chat_body
from tests.support.fake_service import Harness, finished, text_of
from tests.support.openai_fake import (
    BASE_URL,
    KEY,
    USAGE,
    OpenAIFake,
    chunk,
    data,
    error_body,
    text_stream,
)

OPENAI = RunOptions(api="openai", model="hunyuan-turbos-latest")
USER = [Message("user", "hi")]
WEATHER = ToolSpec("get_weather", "Weather", {"type": "object", "properties": {"city": {}}})
TIME = ToolSpec("get_time", "Time")


@pytest.fixture
def fake() -> OpenAIFake:
    return OpenAIFake()


@pytest.fixture
def harness(sync: bool, fake: OpenAIFake) -> Harness:
    return Harness(
        sync,
        fake,  # type: ignore[arg-type]
        api="openai",
        api_key=KEY,
        base_url=BASE_URL,
        retry_policy=RetryPolicy(initial_delay=0.0),
    )


# -- request bodies --------------------------------------------------------------------------


def test_body_carries_tool_histories_natively() -> None:
    calls = (ToolCall("call_a", "get_weather", '{"city": "北京"}'), ToolCall("call_b", "get_time"))
    history = [
        Message("system", "be brief"),
        Message("user", "weather and time?"),
        Message("assistant", "", calls),
        Message("tool", "sunny", tool_call_id="call_a"),
        Message("tool", ""),  # no id: answers the call in the same position
    ]
    options = RunOptions(
        api="openai",
        tools=(WEATHER, TIME),
        tool_choice="custom",
        forced_tool="get_time",
        stop=("END",),
        seed=7,
        max_tokens=64,
        temperature=0.2,
        enable_enhancement=False,
        reasoning_effort="high",
    )
    body = build_openai_chat_body(history, options, stream=True)
    assert body["messages"][2] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": "call_a",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "北京"}'},
            },
            {
                "id": "call_b",
                "type": "function",
                "function": {"name": "get_time", "arguments": "{}"},
            },
        ],
    }
    assert body["messages"][3] == {"role": "tool", "tool_call_id": "call_a", "content": "sunny"}
    assert body["messages"][4] == {
        "role": "tool",
        "tool_call_id": "call_b",
        "content": "(no output)",
    }
    assert body["tool_choice"] == {"type": "function", "function": {"name": "get_time"}}
    assert body["tools"][0] == {
        "type": "function",
        "function": {
            "name": "get_weather",
            "parameters": dict(WEATHER.parameters),
            "description": "Weather",
        },
    }
    assert body["stream_options"] == {"include_usage": True}
    assert (body["stop"], body["seed"], body["max_tokens"], body["temperature"]) == (
        ["END"],
        7,
        64,
        0.2,
    )
    assert (body["enable_enhancement"], body["reasoning_effort"]) == (False, "high")
    assert "top_p" not in body


@pytest.mark.parametrize(
    ("choice", "forced", "wire"),
    [("auto", None, "auto"), ("none", None, "none"), ("custom", None, "required")],
)
def test_any_tool_keeps_its_meaning(choice: str, forced: str | None, wire: str) -> None:
    options = RunOptions(
        api="openai", tools=(WEATHER, TIME), tool_choice=choice, forced_tool=forced
    )  # type: ignore[arg-type]
    assert build_openai_chat_body(USER, options, stream=False)["tool_choice"] == wire


def test_parallel_tool_calls_is_sent_as_is_with_tools() -> None:
    for value in (False, True):
        options = RunOptions(api="openai", tools=(WEATHER,), parallel_tool_calls=value)
        assert build_openai_chat_body(USER, options, stream=True)["parallel_tool_calls"] is value
    # OpenAI refuses it without tools, and None leaves the service default.
    for options in (
        RunOptions(api="openai", parallel_tool_calls=False),
        RunOptions(api="openai", tools=(WEATHER,)),
    ):
        assert "parallel_tool_calls" not in build_openai_chat_body(USER, options, stream=True)


# -- streams and answers ---------------------------------------------------------------------


async def test_stream_one_event_per_delta_and_usage_once(
    harness: Harness, fake: OpenAIFake
) -> None:
    fake.reply(fake.stream(text_stream("你好", "，", "世界")))
    events = await harness.stream(USER, OPENAI)
    assert [type(e).__name__ for e in events[:-1]] == ["TextDelta"] * 3
    result = finished(events)
    assert (result.text, result.finish_reason) == ("你好，世界", "stop")
    assert (result.usage.prompt_tokens, result.usage.total_tokens) == (9, 13)  # type: ignore[union-attr]
    assert result.request_id == "req-stream"
    (seen,) = fake.requests
    assert seen.path == "/v1/chat/completions"
    assert seen.headers["Authorization"] == f"Bearer {KEY}"
    assert seen.body["stream"] is True
    assert seen.body["messages"] == [{"role": "user", "content": "hi"}]


async def test_streamed_tool_calls_merge_by_index(harness: Harness, fake: OpenAIFake) -> None:
    def opening(index: int, call_id: str, name: str) -> dict[str, object]:
        function = {"name": name, "arguments": ""}
        return {"index": index, "id": call_id, "type": "function", "function": function}

    first, second = opening(0, "call_1", "get_weather"), opening(1, "call_2", "get_time")
    fake.reply(
        fake.stream(
            [
                chunk({"role": "assistant", "reasoning_content": "think"}),
                chunk({"tool_calls": [first]}),
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}),
                chunk({"tool_calls": [second]}),
                chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"北京"}'}}]}),
                chunk({}, "tool_calls"),
                chunk(None, usage=USAGE),
                data("[DONE]"),
            ]
        )
    )
    options = RunOptions(api="openai", model="hunyuan-t1-latest", tools=(WEATHER, TIME))
    events = await harness.stream(USER, options)
    assert isinstance(events[0], ReasoningDelta)
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [(d.index, d.id, d.name) for d in deltas if d.id] == [
        (0, "call_1", "get_weather"),
        (1, "call_2", "get_time"),
    ]
    result = finished(events)
    assert result.finish_reason == "tool_calls"
    assert result.reasoning == "think"
    assert result.tool_calls == (
        ToolCall("call_1", "get_weather", '{"city": "北京"}'),
        ToolCall("call_2", "get_time", ""),
    )


async def test_non_stream_chat_is_one_request(harness: Harness, fake: OpenAIFake) -> None:
    fake.reply(
        fake.answer({"role": "assistant", "content": "whole answer", "reasoning_content": "r"})
    )
    result = await harness.chat(USER, OPENAI)
    assert (result.text, result.reasoning, result.finish_reason) == ("whole answer", "r", "stop")
    assert result.usage is not None
    assert result.usage.completion_tokens == 4
    assert result.request_id == "req-answer"
    assert [r.body["stream"] for r in fake.requests] == [False]


async def test_client_side_stop_cuts_like_the_other_transports(
    harness: Harness, fake: OpenAIFake
) -> None:
    fake.reply(fake.stream(text_stream("Hello Hang", "zhou and on")))
    options = RunOptions(api="openai", stop=("Hangzhou",))
    events = await harness.stream(USER, options)
    assert text_of(events) == "Hello "
    assert finished(events).finish_reason == "stop"
    assert fake.requests[0].body["stop"] == ["Hangzhou"]


# -- errors and retries ----------------------------------------------------------------------


async def test_wrong_key_is_one_typed_error_after_one_request(sync: bool, fake: OpenAIFake) -> None:
    harness = Harness(sync, fake, api="openai", api_key="sk-wrong", base_url=BASE_URL)  # type: ignore[arg-type]
    events, error = await harness.collect(USER, OPENAI)
    assert isinstance(error, AuthenticationError)
    assert (error.code, error.http_status, error.request_id) == ("invalid_api_key", 401, "req-401")
    assert "sk-wrong" not in str(error)
    assert events == []
    assert len(fake.requests) == 1


async def test_429_is_retried_honouring_retry_after(harness: Harness, fake: OpenAIFake) -> None:
    wait = {"Retry-After": "0.05"}
    fake.reply(error_body(429, "slow down", "rate_limit_exceeded", "rate_limit_error", **wait))
    sleeps: list[float] = []
    harness.client.flows.retry_policy = RetryPolicy(initial_delay=0.0)
    original = harness.client.flows._backoff

    def spy(exc, tries):  # type: ignore[no-untyped-def]
        step = original(exc, tries)
        sleeps.append(step.seconds)
        return step

    harness.client.flows._backoff = spy  # type: ignore[method-assign]
    events = await harness.stream(USER, OPENAI)
    assert text_of(events) == "reply"
    assert len(fake.requests) == 2
    assert sleeps == [0.05]


@pytest.mark.parametrize(
    ("status", "code", "kind", "cls", "retried"),
    [
        (400, "invalid_request_error", "invalid_request_error", BadRequestError, False),
        (404, "model_not_found", "invalid_request_error", NotFoundError, False),
        (500, "server_error", "server_error", ServerError, True),
        (503, "", "", ServerError, True),
    ],
)
async def test_statuses_map_onto_the_error_tree(
    harness: Harness,
    fake: OpenAIFake,
    status: int,
    code: str,
    kind: str,
    cls: type[Exception],
    retried: bool,
) -> None:
    fake.reply(
        error_body(status, f"status {status}", code, kind), error_body(status, "again", code, kind)
    )
    fake.reply(error_body(status, "and again", code, kind))
    _, error = await harness.collect(USER, OPENAI)
    assert isinstance(error, cls)
    assert error.http_status == status
    assert f"status {status}" in error.message or retried
    assert len(fake.requests) == (3 if retried else 1)


async def test_an_error_after_output_keeps_what_was_delivered(
    harness: Harness, fake: OpenAIFake
) -> None:
    failure = data(
        {"error": {"message": "engine failed", "type": "server_error", "code": "server_error"}}
    )
    fake.reply(fake.stream([chunk({"role": "assistant", "content": "half"}), failure]))
    events, error = await harness.collect(USER, OPENAI)
    assert isinstance(error, ServerError)
    assert text_of(events) == "half" == error.partial_text
    assert len(fake.requests) == 1  # output reached the caller: never retried


# -- credentials, selection, endpoint ---------------------------------------------------------


def test_only_a_key_selects_the_openai_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    assert HunyuanSettings(api_key="sk-x").api == "openai"
    assert HunyuanSettings(api_key="sk-x", secret_id="a", secret_key="b").api == "run_thread"
    assert HunyuanSettings(api_key="sk-x", api="chat_completions").api == "chat_completions"
    monkeypatch.setenv("HUNYUAN_API_KEY", "sk-from-env")
    client = HunyuanClient()
    assert client.settings.api == "openai"
    assert client.endpoint.url == "https://api.hunyuan.cloud.tencent.com/v1"


def test_a_key_with_run_thread_is_explained() -> None:
    with pytest.raises(ConfigurationError, match="API KEY") as info:
        HunyuanClient(api_key="sk-console", api="run_thread")
    assert "api='openai'" in str(info.value)
    assert "sk-console" not in str(info.value)


def test_openai_without_a_key_says_where_to_get_one() -> None:
    with pytest.raises(ConfigurationError, match="HUNYUAN_API_KEY") as info:
        HunyuanClient(api="openai", secret_id="AKIDx", secret_key="k")
    assert "api='run_thread'" in str(info.value)


@pytest.mark.parametrize(
    ("base_url", "url"),
    [
        (None, "https://api.hunyuan.cloud.tencent.com/v1"),
        ("https://tokenhub.tencentmaas.com/v1/", "https://tokenhub.tencentmaas.com/v1"),
        ("http://127.0.0.1:8765", "http://127.0.0.1:8765/v1"),
        ("http://127.0.0.1:8765/v1", "http://127.0.0.1:8765/v1"),
    ],
)
def test_openai_endpoint(base_url: str | None, url: str) -> None:
    client = HunyuanClient(api="openai", api_key="sk-x", base_url=base_url)
    assert client.endpoint.url == url


def test_plain_http_only_to_loopback() -> None:
    with pytest.raises(ConfigurationError, match="allow_insecure_http"):
        HunyuanClient(api="openai", api_key="sk-x", base_url="http://example.com/v1")


def test_the_key_never_shows(fake: OpenAIFake) -> None:
    client = AsyncHunyuanClient(api="openai", api_key="sk-secret-123")
    texts = [repr(client), repr(client.settings), repr(client.flows.dialect.auth)]
    texts.append(repr(pickle.loads(pickle.dumps(client.settings))))
    texts.append(client.settings.model_dump_json())
    assert all("sk-secret-123" not in t for t in texts)
    assert b"sk-secret-123" not in pickle.dumps(client.settings)


def test_api_3_actions_are_refused_on_the_openai_endpoint() -> None:
    client = HunyuanClient(api="openai", api_key="sk-x")
    with pytest.raises(ConfigurationError, match=r"API 3\.0"):
        client.create_thread()
    # Token counting has no action there: an estimate, made offline.
    assert client.count_tokens("你好世界") == 4
    assert client.count_tokens("hello world!") == 3


def test_openai_chunks_decode_like_chatcompletions_chunks() -> None:
    body = json.loads(chunk({"content": "x"}, "stop", usage=USAGE)[6:])
    from hunyuan_api._wire.frames import ChatCompletionChunk

    frame = ChatCompletionChunk.model_validate(body)
    assert frame.choices[0].delta is not None
    assert frame.choices[0].delta.content == "x"
    assert frame.choices[0].finish_reason == "stop"
    assert frame.usage is not None
    assert frame.usage.total_tokens == 13
