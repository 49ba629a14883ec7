"""chat/complete, sync/async/streaming, against the local emulator."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from hunyuan_api import AuthenticationError, ContentFilterError, ServerError
from hunyuan_emulator import EmulatorHandle
from llama_index_hunyuan import Hunyuan
from tests.support.common import CHECKED_RUN, COPIES, SHALLOW_COPIES

USER = [ChatMessage(role="user", content="Tell me about pandas")]
EXPECTED = (
    'You said: "Tell me about pandas". This is a deterministic reply from the Hunyuan emulator.'
)


def _check_final(response: ChatResponse) -> None:
    assert response.message.content == EXPECTED
    kwargs = response.additional_kwargs
    assert kwargs["prompt_tokens"] > 0
    assert kwargs["completion_tokens"] > 0
    assert kwargs["total_tokens"] == kwargs["prompt_tokens"] + kwargs["completion_tokens"]
    assert kwargs["finish_reason"] == "stop"
    assert kwargs["thread_id"].startswith("thread_")
    assert kwargs["run_id"]
    assert kwargs["request_id"]
    assert isinstance(response.raw, dict)
    assert response.raw["text"] == EXPECTED
    json.dumps(response.raw)
    json.dumps(response.message.model_dump(mode="json"))


def _check_stream(chunks: list[ChatResponse]) -> None:
    assert len(chunks) > 3
    assert "".join(c.delta or "" for c in chunks) == EXPECTED
    for chunk in chunks:
        # Blocks are rebuilt per chunk: one cumulative TextBlock, never one per delta.
        assert sum(isinstance(b, TextBlock) for b in chunk.message.blocks) == 1
    assert chunks[-1].delta == ""
    _check_final(chunks[-1])


def test_chat(llm: Hunyuan) -> None:
    _check_final(llm.chat(USER))


async def test_achat(llm: Hunyuan) -> None:
    _check_final(await llm.achat(USER))


def test_stream_chat(llm: Hunyuan) -> None:
    _check_stream(list(llm.stream_chat(USER)))


async def test_astream_chat(llm: Hunyuan) -> None:
    _check_stream([c async for c in await llm.astream_chat(USER)])


def test_complete_and_stream_complete(llm: Hunyuan) -> None:
    response = llm.complete("Tell me about pandas")
    assert response.text == EXPECTED
    assert response.additional_kwargs["total_tokens"] > 0
    chunks = list(llm.stream_complete("Tell me about pandas"))
    assert "".join(c.delta or "" for c in chunks) == EXPECTED
    assert chunks[-1].text == EXPECTED


async def test_acomplete_and_astream_complete(llm: Hunyuan) -> None:
    assert (await llm.acomplete("Tell me about pandas")).text == EXPECTED
    chunks = [c async for c in await llm.astream_complete("Tell me about pandas")]
    assert "".join(c.delta or "" for c in chunks) == EXPECTED
    assert chunks[-1].text == EXPECTED


def test_options_reach_the_wire(emu: EmulatorHandle, make_llm: Callable[..., Hunyuan]) -> None:
    llm = make_llm(model="hunyuan-pro", temperature=0.2, top_p=0.9, max_tokens=300)
    llm.chat(USER, temperature=0.5)
    body = emu.state.requests[-1].body
    assert (body["Model"], body["Temperature"], body["TopP"], body["MaxCompletionTokens"]) == (
        "hunyuan-pro",
        0.5,
        0.9,
        300,
    )


def test_stop_sequences_cut_the_output(make_llm: Callable[..., Hunyuan]) -> None:
    llm = make_llm(stop=["deterministic"])
    assert llm.chat(USER).message.content == 'You said: "Tell me about pandas". This is a '
    streamed = list(llm.stream_chat(USER))
    assert (
        "".join(c.delta or "" for c in streamed) == 'You said: "Tell me about pandas". This is a '
    )


def test_tool_calls_in_blocks_and_kwargs(emu: EmulatorHandle, llm: Hunyuan) -> None:
    emu.state.queue_reply(tool_calls=[("lookup", {"q": "pandas", "n": 2})], text="Checking.")
    response = llm.chat(USER)
    blocks = [b for b in response.message.blocks if isinstance(b, ToolCallBlock)]
    assert [(b.tool_name, json.loads(str(b.tool_kwargs))) for b in blocks] == [
        ("lookup", {"q": "pandas", "n": 2})
    ]
    legacy = response.message.additional_kwargs["tool_calls"]
    assert legacy == [
        {
            "id": blocks[0].tool_call_id,
            "type": "function",
            "function": {"name": "lookup", "arguments": blocks[0].tool_kwargs},
        }
    ]
    assert response.additional_kwargs["finish_reason"] == "tool_calls"
    json.dumps(response.message.model_dump(mode="json"))


def test_reasoning_on_chat_completions(
    emu: EmulatorHandle, make_llm: Callable[..., Hunyuan]
) -> None:
    llm = make_llm(api="chat_completions", model="hunyuan-t1-latest")
    emu.state.queue_reply(text="Answer.", reasoning="Let me think it over.")
    chunks = list(llm.stream_chat(USER))
    assert "".join(c.additional_kwargs.get("thinking_delta", "") for c in chunks) == (
        "Let me think it over."
    )
    final = chunks[-1].message
    assert isinstance(final.blocks[0], ThinkingBlock)
    assert final.blocks[0].content == "Let me think it over."
    assert final.content == "Answer."
    # Reasoning is never sent back.
    emu.state.queue_reply(text="Second.")
    llm.chat([*USER, final, ChatMessage(role="user", content="and?")])
    sent = emu.state.requests[-1].body["Messages"]
    assert all("think it over" not in m["Content"] for m in sent)


def test_pinned_thread(emu: EmulatorHandle, make_llm: Callable[..., Hunyuan]) -> None:
    from hunyuan_api import HunyuanClient

    client = HunyuanClient(
        secret_id=emu.secret_id, secret_key=emu.secret_key, base_url=emu.base_url
    )
    thread = client.create_thread().id
    llm = make_llm(thread_id=thread)
    first = llm.chat(USER)
    assert first.additional_kwargs["thread_id"] == thread
    llm.chat([*USER, first.message, ChatMessage(role="user", content="More please")])
    runs = [r for r in emu.state.requests if r.action == "RunThread"]
    assert [r.body["ThreadID"] for r in runs] == [thread, thread]
    assert runs[1].body["AdditionalMessages"] == [{"Role": "user", "Content": "More please"}]
    assert [m.role for m in emu.state.thread_messages(thread)] == [
        "user",
        "assistant",
        "user",
        "assistant",
    ]


def test_the_reply_message_carries_its_thread_token(
    emu: EmulatorHandle, make_llm: Callable[..., Hunyuan]
) -> None:
    from hunyuan_api import ThreadLedger

    llm = make_llm()
    response = llm.chat(USER)
    token = response.message.additional_kwargs["hunyuan_thread"]
    assert token == response.additional_kwargs["hunyuan_thread"]
    assert token["thread_id"] == response.raw["thread_id"]
    assert token["message_id"] == response.raw["message_id"]

    # Streamed: only the final response's message (the one memories keep) carries it.
    history = [*USER, response.message, ChatMessage(role="user", content="Go on")]
    streamed = list(llm.stream_chat(history))
    assert [("hunyuan_thread" in r.message.additional_kwargs) for r in streamed] == [False] * (
        len(streamed) - 1
    ) + [True]

    # Stored as JSON and read back, the history continues its thread on an LLM that remembers
    # no thread (as a new process would), sending only the new message.
    history = [*history, streamed[-1].message, ChatMessage(role="user", content="Thanks")]
    stored = [ChatMessage.model_validate_json(m.model_dump_json()) for m in history]
    before = len(emu.state.requests)
    again = make_llm(ledger=ThreadLedger()).chat(stored)
    assert [r.action for r in emu.state.requests[before:]] == list(CHECKED_RUN)
    assert emu.state.requests[before + 1].body["AdditionalMessages"] == [
        {"Role": "user", "Content": "Thanks"}
    ]
    assert again.raw["thread_id"] == token["thread_id"]
    assert again.raw["continued_thread"]


def test_media_refused_before_any_request(emu: EmulatorHandle, llm: Hunyuan) -> None:
    message = ChatMessage(
        role="user", blocks=[TextBlock(text="what is this?"), ImageBlock(url="https://x/y.png")]
    )
    with pytest.raises(ValueError, match="text only"):
        llm.chat([message])
    with pytest.raises(ValueError, match="text only"):
        llm.stream_chat([message])
    assert emu.state.requests == []


def test_wrong_key_is_an_authentication_error(make_llm: Callable[..., Hunyuan]) -> None:
    llm = make_llm(secret_key="not-the-key")
    with pytest.raises(AuthenticationError) as info:
        llm.chat(USER)
    assert info.value.code is not None
    assert info.value.code.startswith("AuthFailure.")
    assert info.value.request_id


async def test_wrong_key_async_stream(make_llm: Callable[..., Hunyuan]) -> None:
    llm = make_llm(secret_key="not-the-key")
    with pytest.raises(AuthenticationError):
        async for _ in await llm.astream_chat(USER):
            pass


def test_queued_error_before_the_stream(emu: EmulatorHandle, llm: Hunyuan) -> None:
    emu.state.queue_reply(error=("OperationDenied.TextIllegalDetected", "blocked", "before"))
    with pytest.raises(ContentFilterError) as info:
        llm.chat(USER)
    assert info.value.code == "OperationDenied.TextIllegalDetected"
    assert info.value.request_id


def test_error_mid_stream_keeps_partial_output(emu: EmulatorHandle, llm: Hunyuan) -> None:
    emu.state.queue_reply(
        text="Half an answer", error=("FailedOperation.EngineServerError", "boom", "run_failed")
    )
    seen: list[str | None] = []

    def consume() -> None:
        for chunk in llm.stream_chat(USER):
            seen.append(chunk.delta)

    with pytest.raises(ServerError) as info:
        consume()
    assert "".join(d or "" for d in seen) == "Half an answer"
    assert info.value.partial is not None
    assert info.value.partial.text == "Half an answer"


def test_one_client_per_instance_across_calls_and_loops(llm: Hunyuan) -> None:
    import asyncio

    llm.chat(USER)
    client = llm._get_client()
    llm.complete("hi")
    assert llm._get_client() is client
    asyncio.run(llm.achat(USER))
    aclient = llm._get_aclient()
    asyncio.run(llm.achat(USER))  # a second event loop reuses the client (pools are per loop)
    assert llm._get_aclient() is aclient
    assert sorted(kind for kind, _ in llm._clients) == ["async", "sync"]


def test_chat_with_tools_in_callers_terms(emu: EmulatorHandle, llm: Hunyuan) -> None:
    from llama_index.core.tools import FunctionTool

    def lookup(q: str) -> str:
        """Look something up."""
        return q

    tool = FunctionTool.from_defaults(lookup)
    response = llm.chat(USER, tools=[tool], tool_choice="lookup")
    assert response.message.additional_kwargs["tool_calls"][0]["function"]["name"] == "lookup"
    body = emu.state.requests[-1].body
    assert body["ToolChoice"] == "custom"


async def test_concurrent_calls_share_one_client(llm: Hunyuan) -> None:
    import asyncio

    questions = [f"Question number {i}" for i in range(4)]
    responses = await asyncio.gather(
        *(llm.achat([ChatMessage(role="user", content=q)]) for q in questions)
    )
    for question, response in zip(questions, responses, strict=True):
        assert question in (response.message.content or "")
    threads = {r.additional_kwargs["thread_id"] for r in responses}
    assert len(threads) == 4


def test_stopping_a_stream_early_releases_it(emu: EmulatorHandle, llm: Hunyuan) -> None:
    import time

    stream = llm.stream_chat(USER)
    next(stream)
    next(stream)
    stream.close()
    deadline = time.monotonic() + 5
    while emu.state.active_runs() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert emu.state.active_runs() == 0
    _check_final(llm.chat(USER))


async def test_stopping_an_async_stream_early(emu: EmulatorHandle, llm: Hunyuan) -> None:
    import asyncio

    stream = await llm.astream_chat(USER)
    async for _ in stream:
        break
    await stream.aclose()  # type: ignore[attr-defined]
    for _ in range(500):
        if not emu.state.active_runs():
            break
        await asyncio.sleep(0.01)
    assert emu.state.active_runs() == 0
    _check_final(await llm.achat(USER))


@pytest.mark.parametrize("how", sorted(COPIES))
@pytest.mark.parametrize("sync", [True, False], ids=["sync", "async"])
async def test_a_used_llm_copies_and_pickles(
    how: str, sync: bool, emu: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Secrets never enter a pickle: the unpickled LLM reads them from the environment.
    monkeypatch.setenv("HUNYUAN_SECRET_ID", emu.secret_id)
    monkeypatch.setenv("HUNYUAN_SECRET_KEY", emu.secret_key)
    llm = Hunyuan(base_url=emu.base_url, temperature=0.5)

    async def complete(model: Hunyuan, prompt: str) -> str:
        return (model.complete(prompt) if sync else await model.acomplete(prompt)).text

    await complete(llm, "before")
    client = llm._get_client() if sync else llm._get_aclient()
    copied = COPIES[how](llm)
    assert "after" in await complete(copied, "after")
    assert "still" in await complete(llm, "still")
    copied_client = copied._get_client() if sync else copied._get_aclient()
    assert (copied_client is client) == (how in SHALLOW_COPIES)
    assert [r.body["Temperature"] for r in emu.state.requests if r.action == "RunThread"] == [
        0.5
    ] * 3
