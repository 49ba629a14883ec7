"""What users see is the same on both transports: stop sequences, content filtering, errors in
the middle of a stream, retries, reasoning. Each test runs once per ``api``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from llama_index.core.base.llms.types import ChatMessage, ThinkingBlock

import hunyuan_api
from hunyuan_api import RetryPolicy
from hunyuan_emulator import EmulatorHandle, Fault
from langchain_hunyuan import (
    ChatHunyuan,
    HunyuanAPIError,
    HunyuanBadRequestError,
    HunyuanContentFilterError,
    HunyuanRateLimitError,
    HunyuanServerError,
    HunyuanStreamError,
)
from llama_index_hunyuan import Hunyuan
from tests.support.langchain import aggregate as merge
from tests.support.transport import ACTION, model_calls, no_reasoning_sent

MakeChat = Callable[..., ChatHunyuan]
MakeLLM = Callable[..., Hunyuan]
USER = [ChatMessage(role="user", content="hello world")]
REPLY = 'You said: "hello world". This is a deterministic reply from the Hunyuan emulator.'


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries happen as configured, without the backoff's sleeps."""
    monkeypatch.setattr(RetryPolicy, "delay", lambda self, attempt, rng=None: 0.0)


async def astream(chat: Any, value: Any) -> list[Any]:
    return [chunk async for chunk in chat.astream(value)]


# -- what a reply says about its thread -----------------------------------------------------


def test_thread_facts_only_where_there_is_a_thread(
    make_chat: MakeChat, make_llm: MakeLLM, api: str
) -> None:
    """``continued_thread``/``messages_sent`` describe a RunThread thread; elsewhere they would
    read as "a thread was not continued, nothing was sent"."""
    keys = {"continued_thread", "messages_sent"}
    raw = make_llm(api=api).chat(USER).raw
    metadata = make_chat(api=api).invoke("hello world").response_metadata
    assert raw is not None
    threaded = api == "run_thread"
    assert (keys <= raw.keys()) is threaded
    assert (keys & raw.keys() == set()) is not threaded
    assert (keys <= metadata.keys()) is threaded
    assert (keys & metadata.keys() == set()) is not threaded


# -- stop sequences ------------------------------------------------------------------------


def test_stop_ends_before_the_sequence(emu: EmulatorHandle, make_chat: MakeChat, api: str) -> None:
    """ChatCompletions' service stops *after* a matched stop string (it stays in its output);
    the client cuts before it, as on RunThread, so text and finish reason are the same."""
    chat = make_chat(api=api, stop=["deterministic"])
    expected = 'You said: "hello world". This is a '
    reply = chat.invoke("hello world")
    assert reply.content == expected
    assert reply.response_metadata["finish_reason"] == "stop"
    streamed = merge(list(chat.stream("hello world")))
    assert streamed.content == expected
    assert streamed.response_metadata["finish_reason"] == "stop"
    calls = model_calls(emu, api)
    if api == "run_thread":
        assert all("Stop" not in c for c in calls)
    else:
        # Sent natively too, so the service stops generating (and billing) at the match.
        assert [(c["Stop"], c["Stream"]) for c in calls] == [
            (["deterministic"], False),
            (["deterministic"], True),
        ]


@pytest.mark.parametrize("stream", [True, False], ids=["stream", "chat"])
async def test_stop_split_across_pieces(
    emu: EmulatorHandle, make_llm: MakeLLM, api: str, stream: bool
) -> None:
    emu.state.queue_reply(text="alpha beta STOP gamma delta")
    llm = make_llm(api=api, stop=["beta STOP", "never"])
    if stream:
        chunks = [c async for c in await llm.astream_chat(USER)]
        assert "".join(c.delta or "" for c in chunks) == "alpha "
        final = chunks[-1]
    else:
        final = await llm.achat(USER)
    assert final.message.content == "alpha "
    assert final.additional_kwargs["finish_reason"] == "stop"
    assert final.raw is not None
    # The OpenAI-compatible endpoint stops before a match and does not say which one it was.
    assert final.raw["stop_sequence"] == (None if api == "openai" else "beta STOP")


def test_chat_completions_service_keeps_the_stop_string(emu: EmulatorHandle) -> None:
    """The service behaviour the client corrects for (Tencent's documented ``Stop``)."""
    client = hunyuan_api.HunyuanClient(
        secret_id=emu.secret_id, secret_key=emu.secret_key, base_url=emu.base_url
    )
    body = {
        "Model": "hunyuan-turbo",
        "Messages": [{"Role": "user", "Content": "hello world"}],
        "Stop": ["deterministic"],
    }
    answer = client.call("ChatCompletions", body)["Choices"][0]
    assert answer["Message"]["Content"] == 'You said: "hello world". This is a deterministic'
    assert answer["FinishReason"] == "stop"


# -- content filter ------------------------------------------------------------------------


async def test_a_sensitive_finish_is_withdrawn_never_returned(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, api: str
) -> None:
    """Tencent asks clients to withdraw a moderated reply's text: no call returns it as an
    answer. Streams show every chunk and a last one saying how the run ended, then raise; whole
    answers raise at once. The error is LangChain's refusal and carries what was shown."""
    text = "Some words then"
    emu.state.queue_reply(text=text, finish_reason="sensitive", times=4)
    chat = make_chat(api=api)
    with pytest.raises(hunyuan_api.ContentFilterError) as caught:
        chat.invoke("hi")
    assert isinstance(caught.value, HunyuanContentFilterError)
    assert caught.value.partial_text == text
    seen: list[Any] = []

    async def consume() -> None:
        async for chunk in chat.astream("hi"):
            seen.append(chunk)

    with pytest.raises(HunyuanContentFilterError):
        await consume()
    assert merge(seen).content == text
    assert merge(seen).response_metadata["finish_reason"] == "content_filter"
    llm = make_llm(api=api)
    with pytest.raises(hunyuan_api.ContentFilterError) as caught:
        llm.chat(USER)
    assert caught.value.partial_text == text
    streamed: list[Any] = []

    def drain() -> None:
        streamed.extend(llm.stream_chat(USER))

    with pytest.raises(hunyuan_api.ContentFilterError):
        drain()
    assert streamed[-1].additional_kwargs["finish_reason"] == "content_filter"
    assert streamed[-1].message.content == text


# -- errors mid-stream ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "error"),
    [
        ("4000", HunyuanServerError),  # ErrorMsg: internal error
        ("4001", HunyuanServerError),  # ErrorMsg: model timed out
        ("FailedOperation.EngineServerError", HunyuanServerError),
        ("4999", HunyuanAPIError),  # an undocumented code: kept, not retried
    ],
)
async def test_error_msg_mid_stream(
    emu: EmulatorHandle, make_chat: MakeChat, api: str, code: str, error: type[Exception]
) -> None:
    """An ``ErrorMsg`` frame after output: the typed error with what was received, and no
    retry (output already reached the caller)."""
    emu.state.queue_reply(text="Partial answer here", error=(code, "it broke", "error_msg"))
    chat = make_chat(api=api)
    seen: list[str] = []

    async def consume() -> None:
        async for chunk in chat.astream("hi"):
            seen.append(chunk.text)

    with pytest.raises(error) as caught:
        await consume()
    exc = caught.value
    assert isinstance(exc, hunyuan_api.APIError)
    assert "".join(seen) == "Partial answer here"
    assert exc.partial is not None
    assert exc.partial.text == "Partial answer here"
    # ChatCompletions' ErrorMsg codes are numbers; the OpenAI-compatible endpoint keeps Tencent's.
    assert exc.code == (code if code.isdigit() or api == "openai" else "4000")
    assert len(model_calls(emu, api)) == 1


def test_error_msg_mid_stream_llama_index(emu: EmulatorHandle, make_llm: MakeLLM, api: str) -> None:
    emu.state.queue_reply(text="Partial answer here", error=("4001", "timed out", "error_msg"))
    deltas: list[str] = []

    def consume() -> None:
        for response in make_llm(api=api).stream_chat(USER):
            deltas.append(response.delta or "")

    with pytest.raises(hunyuan_api.ServerError) as caught:
        consume()
    assert "".join(deltas) == "Partial answer here"
    assert caught.value.partial is not None
    assert caught.value.partial.text == "Partial answer here"
    assert caught.value.code == "4001"


def test_error_msg_before_output_is_retried(
    emu: EmulatorHandle, make_chat: MakeChat, api: str, fast_retries: None
) -> None:
    emu.state.add_fault(Fault.error_frame("4000", form="error_msg"), action=ACTION[api])
    assert merge(list(make_chat(api=api).stream("hello world"))).content == REPLY
    assert len(model_calls(emu, api)) == 2


# -- retries -------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["invoke", "stream"])
def test_transient_errors_are_retried(
    emu: EmulatorHandle, make_chat: MakeChat, api: str, how: str, fast_retries: None
) -> None:
    emu.state.add_fault(
        Fault.error("FailedOperation.EngineServerLimitExceeded"), action=ACTION[api]
    )
    emu.state.add_fault(Fault.http_status(502), action=ACTION[api])
    chat = make_chat(api=api)
    reply = (
        chat.invoke("hello world") if how == "invoke" else merge(list(chat.stream("hello world")))
    )
    assert reply.content == REPLY
    assert len(model_calls(emu, api)) == 3


def test_retries_are_bounded(
    emu: EmulatorHandle, make_chat: MakeChat, make_llm: MakeLLM, api: str, fast_retries: None
) -> None:
    emu.state.add_fault(Fault.error("LimitExceeded"), action=ACTION[api], count=6)
    with pytest.raises(HunyuanRateLimitError):
        make_chat(api=api, max_retries=1).invoke("hi")
    assert len(model_calls(emu, api)) == 2
    with pytest.raises(hunyuan_api.RateLimitError):
        make_llm(api=api, max_retries=2).chat(USER)
    assert len(model_calls(emu, api)) == 5


def test_drop_before_output_is_retried_after_is_not(
    emu: EmulatorHandle, make_chat: MakeChat, api: str, fast_retries: None
) -> None:
    chat = make_chat(api=api)
    emu.state.add_fault(Fault.drop(after=0), action=ACTION[api])
    assert merge(list(chat.stream("hello world"))).content == REPLY
    assert len(model_calls(emu, api)) == 2
    emu.state.add_fault(Fault.drop(after=3), action=ACTION[api])
    with pytest.raises(HunyuanStreamError) as caught:
        list(chat.stream("hello world"))
    assert caught.value.partial is not None
    assert caught.value.partial.text == "You said: "
    assert len(model_calls(emu, api)) == 3


def test_non_retryable_errors_raise_at_once(
    emu: EmulatorHandle, make_chat: MakeChat, api: str
) -> None:
    emu.state.add_fault(Fault.error("InvalidParameterValue"), action=ACTION[api])
    with pytest.raises(HunyuanBadRequestError) as caught:
        make_chat(api=api).invoke("hi")
    assert caught.value.code == "InvalidParameterValue"
    assert caught.value.request_id
    assert len(model_calls(emu, api)) == 1


# -- reasoning (ChatCompletions: RunThread's models return none) ---------------------------

THINKING = "The user wants the answer."


async def test_reasoning_langchain(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    emu.state.queue_reply(text="Forty-two.", reasoning=THINKING, times=2)
    chat = make_chat(api="chat_completions")
    chunks = await astream(chat, "question")
    assert any(c.additional_kwargs.get("reasoning_content") for c in chunks)
    streamed = merge(chunks)
    assert streamed.additional_kwargs["reasoning_content"] == THINKING
    assert streamed.content == "Forty-two."
    reply = await chat.ainvoke("question")
    assert reply.additional_kwargs["reasoning_content"] == THINKING
    assert reply.content == "Forty-two."
    # Sent back in the history: the reasoning stays behind.
    history = [HumanMessage("question"), reply, HumanMessage("and then?")]
    await chat.ainvoke(history)
    streamed_back = AIMessage(
        content=streamed.content, additional_kwargs=streamed.additional_kwargs
    )
    await chat.ainvoke([HumanMessage("question"), streamed_back, HumanMessage("more?")])
    no_reasoning_sent(emu, THINKING)


def test_reasoning_llama_index(emu: EmulatorHandle, make_llm: MakeLLM) -> None:
    emu.state.queue_reply(text="Forty-two.", reasoning=THINKING, times=2)
    llm = make_llm(api="chat_completions")
    chunks = list(llm.stream_chat(USER))
    assert "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks) == THINKING
    for final in (chunks[-1].message, llm.chat(USER).message):
        assert isinstance(final.blocks[0], ThinkingBlock)
        assert final.blocks[0].content == THINKING
        assert final.content == "Forty-two."
    llm.chat([*USER, final, ChatMessage(role="user", content="and then?")])
    no_reasoning_sent(emu, THINKING)


def test_reasoning_model_on_chat_completions(emu: EmulatorHandle, make_chat: MakeChat) -> None:
    """``hunyuan-t1-latest`` thinks by itself (the emulator's t1 models always reason)."""
    chat = make_chat(api="chat_completions", model="hunyuan-t1-latest")
    reply = chat.invoke("hello world")
    reasoning = reply.additional_kwargs["reasoning_content"]
    assert reasoning == 'The user asked: "hello world". I will answer it directly.'
    assert reply.content == REPLY
    # Reasoning tokens are output tokens.
    assert reply.usage_metadata is not None
    assert reply.usage_metadata["output_tokens"] > len(REPLY.split())
    streamed = merge(list(chat.stream("hello world")))
    assert streamed.additional_kwargs["reasoning_content"] == reasoning
    chat.invoke([HumanMessage("hello world"), reply, HumanMessage("thanks")])
    bodies = model_calls(emu, "chat_completions")
    assert [b["Model"] for b in bodies] == ["hunyuan-t1-latest"] * 3
    no_reasoning_sent(emu, reasoning)


def test_new_models_are_chat_completions_only(make_chat: MakeChat) -> None:
    with pytest.raises(HunyuanBadRequestError) as caught:
        make_chat(model="hunyuan-t1-latest").invoke("hi")
    assert caught.value.code == "InvalidParameterValue.Model"
