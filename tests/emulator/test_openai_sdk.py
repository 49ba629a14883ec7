"""OpenAI's own SDK (``openai``), unmodified, against the emulator's OpenAI-compatible endpoint:
the proof that the emulator speaks the format, from code we did not write."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import openai
import pytest

from hunyuan_emulator import EMULATOR_API_KEY, EmulatorHandle, Fault, run_emulator

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the weather at a location.",
        "parameters": {
            "type": "object",
            "properties": {"location": {"type": "string"}},
            "required": ["location"],
        },
    },
}
POPULATION = {
    "type": "function",
    "function": {
        "name": "get_population",
        "description": "Get the population of a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "year": {"type": "integer"}},
            "required": ["city", "year"],
        },
    },
}
HELLO = [{"role": "user", "content": "Hello there, how are you?"}]


def client_for(emu: EmulatorHandle, **kw: Any) -> openai.OpenAI:
    http = httpx.Client(trust_env=False)
    return openai.OpenAI(base_url=emu.openai_base_url, http_client=http, **kw)


def test_non_stream_answer_usage_and_request_id(oai: Any, emu: EmulatorHandle) -> None:
    raw = oai.chat.completions.with_raw_response.create(
        model="hunyuan-turbos-latest", messages=HELLO
    )
    completion = raw.parse()
    assert raw.headers["x-request-id"] == emu.state.requests[-1].request_id
    assert completion.id.startswith("chatcmpl-")
    assert completion.object == "chat.completion"
    assert completion.model == "hunyuan-turbos-latest"
    choice = completion.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.role == "assistant"
    assert "Hello there, how are you?" in choice.message.content
    assert choice.message.tool_calls is None
    usage = completion.usage
    assert usage.prompt_tokens > 0
    assert usage.completion_tokens > 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    chinese = oai.chat.completions.create(
        model="hunyuan-lite", messages=[{"role": "user", "content": "今天天气怎么样"}]
    )
    assert "今天天气怎么样" in chinese.choices[0].message.content
    assert chinese.choices[0].message.content.startswith("您好")


def test_stream_equals_the_non_stream_answer(oai: Any) -> None:
    whole = oai.chat.completions.create(model="hunyuan-turbos-latest", messages=HELLO)
    chunks = list(
        oai.chat.completions.create(model="hunyuan-turbos-latest", messages=HELLO, stream=True)
    )
    assert len(chunks) > 5
    assert chunks[0].choices[0].delta.role == "assistant"
    assert all(c.choices[0].delta.role is None for c in chunks[1:])
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == (
        whole.choices[0].message.content
    )
    assert [c.choices[0].finish_reason for c in chunks[-2:]] == [None, "stop"]
    assert all(c.usage is None for c in chunks)
    assert len({c.id for c in chunks}) == 1


def test_usage_chunk_with_stream_options(oai: Any) -> None:
    whole = oai.chat.completions.create(model="hunyuan-turbos-latest", messages=HELLO)
    chunks = list(
        oai.chat.completions.create(
            model="hunyuan-turbos-latest",
            messages=HELLO,
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    last = chunks[-1]
    assert last.choices == []
    assert last.usage.model_dump(exclude_none=True) == whole.usage.model_dump(exclude_none=True)
    assert all(c.usage is None for c in chunks[:-1])
    assert chunks[-2].choices[0].finish_reason == "stop"


def test_reasoning_content_deltas_come_before_the_content(oai: Any) -> None:
    chunks = list(
        oai.chat.completions.create(
            model="hunyuan-t1-latest",
            messages=[{"role": "user", "content": "Why is the sky blue?"}],
            stream=True,
        )
    )
    kinds = [
        "reasoning" if getattr(c.choices[0].delta, "reasoning_content", None) else "content"
        for c in chunks
    ]
    assert kinds[0] == "reasoning"
    first_content = kinds.index("content")
    assert set(kinds[first_content:]) == {"content"}
    reasoning = "".join(c.choices[0].delta.reasoning_content for c in chunks[:first_content])
    assert "Why is the sky blue?" in reasoning
    whole = oai.chat.completions.create(
        model="hunyuan-t1-latest", messages=[{"role": "user", "content": "Why is the sky blue?"}]
    )
    assert whole.choices[0].message.reasoning_content == reasoning


def test_hy3_reasons_only_when_asked(oai: Any) -> None:
    plain = oai.chat.completions.create(model="hy3-preview", messages=HELLO)
    assert getattr(plain.choices[0].message, "reasoning_content", None) is None
    thinking = oai.chat.completions.create(
        model="hy3-preview", messages=HELLO, reasoning_effort="high"
    )
    assert thinking.choices[0].message.reasoning_content
    with pytest.raises(openai.BadRequestError) as refused:
        oai.chat.completions.create(model="hunyuan-lite", messages=HELLO, reasoning_effort="low")
    assert refused.value.param == "reasoning_effort"


def test_tool_calls_and_the_answer_after_the_results(oai: Any) -> None:
    question = {"role": "user", "content": "What is the weather in Paris?"}
    completion = oai.chat.completions.create(
        model="hunyuan-turbos-latest", messages=[question], tools=[WEATHER, POPULATION]
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls
    assert call.id.startswith("call_")
    assert (call.function.name, json.loads(call.function.arguments)) == (
        "get_weather",
        {"location": "Paris"},
    )
    history = [
        question,
        choice.message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": call.id, "content": "Sunny, 21 degrees"},
    ]
    answer = oai.chat.completions.create(
        model="hunyuan-turbos-latest", messages=history, tools=[WEATHER, POPULATION]
    )
    assert answer.choices[0].finish_reason == "stop"
    assert "Sunny, 21 degrees" in answer.choices[0].message.content
    history[-1] = {**history[-1], "tool_call_id": "call_unknown"}
    with pytest.raises(openai.BadRequestError, match="call_unknown") as refused:
        oai.chat.completions.create(model="hunyuan-turbos-latest", messages=history)
    assert refused.value.param == "messages.2"


def test_tool_choice_required_and_named(oai: Any) -> None:
    chat = [{"role": "user", "content": "Tell me something about Berlin in 2020."}]
    auto = oai.chat.completions.create(
        model="hunyuan-t1-latest", messages=chat, tools=[WEATHER, POPULATION]
    )
    assert auto.choices[0].message.tool_calls is None
    required = oai.chat.completions.create(
        model="hunyuan-t1-latest", messages=chat, tools=[WEATHER], tool_choice="required"
    )
    assert required.choices[0].message.tool_calls[0].function.name == "get_weather"
    named = oai.chat.completions.create(
        model="hunyuan-functioncall",
        messages=chat,
        tools=[WEATHER, POPULATION],
        tool_choice={"type": "function", "function": {"name": "get_population"}},
        parallel_tool_calls=False,
    )
    (call,) = named.choices[0].message.tool_calls
    assert call.function.name == "get_population"
    assert json.loads(call.function.arguments) == {"city": "Berlin", "year": 2020}
    none = oai.chat.completions.create(
        model="hunyuan-turbos-latest",
        messages=[{"role": "user", "content": "What is the weather in Paris?"}],
        tools=[WEATHER],
        tool_choice="none",
    )
    assert none.choices[0].message.tool_calls is None


def test_streamed_tool_call_fragments_reassemble(oai: Any) -> None:
    question = [{"role": "user", "content": "What is the weather in San Francisco, CA?"}]
    whole = oai.chat.completions.create(
        model="hunyuan-turbos-latest", messages=question, tools=[WEATHER]
    )
    expected = whole.choices[0].message.tool_calls[0].function
    with oai.chat.completions.stream(
        model="hunyuan-turbos-latest", messages=question, tools=[WEATHER]
    ) as stream:
        fragments = [e for e in stream if e.type == "tool_calls.function.arguments.delta"]
        final = stream.get_final_completion()
    assert len(fragments) > 3
    (call,) = final.choices[0].message.tool_calls
    assert (call.function.name, call.function.arguments) == (expected.name, expected.arguments)
    assert final.choices[0].finish_reason == "tool_calls"
    by_index: dict[int, dict[str, str]] = {}
    for chunk in oai.chat.completions.create(
        model="hunyuan-turbos-latest", messages=question, tools=[WEATHER], stream=True
    ):
        for fragment in chunk.choices[0].delta.tool_calls or []:
            merged = by_index.setdefault(fragment.index, {"name": "", "arguments": ""})
            if fragment.id is not None:
                assert fragment.function.arguments == ""
                merged["id"], merged["name"] = fragment.id, fragment.function.name
            merged["arguments"] += fragment.function.arguments
    assert list(by_index) == [0]
    assert json.loads(by_index[0]["arguments"]) == json.loads(expected.arguments)


def test_a_wrong_key_is_one_authentication_error(emu: EmulatorHandle) -> None:
    client = client_for(emu, api_key="sk-not-the-emulators-key")
    with pytest.raises(openai.AuthenticationError) as failed:
        client.chat.completions.create(model="hunyuan-lite", messages=HELLO)
    assert failed.value.status_code == 401
    assert failed.value.code == "invalid_api_key"
    assert "sk-not" not in str(failed.value)
    assert [r.outcome for r in emu.state.requests] == ["AuthFailure.InvalidApiKey"]


def test_a_429_with_retry_after_is_retried_by_the_sdk(emu: EmulatorHandle) -> None:
    emu.state.add_fault(Fault.error("LimitExceeded"), action="v1/chat/completions")
    client = client_for(emu, api_key=emu.api_key)
    began = time.monotonic()
    completion = client.chat.completions.create(model="hunyuan-lite", messages=HELLO)
    waited = time.monotonic() - began
    assert completion.choices[0].finish_reason == "stop"
    outcomes = [r.outcome for r in emu.state.requests]
    assert outcomes == ["fault:error:LimitExceeded", "ok"]
    # The SDK waits what Retry-After says (1 s by default) rather than its own 0.5 s backoff.
    assert waited >= emu.settings.retry_after


def test_the_concurrency_cap_is_a_rate_limit_error() -> None:
    with run_emulator(concurrency_limit=1, tokens_per_second=20) as slow:
        client = client_for(slow, api_key=slow.api_key, max_retries=0)
        stream = client.chat.completions.create(model="hunyuan-lite", messages=HELLO, stream=True)
        next(iter(stream))
        with pytest.raises(openai.RateLimitError) as refused:
            client.chat.completions.create(model="hunyuan-lite", messages=HELLO)
        stream.close()
    assert refused.value.response.headers["retry-after"] == "1"
    assert refused.value.code == "rate_limit_exceeded"
    assert "1 calls in flight per API key" in refused.value.message


def test_an_unknown_model_is_not_found(oai: Any) -> None:
    with pytest.raises(openai.NotFoundError) as missing:
        oai.chat.completions.create(model="gpt-4o", messages=HELLO)
    assert missing.value.code == "model_not_found"
    assert "gpt-4o" in missing.value.message


def test_a_bad_field_is_a_bad_request_naming_it(oai: Any, emu: EmulatorHandle) -> None:
    with pytest.raises(openai.BadRequestError) as unknown:
        oai.chat.completions.create(
            model="hunyuan-lite", messages=HELLO, extra_body={"enable_magic": True}
        )
    assert unknown.value.body["message"] == "Unrecognized request argument supplied: enable_magic"
    assert unknown.value.param == "enable_magic"
    with pytest.raises(openai.BadRequestError) as out_of_range:
        oai.chat.completions.create(model="hunyuan-lite", messages=HELLO, temperature=2.5)
    assert out_of_range.value.param == "temperature"
    assert len(emu.state.requests) == 2  # 400s are not retried
    extras = oai.chat.completions.create(
        model="hunyuan-turbos-latest",
        messages=HELLO,
        extra_body={"enable_enhancement": True, "force_search_enhancement": False},
    )
    assert extras.choices[0].finish_reason == "stop"
    assert emu.state.requests[-1].body["enable_enhancement"] is True


def test_models_list_names_what_chat_serves(oai: Any) -> None:
    models = oai.models.list()
    ids = [m.id for m in models.data]
    for name in (
        "hunyuan-turbos-latest",
        "hunyuan-t1-latest",
        "hunyuan-t1-20250711",
        "hunyuan-lite",
        "hunyuan-turbo",
        "hunyuan-functioncall",
        "hunyuan-standard",
        "hy3-preview",
    ):
        assert name in ids
    assert all(m.object == "model" and m.owned_by == "tencent" for m in models.data)
    for name in ids:
        answer = oai.chat.completions.create(model=name, messages=HELLO, max_tokens=3)
        assert answer.model == name


def test_a_failure_mid_stream_raises_after_the_chunks_sent(oai: Any, emu: EmulatorHandle) -> None:
    emu.state.add_fault(Fault.error_frame("InternalError", after=3), action="v1/chat/completions")
    received: list[str] = []
    stream = oai.chat.completions.create(model="hunyuan-lite", messages=HELLO, stream=True)

    def read_all() -> None:
        received.extend(chunk.choices[0].delta.content for chunk in stream)

    with pytest.raises(openai.APIError) as failed:
        read_all()
    assert len(received) == 3
    assert failed.value.body == {
        "message": "内部错误。",
        "type": "server_error",
        "param": None,
        "code": "InternalError",
    }


def test_queued_replies_stop_and_max_tokens(oai: Any, emu: EmulatorHandle) -> None:
    emu.state.queue_reply(text="第一句。第二句。", reasoning="想一想", finish_reason="sensitive")
    queued = oai.chat.completions.create(model="hunyuan-t1-latest", messages=HELLO)
    assert queued.choices[0].message.content == "第一句。第二句。"
    assert queued.choices[0].message.reasoning_content == "想一想"
    assert queued.choices[0].finish_reason == "sensitive"
    emu.state.queue_reply(tool_calls=[("get_weather", {"location": "Oslo"})])
    called = oai.chat.completions.create(model="hunyuan-lite", messages=HELLO)
    assert called.choices[0].message.tool_calls[0].function.arguments == '{"location": "Oslo"}'
    stopped = oai.chat.completions.create(
        model="hunyuan-lite", messages=HELLO, stop=["deterministic"]
    )
    assert stopped.choices[0].message.content == 'You said: "Hello there, how are you?". This is a '
    assert stopped.choices[0].finish_reason == "stop"
    cut = oai.chat.completions.create(model="hunyuan-lite", messages=HELLO, max_tokens=4)
    assert cut.choices[0].finish_reason == "length"
    assert cut.usage.completion_tokens == 4
    assert cut.choices[0].message.content == 'You said: "'


def test_json_from_a_schema_in_the_prompt(oai: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name", "age"],
    }
    prompt = f'Reply in JSON following this JSON schema: {json.dumps(schema)}. "Ada" is 36.'
    answer = oai.chat.completions.create(
        model="hunyuan-turbos-latest", messages=[{"role": "user", "content": prompt}]
    )
    assert json.loads(answer.choices[0].message.content) == {"name": "Ada", "age": 36}


async def test_async_client_streams(emu: EmulatorHandle) -> None:
    async with (
        httpx.AsyncClient(trust_env=False) as http,
        openai.AsyncOpenAI(
            base_url=emu.openai_base_url, api_key=EMULATOR_API_KEY, http_client=http
        ) as client,
    ):
        stream = await client.chat.completions.create(
            model="hunyuan-turbos-latest", messages=HELLO, stream=True
        )
        text = "".join([c.choices[0].delta.content or "" async for c in stream])
    assert "Hello there, how are you?" in text
