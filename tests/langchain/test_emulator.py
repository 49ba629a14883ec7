"""ChatHunyuan and HunyuanLLM against the local emulator: what goes on the wire, threads, stop
sequences, errors and streaming. Each test runs its body on the sync and the async path."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from langchain_core import exceptions as lc_exc
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.tools import tool
from pydantic import BaseModel

import hunyuan_api
from hunyuan_api import (
    HunyuanClient,
    RetryPolicy,
)
from hunyuan_emulator import Fault
from langchain_hunyuan import (
    ChatHunyuan,
    HunyuanAccountError,
    HunyuanAuthenticationError,
    HunyuanBadRequestError,
    HunyuanContentFilterError,
    HunyuanLLM,
    HunyuanRateLimitError,
    HunyuanServerError,
    HunyuanStreamError,
    HunyuanTimeoutError,
)
from tests.support.common import CHECKED_RUN
from tests.support.langchain import actions, aggregate, collect, invoke, runs, sent

if TYPE_CHECKING:
    from hunyuan_emulator import EmulatorHandle

MakeChat = Callable[..., ChatHunyuan]


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    return f"It is sunny in {city}."


@tool
def get_time(zone: str) -> str:
    """Get the current time in a time zone."""
    return "12:00"


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen immediately (the core's backoff is tested in tests/core)."""
    monkeypatch.setattr(RetryPolicy, "delay", lambda self, attempt, rng=None: 0.0)


# -- basics and parameters ----------------------------------------------------------------------


async def test_invoke_and_stream_agree(chat: ChatHunyuan, emu: EmulatorHandle, sync: bool) -> None:
    reply = await invoke(chat, "你好，混元", sync)
    assert isinstance(reply, AIMessage)
    assert "您好" in reply.text
    assert reply.response_metadata["model_name"] == "hunyuan-turbo"
    assert reply.response_metadata["model_provider"] == "hunyuan"
    assert reply.response_metadata["finish_reason"] == "stop"
    for key in ("thread_id", "run_id", "message_id", "request_id"):
        assert reply.response_metadata[key]
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["output_tokens"] > 0

    chunks = await collect(chat, "你好，混元", sync)
    assert len(chunks) > 3
    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert [c.chunk_position for c in chunks].count("last") == 1
    assert chunks[-1].chunk_position == "last"
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert all(c.response_metadata.get("model_provider") == "hunyuan" for c in chunks)
    assert all("finish_reason" not in c.response_metadata for c in chunks[:-1])
    merged = aggregate(chunks)
    assert merged.text == reply.text
    assert merged.usage_metadata == reply.usage_metadata


async def test_parameters_reach_the_wire(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool
) -> None:
    chat = make_chat(
        temperature=0.3, top_p=0.8, max_tokens=50, max_prompt_tokens=4000, region="ap-guangzhou"
    )
    await invoke(chat, "hello", sync)
    (request,) = runs(emu)
    body = request.body
    assert body["Model"] == "hunyuan-turbo"
    assert body["Temperature"] == 0.3
    assert body["TopP"] == 0.8
    assert body["MaxCompletionTokens"] == 50
    assert body["MaxPromptTokens"] == 4000
    assert body["Stream"] is True
    assert request.headers["x-tc-region"] == "ap-guangzhou"
    assert "Stop" not in body
    assert "Seed" not in body

    await invoke(chat, "hello again", sync, temperature=1.5, max_tokens=9)
    assert runs(emu)[-1].body["Temperature"] == 1.5
    assert runs(emu)[-1].body["MaxCompletionTokens"] == 9


async def test_session_token_is_sent(make_chat: MakeChat, emu: EmulatorHandle, sync: bool) -> None:
    await invoke(make_chat(session_token="temporary-token"), "hello", sync)
    assert runs(emu)[0].headers["x-tc-token"] == "<redacted>"


async def test_max_tokens_ends_with_length(make_chat: MakeChat, sync: bool) -> None:
    reply = await invoke(make_chat(max_tokens=3), "tell me a long story", sync)
    assert reply.response_metadata["finish_reason"] == "length"
    assert reply.usage_metadata["output_tokens"] == 3


async def test_model_override_per_call(chat: ChatHunyuan, emu: EmulatorHandle, sync: bool) -> None:
    reply = await invoke(chat, "hello", sync, model="hunyuan-pro")
    assert runs(emu)[0].body["Model"] == "hunyuan-pro"
    assert reply.response_metadata["model_name"] == "hunyuan-pro"


async def test_chat_completions_api_with_seed_and_reasoning(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool
) -> None:
    chat = make_chat(api="chat_completions", seed=7)
    emu.state.queue_reply(text="答案是四十二。", reasoning="先想一想。", times=2)
    reply = await invoke(chat, "问题", sync)
    assert reply.text == "答案是四十二。"
    assert reply.additional_kwargs["reasoning_content"] == "先想一想。"
    merged = aggregate(await collect(chat, "问题", sync))
    assert merged.additional_kwargs["reasoning_content"] == "先想一想。"
    assert actions(emu) == ["ChatCompletions", "ChatCompletions"]
    assert emu.state.requests[0].body["Seed"] == 7


async def test_injected_http_clients_are_used(make_chat: MakeChat, sync: bool) -> None:
    seen: list[str] = []

    def hook(request: httpx.Request) -> None:
        seen.append(request.headers["x-tc-action"])

    async def ahook(request: httpx.Request) -> None:
        seen.append(request.headers["x-tc-action"])

    with httpx.Client(event_hooks={"request": [hook]}) as client:
        async with httpx.AsyncClient(event_hooks={"request": [ahook]}) as aclient:
            chat = make_chat(http_client=client, http_async_client=aclient)
            await invoke(chat, "hello", sync)
    assert seen == ["CreateThread", "RunThread"]


def test_async_is_native_and_clients_are_reused(
    chat: ChatHunyuan, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the sync path ran under an async call")

    monkeypatch.setattr(ChatHunyuan, "_generate", refuse)
    monkeypatch.setattr(ChatHunyuan, "_stream", refuse)

    async def both() -> None:
        await chat.ainvoke("one")
        [c async for c in chat.astream("two")]

    # Separate event loops each get their own pool from the one cached async client.
    asyncio.run(both())
    client = chat._async_client
    asyncio.run(both())
    assert chat._async_client is client
    assert [key[0] for key in chat._clients] == ["async"]


async def test_streaming_true_fires_token_callbacks(make_chat: MakeChat, sync: bool) -> None:
    tokens: list[str] = []

    class Collect(BaseCallbackHandler):
        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            tokens.append(token)

    reply = await invoke(
        make_chat(streaming=True), "count the tokens", sync, config={"callbacks": [Collect()]}
    )
    assert len(tokens) > 3
    assert "".join(tokens) == reply.text

    # .stream() fires each token once (langchain-core fires them; the model must not as well).
    tokens.clear()
    chunks = await collect(make_chat(), "count the tokens", sync, config={"callbacks": [Collect()]})
    assert len(tokens) == len(chunks)


# -- threads (protocol §4) ----------------------------------------------------------------------


async def test_tool_loop_continues_one_thread(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    model = chat.bind_tools([get_weather, get_time])
    history: list[Any] = [
        SystemMessage("You are a weather assistant."),
        HumanMessage("What is the weather in Paris? Use get_weather."),
    ]
    first = await invoke(model, history, sync)
    assert [c["name"] for c in first.tool_calls] == ["get_weather"]
    history += [first, ToolMessage("Sunny, 25°C", tool_call_id=first.tool_calls[0]["id"])]
    second = await invoke(model, history, sync)
    assert "Sunny, 25°C" in second.text
    history += [second, HumanMessage("Thanks! And what time is it in UTC? Use get_time.")]
    # The reply may be streamed and aggregated: the chunk sum continues the thread just the same.
    third = aggregate(await collect(model, history, sync))
    assert third.tool_calls[0]["name"] == "get_time"
    history += [third, ToolMessage("12:00", tool_call_id=third.tool_calls[0]["id"])]
    await invoke(model, history, sync)

    # Tool results continue unchecked (an agent step); the new user turn is checked.
    assert actions(emu) == ["CreateThread", "RunThread", "RunThread", *CHECKED_RUN, "RunThread"]
    requests = runs(emu)
    assert len({r.body["ThreadID"] for r in requests}) == 1
    assert sent(requests[0]) == [
        {"Role": "system", "Content": "You are a weather assistant."},
        {"Role": "user", "Content": "What is the weather in Paris? Use get_weather."},
    ]
    assert sent(requests[1]) == [{"Role": "tool", "Content": "Sunny, 25°C"}]
    assert sent(requests[2]) == [
        {"Role": "user", "Content": "Thanks! And what time is it in UTC? Use get_time."}
    ]
    assert sent(requests[3]) == [{"Role": "tool", "Content": "12:00"}]


async def test_v1_content_blocks_continue_the_thread(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool
) -> None:
    model = make_chat(output_version="v1").bind_tools([get_weather])
    history: list[Any] = [HumanMessage("What is the weather in Paris? Use get_weather.")]
    first = await invoke(model, history, sync)
    assert isinstance(first.content, list)
    assert first.content[0]["type"] == "tool_call"
    history += [first, ToolMessage("Sunny", tool_call_id=first.tool_calls[0]["id"])]
    second = aggregate(await collect(model, history, sync))
    assert [block["type"] for block in second.content] == ["text"]
    history += [second, HumanMessage("Thanks")]
    await invoke(model, history, sync)
    assert actions(emu) == ["CreateThread", "RunThread", "RunThread", *CHECKED_RUN]
    assert sent(runs(emu)[2]) == [{"Role": "user", "Content": "Thanks"}]


async def test_a_new_model_instance_continues_the_thread(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool
) -> None:
    history: list[Any] = [HumanMessage("Remember the number 7.")]
    reply = await invoke(make_chat(), history, sync)
    history += [reply, HumanMessage("Which number?")]
    await invoke(make_chat(temperature=0.5), history, sync)
    assert actions(emu) == ["CreateThread", "RunThread", *CHECKED_RUN]
    assert sent(runs(emu)[1]) == [{"Role": "user", "Content": "Which number?"}]


async def test_the_reply_carries_its_thread_token_through_merging_and_storage(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    history: list[Any] = [HumanMessage("Remember the number 7.")]
    reply = await invoke(chat, history, sync)
    token = reply.response_metadata["hunyuan_thread"]
    assert token["thread_id"] == reply.response_metadata["thread_id"]
    assert token["message_id"] == reply.response_metadata["message_id"]
    assert sorted(token) == ["digest", "mac", "message_id", "thread_id"]

    # Streamed: on the last chunk only, so summing the chunks keeps it whole (strings would
    # concatenate, dicts merge key by key).
    history += [reply, HumanMessage("Which number?")]
    chunks = await collect(chat, history, sync)
    carrying = [c for c in chunks if "hunyuan_thread" in c.response_metadata]
    assert carrying == [chunks[-1]]
    merged = aggregate(chunks)
    assert (
        merged.response_metadata["hunyuan_thread"] == chunks[-1].response_metadata["hunyuan_thread"]
    )
    assert merged.response_metadata["hunyuan_thread"]["thread_id"] == token["thread_id"]

    # Stored as JSON both ways LangChain serializes messages, the token comes back intact and a
    # model that remembers no thread (as in a new process) continues from it.
    from langchain_core.load import dumpd, load
    from langchain_core.messages import messages_from_dict, messages_to_dict

    history.append(merged)
    stored = messages_from_dict(json.loads(json.dumps(messages_to_dict(history))))
    revived = load(json.loads(json.dumps(dumpd(history))))
    assert (
        stored[-1].response_metadata["hunyuan_thread"] == merged.response_metadata["hunyuan_thread"]
    )
    assert revived[-1].response_metadata == stored[-1].response_metadata
    before = len(emu.state.requests)
    elsewhere = chat.model_copy(update={"ledger": hunyuan_api.ThreadLedger()})
    third = await invoke(elsewhere, [*stored, HumanMessage("Thanks.")], sync)
    assert actions(emu)[before:] == list(CHECKED_RUN)
    assert sent(runs(emu)[-1]) == [{"Role": "user", "Content": "Thanks."}]
    assert third.response_metadata["thread_id"] == token["thread_id"]
    assert third.response_metadata["continued_thread"]


async def test_an_edited_history_never_continues(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    reply = await invoke(chat, [HumanMessage("first question")], sync)
    edited = AIMessage(reply.text + " (edited)")
    await invoke(chat, [HumanMessage("first question"), edited, HumanMessage("next")], sync)
    assert actions(emu) == ["CreateThread", "RunThread", "CreateThread", "RunThread"]
    assert [m["Role"] for m in sent(runs(emu)[1])] == ["user", "assistant", "user"]
    assert runs(emu)[0].body["ThreadID"] != runs(emu)[1].body["ThreadID"]


async def test_pinned_thread_appends_exactly_the_given_messages(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool
) -> None:
    with HunyuanClient(
        base_url=emu.base_url, secret_id=emu.secret_id, secret_key=emu.secret_key
    ) as client:
        thread_id = client.create_thread().id
    chat = make_chat(thread_id=thread_id)
    await invoke(chat, [HumanMessage("第一条消息")], sync)
    await invoke(chat, [HumanMessage("第二条消息")], sync)
    assert actions(emu) == ["CreateThread", "RunThread", "RunThread"]
    first, second = runs(emu)
    assert first.body["ThreadID"] == second.body["ThreadID"] == thread_id
    assert sent(first) == [{"Role": "user", "Content": "第一条消息"}]
    assert sent(second) == [{"Role": "user", "Content": "第二条消息"}]
    stored = [m.role for m in emu.state.thread_messages(thread_id)]
    assert stored == ["user", "assistant", "user", "assistant"]


# -- stop sequences -----------------------------------------------------------------------------


async def test_stop_sequence_across_chunks(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool
) -> None:
    emu.state.queue_reply(text="The answer is forty-two. Goodbye!", times=2)
    chat = make_chat()
    chunks = await collect(chat, "question", sync, stop=["ty-tw"])
    merged = aggregate(chunks)
    assert merged.text == "The answer is for"
    assert merged.response_metadata["finish_reason"] == "stop"
    assert "Stop" not in runs(emu)[0].body

    reply = await invoke(make_chat(stop=["Goodbye"]), "question", sync, stop=["zzz"])
    assert reply.text == "The answer is forty-two. "
    assert reply.response_metadata["finish_reason"] == "stop"


# -- tools and structured output ----------------------------------------------------------------


async def test_streamed_tool_call_with_chinese_arguments(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    emu.state.queue_reply(tool_calls=[("get_weather", {"city": "北京市海淀区"})])
    chunks = await collect(chat.bind_tools([get_weather]), "北京天气怎么样？", sync)
    fragments = [tc for c in chunks for tc in c.tool_call_chunks]
    assert len(fragments) > 3
    assert all(f["index"] == 0 for f in fragments)
    assert fragments[0]["name"] == "get_weather"
    assert fragments[0]["id"]
    assert all(f["name"] is None and f["id"] is None for f in fragments[1:])
    merged = aggregate(chunks)
    assert merged.tool_calls == [
        {
            "name": "get_weather",
            "args": {"city": "北京市海淀区"},
            "id": fragments[0]["id"],
            "type": "tool_call",
        }
    ]
    assert merged.response_metadata["finish_reason"] == "tool_calls"
    tools = json.loads(runs(emu)[0].body["Tools"][0]["Function"]["Parameters"])
    assert tools["properties"]["city"]["type"] == "string"


async def test_parallel_tool_calls_keep_their_indices(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    emu.state.queue_reply(
        tool_calls=[("get_weather", {"city": "上海"}), ("get_time", {"zone": "UTC"})]
    )
    merged = aggregate(await collect(chat.bind_tools([get_weather, get_time]), "both please", sync))
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("get_weather", {"city": "上海"}),
        ("get_time", {"zone": "UTC"}),
    ]
    assert len({c["id"] for c in merged.tool_calls}) == 2


async def test_tool_choice_on_the_wire(chat: ChatHunyuan, emu: EmulatorHandle, sync: bool) -> None:
    await invoke(chat.bind_tools([get_weather, get_time], tool_choice="get_time"), "hi", sync)
    await invoke(chat.bind_tools([get_weather, get_time], tool_choice="any"), "hi", sync)
    await invoke(chat.bind_tools([get_weather, get_time], tool_choice="none"), "hi", sync)
    await invoke(chat.bind_tools([get_weather, get_time]), "hi", sync)
    named, anyone, none, default = (r.body for r in runs(emu))
    assert [t["Function"]["Name"] for t in named["Tools"]] == ["get_time"]
    assert named["ToolChoice"] == "custom"
    assert [t["Function"]["Name"] for t in anyone["Tools"]] == ["get_weather", "get_time"]
    assert anyone["ToolChoice"] == "custom"
    assert none["ToolChoice"] == "none"
    assert "ToolChoice" not in default


async def test_tools_on_a_model_that_ignores_them(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    with pytest.raises(ValueError, match="ignores tools"):
        chat.bind_tools([get_weather], model="hunyuan-lite")
    with pytest.raises(ValueError, match="ignores tools"):
        await invoke(chat.bind_tools([get_weather]), "hi", sync, model="hunyuan-lite")
    assert emu.state.requests == []


class Person(BaseModel):
    """Someone mentioned in the text."""

    name: str
    age: int


async def test_structured_output_methods(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    text = 'Extract: name: "李雷", age: 30'
    for method in ("function_calling", "json_mode", "json_schema"):
        person = await invoke(chat.with_structured_output(Person, method=method), text, sync)
        assert person == Person(name="李雷", age=30), method
    calling, mode, schema = runs(emu)
    assert calling.body["ToolChoice"] == "custom"
    assert [t["Function"]["Name"] for t in calling.body["Tools"]] == ["Person"]
    for request in (mode, schema):
        system = sent(request)[0]
        assert system["Role"] == "system"
        assert "single JSON object" in system["Content"]
        assert '"age"' in system["Content"]
        assert "Tools" not in request.body

    as_dict = await invoke(chat.with_structured_output(Person.model_json_schema()), text, sync)
    assert as_dict == {"name": "李雷", "age": 30}

    emu.state.queue_reply(text='{"answer": 42}')
    free_form = await invoke(chat.with_structured_output(method="json_mode"), "JSON please", sync)
    assert free_form == {"answer": 42}
    instruction = sent(runs(emu)[-1])[0]["Content"]
    assert "single JSON object" in instruction
    assert "JSON Schema" not in instruction


async def test_structured_output_include_raw(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    emu.state.queue_reply(text="not JSON at all")
    out = await invoke(
        chat.with_structured_output(Person, method="json_mode", include_raw=True), "x", sync
    )
    assert isinstance(out["raw"], AIMessage)
    assert out["raw"].text == "not JSON at all"
    assert out["parsed"] is None
    assert out["parsing_error"] is not None

    out = await invoke(
        chat.with_structured_output(Person, include_raw=True), 'name: "Ann", age: 5', sync
    )
    assert out["parsed"] == Person(name="Ann", age=5)
    assert out["parsing_error"] is None
    assert out["raw"].tool_calls[0]["name"] == "Person"


# -- refusals before any request ----------------------------------------------------------------


async def test_image_content_is_refused_before_any_request(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    message = HumanMessage(
        [
            {"type": "text", "text": "What is in this picture?"},
            {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}},
        ]
    )
    with pytest.raises(ValueError, match=r"messages\[0\].*text only"):
        await invoke(chat, [message], sync)
    with pytest.raises(ValueError, match="text only"):
        await collect(chat, [message], sync)
    assert emu.state.requests == []


async def test_invalid_history_is_refused_before_any_request(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    with pytest.raises(ValueError, match="tool result"):
        await invoke(chat, [HumanMessage("hi"), ToolMessage("x", tool_call_id="nope")], sync)
    with pytest.raises(TypeError, match="frequency_penalty"):
        await invoke(chat, "hi", sync, frequency_penalty=1.0)
    assert emu.state.requests == []


# -- errors -------------------------------------------------------------------------------------


async def test_wrong_key_is_an_authentication_error(make_chat: MakeChat, sync: bool) -> None:
    with pytest.raises(HunyuanAuthenticationError) as info:
        await invoke(make_chat(secret_key="not-the-key"), "hi", sync)
    err = info.value
    assert isinstance(err, hunyuan_api.AuthenticationError)
    assert isinstance(err, lc_exc.ModelAuthenticationError)
    assert err.code is not None
    assert err.code.startswith("AuthFailure")
    assert err.request_id


async def test_rate_limit_after_retries(
    make_chat: MakeChat, emu: EmulatorHandle, sync: bool, no_backoff: None
) -> None:
    emu.state.add_fault(Fault.error("LimitExceeded"), action="RunThread", count=3)
    with pytest.raises(HunyuanRateLimitError) as info:
        await invoke(make_chat(max_retries=2), "hi", sync)
    assert isinstance(info.value, lc_exc.ModelRateLimitError)
    assert isinstance(info.value, hunyuan_api.RateLimitError)
    assert len(runs(emu)) == 3

    emu.state.reset()
    emu.state.add_fault(Fault.error("LimitExceeded"), action="RunThread", count=1)
    reply = await invoke(make_chat(max_retries=1), "hi", sync)
    assert reply.text
    assert len(runs(emu)) == 2


async def test_mid_stream_error_keeps_the_partial_text(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    emu.state.add_fault(Fault.error_frame("InternalError", form="error", after=3))
    seen: list[str] = []

    async def consume() -> None:
        if sync:
            for chunk in chat.stream("hello there my friend"):
                seen.append(chunk.text)
        else:
            async for chunk in chat.astream("hello there my friend"):
                seen.append(chunk.text)

    with pytest.raises(HunyuanServerError) as info:
        await consume()
    err = info.value
    assert isinstance(err, lc_exc.ModelAPIError)
    assert err.partial is not None
    assert err.partial.text == "".join(seen) != ""
    assert len(runs(emu)) == 1  # output reached the caller: never retried


async def test_dropped_stream_is_a_stream_error(
    chat: ChatHunyuan, emu: EmulatorHandle, sync: bool
) -> None:
    emu.state.add_fault(Fault.drop(after=2))
    with pytest.raises(HunyuanStreamError) as info:
        await invoke(chat, "hello there my friend", sync)
    assert isinstance(info.value, lc_exc.ModelAPIError)
    assert info.value.partial is not None
    assert info.value.partial.text


async def test_timeout_error(make_chat: MakeChat, emu: EmulatorHandle, sync: bool) -> None:
    emu.state.add_fault(Fault.slow_first_byte(2.0))
    with pytest.raises(HunyuanTimeoutError) as info:
        await invoke(make_chat(timeout=0.3, max_retries=0), "hi", sync)
    assert isinstance(info.value, lc_exc.ModelTimeoutError)


@pytest.mark.parametrize(
    ("code", "adapter", "lc_class"),
    [
        (
            "FailedOperation.ServiceNotActivated",
            HunyuanAccountError,
            lc_exc.ModelPermissionDeniedError,
        ),
        (
            "OperationDenied.TextIllegalDetected",
            HunyuanContentFilterError,
            lc_exc.ModelRefusalError,
        ),
        ("InvalidParameterValue.Model", HunyuanBadRequestError, lc_exc.ModelInvalidRequestError),
    ],
)
async def test_service_errors_are_typed(
    chat: ChatHunyuan,
    emu: EmulatorHandle,
    sync: bool,
    code: str,
    adapter: type[Exception],
    lc_class: type[Exception],
) -> None:
    emu.state.add_fault(Fault.error(code), action="RunThread")
    with pytest.raises(adapter) as info:
        await invoke(chat, "hi", sync)
    assert isinstance(info.value, lc_class)
    assert info.value.code == code  # type: ignore[attr-defined]
    assert len(runs(emu)) == 1


# -- HunyuanLLM ---------------------------------------------------------------------------------


async def test_llm_invoke_stream_and_generate(
    make_llm: Callable[..., HunyuanLLM], emu: EmulatorHandle, sync: bool
) -> None:
    llm = make_llm(temperature=0.2)
    text = await invoke(llm, "Name a river.", sync)
    assert isinstance(text, str)
    assert "Name a river." in text
    chunks = await collect(llm, "Name a river.", sync)
    assert "".join(chunks) == text
    prompts = ["one", "two"]
    result = await llm.agenerate(prompts) if not sync else llm.generate(prompts)
    assert [g[0].text for g in result.generations] == [
        f'You said: "{p}". This is a deterministic reply from the Hunyuan emulator.'
        for p in prompts
    ]
    info = result.generations[0][0].generation_info
    assert info is not None
    assert info["finish_reason"] == "stop"
    assert info["usage_metadata"]["output_tokens"] > 0
    assert result.llm_output is not None
    assert result.llm_output["token_usage"]["total_tokens"] > 0
    assert all(r.body["Temperature"] == 0.2 for r in runs(emu))


async def test_llm_token_callbacks(make_llm: Callable[..., HunyuanLLM], sync: bool) -> None:
    tokens: list[str] = []

    class Collect(BaseCallbackHandler):
        def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
            tokens.append(token)

    config: Any = {"callbacks": [Collect()]}
    chunks = await collect(make_llm(), "count these tokens", sync, config=config)
    assert tokens == chunks
    tokens.clear()
    text = await invoke(make_llm(streaming=True), "count these tokens", sync, config=config)
    assert "".join(tokens) == text
    tokens.clear()
    await invoke(make_llm(), "count these tokens", sync, config=config)
    assert tokens == []


async def test_llm_stop_and_pinned_thread(
    make_llm: Callable[..., HunyuanLLM], emu: EmulatorHandle, sync: bool
) -> None:
    emu.state.queue_reply(text="alpha beta gamma delta")
    assert await invoke(make_llm(), "x", sync, stop=["gam"]) == "alpha beta "
    with HunyuanClient(
        base_url=emu.base_url, secret_id=emu.secret_id, secret_key=emu.secret_key
    ) as client:
        thread_id = client.create_thread().id
    llm = make_llm(thread_id=thread_id)
    await invoke(llm, "first", sync)
    await invoke(llm, "second", sync)
    pinned = [r for r in runs(emu) if r.body["ThreadID"] == thread_id]
    assert [sent(r) for r in pinned] == [
        [{"Role": "user", "Content": "first"}],
        [{"Role": "user", "Content": "second"}],
    ]


async def test_llm_errors_are_mapped(make_llm: Callable[..., HunyuanLLM], sync: bool) -> None:
    with pytest.raises(lc_exc.ModelAuthenticationError):
        await invoke(make_llm(secret_key="wrong"), "hi", sync)


def test_response_metadata_reports_thread_reuse(emu: EmulatorHandle) -> None:
    chat = ChatHunyuan(base_url=emu.base_url, secret_id=emu.secret_id, secret_key=emu.secret_key)
    first = chat.invoke([HumanMessage("你好")])
    assert first.response_metadata["continued_thread"] is False
    assert first.response_metadata["messages_sent"] == 1
    second = chat.invoke([HumanMessage("你好"), first, HumanMessage("再说一遍")])
    assert second.response_metadata["continued_thread"] is True
    assert second.response_metadata["messages_sent"] == 1
    assert second.response_metadata["thread_id"] == first.response_metadata["thread_id"]
